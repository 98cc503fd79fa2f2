# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.aurora.global_db.plugins.filter.member_outcomes import member_outcomes

ORDER = ["pg-secondary-apse2", "pg-secondary-euw1", "pg-primary-use1"]
REGIONS = ["ap-southeast-2", "eu-west-1", "us-east-1"]


def _facts(versions, statuses=None, pending=(), target="14.9"):
    statuses = statuses or ["available"] * len(versions)
    members = [
        {"db_cluster_identifier": identifier, "region": region, "role": "primary" if identifier.startswith("pg-primary") else "secondary",
         "engine_version": version, "status": status}
        for identifier, region, version, status in zip(ORDER, REGIONS, versions, statuses)
    ]
    return {"members": members, "upgrade_plan": {"target_engine_version": target, "pending": list(pending)}}


def _column(outcomes, key):
    return [outcome[key] for outcome in outcomes]


def test_a_finished_run_counts_every_pending_member_at_the_target():
    outcomes = member_outcomes(_facts(["14.6"] * 3, pending=ORDER), after=_facts(["14.9"] * 3))
    assert len(outcomes) == 3
    assert _column(outcomes, "db_cluster_identifier") == ORDER
    assert _column(outcomes, "upgraded") == [True] * 3
    assert _column(outcomes, "engine_version_before") == ["14.6"] * 3
    assert _column(outcomes, "engine_version_after") == ["14.9"] * 3


def test_a_member_already_at_the_target_was_not_upgraded_by_this_run():
    outcomes = member_outcomes(_facts(["14.9", "14.6", "14.6"], pending=ORDER[1:]), after=_facts(["14.9"] * 3))
    assert _column(outcomes, "upgraded") == [False, True, True]


def test_a_failed_member_is_never_counted_as_upgraded():
    before = _facts(["14.6"] * 3, pending=ORDER)
    after = _facts(["14.9", "14.6", "14.6"])
    outcomes = member_outcomes(before, after=after, failed_members=["pg-secondary-euw1"])
    assert _column(outcomes, "upgraded") == [True, False, False]
    assert _column(outcomes, "failed") == [False, True, False]


def test_a_member_at_the_target_but_not_available_is_still_upgrading():
    before = _facts(["14.6"] * 3, pending=ORDER)
    after = _facts(["14.9", "14.6", "14.6"], statuses=["available", "upgrading", "available"])
    outcomes = member_outcomes(before, after=after, still_upgrading=[])
    assert _column(outcomes, "still_upgrading") == [False, True, False]
    assert _column(outcomes, "upgraded") == [True, False, False]
    assert _column(outcomes, "status") == ["available", "upgrading", "available"]


def test_the_module_still_upgrading_list_counts_even_while_the_status_reads_available():
    outcomes = member_outcomes(_facts(["14.6"] * 3, pending=ORDER), after=_facts(["14.6"] * 3), still_upgrading=["pg-secondary-apse2"])
    assert _column(outcomes, "still_upgrading") == [True, False, False]


def test_a_member_an_earlier_run_left_upgrading_was_not_upgraded_by_this_run():
    before = _facts(["14.6"] * 3, statuses=["upgrading", "available", "available"], pending=ORDER)
    before["upgrade_plan"]["blockers"] = [{"code": "member_not_available", "in_flight": True, "clusters": ["pg-secondary-apse2"]}]
    outcomes = member_outcomes(before, after=_facts(["14.9"] * 3))
    assert _column(outcomes, "upgraded") == [False, True, True]
    assert _column(outcomes, "upgrading_before") == [True, False, False]


def test_check_mode_reports_what_would_end_at_the_target():
    outcomes = member_outcomes(_facts(["14.9", "14.6", "14.6"], pending=ORDER[1:]))
    assert _column(outcomes, "engine_version_after") == ["14.9", "14.9", "14.9"]
    assert _column(outcomes, "upgraded") == [False, True, True]


def test_a_member_gone_from_the_global_database_is_reported_as_such():
    after = _facts(["14.9", "14.9"])
    outcomes = member_outcomes(_facts(["14.6"] * 3, pending=ORDER), after=after)
    assert outcomes[2]["status"] == "not a member any more" and outcomes[2]["upgraded"] is False


def test_an_unread_global_database_leaves_every_status_unknown():
    outcomes = member_outcomes(_facts(["14.6"] * 3, pending=ORDER), after={})
    assert _column(outcomes, "status") == ["unknown"] * 3 and _column(outcomes, "upgraded") == [False] * 3


def test_facts_without_a_plan_are_refused():
    with pytest.raises(AnsibleFilterError):
        member_outcomes({"members": []})
