# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""aurora_global_upgrade through ansible-playbook against the sandbox, checked against the sandbox's journal.

The journal records every RDS call and every simulated upgrade event, so these
tests check what was asked of AWS, in which region and in which order, not
only what the module says it did.
"""

from __future__ import annotations


import pytest

from lease_tags import lease_tags
from module_docs import STANDARD_KEYS
from module_docs import documented_return
from playbook_runner import run_playbook
from role_runs import changing_calls
from sandbox_journal import PG_ORDER
from sandbox_journal import PG_REGIONS
from sandbox_journal import events
from sandbox_journal import member_modifications
from sandbox_journal import modified_members

PG_ARN = "arn:aws:rds:%s:123456789012:cluster:%s"


def _upgrade(sandbox, engine_version, global_cluster_identifier="pg-global", check=False, diff=False, **extra_vars):
    extra_vars.update(global_cluster_identifier=global_cluster_identifier, engine_version=engine_version)
    return run_playbook("upgrade_once.yml", sandbox.endpoint_url, extra_vars, check=check, diff=diff).result("Upgrade")


def _succeeded(result):
    assert not result.get("failed"), result.get("msg")
    return result


def _refused(sandbox, engine_version, **extra_vars):
    result = _upgrade(sandbox, engine_version, expect_failure=True, **extra_vars)
    assert result.get("failed") is True, result
    # A crash shows as MODULE FAILURE with the module's stderr; ansible-core 2.19 adds an `exception` summary to every failure.
    assert "module_stderr" not in result and "MODULE FAILURE" not in result["msg"], "an expected failure must not be a crash: %s" % result
    return result


def _returned_on_failure(documented):
    return {key for key, doc in documented.items() if doc["returned"] == "always" or "on failure" in doc["returned"]}


def test_every_returned_key_is_documented_and_every_documented_key_is_returned(sandbox):
    sandbox.seed("postgresql-14")
    documented = documented_return("aurora_global_upgrade")
    success = _succeeded(_upgrade(sandbox, "14.9", diff=True, upgrade_wait=False))
    assert set(success) - STANDARD_KEYS == set(documented)
    assert set(success["diff"]) == set(documented["diff"]["contains"])

    failure = _refused(sandbox, "14.9", wait_timeout=0)
    assert failure["timed_out"] is True
    assert set(failure) - STANDARD_KEYS == _returned_on_failure(documented)


def _versions(result):
    return {m["db_cluster_identifier"]: m["engine_version"] for m in result["global_cluster"]["members"]}


def test_minor_upgrade_goes_member_by_member_secondaries_first_and_a_second_run_changes_nothing(sandbox):
    sandbox.seed("postgresql-14")
    # upgrade_twice.yml's first run passes the module what upgrade_once.yml does; the second run changes nothing, so the
    # journal holds the first run's modifications only.
    run = run_playbook("upgrade_twice.yml", sandbox.endpoint_url, {"global_cluster_identifier": "pg-global", "engine_version": "14.9"})
    first, second = run.result("Upgrade twice")["results"]
    _succeeded(first)
    modifications = member_modifications(sandbox)
    assert [(entry["params"]["DBClusterIdentifier"], entry["region"]) for entry in modifications] == [(i, PG_REGIONS[i]) for i in PG_ORDER]
    assert all(entry["params"]["EngineVersion"] == "14.9" and entry["params"]["ApplyImmediately"] is True for entry in modifications)
    completed = events(sandbox, "UpgradeCompleted")
    for previous, following in zip(modifications, modifications[1:]):
        previous_done = completed[previous["params"]["DBClusterIdentifier"]]
        assert previous_done["seq"] < following["seq"], "%s was modified before %s had finished" % (following["params"], previous["params"])
        assert previous_done["time"] <= following["time"]
    assert first["changed"] is True
    assert first["upgraded"] == PG_ORDER
    assert first["upgrade_plan"]["kind"] == "minor" and first["upgrade_plan"]["pending"] == PG_ORDER
    assert _versions(first) == dict.fromkeys(PG_ORDER, "14.9")
    assert all(m["status"] == "available" for m in first["global_cluster"]["members"])
    assert "diff" not in first

    assert second["changed"] is False and second["upgraded"] == []
    assert second["upgrade_plan"]["kind"] == "none"
    assert len(member_modifications(sandbox)) == 3


def test_mysql_minor_upgrade_does_the_secondary_then_the_primary(sandbox):
    sandbox.seed("mysql-2")
    result = _succeeded(_upgrade(sandbox, "5.7.mysql_aurora.2.11.3", global_cluster_identifier="mysql2-global"))
    assert [(entry["params"]["DBClusterIdentifier"], entry["region"]) for entry in member_modifications(sandbox)] == [
        ("mysql2-secondary-usw2", "us-west-2"), ("mysql2-primary-use1", "us-east-1")]
    assert _versions(result) == {"mysql2-secondary-usw2": "5.7.mysql_aurora.2.11.3", "mysql2-primary-use1": "5.7.mysql_aurora.2.11.3"}


def test_major_upgrade_is_one_modify_global_cluster(sandbox):
    sandbox.seed("postgresql-14")
    result = _succeeded(_upgrade(sandbox, "15.4", allow_major_version_upgrade=True))
    calls = sandbox.mutating_calls()
    assert [(c["operation"], c["region"], c["error"]) for c in calls] == [("ModifyGlobalCluster", "us-east-1", None)]
    assert calls[0]["params"]["GlobalClusterIdentifier"] == "pg-global"
    assert calls[0]["params"]["EngineVersion"] == "15.4"
    assert calls[0]["params"]["AllowMajorVersionUpgrade"] is True
    assert result["upgraded"] == ["pg-global"]
    assert result["upgrade_plan"]["method"] == "global"
    assert result["global_cluster"]["engine_version"] == "15.4"
    assert _versions(result) == dict.fromkeys(PG_ORDER, "15.4")


def test_a_rerun_during_a_major_upgrade_waits_for_it_instead_of_calling_again(sandbox):
    sandbox.seed("postgresql-14")
    # Upgrading from the call on (no pending window), and until the re-run waits for it, however slow the machine.
    sandbox.configure(status_delay_seconds=0, hold_upgrade_of=["pg-global"])
    first = _succeeded(_upgrade(sandbox, "15.4", allow_major_version_upgrade=True, upgrade_wait=False))
    assert first["upgraded"] == ["pg-global"]
    assert _versions(first) == dict.fromkeys(PG_ORDER, "14.6")
    sandbox.clear_journal()
    # The re-run reads the global cluster for its lease, for its plan, then in its wait: released at that third read.
    with sandbox.releasing_hold("hold_upgrade_of", "pg-global", after_reads=3):
        second = _succeeded(_upgrade(sandbox, "15.4", allow_major_version_upgrade=True))
    journal = sandbox.journal()
    completed = [entry for entry in journal if entry["kind"] == "event" and entry["operation"] == "UpgradeCompleted"]
    assert completed and completed[0]["time"] > min(entry["time"] for entry in journal if entry["kind"] == "call"), "the re-run did not have to wait"
    assert sandbox.mutating_calls() == []
    assert second["changed"] is False and second["upgraded"] == []
    assert _versions(second) == dict.fromkeys(PG_ORDER, "15.4")


def test_major_upgrade_without_the_flag_is_refused(sandbox):
    sandbox.seed("postgresql-14")
    result = _refused(sandbox, "15.4")
    assert "allow_major_version_upgrade" in result["msg"]
    assert result["upgrade_plan"]["kind"] == "major"
    assert sandbox.mutating_calls() == []


def test_major_upgrade_of_one_member_is_refused(sandbox):
    sandbox.seed("postgresql-14")
    result = _refused(sandbox, "15.4", allow_major_version_upgrade=True, db_cluster_identifier="pg-secondary-euw1")
    assert "ModifyGlobalCluster" in result["msg"] and "db_cluster_identifier" in result["msg"]
    assert sandbox.mutating_calls() == []


def _force_global_status(sandbox):
    sandbox.set_state(global_cluster="pg-global", status="deleting")


def _force_failover(sandbox):
    sandbox.set_state(global_cluster="pg-global", failover_state={
        "Status": "switching-over",
        "FromDbClusterArn": PG_ARN % ("us-east-1", "pg-primary-use1"),
        "ToDbClusterArn": PG_ARN % ("eu-west-1", "pg-secondary-euw1"),
    })


def _force_member_status(sandbox):
    sandbox.set_state(db_cluster="pg-secondary-euw1", region="eu-west-1", status="backing-up")


def _hide_target_in_one_region(sandbox):
    sandbox.configure(hidden_versions={"eu-west-1": ["14.9"]})


@pytest.mark.parametrize("scenario, prepare, engine_version, code", [
    ("mysql-2", None, "8.0.mysql_aurora.3.04.0", "mysql_v2_to_v3_in_place"),
    ("postgresql-14-rpo", None, "15.4", "rpo_enabled"),
    ("postgresql-14", None, "14.5", "downgrade"),
    ("postgresql-14", _hide_target_in_one_region, "14.9", "invalid_target"),
    ("postgresql-14", None, "14.7", "target_not_global"),
    ("postgresql-14", _force_global_status, "14.9", "global_cluster_not_available"),
    ("postgresql-14", _force_failover, "14.9", "failover_in_progress"),
    ("postgresql-14", _force_member_status, "14.9", "member_not_available"),
    ("postgresql-14-headless", None, "14.9", "headless_member"),
    ("mysql-3", None, "8.0.mysql_aurora.3.05.2", "in_place_minor_refused"),
])
def test_each_blocker_is_refused_without_any_change(sandbox, scenario, prepare, engine_version, code):
    sandbox.seed(scenario)
    if prepare:
        prepare(sandbox)
    global_cluster_identifier = {"mysql-2": "mysql2-global", "mysql-3": "mysql3-global"}.get(scenario, "pg-global")
    result = _refused(sandbox, engine_version, global_cluster_identifier=global_cluster_identifier, allow_major_version_upgrade=True)
    blockers = result["upgrade_plan"]["blockers"]
    assert code in [blocker["code"] for blocker in blockers]
    assert all(blocker["message"] in result["msg"] for blocker in blockers)
    assert sandbox.mutating_calls() == []


def test_check_mode_changes_nothing_and_says_what_would_change(sandbox):
    sandbox.seed("postgresql-14")
    result = _succeeded(_upgrade(sandbox, "14.9", check=True, diff=True))
    assert sandbox.mutating_calls() == []
    assert result["changed"] is True
    assert result["upgraded"] == PG_ORDER
    assert result["diff"] == {"before": dict.fromkeys(PG_ORDER, "14.6"), "after": dict.fromkeys(PG_ORDER, "14.9")}
    assert _versions(result) == dict.fromkeys(PG_ORDER, "14.6")


def test_check_mode_refuses_what_a_real_run_refuses(sandbox):
    sandbox.seed("postgresql-14")
    _refused(sandbox, "15.4", check=True)
    assert sandbox.mutating_calls() == []


def test_diff_mode_reports_versions_before_and_after(sandbox):
    sandbox.seed("postgresql-14")
    result = _succeeded(_upgrade(sandbox, "14.9", diff=True))
    assert result["diff"] == {"before": dict.fromkeys(PG_ORDER, "14.6"), "after": dict.fromkeys(PG_ORDER, "14.9")}


def test_single_member_upgrade_in_a_lease_of_its_own_then_the_primary_is_refused(sandbox):
    sandbox.seed("postgresql-14")
    result = _succeeded(_upgrade(sandbox, "14.9", db_cluster_identifier="pg-secondary-apse2"))
    assert result["upgraded"] == ["pg-secondary-apse2"]
    assert result["not_started"] == ["pg-secondary-euw1", "pg-primary-use1"]
    assert _versions(result)["pg-secondary-apse2"] == "14.9"
    # Without the role, the module takes a lease of its own around its changes and releases it.
    assert [entry["operation"] for entry in changing_calls(sandbox)] == ["AddTagsToResource", "ModifyDBCluster", "RemoveTagsFromResource"]
    assert lease_tags(sandbox, "pg-global") == {}

    refused = _refused(sandbox, "14.9", db_cluster_identifier="pg-primary-use1")
    assert "pg-secondary-euw1" in refused["msg"] and "primary" in refused["msg"]
    assert modified_members(sandbox) == ["pg-secondary-apse2"]


def test_unknown_member_is_refused(sandbox):
    sandbox.seed("postgresql-14")
    result = _refused(sandbox, "14.9", db_cluster_identifier="pg-nowhere")
    assert "pg-nowhere is not a member of global cluster pg-global" in result["msg"]
    assert sandbox.mutating_calls() == []


def test_wait_false_starts_one_member_and_a_rerun_resumes(sandbox):
    sandbox.seed("postgresql-14")
    # Upgrading from the call on (no pending window), and until the re-run waits for it, however slow the machine.
    sandbox.configure(status_delay_seconds=0, hold_upgrade_of=["pg-secondary-apse2"])
    first = _succeeded(_upgrade(sandbox, "14.9", upgrade_wait=False))
    assert first["upgraded"] == ["pg-secondary-apse2"]
    assert first["not_started"] == ["pg-secondary-euw1", "pg-primary-use1"]
    assert "pg-secondary-apse2" not in events(sandbox, "UpgradeCompleted"), "wait=false waited for the upgrade"
    first_run_end = max(entry["seq"] for entry in sandbox.journal())

    # The re-run reads the member for its plan, then in its wait: released at that second read.
    with sandbox.releasing_hold("hold_upgrade_of", "pg-secondary-apse2", after_reads=2):
        second = _succeeded(_upgrade(sandbox, "14.9", upgrade_wait=False))
    assert second["upgraded"] == ["pg-secondary-euw1"]
    assert modified_members(sandbox) == ["pg-secondary-apse2", "pg-secondary-euw1"]
    apse2_done = events(sandbox, "UpgradeCompleted")["pg-secondary-apse2"]
    second_run_start = min(entry["time"] for entry in sandbox.journal() if entry["seq"] > first_run_end and entry["kind"] == "call")
    assert apse2_done["time"] > second_run_start, "the re-run found nothing to wait for"
    assert apse2_done["seq"] < member_modifications(sandbox)[1]["seq"]


def test_a_failed_member_stops_the_run_before_the_primary_and_its_events_are_reported(sandbox):
    sandbox.seed("postgresql-14")
    sandbox.configure(fail_upgrade_of=["pg-secondary-euw1"])
    result = _refused(sandbox, "14.9")
    assert "aws rds describe-events --source-type db-cluster --source-identifier pg-secondary-euw1 --region eu-west-1" in result["msg"]
    assert "Recent RDS events of pg-secondary-euw1 (eu-west-1, last 60 minutes): " in result["msg"]
    assert "upgrade started" in result["msg"] and "upgrade-prechecks.log" in result["msg"]
    events_read = [entry for entry in sandbox.journal() if entry["operation"] == "DescribeEvents"]
    assert [(entry["region"], entry["params"].get("SourceIdentifier"), entry["params"].get("SourceType")) for entry in events_read] == [
        ("eu-west-1", "pg-secondary-euw1", "db-cluster")]
    assert result["upgraded"] == ["pg-secondary-apse2"]
    assert (result["failed_members"], result["still_upgrading"], result["timed_out"]) == (["pg-secondary-euw1"], [], False)
    assert result["changed"] is True
    assert modified_members(sandbox) == ["pg-secondary-apse2", "pg-secondary-euw1"]


def test_an_aws_refusal_of_an_in_place_mysql_minor_upgrade_is_reported_before_any_change(sandbox):
    sandbox.seed("mysql-3")
    # 3.04.0 -> 3.04.1 keeps the community MySQL version (8.0.28): the plan does not predict R10, the sandbox refuses it
    # as the guide words it (3.04.* and later), so AWS's refusal is the first word.
    result = _refused(sandbox, "8.0.mysql_aurora.3.04.1", global_cluster_identifier="mysql3-global")
    assert result["upgrade_plan"]["blockers"] == []
    assert "In-place minor version upgrade of Aurora MySQL global database cluster 'mysql3-global'" in result["msg"]
    assert "mysql3-secondary-usw2 in us-west-2" in result["msg"] and "upgraded by this run: nothing" in result["msg"]
    assert "rebuild_secondaries" in result["msg"] and "Use the method blue_green" in result["msg"]
    assert result["error"]["code"] == "InvalidParameterCombination"
    assert (result["changed"], result["upgraded"]) == (False, [])
    assert modified_members(sandbox) == []
    assert [entry["params"]["DBClusterIdentifier"] for entry in sandbox.mutating_calls()] == ["mysql3-secondary-usw2"]


def test_throttling_is_retried(sandbox):
    sandbox.seed("postgresql-14")
    sandbox.configure(throttle_fraction=0.3, throttle_seed=7)
    result = _succeeded(_upgrade(sandbox, "14.9"))
    assert any(entry["error"] == "Throttling" for entry in sandbox.journal() if entry["kind"] == "call")
    assert modified_members(sandbox) == PG_ORDER
    assert _versions(result) == dict.fromkeys(PG_ORDER, "14.9")


def test_wait_timeout_bounds_the_whole_run(sandbox):
    sandbox.seed("postgresql-14")
    # Still upgrading when the 3 seconds are over, however slow the machine: the sandbox holds it until the reset after the test.
    sandbox.configure(hold_upgrade_of=["pg-secondary-apse2"])
    result = _refused(sandbox, "14.9", wait_timeout=3)
    assert "wait_timeout (3 seconds" in result["msg"]
    assert result["upgraded"] == ["pg-secondary-apse2"]
    assert (result["failed_members"], result["still_upgrading"], result["timed_out"]) == ([], ["pg-secondary-apse2"], True)


def test_unknown_global_cluster_is_reported(sandbox):
    sandbox.seed("postgresql-14")
    result = _refused(sandbox, "14.9", global_cluster_identifier="nowhere-global")
    assert "nowhere-global does not exist" in result["msg"]


def test_invalid_version_string_is_reported(sandbox):
    sandbox.seed("postgresql-14")
    result = _refused(sandbox, "fourteen.nine")
    assert result["msg"].startswith("engine_version: 'fourteen.nine' is not an Aurora PostgreSQL engine version")
    assert sandbox.mutating_calls() == []
