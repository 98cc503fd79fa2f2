# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting for upgrades, on a virtual clock: what counts as done, stalled, rolled back or too late."""

import pytest
import yaml

from ansible_collections.aurora.global_db.plugins.doc_fragments.waiting import ModuleDocFragment
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import GLOBAL_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import Deadline
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import Resource
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import State
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import WaitFailed
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import _poll
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import wait_for_upgrade
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import wait_until_settled
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import waiting_argument_spec
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import VirtualClock

EUW1 = Resource(DB_CLUSTER, "pg-secondary-euw1", "eu-west-1")
USE1 = Resource(DB_CLUSTER, "pg-primary-use1", "us-east-1")
GLOBAL = Resource(GLOBAL_CLUSTER, "pg-global", "us-east-1")


class Timeline:
    """States that change at given times: {resource: [(from_second, engine_version, status[, pending_engine_version]), ...]}."""

    def __init__(self, clock, changes):
        self._clock = clock
        self._start = clock.now
        self._changes = changes
        self.reads = []

    def __call__(self, resource):
        elapsed = self._clock.now - self._start
        self.reads.append((elapsed, resource))
        change = [change for change in self._changes[resource] if change[0] <= elapsed][-1]
        return State(resource, *change[1:])


def _wait(clock, timeline, resources, timeout=3600, poll_interval=10, settle_seconds=60, deadline=None):
    wait_for_upgrade(resources, timeline, "14.9", deadline or Deadline(timeout, clock), poll_interval, settle_seconds, clock.sleep)


def test_done_at_the_first_read_means_no_sleep():
    clock = VirtualClock(now=1000.0)
    timeline = Timeline(clock, {EUW1: [(0, "14.9", "available")]})
    _wait(clock, timeline, [EUW1])
    assert clock.sleeps == []
    assert len(timeline.reads) == 1


def test_available_at_the_old_version_before_the_status_flips_is_tolerated():
    clock = VirtualClock(now=1000.0)
    timeline = Timeline(clock, {EUW1: [(0, "14.6", "available"), (25, "14.6", "upgrading"), (95, "14.9", "available")]})
    _wait(clock, timeline, [EUW1])
    # Reads at 0, 10, ... 100: done at the first read after 95, and no sleep after it.
    assert timeline.reads[-1][0] == 100
    assert clock.sleeps == [10] * 10


def test_available_at_the_target_while_never_seen_busy_is_done():
    clock = VirtualClock(now=1000.0)
    timeline = Timeline(clock, {EUW1: [(0, "14.6", "available"), (5, "14.9", "available")]})
    _wait(clock, timeline, [EUW1])
    assert clock.sleeps == [10]


@pytest.mark.parametrize("busy_status", ["upgrading", "modifying"])
def test_available_at_the_old_version_after_being_busy_fails_with_the_events_command(busy_status):
    clock = VirtualClock(now=1000.0)
    timeline = Timeline(clock, {EUW1: [(0, "14.6", busy_status), (30, "14.6", "available")]})
    with pytest.raises(WaitFailed) as failure:
        _wait(clock, timeline, [EUW1])
    message = str(failure.value)
    assert "pg-secondary-euw1" in message and "eu-west-1" in message and "14.9" in message
    assert "aws rds describe-events --source-type db-cluster --source-identifier pg-secondary-euw1 --region eu-west-1" in message
    assert clock.now - 1000 == 30


def test_no_sign_of_the_upgrade_after_the_settle_period_fails():
    clock = VirtualClock(now=1000.0)
    timeline = Timeline(clock, {EUW1: [(0, "14.6", "available")]})
    with pytest.raises(WaitFailed) as failure:
        _wait(clock, timeline, [EUW1], settle_seconds=60)
    assert "status_settle_seconds" in str(failure.value)
    assert "--source-identifier pg-secondary-euw1 --region eu-west-1" in str(failure.value)
    # Reads every 10 seconds: the first read at or after 60 seconds decides.
    assert clock.now - 1000 == 60


def test_one_busy_member_shows_a_global_upgrade_started_so_the_others_may_wait_their_turn():
    clock = VirtualClock(now=1000.0)
    timeline = Timeline(clock, {
        GLOBAL: [(0, "14.6", "available"), (200, "15.4", "available")],
        EUW1: [(0, "14.6", "upgrading"), (100, "15.4", "available")],
        USE1: [(0, "14.6", "available"), (100, "14.6", "upgrading"), (200, "15.4", "available")],
    })
    wait_for_upgrade([GLOBAL, EUW1, USE1], timeline, "15.4", Deadline(3600, clock), 10, 60, clock.sleep)
    assert clock.now - 1000 == 200


def test_a_rolled_back_global_upgrade_points_at_the_member_events_only():
    clock = VirtualClock(now=1000.0)
    timeline = Timeline(clock, {
        GLOBAL: [(0, "14.6", "upgrading"), (50, "14.6", "available")],
        USE1: [(0, "14.6", "upgrading"), (50, "14.6", "available")],
    })
    with pytest.raises(WaitFailed) as failure:
        wait_for_upgrade([GLOBAL, USE1], timeline, "15.4", Deadline(3600, clock), 10, 60, clock.sleep)
    assert "--source-identifier pg-primary-use1 --region us-east-1" in str(failure.value)
    assert "--source-identifier pg-global" not in str(failure.value)


def test_timeout_never_sleeps_past_the_deadline_and_reads_once_at_it():
    clock = VirtualClock(now=1000.0)
    timeline = Timeline(clock, {EUW1: [(0, "14.6", "upgrading")]})
    with pytest.raises(WaitFailed) as failure:
        _wait(clock, timeline, [EUW1], timeout=35, poll_interval=10)
    assert clock.sleeps == [10, 10, 10, 5]
    assert timeline.reads[-1][0] == 35
    assert "wait_timeout (35 seconds" in str(failure.value)
    assert "pg-secondary-euw1 (eu-west-1) is 'upgrading' at 14.6" in str(failure.value)


def test_a_deadline_is_shared_by_consecutive_waits():
    clock = VirtualClock(now=1000.0)
    deadline = Deadline(100, clock)
    timeline = Timeline(clock, {EUW1: [(0, "14.6", "upgrading"), (60, "14.9", "available")], USE1: [(0, "14.6", "upgrading")]})
    _wait(clock, timeline, [EUW1], deadline=deadline)
    with pytest.raises(WaitFailed):
        _wait(clock, timeline, [USE1], deadline=deadline)
    assert clock.now - 1000 == 100
    assert sum(clock.sleeps) == 100


def test_a_zero_timeout_reads_once_and_never_sleeps():
    clock = VirtualClock(now=1000.0)
    timeline = Timeline(clock, {EUW1: [(0, "14.6", "upgrading")]})
    with pytest.raises(WaitFailed):
        _wait(clock, timeline, [EUW1], timeout=0)
    assert clock.sleeps == []
    assert len(timeline.reads) == 1


def test_wait_until_settled_accepts_any_version():
    clock = VirtualClock(now=1000.0)
    timeline = Timeline(clock, {EUW1: [(0, "14.6", "upgrading"), (20, "14.9", "available")], USE1: [(0, "14.6", "modifying"), (40, "14.6", "available")]})
    wait_until_settled([EUW1, USE1], timeline, Deadline(3600, clock), 10, clock.sleep, "them")
    assert clock.now - 1000 == 40


def test_wait_until_settled_times_out_with_what_is_still_busy():
    clock = VirtualClock(now=1000.0)
    timeline = Timeline(clock, {EUW1: [(0, "14.6", "upgrading")]})
    with pytest.raises(WaitFailed) as failure:
        wait_until_settled([EUW1], timeline, Deadline(20, clock), 10, clock.sleep, "them")
    assert "pg-secondary-euw1 (eu-west-1) is 'upgrading'" in str(failure.value)


def test_poll_stops_as_soon_as_nothing_is_pending():
    clock = VirtualClock(now=1000.0)
    answers = [["x"], ["x"], []]
    _poll(lambda: answers.pop(0), Deadline(3600, clock), 7, clock.sleep, "nothing")
    assert clock.sleeps == [7, 7]
    assert answers == []


def test_an_accepted_upgrade_with_the_target_pending_is_waited_for_past_the_settle_period():
    clock = VirtualClock(now=1000.0)
    timeline = Timeline(clock, {EUW1: [(0, "14.6", "available", "14.9"), (120, "14.6", "upgrading"), (150, "14.9", "available")]})
    _wait(clock, timeline, [EUW1], settle_seconds=60)
    assert clock.now - 1000 == 150


def test_an_upgrade_that_rolls_back_between_two_reads_fails_at_once():
    """Seen accepted (target pending), then available at the old version with nothing pending: it ran and rolled back unseen."""
    clock = VirtualClock(now=1000.0)
    timeline = Timeline(clock, {EUW1: [(0, "14.6", "available", "14.9"), (3, "14.6", "upgrading"), (7, "14.6", "available")]})
    with pytest.raises(WaitFailed) as failure:
        _wait(clock, timeline, [EUW1], settle_seconds=60)
    assert (failure.value.failed, failure.value.timed_out) == ([EUW1], False)
    assert "--source-identifier pg-secondary-euw1 --region eu-west-1" in str(failure.value)
    assert clock.now - 1000 == 10


def test_a_pending_change_to_another_version_is_no_sign_of_this_upgrade():
    clock = VirtualClock(now=1000.0)
    timeline = Timeline(clock, {EUW1: [(0, "14.6", "available", "14.7")]})
    with pytest.raises(WaitFailed) as failure:
        _wait(clock, timeline, [EUW1], settle_seconds=30)
    assert failure.value.failed == [EUW1]
    assert "(14.7 pending)" in str(failure.value)


def test_wait_until_settled_waits_for_a_pending_change_to_be_applied():
    clock = VirtualClock(now=1000.0)
    timeline = Timeline(clock, {EUW1: [(0, "14.6", "available", "14.9"), (20, "14.6", "upgrading"), (40, "14.9", "available")]})
    wait_until_settled([EUW1], timeline, Deadline(3600, clock), 10, clock.sleep, "them")
    assert clock.now - 1000 == 40


def test_a_timeout_says_what_still_runs():
    clock = VirtualClock(now=1000.0)
    timeline = Timeline(clock, {EUW1: [(0, "14.6", "upgrading")], USE1: [(0, "14.9", "available")]})
    with pytest.raises(WaitFailed) as failure:
        _wait(clock, timeline, [EUW1, USE1], timeout=20)
    assert (failure.value.timed_out, failure.value.still_running, failure.value.failed) == (True, [EUW1], [])


def test_the_waiting_options_are_the_doc_fragments_with_the_modules_own_timeout():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    spec = waiting_argument_spec(3600)
    assert sorted(spec) == sorted(documented)
    assert spec["wait_timeout"] == {"type": "int", "default": 3600}
    assert spec["poll_interval"] == {"type": documented["poll_interval"]["type"], "default": documented["poll_interval"]["default"]}
