# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Check mode touches nothing, everywhere: every sandbox scenario with a minor and a major target, and every blocker,
run through the role with --check (and --diff); the sandbox's journal must hold no call other than reads."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from role_runs import changing_calls
from role_runs import run_role
from role_runs import scenario
from role_runs import upgrade_target
from sandbox.scenarios import SCENARIOS

FACTS_MODULE = Path(__file__).parents[2] / "plugins" / "modules" / "aurora_global_facts.py"


def _scenario_cases():
    """(case id, scenario, target, forced state, role variables) for every scenario and target kind it has."""
    for name, definition in SCENARIOS["scenarios"].items():
        for kind, major in (("minor", False), ("major", True)):
            target = upgrade_target(definition["engine"], definition["engine_version"], major)
            if target is not None:
                yield pytest.param(name, target, {}, {"aurora_global_upgrade_allow_major_version_upgrade": major}, None, id="%s-%s" % (name, kind))


_PG = "postgresql-14"
# Blocker code -> (scenario, target, what to force in the sandbox before the run). The scenarios that carry a blocker
# by themselves (rpo, headless, mysql-2) have their minor/major cases above too, except a case that is the same run as
# their blocker case here (_check_mode_cases).
BLOCKER_CASES = {
    # The role's in_place path never asks for another method; the snapshot restore method's own refusal stands for it.
    "method_not_supported": (_PG, "14.9", {"role_vars": {
        "aurora_global_upgrade_method": "snapshot_restore", "aurora_global_upgrade_new_global_cluster_identifier": "pg-new-global",
        "aurora_global_upgrade_writes_stopped": True}}),
    "mysql_v2_to_v3_in_place": ("mysql-2", "8.0.mysql_aurora.3.04.0", {}),
    "in_place_minor_refused": ("mysql-3", "8.0.mysql_aurora.3.05.2", {}),
    "rpo_enabled": ("postgresql-14-rpo", "15.4", {}),
    "downgrade": (_PG, "13.12", {}),
    "invalid_target": (_PG, "14.8", {}),
    "target_not_global": (_PG, "14.7", {}),
    "global_cluster_not_available": (_PG, "14.9", {"state": {"global_cluster": "pg-global", "status": "modifying"}}),
    "failover_in_progress": (_PG, "14.9", {"state": {"global_cluster": "pg-global", "failover_state": {
        "status": "switching-over", "from_db_cluster_arn": "arn:aws:rds:us-east-1:123456789012:cluster:pg-primary-use1",
        "to_db_cluster_arn": "arn:aws:rds:eu-west-1:123456789012:cluster:pg-secondary-euw1"}}}),
    "member_not_available": (_PG, "14.9", {"state": {"db_cluster": "pg-secondary-euw1", "region": "eu-west-1", "status": "backing-up"}}),
    "headless_member": ("postgresql-14-headless", "14.9", {}),
    "member_not_synchronized": (_PG, "14.9", {"config": {"pending_resync": ["pg-secondary-euw1"]}}),
    # postgresql-14 as seeded: rds.logical_replication off and 14.6 below AWS's minimum for Blue/Green.
    "blue_green_prerequisite": (_PG, "15.4", {"role_vars": {"aurora_global_upgrade_method": "blue_green"}}),
}


def _blocker_codes():
    """The registry of blocker codes (restrictions.BLOCKER_CODES), as the facts module documents them: the unit test
    test_the_facts_module_documents_exactly_the_registered_codes_in_order keeps that list equal to the registry, and
    reading it needs no import of the collection (no sys.path edit)."""
    tree = ast.parse(FACTS_MODULE.read_text(encoding="utf-8"))
    text = next(node.value.value for node in tree.body if isinstance(node, ast.Assign) and node.targets[0].id == "RETURN")
    plan = yaml.safe_load(text)["ansible_facts"]["contains"]["aurora_global"]["contains"]["upgrade_plan"]["contains"]
    # The first line of the code's description lists every code: "One of V(a), V(b), ..."
    return re.findall(r"V\(([a-z0-9_]+)\)", plan["blockers"]["contains"]["code"]["description"][0])


def _blocker_cases():
    for code in _blocker_codes():
        name, target, forced = BLOCKER_CASES[code]
        role_vars = dict(forced.get("role_vars", {}), aurora_global_upgrade_allow_major_version_upgrade=True)
        yield pytest.param(name, target, forced, role_vars, code, id="blocker-" + code)
    yield pytest.param(_PG, "15.4", {}, {"aurora_global_upgrade_allow_major_version_upgrade": False}, "allow_major_version_upgrade",
                       id="major-without-confirmation")


def _check_mode_cases():
    """Every scenario case and every blocker case, each role run once: a scenario case whose run (scenario, target, forced
    state, role variables) is a blocker case's is left out, since the blocker case makes that same run and asserts all the
    scenario case does, and the refusal besides (postgresql-14-rpo's and mysql-2's major targets, as seeded)."""
    blocker_cases = list(_blocker_cases())
    blocker_runs = [case.values[:4] for case in blocker_cases]
    return [case for case in _scenario_cases() if case.values[:4] not in blocker_runs] + blocker_cases


def test_every_blocker_code_has_a_check_mode_case():
    assert set(_blocker_codes()) <= set(BLOCKER_CASES)


@pytest.mark.parametrize("name, target, forced, role_vars, refusal", _check_mode_cases())
def test_check_mode_makes_no_changing_call(sandbox, name, target, forced, role_vars, refusal):
    """refusal: what the refusal names (a blocker code's case), or None when the scenario may go either way."""
    sandbox.seed(name)
    if "config" in forced:
        sandbox.configure(**forced["config"])
    if "state" in forced:
        sandbox.set_state(**forced["state"])
    sandbox.clear_journal()
    run = run_role(sandbox, scenario(name)["global_cluster_identifier"], target, check=True, diff=True, **role_vars)
    assert "Traceback" not in run.stderr
    assert [entry for entry in sandbox.journal() if entry["kind"] == "call"], "the role read nothing: the run did not reach the sandbox"
    assert changing_calls(sandbox) == []
    if run.returncode != 0:
        # A refusal: the role's assert, or the upgrade module's own refusal for a blocker the role has no assert for.
        assert run.failed_tasks, run.stderr
        result = run.result(run.failed_tasks[0])
        assert result.get("msg") and "module_stderr" not in result, result
    if refusal is not None:
        assert run.returncode != 0, "check mode did not refuse a run that %s blocks" % refusal
