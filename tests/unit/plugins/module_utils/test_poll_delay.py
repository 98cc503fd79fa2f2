# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The sleep schedule while waiting: poll_interval at first, then a share of the time waited, up to a cap."""

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils.waiting import POLL_CAP_SECONDS
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import POLL_GROWTH
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import Deadline
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import Resource
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import State
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import WaitFailed
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import poll_delay
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import wait_until_settled
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import VirtualClock

EUW1 = Resource(DB_CLUSTER, "pg-secondary-euw1", "eu-west-1")


@pytest.mark.parametrize("elapsed, poll_interval, expected", [
    (0, 15, 15),
    (299, 15, 15),  # 5% of 299 s is still below poll_interval
    (600, 15, 30),
    (1200, 15, 60),
    (7200, 15, 60),  # capped
    (7200, 1, 60),
    (100, 1, 5),
    (0, 90, 90),  # a poll_interval above the cap is kept as asked
    (7200, 90, 90),
])
def test_poll_delay(elapsed, poll_interval, expected):
    assert poll_delay(elapsed, poll_interval) == pytest.approx(expected)


def test_the_wait_grows_with_the_time_waited_and_never_shrinks_or_passes_the_cap():
    delays = [poll_delay(elapsed, 15) for elapsed in range(0, 7200, 7)]
    assert delays == sorted(delays)
    assert delays[0] == 15 and delays[-1] == POLL_CAP_SECONDS


def _wait_until(done_at, poll_interval=15, timeout=7200):
    """Wait for a member that is ``upgrading`` until ``done_at`` seconds into the wait; the reads' times and the sleeps."""
    clock = VirtualClock(now=500.0)
    started = clock.now
    reads = []

    def read_state(resource):
        reads.append(clock.now - started)
        return State(resource, "14.9", "available") if clock.now - started >= done_at else State(resource, "14.6", "upgrading")

    wait_until_settled([EUW1], read_state, Deadline(timeout, clock), poll_interval, clock.sleep, "the upgrade")
    return reads, clock.sleeps


@pytest.mark.parametrize("done_at", [60, 290, 1000, 3600, 7000])
def test_the_end_of_an_upgrade_is_noticed_within_the_share_of_its_length_or_the_cap(done_at):
    reads, _sleeps = _wait_until(done_at)
    noticed_late_by = reads[-1] - done_at
    assert 0 <= noticed_late_by <= min(POLL_CAP_SECONDS, max(15, POLL_GROWTH * reads[-1]))


def test_a_two_hour_upgrade_costs_a_third_of_the_reads_of_a_fixed_15_seconds():
    reads, sleeps = _wait_until(7199)
    assert max(sleeps) == POLL_CAP_SECONDS
    assert len(reads) <= 7200 / 15 / 3


def test_no_sleep_passes_the_deadline_and_a_last_read_is_made_at_it():
    clock = VirtualClock(now=0.0)
    reads = []

    def read_state(resource):
        reads.append(clock.now)
        return State(resource, "14.6", "upgrading")

    with pytest.raises(WaitFailed, match="Gave up after wait_timeout"):
        wait_until_settled([EUW1], read_state, Deadline(1000, clock), 15, clock.sleep, "the upgrade")
    assert reads[-1] == clock.now == 1000
    assert max(clock.sleeps) <= POLL_CAP_SECONDS
