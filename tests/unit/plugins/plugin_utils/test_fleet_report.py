# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fleet report's model: each plan's state and why, the order of the rows, the timeline's marks."""

from ansible_collections.aurora.global_db.plugins.plugin_utils.fleet_report import fleet_report
from ansible_collections.aurora.global_db.plugins.plugin_utils.fleet_report import plan_state

NOW = "2026-12-06T10:00:00Z"


def _entry(name, standard_end, target="14.10", plan=None, error=None):
    lifecycle = {"major_engine_version": "14", "standard_support_end": standard_end, "extended_support_end": "2030-02-28" if standard_end else None,
                 "in_extended_support": False, "days_until_standard_support_end": None}
    facts = {"engine": "aurora-postgresql", "engine_version": "14.6", "members": [{"engine_version": "14.6", "region": "us-east-1"}]}
    return {"name": name, "facts": facts, "lifecycle": lifecycle, "target": target, "plan": plan, "error": error}


def _plan(blockers=(), kind="minor"):
    return {"kind": kind, "target_engine_version": "14.10", "method": "per_cluster", "blockers": list(blockers)}


def test_each_state_and_why():
    assert plan_state(_entry("a", None, target=None)) == ("up_to_date", "no newer minor version supports global databases")
    assert plan_state(_entry("a", None, plan=_plan(kind="none")))[0] == "up_to_date"
    assert plan_state(_entry("a", None, plan=_plan())) == ("upgradable", "minor upgrade to 14.10 (per_cluster)")
    blocked = plan_state(_entry("a", None, plan=_plan([{"code": "rpo_enabled", "message": "RPO is on"}])))
    assert blocked == ("blocked", "rpo_enabled: RPO is on")
    assert plan_state(_entry("a", None, error="AccessDenied")) == ("error", "AccessDenied")


def test_rows_soonest_end_first_and_one_mark_each_inside_the_chart():
    report = fleet_report([_entry("late", "2029-02-28", plan=_plan()), _entry("unknown", None, plan=_plan()),
                           _entry("soon", "2027-02-28", plan=_plan())], NOW)
    assert [row["global_cluster_identifier"] for row in report["rows"]] == ["soon", "late", "unknown"]
    chart = report["chart"]
    marks = [row["mark"] for row in chart["rows"]]
    assert len(marks) == 3 and all(chart["left"] <= mark["x"] <= chart["right"] for mark in marks)
    assert marks[0]["x"] < marks[1]["x"]
    # A global database without dates is marked today.
    assert marks[2]["x"] == chart["today_x"] and chart["rows"][2]["standard"] is None
    assert report["counts"] == {"up_to_date": 0, "upgradable": 3, "blocked": 0, "error": 0}
