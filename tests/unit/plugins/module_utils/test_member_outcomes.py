# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Each member's outcome and times when AWS upgrades every member at once (managed_minor, blue_green)."""

import datetime

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils.member_outcomes import member_outcomes
from ansible_collections.aurora.global_db.plugins.module_utils.member_outcomes import timestamp

BEFORE = [{"db_cluster_identifier": "pg-primary-use1", "region": "us-east-1", "engine_version": "14.6"},
          {"db_cluster_identifier": "pg-secondary-euw1", "region": "eu-west-1", "engine_version": "14.9"}]
START, END = "2026-03-01T10:00:05Z", "2026-03-01T10:19:50Z"


@pytest.mark.parametrize("after, failed, still, outcome, times", [
    ({"pg-primary-use1": "14.9"}, [], [], "upgraded", (START, END)),
    ({"pg-primary-use1": "14.6"}, ["pg-primary-use1"], [], "failed", (START, END)),
    ({}, [], ["pg-primary-use1"], "still_upgrading", (START, None)),
    ({}, [], [], "not_started", (None, None)),
])
def test_the_outcome_of_a_member_below_the_target(after, failed, still, outcome, times):
    first, second = member_outcomes(BEFORE, after, "14.9", failed, still, START, END)
    assert first == {"db_cluster_identifier": "pg-primary-use1", "region": "us-east-1", "engine_version_before": "14.6",
                     "engine_version_after": after.get("pg-primary-use1"), "started_at": times[0], "finished_at": times[1], "outcome": outcome}
    # Already at the target: never reached, whatever else happened.
    assert (second["outcome"], second["started_at"], second["finished_at"]) == ("already_at_target", None, None)


def test_timestamps_are_utc_iso_8601_to_the_second():
    assert timestamp(datetime.datetime(2026, 3, 1, 10, 0, 5, tzinfo=datetime.timezone.utc)) == START
    assert timestamp(None) is None
