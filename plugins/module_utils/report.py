# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The report of one run of the upgrade role, for a change ticket: what was planned and checked, what each member
went through, the snapshot, the parameter groups, the reboots, where the run stopped and what is left to do.

Built from what the role read and recorded, so that it can also be written when the run stopped early (then some of
the inputs are None). The role renders it as JSON and as Markdown.
"""

from ansible_collections.aurora.global_db.plugins.module_utils._versions import AURORA_POSTGRESQL
from ansible_collections.aurora.global_db.plugins.module_utils._versions import MAJOR

SUCCEEDED = "succeeded"
STOPPED = "stopped"
CHECK_MODE = "check mode"


def _member_rows(before, result, member_times):
    """Each member with its versions and times: from the role's result when it got that far, else from the first read."""
    if result and result.get("members"):
        members = result["members"]
    else:
        members = [dict(m, engine_version_before=m.get("engine_version"), engine_version_after=None) for m in (before or {}).get("members", [])]
    rows = []
    for member in members:
        times = member_times.get(member["db_cluster_identifier"], {})
        rows.append({
            "db_cluster_identifier": member["db_cluster_identifier"],
            "region": member.get("region"),
            "role": member.get("role"),
            "engine_version_before": member.get("engine_version_before"),
            "engine_version_after": member.get("engine_version_after"),
            "status": member.get("status"),
            "upgraded": bool(member.get("upgraded")),
            "failed": bool(member.get("failed")),
            "still_upgrading": bool(member.get("still_upgrading")),
            "started_at": times.get("started_at"),
            "finished_at": times.get("finished_at"),
        })
    return rows


def follow_ups(engine, kind, members, snapshot, parameter_groups):
    """What AWS recommends after the upgrade, and what this run left to do."""
    steps = []
    if kind == MAJOR and engine == AURORA_POSTGRESQL:
        steps.append("Run ANALYZE in every database of the primary: a major upgrade does not carry the planner statistics (pg_statistic) over.")
        steps.append("Update the extensions in every database: ALTER EXTENSION <name> UPDATE for each one listed by "
                     "SELECT name, installed_version, default_version FROM pg_available_extensions WHERE installed_version <> default_version.")
    versions = sorted({m["engine_version_after"] for m in members if m["engine_version_after"]})
    if len(versions) > 1 or any(not m["engine_version_after"] for m in members):
        steps.append("Not every member is known to run the same engine version (%s): bring them all to the target before a switchover or "
                     "failover, which needs matching versions." % (", ".join(versions) or "unknown"))
    else:
        steps.append("Every member runs %s: check it again before a managed switchover or failover, which needs matching versions." % versions[0])
    if kind == MAJOR and not parameter_groups:
        steps.append("AWS put every member and instance on the default parameter groups of the new version: apply your custom groups of the "
                     "new family (aurora_global_upgrade_db_cluster_parameter_groups, aurora_global_upgrade_db_parameter_groups).")
    if parameter_groups and parameter_groups.get("pending_reboot"):
        steps.append("Reboot, readers before writers, the instances whose parameter groups wait for a reboot: %s "
                     "(or run again with aurora_global_upgrade_reboot_for_parameter_groups: true)." % ", ".join(parameter_groups["pending_reboot"]))
    if snapshot:
        steps.append("Delete snapshot %s (%s) once the upgraded database is accepted: manual snapshots are kept, and billed, until deleted." % (
            snapshot["identifier"], snapshot["region"]))
    return steps


def upgrade_report(global_cluster_identifier, target_engine_version, before, result, member_times=None, snapshot=None, parameter_groups=None,
                   check_mode=False, stopped_at=None, message=None, written_at=None):
    """The report as a dict (the JSON file; the Markdown file renders the same dict).

    ``before``: the aurora_global facts read before acting (with upgrade_plan), None when the run stopped before that.
    ``result``: aurora_global_upgrade_result, None when the run stopped before it was recorded. ``stopped_at``: the task
    the run stopped at, None when it completed.
    """
    plan = (before or {}).get("upgrade_plan") or {}
    kind = plan.get("kind")
    members = _member_rows(before, result, member_times or {})
    if stopped_at:
        outcome = STOPPED
    else:
        outcome = CHECK_MODE if check_mode else SUCCEEDED
    report = {
        "global_cluster_identifier": (before or {}).get("global_cluster_identifier", global_cluster_identifier),
        "engine": (before or {}).get("engine"),
        "engine_version_before": (before or {}).get("engine_version"),
        "target_engine_version": plan.get("target_engine_version", target_engine_version),
        "kind": kind,
        "method": plan.get("method"),
        "outcome": outcome,
        "check_mode": bool(check_mode),
        "stopped_at": stopped_at,
        "message": message or (result or {}).get("msg") or None,
        "written_at": written_at,
        "restrictions_checked": plan.get("checked", []),
        "blockers": plan.get("blockers", []),
        "members": members,
        "snapshot": snapshot,
        "parameter_groups": parameter_groups,
        "follow_ups": [],
    }
    if outcome == SUCCEEDED:
        report["follow_ups"] = follow_ups(report["engine"], kind, members, snapshot, parameter_groups)
    elif outcome == STOPPED:
        report["follow_ups"] = ["Fix the cause above, then run the role again with the same variables: it resumes where this run stopped."]
    return report
