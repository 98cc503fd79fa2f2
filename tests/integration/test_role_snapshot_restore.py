# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The role's snapshot_restore method through the collection's playbook, against the sandbox and its journal."""

from __future__ import annotations

from lease_tags import hold_lease
from lease_tags import lease_tags
from playbook_runner import run_playbook

ROLE = "aurora.global_db.aurora_global_upgrade : "
REFUSED = ROLE + "Stop, the lease of the global database was not taken"


def _run_role(sandbox, check=False, **role_vars):
    variables = {
        "aurora_global_upgrade_global_cluster_identifier": "mysql2-global",
        "aurora_global_upgrade_engine_version": "8.0.mysql_aurora.3.04.0",
        "aurora_global_upgrade_method": "snapshot_restore",
        "aurora_global_upgrade_new_global_cluster_identifier": "mysql3-new-global",
        "aurora_global_upgrade_writes_stopped": True,
        "aurora_global_upgrade_endpoint_url": sandbox.endpoint_url,
        "aurora_global_upgrade_region": "us-east-1",
        "aurora_global_upgrade_poll_interval": 1,
        "aurora_global_upgrade_wait_timeout": 600,
    }
    variables.update(role_vars)
    return run_playbook("role_upgrade.yml", sandbox.endpoint_url, variables, check=check)


def _result(run):
    facts = [r for name, results in run.tasks.items() if name == ROLE + "Record the result in aurora_global_upgrade_result" for r in results]
    assert len(facts) == 1, sorted(run.tasks)
    return facts[0]["ansible_facts"]["aurora_global_upgrade_result"]


def test_the_role_moves_a_mysql_2_global_database_to_a_new_version_3_one(sandbox):
    sandbox.seed("mysql-2")
    sandbox.configure(provision_seconds=0.3, snapshot_seconds=0.3)
    run = _run_role(sandbox)
    assert run.returncode == 0, run.failed_tasks
    result = _result(run)
    assert (result["method"], result["new_global_cluster_identifier"], result["failed"]) == ("snapshot_restore", "mysql3-new-global", False)
    assert result["new_global_endpoint"].startswith("mysql3-new-global.")
    assert [(m["db_cluster_identifier"], m["region"], m["role"], m["engine_version"]) for m in result["new_members"]] == [
        ("mysql2-primary-use1-v3", "us-east-1", "primary", "8.0.mysql_aurora.3.04.0"),
        ("mysql2-secondary-usw2-v3", "us-west-2", "secondary", "8.0.mysql_aurora.3.04.0"),
    ]
    assert result["cutover_steps"] and result["rollback_steps"]
    # Per old member, as the module returned it: its new cluster, versions, times and outcome.
    assert [(m["db_cluster_identifier"], m["new_db_cluster_identifier"], m["engine_version_before"], m["engine_version_after"], m["outcome"])
            for m in result["members"]] == [
        ("mysql2-secondary-usw2", "mysql2-secondary-usw2-v3", "5.7.mysql_aurora.2.11.2", "8.0.mysql_aurora.3.04.0", "upgraded"),
        ("mysql2-primary-use1", "mysql2-primary-use1-v3", "5.7.mysql_aurora.2.11.2", "8.0.mysql_aurora.3.04.0", "upgraded"),
    ]
    assert all(result["started_at"] <= m["started_at"] <= m["finished_at"] <= result["finished_at"] for m in result["members"])
    assert [c["operation"] for c in sandbox.mutating_calls()] == [
        "CreateDBClusterSnapshot", "RestoreDBClusterFromSnapshot", "CreateDBInstance", "CreateGlobalCluster", "CreateDBCluster", "CreateDBInstance"]
    # One run at a time: the lease on the old global cluster is taken before the first create and released after the last.
    changes = [entry["operation"] for entry in sandbox.journal() if entry["kind"] == "call" and entry["operation"] in (
        "AddTagsToResource", "RemoveTagsFromResource", "CreateDBClusterSnapshot", "CreateDBInstance")]
    assert changes[0] == "AddTagsToResource" and changes[-1] == "RemoveTagsFromResource" and len(changes) == 5, changes
    assert lease_tags(sandbox, "mysql2-global") == {}


def test_a_held_lease_refuses_the_snapshot_restore_before_any_create(sandbox):
    sandbox.seed("mysql-2")
    hold_lease(sandbox, "mysql2-global", "awx-job-17", "0123456789abcdef0123456789abcdef", expires_in_seconds=3600)
    sandbox.clear_journal()
    run = _run_role(sandbox)
    assert run.returncode != 0 and run.failed_tasks[0] == REFUSED, run.failed_tasks
    assert "held by awx-job-17" in run.result(REFUSED)["msg"]
    assert "held by awx-job-17" in _result(run)["msg"] and "resources" not in _result(run)
    assert sandbox.mutating_calls() == []
    assert lease_tags(sandbox, "mysql2-global")["owner"] == "awx-job-17"


def test_check_mode_creates_nothing(sandbox):
    sandbox.seed("mysql-2")
    run = _run_role(sandbox, check=True)
    assert run.returncode == 0, run.failed_tasks
    assert [r["action"] for r in _result(run)["resources"]] == ["create"] * 6
    assert sandbox.mutating_calls() == []
    assert not [entry for entry in sandbox.journal() if entry["operation"] == "AddTagsToResource"], "check mode took a lease"


def test_without_the_writes_confirmation_the_role_reads_nothing(sandbox):
    sandbox.seed("mysql-2")
    sandbox.clear_journal()
    run = _run_role(sandbox, aurora_global_upgrade_writes_stopped=False)
    assert run.returncode != 0
    message = run.result(ROLE + "Check the role's variables before any AWS call")["msg"]
    assert "aurora_global_upgrade_writes_stopped: true" in message
    assert sandbox.journal() == []


def test_another_upgrade_is_refused_naming_the_in_place_method(sandbox):
    sandbox.seed("postgresql-14")
    sandbox.clear_journal()
    run = _run_role(sandbox, aurora_global_upgrade_global_cluster_identifier="pg-global", aurora_global_upgrade_engine_version="15.4")
    assert run.returncode != 0
    assert "aurora_global_upgrade_method: in_place" in _result(run)["msg"]
    assert sandbox.mutating_calls() == []
    # Refused before the lease: not even the lease's tags are written (an operator who may not tag sees the refusal).
    assert not [entry for entry in sandbox.journal() if entry["operation"] in ("AddTagsToResource", "RemoveTagsFromResource")]


def test_a_run_stopped_by_its_timeout_is_resumed_by_running_it_again(sandbox):
    sandbox.seed("mysql-2")
    # The restored primary and its instance stay 'creating' until the resumed run, however slow the machine.
    sandbox.configure(provision_seconds=0.3, snapshot_seconds=0, hold_transition_of=["mysql2-primary-use1-v3", "mysql2-primary-use1-1-v3"])
    stopped = _run_role(sandbox, aurora_global_upgrade_wait_timeout=1)
    assert stopped.returncode != 0
    failure = _result(stopped)
    assert failure["failed"] is True and "wait_timeout" in failure["msg"]
    message = stopped.result(ROLE + "Stop, saying what failed and what will work")["msg"]
    assert "To resume, once the cause is fixed: run the same ansible-playbook command again" in message
    assert stopped.failed_tasks == [ROLE + "Stop, saying what failed and what will work"]
    # The new primary exists but never became available: the module says so per old member.
    assert [m["outcome"] for m in failure["members"]] == ["not_started", "still_upgrading"]
    assert lease_tags(sandbox, "mysql2-global") == {}, "the stopped run did not release its lease"
    sandbox.configure(hold_transition_of=[])
    resumed = _run_role(sandbox)
    assert resumed.returncode == 0, resumed.failed_tasks
    subjects = ("DBInstanceIdentifier", "DBClusterIdentifier", "GlobalClusterIdentifier")
    creates = [(c["operation"], next(c["params"][name] for name in subjects if name in c["params"])) for c in sandbox.mutating_calls()]
    assert len(creates) == len(set(creates)) == 6
    assert all(c["error"] is None for c in sandbox.mutating_calls())
