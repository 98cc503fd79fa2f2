# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import datetime
import re

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import EVENTS_KEPT
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import MemberTimes
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import event_entries
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import format_events
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import member_entry
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import member_outcome
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import members_upgraded_together
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import utc_timestamp


@pytest.mark.parametrize("at_target_before, started, failed, still_upgrading, done, expected", [
    (False, True, True, False, False, "failed"),
    (True, False, False, False, True, "already_at_target"),
    (False, True, False, False, True, "upgraded"),
    (False, True, False, True, False, "still_upgrading"),
    (False, True, False, False, False, "still_upgrading"),
    (False, False, False, False, False, "not_started"),
])
def test_member_outcome(at_target_before, started, failed, still_upgrading, done, expected):
    assert member_outcome(at_target_before, started, failed, still_upgrading, done) == expected


def test_times_are_utc_iso_and_kept_from_the_first_record():
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", utc_timestamp())
    moments = iter(["2026-12-01T10:00:00Z", "2026-12-01T10:05:00Z"])
    times = MemberTimes(lambda: next(moments))
    times.started(["a"])
    times.started(["a"])
    assert times.started_at == {"a": "2026-12-01T10:00:00Z"}


def test_events_keep_the_last_ones_with_iso_dates():
    events = [{"Date": datetime.datetime(2026, 12, 1, 10, minute, tzinfo=datetime.timezone.utc), "Message": "m%d" % minute} for minute in range(15)]
    entries = event_entries(events)
    assert len(entries) == EVENTS_KEPT and entries[-1] == {"date": "2026-12-01T10:14:00+00:00", "message": "m14"}
    assert format_events(entries[-1:]) == "[2026-12-01T10:14:00+00:00] m14" and format_events([]) == "none."


def test_member_entry_reads_the_member_before_and_after():
    member = {"db_cluster_identifier": "a", "region": "us-east-1", "role": "primary", "engine_version": "14.6", "db_cluster_parameter_group": "custom"}
    entry = member_entry(member, None, "not_started", MemberTimes())
    assert (entry["engine_version_before"], entry["engine_version_after"], entry["status"], entry["db_cluster_parameter_group_before"]) == (
        "14.6", None, None, "custom")


BEFORE = [{"db_cluster_identifier": "pg-primary-use1", "region": "us-east-1", "role": "primary", "engine_version": "14.6", "status": "available"},
          {"db_cluster_identifier": "pg-secondary-euw1", "region": "eu-west-1", "role": "secondary", "engine_version": "14.9", "status": "available"}]
START, END = "2026-03-01T10:00:05Z", "2026-03-01T10:19:50Z"


@pytest.mark.parametrize("after_version, started, finished, failed, still, outcome, times", [
    ("14.9", True, True, [], [], "upgraded", (START, END)),
    ("14.6", True, True, ["pg-primary-use1"], [], "failed", (START, END)),
    (None, True, False, [], ["pg-primary-use1"], "still_upgrading", (START, None)),
    (None, False, False, [], [], "not_started", (None, None)),
])
def test_members_upgraded_together_by_one_request(after_version, started, finished, failed, still, outcome, times):
    moments = iter([START, END])
    run_times = MemberTimes(lambda: next(moments))
    if started:
        run_times.started(["pg-primary-use1"])
    if finished:
        run_times.finished(["pg-primary-use1"])
    after = None if after_version is None else [dict(BEFORE[0], engine_version=after_version), BEFORE[1]]
    first, second = members_upgraded_together(BEFORE, after, "14.9", run_times, failed, still)
    assert (first["engine_version_before"], first["engine_version_after"], first["outcome"]) == ("14.6", after_version, outcome)
    assert (first["started_at"], first["finished_at"]) == times
    # Already at the target: never reached, whatever else happened.
    assert (second["outcome"], second["started_at"], second["finished_at"]) == ("already_at_target", None, None)
