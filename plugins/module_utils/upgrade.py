# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Carry out an upgrade of an Aurora global database: refuse what the restrictions forbid, act in AWS's order, wait.

A major upgrade is one ModifyGlobalCluster call; a minor one is a ModifyDBCluster
call per member, secondaries first and the primary last, each awaited before
the next. The plan and the refusals come from _plan.py and restrictions.py, so
the module refuses exactly what the facts module reports as blocked.

Entry point of aurora_global_upgrade (its public API: GlobalDatabaseUpgrade, UpgradeRequest). Internals behind it:
_progress_file, _fanout, _identifiers, _versions; shared layers: rds (AWS calls), statuses, waiting (the run, the waits).
"""

import math
from collections import namedtuple

from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.facts import GlobalDatabaseReader
from ansible_collections.aurora.global_db.plugins.module_utils._fanout import fan_out
from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import same_identifier
from ansible_collections.aurora.global_db.plugins.module_utils._progress_file import ProgressFile
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import MemberTimes
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import event_entries
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import format_events
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import is_done
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import member_entry
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import member_outcome
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import utc_timestamp
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import GLOBAL_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.rds import error_code
from ansible_collections.aurora.global_db.plugins.module_utils.rds import error_message
from ansible_collections.aurora.global_db.plugins.module_utils.rds import modify_db_cluster_engine_version
from ansible_collections.aurora.global_db.plugins.module_utils.rds import modify_global_cluster_engine_version
from ansible_collections.aurora.global_db.plugins.module_utils.rds import recent_events
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import IN_PLACE_MINOR_REFUSED_ADVICE
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import IN_PLACE_MINOR_REFUSED_BY_AWS
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import members_in_flight
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import request_refusals
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_in_flight
from ansible_collections.aurora.global_db.plugins.module_utils._versions import MAJOR
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import TimedRun
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import Resource
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import read_upgrade_state
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import WaitFailed
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import is_settled
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import stopped_by
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import wait_for_upgrade
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import wait_until_settled

UpgradeRequest = namedtuple("UpgradeRequest", [
    "global_cluster_identifier", "engine_version", "allow_major_version_upgrade", "db_cluster_identifier",
    "wait", "wait_timeout", "poll_interval", "status_settle_seconds",
])
UpgradeRequest.__doc__ = """The module's options that say what to upgrade and how long to wait (names as in the module)."""

# Refusals AWS gives a modify while the global database settles after a member's upgrade (the global cluster still
# modifying or upgrading): (error code, text in AWS's message). Terraform's provider retries the same ones
# (internal/service/rds/global_cluster.go, minor upgrade loop). They pass on their own, so they are retried.
_SETTLING_REFUSALS = (
    ("InvalidGlobalClusterStateFault", ""),
    ("InvalidDBClusterStateFault", ""),
    ("InvalidParameterValue", "upgrade global replicas first"),
)
# ... except this one, which only an operator can clear (a headless cluster); Terraform stops on it too.
_LASTING_REFUSALS = (("InvalidDBClusterStateFault", "without a primary instance"),)
# AWS's refusal of an in-place Aurora MySQL minor upgrade of a global database member (rule R10).
_IN_PLACE_MINOR_REFUSED_CODE = "InvalidParameterCombination"
# Refusals of a modify that no re-run can cure, with what can do the upgrade instead: (error code, text in AWS's
# message, advice). R10 of aws-aurora-global-upgrade-facts.md: AWS refuses these Aurora MySQL minor targets in place
# on a global database; the advice is the plan's (blocker in_place_minor_refused).
_REQUEST_REFUSALS = ((_IN_PLACE_MINOR_REFUSED_CODE, IN_PLACE_MINOR_REFUSED_BY_AWS, IN_PLACE_MINOR_REFUSED_ADVICE),)
# DescribeEvents looks back at least this many minutes (AWS's default), at most 14 days (AWS's limit).
_EVENT_MINUTES = (60, 20160)
METHOD = "in_place"


class UpgradeRefused(AuroraGlobalError):
    """The request breaks a restriction; nothing was changed. The message is every refusal, in order."""

    def __init__(self, refusals):
        super().__init__(" ".join(refusals))


def _matches(refusals, error):
    code, message = error_code(error), error_message(error)
    return any(code == refused_code and text in message for refused_code, text in refusals)


def _passes_on_its_own(error):
    """Whether an AWS refusal of a modify is one of the global database settling, to be retried within wait_timeout."""
    return _matches(_SETTLING_REFUSALS, error) and not _matches(_LASTING_REFUSALS, error)


def _versions(facts):
    return {m["db_cluster_identifier"]: m["engine_version"] for m in facts["members"]}


def _member_resource(member):
    return Resource(DB_CLUSTER, member["db_cluster_identifier"], member["region"])


def _shows_upgrade_to(state, target):
    """Whether a resource that was settled before a modify now shows an upgrade to ``target``: accepted, running or done."""
    return state.pending_engine_version == target or is_in_flight(state.resource.kind, state.status) or (
        state.engine_version == target and is_settled(state))


def _cure(error):
    """The advice for an AWS refusal of a modify that no re-run can cure, else None."""
    code, message = error_code(error), error_message(error)
    return next((advice for refused_code, text, advice in _REQUEST_REFUSALS if code == refused_code and text in message), None)


class GlobalDatabaseUpgrade(TimedRun):
    """One run of aurora_global_upgrade.

    Every AuroraGlobalError leaving run() carries the progress of the run (``upgraded``, ``failed_members``,
    ``still_upgrading``, ``timed_out``, ``members``, ``upgrade_plan`` once known). ``clock``, ``sleep`` and ``now`` (UTC
    ISO 8601 text) are injectable for tests.
    """

    def __init__(self, clients, request, check_mode, clock, sleep, progress_file=None, now=utc_timestamp):
        super().__init__(clients, request, check_mode, clock, sleep)
        self._reader = GlobalDatabaseReader(clients)
        self._progress_file = ProgressFile(progress_file, request.global_cluster_identifier)
        self._now = now
        self._times = MemberTimes(now)
        self._run_times = {"started_at": None, "finished_at": None}
        self._before = None
        self._after = None
        self._in_flight_before = []
        self._plan = None
        self._started = []
        self._failed = []
        self._still_upgrading = []
        self._timed_out = False
        self._resumable = True

    def _run(self):
        """Upgrade as requested; returns the module result (diff included; the module drops it outside diff mode).
        A failure reads the global database once more, so that progress() says where every member stands."""
        self._run_times["started_at"] = self._now()
        try:
            result = self._act()
        except AuroraGlobalError:
            self._read_after_failure()
            self._run_times["finished_at"] = self._now()
            raise
        self._run_times["finished_at"] = self._now()
        result.update(self._member_results())
        return result

    def _read_after_failure(self):
        """Where every member stands after a failure, for the result; when it cannot be read, every status is unknown."""
        if self._before is None:
            return
        try:
            self._after = self._reader.facts(self._request.global_cluster_identifier)
        except AuroraGlobalError:
            self._after = None

    def _member_results(self):
        """``method``, the run's times and, once the global database was read, ``members``: each member's outcome."""
        results = {"method": METHOD, "started_at": self._run_times["started_at"], "finished_at": self._run_times["finished_at"]}
        if self._before is None or self._plan is None:
            return results
        target = self._plan["target_engine_version"]
        after = {m["db_cluster_identifier"]: m for m in (self._after or {}).get("members", [])}
        # A major upgrade is one request for every member: when it failed, it failed for each of them.
        failed_major = self._plan["kind"] == MAJOR and self._before["global_cluster_identifier"] in self._failed
        still = set(self._still_upgrading)
        members = []
        for member in self._before["members"]:
            identifier = member["db_cluster_identifier"]
            found = after.get(identifier)
            outcome = member_outcome(
                at_target_before=is_done(member, target),
                started=identifier in self._times.started_at or identifier in self._in_flight_before,
                failed=failed_major or identifier in self._failed,
                still_upgrading=identifier in still,
                done=found is not None and is_done(found, target),
            )
            members.append(member_entry(member, found, outcome, self._times,
                                        started_by_this_run=identifier in self._times.started_at))
        results["members"] = members
        return results

    def progress(self):
        """How far the run got, also for a failure around run() (the lease's).

        A major upgrade that failed anywhere did not upgrade the global cluster.
        """
        failed_major = self._plan is not None and self._plan["kind"] == MAJOR and self._failed
        progress = {
            "changed": bool(self._started),
            "upgraded": [] if failed_major else [identifier for identifier in self._started if identifier not in self._failed],
            "failed_members": list(self._failed),
            "still_upgrading": list(self._still_upgrading),
            "timed_out": self._timed_out,
            "resumable": self._resumable,
        }
        if self._plan is not None:
            progress["upgrade_plan"] = self._plan
        progress.update(self._member_results())
        return progress

    def _act(self):
        facts = self._read_and_plan()
        self._before = facts
        self._in_flight_before = [m["db_cluster_identifier"] for m in members_in_flight(facts)]
        before = _versions(facts)
        # Blockers that only wait for an earlier run's upgrade are waited for, then everything is checked again.
        self._refuse(facts, dict(self._plan, blockers=[b for b in self._plan["blockers"] if not b["in_flight"]]))
        if any(b["in_flight"] for b in self._plan["blockers"]) and not self._check_mode:
            self._wait_for_in_flight(facts)
            facts = self._read_and_plan()
            self._refuse(facts, self._plan)
        selected = self._select(facts)
        if selected and not self._check_mode:
            self._upgrade(facts, selected)
            facts = self._reader.facts(self._request.global_cluster_identifier)
            self._still_upgrading = self._not_done(facts)
        self._after = facts
        # One ModifyGlobalCluster call moves every member.
        started_members = list(before) if self._plan["kind"] == MAJOR else selected
        result = self.progress()
        result.update(
            changed=bool(selected),
            upgraded=selected,
            not_started=[m for m in self._plan["pending"] if m not in started_members],
            global_cluster=facts,
            diff={
                "before": before,
                "after": {**_versions(facts), **{member: self._plan["target_engine_version"] for member in started_members}},
            },
        )
        return result

    def _read_and_plan(self):
        facts = self._reader.facts(self._request.global_cluster_identifier)
        self._plan = self._reader.plan(facts, self._request.engine_version, "engine_version")
        return facts

    def _refuse(self, facts, plan):
        refusals = request_refusals(facts, plan, self._request.allow_major_version_upgrade, self._request.db_cluster_identifier)
        if refusals:
            raise UpgradeRefused(refusals)

    def _select(self, facts):
        """What this run modifies: the global cluster for a major upgrade, else the pending members in upgrade order.

        Without wait, only the first pending member: the next one may only start once it is done.
        """
        if not self._plan["pending"]:
            return []
        if self._plan["kind"] == MAJOR:
            return [facts["global_cluster_identifier"]]
        wanted = self._request.db_cluster_identifier
        members = [m for m in self._plan["pending"] if wanted is None or same_identifier(m, wanted)]
        return members if self._request.wait else members[:1]

    def _not_done(self, facts):
        """What this run started that is not at the target and settled yet (after wait=false)."""
        target = self._plan["target_engine_version"]
        not_done = [m["db_cluster_identifier"] for m in facts["members"] if not is_done(m, target)]
        if self._plan["kind"] == MAJOR:
            return list(self._started) if not_done else []
        return [identifier for identifier in self._started if identifier in not_done]

    def _global_resource(self, facts):
        return Resource(GLOBAL_CLUSTER, facts["global_cluster_identifier"], self._clients.home_region)

    def _wait_for_in_flight(self, facts):
        resources = [_member_resource(m) for m in members_in_flight(facts)]
        if is_in_flight(GLOBAL_CLUSTER, facts["status"]):
            resources.append(self._global_resource(facts))
        self._wait_until_settled(resources, "the upgrades already running or accepted to finish")
        self._times.finished(m["db_cluster_identifier"] for m in members_in_flight(facts))

    def _upgrade(self, facts, selected):
        target = self._plan["target_engine_version"]
        members = {m["db_cluster_identifier"]: m for m in facts["members"]}
        if self._plan["kind"] == MAJOR:
            # AWS wants ModifyGlobalCluster in the primary's region; without a writer (mid-failover) the home region is all there is.
            region = members[facts["primary"]]["region"] if facts["primary"] else self._clients.home_region
            global_cluster = self._global_resource(facts)
            self._start(modify_global_cluster_engine_version, Resource(GLOBAL_CLUSTER, global_cluster.identifier, region), target,
                        [_member_resource(m) for m in facts["members"]])
            self._wait_for_upgrade([global_cluster] + [_member_resource(m) for m in facts["members"]])
            return
        for identifier in selected:
            if self._started:
                # Just after a member finishes, the global cluster may still be settling; AWS refuses the next modify until then.
                self._wait_until_settled([self._global_resource(facts)], "global cluster %s to be available again" % facts["global_cluster_identifier"])
            member = _member_resource(members[identifier])
            self._start(modify_db_cluster_engine_version, member, target, [member])
            self._wait_for_upgrade([member])

    def _start(self, modify, resource, target, members):
        """Make one mutating call, as many times as AWS refuses it only while settling, until wait_timeout.

        A refusal of a call whose answer was lost (AWS accepted it, answered 5xx, and the retry was refused
        because the upgrade is under way) is recognised from the resource's state: settled before the call,
        it now shows an upgrade to the target, so the upgrade is this run's.
        """
        while True:
            try:
                modify(self._clients, resource.region, resource.identifier, target)
                break
            except AuroraGlobalError as error:
                if self._shows_upgrade_after_refusal(resource, target):
                    break
                if not _passes_on_its_own(error):
                    self._failed.append(resource.identifier)
                    raise self._refusal(error, target, members) from error
                if self._deadline.remaining() <= 0:
                    self._timed_out = True
                    raise stopped_by(error, self._upgraded_so_far(),
                                     "AWS refuses it while the global database settles; run again later, or raise wait_timeout.",
                                     why="was still refused after wait_timeout (%s seconds for the whole run)" % self._deadline.seconds) from error
                self._sleep(min(self._request.poll_interval, self._deadline.remaining()))
        self._started.append(resource.identifier)
        self._times.started(member.identifier for member in members)

    def _shows_upgrade_after_refusal(self, resource, target):
        """Whether the resource shows an upgrade to ``target`` after AWS refused a modify; when it cannot be read, the refusal stands."""
        try:
            return _shows_upgrade_to(self._read_state(resource), target)
        except AuroraGlobalError:
            return False

    def _upgraded_so_far(self):
        return "upgraded by this run: %s" % (", ".join(self._started) or "nothing")

    def _refusal(self, error, target, members):
        advice = _cure(error)
        self._resumable = advice is None
        return stopped_by(error, self._upgraded_so_far(), "%s %s" % (
            self._events(members), advice or "Fix the cause AWS gives below, then run again; members already at %s are skipped." % target))

    def _wait_for_upgrade(self, resources):
        if self._request.wait:
            self._waiting(lambda: wait_for_upgrade(
                resources, self._read_state, self._plan["target_engine_version"], self._deadline,
                self._request.poll_interval, self._request.status_settle_seconds, self._sleep,
            ))
            self._times.finished(resource.identifier for resource in resources if resource.kind == DB_CLUSTER)

    def _wait_until_settled(self, resources, waiting_for):
        self._waiting(lambda: wait_until_settled(resources, self._read_state, self._deadline, self._request.poll_interval, self._sleep, waiting_for))

    def _waiting(self, wait):
        """Run one wait on the run's deadline; a failure records what failed or still runs, and shows the failed clusters' events."""
        try:
            wait()
        except WaitFailed as failure:
            self._timed_out = failure.timed_out
            self._still_upgrading = [resource.identifier for resource in failure.still_running]
            self._failed.extend(resource.identifier for resource in failure.failed if resource.identifier not in self._failed)
            self._times.finished(resource.identifier for resource in failure.failed)
            if not failure.failed:
                raise
            raise WaitFailed("%s %s" % (failure.message, self._events(failure.failed)), failure.failed, failure.still_running) from failure

    def _events(self, resources):
        """The recent RDS events of each DB cluster, where AWS says why an upgrade failed or was refused."""
        minutes = min(max(_EVENT_MINUTES[0], int(math.ceil((self._clock() - self._started_at) / 60.0)) + 1), _EVENT_MINUTES[1])
        # Each cluster's events are read in its own region, all at once; the texts keep the order of the clusters.
        return " ".join(fan_out(lambda resource: self._events_of(resource, minutes), resources))

    def _events_of(self, resource, minutes):
        try:
            events = event_entries(recent_events(self._clients, resource.region, resource.identifier, minutes))
        except AuroraGlobalError as error:
            return "The events of %s (%s) could not be read: %s." % (resource.identifier, resource.region, error)
        self._times.events[resource.identifier] = events
        return "Recent RDS events of %s (%s, last %d minutes): %s" % (resource.identifier, resource.region, minutes, format_events(events))

    def _read_state(self, resource):
        state = read_upgrade_state(self._clients, resource)
        self._progress_file.record(state)
        return state
