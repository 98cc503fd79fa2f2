# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Issue 18 item 6, every module that changes a global database reads the run's lease before its changes.

aurora_global_snapshot, aurora_global_parameter_groups, aurora_global_snapshot_restore and aurora_global_blue_green
take lease / lease_token / lease_owner as aurora_global_upgrade and aurora_global_managed_minor do: a lease held by
another run (another token) stops them before any change, naming the holder; the holder's token lets them go on.
A lease replaced while a Blue/Green deployment is provisioned stops the run before its next change.
"""

from __future__ import annotations

import time
from collections import namedtuple
from concurrent.futures import FIRST_COMPLETED
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait

import pytest

import major_extras as extras
from lease_tags import hold_lease
from lease_tags import lease_tags
from playbook_runner import run_playbook
from role_runs import changing_calls
from role_runs import run_role
from test_blue_green import NAME as BLUE_GREEN_NAME
from test_blue_green import ready_for_blue_green

HOLDER = "operator-x"
HELD = "fedcba9876543210fedcba9876543210"
OTHER = "0123456789abcdef0123456789abcdef"
TAG_CALLS = ("AddTagsToResource", "RemoveTagsFromResource")

Case = namedtuple("Case", ["playbook", "task", "global_cluster", "extra_vars", "setup", "first_change", "leased_after"], defaults=(None,))


def _groups_after_a_major_upgrade(sandbox):
    sandbox.seed("postgresql-14")
    sandbox.configure(upgrade_seconds=0, status_delay_seconds=0, reboot_seconds=0)
    extras.create_groups(sandbox, extras.PG_REGIONS.values())
    sandbox.aws_client().modify_global_cluster(GlobalClusterIdentifier="pg-global", EngineVersion="15.4", AllowMajorVersionUpgrade=True)


def _mysql2(sandbox):
    sandbox.seed("mysql-2")
    sandbox.configure(provision_seconds=0.5)


def _ready_pg(sandbox):
    sandbox.seed("postgresql-14")
    ready_for_blue_green(sandbox)


CASES = {
    "snapshot": Case("snapshot.yml", "Snapshot", "pg-global", {}, lambda sandbox: sandbox.seed("postgresql-14"), "CreateDBClusterSnapshot"),
    "parameter_groups": Case("parameter_groups.yml", "Apply parameter groups", "pg-global", dict(
        global_cluster_identifier="pg-global", db_cluster_parameter_groups=extras.every_region(extras.CLUSTER_GROUP)),
        _groups_after_a_major_upgrade, "ModifyDBCluster"),
    # The lease is on the old global cluster; the run creates a new global database.
    "snapshot_restore": Case("snapshot_restore.yml", "Restore", "mysql2-global", {}, _mysql2, "CreateDBClusterSnapshot"),
    "blue_green": Case("blue_green.yml", "Blue/Green", "pg-global", dict(global_cluster_identifier="pg-global", engine_version="15.4"),
                       # The switchover renames the leased global cluster pg-global-old1; its lease goes with it, and was read
                       # there before DeleteBlueGreenDeployment.
                       _ready_pg, "CreateBlueGreenDeployment", "pg-global-old1"),
}


def _run(sandbox, case, **extra_vars):
    return run_playbook(case.playbook, sandbox.endpoint_url, dict(case.extra_vars, expect_failure=True, **extra_vars)).result(case.task)


@pytest.mark.parametrize("module", sorted(CASES))
def test_a_lease_of_another_run_stops_the_module_before_any_change_and_its_token_lets_it_go_on(sandbox, module):
    case = CASES[module]
    case.setup(sandbox)
    hold_lease(sandbox, case.global_cluster, HOLDER, HELD, expires_in_seconds=3600)
    sandbox.clear_journal()
    # Given another run's token (a run whose lease was replaced), and taking a lease of its own: both refused, naming the holder.
    for refused in (_run(sandbox, case, lease_token=OTHER), _run(sandbox, case, lease=True)):
        assert refused.get("failed") is True, refused
        assert "held by %s" % HOLDER in refused["msg"], refused["msg"]
        assert "MODULE FAILURE" not in refused["msg"]
    assert changing_calls(sandbox) == []
    # The holder's token: the module goes on, and leaves the caller's lease as it was (neither taken nor released).
    done = _run(sandbox, case, lease_token=HELD)
    assert not done.get("failed"), done.get("msg")
    operations = [entry["operation"] for entry in changing_calls(sandbox)]
    assert case.first_change in operations and not set(TAG_CALLS) & set(operations), operations
    assert lease_tags(sandbox, case.leased_after or case.global_cluster)["token"] == HELD


def test_a_lease_replaced_while_the_deployment_is_provisioned_stops_the_blue_green_run_before_its_next_change(sandbox):
    case = CASES["blue_green"]
    case.setup(sandbox)
    sandbox.configure(hold_transition_of=[BLUE_GREEN_NAME])
    with ThreadPoolExecutor(max_workers=1) as pool:
        run = pool.submit(_run, sandbox, case, lease=True, lease_owner="run-a")
        deadline = time.monotonic() + 300
        while "CreateBlueGreenDeployment" not in [entry["operation"] for entry in changing_calls(sandbox)]:
            assert not run.done() and time.monotonic() < deadline, run.result() if run.done() else "no CreateBlueGreenDeployment"
            time.sleep(0.2)
        # Another run's lease replaces this run's while AWS provisions the green environment (a late write of that run, say).
        hold_lease(sandbox, "pg-global", "operator-y", OTHER, expires_in_seconds=3600)
        sandbox.configure(hold_transition_of=[])
        result = run.result()
    assert result.get("failed") is True and "held by operator-y" in result["msg"], result
    operations = [entry["operation"] for entry in changing_calls(sandbox)]
    assert "SwitchoverBlueGreenDeployment" not in operations, operations
    assert lease_tags(sandbox, "pg-global")["owner"] == "operator-y"


def test_two_blue_green_runs_with_throttled_delayed_tag_writes_never_both_change_the_database(sandbox):
    """test_lease.py's throttled two runs, for the blue_green method: at most one run ever sends a Blue/Green call."""
    CASES["blue_green"].setup(sandbox)
    # Whichever run wins keeps its deployment PROVISIONING until the other run has ended.
    sandbox.configure(hold_transition_of=[BLUE_GREEN_NAME], throttle_fraction=0.3, throttle_seed=18, latency_seconds=0.3)
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = [pool.submit(run_role, sandbox, "pg-global", "15.4", aurora_global_upgrade_method="blue_green",
                            aurora_global_upgrade_lease_owner=owner) for owner in ("run-a", "run-b")]
        wait(runs, return_when=FIRST_COMPLETED)
        sandbox.configure(hold_transition_of=[], throttle_fraction=0, latency_seconds=0)
        results = [run.result() for run in runs]
    calls = [(entry["operation"], entry["error"]) for entry in changing_calls(sandbox) if "BlueGreen" in entry["operation"]]
    # Accepted or refused: a second run's create would be refused as a duplicate and then adopt the first one's deployment.
    # Not a throttled call: AWS refused it before acting on it, and the module resends it (aws_retry), so one run's create
    # would count twice.
    operations = [operation for operation, error in calls if error != "Throttling"]
    assert operations.count("CreateBlueGreenDeployment") <= 1 and operations.count("SwitchoverBlueGreenDeployment") <= 1, calls
    assert sum(result.returncode == 0 for result in results) <= 1, [(result.returncode, result.failed_tasks) for result in results]


# Issue 20: the lease after a Blue/Green switchover.

ROLE = "aurora.global_db.aurora_global_upgrade : "
RELEASE = ROLE + "Release the lease of the global database"


def _global_clusters(sandbox):
    return {found["GlobalClusterIdentifier"]: found["GlobalClusterArn"] for found in sandbox.aws_client().describe_global_clusters()["GlobalClusters"]}


def _blue_green_role(sandbox):
    return run_role(sandbox, "pg-global", "15.4", aurora_global_upgrade_method="blue_green")


def _copy_the_lease_to_the_green_global_cluster(sandbox):
    """What AWS may do (unverified): the green global cluster created with a copy of the blue one's tags, the lease's too."""
    green = next(arn for identifier, arn in _global_clusters(sandbox).items() if "-green-" in identifier)
    lease = lease_tags(sandbox, "pg-global")
    sandbox.aws_client().add_tags_to_resource(ResourceName=green, Tags=[
        {"Key": "aurora-global-db:lease-" + name, "Value": value} for name, value in lease.items()])
    return lease["token"]


@pytest.mark.parametrize("tags_copied_to_green", [False, True], ids=["tags_stay_on_blue", "tags_copied_to_green"])
def test_after_a_switchover_neither_global_cluster_keeps_the_lease_and_the_next_run_is_not_refused(sandbox, tags_copied_to_green):
    CASES["blue_green"].setup(sandbox)
    copied = None
    if tags_copied_to_green:
        sandbox.configure(hold_transition_of=[BLUE_GREEN_NAME])
        with ThreadPoolExecutor(max_workers=1) as pool:
            role_run = pool.submit(_blue_green_role, sandbox)
            deadline = time.monotonic() + 300
            while "CreateBlueGreenDeployment" not in [entry["operation"] for entry in changing_calls(sandbox)]:
                assert not role_run.done() and time.monotonic() < deadline, "no CreateBlueGreenDeployment"
                time.sleep(0.2)
            copied = _copy_the_lease_to_the_green_global_cluster(sandbox)
            sandbox.configure(hold_transition_of=[])
            run = role_run.result()
    else:
        run = _blue_green_role(sandbox)
    assert run.returncode == 0, (run.failed_tasks, run.stderr[-2000:])
    assert sorted(_global_clusters(sandbox)) == ["pg-global", "pg-global-old1"]
    released = run.result(RELEASE)["lease"]
    assert released is not None and released["token"] == (copied or released["token"])
    assert lease_tags(sandbox, "pg-global") == {} and lease_tags(sandbox, "pg-global-old1") == {}
    # An immediate second run is not refused (nothing left to do), and another control node's run finds no lease to
    # replace on the global database now named pg-global.
    again = _blue_green_role(sandbox)
    assert again.returncode == 0, (again.failed_tasks, again.stderr[-2000:])
    taken = run_playbook("lease.yml", sandbox.endpoint_url, {"global_cluster_identifier": "pg-global"}).result("Take the lease")
    assert not taken.get("failed") and taken["replaced"] is None, taken
