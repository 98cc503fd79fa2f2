# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting for upgrades AWS has accepted, without trusting the status alone.

After a modify call AWS keeps reporting ``available`` at the old version for a
few moments, and ``EngineVersion`` changes only once the upgrade is over. So
an upgrade is done only when the engine version is the target *and* the status
is ``available`` with nothing pending; ``available`` at another version is either
"accepted, not started yet" (``PendingModifiedValues.EngineVersion`` shows the
target; or, without it, tolerated for a settle period) or "over and rolled back"
(after the resource was seen busy, or seen with the target pending: an upgrade that
starts and rolls back between two reads shows no busy status to the reader). The clock
and sleep are passed in so this runs without AWS.
"""

from collections import namedtuple
from contextlib import nullcontext

from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import GLOBAL_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import kind_words
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_db_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_global_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_ready
# The wait between two reads grows with the time already waited, so that a long upgrade costs few calls
# (the account's RDS API budget is shared) and the end of a short one is still seen soon; chosen by
# measurement against the peers' policies (benchmarks/README.md).
POLL_GROWTH = 0.05
POLL_CAP_SECONDS = 60
# The smallest value each duration option of the waiting modules accepts.
DURATION_MINIMUMS = dict(wait_timeout=0, poll_interval=1, status_settle_seconds=0)
# The default of poll_interval, the wait between the first reads (doc fragment aurora.global_db.waiting).
POLL_INTERVAL_SECONDS = 15

Resource = namedtuple("Resource", ["kind", "identifier", "region"])
Resource.__doc__ = """A resource being waited for; kind is one of kinds.KINDS, region the one it is read in."""

State = namedtuple("State", ["resource", "engine_version", "status", "pending_engine_version", "busy_parts"], defaults=(None, ()))
State.__doc__ = """What one read of a resource reported; pending_engine_version is PendingModifiedValues.EngineVersion (DB clusters).

busy_parts: what still keeps a resource busy in its parts (a member's DB instances), each in words; empty when nothing does.
"""


class WaitFailed(AuroraGlobalError):
    """A wait ended without the expected result; the message says what was seen and where to look next.

    failed: the resources whose upgrade failed (rolled back, or never showed after AWS accepted it).
    still_running: the resources still busy or not yet done when the wait ended.
    timed_out: whether the wait ended because wait_timeout ran out.
    """

    def __init__(self, message, failed=(), still_running=(), timed_out=False):
        super().__init__(message)
        self.failed = list(failed)
        self.still_running = list(still_running)
        self.timed_out = timed_out


class Deadline:
    """The single wait_timeout of a module call, shared by every wait it makes."""

    def __init__(self, seconds, clock):
        self.seconds = seconds
        self._clock = clock
        self._end = clock() + seconds

    def now(self):
        return self._clock()

    def remaining(self):
        return max(0, self._end - self._clock())


class TimedRun:
    """One module run that acts on AWS and waits: its clients, its options and the one deadline all its waits share.

    ``clock`` and ``sleep`` are passed in so that the runs are tested without AWS and without waiting.
    """

    def __init__(self, clients, request, check_mode, clock, sleep):
        self._clients = clients
        self._request = request
        self._check_mode = check_mode
        self._clock = clock
        self._sleep = sleep
        self._deadline = None
        self._started_at = None

    def run(self, within=None):
        """The module's result. Every AuroraGlobalError leaving it, also one of the context ``within`` (the lease the run
        holds), carries progress(): how far the run got."""
        try:
            with within if within is not None else nullcontext():
                self._started_at = self._clock()
                # The run's single wait_timeout starts before its first read.
                self._deadline = Deadline(self._request.wait_timeout, self._clock)
                return self._run()
        except AuroraGlobalError as error:
            error.progress.update(self.progress())
            raise

    def progress(self):
        """The result keys that say how far the run got; each run says what it changes."""
        return {}

    def _run(self):
        raise NotImplementedError


def stopped_by(error, done, advice, why="failed"):
    """The error of a run that stops because AWS refused a call (``why``): AWS's answer kept, what the run ``done`` so far, the ``advice``."""
    return AuroraGlobalError(message="%s %s, so this run stopped (%s). %s AWS said" % (error.message, why, done, advice), exception=error.exception)


def waiting_argument_spec(wait_timeout):
    """The options of doc fragment aurora.global_db.waiting: wait_timeout with this module's default, and poll_interval."""
    return dict(wait_timeout=dict(type="int", default=wait_timeout), poll_interval=dict(type="int", default=POLL_INTERVAL_SECONDS))


def check_durations(module, **progress):
    """Fail the module, before any call, when a duration option it has is below its minimum (DURATION_MINIMUMS)."""
    too_small = ["%s must be at least %d, not %d" % (name, minimum, module.params[name])
                 for name, minimum in DURATION_MINIMUMS.items() if name in module.params and module.params[name] < minimum]
    if too_small:
        module.fail_json(msg="; ".join(too_small), **progress)


def _describe(state):
    pending = " (%s pending)" % state.pending_engine_version if state.pending_engine_version else ""
    parts = ": %s" % "; ".join(state.busy_parts) if state.busy_parts else ""
    return "%s %s (%s) is '%s' at %s%s%s" % (
        kind_words(state.resource.kind), state.resource.identifier, state.resource.region, state.status, state.engine_version, pending, parts)


def read_upgrade_state(clients, resource):
    """One read of a global cluster or DB cluster that an engine upgrade changes, as a State (its pending version too)."""
    if resource.kind == GLOBAL_CLUSTER:
        found = describe_global_cluster(clients, resource.identifier)
    else:
        found = describe_db_cluster(clients, resource.region, resource.identifier)
    return State(resource, found.get("EngineVersion"), found.get("Status"), found.get("PendingModifiedValues", {}).get("EngineVersion"))


def is_settled(state):
    """Nothing is running or waiting to run on the resource: ready (statuses.py) and no engine version change pending."""
    return is_ready(state.resource.kind, state.status) and not state.pending_engine_version


def _events_command(resource):
    """The AWS CLI command that lists a DB cluster's recent events, where AWS says why an upgrade failed."""
    return "aws rds describe-events --source-type db-cluster --source-identifier %s --region %s" % (resource.identifier, resource.region)


def _where_to_look(resources):
    return "See the events: %s." % "; ".join(_events_command(r) for r in resources if r.kind == DB_CLUSTER)


def poll_delay(elapsed, poll_interval):
    """Seconds to sleep after a read made ``elapsed`` seconds into a wait.

    ``poll_interval`` at first, then POLL_GROWTH of the time waited so far, at most
    POLL_CAP_SECONDS (or ``poll_interval`` when that is longer): AWS is noticed at
    most a cap late, and a two-hour upgrade costs about 150 reads instead of 480 at a fixed 15 seconds.
    """
    return min(max(poll_interval, POLL_CAP_SECONDS), max(poll_interval, elapsed * POLL_GROWTH))


def _poll(read_pending, deadline, poll_interval, sleep, waiting_for):
    """Call ``read_pending`` until it returns no state, sleeping ``poll_delay`` between calls.

    The first read happens before any sleep, no sleep follows a read that finds
    nothing pending and no sleep goes past the deadline; one last read is made at
    the deadline before giving up. ``waiting_for`` words the timeout message.
    """
    started = deadline.now()
    while True:
        pending = read_pending()
        if not pending:
            return
        remaining = deadline.remaining()
        if remaining <= 0:
            raise WaitFailed(
                "Gave up after wait_timeout (%s seconds for the whole run) waiting for %s: %s. AWS carries on with what it accepted: "
                "run the module again to resume (it waits for upgrades still running), or raise wait_timeout." % (
                    deadline.seconds, waiting_for, "; ".join(_describe(state) for state in pending)),
                still_running=[state.resource for state in pending], timed_out=True,
            )
        sleep(min(poll_delay(deadline.now() - started, poll_interval), remaining))


def _db_clusters(states):
    """The DB clusters of one request's reads: what fails when the request fails."""
    return [state.resource for state in states if state.resource.kind == DB_CLUSTER]


class _UpgradeWatch:
    """Judges the reads of the resources that one accepted upgrade request changes.

    A major upgrade is one request for the global cluster and all its members, a
    minor one a request per member. The request counts as started once any of its
    resources was seen busy (any status but ``available``), with the target pending,
    or at the target. A resource seen busy or with the target pending that is
    ``available`` at another version with nothing pending has rolled back, and so has the request.
    """

    def __init__(self, target, accepted_at, settle_seconds):
        self._target = target
        self._accepted_at = accepted_at
        self._settle_seconds = settle_seconds
        self._seen_under_way = set()
        self._started = False

    def pending(self, states, now):
        """The states that are not done; raises WaitFailed when the upgrade rolled back or has not started in time."""
        pending = []
        for state in states:
            if not is_ready(state.resource.kind, state.status) or state.pending_engine_version == self._target:
                # Busy, or accepted by AWS and not started yet.
                self._seen_under_way.add(state.resource)
                self._started = True
                pending.append(state)
            elif state.engine_version == self._target:
                self._started = True
            elif state.resource in self._seen_under_way:
                # The request rolled back: it failed for every DB cluster it upgrades (all the members, for a major or a
                # managed minor upgrade), whichever of them the reads of this poll, before and after the rollback, saw first.
                failed = _db_clusters(states)
                raise WaitFailed(
                    "The upgrade of %s %s (%s) to %s did not complete: it was seen accepted or upgrading and is '%s' at %s again. %s "
                    "Fix the cause, then run the module again." % (
                        kind_words(state.resource.kind), state.resource.identifier, state.resource.region, self._target, state.status,
                        state.engine_version, _where_to_look(failed)),
                    failed=failed, still_running=[s.resource for s in pending if s.resource not in failed],
                )
            else:
                pending.append(state)
        if pending and not self._started and now - self._accepted_at >= self._settle_seconds:
            raise WaitFailed(
                "AWS accepted the upgrade to %s but after %s seconds (status_settle_seconds) nothing shows it running: %s. %s "
                "Run the module again once the cause is fixed, or raise status_settle_seconds if AWS is slow to report upgrades." % (
                    self._target, self._settle_seconds, "; ".join(_describe(state) for state in pending), _where_to_look([s.resource for s in states])),
                failed=_db_clusters(states),
            )
        return pending


def wait_for_upgrade(resources, read_state, target, deadline, poll_interval, settle_seconds, sleep):
    """Wait until every resource reports ``target`` and ``available``; ``read_state(resource)`` returns a State."""
    watch = _UpgradeWatch(target, deadline.now(), settle_seconds)
    _poll(
        lambda: watch.pending([read_state(resource) for resource in resources], deadline.now()),
        deadline, poll_interval, sleep, "the upgrade to %s" % target,
    )


def wait_until_settled(resources, read_state, deadline, poll_interval, sleep, waiting_for, settled=is_settled):
    """Wait until ``settled(state)`` holds for every resource (by default is_settled, whatever its version): an earlier
    upgrade finishing, AWS settling, a new resource becoming available."""
    _poll(
        lambda: [state for state in (read_state(resource) for resource in resources) if not settled(state)],
        deadline, poll_interval, sleep, waiting_for,
    )
