# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting policies replayed on the same simulated AWS timelines under a virtual clock: ours against the peers'.

A timeline is one member's minor upgrade after AWS accepted ModifyDBCluster:
the member reads ``available`` at the old version, the target in
PendingModifiedValues, for 0-120 s (AWS has not started yet), then ``upgrading`` for 5-120 min, then ``available`` at the
target; after it the global cluster reads ``modifying`` for 0-60 s (the settle
window, when AWS refuses the next member's ModifyDBCluster). Every policy sees
the same timelines, reads with a counted describe call and sleeps on the
virtual clock.

- ours: waiting.wait_for_upgrade itself (wait_timeout 7200, status_settle_seconds
  300, poll_interval 15: the module's defaults), with the adopted schedule
  (waiting.poll_delay) and with the candidates it was chosen from.
- Terraform (hashicorp/terraform-provider-aws, internal/service/rds/global_cluster.go,
  WaitForClusterUpdate): Delay 30 s, MinTimeout 10 s and no PollInterval, so
  StateChangeConf (terraform-plugin-sdk helper/retry/state.go) reads at 30 s and
  then every 10 s; target ``available`` (the version is not checked); Pending
  upgrading/modifying/...; timeout: the resource's update timeout, 90 min.
- AWS CLI ``aws rds wait db-cluster-available``: botocore's DBClusterAvailable
  waiter (data/rds/2014-10-31/waiters-2.json): a read at once, then every 30 s,
  success when every cluster is ``available``, gives up after 60 attempts.
- amazon.aws (10.1.2) rds_cluster with wait: its cluster_available waiter
  (module_utils/waiters.py, DBClusterAvailable): a read at once, then every 20 s,
  success when ``available``, gives up after 60 attempts.

The settle window: our upgrade module waits for the global cluster to settle
before it modifies the next member (those reads are counted in its calls);
the peers do not watch it. The last column counts the timelines where a tool
would send the next member's ModifyDBCluster inside the window, which AWS
refuses (Terraform retries the refusal; its next modify comes after its 30 s
Delay).
"""

import random
import statistics
from collections import namedtuple
from contextlib import contextmanager

from ansible_collections.aurora.global_db.plugins.module_utils import waiting

TIMELINES = 500
SEED = 20261201
WAIT_TIMEOUT = 7200
POLL_INTERVAL = 15
STATUS_SETTLE_SECONDS = 300
OLD, TARGET = "14.6", "14.9"
MEMBER = waiting.Resource(waiting.DB_CLUSTER, "pg-secondary-euw1", "eu-west-1")
GLOBAL = waiting.Resource(waiting.GLOBAL_CLUSTER, "pg-global", "us-east-1")
# Terraform reads the next member after this Delay (WaitForClusterUpdate before its ModifyDBCluster).
TERRAFORM_DELAY = 30

Timeline = namedtuple("Timeline", ["starts_after", "upgrade_seconds", "settle_seconds"])
Outcome = namedtuple("Outcome", ["noticed_at", "calls", "waited", "early", "gave_up", "next_member_at"])


def timelines(count=TIMELINES, seed=SEED):
    generator = random.Random(seed)
    return [Timeline(generator.uniform(0, 120), generator.uniform(5 * 60, 120 * 60), generator.uniform(0, 60)) for _number in range(count)]


def finished_at(timeline):
    return timeline.starts_after + timeline.upgrade_seconds


def member_state(timeline, elapsed):
    """(engine_version, status, pending engine version) of the member ``elapsed`` seconds after AWS accepted the upgrade."""
    if elapsed < timeline.starts_after:
        return OLD, "available", TARGET
    if elapsed < finished_at(timeline):
        return OLD, "upgrading", None
    return TARGET, "available", None


class VirtualClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class Reads:
    """The member's describe calls, counted."""

    def __init__(self, timeline, clock):
        self._timeline = timeline
        self._clock = clock
        self.calls = 0

    def status(self):
        self.calls += 1
        return member_state(self._timeline, self._clock.now)

    def global_status(self):
        """The global cluster: ``modifying`` during the settle window after the member, else ``available``."""
        self.calls += 1
        settling = finished_at(self._timeline) <= self._clock.now < finished_at(self._timeline) + self._timeline.settle_seconds
        return "modifying" if settling else "available"


@contextmanager
def _schedule(delay):
    """Run our waiting code with another sleep schedule: the candidates the adopted one was chosen from."""
    adopted = waiting.poll_delay
    waiting.poll_delay = delay
    try:
        yield
    finally:
        waiting.poll_delay = adopted


def ours(timeline, delay=None):
    """The upgrade module's minor path: wait for the member, then (before the next member) for the global cluster to settle."""
    clock = VirtualClock()
    reads = Reads(timeline, clock)

    def read_state(resource):
        if resource.kind == waiting.GLOBAL_CLUSTER:
            return waiting.State(resource, TARGET, reads.global_status())
        return waiting.State(resource, *reads.status())

    deadline = waiting.Deadline(WAIT_TIMEOUT, clock)
    with _schedule(delay or waiting.poll_delay):
        try:
            waiting.wait_for_upgrade([MEMBER], read_state, TARGET, deadline, POLL_INTERVAL, STATUS_SETTLE_SECONDS, clock.sleep)
            noticed_at = clock.now
            waiting.wait_until_settled([GLOBAL], read_state, deadline, POLL_INTERVAL, clock.sleep, "the global cluster")
        except waiting.WaitFailed:
            return _outcome(timeline, clock, reads, True)
    return _outcome(timeline, clock, reads, False, noticed_at, clock.now)


def terraform(timeline, delay=TERRAFORM_DELAY, interval=10, timeout=90 * 60):
    clock = VirtualClock()
    reads = Reads(timeline, clock)
    clock.sleep(delay)
    while True:
        if clock.now >= timeout:
            return _outcome(timeline, clock, reads, True)
        if reads.status()[1] == "available":
            return _outcome(timeline, clock, reads, False, clock.now, clock.now + TERRAFORM_DELAY)
        clock.sleep(interval)


def botocore_waiter(timeline, delay, max_attempts):
    clock = VirtualClock()
    reads = Reads(timeline, clock)
    for attempt in range(1, max_attempts + 1):
        if reads.status()[1] == "available":
            return _outcome(timeline, clock, reads, False, clock.now, clock.now)
        if attempt < max_attempts:
            clock.sleep(delay)
    return _outcome(timeline, clock, reads, True)


def _outcome(timeline, clock, reads, gave_up, noticed_at=None, next_member_at=None):
    """``noticed_at``: when the wait declared the member done; ``next_member_at``: when the tool would modify the next member."""
    early = not gave_up and noticed_at < finished_at(timeline)
    return Outcome(None if gave_up or early else noticed_at, reads.calls, clock.now, early, gave_up, None if gave_up or early else next_member_at)


def _fixed(seconds):
    return lambda elapsed, poll_interval: seconds


def _growing(growth, cap):
    return lambda elapsed, poll_interval: min(max(poll_interval, cap), max(poll_interval, elapsed * growth))


# Name -> policy; the first is what the module does now, the next three the candidates it was chosen from.
POLICIES = [
    ("ours (adopted: 15 s, then 5% of the time waited, at most 60 s)", ours),
    ("ours before (fixed 15 s)", lambda timeline: ours(timeline, _fixed(15))),
    ("candidate: fixed 30 s", lambda timeline: ours(timeline, _fixed(30))),
    ("candidate: 15 s growing 5% to 30 s", lambda timeline: ours(timeline, _growing(0.05, 30))),
    ("candidate: fixed 20 s", lambda timeline: ours(timeline, _fixed(20))),
    ("Terraform aws_rds_global_cluster", terraform),
    ("AWS CLI wait db-cluster-available", lambda timeline: botocore_waiter(timeline, 30, 60)),
    ("amazon.aws rds_cluster wait", lambda timeline: botocore_waiter(timeline, 20, 60)),
]


def _p95(values):
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else (values[0] if values else None)


def _calls_per_hour_waited(outcomes):
    """The policy's cost while it waits: describe calls per hour spent waiting for a member (None when it never waited)."""
    hours = sum(outcome.waited for outcome in outcomes) / 3600
    return round(sum(outcome.calls for outcome in outcomes) / hours, 1) if hours else None


def measure():
    """Per policy: notice delays (median, p95), describe calls per member-hour, early returns and give-ups inside wait_timeout."""
    replayed = timelines()
    rows = []
    for name, policy in POLICIES:
        outcomes = [policy(timeline) for timeline in replayed]
        delays = [outcome.noticed_at - finished_at(timeline) for timeline, outcome in zip(replayed, outcomes) if outcome.noticed_at is not None]
        rows.append({
            "policy": name,
            "median_delay": round(statistics.median(delays), 1) if delays else None,
            "p95_delay": round(_p95(delays), 1) if delays else None,
            "calls_per_member_hour": _calls_per_hour_waited([outcome for outcome in outcomes if not outcome.early]),
            "early_returns": sum(outcome.early for outcome in outcomes),
            # A give-up counts when AWS was done, settle window included, inside wait_timeout.
            "give_ups_inside_wait_timeout": sum(
                outcome.gave_up and finished_at(timeline) + timeline.settle_seconds <= WAIT_TIMEOUT for timeline, outcome in zip(replayed, outcomes)),
            "next_member_inside_settle_window": sum(
                outcome.next_member_at is not None and outcome.next_member_at < finished_at(timeline) + timeline.settle_seconds
                for timeline, outcome in zip(replayed, outcomes)),
            "timelines": len(replayed),
        })
    return rows


def verdict(rows):
    """Whether the adopted policy (first row) meets every goal, against Terraform's row."""
    adopted = rows[0]
    terraform_row = [row for row in rows if row["policy"].startswith("Terraform")][0]
    return {
        "no_early_returns": adopted["early_returns"] == 0,
        "no_give_ups_inside_wait_timeout": adopted["give_ups_inside_wait_timeout"] == 0,
        "p95_delay_at_most_poll_cap": adopted["p95_delay"] is not None and adopted["p95_delay"] <= waiting.POLL_CAP_SECONDS,
        "calls_at_most_half_of_terraform": adopted["calls_per_member_hour"] <= terraform_row["calls_per_member_hour"] / 2,
    }


def table(rows):
    lines = [
        "Waiting policies on %d simulated timelines (upgrades 5-120 min, 0-120 s before `upgrading`, wait_timeout %d s)" % (rows[0]["timelines"], WAIT_TIMEOUT),
        "goal (ours): 0 early returns, 0 give-ups inside wait_timeout, p95 delay <= poll cap (%d s), calls <= half of Terraform's" % waiting.POLL_CAP_SECONDS,
        "| policy | median delay s | p95 delay s | describe calls / member-hour | early returns | give-ups inside wait_timeout "
        "| next member inside settle window |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append("| %s | %s | %s | %s | %d | %d | %d |" % (
            row["policy"], row["median_delay"], row["p95_delay"], row["calls_per_member_hour"], row["early_returns"], row["give_ups_inside_wait_timeout"],
            row["next_member_inside_settle_window"]))
    lines.append("adopted policy meets: %s" % ", ".join("%s=%s" % item for item in verdict(rows).items()))
    return lines
