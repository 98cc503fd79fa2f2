# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Module aurora_global_blue_green through ansible-playbook against the sandbox, checked against its journal."""

from __future__ import annotations

import re
import subprocess
import time

import boto3
import pytest

from module_docs import STANDARD_KEYS
from module_docs import documented_return
from playbook_runner import playbook_command
from playbook_runner import run_playbook
from role_runs import changing_calls
from role_runs import run_role
from sandbox_journal import PG_REGIONS

NAME = "pg-global-to-15-4"
ALL_STEPS = ["create", "wait_available", "verify_green", "switchover", "wait_switchover", "verify_production", "delete_deployment"]


def _rds(sandbox, region):
    return boto3.client("rds", region_name=region, endpoint_url=sandbox.endpoint_url, aws_access_key_id="testing", aws_secret_access_key="testing")


def ready_for_blue_green(sandbox):
    """Seeded postgresql-14 made ready: pg-global at 14.9 (AWS's minimum of line 14) with rds.logical_replication = 1 in
    every member's cluster group; the journal cleared."""
    sandbox.configure(managed_minor_upgrades=True, upgrade_seconds=0, status_delay_seconds=0, provision_seconds=0)
    _rds(sandbox, "us-east-1").modify_global_cluster(GlobalClusterIdentifier="pg-global", EngineVersion="14.9")
    for region in PG_REGIONS.values():
        _rds(sandbox, region).modify_db_cluster_parameter_group(DBClusterParameterGroupName="pg-global-params", Parameters=[
            {"ParameterName": "rds.logical_replication", "ParameterValue": "1", "ApplyMethod": "pending-reboot"}])
    assert {_cluster(sandbox, member)["EngineVersion"] for member in PG_REGIONS} == {"14.9"}
    sandbox.clear_journal()


@pytest.fixture
def ready_pg(sandbox):
    sandbox.seed("postgresql-14")
    ready_for_blue_green(sandbox)
    return sandbox


def _cluster(sandbox, identifier, region=None):
    region = region or PG_REGIONS[identifier.replace("-old1", "")]
    return _rds(sandbox, region).describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]


def _run(sandbox, engine_version="15.4", check=False, **extra_vars):
    extra_vars.update(global_cluster_identifier="pg-global", engine_version=engine_version)
    return run_playbook("blue_green.yml", sandbox.endpoint_url, extra_vars, check=check).result("Blue/Green")


def _deployment_calls(sandbox):
    return [(entry["operation"], entry["params"]) for entry in changing_calls(sandbox) if "BlueGreen" in entry["operation"]]


def _global_identifiers(sandbox):
    return sorted(found["GlobalClusterIdentifier"] for found in _rds(sandbox, "us-east-1").describe_global_clusters()["GlobalClusters"])


def test_a_major_upgrade_ends_switched_over_with_the_old_database_kept(ready_pg):
    result = _run(ready_pg)
    assert not result.get("failed"), result.get("msg")
    assert result["steps_done"] == ALL_STEPS and result["switched_over"] is True and result["changed"] is True
    assert result["old_global_cluster_identifier"] == "pg-global-old1" and "pg-global-old1" in result["message"]
    assert {member["engine_version"] for member in result["green_members"]} == {"15.4"} and len(result["green_members"]) == 3
    for member in PG_REGIONS:
        assert _cluster(ready_pg, member)["EngineVersion"] == "15.4"
        assert _cluster(ready_pg, member + "-old1")["EngineVersion"] == "14.9"
    assert _global_identifiers(ready_pg) == ["pg-global", "pg-global-old1"]
    operations = [operation for operation, _params in _deployment_calls(ready_pg)]
    assert operations == ["CreateBlueGreenDeployment", "SwitchoverBlueGreenDeployment", "DeleteBlueGreenDeployment"]
    create, switchover, delete = (params for _operation, params in _deployment_calls(ready_pg))
    assert create["Source"] == "arn:aws:rds::123456789012:global-cluster:pg-global" and create["TargetEngineVersion"] == "15.4"
    assert switchover["SwitchoverTimeout"] == "300" and "DeleteTarget" not in delete
    assert _rds(ready_pg, "us-east-1").describe_blue_green_deployments()["BlueGreenDeployments"] == []
    assert set(result) - STANDARD_KEYS == set(documented_return("aurora_global_blue_green")) - {"blockers"}

    again = _run(ready_pg)
    assert (again["changed"], again["steps_done"]) == (False, [])
    assert len(_deployment_calls(ready_pg)) == 3


def test_a_stop_before_the_switchover_then_a_later_run_finishes_each_member_reporting_its_versions_times_and_outcome(ready_pg):
    stopped = _run(ready_pg, switchover=False)
    assert not stopped.get("failed"), stopped.get("msg")
    assert stopped["steps_done"] == ["create", "wait_available", "verify_green"] and stopped["switched_over"] is False
    assert all(member["endpoint"] and "-green-" in member["db_cluster_identifier"] for member in stopped["green_members"])
    assert "production is unchanged" in stopped["message"]
    assert {(m["engine_version_after"], m["outcome"]) for m in stopped["members"]} == {(None, "not_started")}
    assert [operation for operation, _params in _deployment_calls(ready_pg)] == ["CreateBlueGreenDeployment"]
    # Asked again without a switchover: nothing changes.
    assert _run(ready_pg, switchover=False)["changed"] is False
    assert _cluster(ready_pg, "pg-primary-use1")["EngineVersion"] == "14.9"

    finished = _run(ready_pg)
    assert not finished.get("failed"), finished.get("msg")
    assert finished["steps_done"] == ["verify_green", "switchover", "wait_switchover", "verify_production", "delete_deployment"]
    assert [operation for operation, _params in _deployment_calls(ready_pg)] == [
        "CreateBlueGreenDeployment", "SwitchoverBlueGreenDeployment", "DeleteBlueGreenDeployment"]
    assert _cluster(ready_pg, "pg-primary-use1")["EngineVersion"] == "15.4"
    documented = documented_return("aurora_global_blue_green")["members"]["contains"]
    assert [set(member) for member in finished["members"]] == [set(documented)] * len(PG_REGIONS)
    assert {(m["engine_version_before"], m["engine_version_after"], m["outcome"]) for m in finished["members"]} == {("14.9", "15.4", "upgraded")}
    assert all(finished["started_at"] <= m["started_at"] <= m["finished_at"] <= finished["finished_at"] for m in finished["members"])


def test_a_failed_switchover_says_blue_is_still_production(ready_pg):
    ready_pg.configure(fail_upgrade_of=[NAME])
    result = _run(ready_pg, expect_failure=True)
    assert result.get("failed") is True and "MODULE FAILURE" not in result["msg"]
    assert "SWITCHOVER_FAILED" in result["msg"] and "still production" in result["msg"]
    assert result["switched_over"] is False and result["blue_green_deployment_status"] == "SWITCHOVER_FAILED"
    assert _cluster(ready_pg, "pg-primary-use1")["EngineVersion"] == "14.9"
    assert "DeleteBlueGreenDeployment" not in [operation for operation, _params in _deployment_calls(ready_pg)]


@pytest.mark.parametrize("operation", ["CreateBlueGreenDeployment", "SwitchoverBlueGreenDeployment", "DeleteBlueGreenDeployment"])
def test_a_lost_answer_of_each_mutating_call_is_recognised(ready_pg, operation):
    ready_pg.configure(lose_response_of=[operation])
    result = _run(ready_pg)
    assert not result.get("failed"), result.get("msg")
    assert result["switched_over"] is True and result["steps_done"] == ALL_STEPS
    calls = [entry for entry in changing_calls(ready_pg) if entry["operation"] == operation]
    assert calls[0]["applied"] is True and all(entry["error"] for entry in calls[1:])
    assert _global_identifiers(ready_pg) == ["pg-global", "pg-global-old1"]
    assert _rds(ready_pg, "us-east-1").describe_blue_green_deployments()["BlueGreenDeployments"] == []


def test_check_mode_makes_no_mutating_call_and_shows_every_step(ready_pg):
    result = _run(ready_pg, check=True)
    assert not result.get("failed"), result.get("msg")
    assert result["steps_planned"] == ALL_STEPS and result["steps_done"] == []
    assert changing_calls(ready_pg) == []


def test_prerequisites_are_refused_before_any_change(sandbox):
    sandbox.seed("postgresql-14")
    result = _run(sandbox, expect_failure=True)
    assert result.get("failed") is True and "MODULE FAILURE" not in result["msg"]
    assert "nothing was changed" in result["msg"]
    assert "logical replication is off" in result["msg"] and "lowest version Blue/Green deployments support" in result["msg"]
    assert {blocker["code"] for blocker in result["blockers"]} == {"blue_green_prerequisite"}
    assert changing_calls(sandbox) == []


def test_a_mysql_major_upgrade_ends_switched_over(sandbox):
    sandbox.seed("mysql-3")
    sandbox.configure(upgrade_seconds=0, status_delay_seconds=0, provision_seconds=0, reboot_seconds=0)
    members = {"mysql3-primary-use1": "us-east-1", "mysql3-secondary-usw2": "us-west-2"}
    for member, region in members.items():
        rds = _rds(sandbox, region)
        rds.create_db_cluster_parameter_group(
            DBClusterParameterGroupName="mysql3-binlog", DBParameterGroupFamily="aurora-mysql8.0", Description="binlog")
        rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName="mysql3-binlog", Parameters=[
            {"ParameterName": "binlog_format", "ParameterValue": "ROW", "ApplyMethod": "pending-reboot"}])
        rds.modify_db_cluster(DBClusterIdentifier=member, DBClusterParameterGroupName="mysql3-binlog")
    request = {"global_cluster_identifier": "mysql3-global", "engine_version": "8.4.mysql_aurora.8.4.7"}
    result = run_playbook("blue_green.yml", sandbox.endpoint_url, request).result("Blue/Green")
    assert not result.get("failed"), result.get("msg")
    assert result["switched_over"] is True and result["old_global_cluster_identifier"] == "mysql3-global-old1"
    for member, region in members.items():
        assert _rds(sandbox, region).describe_db_clusters(DBClusterIdentifier=member)["DBClusters"][0]["EngineVersion"] == "8.4.mysql_aurora.8.4.7"
        old = _rds(sandbox, region).describe_db_clusters(DBClusterIdentifier=member + "-old1")["DBClusters"][0]
        assert old["EngineVersion"] == "8.0.mysql_aurora.3.04.0"


def test_mysql_without_binary_logging_is_refused(sandbox):
    sandbox.seed("mysql-3")
    result = run_playbook("blue_green.yml", sandbox.endpoint_url, {"global_cluster_identifier": "mysql3-global", "engine_version": "8.4.mysql_aurora.8.4.7",
                                                                   "expect_failure": True}).result("Blue/Green")
    assert result.get("failed") is True and "binlog_format (ROW is recommended)" in result["msg"]
    assert changing_calls(sandbox) == []


# The role: aurora_global_upgrade_method: blue_green

ROLE = "aurora.global_db.aurora_global_upgrade : "


def test_role_stops_before_the_switchover_then_finishes(ready_pg):
    stopped = run_role(ready_pg, "pg-global", "15.4", aurora_global_upgrade_method="blue_green", aurora_global_upgrade_blue_green_switchover=False)
    assert stopped.failed_tasks == [], [stopped.result(task).get("msg") for task in stopped.failed_tasks]
    result = stopped.result(ROLE + "Record the result in aurora_global_upgrade_result")["ansible_facts"]["aurora_global_upgrade_result"]
    assert result["switched_over"] is False and result["steps_done"] == ["create", "wait_available", "verify_green"]
    finished = run_role(ready_pg, "pg-global", "15.4", aurora_global_upgrade_method="blue_green")
    assert finished.failed_tasks == [], [finished.result(task).get("msg") for task in finished.failed_tasks]
    result = finished.result(ROLE + "Record the result in aurora_global_upgrade_result")["ansible_facts"]["aurora_global_upgrade_result"]
    assert result["switched_over"] is True and result["old_global_cluster_identifier"] == "pg-global-old1"
    assert {member["outcome"] for member in result["members"]} == {"upgraded"} and result["started_at"] <= result["finished_at"]
    assert _cluster(ready_pg, "pg-primary-use1")["EngineVersion"] == "15.4"


def test_role_check_mode_makes_no_mutating_call(ready_pg):
    # Per-region target group names the role refuses: test_blue_green_plan.py, case target_group_names_differ.
    checked = run_role(ready_pg, "pg-global", "15.4", check=True, aurora_global_upgrade_method="blue_green")
    assert checked.failed_tasks == [], [checked.result(task).get("msg") for task in checked.failed_tasks]
    assert changing_calls(ready_pg) == []


def test_progress_lines_show_the_deployment_while_it_is_provisioned(ready_pg):
    # PROVISIONING for at least five reads a second apart, so the action plugin (reading the progress file every second)
    # sees it; the hold is released once the journal shows them (the module reads the deployment by its identifier).
    ready_pg.configure(provision_seconds=0.5, hold_transition_of=[NAME])
    command, environment = playbook_command("blue_green.yml", ready_pg.endpoint_url, {
        "global_cluster_identifier": "pg-global", "engine_version": "15.4", "switchover": False})
    with subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as run:
        while len([entry for entry in ready_pg.journal() if entry["operation"] == "DescribeBlueGreenDeployments"]) < 6:
            assert run.poll() is None, "the run ended while the deployment was held"
            time.sleep(0.2)
        ready_pg.configure(hold_transition_of=[])
        stderr = run.stderr.read()
    assert run.returncode == 0, stderr
    lines = re.findall(r"\[pg-global\] \d+ min \d\d s elapsed: blue/green deployment %s \(us-east-1\) (\S+) at 15\.4" % NAME, stderr)
    assert "PROVISIONING" in lines, stderr


def test_role_snapshots_the_primary_before_the_create_when_asked_and_not_on_resume(ready_pg):
    stopped = run_role(ready_pg, "pg-global", "15.4", aurora_global_upgrade_method="blue_green", aurora_global_upgrade_snapshot_before=True,
                       aurora_global_upgrade_blue_green_switchover=False)
    assert stopped.failed_tasks == [], [stopped.result(task).get("msg") for task in stopped.failed_tasks]
    operations = [entry["operation"] for entry in changing_calls(ready_pg)]
    # Inside the run's lease (tags on the global cluster), as every method.
    assert operations == ["AddTagsToResource", "CreateDBClusterSnapshot", "CreateBlueGreenDeployment", "RemoveTagsFromResource"]
    snapshot = changing_calls(ready_pg)[1]["params"]
    assert snapshot["DBClusterIdentifier"] == "pg-primary-use1" and snapshot["DBClusterSnapshotIdentifier"].startswith("pg-primary-use1-pre-14-9-to-15-4-")
    result = stopped.result(ROLE + "Record the result in aurora_global_upgrade_result")["ansible_facts"]["aurora_global_upgrade_result"]
    assert result["snapshot_identifier"] == snapshot["DBClusterSnapshotIdentifier"]
    finished = run_role(ready_pg, "pg-global", "15.4", aurora_global_upgrade_method="blue_green", aurora_global_upgrade_snapshot_before=True)
    assert finished.failed_tasks == [], [finished.result(task).get("msg") for task in finished.failed_tasks]
    assert [entry["operation"] for entry in changing_calls(ready_pg)].count("CreateDBClusterSnapshot") == 1


def test_role_takes_no_snapshot_when_a_prerequisite_fails(ready_pg):
    _rds(ready_pg, "eu-west-1").modify_db_cluster_parameter_group(DBClusterParameterGroupName="pg-global-params", Parameters=[
        {"ParameterName": "rds.logical_replication", "ParameterValue": "0", "ApplyMethod": "pending-reboot"}])
    ready_pg.clear_journal()
    refused = run_role(ready_pg, "pg-global", "15.4", aurora_global_upgrade_method="blue_green", aurora_global_upgrade_snapshot_before=True)
    assert refused.failed_tasks and "rds.logical_replication" in refused.result(refused.failed_tasks[0])["msg"]
    assert changing_calls(ready_pg) == []
