# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The manual DB cluster snapshot of a global database's primary, as AWS recommends before an upgrade: made once, awaited.

A re-run with the same snapshot identifier finds the snapshot and waits for it instead of making another one; a
snapshot of that name taken of another cluster is refused. Every AWS error names the step and region, and keeps
AWS's own answer (an AccessDenied names the action that the policy lacks).
"""

from collections import namedtuple

from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.members import region_from_arn
from ansible_collections.aurora.global_db.plugins.module_utils.members import same_identifier
from ansible_collections.aurora.global_db.plugins.module_utils.progress_file import ProgressFile
from ansible_collections.aurora.global_db.plugins.module_utils.rds import cluster_identifier_from_arn
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_global_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.restore_aws import SNAPSHOT
from ansible_collections.aurora.global_db.plugins.module_utils.restore_aws import create
from ansible_collections.aurora.global_db.plugins.module_utils.restore_aws import describe
from ansible_collections.aurora.global_db.plugins.module_utils.restore_aws import is_already_exists
from ansible_collections.aurora.global_db.plugins.module_utils.restore_aws import kind_words
from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_names import IDENTIFIER_RULE
from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_names import is_rds_identifier
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import AVAILABLE
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import Resource
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import State
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import TimedRun
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import wait_until_settled

# botocore DBClusterSnapshot.Status lists available, copying and creating; the RDS console also shows failed ones.
FAILED_STATUS = "failed"

SnapshotRequest = namedtuple("SnapshotRequest", ["global_cluster_identifier", "db_cluster_snapshot_identifier", "tags", "wait_timeout", "poll_interval"])
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

    def run(self):
        if not is_rds_identifier(self._request.db_cluster_snapshot_identifier):
            raise SnapshotRefused(message="db_cluster_snapshot_identifier %r is not one AWS accepts: %s; nothing was read or changed." % (
                self._request.db_cluster_snapshot_identifier, IDENTIFIER_RULE))
        self._start_deadline()
        region, primary = _primary_of(describe_global_cluster(self._clients, self._request.global_cluster_identifier))
        identifier = self._request.db_cluster_snapshot_identifier
        snapshot = describe(self._clients, SNAPSHOT, region, identifier)
        if snapshot is not None:
            self._refuse_unless_of(snapshot, primary)
        if self._check_mode:
            planned = snapshot or {"DBClusterSnapshotIdentifier": identifier.lower(), "DBClusterIdentifier": primary}
            return {"changed": snapshot is None, "snapshot": snapshot_summary(planned, region)}
        created = snapshot is None
        if created:
            snapshot = self._create(region, primary)
        self._last_read = snapshot
        try:
            if snapshot.get("Status") != AVAILABLE:
                self._wait(snapshot, region)
        except AuroraGlobalError as error:
            # The snapshot exists: the failure says so, with its last status read.
            error.progress.update(changed=created, snapshot=snapshot_summary(self._last_read, region))
            raise
        return {"changed": created, "snapshot": snapshot_summary(self._last_read, region)}

    def _refuse_unless_of(self, snapshot, primary):
        if not _is_of(snapshot, primary):
            raise SnapshotRefused(message=(
                "DB cluster snapshot %s already exists and is a snapshot of %s, not of the primary %s; nothing was changed. "
                "Choose another db_cluster_snapshot_identifier." % (snapshot["DBClusterSnapshotIdentifier"], snapshot.get("DBClusterIdentifier"), primary)))

    def _create(self, region, primary):
        identifier = self._request.db_cluster_snapshot_identifier
        params = {"DBClusterSnapshotIdentifier": identifier, "DBClusterIdentifier": primary}
        if self._request.tags:
            params["Tags"] = [{"Key": key, "Value": value} for key, value in self._request.tags.items()]
        try:
            return create(self._clients, SNAPSHOT, region, identifier, params)
        except AuroraGlobalError as error:
            # AWSRetry resent a call whose answer was lost and AWS says the snapshot exists: it is this run's if it is of the primary.
            found = describe(self._clients, SNAPSHOT, region, identifier) if is_already_exists(error) else None
            if found is None or not _is_of(found, primary):
                raise
            return found

    def _wait(self, snapshot, region):
        resource = Resource(kind_words(SNAPSHOT), snapshot["DBClusterSnapshotIdentifier"], region)
        wait_until_settled([resource], self._read_state, self._deadline, self._request.poll_interval, self._sleep,
                           "DB cluster snapshot %s to become available" % resource.identifier)

    def _read_state(self, resource):
        found = describe(self._clients, SNAPSHOT, resource.region, resource.identifier)
        if found is None:
            raise SnapshotFailed(message="DB cluster snapshot %s (%s) disappeared while it was being created; nothing was upgraded." % (
                resource.identifier, resource.region))
        self._last_read = found
        state = State(resource, found.get("EngineVersion"), found.get("Status"))
        self._progress_file.record(state)
        if state.status == FAILED_STATUS:
            raise SnapshotFailed(message=(
                "DB cluster snapshot %s (%s) is 'failed': it will not become available, and nothing was upgraded. See its events: "
                "aws rds describe-events --source-type db-cluster-snapshot --source-identifier %s --region %s. Delete it, then run again."
                % (resource.identifier, resource.region, resource.identifier, resource.region)))
        return state
