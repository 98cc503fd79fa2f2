# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""aurora_global_facts through ansible-playbook against the sandbox: facts, every blocker code, errors."""

from __future__ import annotations

import socket

import pytest

from module_docs import documented_return
from playbook_runner import run_playbook
from sandbox_journal import PG_ORDER

PG_REGIONS = ["ap-southeast-2", "eu-west-1", "us-east-1"]


def _facts(sandbox, global_cluster_identifier, check=False, **extra_vars):
    run = run_playbook("facts.yml", sandbox.endpoint_url, dict(extra_vars, global_cluster_identifier=global_cluster_identifier), check=check)
    return run.result("Gather facts")


def _gathered(sandbox, global_cluster_identifier, **extra_vars):
    result = _facts(sandbox, global_cluster_identifier, **extra_vars)
    assert not result.get("failed"), result.get("msg")
    return result["ansible_facts"]["aurora_global"]


def _blocker_codes(facts):
    return [blocker["code"] for blocker in facts["upgrade_plan"]["blockers"]]


def _documented_facts():
    return documented_return("aurora_global_facts")["ansible_facts"]["contains"]["aurora_global"]["contains"]


def test_postgresql_global_database_with_each_member_read_in_its_own_region(sandbox):
    sandbox.seed("postgresql-14")
    facts = _gathered(sandbox, "pg-global")
    assert facts["global_cluster_identifier"] == "pg-global"
    assert facts["global_cluster_arn"].endswith(":global-cluster:pg-global")
    assert (facts["engine"], facts["engine_version"], facts["status"]) == ("aurora-postgresql", "14.6", "available")
    assert facts["failover_state"] is None
    assert facts["upgrade_order"] == PG_ORDER
    assert [m["db_cluster_identifier"] for m in facts["members"]] == PG_ORDER
    assert [m["region"] for m in facts["members"]] == PG_REGIONS
    assert [m["role"] for m in facts["members"]] == ["secondary", "secondary", "primary"]
    assert facts["primary"] == "pg-primary-use1"
    assert all(m["instance_count"] == 1 and not m["headless"] and m["engine_version"] == "14.6" for m in facts["members"])
    assert all(m["db_cluster_arn"].startswith("arn:aws:rds:%s:" % m["region"]) for m in facts["members"])
    assert facts["rpo_enabled"] is False
    targets = {t["engine_version"]: t for t in facts["valid_upgrade_targets"]}
    assert {"14.9", "14.10", "15.4", "16.1"} <= set(targets)
    assert targets["15.4"]["is_major_version_upgrade"] and not targets["14.9"]["is_major_version_upgrade"]
    assert targets["14.7"]["supports_global_databases"] is False
    assert "upgrade_plan" not in facts
    described = {(c["params"].get("DBClusterIdentifier"), c["region"]) for c in sandbox.journal() if c["operation"] == "DescribeDBClusters"}
    assert described == set(zip(PG_ORDER, PG_REGIONS))


def test_every_returned_key_is_documented_and_every_documented_key_is_returned(sandbox):
    sandbox.seed("postgresql-14")
    sandbox.set_state(global_cluster="pg-global", failover_state={"Status": "switching-over", "FromDbClusterArn": "a", "ToDbClusterArn": "b"})
    facts = _gathered(sandbox, "pg-global", target_engine_version="15.4")
    documented = _documented_facts()
    assert set(facts) == set(documented)
    assert set(facts["members"][0]) == set(documented["members"]["contains"])
    assert set(facts["valid_upgrade_targets"][0]) == set(documented["valid_upgrade_targets"]["contains"])
    assert set(facts["failover_state"]) == set(documented["failover_state"]["contains"])
    plan = documented["upgrade_plan"]["contains"]
    assert set(facts["upgrade_plan"]) == set(plan)
    assert set(facts["upgrade_plan"]["blockers"][0]) == set(plan["blockers"]["contains"])


def test_minor_plan_and_check_mode_gives_the_same_facts(sandbox):
    sandbox.seed("postgresql-14")
    normal = _facts(sandbox, "pg-global", target_engine_version="14.9")
    assert not normal.get("failed"), normal.get("msg")
    checked = _facts(sandbox, "pg-global", check=True, target_engine_version="14.9")
    assert checked["ansible_facts"] == normal["ansible_facts"]
    assert checked["changed"] is False
    assert sandbox.mutating_calls() == []

    # A copy: the methods are taken out of the plan below, not out of the facts compared above.
    plan = dict(normal["ansible_facts"]["aurora_global"]["upgrade_plan"])
    methods = plan.pop("methods")
    assert plan == {
        "target_engine_version": "14.9", "kind": "minor", "method": "per_cluster", "pending": PG_ORDER, "blockers": [],
        "checked": _documented_facts()["upgrade_plan"]["contains"]["checked"]["sample"],
    }
    # As seeded, pg-global has rds.logical_replication off and runs 14.6, below Blue/Green's minimum 14.9.
    assert _method_codes({"methods": methods}) == {
        "in_place": [], "snapshot_restore": ["method_not_supported"], "rebuild_secondaries": ["method_not_supported"],
        "managed_minor": [], "blue_green": ["blue_green_prerequisite"] * 2,
    }
    assert plan["checked"][-1] == "member_not_synchronized"


def test_major_plan_is_global_and_the_default_method_is_in_place(sandbox):
    sandbox.seed("postgresql-14")
    plan = _gathered(sandbox, "pg-global", target_engine_version="15.4")["upgrade_plan"]
    assert (plan["kind"], plan["method"], plan["pending"], plan["blockers"]) == ("major", "global", PG_ORDER, [])
    # The plan's own blockers are those of the default method.
    assert plan["blockers"] == plan["methods"]["in_place"]
    assert _method_codes(plan) == {
        "in_place": [], "snapshot_restore": ["method_not_supported"], "rebuild_secondaries": ["method_not_supported"],
        "managed_minor": ["method_not_supported"], "blue_green": ["blue_green_prerequisite"] * 2,
    }


def test_nothing_to_do_at_the_current_version(sandbox):
    sandbox.seed("postgresql-14")
    plan = _gathered(sandbox, "pg-global", target_engine_version="14.6")["upgrade_plan"]
    assert (plan["kind"], plan["method"], plan["pending"], plan["blockers"], plan["checked"]) == ("none", "none", [], [], [])


def test_mysql_3_global_database(sandbox):
    sandbox.seed("mysql-3")
    # 3.04.1 keeps 3.04.0's community MySQL version (8.0.28, as AWS's descriptions say): rule R10 is not predicted.
    facts = _gathered(sandbox, "mysql3-global", target_engine_version="8.0.mysql_aurora.3.04.1")
    assert facts["engine"] == "aurora-mysql"
    assert facts["upgrade_order"] == ["mysql3-secondary-usw2", "mysql3-primary-use1"]
    assert facts["upgrade_plan"]["kind"] == "minor" and facts["upgrade_plan"]["blockers"] == []
    assert "8.4.mysql_aurora.8.4.7" in [t["engine_version"] for t in facts["valid_upgrade_targets"]]


def _method_codes(plan):
    return {method: [blocker["code"] for blocker in blockers] for method, blockers in plan["methods"].items()}


def test_every_methods_blockers_in_one_call(sandbox):
    sandbox.seed("mysql-3")
    plan = _gathered(sandbox, "mysql3-global", target_engine_version="8.0.mysql_aurora.3.05.2", method="rebuild_secondaries")["upgrade_plan"]
    assert set(plan) == set(_documented_facts()["upgrade_plan"]["contains"])
    assert (plan["kind"], plan["method"], plan["blockers"]) == ("minor", "rebuild_secondaries", [])
    assert "method_not_supported" in plan["checked"] and "in_place_minor_refused" not in plan["checked"]
    assert _method_codes(plan) == {
        "in_place": ["in_place_minor_refused"], "snapshot_restore": ["method_not_supported"], "rebuild_secondaries": [],
        "managed_minor": ["method_not_supported"], "blue_green": ["blue_green_prerequisite"],  # binary logging off, as seeded
    }
    refused = plan["methods"]["in_place"][0]
    assert refused["clusters"] == ["mysql3-secondary-usw2", "mysql3-primary-use1"]
    assert "(MySQL 8.0.32)" in refused["message"] and "rebuild_secondaries" in refused["message"] and "blue_green" in refused["message"]
    assert ("Methods that can: in_place, rebuild_secondaries, blue_green (role: aurora_global_upgrade_method: in_place or "
            "rebuild_secondaries or blue_green).") in plan["methods"]["managed_minor"][0]["message"]


def test_an_unknown_method_is_refused(sandbox):
    sandbox.seed("postgresql-14")
    result = _facts(sandbox, "pg-global", target_engine_version="14.9", method="sideways", expect_failure=True)
    _assert_clean_failure(result, "value of method must be one of: in_place, snapshot_restore, rebuild_secondaries, managed_minor, blue_green")


def test_rpo_is_reported(sandbox):
    sandbox.seed("postgresql-14-rpo")
    facts = _gathered(sandbox, "pg-global")
    assert facts["rpo_enabled"] is True
    assert {m["db_cluster_identifier"]: m["rpo_seconds"] for m in facts["members"]} == {
        "pg-primary-use1": 60, "pg-secondary-euw1": None, "pg-secondary-apse2": None}


def test_headless_member_is_reported(sandbox):
    sandbox.seed("postgresql-14-headless")
    facts = _gathered(sandbox, "pg-global")
    headless = {m["db_cluster_identifier"]: (m["headless"], m["instance_count"]) for m in facts["members"]}
    assert headless == {"pg-secondary-apse2": (True, 0), "pg-secondary-euw1": (False, 1), "pg-primary-use1": (False, 1)}


def test_the_global_cluster_is_found_from_any_region(sandbox):
    sandbox.seed("postgresql-14")
    assert _gathered(sandbox, "pg-global", sandbox_region="ap-southeast-2")["primary"] == "pg-primary-use1"


def test_connection_options_from_the_collection_action_group(sandbox):
    sandbox.seed("postgresql-14")
    run = run_playbook("module_defaults_group.yml", sandbox.endpoint_url, {"global_cluster_identifier": "pg-global"})
    assert run.returncode == 0, run.failed_tasks
    assert run.result("Gather facts")["ansible_facts"]["aurora_global"]["primary"] == "pg-primary-use1"
    described = run.result("Describe the global cluster with amazon.aws")["global_clusters"]
    assert [cluster["global_cluster_identifier"] for cluster in described] == ["pg-global"]
    assert {call["region"] for call in sandbox.journal() if call["operation"] == "DescribeGlobalClusters"} == {"eu-west-1"}


# (code, state set in the sandbox, whether the blocker clears on its own: in_flight)
STATE_BLOCKERS = [
    ("global_cluster_not_available", {"global_cluster": "pg-global", "status": "modifying"}, True),
    ("global_cluster_not_available", {"global_cluster": "pg-global", "status": "deleting"}, False),
    ("failover_in_progress", {"global_cluster": "pg-global", "failover_state": {
        "Status": "switching-over",
        "FromDbClusterArn": "arn:aws:rds:us-east-1:123456789012:cluster:pg-primary-use1",
        "ToDbClusterArn": "arn:aws:rds:eu-west-1:123456789012:cluster:pg-secondary-euw1"}}, False),
    ("member_not_available", {"db_cluster": "pg-secondary-euw1", "region": "eu-west-1", "status": "backing-up"}, False),
    ("member_not_available", {"db_cluster": "pg-secondary-euw1", "region": "eu-west-1", "status": "upgrading"}, True),
]


@pytest.mark.parametrize("code, state, in_flight", STATE_BLOCKERS, ids=["%s-%s" % (row[0], row[1].get("status", "failover")) for row in STATE_BLOCKERS])
def test_blockers_from_the_state_of_the_global_database(sandbox, code, state, in_flight):
    sandbox.seed("postgresql-14")
    sandbox.set_state(**state)
    facts = _gathered(sandbox, "pg-global", target_engine_version="14.9")
    assert _blocker_codes(facts) == [code]
    assert facts["upgrade_plan"]["blockers"][0]["in_flight"] is in_flight


VERSION_BLOCKERS = [
    ("mysql_v2_to_v3_in_place", "mysql-2", "mysql2-global", "8.0.mysql_aurora.3.04.0", "snapshot restore"),
    ("rpo_enabled", "postgresql-14-rpo", "pg-global", "15.4", "rds.global_db_rpo"),
    ("downgrade", "postgresql-14", "pg-global", "13.9", "cannot downgrade"),
    ("invalid_target", "postgresql-14", "pg-global", "15.5", "not a valid upgrade target"),
    ("target_not_global", "postgresql-14", "pg-global", "14.7", "does not support Aurora global databases"),
    ("headless_member", "postgresql-14-headless", "pg-global", "14.9", "pg-secondary-apse2"),
    ("in_place_minor_refused", "mysql-3", "mysql3-global", "8.0.mysql_aurora.3.05.2", "rebuild_secondaries"),
    ("in_place_minor_refused", "mysql-2", "mysql2-global", "5.7.mysql_aurora.2.12.0", "blue_green"),
]


@pytest.mark.parametrize("code, scenario, global_cluster, target, says", VERSION_BLOCKERS, ids=["%s-%s" % (row[0], row[1]) for row in VERSION_BLOCKERS])
def test_blockers_from_the_target(sandbox, code, scenario, global_cluster, target, says):
    sandbox.seed(scenario)
    facts = _gathered(sandbox, global_cluster, target_engine_version=target)
    assert _blocker_codes(facts) == [code]
    assert says in facts["upgrade_plan"]["blockers"][0]["message"]


def test_a_region_that_does_not_offer_the_target_yet(sandbox):
    sandbox.seed("postgresql-14")
    sandbox.configure(hidden_versions={"eu-west-1": ["14.9"]})
    facts = _gathered(sandbox, "pg-global", target_engine_version="14.9")
    assert _blocker_codes(facts) == ["invalid_target"]
    assert facts["upgrade_plan"]["blockers"][0]["clusters"] == ["pg-secondary-euw1"]
    assert "14.9" not in [t["engine_version"] for t in facts["valid_upgrade_targets"]]


def _assert_clean_failure(result, says):
    assert result.get("failed") is True
    assert says in result["msg"]
    assert "Traceback" not in result["msg"] and "module_stderr" not in result


def test_unknown_global_cluster(sandbox):
    _assert_clean_failure(_facts(sandbox, "no-such-global", expect_failure=True), "Global cluster no-such-global does not exist")


def test_a_target_that_is_not_a_version_of_the_engine(sandbox):
    sandbox.seed("postgresql-14")
    result = _facts(sandbox, "pg-global", target_engine_version="8.0.mysql_aurora.3.04.0", expect_failure=True)
    _assert_clean_failure(result, "is not an Aurora PostgreSQL engine version")


def test_unreachable_endpoint():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    run = run_playbook("facts.yml", "http://127.0.0.1:%d" % closed_port, {"global_cluster_identifier": "pg-global", "expect_failure": True})
    _assert_clean_failure(run.result("Gather facts"), "Could not connect to the endpoint URL")
    assert "Describing global cluster pg-global" in run.result("Gather facts")["msg"]
