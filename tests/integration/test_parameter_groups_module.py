# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""aurora_global_parameter_groups through ansible-playbook against the sandbox: checks, apply, reboots, check mode."""

from __future__ import annotations


import pytest

import major_extras as extras
from module_docs import documented_return
from playbook_runner import run_playbook
from sandbox_journal import PG_ORDER

TASK = "Apply parameter groups"
ALL_GROUPS = dict(
    global_cluster_identifier="pg-global",
    db_cluster_parameter_groups=extras.every_region(extras.CLUSTER_GROUP),
    db_parameter_groups=extras.every_region(extras.INSTANCE_GROUP),
)


def _run(sandbox, check=False, diff=False, **extra_vars):
    return run_playbook("parameter_groups.yml", sandbox.endpoint_url, extra_vars, check=check, diff=diff).result(TASK)


def _succeeded(sandbox, **kwargs):
    result = _run(sandbox, **kwargs)
    assert not result.get("failed"), result.get("msg")
    return result


@pytest.fixture
def seeded(sandbox):
    """postgresql-14 with a reader beside the writer in us-east-1 and eu-west-1, and groups of family aurora-postgresql15 everywhere."""
    sandbox.seed("postgresql-14")
    # Transitions are immediate here: the waits are tested with real delays in test_reboots_wait_for_each_instance.
    sandbox.configure(upgrade_seconds=0, status_delay_seconds=0, reboot_seconds=0)
    extras.add_reader(sandbox, "pg-primary-use1", "us-east-1")
    extras.add_reader(sandbox, "pg-secondary-euw1", "eu-west-1")
    extras.create_groups(sandbox, extras.PG_REGIONS.values())
    return sandbox


def _upgrade_to_15(sandbox):
    sandbox.aws_client().modify_global_cluster(GlobalClusterIdentifier="pg-global", EngineVersion="15.4", AllowMajorVersionUpgrade=True)
    sandbox.clear_journal()


def _mutations(sandbox):
    return [(entry["operation"], entry["params"].get("DBInstanceIdentifier") or entry["params"].get("DBClusterIdentifier"))
            for entry in sandbox.mutating_calls()]


EXPECTED_REBOOTS = ["pg-secondary-apse2-1", "pg-secondary-euw1-2", "pg-secondary-euw1-1", "pg-primary-use1-2", "pg-primary-use1-1"]


def test_after_a_major_upgrade_every_member_and_instance_gets_its_group_readers_reboot_before_writers_and_a_second_run_changes_nothing(seeded):
    _upgrade_to_15(seeded)
    before = extras.groups_in_sandbox(seeded)
    assert {groups[0] for groups in before.values()} == {"default.aurora-postgresql15"}
    result = _succeeded(seeded, reboot=True, **ALL_GROUPS)
    assert result["changed"] and result["parameter_group_family"] == "aurora-postgresql15" and result["engine_version"] == "15.4"
    assert [m["db_cluster_identifier"] for m in result["members"]] == PG_ORDER
    assert result["rebooted"] == EXPECTED_REBOOTS and result["pending_reboot"] == []
    after = extras.groups_in_sandbox(seeded)
    assert len(after) == 3
    for cluster_group, instances in after.values():
        assert cluster_group == extras.CLUSTER_GROUP
        assert set(instances.values()) == {(extras.INSTANCE_GROUP, "in-sync")}
    mutations = _mutations(seeded)
    modifications = [m for m in mutations if m[0] != "RebootDBInstance"]
    assert len(modifications) == 3 + 5
    # Every group is applied before the first reboot; then one instance at a time, readers before each writer.
    assert mutations[len(modifications):] == [("RebootDBInstance", identifier) for identifier in EXPECTED_REBOOTS]
    # A second run finds every group applied and every instance in sync.
    seeded.clear_journal()
    again = _succeeded(seeded, reboot=True, **ALL_GROUPS)
    assert not again["changed"] and again["rebooted"] == [] and again["pending_reboot"] == []
    assert seeded.mutating_calls() == []


def test_without_reboot_the_instances_are_returned_as_pending_none_is_rebooted_and_exactly_the_documented_keys_are_returned(seeded):
    _upgrade_to_15(seeded)
    # In diff mode, so that the result carries its documented diff: the module computes the diff on every run and only
    # leaves it out of the result outside diff mode, so nothing else of the run differs.
    result = _succeeded(seeded, diff=True, **ALL_GROUPS)
    documented = documented_return("aurora_global_parameter_groups")
    on_success = {key for key, spec in documented.items() if spec["returned"] != "failure"}
    assert on_success <= set(result)
    assert set(result["members"][0]) == set(documented["members"]["contains"])
    assert set(result["members"][0]["instances"][0]) == set(documented["members"]["contains"]["instances"]["contains"])
    assert set(result["diff"]) == set(documented["diff"]["contains"])
    module_keys = {"changed", "invocation", "_ansible_no_log", "action"}
    assert set(result) - module_keys == on_success
    assert result["rebooted"] == [] and result["pending_reboot"] == EXPECTED_REBOOTS
    assert all(i["pending_reboot"] and not i["rebooted"] for m in result["members"] for i in m["instances"])
    assert "RebootDBInstance" not in {mutation[0] for mutation in _mutations(seeded)}
    again = _succeeded(seeded, reboot=True, **ALL_GROUPS)
    # The second run changes no group, only reboots what still waits for it.
    assert again["changed"] and again["rebooted"] == EXPECTED_REBOOTS
    assert {mutation[0] for mutation in _mutations(seeded)} == {"ModifyDBCluster", "ModifyDBInstance", "RebootDBInstance"}


def test_only_the_named_regions_are_touched(seeded):
    _upgrade_to_15(seeded)
    result = _succeeded(seeded, global_cluster_identifier="pg-global", db_parameter_groups={"eu-west-1": extras.INSTANCE_GROUP})
    assert [m["db_cluster_identifier"] for m in result["members"]] == ["pg-secondary-euw1"]
    assert sorted(_mutations(seeded)) == [("ModifyDBInstance", "pg-secondary-euw1-1"), ("ModifyDBInstance", "pg-secondary-euw1-2")]


def test_missing_and_wrong_family_groups_are_refused_before_any_change(seeded):
    _upgrade_to_15(seeded)
    extras.create_groups(seeded, ["eu-west-1"], family="aurora-postgresql14", cluster_group="pg14-cluster-params", instance_group="pg14-instance-params")
    result = _run(
        seeded, expect_failure=True, global_cluster_identifier="pg-global",
        db_cluster_parameter_groups={"us-east-1": extras.CLUSTER_GROUP, "eu-west-1": "pg14-cluster-params", "ap-southeast-2": "absent-params"},
        db_parameter_groups={"eu-west-1": "pg14-instance-params"},
    )
    assert result["failed"]
    message = result["msg"]
    assert "DB cluster parameter group absent-params does not exist in ap-southeast-2" in message
    assert "DB cluster parameter group pg14-cluster-params in eu-west-1 has family aurora-postgresql14, not aurora-postgresql15" in message
    assert "DB parameter group pg14-instance-params in eu-west-1 has family aurora-postgresql14, not aurora-postgresql15" in message
    assert extras.CLUSTER_GROUP not in message
    assert (result["modified"], result["rebooted"], result["changed"]) == ([], [], False)
    assert seeded.mutating_calls() == []


def test_a_region_without_a_member_is_refused(seeded):
    result = _run(seeded, expect_failure=True, global_cluster_identifier="pg-global", engine_version="15.4",
                  db_parameter_groups={"us-west-2": extras.INSTANCE_GROUP})
    assert result["failed"]
    assert "db_parameter_groups names region us-west-2, where the global database has no member" in result["msg"]


def test_before_the_upgrade_check_mode_reports_what_it_will_do_and_a_real_run_refuses(seeded):
    seeded.clear_journal()
    preview = _succeeded(seeded, check=True, diff=True, engine_version="15.4", reboot=True, **ALL_GROUPS)
    assert preview["changed"] and preview["rebooted"] == EXPECTED_REBOOTS
    assert preview["diff"]["after"]["pg-primary-use1"] == {
        "db_cluster_parameter_group": extras.CLUSTER_GROUP,
        "db_parameter_groups": {"pg-primary-use1-1": extras.INSTANCE_GROUP, "pg-primary-use1-2": extras.INSTANCE_GROUP},
    }
    assert preview["diff"]["before"]["pg-primary-use1"]["db_cluster_parameter_group"] == "pg-global-params"
    refused = _run(seeded, expect_failure=True, engine_version="15.4", **ALL_GROUPS)
    assert refused["failed"] and "pg-primary-use1 (us-east-1) runs 14.6, not 15.4" in refused["msg"]
    assert seeded.mutating_calls() == []


def test_reboots_wait_for_each_instance(seeded):
    _upgrade_to_15(seeded)
    seeded.configure(status_delay_seconds=0.3, reboot_seconds=0.3)
    result = _succeeded(seeded, reboot=True, global_cluster_identifier="pg-global", db_parameter_groups={"us-east-1": extras.INSTANCE_GROUP})
    assert result["rebooted"] == ["pg-primary-use1-2", "pg-primary-use1-1"]
    journal = [(entry["kind"], entry["operation"], entry["params"].get("DBInstanceIdentifier")) for entry in seeded.journal()
               if entry["operation"] in ("RebootDBInstance", "RebootCompleted")]
    # The writer's reboot starts only after the reader is back.
    assert journal == [
        ("call", "RebootDBInstance", "pg-primary-use1-2"), ("event", "RebootCompleted", "pg-primary-use1-2"),
        ("call", "RebootDBInstance", "pg-primary-use1-1"), ("event", "RebootCompleted", "pg-primary-use1-1"),
    ]
