# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The method rebuild_secondaries survives a kill after each of its mutating calls (as test_interruptions_methods.py does for
Blue/Green and managed minor): the module's process is SIGKILLed as soon as the sandbox's journal shows the call, while the
step after it is held; the same playbook then runs again and finishes with one accepted call of each kind per resource (no
second removal, rename or create), every member at the target and the removed clusters renamed and kept."""

from __future__ import annotations

import pytest

from playbook_runner import run_playbook
from process_kills import kill_module_after
from role_runs import changing_calls
from test_rebuild_secondaries import GLOBAL
from test_rebuild_secondaries import OLD
from test_rebuild_secondaries import PRIMARY
from test_rebuild_secondaries import SECONDARIES
from test_rebuild_secondaries import TARGET
from test_rebuild_secondaries import assert_rebuilt
from test_rebuild_secondaries import cluster
from test_rebuild_secondaries import step_of

INSTANCES = ["%s-%d" % (identifier, n) for identifier in SECONDARIES for n in (1, 2)]
# kill point -> (the call killed after, the sandbox settings that keep the module waiting on the step after it, extra variables).
# The lease is off: a killed run leaves its lease held, and taking it over is test_interruptions.py's (the role's) part.
KILL_POINTS = {
    "journal": ("AddTagsToResource", {"promote_seconds": 0.5, "hold_transition_of": list(SECONDARIES)}, {}),
    "remove": ("RemoveFromGlobalCluster", {"promote_seconds": 0.5, "hold_transition_of": list(SECONDARIES)}, {}),
    "rename_cluster": ("ModifyDBCluster", {"rename_seconds": 0.5, "hold_transition_of": [i + "-detached" for i in SECONDARIES]}, {}),
    "rename_instance": ("ModifyDBInstance", {"rename_seconds": 0.5, "hold_transition_of": [i + "-detached" for i in INSTANCES]}, {}),
    # Without renames the first ModifyDBCluster is the primary's upgrade.
    # The upgrade starts at once (no event of the sandbox's after the kill) and stays upgrading.
    "upgrade_primary": ("ModifyDBCluster", {"status_delay_seconds": 0, "hold_upgrade_of": [PRIMARY[0]]}, {"keep_identifiers": False}),
    # A hold of a new cluster named as the old one would hold the old one's promotion too: new names here.
    "create_cluster": ("CreateDBCluster", {"provision_seconds": 0.5, "hold_transition_of": [i + "-3-05-2" for i in SECONDARIES]},
                       {"keep_identifiers": False}),
    "create_instance": ("CreateDBInstance", {"provision_seconds": 0.5, "hold_transition_of": INSTANCES}, {}),
}
# Accepted calls of a whole run, per step.
WHOLE_RUN = {"remove": 2, "rename": 6, "upgrade_primary": 1, "create_clusters": 2, "create_instances": 4}


def _accepted_steps(sandbox):
    steps = {}
    for entry in changing_calls(sandbox):
        if entry["error"] is None and entry["operation"] not in ("AddTagsToResource", "RemoveTagsFromResource"):
            steps[step_of(entry)] = steps.get(step_of(entry), 0) + 1
    return steps


@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_a_rebuild_killed_after_a_mutating_call_is_finished_by_the_next_run(sandbox, point):
    operation, hold, extra = KILL_POINTS[point]
    sandbox.seed("mysql-3-three-regions")
    sandbox.configure(**hold)
    extra_vars = dict(extra, global_cluster_identifier=GLOBAL, engine_version=TARGET, secondaries_drained=True, lease=False)
    killed, at_death, at_end = kill_module_after(sandbox, "rebuild_secondaries.yml", "aurora_global_rebuild_secondaries", extra_vars, operation)
    assert killed, "the module had ended before its kill at %s" % point
    assert at_end == at_death, "AWS calls after the kill: %s" % sandbox.journal()[at_death:]
    sandbox.configure(**{name: [] for name in hold if name.startswith("hold_")})
    rerun = run_playbook("rebuild_secondaries.yml", sandbox.endpoint_url, extra_vars)
    assert rerun.returncode == 0, [rerun.result(task).get("msg") for task in rerun.failed_tasks]
    expected = dict(WHOLE_RUN, rename=0) if extra.get("keep_identifiers") is False else WHOLE_RUN
    assert _accepted_steps(sandbox) == {step: count for step, count in expected.items() if count}
    if extra.get("keep_identifiers") is not False:
        assert_rebuilt(sandbox)
    result = rerun.result("Rebuild the secondaries")
    assert result["rebuilt_at_version"] == TARGET and result["secondaries_gap_seconds"] is not None
    # The re-run listed exactly the calls it made: what the killed run had done is not planned again.
    made = [(entry["operation"], entry["region"]) for entry in changing_calls(sandbox) if entry["seq"] > at_end and entry["error"] is None
            and entry["operation"] not in ("AddTagsToResource", "RemoveTagsFromResource")]
    assert sorted((call["operation"], call["region"]) for call in result["planned_calls"]) == sorted(made)


def test_a_rebuild_killed_after_its_primary_failed_is_finished_at_the_primarys_version_by_the_next_run(sandbox):
    """Item 4 across a kill: the primary's upgrade fails, the run creates the secondaries at its version and is killed;
    the re-run finishes them at that version, without trying the primary again, and fails saying so."""
    sandbox.seed("mysql-3-three-regions")
    new_names = [i + "-3-05-2" for i in SECONDARIES]
    sandbox.configure(fail_upgrade_of=[PRIMARY[0]], provision_seconds=0.5, hold_transition_of=new_names)
    extra_vars = dict(global_cluster_identifier=GLOBAL, engine_version=TARGET, secondaries_drained=True, lease=False, keep_identifiers=False)
    killed, at_death, at_end = kill_module_after(sandbox, "rebuild_secondaries.yml", "aurora_global_rebuild_secondaries", extra_vars, "CreateDBCluster")
    assert killed and at_end == at_death
    sandbox.configure(hold_transition_of=[])
    rerun = run_playbook("rebuild_secondaries.yml", sandbox.endpoint_url, dict(extra_vars, expect_failure=True))
    result = rerun.result("Rebuild the secondaries")
    assert result.get("failed") is True and "MODULE FAILURE" not in result["msg"], result
    assert "rebuilt anyway" in result["msg"] and "interrupted run" in result["msg"]
    assert result["rebuilt_at_version"] == OLD
    assert _accepted_steps(sandbox) == {"remove": 2, "upgrade_primary": 1, "create_clusters": 2, "create_instances": 4}
    for identifier in new_names:
        assert cluster(sandbox, identifier, SECONDARIES[identifier[:-len("-3-05-2")]])["EngineVersion"] == OLD
