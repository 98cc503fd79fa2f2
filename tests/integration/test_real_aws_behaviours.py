# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Both modules through ansible-playbook against the sandbox switched to AWS behaviours the first sandbox did not show.

Deprecated versions, identifiers in any case, regional endpoints, the pending window after an accepted
modify, the settle window between members, lost responses and resynchronising members (docs/sandbox.md gives
each behaviour's AWS source; the events of a failed upgrade are read in test_upgrade_module.py, in the test
of a failed member). The journal says what was asked of AWS.
"""

from __future__ import annotations

import pytest

from playbook_runner import run_playbook
from sandbox_journal import PG_ORDER
from sandbox_journal import PG_REGIONS
from sandbox_journal import events
from sandbox_journal import member_modifications
from sandbox_journal import modified_members


def _upgrade(sandbox, engine_version="14.9", global_cluster_identifier="pg-global", **extra_vars):
    extra_vars.update(global_cluster_identifier=global_cluster_identifier, engine_version=engine_version)
    return run_playbook("upgrade_once.yml", sandbox.endpoint_url, extra_vars).result("Upgrade")


def _facts(sandbox, global_cluster_identifier="pg-global", **extra_vars):
    extra_vars.update(global_cluster_identifier=global_cluster_identifier)
    return run_playbook("facts.yml", sandbox.endpoint_url, extra_vars).result("Gather facts")


def _succeeded(result):
    assert not result.get("failed"), result.get("msg")
    return result


def _failed_cleanly(result):
    assert result.get("failed") is True, result
    assert "module_stderr" not in result and "MODULE FAILURE" not in result["msg"], "an expected failure must not be a crash: %s" % result
    return result


def _versions(result):
    return {m["db_cluster_identifier"]: m["engine_version"] for m in result["global_cluster"]["members"]}


def _regional_endpoints(sandbox, regions):
    return {region: "%s/region/%s" % (sandbox.endpoint_url, region) for region in regions}


def test_a_global_database_on_a_deprecated_version_is_upgraded(sandbox):
    sandbox.seed("postgresql-14")
    sandbox.configure(deprecated_versions=["14.6"])
    facts = _succeeded(_facts(sandbox, target_engine_version="14.9"))["ansible_facts"]["aurora_global"]
    assert "14.9" in [t["engine_version"] for t in facts["valid_upgrade_targets"]]
    assert facts["upgrade_plan"]["blockers"] == []
    lookups = [entry for entry in sandbox.journal() if entry["operation"] == "DescribeDBEngineVersions"]
    assert lookups and all(entry["params"].get("IncludeAll") is True for entry in lookups)

    result = _succeeded(_upgrade(sandbox))
    assert result["upgraded"] == PG_ORDER
    assert _versions(result) == dict.fromkeys(PG_ORDER, "14.9")


def test_identifiers_in_any_case(sandbox):
    sandbox.seed("postgresql-14")
    facts = _succeeded(_facts(sandbox, "PG-Global"))["ansible_facts"]["aurora_global"]
    assert facts["global_cluster_identifier"] == "pg-global"

    result = _succeeded(_upgrade(sandbox, global_cluster_identifier="PG-Global", db_cluster_identifier="PG-Secondary-APSE2"))
    assert result["upgraded"] == ["pg-secondary-apse2"]
    assert modified_members(sandbox) == ["pg-secondary-apse2"]

    refused = _failed_cleanly(_upgrade(sandbox, global_cluster_identifier="PG-GLOBAL", db_cluster_identifier="PG-Primary-USE1", expect_failure=True))
    assert "pg-secondary-euw1" in refused["msg"] and "primary" in refused["msg"]
    assert modified_members(sandbox) == ["pg-secondary-apse2"]


def test_regional_endpoints_serve_each_members_region(sandbox):
    sandbox.seed("postgresql-14")
    sandbox.configure(regional_endpoints=True)
    # The bare endpoint is us-east-1's; endpoint_url keeps serving the region without an entry.
    result = _succeeded(_upgrade(sandbox, region_endpoint_urls=_regional_endpoints(sandbox, ["eu-west-1", "ap-southeast-2"])))
    assert result["upgraded"] == PG_ORDER
    assert [(entry["params"]["DBClusterIdentifier"], entry["region"]) for entry in member_modifications(sandbox)] == [(i, PG_REGIONS[i]) for i in PG_ORDER]
    assert not [entry for entry in sandbox.journal() if entry.get("error") == "SignatureDoesNotMatch"]


@pytest.mark.parametrize("playbook_run", [_upgrade, _facts], ids=["upgrade", "facts"])
def test_a_region_without_its_endpoint_fails_before_any_change(sandbox, playbook_run):
    sandbox.seed("postgresql-14")
    sandbox.configure(regional_endpoints=True)
    result = _failed_cleanly(playbook_run(sandbox, region_endpoint_urls=_regional_endpoints(sandbox, ["eu-west-1"]), expect_failure=True))
    assert "does not serve region ap-southeast-2" in result["msg"]
    assert "region_endpoint_urls" in result["msg"]
    assert result["error"]["code"] == "SignatureDoesNotMatch"
    assert sandbox.mutating_calls() == []


def test_a_minor_upgrade_through_the_pending_window_the_settle_window_and_a_lost_response(sandbox):
    sandbox.seed("postgresql-14")
    # Each member reads 'available' with the target pending for longer than status_settle_seconds, the global cluster
    # settles after each member, and the answer to the first accepted ModifyDBCluster is lost.
    sandbox.configure(status_delay_seconds=2, settle_seconds=1.5, settle_refusal="upgrade_global_replicas_first", lose_response_of=["ModifyDBCluster"])
    # The first member stays pending until the run has read it so after status_settle_seconds, however slow the machine: its
    # reads are the plan, the one after the refused resend, the wait's first, then the wait's next, a poll_interval (1 s) later.
    sandbox.configure(hold_pending_of=PG_ORDER[:1])
    with sandbox.releasing_hold("hold_pending_of", PG_ORDER[0], after_reads=4):
        result = _succeeded(_upgrade(sandbox, status_settle_seconds=1))
    assert modified_members(sandbox) == PG_ORDER, "exactly one accepted modify per member"
    assert member_modifications(sandbox)[0]["error"] == "InternalFailure"
    assert result["upgraded"] == PG_ORDER
    assert (result["failed_members"], result["still_upgrading"], result["timed_out"]) == ([], [], False)
    assert _versions(result) == dict.fromkeys(PG_ORDER, "14.9")


@pytest.mark.parametrize("settle_refusal", ["InvalidGlobalClusterStateFault", "InvalidDBClusterStateFault", "upgrade_global_replicas_first"])
def test_each_settle_refusal_is_waited_out(sandbox, settle_refusal):
    # An Aurora MySQL minor target AWS upgrades in place (below 2.12: rule R10 refuses the later ones).
    sandbox.seed("mysql-2")
    sandbox.configure(settle_seconds=1.5, settle_refusal=settle_refusal)
    result = _succeeded(_upgrade(sandbox, "5.7.mysql_aurora.2.11.3", global_cluster_identifier="mysql2-global"))
    assert modified_members(sandbox) == ["mysql2-secondary-usw2", "mysql2-primary-use1"]
    assert result["upgraded"] == ["mysql2-secondary-usw2", "mysql2-primary-use1"]
    # The module waited for the global cluster to settle instead of having the primary's modify refused.
    secondary_done = events(sandbox, "UpgradeCompleted")["mysql2-secondary-usw2"]
    assert member_modifications(sandbox)[1]["time"] >= secondary_done["time"] + 1.5
    assert [entry["error"] for entry in sandbox.mutating_calls()] == [None, None]


def test_a_rerun_in_the_pending_window_sends_no_second_modify(sandbox):
    sandbox.seed("postgresql-14")
    # The first member's upgrade stays accepted and not started ('available', 14.9 pending) until the re-run waits for it,
    # however slow the machine.
    sandbox.configure(hold_pending_of=["pg-secondary-apse2"])
    first = _succeeded(_upgrade(sandbox, upgrade_wait=False))
    assert (first["upgraded"], first["still_upgrading"]) == (["pg-secondary-apse2"], ["pg-secondary-apse2"])
    assert "pg-secondary-apse2" not in events(sandbox, "UpgradeStarted")
    # The re-run reads the member for its plan, then in its wait: released at that second read.
    with sandbox.releasing_hold("hold_pending_of", "pg-secondary-apse2", after_reads=2):
        second = _succeeded(_upgrade(sandbox, upgrade_wait=False))
    assert second["upgraded"] == ["pg-secondary-euw1"]
    modifications = [entry for entry in sandbox.mutating_calls() if entry["operation"] == "ModifyDBCluster"]
    assert [(entry["params"]["DBClusterIdentifier"], entry["error"]) for entry in modifications] == [
        ("pg-secondary-apse2", None), ("pg-secondary-euw1", None)]


def test_a_member_not_synchronized_is_refused_without_any_change(sandbox):
    sandbox.seed("postgresql-14")
    sandbox.configure(pending_resync=["pg-secondary-euw1"])
    facts = _succeeded(_facts(sandbox, target_engine_version="14.9"))["ansible_facts"]["aurora_global"]
    assert {m["db_cluster_identifier"]: m["synchronization_status"] for m in facts["members"]}["pg-secondary-euw1"] == "pending-resync"
    assert [(b["code"], b["clusters"]) for b in facts["upgrade_plan"]["blockers"]] == [("member_not_synchronized", ["pg-secondary-euw1"])]

    result = _failed_cleanly(_upgrade(sandbox, expect_failure=True))
    assert "pending-resync" in result["msg"]
    assert [b["code"] for b in result["upgrade_plan"]["blockers"]] == ["member_not_synchronized"]
    assert (result["changed"], result["upgraded"], result["failed_members"]) == (False, [], [])
    assert sandbox.mutating_calls() == []


# The events of a failed upgrade: test_upgrade_module.py::test_a_failed_member_stops_the_run_before_the_primary_and_its_events_are_reported
