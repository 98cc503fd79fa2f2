# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Issue 20 item 1: every Blue/Green prerequisite is a blocker of the plan, refused by the role before any change.

aurora_global_facts shows each failed prerequisite as a blocker ``blue_green_prerequisite`` in
upgrade_plan.methods.blue_green (and in upgrade_plan.blockers with method blue_green), with what to fix; the role's
blue_green method refuses on the plan's blockers before the lease: no call that changes something, tags included.
The plan's prerequisites cost the facts module no read of their own.
"""

from __future__ import annotations

import pytest

import major_extras as extras
from playbook_runner import run_playbook
from role_runs import changing_calls
from role_runs import run_role
from sandbox_journal import PG_REGIONS
from test_blue_green import ready_for_blue_green

CODE = "blue_green_prerequisite"
REFUSAL = "aurora.global_db.aurora_global_upgrade : Refuse the upgrade for each restriction it breaks"
PG = ("pg-global", "15.4")
MYSQL = ("mysql3-global", "8.4.mysql_aurora.8.4.7")


def _rds(sandbox, region="us-east-1"):
    return sandbox.aws_client("rds", region)


def _logical_replication(sandbox, value, regions=PG_REGIONS.values()):
    for region in regions:
        _rds(sandbox, region).modify_db_cluster_parameter_group(DBClusterParameterGroupName="pg-global-params", Parameters=[
            {"ParameterName": "rds.logical_replication", "ParameterValue": value, "ApplyMethod": "pending-reboot"}])


def _ready(sandbox):
    sandbox.seed("postgresql-14")
    ready_for_blue_green(sandbox)


def _logical_replication_off_in_one_region(sandbox):
    _ready(sandbox)
    _logical_replication(sandbox, "0", ["eu-west-1"])


def _version_below_the_minimum(sandbox):
    sandbox.seed("postgresql-14")  # 14.6, below 14.9
    _logical_replication(sandbox, "1")


def _managed_master_password(sandbox):
    _ready(sandbox)
    _rds(sandbox).modify_db_cluster(DBClusterIdentifier="pg-primary-use1", ManageMasterUserPassword=True, ApplyImmediately=True)


def _switchover_in_progress(sandbox):
    _ready(sandbox)
    sandbox.set_state(global_cluster="pg-global", failover_state={"Status": "switching-over", "FromDbClusterArn": "a", "ToDbClusterArn": "b"})


def _group_missing_in_a_region(sandbox):
    _ready(sandbox)
    extras.create_groups(sandbox, ["us-east-1", "eu-west-1"])


def _mysql_without_binary_logging(sandbox):
    sandbox.seed("mysql-3")


EVERY_REGION = extras.every_region(extras.CLUSTER_GROUP)
# prerequisite: (database, setup, target cluster parameter groups, what the blocker's message says)
CASES = {
    "binary_logging_off": (MYSQL, _mysql_without_binary_logging, None,
                           "binary logging is off for mysql3-secondary-usw2 (us-west-2), mysql3-primary-use1 (us-east-1)"),
    "logical_replication_off": (PG, _logical_replication_off_in_one_region, None, "logical replication is off for pg-secondary-euw1 (eu-west-1)"),
    "version_below_the_minimum": (PG, _version_below_the_minimum, None, "below the lowest version Blue/Green deployments support (14.9)"),
    "managed_master_password": (PG, _managed_master_password, None, "pg-primary-use1 (us-east-1) is managed in AWS Secrets Manager"),
    "switchover_in_progress": (PG, _switchover_in_progress, None, "a switchover or failover of global cluster pg-global is in progress"),
    "target_group_missing_in_a_region": (PG, _group_missing_in_a_region, EVERY_REGION,
                                         "DB cluster parameter group %s does not exist in ap-southeast-2" % extras.CLUSTER_GROUP),
    "target_group_names_differ": (PG, _ready, {"us-east-1": "a", "eu-west-1": "b", "ap-southeast-2": "a"},
                                  "the target DB cluster parameter groups differ by region (ap-southeast-2: a, eu-west-1: b, us-east-1: a): "
                                  "AWS gives the green members of every region the one parameter group name"),
}


def _plan(sandbox, database, groups, method=None):
    extra_vars = {"global_cluster_identifier": database[0], "target_engine_version": database[1]}
    extra_vars.update({"method": method} if method else {}, **({"db_cluster_parameter_groups": groups} if groups else {}))
    return run_playbook("facts.yml", sandbox.endpoint_url, extra_vars).result("Gather facts")["ansible_facts"]["aurora_global"]["upgrade_plan"]


def _prerequisites(blockers):
    return [blocker for blocker in blockers if blocker["code"] == CODE]


@pytest.mark.parametrize("prerequisite", sorted(CASES))
def test_each_prerequisite_is_a_blocker_of_the_plan_and_refused_by_the_role_before_any_change(sandbox, prerequisite):
    database, setup, groups, says = CASES[prerequisite]
    setup(sandbox)
    sandbox.clear_journal()
    # One call tells which methods can do it: with the default method the Blue/Green blockers are in methods.blue_green.
    plan = _plan(sandbox, database, groups)
    # With no method asked, the plan is the global method's: each target here is a major upgrade (Aurora MySQL 3 -> 8.4 too,
    # though its version names do not show it) and no Blue/Green prerequisite blocks it; a switchover in progress blocks every method.
    blocking_the_global_method = ["failover_in_progress"] if prerequisite == "switchover_in_progress" else []
    assert (plan["kind"], plan["method"], [blocker["code"] for blocker in plan["blockers"]]) == ("major", "global", blocking_the_global_method), plan
    assert any(says in blocker["message"] for blocker in _prerequisites(plan["methods"]["blue_green"])), plan["methods"]["blue_green"]
    assert _prerequisites(plan["methods"]["in_place"]) == [] and CODE not in plan["checked"]
    planned = _plan(sandbox, database, groups, method="blue_green")
    assert CODE in planned["checked"] and planned["blockers"] == planned["methods"]["blue_green"]
    refused = run_role(sandbox, *database, aurora_global_upgrade_method="blue_green",
                       **({"aurora_global_upgrade_db_cluster_parameter_groups": groups} if groups else {}))
    assert refused.failed_tasks[0] == REFUSAL, refused.failed_tasks
    message = refused.result(REFUSAL)["msg"]
    assert "[%s]" % CODE in message and says in message and "nothing was changed" in message, message
    assert changing_calls(sandbox) == []


def test_a_ready_database_has_no_blue_green_blocker_and_its_plan_costs_no_read_of_its_own(sandbox):
    _ready(sandbox)
    plan = _plan(sandbox, PG, None, method="blue_green")
    assert plan["blockers"] == [] and CODE in plan["checked"]
    # The prerequisites' cluster parameter is read with rds.global_db_rpo, in the facts module's one read per member.
    parameter_reads = [entry for entry in sandbox.journal() if entry["operation"] == "DescribeDBClusterParameters"]
    assert len(parameter_reads) == len(PG_REGIONS), parameter_reads
