# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils.cluster_snapshot import PrimarySnapshot
from ansible_collections.aurora.global_db.plugins.module_utils.cluster_snapshot import SnapshotFailed
from ansible_collections.aurora.global_db.plugins.module_utils.cluster_snapshot import SnapshotRefused
from ansible_collections.aurora.global_db.plugins.module_utils.cluster_snapshot import SnapshotRequest
from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError

from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import FakeWorld
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import VirtualClock
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import client_error

PRIMARY_ARN = "arn:aws:rds:us-east-1:123456789012:cluster:orders-use1"
SECONDARY_ARN = "arn:aws:rds:eu-west-1:123456789012:cluster:orders-euw1"
SNAPSHOT = "orders-use1-pre-14-6-to-15-4-202612011030"


class _Rds(FakeWorld):
    """A global cluster, and a snapshot whose statuses are read in turn; everything happens in the primary's region."""

    def __init__(self, statuses, writer=PRIMARY_ARN, create_error=None, existing_of=None):
        super().__init__()
        self._statuses = list(statuses)
        self._create_error = create_error
        self._existing_of = existing_of
        self.creates = []
        members = [{"DBClusterArn": SECONDARY_ARN, "IsWriter": False}] + ([{"DBClusterArn": writer, "IsWriter": True}] if writer else [])
        self.global_clusters["orders-global"] = {"GlobalClusterIdentifier": "orders-global", "GlobalClusterMembers": members}

    def rds(self, region):
        assert region == "us-east-1", "the snapshot is made in the primary's region, not %s" % region
        return super().rds(region)

    def create_db_cluster_snapshot(self, region, params):
        self.creates.append(params)
        if self._create_error:
            raise client_error(self._create_error, "refused", "CreateDBClusterSnapshot")
        return self._snapshot("creating", params["DBClusterIdentifier"])

    def snapshot(self, identifier):
        if (self._existing_of is None and not self.creates) or not self._statuses:
            return None
        return self._snapshot(self._statuses.pop(0), self._existing_of or "orders-use1")

    @staticmethod
    def _snapshot(status, cluster):
        return {"DBClusterSnapshotIdentifier": SNAPSHOT, "DBClusterIdentifier": cluster, "Status": status, "EngineVersion": "14.6"}


def _run(rds, check_mode=False, wait_timeout=600):
    clock = VirtualClock()
    request = SnapshotRequest("orders-global", SNAPSHOT, {"change": "CHG-1"}, wait_timeout, 10)
    return PrimarySnapshot(rds, request, check_mode, clock=clock, sleep=clock.sleep).run()


def test_the_primary_is_snapshotted_with_the_tags_and_awaited():
    rds = _Rds(["creating", "creating", "available"])
    result = _run(rds)
    assert rds.creates == [
        {"DBClusterSnapshotIdentifier": SNAPSHOT, "DBClusterIdentifier": "orders-use1", "Tags": [{"Key": "change", "Value": "CHG-1"}]},
    ]
    assert result["changed"] is True
    snapshot = result["snapshot"]
    assert (snapshot["status"], snapshot["region"], snapshot["db_cluster_identifier"]) == ("available", "us-east-1", "orders-use1")


def test_without_a_writer_nothing_is_done():
    rds = _Rds(["available"], writer=None)
    with pytest.raises(SnapshotRefused, match="has no writer"):
        _run(rds)
    assert rds.creates == []


def test_an_existing_snapshot_of_another_cluster_is_refused():
    rds = _Rds(["available"], existing_of="orders-reporting")
    with pytest.raises(SnapshotRefused, match="is a snapshot of orders-reporting, not of the primary orders-use1"):
        _run(rds)
    assert rds.creates == []


def test_check_mode_creates_nothing():
    rds = _Rds([])
    result = _run(rds, check_mode=True)
    assert rds.creates == [] and result["changed"] is True and result["snapshot"]["status"] is None


def test_a_failed_snapshot_ends_the_wait_naming_its_events_and_is_reported():
    with pytest.raises(SnapshotFailed, match="is 'failed'.*--source-type db-cluster-snapshot") as raised:
        _run(_Rds(["creating", "failed"]))
    assert raised.value.progress["changed"] is True and raised.value.progress["snapshot"]["status"] == "failed"


def test_a_snapshot_that_disappears_ends_the_wait():
    with pytest.raises(SnapshotFailed, match="disappeared"):
        _run(_Rds(["creating"]))


def test_a_timeout_reports_the_snapshot_it_made():
    with pytest.raises(AuroraGlobalError, match="Gave up after wait_timeout") as raised:
        _run(_Rds(["creating"] * 10), wait_timeout=15)
    assert raised.value.progress["snapshot"]["status"] == "creating"


def test_a_create_refused_as_a_duplicate_fails_when_no_snapshot_of_the_primary_is_found():
    with pytest.raises(AuroraGlobalError, match="Creating DB cluster snapshot"):
        _run(_Rds([], create_error="DBClusterSnapshotAlreadyExistsFault"))


@pytest.mark.parametrize("identifier", ["1-starts-with-a-digit", "ends-with-", "two--hyphens", "under_score", "x" * 64, ""])
def test_an_identifier_aws_would_refuse_is_refused_before_any_call(identifier):
    rds = _Rds([])
    request = SnapshotRequest("orders-global", identifier, None, 60, 10)
    with pytest.raises(SnapshotRefused, match="is not one AWS accepts"):
        PrimarySnapshot(rds, request, False, clock=VirtualClock(), sleep=VirtualClock().sleep).run()
    assert rds.creates == []
