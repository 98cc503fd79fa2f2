# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The manual DB cluster snapshot of a global database's primary, as AWS recommends before an upgrade: made once, awaited.

A re-run with the same snapshot identifier finds the snapshot and waits for it instead of making another one; a
snapshot of that name taken of another cluster is refused. Every AWS error names the step and region, and keeps
AWS's own answer (an AccessDenied names the action that the policy lacks).

Entry point of aurora_global_snapshot (its public API: PrimarySnapshot, SnapshotRequest). Internals behind it:
_identifiers, _members, _progress_file, _tags; shared layers: rds, statuses, waiting.
"""

from collections import namedtuple

from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import IDENTIFIER_RULE
from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import is_rds_identifier
from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import same_identifier
from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import stored_form
from ansible_collections.aurora.global_db.plugins.module_utils._members import region_from_arn
from ansible_collections.aurora.global_db.plugins.module_utils._progress_file import ProgressFile
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER_SNAPSHOT
from ansible_collections.aurora.global_db.plugins.module_utils.rds import cluster_identifier_from_arn
from ansible_collections.aurora.global_db.plugins.module_utils.rds import create_or_adopt
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_global_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.rds import find
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_ready
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_stuck
from ansible_collections.aurora.global_db.plugins.module_utils._tags import pre_upgrade_snapshot_tags
from ansible_collections.aurora.global_db.plugins.module_utils._tags import tag_list
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import Resource
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import State
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import TimedRun
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import wait_until_settled

SnapshotRequest = namedtuple("SnapshotRequest", ["global_cluster_identifier", "db_cluster_snapshot_identifier", "tags", "wait_timeout", "poll_interval",
                                                 "upgrade"], defaults=(None,))
SnapshotRequest.__doc__ = """The options of aurora_global_snapshot (names as in the module)."""


class SnapshotRefused(AuroraGlobalError):
    """A check before the snapshot failed; nothing was created."""


class SnapshotFailed(AuroraGlobalError):
    """The snapshot was made (or found) but did not become available."""


def _primary_of(global_cluster):
    """(region, DB cluster identifier) of the global cluster's writer; SnapshotRefused when it has none (mid-failover)."""
    writer_arn = next((m["DBClusterArn"] for m in global_cluster.get("GlobalClusterMembers", []) if m.get("IsWriter")), None)
    if writer_arn is None:
        raise SnapshotRefused(message="Global cluster %s has no writer (primary) to take the snapshot of, for example during a failover; "
                                      "nothing was changed. Run again once it has one." % global_cluster["GlobalClusterIdentifier"])
    return region_from_arn(writer_arn), cluster_identifier_from_arn(writer_arn)


def _is_of(snapshot, cluster_identifier):
    return same_identifier(snapshot.get("DBClusterIdentifier", ""), cluster_identifier)


def snapshot_summary(snapshot, region):
    """The module's ``snapshot`` result: AWS's description in snake_case keys, with the region it lives in."""
    return {
        "db_cluster_snapshot_identifier": snapshot["DBClusterSnapshotIdentifier"],
        "db_cluster_snapshot_arn": snapshot.get("DBClusterSnapshotArn"),
        "db_cluster_identifier": snapshot.get("DBClusterIdentifier"),
        "region": region,
        "status": snapshot.get("Status"),
        "engine": snapshot.get("Engine"),
        "engine_version": snapshot.get("EngineVersion"),
        "snapshot_create_time": str(snapshot["SnapshotCreateTime"]) if snapshot.get("SnapshotCreateTime") else None,
    }


class PrimarySnapshot(TimedRun):
    """One run of aurora_global_snapshot: find or create the snapshot of the primary, then wait until it is available."""

    def __init__(self, clients, request, check_mode, clock, sleep, progress_file=None):
        super().__init__(clients, request, check_mode, clock, sleep)
        self._progress_file = ProgressFile(progress_file, request.global_cluster_identifier)
        self._last_read = None
        self._region = None
        self._created = False

    def progress(self):
        """Once the snapshot exists, a failure says so, with its last status read."""
        if self._last_read is None:
            return {}
        return {"changed": self._created, "snapshot": snapshot_summary(self._last_read, self._region)}

    def _run(self):
        if not is_rds_identifier(self._request.db_cluster_snapshot_identifier):
            raise SnapshotRefused(message="db_cluster_snapshot_identifier %r is not one AWS accepts: %s; nothing was read or changed." % (
                self._request.db_cluster_snapshot_identifier, IDENTIFIER_RULE))
        region, primary = _primary_of(describe_global_cluster(self._clients, self._request.global_cluster_identifier))
        identifier = self._request.db_cluster_snapshot_identifier
        snapshot = find(self._clients, DB_CLUSTER_SNAPSHOT, region, identifier)
        if snapshot is not None:
            self._refuse_unless_of(snapshot, primary)
        if self._check_mode:
            planned = snapshot or {"DBClusterSnapshotIdentifier": stored_form(identifier), "DBClusterIdentifier": primary}
            return {"changed": snapshot is None, "snapshot": snapshot_summary(planned, region)}
        self._region, self._created = region, snapshot is None
        if self._created:
            snapshot = self._create(region, primary)
        self._last_read = snapshot
        if not is_ready(DB_CLUSTER_SNAPSHOT, snapshot.get("Status")):
            self._wait(snapshot, region)
        return {"changed": self._created, "snapshot": snapshot_summary(self._last_read, region)}

    def _refuse_unless_of(self, snapshot, primary):
        if not _is_of(snapshot, primary):
            raise SnapshotRefused(message=(
                "DB cluster snapshot %s already exists and is a snapshot of %s, not of the primary %s; nothing was changed. "
                "Choose another db_cluster_snapshot_identifier." % (snapshot["DBClusterSnapshotIdentifier"], snapshot.get("DBClusterIdentifier"), primary)))

    def _create(self, region, primary):
        identifier = self._request.db_cluster_snapshot_identifier
        params = {"DBClusterSnapshotIdentifier": identifier, "DBClusterIdentifier": primary}
        tags = dict(pre_upgrade_snapshot_tags(self._request.global_cluster_identifier, self._request.upgrade) if self._request.upgrade else {},
                    **(self._request.tags or {}))
        if tags:
            params["Tags"] = tag_list(tags)
        # A snapshot of that name that AWS says exists already is this run's if it is of the primary.
        return create_or_adopt(self._clients, DB_CLUSTER_SNAPSHOT, region, identifier, params, lambda found: _is_of(found, primary))

    def _wait(self, snapshot, region):
        resource = Resource(DB_CLUSTER_SNAPSHOT, snapshot["DBClusterSnapshotIdentifier"], region)
        wait_until_settled([resource], self._read_state, self._deadline, self._request.poll_interval, self._sleep,
                           "DB cluster snapshot %s to become available" % resource.identifier)

    def _read_state(self, resource):
        found = find(self._clients, DB_CLUSTER_SNAPSHOT, resource.region, resource.identifier)
        if found is None:
            raise SnapshotFailed(message="DB cluster snapshot %s (%s) disappeared while it was being created; nothing was upgraded." % (
                resource.identifier, resource.region))
        self._last_read = found
        state = State(resource, found.get("EngineVersion"), found.get("Status"))
        self._progress_file.record(state)
        if is_stuck(DB_CLUSTER_SNAPSHOT, state.status):
            raise SnapshotFailed(message=(
                "DB cluster snapshot %s (%s) is '%s': it will not become available, and nothing was upgraded. See its events: "
                "aws rds describe-events --source-type db-cluster-snapshot --source-identifier %s --region %s. Delete it, then run again."
                % (resource.identifier, resource.region, state.status, resource.identifier, resource.region)))
        return state
