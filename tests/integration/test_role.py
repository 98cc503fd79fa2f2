# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The role through the collection's playbook aurora.global_db.upgrade, run again after an interrupted run.

Whole upgrades and refusals of the role are the molecule scenarios (extensions/molecule);
these tests leave an upgrade running the way an interrupted run does and run the role again.
"""

from __future__ import annotations

from playbook_runner import run_playbook
from sandbox_journal import PG_ORDER
from sandbox_journal import events
from sandbox_journal import member_modifications
from sandbox_journal import modified_members

# The json callback names a role's task "<role> : <task name>".
ROLE = "aurora.global_db.aurora_global_upgrade : "
PREFLIGHT = ROLE + "Read the global database, wait for any upgrade still running, plan the upgrade to"
AVAILABILITY_ASSERT = ROLE + "Assert every member cluster is available"


def _interrupt_after_the_first_member(sandbox):
    """Leave what a run stopped right after its first ModifyDBCluster leaves: the first secondary upgrading to 14.9."""
    sandbox.seed("postgresql-14")
    sandbox.configure(upgrade_seconds=5)
    request = {"global_cluster_identifier": "pg-global", "engine_version": "14.9", "upgrade_wait": False}
    started = run_playbook("upgrade_once.yml", sandbox.endpoint_url, request)
    assert started.result("Upgrade")["upgraded"] == ["pg-secondary-apse2"]


def _run_role(sandbox, check=False, global_cluster_identifier="pg-global"):
    role_vars = {
        "aurora_global_upgrade_global_cluster_identifier": global_cluster_identifier,
        "aurora_global_upgrade_engine_version": "14.9",
        "aurora_global_upgrade_endpoint_url": sandbox.endpoint_url,
        "aurora_global_upgrade_region": "us-east-1",
        "aurora_global_upgrade_poll_interval": 1,
        "aurora_global_upgrade_wait_timeout": 120,
    }
    return run_playbook("role_upgrade.yml", sandbox.endpoint_url, role_vars, check=check)


def _preflight_name(run):
    """The preflight read's task name as it ran (the target version is templated into it)."""
    names = [name for name in run.tasks if name.startswith(PREFLIGHT)]
    assert len(names) == 1, sorted(run.tasks)
    return names[0]


def _preflight(run):
    return run.result(_preflight_name(run))


def test_a_rerun_waits_for_the_upgrade_left_running_then_upgrades_the_rest(sandbox):
    _interrupt_after_the_first_member(sandbox)
    run = _run_role(sandbox)
    assert run.returncode == 0, (run.failed_tasks, run.stderr)
    preflight = _preflight(run)
    assert preflight["attempts"] > 1, "the role did not wait for the upgrade left running"
    plan = preflight["ansible_facts"]["aurora_global"]["upgrade_plan"]
    assert (plan["pending"], plan["blockers"]) == (PG_ORDER[1:], [])
    # The member the interrupted run started is not modified again, and the next one starts only after it finished.
    assert modified_members(sandbox) == PG_ORDER
    assert events(sandbox, "UpgradeCompleted")[PG_ORDER[0]]["seq"] < member_modifications(sandbox)[1]["seq"]
    result = run.result(ROLE + "Record the upgrade result in aurora_global_upgrade_result")["ansible_facts"]["aurora_global_upgrade_result"]
    assert result["upgraded"] == PG_ORDER[1:]


def test_check_mode_reports_the_upgrade_left_running_without_waiting(sandbox):
    _interrupt_after_the_first_member(sandbox)
    run = _run_role(sandbox, check=True)
    assert run.returncode != 0
    assert run.failed_tasks == [AVAILABILITY_ASSERT]
    assert "attempts" not in _preflight(run)
    assert "pg-secondary-apse2 (ap-southeast-2) is 'upgrading'" in run.result(AVAILABILITY_ASSERT)["msg"]
    assert modified_members(sandbox) == PG_ORDER[:1]


def test_an_unknown_global_cluster_fails_at_the_first_read_with_the_module_message(sandbox):
    run = _run_role(sandbox, global_cluster_identifier="no-such-global")
    assert run.returncode != 0
    preflight = _preflight(run)
    assert preflight["failed"] is True and preflight["attempts"] == 1
    assert "Global cluster no-such-global does not exist" in preflight["msg"]
    assert run.failed_tasks == [_preflight_name(run)]
