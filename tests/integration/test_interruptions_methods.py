# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The two methods AWS added survive a kill after each of their mutating calls: the module's own process (the AnsiballZ
python under ansible-playbook) is SIGKILLed as soon as the sandbox's journal shows the call, as a lost control node
goes; the journal shows no AWS call from the killed run after that; then the same playbook runs again and finishes
with exactly one of each mutating call (test_interruptions.py is the same matrix for in_place).
"""

from __future__ import annotations

import pytest

from playbook_runner import run_playbook
from process_kills import kill_module_after
from role_runs import changing_calls
from test_blue_green import NAME
from test_blue_green import ready_for_blue_green

# The switchover's length when the module is killed during it: only the sandbox's clock goes through it (advance_clock).
SWITCHOVER_SECONDS = 3600
BLUE_GREEN_CALLS = ["CreateBlueGreenDeployment", "SwitchoverBlueGreenDeployment", "DeleteBlueGreenDeployment"]
# kill point -> (playbook, module, its variables, the mutating calls of a whole run, in order).
KILL_POINTS = {
    "blue_green-%s" % call: ("blue_green.yml", "aurora_global_blue_green", {"engine_version": "15.4"}, BLUE_GREEN_CALLS, index)
    for index, call in enumerate(BLUE_GREEN_CALLS)
}
# Without the lease: a killed run leaves its lease held, and taking it over is test_interruptions.py's (the role's) part.
KILL_POINTS["managed_minor-ModifyGlobalCluster"] = (
    "managed_minor.yml", "aurora_global_managed_minor", {"engine_version": "14.9", "lease": False}, ["ModifyGlobalCluster"], 0)


def _prepare(sandbox, playbook, operation):
    """A fresh global database; the step after ``operation`` held, so that the module is still waiting when it is killed."""
    sandbox.seed("postgresql-14")
    if playbook == "managed_minor.yml":
        sandbox.configure(managed_minor_upgrades=True, status_delay_seconds=0, upgrade_seconds=0.5, hold_upgrade_of=["pg-global"])
        return "hold_upgrade_of"
    ready_for_blue_green(sandbox)
    if operation == "CreateBlueGreenDeployment":
        sandbox.configure(provision_seconds=0.5, hold_transition_of=[NAME])
    elif operation == "SwitchoverBlueGreenDeployment":
        # A hold of the deployment would keep it PROVISIONING too: a switchover longer than any slow machine needs to kill
        # the module instead; the test moves the sandbox's clock past it before the re-run.
        sandbox.configure(upgrade_seconds=SWITCHOVER_SECONDS)
    return "hold_transition_of"


def _accepted(sandbox, operation):
    return [entry for entry in changing_calls(sandbox) if entry["operation"] == operation and entry["error"] is None]


@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_a_module_killed_after_a_mutating_call_is_finished_by_the_next_run(sandbox, point):
    playbook, module, extra_vars, calls, index = KILL_POINTS[point]
    operation = calls[index]
    hold = _prepare(sandbox, playbook, operation)
    extra_vars = dict(extra_vars, global_cluster_identifier="pg-global")
    killed, at_death, at_end = kill_module_after(sandbox, playbook, module, extra_vars, operation)
    # The last call can be the module's last AWS call: a kill may then find it already returned (and nothing to kill).
    assert killed or index == len(calls) - 1, "the module of %s had ended before its kill" % point
    assert at_end == at_death, "AWS calls after the kill: %s" % sandbox.journal()[at_death:]
    assert [entry["operation"] for entry in changing_calls(sandbox)] == calls[:index + 1]
    sandbox.configure(**{hold: []})
    sandbox.advance_clock(SWITCHOVER_SECONDS)  # the re-run comes once what AWS accepted has had its time, in the sandbox's clock
    rerun = run_playbook(playbook, sandbox.endpoint_url, extra_vars)
    assert rerun.returncode == 0, [rerun.result(task).get("msg") for task in rerun.failed_tasks]
    for call in calls:
        assert len(_accepted(sandbox, call)) == 1, (call, changing_calls(sandbox))
    assert [entry["operation"] for entry in changing_calls(sandbox)] == calls
