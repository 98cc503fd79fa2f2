# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fleet report: one row per global database with its plan's state, and the geometry of its support timeline chart.

The playbook aurora.global_db.fleet_report renders this model as Markdown, JSON and one self-contained HTML page
(an inline SVG chart, no script, nothing fetched). Pure functions of the plans and the day, so that two runs on the
same fleet and day give the same report.
"""

import datetime

UP_TO_DATE = "up_to_date"
UPGRADABLE = "upgradable"
BLOCKED = "blocked"
ERROR = "error"
STATES = (UP_TO_DATE, UPGRADABLE, BLOCKED, ERROR)
STATE_LABELS = {UP_TO_DATE: "up to date", UPGRADABLE: "upgradable", BLOCKED: "blocked", ERROR: "not read"}

# Chart geometry, in SVG user units.
CHART_LEFT = 170
CHART_WIDTH = 760
ROW_HEIGHT = 26
CHART_TOP = 34
# The timeline starts and ends this far around the dates it shows.
MARGIN_DAYS = 120


def plan_state(entry):
    """(state, why) of one global database: its plan against its target, or why it was not read."""
    if entry.get("error"):
        return ERROR, entry["error"]
    plan = entry.get("plan")
    if not entry.get("target") or not plan or plan.get("kind") == "none":
        return UP_TO_DATE, "no newer minor version supports global databases" if not entry.get("target") else "every member runs %s" % entry["target"]
    if plan.get("blockers"):
        return BLOCKED, "; ".join("%s: %s" % (blocker["code"], blocker["message"]) for blocker in plan["blockers"])
    return UPGRADABLE, "%s upgrade to %s (%s)" % (plan.get("kind"), plan.get("target_engine_version"), plan.get("method"))


def _row(entry):
    facts, lifecycle = entry.get("facts") or {}, entry.get("lifecycle") or {}
    state, why = plan_state(entry)
    members = facts.get("members") or []
    return {
        "global_cluster_identifier": entry["name"],
        "engine": facts.get("engine"),
        "engine_version": facts.get("engine_version"),
        "member_versions": sorted({m["engine_version"] for m in members if m.get("engine_version")}),
        "regions": sorted({m["region"] for m in members}),
        "primary": facts.get("primary"),
        "status": facts.get("status"),
        "target_engine_version": entry.get("target"),
        "state": state,
        "state_label": STATE_LABELS[state],
        "why": why,
        "major_engine_version": lifecycle.get("major_engine_version"),
        "standard_support_end": lifecycle.get("standard_support_end"),
        "extended_support_end": lifecycle.get("extended_support_end"),
        "in_extended_support": bool(lifecycle.get("in_extended_support")),
        "days_until_standard_support_end": lifecycle.get("days_until_standard_support_end"),
    }


def _day(text):
    return datetime.date.fromisoformat(text) if text else None


class _Timeline:
    """Days to x coordinates between ``first`` and ``last``."""

    def __init__(self, first, last):
        self.first, self.last = first, last

    def x(self, day):
        span = max((self.last - self.first).days, 1)
        return round(CHART_LEFT + CHART_WIDTH * (day - self.first).days / span, 1)

    def year_ticks(self):
        return [{"x": self.x(datetime.date(year, 1, 1)), "label": str(year)} for year in range(self.first.year + 1, self.last.year + 1)]


def _chart(rows, today):
    days = [today] + [_day(row[key]) for row in rows for key in ("standard_support_end", "extended_support_end") if row[key]]
    timeline = _Timeline(min(days) - datetime.timedelta(days=MARGIN_DAYS), max(days) + datetime.timedelta(days=MARGIN_DAYS))
    chart_rows = []
    for index, row in enumerate(rows):
        standard_end, extended_end = _day(row["standard_support_end"]), _day(row["extended_support_end"])
        y = CHART_TOP + index * ROW_HEIGHT
        chart_rows.append({
            "y": y,
            "label": row["global_cluster_identifier"],
            "standard": {"x1": timeline.x(timeline.first), "x2": timeline.x(standard_end)} if standard_end else None,
            "extended": {"x1": timeline.x(standard_end), "x2": timeline.x(extended_end)} if standard_end and extended_end else None,
            # The mark sits on the end of standard support (today when AWS gave no date): how close the deadline is, and the plan's state.
            "mark": {"x": timeline.x(standard_end or today), "state": row["state"],
                     "title": "%s %s: %s (%s)" % (row["global_cluster_identifier"], row["engine_version"], row["state_label"], row["why"])},
        })
    return {
        "width": CHART_LEFT + CHART_WIDTH + 20,
        "height": CHART_TOP + len(rows) * ROW_HEIGHT + 10,
        "left": CHART_LEFT,
        "right": CHART_LEFT + CHART_WIDTH,
        "top": CHART_TOP - 14,
        "bottom": CHART_TOP + len(rows) * ROW_HEIGHT - 6,
        "today_x": timeline.x(today),
        "ticks": timeline.year_ticks(),
        "rows": chart_rows,
    }


def fleet_report(entries, generated_at):
    """The report of ``entries`` (dicts: name, facts, lifecycle, target, plan, error) at ``generated_at`` (ISO 8601, UTC)."""
    today = datetime.datetime.fromisoformat(generated_at.replace("Z", "+00:00")).date()
    # Soonest end of standard support first: the fleet's most urgent work on top; unknown dates last.
    rows = sorted((_row(entry) for entry in entries), key=lambda row: (row["standard_support_end"] or "9999", row["global_cluster_identifier"]))
    return {
        "generated_at": generated_at,
        "today": today.isoformat(),
        "global_databases": len(rows),
        "counts": {state: sum(1 for row in rows if row["state"] == state) for state in STATES},
        "state_labels": STATE_LABELS,
        "rows": rows,
        "chart": _chart(rows, today),
    }
