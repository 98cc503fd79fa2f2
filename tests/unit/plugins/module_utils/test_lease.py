# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The lease on a global cluster's tags, against an in-memory tag store."""

import datetime

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils.lease import LEASE_SETTLE_SECONDS
from ansible_collections.aurora.global_db.plugins.module_utils.lease import GlobalClusterLease
from ansible_collections.aurora.global_db.plugins.module_utils.lease import LeaseHeld
from ansible_collections.aurora.global_db.plugins.module_utils.lease import lease_for_run
from ansible_collections.aurora.global_db.plugins.module_utils.lease import lease_from_tags
from ansible_collections.aurora.global_db.plugins.module_utils.lease import lease_seconds
from ansible_collections.aurora.global_db.plugins.module_utils.lease import lease_tags
from ansible_collections.aurora.global_db.plugins.module_utils.lease import new_lease
from ansible_collections.aurora.global_db.plugins.module_utils.lease import owner_text
from ansible_collections.aurora.global_db.plugins.module_utils.lease import run_lease_request

from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import FakeWorld

ARN = "arn:aws:rds::123456789012:global-cluster:pg-global"
NOW = datetime.datetime(2026, 12, 1, 10, 0, 0, tzinfo=datetime.timezone.utc)


class TaggedGlobalCluster(FakeWorld):
    """One global cluster whose tags RDS keeps; ``rival`` writes another run's lease when this run sleeps."""

    def __init__(self):
        super().__init__()
        self.global_clusters["pg-global"] = {"GlobalClusterIdentifier": "pg-global", "GlobalClusterArn": ARN}
        self.rival = None

    @property
    def writes(self):
        """The tag writes made, by AWS action name."""
        names = {"add_tags_to_resource": "AddTagsToResource", "remove_tags_from_resource": "RemoveTagsFromResource"}
        return [names[operation] for operation, _region, _params in self.calls if operation in names]

    def lease_tags(self):
        return self.tags.get(ARN, {})

    def sleep(self, seconds):
        assert seconds == LEASE_SETTLE_SECONDS
        if self.rival is not None:
            self.tags.setdefault(ARN, {}).update({tag["Key"]: tag["Value"] for tag in lease_tags(self.rival)})


@pytest.fixture
def cluster():
    return TaggedGlobalCluster()


def _lease(cluster):
    return GlobalClusterLease(cluster, "pg-global", lambda: NOW, cluster.sleep)


def _hold(cluster, owner, expires_in):
    held = new_lease(owner, 3600, NOW - datetime.timedelta(hours=1))._replace(expires=NOW + datetime.timedelta(seconds=expires_in))
    cluster.tags.setdefault(ARN, {}).update({tag["Key"]: tag["Value"] for tag in lease_tags(held)})
    return held


def list_tags(cluster):
    return cluster.rds("us-east-1").list_tags_for_resource(ResourceName=ARN)["TagList"]


def test_owner_text_keeps_what_a_tag_value_can_hold():
    assert owner_text("awx-job-4711") == "awx-job-4711"
    assert owner_text("ops;host (pid 12)") == "ops-host -pid 12-"
    assert len(owner_text("x" * 400)) == 256


def test_tags_round_trip_and_an_unreadable_expiry_counts_as_expired():
    lease = new_lease("me", 60, NOW)
    assert lease_from_tags(lease_tags(lease)) == lease
    broken = [tag if not tag["Key"].endswith("expires") else dict(tag, Value="soon") for tag in lease_tags(lease)]
    assert lease_from_tags(broken).expires < NOW
    assert lease_from_tags([{"Key": "team", "Value": "db"}]) is None


def test_a_free_lease_is_taken_and_released(cluster):
    lease = _lease(cluster)
    taken, replaced = lease.acquire("me", 600)
    assert (taken.owner, taken.expires - taken.started, replaced) == ("me", datetime.timedelta(seconds=600), None)
    assert lease.read() == taken
    assert lease.release(taken.token) == taken
    assert cluster.lease_tags() == {}


def test_a_held_lease_is_refused_naming_its_owner_and_nothing_is_written(cluster):
    _hold(cluster, "awx-job-1", expires_in=60)
    with pytest.raises(LeaseHeld, match="held by awx-job-1"):
        _lease(cluster).acquire("me", 600)
    assert cluster.writes == []


def test_an_expired_lease_or_one_named_by_its_token_is_taken_over(cluster):
    expired = _hold(cluster, "awx-job-1", expires_in=-1)
    assert _lease(cluster).acquire("me", 600)[1] == expired
    held = _hold(cluster, "awx-job-2", expires_in=600)
    assert _lease(cluster).acquire("me", 600, take_over=held.token)[1] == held


def test_of_two_runs_taking_the_lease_at_once_the_last_writer_holds_it(cluster):
    cluster.rival = new_lease("rival", 600, NOW)
    with pytest.raises(LeaseHeld, match="at the same time.*held by rival"):
        _lease(cluster).acquire("me", 600)
    assert lease_from_tags(list_tags(cluster)).owner == "rival"


def test_release_leaves_another_run_s_lease_alone(cluster):
    _hold(cluster, "awx-job-1", expires_in=60)
    assert _lease(cluster).release("not-its-token") is None
    assert lease_from_tags(list_tags(cluster)).owner == "awx-job-1"


def test_a_run_releases_its_lease_when_it_fails(cluster):
    warnings = []
    with pytest.raises(RuntimeError):
        with lease_for_run(_lease(cluster), False, True, None, "me", 600, warnings.append):
            assert lease_from_tags(list_tags(cluster)).owner == "me"
            raise RuntimeError("the upgrade failed")
    assert cluster.lease_tags() == {} and warnings == []


def test_check_mode_and_a_disabled_lease_take_none(cluster):
    for check_mode, enabled in ((True, True), (False, False)):
        with lease_for_run(_lease(cluster), check_mode, enabled, None, "me", 600, None) as held:
            assert held is None
    assert cluster.writes == []


def test_a_caller_s_token_is_checked_neither_taken_nor_released(cluster):
    held = _hold(cluster, "role", expires_in=600)
    with lease_for_run(_lease(cluster), False, True, held.token, "me", 600, None) as checked:
        assert checked == held
    assert cluster.writes == []
    with pytest.raises(LeaseHeld, match="given lease token other"):
        with lease_for_run(_lease(cluster), False, True, "other", "me", 600, None):
            pass


def test_check_mode_of_the_lease_module_reads_only(cluster):
    _hold(cluster, "awx-job-1", expires_in=60)
    with pytest.raises(LeaseHeld):
        run_lease_request(_lease(cluster), "present", True, "me", 600)
    assert run_lease_request(_lease(cluster), "absent", True, "me", 600, token="other") == (False, None, None)
    assert cluster.writes == []


def test_the_modules_lease_lasts_wait_timeout_but_never_less_than_five_minutes():
    assert [lease_seconds(seconds) for seconds in (0, 60, 300, 7200)] == [300, 300, 300, 7200]
