# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Leaving and joining a global database, and renaming: what the rebuild_secondaries method relies on.

moto's RemoveFromGlobalCluster acts only in us-east-1, leaves the cluster's global identifier and has no
`promoting`; it renames clusters and instances at once; it accepts a master user on a secondary and an
instance in a cluster still `creating`; and every cluster has an endpoint hash of its own. Each function
here runs with SANDBOX.lock held (see sandbox.wsgi); the sources are in docs/sandbox.md ("Removing,
renaming and adding secondaries").
"""

from __future__ import annotations

import hashlib
from typing import Any

from moto.core.responses import ActionResult
from moto.rds.exceptions import InvalidParameterCombination, InvalidParameterValue, RDSClientError
from moto.rds.models import DBCluster, GlobalCluster

from .restores import CREATING
from .state import SANDBOX
from .topology import find_global_cluster, global_cluster_of
from .upgrades import AVAILABLE

PROMOTING = "promoting"
RENAMING = "renaming"
# AWS refuses these on CreateDBCluster of a secondary (aws-aurora-global-upgrade-facts.md, "Adding a region").
MASTER_USER_PARAMETERS = ("MasterUsername", "MasterUserPassword", "DatabaseName")
MASTER_USER_REFUSED = "Cannot specify user name, password or database name for cross region replication cluster"
# Set on a moto DBCluster: a new secondary still catching up (moto's reset drops it with the cluster).
_RESYNCING = "_sandbox_resyncing"


def _endpoint_hash(cluster: DBCluster) -> str:
    """Fixed per account and region, as AWS's `<id>.cluster-<hash>.<region>.rds.amazonaws.com` is."""
    return hashlib.sha256(f"{cluster.account_id}/{cluster.region}".encode()).hexdigest()[:12]


def install() -> None:
    """Endpoint names depend on the identifier, the account and the region only (moto draws a hash per cluster)."""
    DBCluster.url_identifier = property(_endpoint_hash, lambda cluster, value: None)


def resynchronizing(global_cluster: GlobalCluster) -> frozenset[str]:
    """The identifiers of the members created as secondaries that have not caught up yet (SynchronizationStatus pending-resync)."""
    return frozenset(member.db_cluster_identifier for member in global_cluster.members if getattr(member, _RESYNCING, False))


def check_new_secondary(backend: Any, params: Any) -> None:
    """CreateDBCluster with GlobalClusterIdentifier of a global cluster that has a primary: no master user, password or database name."""
    if not params.get("GlobalClusterIdentifier"):
        return
    global_cluster = find_global_cluster(backend.account_id, params["GlobalClusterIdentifier"])
    if global_cluster.members and any(params.get(name) for name in MASTER_USER_PARAMETERS):
        raise InvalidParameterCombination(MASTER_USER_REFUSED)


def start_resync(cluster: DBCluster) -> None:
    """A new secondary reads `pending-resync` until it has caught up: resync_seconds after it is `available`."""
    global_cluster = global_cluster_of(cluster)
    if global_cluster is None or cluster.is_writer:
        return
    setattr(cluster, _RESYNCING, True)
    SANDBOX.later(SANDBOX.config.provision_seconds + SANDBOX.config.resync_seconds, lambda: setattr(cluster, _RESYNCING, False),
                  "SecondarySynchronized", cluster.region, {"DBClusterIdentifier": cluster.db_cluster_identifier})


def check_cluster_ready_for_instance(backend: Any, params: Any) -> None:
    """CreateDBInstance in a cluster still `creating` is refused (instances only once the cluster is available)."""
    identifier = params.get("DBClusterIdentifier")
    if not identifier:
        return
    cluster = backend.describe_db_clusters(db_cluster_identifier=identifier)[0]
    if cluster.status == CREATING:
        raise RDSClientError(
            "InvalidDBClusterStateFault", f"DB cluster {cluster.db_cluster_identifier} is not available for instance creation: it is {CREATING}.")


def _cluster_identifier_from_arn(value: str) -> str:
    """The identifier in a DB cluster ARN; RemoveFromGlobalCluster wants the ARN, not the name."""
    parts = value.split(":")
    if len(parts) != 7 or parts[:3] != ["arn", "aws", "rds"] or parts[5] != "cluster":
        raise InvalidParameterValue(f"The parameter DbClusterIdentifier is malformed: {value} is not a DB cluster ARN.")
    return parts[6]


def _refuse_unless_available(kind: str, identifier: str, status: str, fault: str) -> None:
    if status != AVAILABLE:
        raise RDSClientError(fault, f"{kind} {identifier} is not available (it is {status}).")


def remove_member(backend: Any, params: Any, region: str) -> GlobalCluster:
    """RemoveFromGlobalCluster, in the member's own region, by ARN: the member becomes a standalone cluster, `promoting` then `available`."""
    global_cluster = find_global_cluster(backend.account_id, params["GlobalClusterIdentifier"])
    identifier = _cluster_identifier_from_arn(params["DbClusterIdentifier"])
    # Clusters are regional: a member of another region is not found from here.
    cluster = backend.describe_db_clusters(db_cluster_identifier=identifier)[0]
    if cluster not in global_cluster.members:
        raise InvalidParameterValue(
            f"The DB cluster {params['DbClusterIdentifier']} is not found in global cluster {global_cluster.global_cluster_identifier}.")
    _refuse_unless_available("Global cluster", global_cluster.global_cluster_identifier, global_cluster.status, "InvalidGlobalClusterStateFault")
    _refuse_unless_available("DB cluster", cluster.db_cluster_identifier, cluster.status, "InvalidDBClusterStateFault")
    if cluster.is_writer and len(global_cluster.members) > 1:
        raise RDSClientError(
            "InvalidGlobalClusterStateFault",
            f"The primary cluster {cluster.db_cluster_identifier} can be removed from global cluster "
            f"{global_cluster.global_cluster_identifier} only when it has no secondary cluster left.")
    global_cluster.members.remove(cluster)
    cluster.global_cluster_identifier = None
    cluster.is_writer = False
    setattr(cluster, _RESYNCING, False)
    cluster.status = PROMOTING
    SANDBOX.later(SANDBOX.config.promote_seconds, lambda: _settle(cluster, PROMOTING), "ClusterPromoted", region,
                  {"DBClusterIdentifier": cluster.db_cluster_identifier})
    return global_cluster


class MembershipResponses:
    """Mixed into the sandbox's RDSResponse, before moto's: renaming DB clusters and DB instances."""

    def modify_db_cluster(self) -> ActionResult:
        new_identifier = self.params.get("NewDBClusterIdentifier")
        if not new_identifier:
            return super().modify_db_cluster()
        cluster = self.backend.describe_db_clusters(db_cluster_identifier=self.params["DBClusterIdentifier"])[0]
        global_cluster = global_cluster_of(cluster)
        if global_cluster is not None:
            raise InvalidParameterCombination(
                f"DB cluster {cluster.db_cluster_identifier} is a member of global cluster {global_cluster.global_cluster_identifier} "
                "and can't be renamed. Remove it from the global cluster first.")
        _refuse_unless_available("DB cluster", cluster.db_cluster_identifier, cluster.status, "InvalidDBClusterStateFault")
        if new_identifier.lower() in self.backend.clusters:
            raise RDSClientError("DBClusterAlreadyExistsFault", "DB Cluster already exists")
        # moto finds a cluster's instances and automated snapshots by its identifier: they move with it.
        instances = list(cluster.members)
        old_identifier = cluster.db_cluster_identifier
        self.params["DBClusterIdentifier"] = old_identifier
        self.params["NewDBClusterIdentifier"] = new_identifier.lower()
        super().modify_db_cluster()
        for instance in instances:
            instance.db_cluster_identifier = cluster.db_cluster_identifier
        _rename_automated_snapshots(self.backend.cluster_snapshots, old_identifier, cluster.db_cluster_identifier, "db_cluster_snapshot_identifier")
        return ActionResult({"DBCluster": _renaming(cluster, self.region, "DBClusterIdentifier", cluster.db_cluster_identifier)})

    def modify_db_instance(self) -> ActionResult:
        new_identifier = self.params.get("NewDBInstanceIdentifier")
        if not new_identifier:
            return super().modify_db_instance()
        instance = self.backend.describe_db_instances(self.params["DBInstanceIdentifier"])[0]
        _refuse_unless_available("DB instance", instance.db_instance_identifier, instance.status, "InvalidDBInstanceState")
        if new_identifier.lower() in self.backend.databases:
            raise RDSClientError("DBInstanceAlreadyExists", "DB instance already exists")
        old_identifier = instance.db_instance_identifier
        self.params["DBInstanceIdentifier"] = old_identifier
        self.params["NewDBInstanceIdentifier"] = new_identifier.lower()
        super().modify_db_instance()
        # moto names an instance's automated snapshots after it: they move with it, so that a new instance may take the old name.
        _rename_automated_snapshots(self.backend.database_snapshots, old_identifier, instance.db_instance_identifier, "db_snapshot_identifier")
        return ActionResult({"DBInstance": _renaming(instance, self.region, "DBInstanceIdentifier", instance.db_instance_identifier)})


def _rename_automated_snapshots(snapshots: dict[str, Any], old_identifier: str, new_identifier: str, key_attribute: str) -> None:
    """moto's automated snapshots of a resource (``rds:<identifier>-<time>``) renamed with it."""
    for old_key in [key for key in snapshots if key.startswith(f"rds:{old_identifier}-")]:
        snapshot = snapshots.pop(old_key)
        setattr(snapshot, key_attribute, old_key.replace(old_identifier, new_identifier, 1))
        snapshots[getattr(snapshot, key_attribute)] = snapshot


def _renaming(resource: Any, region: str, key: str, identifier: str) -> Any:
    """A renamed cluster or instance reads `renaming`, then `available` after rename_seconds."""
    resource.status = RENAMING
    SANDBOX.later(SANDBOX.config.rename_seconds, lambda: _settle(resource, RENAMING), "RenameCompleted", region, {key: identifier})
    return resource


def _settle(resource: Any, status: str) -> None:
    # A status forced meanwhile (sandbox-api/state) stays.
    if resource.status == status:
        resource.status = AVAILABLE
