# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The managed_minor method through ansible-playbook against the sandbox: module aurora_global_managed_minor and the
role's aurora_global_upgrade_method: managed_minor, checked against the sandbox's journal."""

from __future__ import annotations

import re

import boto3
import pytest

from module_docs import STANDARD_KEYS
from module_docs import documented_return
from playbook_runner import run_playbook
from role_runs import changing_calls
from role_runs import run_role
from sandbox_journal import PG_ORDER
from sandbox_journal import PG_REGIONS
from test_iam import _fresh
from test_iam import _policy
from test_iam import _user_with
from test_iam import _without
# The fixture iam_server: a sandbox of its own, with IAM enforcement.
from test_iam import iam_server  # noqa: F401  pylint: disable=unused-import

LEASE_CALLS = ("AddTagsToResource", "RemoveTagsFromResource")
# How ansible names the role's tasks in its results.
ROLE = "aurora.global_db.aurora_global_upgrade : "


@pytest.fixture
def pg(sandbox):
    """The 3-region Aurora PostgreSQL 14.6 global database, in a region and version with AWS's managed minor upgrade."""
    sandbox.seed("postgresql-14")
    sandbox.configure(managed_minor_upgrades=True)
    return sandbox


def _module(sandbox, engine_version="14.9", global_cluster_identifier="pg-global", check=False, diff=False, **extra_vars):
    extra_vars.update(global_cluster_identifier=global_cluster_identifier, engine_version=engine_version)
    return run_playbook("managed_minor.yml", sandbox.endpoint_url, extra_vars, check=check, diff=diff).result("Managed minor upgrade")


def _failed(result):
    assert result.get("failed") is True, result
    assert "module_stderr" not in result and "MODULE FAILURE" not in result["msg"], "an expected failure must not be a crash: %s" % result
    return result


def _global_modifications(sandbox):
    return [entry for entry in sandbox.journal() if entry["kind"] == "call" and entry["operation"] == "ModifyGlobalCluster"]


def _versions(sandbox):
    versions = {}
    for identifier, region in PG_REGIONS.items():
        client = boto3.client("rds", region_name=region, endpoint_url=sandbox.endpoint_url, aws_access_key_id="testing", aws_secret_access_key="testing")
        found = client.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]
        versions[identifier] = (found["Status"], found["EngineVersion"])
    return versions


def _database_changes(sandbox):
    """Calls that change the database (the lease's tags are bookkeeping)."""
    return [entry for entry in changing_calls(sandbox) if entry["operation"] not in LEASE_CALLS]


def test_one_call_in_the_primary_region_upgrades_every_member_each_reporting_its_versions_times_and_outcome(pg):
    upgraded = _module(pg, diff=True)
    assert not upgraded.get("failed"), upgraded.get("msg")
    assert (upgraded["changed"], upgraded["call_sent"], upgraded["resumed"], upgraded["rolled_back"]) == (True, True, False, False)
    assert upgraded["upgraded"] == PG_ORDER
    assert upgraded["diff"] == {"before": {m: "14.6" for m in PG_ORDER}, "after": {m: "14.9" for m in PG_ORDER}}
    assert set(_versions(pg).values()) == {("available", "14.9")}
    calls = _global_modifications(pg)
    assert [(c["region"], c["params"]) for c in calls] == [("us-east-1", {"GlobalClusterIdentifier": "pg-global", "EngineVersion": "14.9"})]
    assert [c["operation"] for c in _database_changes(pg)] == ["ModifyGlobalCluster"]
    documented = documented_return("aurora_global_managed_minor")
    assert set(upgraded) - STANDARD_KEYS == set(documented)
    assert [set(member) for member in upgraded["members"]] == [set(documented["members"]["contains"])] * len(PG_ORDER)
    assert {(m["engine_version_before"], m["engine_version_after"], m["outcome"]) for m in upgraded["members"]} == {("14.6", "14.9", "upgraded")}
    assert all(upgraded["started_at"] <= m["started_at"] <= m["finished_at"] <= upgraded["finished_at"] for m in upgraded["members"])

    again = _module(pg)
    assert (again["changed"], again["call_sent"], again["upgraded"]) == (False, False, [])
    assert len(_global_modifications(pg)) == 1
    assert {m["outcome"] for m in again["members"]} == {"already_at_target"}

    pg.configure(fail_upgrade_of=["pg-secondary-euw1"])
    rolled_back = _failed(_module(pg, engine_version="14.10", expect_failure=True))
    assert {(m["engine_version_after"], m["outcome"]) for m in rolled_back["members"]} == {(None, "failed")}


def test_a_rollback_fails_with_every_members_events(pg):
    pg.configure(fail_upgrade_of=["pg-secondary-euw1"])
    result = _failed(_module(pg, expect_failure=True))
    assert result["rolled_back"] is True and result["call_sent"] is True
    assert set(result["failed_members"]) == set(PG_ORDER)
    assert "did not complete" in result["msg"]
    assert "rolled the DB cluster back to engine version 14.6" in result["msg"]
    for member, region in PG_REGIONS.items():
        assert "%s (%s):" % (member, region) in result["msg"]
    assert set(_versions(pg).values()) == {("available", "14.6")}
    documented = documented_return("aurora_global_managed_minor")
    always = {key for key, doc in documented.items() if doc["returned"] == "always" or "on failure" in doc["returned"]}
    assert always <= set(result)


def test_aws_refusal_changes_nothing_and_names_in_place(pg):
    pg.configure(managed_minor_upgrades=False)
    result = _failed(_module(pg, expect_failure=True))
    assert "Nothing was changed" in result["msg"] and "in_place" in result["msg"]
    assert "ModifyGlobalCluster doesn't support minor version upgrades for Aurora global databases" in result["msg"]
    assert result["call_sent"] is False
    assert [(c["operation"], c["error"]) for c in _database_changes(pg)] == [("ModifyGlobalCluster", "InvalidParameterValue")]
    assert set(_versions(pg).values()) == {("available", "14.6")}


@pytest.mark.parametrize("scenario, global_cluster, target, wording", [
    ("mysql-3", "mysql3-global", "8.0.mysql_aurora.3.05.2", "Aurora PostgreSQL"),
    ("postgresql-14", "pg-global", "15.4", "major version upgrade"),
])
def test_other_engines_and_major_targets_are_refused_before_any_call(sandbox, scenario, global_cluster, target, wording):
    sandbox.seed(scenario)
    sandbox.configure(managed_minor_upgrades=True)
    result = _failed(_module(sandbox, target, global_cluster, expect_failure=True))
    assert "method_not_supported" in result["msg"] and wording in result["msg"] and "in_place" in result["msg"]
    assert _database_changes(sandbox) == []


def test_check_mode_makes_no_mutating_call(pg):
    result = _module(pg, check=True, diff=True)
    assert not result.get("failed"), result.get("msg")
    assert (result["changed"], result["call_sent"], result["upgraded"]) == (True, False, PG_ORDER)
    assert result["diff"]["after"] == {m: "14.9" for m in PG_ORDER}
    assert changing_calls(pg) == []
    assert pg.mutating_calls() == []


def test_a_lost_answer_is_never_sent_again(pg):
    pg.configure(lose_response_of=["ModifyGlobalCluster"], status_delay_seconds=1)
    result = _module(pg)
    assert not result.get("failed"), result.get("msg")
    calls = _global_modifications(pg)
    assert [(c["error"], c.get("applied")) for c in calls] == [("InternalFailure", True)]
    assert result["call_sent"] is True and result["upgraded"] == PG_ORDER
    assert set(_versions(pg).values()) == {("available", "14.9")}


def test_a_rerun_during_the_upgrade_only_waits_for_it(pg):
    pg.configure(hold_upgrade_of=["pg-global"], status_delay_seconds=0)
    started = _module(pg, wait_timeout=0, expect_failure=True)
    assert started["call_sent"] is True and started["timed_out"] is True
    with pg.releasing_hold("hold_upgrade_of", "pg-global", after_reads=4):
        resumed = _module(pg)
    assert not resumed.get("failed"), resumed.get("msg")
    assert (resumed["resumed"], resumed["call_sent"], resumed["changed"]) == (True, False, False)
    assert resumed["upgraded"] == PG_ORDER
    assert len(_global_modifications(pg)) == 1


# The role: aurora_global_upgrade_method: managed_minor


def test_role_upgrades_with_the_managed_minor_method(pg):
    run = run_role(pg, "pg-global", "14.9", aurora_global_upgrade_method="managed_minor")
    assert run.failed_tasks == [], run.stderr
    facts = run.result(ROLE + "Record the result in aurora_global_upgrade_result")["ansible_facts"]["aurora_global_upgrade_result"]
    assert (facts["method"], facts["call_sent"], facts["rolled_back"], facts["upgraded"]) == ("managed_minor", True, False, PG_ORDER)
    assert {member["outcome"] for member in facts["members"]} == {"upgraded"} and facts["started_at"] <= facts["finished_at"]
    assert [c["operation"] for c in _database_changes(pg)] == ["ModifyGlobalCluster"]
    assert set(_versions(pg).values()) == {("available", "14.9")}


def test_role_check_mode_makes_no_mutating_call(pg):
    run = run_role(pg, "pg-global", "14.9", check=True, aurora_global_upgrade_method="managed_minor")
    assert run.failed_tasks == [], run.stderr
    assert changing_calls(pg) == []


def test_role_reports_a_rollback(pg):
    pg.configure(fail_upgrade_of=["pg-global"])
    run = run_role(pg, "pg-global", "14.9", aurora_global_upgrade_method="managed_minor")
    assert run.failed_tasks, "the role must fail on a rollback"
    stop = run.result(ROLE + "Stop, saying what failed and what will work")
    assert "AWS rolled it back" in stop["msg"] and "Recent RDS events" in stop["msg"]


def test_role_refuses_aurora_mysql_naming_in_place(sandbox):
    sandbox.seed("mysql-3")
    run = run_role(sandbox, "mysql3-global", "8.0.mysql_aurora.3.05.2", aurora_global_upgrade_method="managed_minor")
    # Refused by the module's check, reading only, before the lease.
    stop = run.result(run.failed_tasks[0])
    assert "method_not_supported" in stop["msg"] and "in_place" in stop["msg"]
    assert _database_changes(sandbox) == []


# IAM: docs/iam-policy.json is enough, and without rds:ModifyGlobalCluster the run fails cleanly naming it.


def _managed_minor_role(sandbox, environment):
    return run_role(sandbox, "pg-global", "14.9", environment=environment, aurora_global_upgrade_method="managed_minor")


def test_the_policy_is_enough_and_each_action_it_needs_is_named_when_missing(iam_server):
    _fresh(iam_server, "postgresql-14")
    iam_server.configure(managed_minor_upgrades=True)
    run = _managed_minor_role(iam_server, _user_with(iam_server, _policy()))
    assert run.returncode == 0, (run.failed_tasks, [run.result(task).get("msg") for task in run.failed_tasks])
    assert [entry for entry in iam_server.journal() if entry["kind"] == "call" and entry["error"] == "AccessDenied"] == []

    _fresh(iam_server, "postgresql-14")
    iam_server.configure(managed_minor_upgrades=True)
    run = _managed_minor_role(iam_server, _user_with(iam_server, _without(_policy(), "ModifyGlobalCluster")))
    failed = run.result(ROLE + "Managed minor upgrade of every member, one call to AWS, to 14.9")
    message = "%s %s" % (failed.get("msg", ""), failed.get("error", {}).get("message", ""))
    assert "rds:ModifyGlobalCluster" in message and "nothing was changed" in message and "Traceback" not in message
    refused = [entry for entry in iam_server.journal() if entry["kind"] == "call" and entry["error"] == "AccessDenied"]
    assert [entry["operation"] for entry in refused] == ["ModifyGlobalCluster"]
    assert [entry["operation"] for entry in _database_changes(iam_server) if entry["error"] is None] == []


def test_progress_lines_show_every_member_while_it_upgrades(pg):
    # 'upgrading' for at least five reads a second apart, so the action plugin (reading the progress file every second) sees it.
    pg.configure(hold_upgrade_of=["pg-global"], status_delay_seconds=0)
    with pg.releasing_hold("hold_upgrade_of", "pg-global", after_reads=5):
        run = run_playbook("managed_minor.yml", pg.endpoint_url, {"global_cluster_identifier": "pg-global", "engine_version": "14.9"})
    assert not run.result("Managed minor upgrade").get("failed"), run.result("Managed minor upgrade").get("msg")
    lines = re.findall(r"\[pg-global\] \d+ min \d\d s elapsed: .*pg-primary-use1 \(us-east-1\) (\S+) at (\S+)", run.stderr)
    assert ("upgrading", "14.6") in lines and ("available", "14.9") in lines, run.stderr
