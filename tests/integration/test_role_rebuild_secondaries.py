# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The role's rebuild_secondaries method (rule R10) through the collection's playbook, against the sandbox and its journal:
the plan that blocks in_place and names the methods, a full run on a 3-region Aurora MySQL global database, the drained
confirmation, check mode."""

from __future__ import annotations

import json
import re

import pytest

from lease_tags import lease_tags
from role_runs import changing_calls
from role_runs import role_vars
from role_runs import run_role
from test_interruptions_methods import kill_module_after

ROLE = "aurora.global_db.aurora_global_upgrade : "
GLOBAL_CLUSTER = "orders-mysql"
CURRENT = "8.0.mysql_aurora.3.04.0"
# Refused in place on a global database (R10: 3.04 and later with a higher community MySQL version, 8.0.28 -> 8.0.32).
TARGET = "8.0.mysql_aurora.3.05.2"
PRIMARY = ("orders-mysql-ue1", "us-east-1")
SECONDARIES = {"orders-mysql-uw2": "us-west-2", "orders-mysql-ew1": "eu-west-1"}
# A second instance (a reader) in one secondary: instances are renamed and created again, the writer's counterpart first.
READER = "orders-mysql-uw2-reader"
# The calls that make the method's work; the lease's and the run's bookkeeping tags aside.
METHOD_OPERATIONS = ("RemoveFromGlobalCluster", "ModifyDBCluster", "ModifyDBInstance", "CreateDBCluster", "CreateDBInstance")


@pytest.fixture
def mysql(sandbox):
    """A 3-region Aurora MySQL 3.04.0 global database: primary in us-east-1, secondaries in us-west-2 (writer and a reader)
    and eu-west-1."""
    sandbox.seed_fleet([{"global_cluster_identifier": GLOBAL_CLUSTER, "engine": "aurora-mysql", "engine_version": CURRENT,
                         "regions": [PRIMARY[1], "us-west-2", "eu-west-1"]}])
    sandbox.aws_client("rds", "us-west-2").create_db_instance(
        DBInstanceIdentifier=READER, DBClusterIdentifier="orders-mysql-uw2", Engine="aurora-mysql", DBInstanceClass="db.r6g.large", PromotionTier=2)
    sandbox.clear_journal()
    return sandbox


def _rebuild(sandbox, check=False, **overrides):
    variables = dict(aurora_global_upgrade_method="rebuild_secondaries", aurora_global_upgrade_secondaries_drained=True)
    variables.update(overrides)
    return run_role(sandbox, GLOBAL_CLUSTER, TARGET, check=check, **variables)


def _result(run):
    return run.result(ROLE + "Record the result in aurora_global_upgrade_result")["ansible_facts"]["aurora_global_upgrade_result"]


def _cluster(sandbox, identifier, region):
    found = sandbox.aws_client("rds", region).describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"]
    return found[0]


def _global_members(sandbox):
    found = sandbox.aws_client("rds", PRIMARY[1]).describe_global_clusters(GlobalClusterIdentifier=GLOBAL_CLUSTER)["GlobalClusters"][0]
    return {member["DBClusterArn"].split(":")[-1]: member for member in found["GlobalClusterMembers"]}


def _method_calls(sandbox):
    return [entry for entry in changing_calls(sandbox) if entry["operation"] in METHOD_OPERATIONS]


def test_the_plan_blocks_in_place_and_names_every_method(mysql):
    run = run_role(mysql, GLOBAL_CLUSTER, TARGET)
    assert run.returncode != 0
    result = _result(run)
    plan = result["upgrade_plan"]
    assert [blocker["code"] for blocker in plan["blockers"]] == ["in_place_minor_refused"]
    assert set(plan["blockers"][0]["clusters"]) == set(SECONDARIES) | {PRIMARY[0]}
    methods = {name: [blocker["code"] for blocker in blockers] for name, blockers in plan["methods"].items()}
    assert methods == {"in_place": ["in_place_minor_refused"], "snapshot_restore": ["method_not_supported"], "rebuild_secondaries": [],
                       "managed_minor": ["method_not_supported"],
                       # The seeded clusters keep binary logging off (their default parameter group): Blue/Green needs it.
                       "blue_green": ["blue_green_prerequisite"]}
    shown = run.result(ROLE + "Show the upgrade plan")["msg"]
    assert ("Methods for this target: in_place blocked (in_place_minor_refused); snapshot_restore blocked (method_not_supported); "
            "rebuild_secondaries can do it; managed_minor blocked (method_not_supported); blue_green blocked (blue_green_prerequisite).") in shown, shown
    refusal = run.result(ROLE + "Refuse the upgrade for each restriction it breaks")["msg"]
    assert "[in_place_minor_refused]" in refusal and "rebuild_secondaries" in refusal and "aurora_global_upgrade_secondaries_drained" in refusal
    assert "does not yet carry" not in refusal
    assert mysql.mutating_calls() == [] and changing_calls(mysql) == []


def test_the_role_rebuilds_every_secondary_at_the_primary_s_new_version(mysql, tmp_path):
    before = {identifier: _cluster(mysql, identifier, region) for identifier, region in SECONDARIES.items()}
    run = _rebuild(mysql, aurora_global_upgrade_report_dir=str(tmp_path))
    assert run.returncode == 0, [run.result(task).get("msg") for task in run.failed_tasks]
    result = _result(run)
    assert (result["method"], result["failed"], result["rebuilt_at_version"]) == ("rebuild_secondaries", False, TARGET)

    # Every member at the target, the new secondaries under the original identifiers (and endpoint names), connected.
    members = _global_members(mysql)
    assert set(members) == set(SECONDARIES) | {PRIMARY[0]}
    assert {m["SynchronizationStatus"] for name, m in members.items() if name in SECONDARIES} == {"connected"}
    assert _cluster(mysql, *PRIMARY)["EngineVersion"] == TARGET
    for identifier, region in SECONDARIES.items():
        new = _cluster(mysql, identifier, region)
        assert (new["EngineVersion"], new["Status"]) == (TARGET, "available")
        assert new["Endpoint"] == before[identifier]["Endpoint"] and new["DbClusterResourceId"] != before[identifier]["DbClusterResourceId"]
    assert sorted((m["db_cluster_identifier"], m["region"], m["engine_version"]) for m in result["new_members"]) == sorted(
        (identifier, region, TARGET) for identifier, region in SECONDARIES.items())
    assert {m["outcome"] for m in result["members"]} == {"upgraded"}

    # The removed clusters: renamed, standalone, at the old version, their instances renamed too; nothing deleted.
    detached = {cluster["db_cluster_identifier"]: cluster for cluster in result["detached_clusters"]}
    assert set(detached) == {identifier + "-detached" for identifier in SECONDARIES}
    for identifier, region in SECONDARIES.items():
        cluster = detached[identifier + "-detached"]
        assert cluster["region"] == region and identifier in cluster["was"]
        assert "delete-db-cluster" in cluster["delete_command"] and identifier + "-detached" in cluster["delete_command"]
        found = _cluster(mysql, identifier + "-detached", region)
        assert (found["EngineVersion"], found["Status"], found.get("GlobalClusterIdentifier")) == (CURRENT, "available", None)
    assert READER + "-detached" in detached["orders-mysql-uw2-detached"]["db_instance_identifiers"]
    assert not [entry for entry in changing_calls(mysql) if entry["operation"].startswith("Delete")]
    # Untouched but for the removal and the renames: no other call changed a removed cluster or its instances.
    old_names = set(SECONDARIES) | {READER} | {name + "-detached" for name in set(SECONDARIES) | {READER}}
    touching = [entry for entry in _method_calls(mysql) if entry["operation"].startswith("Modify")
                and (entry["params"].get("DBClusterIdentifier") or entry["params"].get("DBInstanceIdentifier")) in old_names]
    assert all("NewDBClusterIdentifier" in entry["params"] or "NewDBInstanceIdentifier" in entry["params"] for entry in touching), touching
    # Removed side by side, one removal per secondary, in its own region, with its ARN.
    removals = [(entry["region"], entry["params"]["DbClusterIdentifier"]) for entry in _method_calls(mysql) if entry["operation"] == "RemoveFromGlobalCluster"]
    assert sorted(removals) == sorted((region, before[identifier]["DBClusterArn"]) for identifier, region in SECONDARIES.items())

    assert isinstance(result["secondaries_gap_seconds"], (int, float)) and result["secondaries_gap_seconds"] >= 0

    # Relayed loudly: the member table and the report name every detached cluster with its delete command, and the gap.
    table = "\n".join(run.result(ROLE + "Show every member")["msg"])
    assert "KEPT, NOT DELETED" in table and "secondaries_gap_seconds" in table
    for cluster in detached.values():
        assert cluster["delete_command"] in table
    report = json.loads(next(tmp_path.glob("*.json")).read_text(encoding="utf-8"))
    assert report["detached_clusters"] == result["detached_clusters"] and report["new_members"] == result["new_members"]
    assert report["secondaries_gap_seconds"] == result["secondaries_gap_seconds"]
    markdown = next(tmp_path.glob("*.md")).read_text(encoding="utf-8")
    assert "## Detached clusters: kept, not deleted" in markdown and all(c["delete_command"] in markdown for c in detached.values())

    # A second run finds nothing to rebuild: no call changes anything, no lease is taken.
    mysql.clear_journal()
    again = _rebuild(mysql)
    assert again.returncode == 0, [again.result(task).get("msg") for task in again.failed_tasks]
    assert changing_calls(mysql) == []


def test_a_failed_primary_upgrade_still_rebuilds_the_secondaries_and_the_role_says_so(mysql):
    mysql.configure(fail_upgrade_of=[PRIMARY[0]])
    run = _rebuild(mysql)
    assert run.returncode != 0
    result = _result(run)
    assert (result["failed"], result["rebuilt_at_version"]) == (True, CURRENT)
    # The global database has its secondaries again, at the version the primary still runs.
    members = _global_members(mysql)
    assert set(members) == set(SECONDARIES) | {PRIMARY[0]}
    assert {m["SynchronizationStatus"] for name, m in members.items() if name in SECONDARIES} == {"connected"}
    assert {_cluster(mysql, identifier, region)["EngineVersion"] for identifier, region in {**SECONDARIES, PRIMARY[0]: PRIMARY[1]}.items()} == {CURRENT}
    # Said once, loudly: what failed, and the removed clusters kept with their delete commands.
    stop = run.result(ROLE + "Stop, saying what failed and what will work")["msg"]
    assert "rebuild_secondaries upgrade of global database orders-mysql" in stop and PRIMARY[0] in stop, stop
    table = "\n".join(run.result(ROLE + "Show every member")["msg"])
    assert "did NOT complete" in table and "KEPT, NOT DELETED" in table, table
    assert all(cluster["delete_command"] in table for cluster in result["detached_clusters"])
    assert not [entry for entry in changing_calls(mysql) if entry["operation"].startswith("Delete")]


def test_without_the_drained_confirmation_nothing_is_read_or_changed(mysql):
    run = _rebuild(mysql, aurora_global_upgrade_secondaries_drained=False)
    assert run.returncode != 0
    stop = run.result(ROLE + "Check the role's variables before any AWS call")
    assert stop.get("failed") is True
    assert "aurora_global_upgrade_secondaries_drained: true" in stop["msg"] and "standalone, writable" in stop["msg"]
    assert "Nothing was read or changed" in stop["msg"]
    # A check of the variables, as the role's others: before the block, so no result is recorded either.
    assert ROLE + "Record the result in aurora_global_upgrade_result" not in run.tasks
    assert mysql.mutating_calls() == [] and changing_calls(mysql) == []
    assert [entry for entry in mysql.journal() if entry["kind"] == "call"] == []


def test_check_mode_lists_every_call_and_makes_none(mysql):
    run = _rebuild(mysql, check=True)
    assert run.returncode == 0, [run.result(task).get("msg") for task in run.failed_tasks]
    assert mysql.mutating_calls() == [] and changing_calls(mysql) == []
    result = _result(run)
    assert result["check_mode"] is True
    calls = result["planned_calls"]
    steps = [call["step"] for call in calls]
    assert steps == sorted(steps, key=["remove", "rename", "upgrade_primary", "create_clusters", "create_instances"].index), steps
    assert sorted(call["region"] for call in calls if call["operation"] == "RemoveFromGlobalCluster") == sorted(SECONDARIES.values())
    assert [call["region"] for call in calls if call["step"] == "upgrade_primary"] == [PRIMARY[1]]
    assert sorted(call["params"]["DBClusterIdentifier"] for call in calls if call["operation"] == "CreateDBCluster") == sorted(SECONDARIES)
    # Every call the run would make, one line each, in order, and the gap it would open.
    summary = run.result(ROLE + "Summary of the rebuild of the secondaries")["msg"]
    listed = [line for line in summary if re.match(r"^ +\d+\. ", line)]
    assert [line.split()[2] for line in listed] == [call["operation"] for call in calls], summary
    assert any("no secondary" in line for line in summary), summary
    # Each member is shown as it would end.
    table = run.result(ROLE + "Show every member")["msg"]
    assert table[0].startswith("Check mode: global database orders-mysql would be upgraded"), table


def test_a_rebuild_whose_module_was_killed_after_the_primary_s_upgrade_is_finished_by_the_next_role_run(mysql):
    """Killed once a new secondary is created: every member, the primary alone, runs the target, so the plan has nothing
    pending; the next run still takes the lease and finishes the secondaries, with no second removal, upgrade or create."""
    new_names = [identifier + "-3-05-2" for identifier in SECONDARIES]
    mysql.configure(provision_seconds=0.5, hold_transition_of=new_names)
    variables = role_vars(mysql, GLOBAL_CLUSTER, TARGET, aurora_global_upgrade_method="rebuild_secondaries",
                          aurora_global_upgrade_secondaries_drained=True, aurora_global_upgrade_keep_identifiers=False)
    killed, _at_death, _at_end = kill_module_after(mysql, "role_upgrade.yml", "aurora_global_rebuild_secondaries", variables, "CreateDBCluster")
    assert killed
    # The role saw its module die: it released the lease and stopped.
    assert lease_tags(mysql, GLOBAL_CLUSTER) == {}
    mysql.configure(hold_transition_of=[])
    run = run_role(mysql, GLOBAL_CLUSTER, TARGET, aurora_global_upgrade_method="rebuild_secondaries",
                   aurora_global_upgrade_secondaries_drained=True, aurora_global_upgrade_keep_identifiers=False)
    assert run.returncode == 0, [run.result(task).get("msg") for task in run.failed_tasks]
    assert sorted(m["db_cluster_identifier"] for m in _result(run)["new_members"]) == sorted(new_names)
    members = _global_members(mysql)
    assert set(members) == set(new_names) | {PRIMARY[0]}
    assert {m["SynchronizationStatus"] for name, m in members.items() if name in new_names} == {"connected"}
    accepted = [entry for entry in _method_calls(mysql) if entry["error"] is None]
    assert [entry["operation"] for entry in accepted].count("RemoveFromGlobalCluster") == len(SECONDARIES)
    assert [entry["operation"] for entry in accepted].count("CreateDBCluster") == len(SECONDARIES)
    assert len([entry for entry in accepted if entry["operation"] == "ModifyDBCluster" and "EngineVersion" in entry["params"]]) == 1
    assert lease_tags(mysql, GLOBAL_CLUSTER) == {}
    # The next run held the lease for its work, though its plan had nothing pending.
    assert _result(run)["upgrade_plan"]["pending"] == []
    taken = run.result(ROLE + "Take the lease of the global database, so that no other run acts on it meanwhile")
    assert not taken.get("skipped") and taken["lease"]["token"], taken
