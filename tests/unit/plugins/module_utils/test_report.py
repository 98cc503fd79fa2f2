# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.aurora.global_db.plugins.module_utils.report import follow_ups
from ansible_collections.aurora.global_db.plugins.module_utils.report import upgrade_report

PLAN = {"target_engine_version": "15.4", "kind": "major", "method": "global", "pending": ["pg-secondary-euw1", "pg-primary-use1"],
        "blockers": [], "checked": ["rpo_enabled", "downgrade"]}
BEFORE = {
    "global_cluster_identifier": "pg-global", "engine": "aurora-postgresql", "engine_version": "14.6",
    "members": [
        {"db_cluster_identifier": "pg-secondary-euw1", "region": "eu-west-1", "role": "secondary", "engine_version": "14.6", "status": "available",
         "db_cluster_parameter_group": "pg-params"},
        {"db_cluster_identifier": "pg-primary-use1", "region": "us-east-1", "role": "primary", "engine_version": "14.6", "status": "available",
         "db_cluster_parameter_group": "pg-params"},
    ],
}
MEMBERS = [
    {"db_cluster_identifier": m["db_cluster_identifier"], "region": m["region"], "role": m["role"], "engine_version_before": "14.6",
     "engine_version_after": "15.4", "status": "available", "db_cluster_parameter_group_before": "pg-params",
     "db_cluster_parameter_group_after": "default.aurora-postgresql15", "started_at": "2026-12-01T10:00:00Z",
     "finished_at": "2026-12-01T10:30:00Z", "outcome": "upgraded", "events": []}
    for m in BEFORE["members"]
]
SNAPSHOT = {"db_cluster_snapshot_identifier": "pg-primary-use1-pre-14-6-to-15-4-202612010959", "db_cluster_identifier": "pg-primary-use1",
            "region": "us-east-1", "status": "available"}
RESULT = {"global_cluster_identifier": "pg-global", "engine": "aurora-postgresql", "method": "in_place", "upgrade_plan": PLAN,
          "global_cluster_before": BEFORE, "members": MEMBERS, "snapshot": SNAPSHOT, "check_mode": False, "failed": False, "msg": "",
          "started_at": "2026-12-01T09:59:00Z", "finished_at": "2026-12-01T10:31:00Z"}


def test_a_completed_major_upgrade_relays_the_members_as_the_module_returned_them():
    report = upgrade_report(RESULT, written_at="2026-12-01T10:31:00Z")
    assert (report["outcome"], report["kind"], report["method"], report["engine_version_before"]) == ("succeeded", "major", "in_place", "14.6")
    assert report["aws_calls"] == "one ModifyGlobalCluster call"
    assert report["restrictions_checked"] == ["rpo_enabled", "downgrade"]
    assert report["members"] == MEMBERS
    assert report["snapshot"] == {"identifier": SNAPSHOT["db_cluster_snapshot_identifier"], "db_cluster_identifier": "pg-primary-use1",
                                  "region": "us-east-1", "status": "available"}
    steps = report["follow_ups"]
    assert steps[0].startswith("Run ANALYZE") and "ALTER EXTENSION" in steps[1]
    assert any(step.startswith("Every member runs 15.4") for step in steps)
    # No custom groups were named: re-applying them is left to do, naming the groups the members had before.
    assert any("default parameter groups of the new version" in step and "pg-primary-use1: pg-params" in step for step in steps)
    assert any(SNAPSHOT["db_cluster_snapshot_identifier"] in step for step in steps)


def test_a_refused_run_lists_the_members_as_first_read():
    refused = dict(RESULT, members=None, snapshot=None, failed=True, msg="absent-params does not exist")
    report = upgrade_report(refused)
    assert report["outcome"] == "stopped" and report["message"] == "absent-params does not exist"
    assert [(m["engine_version_before"], m["engine_version_after"], m["outcome"]) for m in report["members"]] == [("14.6", "14.6", "not_started")] * 2
    assert report["follow_ups"] == ["Fix the cause above, then run the role again with the same variables: it resumes where this run stopped."]


def test_a_failure_no_rerun_can_cure_asks_for_no_rerun():
    report = upgrade_report(dict(RESULT, failed=True, resumable=False, msg="No re-run of the in-place method can do this upgrade"))
    assert report["outcome"] == "stopped" and report["follow_ups"] == []


def test_a_run_stopped_before_anything_was_read():
    report = upgrade_report({"global_cluster_identifier": "Orders-Global", "method": "in_place", "failed": True, "msg": "no such global cluster"})
    assert (report["global_cluster_identifier"], report["engine"], report["kind"], report["members"]) == ("Orders-Global", None, None, [])


def test_check_mode_has_no_follow_ups():
    assert upgrade_report(dict(RESULT, check_mode=True))["follow_ups"] == []


def test_parameter_groups_keep_the_groups_read_before_the_upgrade():
    checked = {"parameter_group_family": "aurora-postgresql15", "pending_reboot": [], "rebooted": ["pg-primary-use1-1"], "members": [
        {"db_cluster_identifier": "pg-primary-use1", "region": "us-east-1", "db_cluster_parameter_group_before": "pg-params",
         "db_cluster_parameter_group": "pg15-params", "instances": [
             {"db_instance_identifier": "pg-primary-use1-1", "db_parameter_group_before": "pg-instance-params", "db_parameter_group": "pg15-instance"}]}]}
    applied = {"parameter_group_family": "aurora-postgresql15", "pending_reboot": ["pg-primary-use1-1"], "rebooted": [], "members": [
        {"db_cluster_identifier": "pg-primary-use1", "region": "us-east-1", "db_cluster_parameter_group_before": "default.aurora-postgresql15",
         "db_cluster_parameter_group": "pg15-params", "instances": [
             {"db_instance_identifier": "pg-primary-use1-1", "db_parameter_group_before": "default.aurora-postgresql15",
              "db_parameter_group": "pg15-instance"}]}]}
    report = upgrade_report(dict(RESULT, parameter_groups_check=checked, parameter_groups=applied))
    groups = report["parameter_groups"]
    assert groups["applied"] and groups["pending_reboot"] == ["pg-primary-use1-1"]
    member = groups["members"][0]
    assert (member["db_cluster_parameter_group_before"], member["db_cluster_parameter_group"]) == ("pg-params", "pg15-params")
    assert member["instances"][0]["db_parameter_group_before"] == "pg-instance-params"
    # Checked only (check mode, or the run stopped before applying them): what the apply would reboot waits for a reboot.
    only_checked = upgrade_report(dict(RESULT, parameter_groups_check=checked, parameter_groups={"msg": "failed"}))["parameter_groups"]
    assert not only_checked["applied"] and only_checked["pending_reboot"] == ["pg-primary-use1-1"]


def test_follow_ups_name_versions_that_differ_and_pending_reboots():
    members = [{"engine_version_after": "15.4"}, {"engine_version_after": "14.6"}]
    steps = follow_ups("aurora-mysql", "minor", members, None, {"pending_reboot": ["a-2", "a-1"]})
    assert not any("ANALYZE" in step for step in steps)
    assert "Not every member is known to run the same engine version (14.6, 15.4)" in steps[0]
    assert "a-2, a-1" in steps[1]
