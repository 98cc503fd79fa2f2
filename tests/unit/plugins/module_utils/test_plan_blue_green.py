# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Blue/Green prerequisites in the plan: one blocker blue_green_prerequisite each, in methods.blue_green only."""

from ansible_collections.aurora.global_db.plugins.module_utils._blue_green_checks import BlueGreenReadings
from ansible_collections.aurora.global_db.plugins.module_utils._plan import build_upgrade_plan
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import checked_codes

CODE = "blue_green_prerequisite"


def _readings(facts, logical_replication="1", secret_managed=()):
    return BlueGreenReadings({m["db_cluster_identifier"]: {"rds.logical_replication": logical_replication} for m in facts["members"]},
                             list(secret_managed), {}, [])


def _plan(facts, targets, readings, method="in_place"):
    state = facts
    return build_upgrade_plan(state, "15.4", {m["db_cluster_identifier"]: targets("15.4", major=("15.4",)) for m in state["members"]},
                              method, blue_green_readings=readings)


def test_each_failed_prerequisite_is_a_blocker_of_blue_green_only(facts, targets):
    state = facts(version="14.6")
    plan = _plan(state, targets, _readings(state, logical_replication="0", secret_managed=["pg-primary-use1"]))
    prerequisites = [b for b in plan["methods"]["blue_green"] if b["code"] == CODE]
    messages = [b["message"] for b in prerequisites]
    assert len(prerequisites) == 3, messages
    assert "logical replication is off" in messages[0] and "lowest version" in messages[1] and "Secrets Manager" in messages[2]
    assert prerequisites[2]["clusters"] == ["pg-primary-use1"] and not any(b["in_flight"] for b in prerequisites)
    assert all(b["code"] != CODE for method, blockers in plan["methods"].items() if method != "blue_green" for b in blockers)
    assert CODE not in plan["checked"]


def test_the_plan_of_blue_green_reports_them_and_a_ready_database_has_none(facts, targets):
    state = facts(version="14.9")
    refused = _plan(state, targets, _readings(state, logical_replication="0"), method="blue_green")
    assert [b["code"] for b in refused["blockers"]] == [CODE] and refused["checked"] == checked_codes("blue_green") and CODE in refused["checked"]
    assert _plan(state, targets, _readings(state), method="blue_green")["blockers"] == []


def test_without_readings_the_prerequisites_are_not_checked(facts, targets):
    state = facts(version="14.6")
    assert _plan(state, targets, None, method="blue_green")["blockers"] == []
