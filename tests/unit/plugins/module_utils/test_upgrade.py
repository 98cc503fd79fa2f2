# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The upgrade run in the unit tests' fake AWS world, whose clusters upgrade on a virtual clock.

An accepted upgrade keeps its clusters 'available' at the old version, with the
target in PendingModifiedValues, for ``status_delay`` seconds, then 'upgrading'
for ``duration`` seconds, then 'available' at the target (or at the old version
when it is set to fail). After a member finishes, the global cluster reads
'modifying' for ``settle`` seconds, and AWS refuses another member's modify then.
"""

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.rds import GlobalClusterNotFound
from ansible_collections.aurora.global_db.plugins.module_utils.upgrade import GlobalDatabaseUpgrade
from ansible_collections.aurora.global_db.plugins.module_utils.upgrade import UpgradeRefused
from ansible_collections.aurora.global_db.plugins.module_utils.upgrade import UpgradeRequest
from ansible_collections.aurora.global_db.plugins.module_utils._versions import InvalidEngineVersion
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import WaitFailed
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import FakeWorld
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import VirtualClock
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import client_error
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import db_cluster
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import global_cluster

PRIMARY = "pg-primary-use1"
EUW1 = "pg-secondary-euw1"
APSE2 = "pg-secondary-apse2"
REGIONS = {PRIMARY: "us-east-1", EUW1: "eu-west-1", APSE2: "ap-southeast-2"}
UPGRADE_ORDER = [APSE2, EUW1, PRIMARY]
VALID_TARGETS = {
    "14.6": [("14.9", False), ("14.10", False), ("15.4", True)],
    "14.9": [("14.10", False), ("15.4", True)],
}
MUTATING = ("modify_db_cluster", "modify_global_cluster")


class Upgrade:
    """One accepted request: the global cluster and every member (major), or one member (minor)."""

    def __init__(self, world, clusters, target, with_global):
        self.clusters = clusters
        self.target = target
        self.with_global = with_global
        self.starts_at = world.clock.now + world.status_delay
        self.ends_at = self.starts_at + world.duration
        self.fails = any(identifier in world.failing for identifier in clusters)
        self.old_versions = {identifier: world.clusters[identifier]["EngineVersion"] for identifier in clusters}

    def version(self, identifier, now):
        return self.target if now >= self.ends_at and not self.fails else self.old_versions[identifier]

    def status(self, now):
        return "upgrading" if self.starts_at <= now < self.ends_at else "available"

    def accepted_not_started(self, now):
        return now < self.starts_at != float("inf")

    def running(self, now):
        return now < self.ends_at


class UpgradingWorld(FakeWorld):
    """One PostgreSQL 14.6 global database (pg-global) in three regions whose clusters upgrade on a virtual clock."""

    def __init__(self, clock, status_delay=5, duration=60, settle=0):
        super().__init__()
        self.clock = clock
        self.status_delay = status_delay
        self.duration = duration
        self.settle = settle
        self.settle_refusal = client_error("InvalidGlobalClusterStateFault", "Global cluster pg-global is upgrading", "ModifyDBCluster")
        self.failing = set()
        self.never_starting = set()
        self.settle_hidden = False
        self.lost_responses = set()
        self.global_status = "available"
        self.clusters = {identifier: db_cluster(identifier, "default.aurora-postgresql14", region=region) for identifier, region in REGIONS.items()}
        self.engine_versions = {"*": [{"Engine": "aurora-postgresql", "EngineVersion": version, "ValidUpgradeTarget": [
            {"EngineVersion": target, "IsMajorVersionUpgrade": major, "SupportsGlobalDatabases": True} for target, major in targets
        ]} for version, targets in VALID_TARGETS.items()]}
        self.upgrades = []
        self.accepted = []

    def mutating_calls(self):
        return [call for call in self.calls if call[0] in MUTATING]

    def cluster(self, identifier):
        """The cluster as AWS would report it now."""
        if identifier not in self.clusters:
            return None
        cluster = dict(self.clusters[identifier])
        for upgrade in self.upgrades:
            if identifier in upgrade.clusters:
                cluster["EngineVersion"] = upgrade.version(identifier, self.clock.now)
                cluster["Status"] = upgrade.status(self.clock.now)
                if upgrade.accepted_not_started(self.clock.now):
                    cluster["PendingModifiedValues"] = {"EngineVersion": upgrade.target}
        return cluster

    def settling(self):
        """Whether a member's upgrade finished less than ``settle`` seconds ago."""
        return any(not u.with_global and u.ends_at <= self.clock.now < u.ends_at + self.settle for u in self.upgrades)

    def running(self, identifier):
        return any(identifier in u.clusters and u.running(self.clock.now) for u in self.upgrades)

    def global_cluster(self, identifier):
        if identifier.lower() != "pg-global":
            return None
        status = "modifying" if self.settling() and not self.settle_hidden else self.global_status
        for upgrade in self.upgrades:
            if upgrade.with_global and upgrade.status(self.clock.now) != "available":
                status = upgrade.status(self.clock.now)
        return global_cluster("pg-global", REGIONS, PRIMARY, engine_version=self.cluster(PRIMARY)["EngineVersion"], Status=status)

    def start(self, clusters, target, with_global):
        upgrade = Upgrade(self, clusters, target, with_global)
        if set(clusters) & self.never_starting:
            upgrade.starts_at = upgrade.ends_at = float("inf")
        self.upgrades.append(upgrade)

    def modify_db_cluster(self, region, params):
        identifier = params["DBClusterIdentifier"]
        assert REGIONS[identifier] == region, "a member is modified in its own region"
        if self.running(identifier):
            raise client_error("InvalidDBClusterStateFault", "DB cluster %s is not available for modification" % identifier, "ModifyDBCluster")
        if self.settling():
            raise self.settle_refusal
        self.accepted.append(identifier)
        self.start([identifier], params["EngineVersion"], with_global=False)
        if "modify_db_cluster" in self.lost_responses:
            # The answer was lost (HTTP 500) and the retry is refused because the upgrade is under way.
            self.lost_responses.discard("modify_db_cluster")
            raise client_error("InvalidDBClusterStateFault", "DB cluster %s is not available for modification" % identifier, "ModifyDBCluster")

    def modify_global_cluster(self, region, params):
        self.start(list(REGIONS), params["EngineVersion"], with_global=True)


@pytest.fixture
def clock():
    return VirtualClock()


@pytest.fixture
def world(clock):
    return UpgradingWorld(clock)


def _run(world, engine_version="14.9", check_mode=False, now=None, **options):
    upgrade = _upgrade(world, engine_version, check_mode, now=now, **options)
    return upgrade.run()


def _upgrade(world, engine_version="14.9", check_mode=False, now=None, **options):
    request = dict(
        global_cluster_identifier="pg-global", engine_version=engine_version, allow_major_version_upgrade=False, db_cluster_identifier=None,
        wait=True, wait_timeout=7200, poll_interval=10, status_settle_seconds=60,
    )
    request.update(options)
    times = {} if now is None else {"now": now}
    return GlobalDatabaseUpgrade(world, UpgradeRequest(**request), check_mode, clock=world.clock, sleep=world.clock.sleep, **times)


def _modified(world):
    return [params["DBClusterIdentifier"] for operation, region, params in world.mutating_calls() if operation == "modify_db_cluster"]


def test_minor_upgrade_modifies_each_member_in_its_region_secondaries_first(world):
    result = _run(world)
    assert world.mutating_calls() == [
        ("modify_db_cluster", REGIONS[identifier], {"DBClusterIdentifier": identifier, "EngineVersion": "14.9", "ApplyImmediately": True})
        for identifier in UPGRADE_ORDER
    ]
    assert result["changed"] is True
    assert result["upgraded"] == UPGRADE_ORDER
    assert result["not_started"] == []
    assert result["upgrade_plan"]["pending"] == UPGRADE_ORDER
    assert [m["engine_version"] for m in result["global_cluster"]["members"]] == ["14.9"] * 3
    assert result["diff"] == {"before": dict.fromkeys(UPGRADE_ORDER, "14.6"), "after": dict.fromkeys(UPGRADE_ORDER, "14.9")}


def test_minor_upgrade_starts_each_member_only_after_the_previous_one_is_done(world):
    _run(world)
    for previous, following in zip(world.upgrades, world.upgrades[1:]):
        started_at = following.starts_at - world.status_delay
        assert started_at >= previous.ends_at


def test_minor_upgrade_skips_members_already_at_the_target(world):
    world.clusters[APSE2]["EngineVersion"] = "14.9"
    result = _run(world)
    assert _modified(world) == [EUW1, PRIMARY]
    assert result["upgraded"] == [EUW1, PRIMARY]


def test_nothing_pending_changes_nothing_and_never_sleeps(world, clock):
    for cluster in world.clusters.values():
        cluster["EngineVersion"] = "14.9"
    result = _run(world)
    assert result["changed"] is False
    assert result["upgraded"] == []
    assert result["upgrade_plan"]["kind"] == "none"
    assert world.mutating_calls() == []
    assert clock.sleeps == []


def test_a_member_done_at_the_first_read_is_not_slept_for(clock):
    world = UpgradingWorld(clock, status_delay=0, duration=0)
    _run(world)
    assert clock.sleeps == []
    assert _modified(world) == UPGRADE_ORDER


def test_major_upgrade_is_one_modify_global_cluster_in_the_primary_region(world, clock):
    result = _run(world, "15.4", allow_major_version_upgrade=True)
    assert world.mutating_calls() == [
        ("modify_global_cluster", "us-east-1", {"GlobalClusterIdentifier": "pg-global", "EngineVersion": "15.4", "AllowMajorVersionUpgrade": True}),
    ]
    assert result["upgraded"] == ["pg-global"]
    assert result["not_started"] == []
    assert result["upgrade_plan"]["method"] == "global"
    assert result["global_cluster"]["engine_version"] == "15.4"
    assert {m["engine_version"] for m in result["global_cluster"]["members"]} == {"15.4"}
    assert clock.now >= world.upgrades[0].ends_at


def test_major_upgrade_without_the_flag_is_refused_before_any_call(world):
    with pytest.raises(UpgradeRefused) as refused:
        _run(world, "15.4")
    assert "allow_major_version_upgrade" in str(refused.value)
    assert world.mutating_calls() == []


def test_major_upgrade_of_one_member_is_refused(world):
    with pytest.raises(UpgradeRefused) as refused:
        _run(world, "15.4", allow_major_version_upgrade=True, db_cluster_identifier=EUW1)
    assert "ModifyGlobalCluster" in str(refused.value)
    assert world.mutating_calls() == []


def test_every_refusal_is_in_the_message(world):
    world.clusters[APSE2]["DBClusterMembers"] = []
    world.global_status = "deleting"
    upgrade = _upgrade(world)
    with pytest.raises(UpgradeRefused) as refused:
        upgrade.run()
    plan = refused.value.progress["upgrade_plan"]
    assert [blocker["code"] for blocker in plan["blockers"]] == ["global_cluster_not_available", "headless_member"]
    assert str(refused.value) == " ".join(blocker["message"] for blocker in plan["blockers"])
    assert refused.value.progress["upgraded"] == [] and refused.value.progress["changed"] is False
    assert world.mutating_calls() == []


def test_single_member_upgrade_modifies_only_that_member(world):
    result = _run(world, db_cluster_identifier=EUW1)
    assert _modified(world) == [EUW1]
    assert result["upgraded"] == [EUW1]
    assert result["not_started"] == [APSE2, PRIMARY]


def test_primary_is_refused_while_a_secondary_is_below_the_target(world):
    world.clusters[EUW1]["EngineVersion"] = "14.9"
    with pytest.raises(UpgradeRefused) as refused:
        _run(world, db_cluster_identifier=PRIMARY)
    assert APSE2 in str(refused.value) and "primary" in str(refused.value)
    assert world.mutating_calls() == []


def test_unknown_member_is_refused(world):
    with pytest.raises(UpgradeRefused) as refused:
        _run(world, db_cluster_identifier="nope")
    assert "nope is not a member of global cluster pg-global" in str(refused.value)


def test_a_failed_member_stops_the_run_before_the_primary_and_its_events_are_shown(world):
    world.failing.add(EUW1)
    world.events[EUW1] = [
        {"Date": "2026-12-01T10:00:00Z", "Message": "Upgrade in progress: Performing online pre-upgrade checks."},
        {"Date": "2026-12-01T10:01:00Z", "Message": "Database cluster is in a state that cannot be upgraded: see upgrade-prechecks.log"},
    ]
    with pytest.raises(WaitFailed) as failed:
        _run(world)
    assert "--source-identifier pg-secondary-euw1 --region eu-west-1" in str(failed.value)
    assert "Recent RDS events of pg-secondary-euw1 (eu-west-1, last 60 minutes): [2026-12-01T10:00:00Z] Upgrade in progress" in str(failed.value)
    assert "upgrade-prechecks.log" in str(failed.value)
    assert _modified(world) == [APSE2, EUW1]
    progress = failed.value.progress
    assert (progress["upgraded"], progress["failed_members"], progress["still_upgrading"], progress["timed_out"]) == ([APSE2], [EUW1], [], False)
    assert progress["changed"] is True


def test_an_upgrade_that_never_starts_fails_after_the_settle_period(world, clock):
    world.never_starting.add(APSE2)
    with pytest.raises(WaitFailed) as failed:
        _run(world, status_settle_seconds=45)
    assert "status_settle_seconds" in str(failed.value)
    assert "Recent RDS events of pg-secondary-apse2 (ap-southeast-2, last 60 minutes): none." in str(failed.value)
    assert _modified(world) == [APSE2]
    assert failed.value.progress["failed_members"] == [APSE2] and failed.value.progress["upgraded"] == []
    assert 45 <= clock.now < 45 + 10


def test_wait_timeout_is_one_deadline_for_the_whole_run(world, clock):
    # Each member takes 65 seconds: the second one is still upgrading when the 100 seconds run out.
    upgrade = _upgrade(world, wait_timeout=100)
    with pytest.raises(WaitFailed) as failed:
        upgrade.run()
    assert "wait_timeout (100 seconds" in str(failed.value)
    progress = failed.value.progress
    assert (progress["upgraded"], progress["failed_members"], progress["still_upgrading"], progress["timed_out"]) == ([APSE2, EUW1], [], [EUW1], True)
    assert clock.now == 100


def test_wait_false_starts_only_the_first_pending_member(world, clock):
    result = _run(world, wait=False)
    assert _modified(world) == [APSE2]
    assert result["upgraded"] == [APSE2]
    assert result["not_started"] == [EUW1, PRIMARY]
    assert result["diff"]["after"] == {APSE2: "14.9", EUW1: "14.6", PRIMARY: "14.6"}
    assert clock.sleeps == []


def test_a_rerun_waits_for_the_member_still_upgrading_and_does_not_modify_it_again(world, clock):
    _run(world, wait=False)
    clock.now += 10
    result = _run(world, wait=False)
    assert _modified(world) == [APSE2, EUW1]
    assert result["upgraded"] == [EUW1]
    assert result["diff"]["before"][APSE2] == "14.6"
    assert result["global_cluster"]["members"][0]["engine_version"] == "14.9"
    assert clock.now >= world.upgrades[0].ends_at


def test_a_rerun_after_a_major_upgrade_was_interrupted_only_waits(world, clock):
    _run(world, "15.4", allow_major_version_upgrade=True, wait=False)
    clock.now += 10
    result = _run(world, "15.4", allow_major_version_upgrade=True)
    assert len(world.mutating_calls()) == 1
    assert result["changed"] is False
    assert result["upgrade_plan"]["kind"] == "none"


def test_a_request_refusal_is_not_delayed_by_an_upgrade_in_flight(world, clock):
    _run(world, wait=False)
    clock.now += 10
    sleeps_before = list(clock.sleeps)
    with pytest.raises(UpgradeRefused):
        _run(world, "15.4")
    assert clock.sleeps == sleeps_before


def test_check_mode_makes_no_mutating_call_and_reports_what_it_would_do(world, clock):
    result = _run(world, check_mode=True)
    assert world.mutating_calls() == []
    assert clock.sleeps == []
    assert result["changed"] is True
    assert result["upgraded"] == UPGRADE_ORDER
    assert result["diff"] == {"before": dict.fromkeys(UPGRADE_ORDER, "14.6"), "after": dict.fromkeys(UPGRADE_ORDER, "14.9")}


def test_check_mode_refuses_like_a_real_run(world):
    with pytest.raises(UpgradeRefused):
        _run(world, "15.4", check_mode=True)


def test_an_aws_refusal_names_the_step_what_was_done_and_what_to_do(world):
    world.refusals[("modify_db_cluster", PRIMARY)] = client_error(
        "InvalidParameterValue", "In-place minor version upgrade of Aurora MySQL global database cluster isn't supported", "ModifyDBCluster")
    upgrade = _upgrade(world)
    world.events[PRIMARY] = [{"Date": "2026-12-01T10:00:00Z", "Message": "Upgrade refused"}]
    with pytest.raises(AuroraGlobalError) as failed:
        upgrade.run()
    message = failed.value.message
    assert "ModifyDBCluster" in message and PRIMARY in message and "us-east-1" in message
    assert "upgraded by this run: %s, %s" % (APSE2, EUW1) in message
    assert "run again" in message
    assert failed.value.exception.response["Error"]["Code"] == "InvalidParameterValue"
    assert "Recent RDS events of pg-primary-use1 (us-east-1, last 60 minutes): [2026-12-01T10:00:00Z] Upgrade refused" in message
    assert (failed.value.progress["upgraded"], failed.value.progress["failed_members"]) == ([APSE2, EUW1], [PRIMARY])


def test_the_pending_window_counts_as_started_and_gets_no_second_modify(clock):
    # Accepted, then 'available' with the target pending for longer than status_settle_seconds.
    world = UpgradingWorld(clock, status_delay=90)
    result = _run(world, status_settle_seconds=30)
    assert _modified(world) == UPGRADE_ORDER
    assert result["upgraded"] == UPGRADE_ORDER
    assert [m["engine_version"] for m in result["global_cluster"]["members"]] == ["14.9"] * 3


@pytest.mark.parametrize("refusal", [
    client_error("InvalidGlobalClusterStateFault", "Global cluster pg-global is upgrading", "ModifyDBCluster"),
    client_error("InvalidDBClusterStateFault", "DB cluster is not available for modification", "ModifyDBCluster"),
    client_error("InvalidParameterValue", "Cannot upgrade DB cluster 'x' to engine version 14.9 as global replica(s) are running lower version. "
                 "Please upgrade global replicas first before upgrading the primary member.", "ModifyDBCluster"),
], ids=["global-state", "cluster-state", "replicas-first"])
def test_refusals_while_the_global_cluster_settles_are_retried_until_it_accepts(clock, refusal):
    # The global cluster reads 'available' while AWS still refuses: only the retry gets the next member going.
    world = UpgradingWorld(clock, settle=25)
    world.settle_refusal = refusal
    world.settle_hidden = True
    result = _run(world)
    assert world.accepted == UPGRADE_ORDER
    assert result["upgraded"] == UPGRADE_ORDER
    assert len(world.mutating_calls()) > len(UPGRADE_ORDER)


def test_the_next_member_waits_for_the_global_cluster_to_settle(clock):
    world = UpgradingWorld(clock, settle=25)
    result = _run(world)
    assert world.accepted == UPGRADE_ORDER
    assert result["upgraded"] == UPGRADE_ORDER
    refused = [call for call in world.mutating_calls() if call[2]["DBClusterIdentifier"] not in world.accepted]
    assert refused == []
    for previous, following in zip(world.upgrades, world.upgrades[1:]):
        assert following.starts_at - world.status_delay >= previous.ends_at + world.settle


def test_a_settling_refusal_that_outlasts_wait_timeout_stops_the_run(clock):
    world = UpgradingWorld(clock, settle=10000)
    with pytest.raises(AuroraGlobalError) as failed:
        _run(world, wait_timeout=200)
    assert "wait_timeout (200 seconds" in str(failed.value)
    assert failed.value.progress["timed_out"] is True
    assert failed.value.progress["upgraded"] == [APSE2]
    assert clock.now == 200


def test_a_headless_refusal_is_not_retried(world):
    world.refusals[("modify_db_cluster", APSE2)] = client_error(
        "InvalidDBClusterStateFault", "Cannot modify engine version without a primary instance in DB cluster", "ModifyDBCluster")
    with pytest.raises(AuroraGlobalError) as failed:
        _run(world)
    assert len(world.mutating_calls()) == 1
    assert failed.value.progress["failed_members"] == [APSE2]


def test_a_lost_response_is_recognised_as_this_runs_upgrade(world):
    world.lost_responses.add("modify_db_cluster")
    result = _run(world)
    assert world.accepted == UPGRADE_ORDER
    assert result["upgraded"] == UPGRADE_ORDER
    assert [m["engine_version"] for m in result["global_cluster"]["members"]] == ["14.9"] * 3


def test_a_rerun_in_the_pending_window_sends_no_second_modify(clock):
    world = UpgradingWorld(clock, status_delay=30)
    _run(world, wait=False)
    clock.now += 5
    result = _run(world, wait=False)
    assert world.accepted == [APSE2, EUW1]
    assert len(world.mutating_calls()) == 2
    assert result["upgraded"] == [EUW1]
    assert result["still_upgrading"] == [EUW1]


def test_a_member_on_a_pending_window_blocks_as_in_flight(clock):
    world = UpgradingWorld(clock, status_delay=30)
    _run(world, wait=False)
    blockers = _run(world, check_mode=True)["upgrade_plan"]["blockers"]
    assert [(b["code"], b["clusters"], b["in_flight"]) for b in blockers] == [("member_not_available", [APSE2], True)]


def test_identifiers_match_in_any_case(world):
    result = _run(world, db_cluster_identifier=EUW1.upper(), global_cluster_identifier="PG-Global")
    assert _modified(world) == [EUW1]
    assert result["upgraded"] == [EUW1]


def test_an_invalid_version_string_is_reported_as_such(world):
    with pytest.raises(InvalidEngineVersion):
        _run(world, "fourteen")
    assert world.mutating_calls() == []


def test_an_unknown_global_cluster_is_reported_as_such(world):
    world.refusals[("describe_global_clusters", "pg-global")] = client_error("GlobalClusterNotFoundFault", "not found", "DescribeGlobalClusters")
    with pytest.raises(GlobalClusterNotFound):
        _run(world)


def _times():
    """A UTC clock that ticks one second per reading, so that every recorded time is distinct and ordered."""
    ticks = iter(range(10000))
    return lambda: "2026-12-01T10:%02d:%02dZ" % divmod(next(ticks), 60)


def test_each_member_is_returned_with_its_versions_times_and_outcome(world):
    result = _run(world, now=_times())
    assert result["method"] == "in_place"
    members = result["members"]
    assert [(m["db_cluster_identifier"], m["engine_version_before"], m["engine_version_after"], m["outcome"]) for m in members] == [
        (identifier, "14.6", "14.9", "upgraded") for identifier in UPGRADE_ORDER]
    assert all(m["started_by_this_run"] and m["events"] == [] for m in members)
    moments = [result["started_at"]] + [moment for m in members for moment in (m["started_at"], m["finished_at"])] + [result["finished_at"]]
    assert moments == sorted(moments) and len(set(moments)) == len(moments)


def test_a_failure_result_carries_each_members_outcome_and_the_events_of_the_failed_one(world):
    world.failing.add(EUW1)
    world.events[EUW1] = [{"Date": "2026-12-01T10:01:00Z", "Message": "Database cluster is in a state that cannot be upgraded"}]
    with pytest.raises(WaitFailed) as failed:
        _run(world)
    members = {m["db_cluster_identifier"]: m for m in failed.value.progress["members"]}
    assert {identifier: m["outcome"] for identifier, m in members.items()} == {APSE2: "upgraded", EUW1: "failed", PRIMARY: "not_started"}
    assert members[EUW1]["events"] == [{"date": "2026-12-01T10:01:00Z", "message": "Database cluster is in a state that cannot be upgraded"}]
    assert members[EUW1]["finished_at"] and members[PRIMARY]["started_at"] is None
    assert failed.value.progress["resumable"] is True and failed.value.progress["finished_at"]


def test_an_in_place_refusal_no_rerun_can_cure_names_the_methods_that_can(world):
    world.refusals[("modify_db_cluster", APSE2)] = client_error(
        "InvalidParameterCombination", "In-place minor version upgrade of Aurora MySQL global database cluster 'pg-global' to Aurora MySQL "
        "engine version 14.9 isn't supported.", "ModifyDBCluster")
    with pytest.raises(AuroraGlobalError) as failed:
        _run(world)
    message = failed.value.message
    assert "AWS refuses in-place minor upgrades" in message and "rebuild_secondaries" in message and "blue_green" in message
    assert "run again" not in message
    assert failed.value.progress["resumable"] is False
    assert [m["outcome"] for m in failed.value.progress["members"]] == ["failed", "not_started", "not_started"]
