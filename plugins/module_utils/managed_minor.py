# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS's managed minor upgrade of an Aurora PostgreSQL global database (the method ``managed_minor``).

One ModifyGlobalCluster(EngineVersion), without AllowMajorVersionUpgrade, in the primary's region; AWS upgrades every
member, or rolls every member back to the old version. The run waits until the global cluster and every member are
``available`` at the target (waiting.py judges the reads). The call is sent once, by a client that does not retry:
an answer lost on the way (a server error, a broken connection) may hide an accepted upgrade, so the run then waits for
the upgrade to show instead of sending the call again, and a run that finds an upgrade running only waits for it.
"""

import math
from collections import namedtuple

try:
    from botocore.exceptions import ClientError
except ImportError:
    pass  # AnsibleAWSModule reports the missing SDK.

from ansible_collections.aurora.global_db.plugins.module_utils._managed_minor_checks import METHOD
from ansible_collections.aurora.global_db.plugins.module_utils._managed_minor_checks import feature_refusal_message
from ansible_collections.aurora.global_db.plugins.module_utils._managed_minor_checks import format_member_events
from ansible_collections.aurora.global_db.plugins.module_utils._managed_minor_checks import is_feature_refusal
from ansible_collections.aurora.global_db.plugins.module_utils._managed_minor_checks import members_at
from ansible_collections.aurora.global_db.plugins.module_utils._managed_minor_checks import method_refusals
from ansible_collections.aurora.global_db.plugins.module_utils._managed_minor_checks import outcome_unknown
from ansible_collections.aurora.global_db.plugins.module_utils._managed_minor_checks import upgrade_under_way
from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.facts import GlobalDatabaseReader
from ansible_collections.aurora.global_db.plugins.module_utils._fanout import fan_out
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import MemberTimes
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import event_entries
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import members_upgraded_together
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import utc_timestamp
from ansible_collections.aurora.global_db.plugins.module_utils._progress_file import ProgressFile
from ansible_collections.aurora.global_db.plugins.module_utils.rds import aws_step
from ansible_collections.aurora.global_db.plugins.module_utils.rds import error_code
from ansible_collections.aurora.global_db.plugins.module_utils.rds import error_message
from ansible_collections.aurora.global_db.plugins.module_utils.rds import is_throttled
from ansible_collections.aurora.global_db.plugins.module_utils.rds import recent_events
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import GLOBAL_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import Resource
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import read_upgrade_state
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import TimedRun
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import WaitFailed
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import wait_for_upgrade

ManagedMinorRequest = namedtuple("ManagedMinorRequest", [
    "global_cluster_identifier", "engine_version", "wait_timeout", "poll_interval", "status_settle_seconds"])
ManagedMinorRequest.__doc__ = """The module's options that say what to upgrade and how long to wait (names as in the module)."""

# DescribeEvents looks back at least this many minutes (AWS's default), at most 14 days (AWS's limit).
_EVENT_MINUTES = (60, 20160)


class ManagedMinorRefused(AuroraGlobalError):
    """The method cannot do this upgrade, or AWS refused it; nothing was changed."""


def start_managed_minor_upgrade(client, region, identifier, target):
    """ModifyGlobalCluster(EngineVersion) without AllowMajorVersionUpgrade, once, with a client that does not retry."""
    with aws_step(region, "Starting the managed minor upgrade of global cluster %s to %s (ModifyGlobalCluster in %s)" % (identifier, target, region)):
        client.modify_global_cluster(GlobalClusterIdentifier=identifier, EngineVersion=target)


def _http_status(error):
    exception = error.exception
    return exception.response.get("ResponseMetadata", {}).get("HTTPStatusCode") if isinstance(exception, ClientError) else None


class ManagedMinorUpgrade(TimedRun):
    """One run of aurora_global_managed_minor.

    ``single_attempt_rds(region)`` gives the RDS client the one mutating call is sent with (no retries). Every
    AuroraGlobalError leaving run() carries the run's progress (see progress()).
    """

    def __init__(self, clients, single_attempt_rds, request, check_mode, clock, sleep, progress_file=None):
        super().__init__(clients, request, check_mode, clock, sleep)
        self._progress_file = ProgressFile(progress_file, request.global_cluster_identifier)
        self._single_attempt_rds = single_attempt_rds
        self._reader = GlobalDatabaseReader(clients)
        self._plan = None
        self._call_sent = False
        self._resumed = False
        self._rolled_back = False
        self._failed = []
        self._still_upgrading = []
        self._timed_out = False
        self._run_started_at = None
        self._times = MemberTimes()
        self._before_members = []
        self._after_members = None

    def progress(self):
        progress = {
            "method": METHOD,
            "changed": self._call_sent,
            "call_sent": self._call_sent,
            "resumed": self._resumed,
            "rolled_back": self._rolled_back,
            "failed_members": list(self._failed),
            "still_upgrading": list(self._still_upgrading),
            "timed_out": self._timed_out,
        }
        if self._plan is not None:
            progress["upgrade_plan"] = self._plan
        progress.update(started_at=self._run_started_at, finished_at=utc_timestamp(), members=members_upgraded_together(
            self._before_members, self._after_members, self._plan and self._plan["target_engine_version"], self._times, self._failed,
            self._still_upgrading))
        return progress

    def _run(self):
        self._run_started_at = utc_timestamp()
        target = self._request.engine_version
        facts = self._reader.facts(self._request.global_cluster_identifier)
        self._plan = self._reader.plan(facts, target, "engine_version")
        target = self._plan["target_engine_version"]
        refusals = method_refusals(facts, self._plan)
        if refusals:
            raise ManagedMinorRefused(" ".join(refusals))
        self._before_members = facts["members"]
        before = {m["db_cluster_identifier"]: m["engine_version"] for m in facts["members"]}
        resources = [Resource(GLOBAL_CLUSTER, facts["global_cluster_identifier"], self._clients.home_region)] + [
            Resource(DB_CLUSTER, m["db_cluster_identifier"], m["region"]) for m in facts["members"]]
        would_upgrade = bool(self._plan["pending"])
        if upgrade_under_way(facts):
            self._resumed = True
            # AWS's start is not known: the upgrade counts from this run's.
            self._times.started(self._plan["pending"])
            if not self._check_mode:
                self._wait(resources, target)
        elif would_upgrade and not self._check_mode:
            primary = next(m for m in facts["members"] if m["db_cluster_identifier"] == facts["primary"])
            self._send(primary["region"], facts["global_cluster_identifier"], target, self._plan["pending"])
            self._wait(resources, target)
        after = facts if self._check_mode else self._reader.facts(self._request.global_cluster_identifier)
        if not self._check_mode:
            self._after_members = after["members"]
        result = self.progress()
        result.update(
            changed=self._call_sent or (self._check_mode and would_upgrade and not self._resumed),
            upgraded=list(self._plan["pending"]) if self._check_mode else [m for m in members_at(after, target) if before.get(m) != target],
            global_cluster=after,
            diff={"before": before, "after": {m: target for m in before} if self._check_mode and would_upgrade else
                  {m["db_cluster_identifier"]: m["engine_version"] for m in after["members"]}},
        )
        return result

    def _send(self, region, identifier, target, members):
        """The one ModifyGlobalCluster, which upgrades ``members``; sent again only when AWS throttled it (then it was not processed)."""
        while True:
            try:
                start_managed_minor_upgrade(self._single_attempt_rds(region), region, identifier, target)
                self._times.started(members)
                self._call_sent = True
                return
            except AuroraGlobalError as error:
                code = error_code(error)
                if is_throttled(error) and self._deadline.remaining() > 0:
                    self._sleep(min(self._request.poll_interval, self._deadline.remaining()))
                    continue
                if outcome_unknown(_http_status(error), code is not None):
                    # Maybe applied: the wait tells, within status_settle_seconds; never a second call.
                    self._times.started(members)
                    self._call_sent = True
                    return
                if is_feature_refusal(code, error_message(error)):
                    raise ManagedMinorRefused(feature_refusal_message(identifier, region, target, error_message(error)), exception=error.exception) from error
                raise AuroraGlobalError(
                    message="%s failed; nothing was changed. Fix the cause AWS gives, then run again. AWS said" % error.message,
                    exception=error.exception,
                ) from error

    def _wait(self, resources, target):
        try:
            wait_for_upgrade(resources, self._read_state, target, self._deadline, self._request.poll_interval,
                             self._request.status_settle_seconds, self._sleep)
            self._times.finished(self._plan["pending"])
        except WaitFailed as failure:
            self._timed_out = failure.timed_out
            self._still_upgrading = [resource.identifier for resource in failure.still_running]
            if not failure.failed:
                raise
            self._failed = [resource.identifier for resource in failure.failed]
            self._times.finished(self._failed)
            self._rolled_back = True
            members = [resource for resource in resources if resource.kind == DB_CLUSTER]
            raise AuroraGlobalError(
                "The managed minor upgrade of global cluster %s to %s did not complete (AWS rolled it back: every member is at its "
                "old version): %s Recent RDS events: %s" % (
                    resources[0].identifier, target, failure.message, self._events(members))
            ) from failure

    def _events(self, members):
        minutes = min(max(_EVENT_MINUTES[0], int(math.ceil((self._clock() - self._started_at) / 60.0)) + 1), _EVENT_MINUTES[1])
        events = fan_out(lambda member: ((member.identifier, member.region), self._events_of(member, minutes)), members)
        for (identifier, _region), member_events in events:
            self._times.events[identifier] = event_entries(member_events)
        return format_member_events(events)

    def _events_of(self, member, minutes):
        try:
            return recent_events(self._clients, member.region, member.identifier, minutes)
        except AuroraGlobalError as error:
            return [{"Date": None, "Message": "(the events could not be read: %s)" % error}]

    def _read_state(self, resource):
        state = read_upgrade_state(self._clients, resource)
        self._progress_file.record(state)
        return state
