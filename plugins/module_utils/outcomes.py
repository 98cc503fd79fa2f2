# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a waiting module reports about each member, written once for every method.

A module that changes members and waits (aurora_global_upgrade, aurora_global_snapshot_restore,
aurora_global_managed_minor, aurora_global_blue_green) keeps a MemberTimes while it runs and returns ``members``:
per member, its versions before and after, when this run started and finished with it (UTC, ISO 8601), its
``outcome`` and the RDS events that explain a failure. The role relays that list (summary, report, AWX stats) as
it is: nothing is worked out a second time.
"""

import datetime

from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_ready

UPGRADED = "upgraded"
ALREADY_AT_TARGET = "already_at_target"
FAILED = "failed"
STILL_UPGRADING = "still_upgrading"
NOT_STARTED = "not_started"
OUTCOMES = (UPGRADED, ALREADY_AT_TARGET, FAILED, STILL_UPGRADING, NOT_STARTED)

# At most this many of a member's recent events are returned: the last ones, where AWS says what went wrong.
EVENTS_KEPT = 10


def utc_timestamp():
    """Now, in UTC, as ISO 8601 to the second (``2026-12-06T22:05:00Z``): the form of every time the modules return."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def event_entries(events):
    """RDS events (DescribeEvents, oldest first) as the modules return them: the last EVENTS_KEPT, ``{date, message}``."""
    return [
        {"date": event["Date"].isoformat() if hasattr(event.get("Date"), "isoformat") else event.get("Date"), "message": event.get("Message")}
        for event in events[-EVENTS_KEPT:]
    ]


def format_events(entries):
    """Events as one line of text, oldest first, each as "[time] AWS's message", for an error message."""
    return " ".join("[%s] %s" % (entry["date"], entry["message"]) for entry in entries) or "none."


class MemberTimes:
    """When a run started and finished with each member (UTC ISO 8601), and the events read for the failed ones."""

    def __init__(self, now=utc_timestamp):
        self._now = now
        self.started_at = {}
        self.finished_at = {}
        self.events = {}

    def started(self, identifiers):
        at = self._now()
        for identifier in identifiers:
            self.started_at.setdefault(identifier, at)

    def finished(self, identifiers):
        at = self._now()
        for identifier in identifiers:
            self.finished_at.setdefault(identifier, at)


def is_done(member, target):
    """A member (as the facts describe it) runs ``target``, is ready and has no engine version change pending."""
    return member["engine_version"] == target and is_ready(DB_CLUSTER, member["status"]) and not member.get("pending_engine_version")


def member_outcome(at_target_before, started, failed, still_upgrading, done):
    """One member's outcome in this run.

    ``at_target_before``: it ran the target when the run began. ``started``: this run (or an earlier one, whose upgrade
    this run waited for) started its upgrade. ``failed`` / ``still_upgrading``: as the run's waits found it. ``done``: read
    at the target and settled after the run.
    """
    if failed:
        return FAILED
    if at_target_before:
        return ALREADY_AT_TARGET
    if done:
        return UPGRADED
    if still_upgrading or started:
        return STILL_UPGRADING
    return NOT_STARTED


def member_entry(member, after, outcome, times, times_key=None, **extra):
    """The dict returned for one member: ``member`` as read before the run, ``after`` as read after it (None: unread).

    ``times_key``: the identifier ``times`` knows the member by, when it is not the member's own (a new cluster's)."""
    identifier = member["db_cluster_identifier"]
    key = times_key or identifier
    entry = {
        "db_cluster_identifier": identifier,
        "region": member["region"],
        "role": member["role"],
        "engine_version_before": member["engine_version"],
        "engine_version_after": (after or {}).get("engine_version"),
        "status": (after or {}).get("status"),
        "db_cluster_parameter_group_before": member.get("db_cluster_parameter_group"),
        "db_cluster_parameter_group_after": (after or {}).get("db_cluster_parameter_group"),
        "started_at": times.started_at.get(key),
        "finished_at": times.finished_at.get(key),
        "outcome": outcome,
        "events": times.events.get(key, []),
    }
    entry.update(extra)
    return entry


def members_upgraded_together(before_members, after_members, target, times, failed=(), still_upgrading=()):
    """``members`` of a run in which one AWS request upgrades every member (managed_minor, blue_green).

    ``before_members`` / ``after_members``: the facts' members read before and after the run (None: not read after).
    ``times`` knows when the run started and finished with each member; ``failed`` and ``still_upgrading`` are identifiers.
    """
    after = {m["db_cluster_identifier"]: m for m in after_members or []}
    entries = []
    for member in before_members:
        identifier = member["db_cluster_identifier"]
        found = after.get(identifier)
        outcome = member_outcome(
            at_target_before=is_done(member, target), started=identifier in times.started_at, failed=identifier in failed,
            still_upgrading=identifier in still_upgrading, done=found is not None and is_done(found, target))
        entries.append(member_entry(member, found, outcome, times))
    return entries
