# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The role's snapshot, custom parameter groups, reboots and report, through aurora.global_db.upgrade against the sandbox."""

from __future__ import annotations

import json
import re

import pytest

import major_extras as extras
from module_docs import documented_return
from playbook_runner import run_playbook

ROLE = "aurora.global_db.aurora_global_upgrade : "
GROUP_CHECK = ROLE + "Check the custom parameter groups against the target's family in ap-southeast-2, eu-west-1, us-east-1"
# Every seeded member's DB cluster parameter group (tests/sandbox/scenarios.json), which AWS resets during a major upgrade.
SEEDED_GROUP = "pg-global-params"
EXPECTED_REBOOTS = ["pg-secondary-apse2-1", "pg-secondary-euw1-2", "pg-secondary-euw1-1", "pg-primary-use1-2", "pg-primary-use1-1"]
SNAPSHOT_NAME = re.compile(r"^pg-primary-use1-pre-14-6-to-15-4-\d{12}$")


@pytest.fixture
def seeded(sandbox):
    """postgresql-14 with a reader beside the writer in us-east-1 and eu-west-1, and groups of family aurora-postgresql15 in every region."""
    sandbox.seed("postgresql-14")
    sandbox.configure(snapshot_seconds=0.5, reboot_seconds=0.2)
    extras.add_reader(sandbox, "pg-primary-use1", "us-east-1")
    extras.add_reader(sandbox, "pg-secondary-euw1", "eu-west-1")
    extras.create_groups(sandbox, extras.PG_REGIONS.values())
    sandbox.clear_journal()
    return sandbox


def _run_role(sandbox, check=False, **role_vars):
    variables = {
        "aurora_global_upgrade_global_cluster_identifier": "pg-global",
        "aurora_global_upgrade_engine_version": "15.4",
        "aurora_global_upgrade_allow_major_version_upgrade": True,
        "aurora_global_upgrade_endpoint_url": sandbox.endpoint_url,
        "aurora_global_upgrade_region": "us-east-1",
        "aurora_global_upgrade_poll_interval": 1,
        "aurora_global_upgrade_wait_timeout": 600,
        "aurora_global_upgrade_db_cluster_parameter_groups": extras.every_region(extras.CLUSTER_GROUP),
        "aurora_global_upgrade_db_parameter_groups": extras.every_region(extras.INSTANCE_GROUP),
        **role_vars,
    }
    return run_playbook("role_upgrade.yml", sandbox.endpoint_url, variables, check=check)


def _result(run):
    return run.result(ROLE + "Record the result in aurora_global_upgrade_result")["ansible_facts"]["aurora_global_upgrade_result"]


def _report(report_dir):
    """The report the run wrote: (its JSON as a dict, its Markdown text); exactly one of each."""
    json_files, markdown_files = sorted(report_dir.glob("pg-global-*.json")), sorted(report_dir.glob("pg-global-*.md"))
    assert len(json_files) == 1 and len(markdown_files) == 1, sorted(report_dir.iterdir())
    assert re.fullmatch(r"pg-global-\d{8}T\d{6}Z", json_files[0].stem) and json_files[0].stem == markdown_files[0].stem
    return json.loads(json_files[0].read_text(encoding="utf-8")), markdown_files[0].read_text(encoding="utf-8")


def parameter_groups_of(report):
    return report["parameter_groups"]["members"]


def _calls(sandbox):
    """The mutating calls, each as (operation, what it names)."""
    return [(entry["operation"], entry["params"].get("DBInstanceIdentifier") or entry["params"].get("DBClusterSnapshotIdentifier")
             or entry["params"].get("DBClusterIdentifier") or entry["params"].get("GlobalClusterIdentifier"))
            for entry in sandbox.mutating_calls()]


def test_major_upgrade_with_snapshot_custom_groups_reboots_and_report(seeded, tmp_path):
    run = _run_role(seeded, aurora_global_upgrade_reboot_for_parameter_groups=True, aurora_global_upgrade_report_dir=str(tmp_path))
    assert run.returncode == 0, (run.failed_tasks, run.stderr)
    result = _result(run)
    snapshot = result["snapshot_identifier"]
    assert SNAPSHOT_NAME.match(snapshot), snapshot
    # Each member as the upgrade module returned it: exactly its documented keys; one ModifyGlobalCluster started them all.
    documented = set(documented_return("aurora_global_upgrade")["members"]["contains"])
    assert all(set(member) == documented for member in result["members"]) and result["method"] == "in_place"
    assert len({member["started_at"] for member in result["members"]}) == 1
    assert [(m["engine_version_before"], m["engine_version_after"], m["outcome"]) for m in result["members"]] == [("14.6", "15.4", "upgraded")] * 3

    # Every member and every instance ends on the custom groups, applied (rebooted).
    groups = extras.groups_in_sandbox(seeded)
    assert len(groups) == 3
    for cluster_group, instances in groups.values():
        assert cluster_group == extras.CLUSTER_GROUP
        assert set(instances.values()) == {(extras.INSTANCE_GROUP, "in-sync")}

    # The snapshot is taken and available before ModifyGlobalCluster; the groups come after the upgrade, then the reboots.
    journal = seeded.journal()
    seq = {(entry["kind"], entry["operation"]): entry["seq"] for entry in journal
           if entry["operation"] in ("CreateDBClusterSnapshot", "SnapshotAvailable", "ModifyGlobalCluster", "UpgradeCompleted")}
    assert seq[("call", "CreateDBClusterSnapshot")] < seq[("event", "SnapshotAvailable")] < seq[("call", "ModifyGlobalCluster")]
    calls = _calls(seeded)
    assert calls[:2] == [("CreateDBClusterSnapshot", snapshot), ("ModifyGlobalCluster", "pg-global")]
    assert sorted(calls[2:10]) == sorted([("ModifyDBCluster", member) for member in extras.PG_REGIONS]
                                         + [("ModifyDBInstance", instance) for instance in EXPECTED_REBOOTS])
    assert calls[10:] == [("RebootDBInstance", instance) for instance in EXPECTED_REBOOTS]
    first_group_change = next(entry["seq"] for entry in journal if entry["operation"] == "ModifyDBInstance")
    assert seq[("event", "UpgradeCompleted")] < first_group_change

    report, markdown = _report(tmp_path)
    assert (report["global_cluster_identifier"], report["engine"], report["engine_version_before"], report["target_engine_version"]) == (
        "pg-global", "aurora-postgresql", "14.6", "15.4")
    assert (report["kind"], report["outcome"], report["method"]) == ("major", "succeeded", "in_place")
    assert report["aws_calls"] == "one ModifyGlobalCluster call"
    assert "member_not_synchronized" in report["restrictions_checked"] and report["blockers"] == []
    assert [(m["db_cluster_identifier"], m["engine_version_before"], m["engine_version_after"]) for m in report["members"]] == [
        ("pg-secondary-apse2", "14.6", "15.4"), ("pg-secondary-euw1", "14.6", "15.4"), ("pg-primary-use1", "14.6", "15.4")]
    assert all(m["started_at"] and m["started_at"] <= m["finished_at"] and m["outcome"] == "upgraded" for m in report["members"])
    # The groups the members had before AWS reset them to its defaults, read before the upgrade.
    assert {m["db_cluster_parameter_group_before"] for m in report["members"]} == {SEEDED_GROUP}
    assert {m["db_cluster_parameter_group_before"] for m in parameter_groups_of(report)} == {SEEDED_GROUP}
    assert report["snapshot"] == {"identifier": snapshot, "db_cluster_identifier": "pg-primary-use1", "region": "us-east-1", "status": "available"}
    parameter_groups = report["parameter_groups"]
    assert parameter_groups["applied"] and parameter_groups["parameter_group_family"] == "aurora-postgresql15"
    assert parameter_groups["rebooted"] == EXPECTED_REBOOTS and parameter_groups["pending_reboot"] == []
    assert {m["db_cluster_parameter_group"] for m in parameter_groups["members"]} == {extras.CLUSTER_GROUP}
    follow_ups = " ".join(report["follow_ups"])
    assert "ANALYZE" in follow_ups and "ALTER EXTENSION" in follow_ups and "Every member runs 15.4" in follow_ups and snapshot in follow_ups
    assert "| pg-primary-use1 | us-east-1 | primary | 14.6 | 15.4 | available | upgraded | %s |" % SEEDED_GROUP in markdown
    assert "| pg-primary-use1 (us-east-1) | %s | %s |" % (SEEDED_GROUP, extras.CLUSTER_GROUP) in markdown
    assert "**succeeded**" in markdown and snapshot in markdown and "- [ ] Run ANALYZE" in markdown


def test_without_reboot_the_instances_waiting_for_one_are_reported(seeded, tmp_path):
    run = _run_role(seeded, aurora_global_upgrade_report_dir=str(tmp_path))
    assert run.returncode == 0, (run.failed_tasks, run.stderr)
    assert "RebootDBInstance" not in {operation for operation, _subject in _calls(seeded)}
    assert _result(run)["parameter_groups"]["pending_reboot"] == EXPECTED_REBOOTS
    report, _markdown = _report(tmp_path)
    assert report["parameter_groups"]["rebooted"] == []
    assert any(step.startswith("Reboot, readers before writers") and "pg-primary-use1-1" in step for step in report["follow_ups"])


def test_a_missing_or_wrong_family_group_is_refused_before_any_change_and_reported(seeded, tmp_path):
    extras.create_groups(seeded, ["eu-west-1"], family="aurora-postgresql14", cluster_group="pg14-cluster-params", instance_group="pg14-instance-params")
    run = _run_role(
        seeded, aurora_global_upgrade_report_dir=str(tmp_path),
        aurora_global_upgrade_db_cluster_parameter_groups={"us-east-1": extras.CLUSTER_GROUP, "eu-west-1": "pg14-cluster-params",
                                                           "ap-southeast-2": "absent-params"},
    )
    assert run.returncode != 0
    message = run.result(GROUP_CHECK)["msg"]
    assert "DB cluster parameter group absent-params does not exist in ap-southeast-2" in message
    assert "DB cluster parameter group pg14-cluster-params in eu-west-1 has family aurora-postgresql14, not aurora-postgresql15" in message
    # Nothing changed: no snapshot either.
    assert seeded.mutating_calls() == []
    report, markdown = _report(tmp_path)
    assert report["outcome"] == "stopped"
    assert "absent-params" in report["message"] and report["snapshot"] is None
    assert [(m["engine_version_after"], m["outcome"]) for m in report["members"]] == [("14.6", "not_started")] * 3
    assert "## Why it stopped" in markdown


def test_check_mode_makes_no_mutating_call_and_writes_no_report(seeded, tmp_path):
    run = _run_role(seeded, check=True, aurora_global_upgrade_reboot_for_parameter_groups=True, aurora_global_upgrade_report_dir=str(tmp_path))
    assert run.returncode == 0, (run.failed_tasks, run.stderr)
    assert seeded.mutating_calls() == []
    result = _result(run)
    assert SNAPSHOT_NAME.match(result["snapshot_identifier"])
    # Checked, not applied: the check says which instances it would reboot.
    assert result["parameter_groups"] is None and result["parameter_groups_check"]["rebooted"] == EXPECTED_REBOOTS
    assert list(tmp_path.iterdir()) == []


def test_a_failed_upgrade_is_reported_where_it_stopped(seeded, tmp_path):
    seeded.configure(fail_upgrade_of=["pg-global"])
    run = _run_role(seeded, aurora_global_upgrade_report_dir=str(tmp_path))
    assert run.returncode != 0
    report, _markdown = _report(tmp_path)
    assert report["outcome"] == "stopped" and "did not complete" in report["message"]
    assert report["snapshot"]["status"] == "available"
    # The groups were checked before, not applied: the upgrade did not get that far.
    assert report["parameter_groups"]["applied"] is False
    assert {m["outcome"] for m in report["members"]} == {"failed"}
    assert [operation for operation, _subject in _calls(seeded)] == ["CreateDBClusterSnapshot", "ModifyGlobalCluster"]


def test_a_minor_upgrade_takes_a_snapshot_only_when_asked(sandbox):
    sandbox.seed("postgresql-14")
    sandbox.configure(snapshot_seconds=0.2)
    run = _run_role(sandbox, aurora_global_upgrade_engine_version="14.9", aurora_global_upgrade_db_cluster_parameter_groups=None,
                    aurora_global_upgrade_db_parameter_groups=None, aurora_global_upgrade_snapshot_before="true")
    assert run.returncode == 0, (run.failed_tasks, run.stderr)
    calls = _calls(sandbox)
    assert calls[0][0] == "CreateDBClusterSnapshot" and calls[0][1].startswith("pg-primary-use1-pre-14-6-to-14-9-")
    assert [operation for operation, _subject in calls[1:]] == ["ModifyDBCluster"] * 3


def test_a_run_that_resumes_a_running_major_upgrade_takes_no_second_snapshot_and_applies_the_groups(seeded):
    # Upgrading from the call on (no pending window), and until the role's upgrade task waits for it, however slow the machine.
    seeded.configure(status_delay_seconds=0, hold_upgrade_of=["pg-global"])
    started = run_playbook("upgrade_once.yml", seeded.endpoint_url, {
        "global_cluster_identifier": "pg-global", "engine_version": "15.4", "allow_major_version_upgrade": True, "upgrade_wait": False})
    assert started.result("Upgrade")["upgraded"] == ["pg-global"]
    seeded.clear_journal()
    # The role reads the global cluster for its plan, its group check, its lease (twice), the upgrade task's plan, then in that
    # task's wait: released at that sixth read. (Released earlier, the run would still have planned with the upgrade running.)
    with seeded.releasing_hold("hold_upgrade_of", "pg-global", after_reads=6):
        run = _run_role(seeded)
    assert run.returncode == 0, (run.failed_tasks, run.stderr)
    assert "UpgradeCompleted" in [entry["operation"] for entry in seeded.journal() if entry["kind"] == "event"], "the run found no upgrade running"
    assert _result(run)["snapshot_identifier"] is None
    operations = [operation for operation, _subject in _calls(seeded)]
    assert "CreateDBClusterSnapshot" not in operations and "ModifyGlobalCluster" not in operations
    assert sorted(set(operations)) == ["ModifyDBCluster", "ModifyDBInstance"]
    assert {groups[0] for groups in extras.groups_in_sandbox(seeded).values()} == {extras.CLUSTER_GROUP}
