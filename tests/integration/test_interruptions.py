# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every interruption survived: the role's run is killed (SIGKILL, as a cancelled AWX job or a lost control node goes)
right after each of its mutating calls in turn, seen in the sandbox's journal; then the role runs again, as an operator
would (taking over the lease the killed run left, by its token). The second run finishes, every member is modified
exactly once, in AWS's order, the primary last.

The kill takes the whole process tree, the module in flight included: ansible-core 2.19 starts each worker in a session
of its own, so killing ansible-playbook's process group would leave the module alive, free to make its next AWS call or
to go on waiting while the re-run starts. The tree is stopped (SIGSTOP) until no new process appears, then killed; the
test checks that a module process was among them, that each is gone, and that the journal got no call after the kill.

MUTATING_CALLS lists the kill points; the test of the first one checks it against the calls of a whole run, so a step
merged later (a snapshot, parameter groups) that adds mutating calls makes it fail until its calls are listed.
"""

from __future__ import annotations

import pytest

from lease_tags import lease_tags
from process_kills import kill_and_drain
from process_kills import playbook_at
from process_kills import stop_tree
from role_runs import changing_calls
from role_runs import role_vars
from role_runs import run_role
from sandbox_journal import PG_ORDER
from sandbox_journal import modified_members

# kind -> (target, role variables, the modify call, how many accepted modifies a whole run makes).
KINDS = {
    "minor": ("14.9", {}, "ModifyDBCluster", len(PG_ORDER)),
    "major": ("15.4", {"aurora_global_upgrade_allow_major_version_upgrade": True}, "ModifyGlobalCluster", 1),
}
# The mutating calls of a whole run, in order: one kill point each. A step that adds mutating calls adds entries here
# (the test of kill point 0 checks this list against what a whole run calls).
MUTATING_CALLS = {
    "minor": ["AddTagsToResource", "ModifyDBCluster", "ModifyDBCluster", "ModifyDBCluster", "RemoveTagsFromResource"],
    "major": ["AddTagsToResource", "CreateDBClusterSnapshot", "ModifyGlobalCluster", "RemoveTagsFromResource"],
}
KILL_POINTS = [(kind, index) for kind in sorted(MUTATING_CALLS) for index in range(len(MUTATING_CALLS[kind]))]


def _fresh(sandbox):
    sandbox.reset()
    sandbox.seed("postgresql-14")
    # Short upgrades: the kills follow the journal, not the clock.
    sandbox.configure(upgrade_seconds=0.3, status_delay_seconds=0.2)


def _kill_after(sandbox, target, extra_vars, index):
    """Start the role and SIGKILL its whole process tree, the module in flight included, as soon as the journal shows its
    mutating call number ``index`` (from 0); then check that every process is gone and no AWS call came after the kill."""
    variables = role_vars(sandbox, "pg-global", target, **extra_vars)
    with playbook_at(sandbox, "role_upgrade.yml", variables, lambda calls: len(calls) > index, "its mutating call %d" % index) as run:
        killed = stop_tree(run.pid)
        kill_and_drain(sandbox, killed)
        run.wait()
    modules = [pid for pid, command_line in killed.items() if "AnsiballZ_" in command_line]
    assert modules, "no module process was running: %s" % sorted(killed.values())
    # Every process of the run is gone, and the sandbox has served what they sent: no call of the run can arrive from here
    # on (the caller checks before it reads AWS itself).
    return changing_calls(sandbox)[index], _last_call_seq(sandbox)


def _last_call_seq(sandbox):
    return max(entry["seq"] for entry in sandbox.journal() if entry["kind"] == "call")


def _accepted(sandbox, operation):
    return [entry for entry in changing_calls(sandbox) if entry["operation"] == operation and entry["error"] is None]


@pytest.mark.parametrize("kind, index", KILL_POINTS, ids=["%s-%d-%s" % (kind, index, MUTATING_CALLS[kind][index]) for kind, index in KILL_POINTS])
def test_a_run_killed_after_a_mutating_call_is_finished_by_the_next_run(sandbox, kind, index):
    target, extra_vars, modify, modifies = KINDS[kind]
    _fresh(sandbox)
    killed_after, last_seq_of_killed_run = _kill_after(sandbox, target, extra_vars, index)
    assert killed_after["operation"] == MUTATING_CALLS[kind][index], (killed_after, MUTATING_CALLS[kind])
    # Upgrades AWS accepted go on (journal events), but no call of the killed run arrives, however long it is waited for:
    # the sandbox settles every due transition when the journal is read, and the run's processes are gone.
    assert _last_call_seq(sandbox) == last_seq_of_killed_run, "a call arrived after the kill"
    held = lease_tags(sandbox, "pg-global").get("token")
    rerun = run_role(sandbox, "pg-global", target, **dict(extra_vars, **({"aurora_global_upgrade_lease_take_over": held} if held else {})))
    assert rerun.returncode == 0, (rerun.failed_tasks, [rerun.result(task).get("msg") for task in rerun.failed_tasks])
    assert len(_accepted(sandbox, modify)) == modifies, [entry["params"] for entry in _accepted(sandbox, modify)]
    if kind == "minor":
        assert modified_members(sandbox) == PG_ORDER
    assert lease_tags(sandbox, "pg-global") == {}
    if index == 0:
        # Killed before any upgrade, the second run is a whole run: its mutating calls are the kill points.
        whole_run = [entry["operation"] for entry in changing_calls(sandbox) if entry["seq"] > killed_after["seq"]]
        assert whole_run == MUTATING_CALLS[kind]
