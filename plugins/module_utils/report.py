"""The report of one run of the upgrade role, for a change ticket: what was planned and checked, what each member
went through, the snapshot, the parameter groups, the reboots, why the run stopped and what is left to do.

Built from aurora_global_upgrade_result alone, which relays what the modules returned (each member's versions,
times and outcome come from the method's module), so that it can also be written after a refusal or a failure
(then some keys are None). The role renders it as JSON and as Markdown.
"""

from ansible_collections.aurora.global_db.plugins.module_utils._versions import AURORA_POSTGRESQL
from ansible_collections.aurora.global_db.plugins.module_utils._versions import MAJOR
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import NOT_STARTED

SUCCEEDED = "succeeded"
STOPPED = "stopped"
CHECK_MODE = "check mode"
# The AWS call behind each in-place plan, as the report words it.
_AWS_CALLS = {"global": "one ModifyGlobalCluster call", "per_cluster": "ModifyDBCluster on each member, secondaries first"}


def _member_rows(result):
    """Each member as the method's module returned it; after a refusal, as the first read found it (not started)."""
    if result.get("members"):
        return [dict(member) for member in result["members"]]
    before = result.get("global_cluster_before") or {}
    return [{
        "db_cluster_identifier": m["db_cluster_identifier"], "region": m.get("region"), "role": m.get("role"),
        "engine_version_before": m.get("engine_version"), "engine_version_after": m.get("engine_version"), "status": m.get("status"),
        "db_cluster_parameter_group_before": m.get("db_cluster_parameter_group"), "started_at": None, "finished_at": None,
        "outcome": NOT_STARTED, "events": [],
    } for m in before.get("members", [])]


def _parameter_groups(result):
    """The custom groups, each with the group it replaced before the upgrade (read before any change: AWS resets the
    groups to its defaults during a major upgrade) and whether it was applied; None when no group was named."""
    # A check or an apply that failed returned no members: the message says why.
    checked, applied = [found if found and "members" in found else None
                        for found in (result.get("parameter_groups_check"), result.get("parameter_groups"))]
    if not (checked or applied):
        return None
    source = applied or checked
    before = {m["db_cluster_identifier"]: m for m in (checked or applied)["members"]}
    members = []
    for member in source["members"]:
        earlier = before.get(member["db_cluster_identifier"], member)
        earlier_instances = {i["db_instance_identifier"]: i for i in earlier.get("instances", [])}
        members.append(dict(
            member, db_cluster_parameter_group_before=earlier.get("db_cluster_parameter_group_before"),
            instances=[dict(i, db_parameter_group_before=earlier_instances.get(i["db_instance_identifier"], i).get("db_parameter_group_before"))
                       for i in member.get("instances", [])]))
    return {
        "applied": applied is not None,
        "parameter_group_family": source.get("parameter_group_family"),
        "members": members,
        "rebooted": (applied or {}).get("rebooted", []),
        "pending_reboot": applied["pending_reboot"] if applied else checked.get("pending_reboot", []) + checked.get("rebooted", []),
    }


def _snapshot(result):
    snapshot = result.get("snapshot")
    if not snapshot:
        return None
    return {"identifier": snapshot.get("db_cluster_snapshot_identifier"), "db_cluster_identifier": snapshot.get("db_cluster_identifier"),
            "region": snapshot.get("region"), "status": snapshot.get("status")}


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
        custom = ["%s: %s" % (m["db_cluster_identifier"], m["db_cluster_parameter_group_before"]) for m in members
                  if m.get("db_cluster_parameter_group_before") and not m["db_cluster_parameter_group_before"].startswith("default.")]
        steps.append("AWS put every member and instance on the default parameter groups of the new version: apply your custom groups of the "
                     "new family (aurora_global_upgrade_db_cluster_parameter_groups, aurora_global_upgrade_db_parameter_groups)%s." % (
                         "; the custom cluster groups before the upgrade were " + ", ".join(custom) if custom else ""))
    if parameter_groups and parameter_groups.get("pending_reboot"):
        steps.append("Reboot, readers before writers, the instances whose parameter groups wait for a reboot: %s "
                     "(or run again with aurora_global_upgrade_reboot_for_parameter_groups: true)." % ", ".join(parameter_groups["pending_reboot"]))
    if snapshot:
        steps.append("Delete snapshot %s (%s) once the upgraded database is accepted: manual snapshots are kept, and billed, until deleted." % (
            snapshot["identifier"], snapshot["region"]))
    return steps


def upgrade_report(result, written_at=None):
    """The report as a dict (the JSON file; the Markdown file renders the same dict), from aurora_global_upgrade_result."""
    plan = result.get("upgrade_plan") or {}
    kind = plan.get("kind")
    members = _member_rows(result)
    snapshot = _snapshot(result)
    parameter_groups = _parameter_groups(result)
    if result.get("failed"):
        outcome = STOPPED
    else:
        outcome = CHECK_MODE if result.get("check_mode") else SUCCEEDED
    report = {
        "global_cluster_identifier": result.get("global_cluster_identifier"),
        "engine": result.get("engine"),
        "engine_version_before": (result.get("global_cluster_before") or {}).get("engine_version"),
        "target_engine_version": plan.get("target_engine_version", result.get("engine_version")),
        "kind": kind,
        "method": result.get("method"),
        "aws_calls": _AWS_CALLS.get(plan.get("method")),
        "outcome": outcome,
        "check_mode": bool(result.get("check_mode")),
        "message": result.get("msg") or None,
        "started_at": result.get("started_at"),
        "finished_at": result.get("finished_at"),
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
    elif outcome == STOPPED and result.get("resumable", True):
        report["follow_ups"] = ["Fix the cause above, then run the role again with the same variables: it resumes where this run stopped."]
    return report
