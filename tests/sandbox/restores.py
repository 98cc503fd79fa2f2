# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The calls of the snapshot restore method, with AWS's checks and AWS's `creating` -> `available` over time.

moto answers these calls, but a new resource is `available` at once (or at its first read), a restore
copies the source cluster into the source's global database, CreateGlobalCluster silently replaces a
global cluster of the same name and never makes its source the writer, and DescribeOrderableDBInstanceOptions
knows no Aurora MySQL class. Each function here runs with SANDBOX.lock held (see sandbox.wsgi); the sources
of each behaviour are listed in docs/sandbox.md ("The snapshot restore method").
"""

from __future__ import annotations

import time
from typing import Any

from moto.rds.exceptions import InvalidParameterCombination, RDSClientError
from moto.rds.models import DBCluster, DBInstance, GlobalCluster, RDSBackend

from .catalog import EngineCatalog
from .parameter_groups import default_group_name
from .state import SandboxState
from .topology import GLOBAL_CLUSTER_REGION, all_global_clusters, find_global_cluster, rds_backend
from .upgrades import AVAILABLE

CREATING = "creating"
# AWS restores the master user from the snapshot; the sandbox cannot know its password, and moto wants one.
RESTORED_MASTER_PASSWORD = "restored-from-snapshot"
# Aurora DB instance classes by Aurora MySQL major version (AWS Aurora User Guide, "Supported DB engines for DB
# instance classes"): version 3 dropped the db.r4 and db.t2 classes that version 2 offered.
_SHARED_MYSQL_CLASSES = ("db.r5.large", "db.r5.xlarge", "db.r6g.large", "db.r6g.xlarge", "db.r6i.large", "db.t3.medium")
ORDERABLE_CLASSES = {
    ("aurora-mysql", "2"): _SHARED_MYSQL_CLASSES + ("db.r4.large", "db.r4.xlarge", "db.t2.medium", "db.t3.small"),
    ("aurora-mysql", "3"): _SHARED_MYSQL_CLASSES + ("db.r7g.large", "db.t4g.medium"),
    # 8.4.mysql_aurora.8.4.7: the Aurora version starts with the MySQL line.
    ("aurora-mysql", "8"): _SHARED_MYSQL_CLASSES + ("db.r7g.large", "db.t4g.medium"),
    ("aurora-postgresql", None): _SHARED_MYSQL_CLASSES + ("db.r7g.large", "db.t4g.medium"),
}
# "An Aurora global database requires DB instance classes that are optimized for memory-intensive applications" (AWS Aurora
# User Guide, aurora-global-database.configuration.requirements): the memory optimized classes, not the burstable db.t ones.
_GLOBAL_DATABASE_CLASS_PREFIXES = ("db.r", "db.x")


def _stored_status(cluster: DBCluster) -> str:
    return cluster._status  # pylint: disable=protected-access


def _designate_first_available_writer(cluster: DBCluster) -> None:
    """The writer of a cluster without one is its first instance to come up (moto would take a `creating` one)."""
    if cluster.writer is not None:
        return
    available = [member for member in cluster._members if member.status == AVAILABLE]  # pylint: disable=protected-access
    if available:
        min(available, key=lambda member: getattr(member, "available_since", 0.0)).is_cluster_writer = True


def _write_forwarding_requested(cluster: DBCluster) -> bool:
    return bool(getattr(cluster, "_global_write_forwarding_requested", False))


def _request_write_forwarding(cluster: DBCluster, requested: bool) -> None:
    cluster._global_write_forwarding_requested = requested  # pylint: disable=protected-access


def install() -> None:
    """A DB cluster's status is what the sandbox set: moto turns `creating` into `available` at its first read.
    Its writer is the first of its instances to become available."""
    DBCluster.status = property(_stored_status, DBCluster.status.fset)
    DBCluster.designate_writer = _designate_first_available_writer
    # moto's ModifyDBCluster sets attributes by parameter name; EnableGlobalWriteForwarding must reach what
    # GlobalWriteForwardingRequested reports, as it does on AWS.
    DBCluster.enable_global_write_forwarding = property(_write_forwarding_requested, _request_write_forwarding)


def _provision(state: SandboxState, resource: Any, region: str, subject: dict[str, str], on_available: Any = None) -> None:
    """The new resource reads `creating` for provision_seconds, then `available` (AWS takes minutes; no time is promised);
    then ``on_available()`` runs.

    With no provision time it is `available` at once, and nothing is journaled."""
    if not state.config.provision_seconds:
        resource.status = AVAILABLE
        if on_available:
            on_available()
        return
    resource.status = CREATING

    def become_available() -> None:
        # A status forced meanwhile (sandbox-api/state) stays.
        if resource.status == CREATING:
            resource.status = AVAILABLE
            if on_available:
                on_available()

    state.later(state.config.provision_seconds, become_available, "ResourceAvailable", region, subject)


def _aurora_major(engine: str, engine_version: str) -> str | None:
    """'2' or '3' for Aurora MySQL ('5.7.mysql_aurora.2.11.2' -> '2'); None for other engines."""
    if engine != "aurora-mysql" or ".mysql_aurora." not in engine_version:
        return None
    return engine_version.split(".mysql_aurora.", 1)[1].split(".", 1)[0]


def orderable_options(catalog: EngineCatalog, hidden: frozenset[str], engine: str, engine_version: str | None,
                      instance_class: str | None) -> list[dict[str, Any]]:
    """DescribeOrderableDBInstanceOptions: one option per (version, class) the region offers."""
    options = []
    for version in catalog.describe(hidden, engine=engine, engine_version=engine_version):
        classes = ORDERABLE_CLASSES.get((engine, _aurora_major(engine, version["EngineVersion"])), ())
        options.extend(
            {"Engine": engine, "EngineVersion": version["EngineVersion"], "DBInstanceClass": name,
             "LicenseModel": "general-public-license", "SupportsClusters": True, "Vpc": True, "SupportsStorageEncryption": True,
             "SupportsGlobalDatabases": name.startswith(_GLOBAL_DATABASE_CLASS_PREFIXES)}
            for name in classes if instance_class in (None, name)
        )
    return options


def _check_orderable(engine: str, engine_version: str, instance_class: str) -> None:
    if instance_class not in ORDERABLE_CLASSES.get((engine, _aurora_major(engine, engine_version)), ()):
        # AWS's wording (AWS Knowledge Center, "aurora-mysql-instance-class-error").
        raise InvalidParameterCombination(
            f"RDS does not support creating a DB instance with the following combination: DBInstanceClass={instance_class}, "
            f"Engine={engine}, EngineVersion={engine_version}, LicenseModel=general-public-license. "
            "For supported combinations of instance class and database engine version, see the documentation."
        )


def _check_known_version(catalog: EngineCatalog, engine: str, engine_version: str) -> None:
    if catalog.find(engine, engine_version) is None:
        raise InvalidParameterCombination(f"Cannot find version {engine_version} for {engine}")


def _check_cluster_parameter_group(backend: RDSBackend, catalog: EngineCatalog, name: str | None, engine: str, engine_version: str) -> None:
    if not name:
        return
    group = backend.db_cluster_parameter_groups.get(name)
    family = catalog.parameter_group_family(engine, engine_version)
    if group is None and name != f"default.{family}":
        raise RDSClientError("DBClusterParameterGroupNotFound", f"DBClusterParameterGroup not found: {name}")
    if group is not None and group.db_parameter_group_family != family:
        raise InvalidParameterCombination(
            f"The parameter group {name} with DBParameterGroupFamily {group.db_parameter_group_family} can't be used for this cluster. "
            f"Use a parameter group with DBParameterGroupFamily {family}."
        )


def _check_new_cluster(backend: RDSBackend, identifier: str) -> None:
    if identifier.lower() in backend.clusters:
        raise RDSClientError("DBClusterAlreadyExistsFault", "DB Cluster already exists")


def _cluster_settings(params: Any) -> dict[str, Any]:
    """The settings of a new cluster that the request gives (moto's snake_case keyword names)."""
    names = {
        "DBClusterIdentifier": "db_cluster_identifier", "Engine": "engine", "EngineVersion": "engine_version",
        "DBSubnetGroupName": "db_subnet_group_name", "VpcSecurityGroupIds": "vpc_security_group_ids",
        "DBClusterParameterGroupName": "db_cluster_parameter_group_name", "KmsKeyId": "kms_key_id",
        "StorageEncrypted": "storage_encrypted", "Port": "port", "Tags": "tags", "DeletionProtection": "deletion_protection",
    }
    return {snake: params[camel] for camel, snake in names.items() if params.get(camel) is not None}


def restore_cluster(backend: RDSBackend, params: Any, state: SandboxState) -> DBCluster:
    """RestoreDBClusterFromSnapshot: a standalone cluster (never a member of the source's global database), with the
    network settings and parameter group the request gives and the snapshot's engine, master user and encryption."""
    catalog = state.catalog
    snapshots = backend.describe_db_cluster_snapshots(None, params["SnapshotIdentifier"])
    if not snapshots:
        raise RDSClientError("DBClusterSnapshotNotFoundFault", f"DBClusterSnapshot {params['SnapshotIdentifier']} not found.")
    snapshot = snapshots[0]
    if snapshot.status != AVAILABLE:
        raise RDSClientError(
            "InvalidDBClusterSnapshotStateFault", f"Snapshot {snapshot.db_cluster_snapshot_identifier} is not available (it is {snapshot.status}).")
    source = snapshot.cluster
    settings = _cluster_settings(params)
    if settings["engine"] != source.engine:
        raise InvalidParameterCombination(f"The engine of the snapshot ({source.engine}) and the engine requested ({settings['engine']}) differ.")
    settings.setdefault("engine_version", source.engine_version)
    _check_known_version(catalog, settings["engine"], settings["engine_version"])
    _check_new_cluster(backend, settings["db_cluster_identifier"])
    _check_cluster_parameter_group(backend, catalog, settings.get("db_cluster_parameter_group_name"), settings["engine"], settings["engine_version"])
    settings.setdefault("storage_encrypted", source.storage_encrypted)
    if source.storage_encrypted:
        settings.setdefault("kms_key_id", source.kms_key_id)
    cluster = backend.create_db_cluster({
        **settings,
        "master_username": source.master_username or "admin",
        "master_user_password": RESTORED_MASTER_PASSWORD,
        "port": settings.get("port", source.port),
    })
    _provision(state, cluster, cluster.region, {"DBClusterIdentifier": cluster.db_cluster_identifier})
    return cluster


def create_cluster(backend: RDSBackend, params: Any, state: SandboxState) -> DBCluster:
    """CreateDBCluster; with GlobalClusterIdentifier, a secondary of that (available) global database at its engine version."""
    catalog = state.catalog
    settings = _cluster_settings(params)
    global_identifier = params.get("GlobalClusterIdentifier")
    if global_identifier:
        global_cluster = find_global_cluster(backend.account_id, global_identifier)
        if global_cluster.status != AVAILABLE:
            raise RDSClientError(
                "InvalidGlobalClusterStateFault", f"Global cluster {global_cluster.global_cluster_identifier} is not available (it is {global_cluster.status})")
        if (settings.get("engine"), settings.get("engine_version", global_cluster.engine_version)) != (global_cluster.engine, global_cluster.engine_version):
            raise InvalidParameterCombination(
                f"The engine and engine version of a secondary cluster must be the global cluster's: {global_cluster.engine} {global_cluster.engine_version}")
        settings["engine_version"] = global_cluster.engine_version
        # moto finds the global cluster by the exact key it was stored under, which AWS keeps in lower case.
        settings["global_cluster_identifier"] = global_cluster.global_cluster_identifier
        _check_new_cluster(backend, settings["db_cluster_identifier"])
        _check_cluster_parameter_group(backend, catalog, settings.get("db_cluster_parameter_group_name"), settings["engine"], settings["engine_version"])
    cluster = backend.create_db_cluster({**params, **settings})
    _provision(state, cluster, cluster.region, {"DBClusterIdentifier": cluster.db_cluster_identifier})
    return cluster


def create_instance(backend: RDSBackend, params: Any, state: SandboxState) -> DBInstance:
    """CreateDBInstance in a cluster: only once the cluster is available (botocore RestoreDBClusterFromSnapshot: "You can
    create DB instances only after the RestoreDBClusterFromSnapshot operation has completed and the DB cluster is
    available"), with a class offered for the cluster's engine version. The first instance to come up is the writer."""
    cluster_identifier = params.get("DBClusterIdentifier")
    if not cluster_identifier:
        instance = backend.create_db_instance(params)
        _provision(state, instance, instance.region, {"DBInstanceIdentifier": instance.db_instance_identifier})
        return instance
    cluster = backend.describe_db_clusters(db_cluster_identifier=cluster_identifier)[0]
    if cluster.status == CREATING:
        raise RDSClientError("InvalidDBClusterStateFault", f"DB cluster {cluster.db_cluster_identifier} is not available (it is {CREATING}).")
    _check_orderable(cluster.engine, cluster.engine_version, params["DBInstanceClass"])
    if not params.get("DBParameterGroupName"):
        # AWS gives a new instance the default group of its version's family (moto would derive a wrong name for Aurora MySQL).
        params["DBParameterGroupName"] = default_group_name(state.catalog, cluster.engine, cluster.engine_version)
    instance = backend.create_db_instance(params)
    # moto makes the first instance created the writer; AWS, the first to come up.
    instance.is_cluster_writer = False

    def come_up() -> None:
        instance.available_since = time.time()
        _designate_first_available_writer(cluster)

    _provision(state, instance, instance.region, {"DBInstanceIdentifier": instance.db_instance_identifier}, come_up)
    return instance


def create_global_cluster(backend: RDSBackend, params: Any, state: SandboxState) -> GlobalCluster:
    """CreateGlobalCluster: a new name (stored in lower case); from a source, an available cluster of no other global
    database, which becomes the writer. moto keeps every global cluster in one region's backend."""
    identifier = params["GlobalClusterIdentifier"].lower()
    if any(existing.global_cluster_identifier == identifier for existing in all_global_clusters(backend.account_id)):
        raise RDSClientError("GlobalClusterAlreadyExistsFault", f"Global cluster {identifier} already exists")
    source_arn = params.get("SourceDBClusterIdentifier")
    source = None
    if source_arn:
        source = backend.describe_db_clusters(db_cluster_identifier=source_arn)[0]
        if source.status != AVAILABLE:
            raise RDSClientError("InvalidDBClusterStateFault", f"Source cluster {source.db_cluster_identifier} is not available (it is {source.status})")
        if any(source in existing.members for existing in all_global_clusters(backend.account_id)):
            raise RDSClientError("InvalidDBClusterStateFault", f"Source cluster {source.db_cluster_identifier} is already a member of a global cluster")
    global_backend = rds_backend(backend.account_id, GLOBAL_CLUSTER_REGION)
    global_cluster = GlobalCluster(
        backend=global_backend, global_cluster_identifier=identifier,
        engine=source.engine if source else params["Engine"],
        engine_version=source.engine_version if source else params.get("EngineVersion"),
        storage_encrypted=source.storage_encrypted if source else params.get("StorageEncrypted"),
        deletion_protection=params.get("DeletionProtection"),
    )
    global_backend.global_clusters[identifier] = global_cluster
    if source is not None:
        source.global_cluster_identifier = identifier
        source.is_writer = True
        global_cluster.members.append(source)
    _provision(state, global_cluster, backend.region_name, {"GlobalClusterIdentifier": identifier})
    return global_cluster
