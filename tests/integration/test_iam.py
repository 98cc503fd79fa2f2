# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Least privilege, proven: docs/iam-policy.json against moto's IAM enforcement.

Under a user that holds only that policy, the facts, a minor and a major upgrade succeed. Then, one test per action
of the policy: without that action, the step that needs it fails with AccessDenied naming the action, cleanly (a
module failure, no traceback), and nothing is changed after the refused call (the lease release excepted).

The per-action table ACTION_STEPS is data: a row names the action, the run that needs it and any sandbox setting.
A row applies once the collection's code calls the action (a feature merged later adds its rows and they start
running); the policy must name exactly the actions the code calls.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import re
from collections import namedtuple
from pathlib import Path

import botocore.exceptions
import botocore.session
import pytest
from conftest import SANDBOX_TIMINGS

from fleet_inventory import BIN
from fleet_inventory import environment as fleet_environment
from fleet_inventory import write_inventory
from major_extras import CLUSTER_GROUP
from major_extras import INSTANCE_GROUP
from major_extras import create_groups
from test_blue_green import ready_for_blue_green
from playbook_runner import run_playbook
from role_runs import changing_calls
from role_runs import run_role
from sandbox.launcher import running_sandbox
from sandbox_journal import PG_ORDER
from sandbox_journal import modified_members

ROOT = Path(__file__).parents[2]
POLICY_FILE = ROOT / "docs" / "iam-policy.json"
USER = "aurora-upgrader"
# The requests moto serves before it enforces IAM: CreateUser, PutUserPolicy, CreateAccessKey.
SETUP_REQUESTS = 3
# Cleaning up after a refusal is no change: the lease is released in an always section.
CLEANUP_ACTIONS = ("RemoveTagsFromResource",)
# The statement that lets create calls carry the collection's tags.
TAG_ON_CREATE_SID = "TagWhatTheCollectionCreatesWithItsOwnTagKeysOnly"
# The statement that lets RDS use a customer managed key for the caller.
KMS_SID = "CustomerManagedKeysOfEncryptedClustersThroughRdsOnly"

Run = namedtuple("Run", ["playbook_run", "failing_task"])
ActionStep = namedtuple("ActionStep", ["action", "run", "settings"])

# One row per action of the policy: the run whose step needs it, and the sandbox settings that make the step happen.
ACTION_STEPS = [
    ActionStep("DescribeGlobalClusters", "facts", {}),
    ActionStep("DescribeDBClusters", "facts", {}),
    ActionStep("DescribeDBClusterParameters", "facts", {}),
    ActionStep("DescribeDBEngineVersions", "facts", {}),
    ActionStep("ListTagsForResource", "minor", {}),
    ActionStep("AddTagsToResource", "minor", {}),
    ActionStep("ModifyDBCluster", "minor", {}),
    ActionStep("RemoveTagsFromResource", "minor", {}),
    ActionStep("ModifyGlobalCluster", "major", {}),
    ActionStep("DescribeEvents", "minor", {"fail_upgrade_of": ["pg-secondary-apse2"]}),
    ActionStep("CreateDBClusterSnapshot", "snapshot", {}),
    ActionStep("DescribeDBClusterSnapshots", "snapshot", {}),
    ActionStep("DescribeDBClusterParameterGroups", "role_major_parameter_groups", {}),
    ActionStep("DescribeDBParameterGroups", "role_major_parameter_groups", {}),
    ActionStep("DescribeDBInstances", "role_major_parameter_groups", {}),
    ActionStep("ModifyDBInstance", "role_major_parameter_groups", {}),
    ActionStep("RebootDBInstance", "role_major_parameter_groups", {}),
    ActionStep("DescribeOrderableDBInstanceOptions", "restore", {}),
    ActionStep("RestoreDBClusterFromSnapshot", "restore", {}),
    ActionStep("CreateDBCluster", "restore", {}),
    ActionStep("CreateDBInstance", "restore", {}),
    ActionStep("CreateGlobalCluster", "restore", {}),
    ActionStep("DescribeBlueGreenDeployments", "blue_green", {}),
    ActionStep("CreateBlueGreenDeployment", "blue_green", {}),
    ActionStep("SwitchoverBlueGreenDeployment", "blue_green", {}),
    ActionStep("DeleteBlueGreenDeployment", "blue_green", {}),
    ActionStep("RemoveFromGlobalCluster", "rebuild", {}),
]


def _policy():
    return json.loads(POLICY_FILE.read_text(encoding="utf-8"))


def policy_actions(policy):
    """The RDS actions of the policy (the KMS and Secrets Manager ones are used by RDS on the caller's behalf)."""
    return {action.split(":", 1)[1] for statement in policy["Statement"] for action in statement["Action"] if action.startswith("rds:")}


def _without(policy, action):
    trimmed = copy.deepcopy(policy)
    for statement in trimmed["Statement"]:
        statement["Action"] = [name for name in statement["Action"] if name != "rds:" + action]
    trimmed["Statement"] = [statement for statement in trimmed["Statement"] if statement["Action"]]
    return trimmed


def actions_called_by_code():
    """The RDS operations the collection's Python code calls: boto3 client methods called (``.describe_db_clusters(``) or
    named as strings (paginators, getattr), whose names are RDS operations in botocore's model."""
    operations = botocore.session.get_session().get_service_model("rds").operation_names
    snake = {botocore.xform_name(name): name for name in operations}
    code = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "plugins").rglob("*.py"))
    called = set(re.findall(r"\.([a-z][a-z0-9_]+)\(", code)) | set(re.findall(r"[\"']([a-z][a-z0-9_]+)[\"']", code))
    return {snake[name] for name in called & set(snake)}


@pytest.fixture(scope="module")
def iam_server():
    """A sandbox of its own process: IAM enforcement is process-wide in moto, switched on per test (enforce_iam_after)."""
    with running_sandbox(own_process=True, **SANDBOX_TIMINGS) as server:
        yield server


def _fresh(sandbox, scenario, setup=None):
    """An empty sandbox without IAM checks, the scenario seeded and ``setup`` done (as an administrator would)."""
    sandbox.enforce_iam_after("inf")
    sandbox.reset()
    sandbox.seed(scenario)
    if setup is not None:
        setup(sandbox)


def _user_with(sandbox, policy):
    """Switch IAM enforcement on and create a user holding only ``policy``; returns its environment."""
    sandbox.enforce_iam_after(SETUP_REQUESTS)
    iam = sandbox.aws_client("iam", credentials={"AWS_ACCESS_KEY_ID": "setup", "AWS_SECRET_ACCESS_KEY": "setup"})
    iam.create_user(UserName=USER)
    iam.put_user_policy(UserName=USER, PolicyName="aurora-global-db", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=USER)["AccessKey"]
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


def _facts(sandbox, environment):
    request = {"global_cluster_identifier": "pg-global", "target_engine_version": "14.9", "expect_failure": True}
    run = run_playbook("facts.yml", sandbox.endpoint_url, request, environment=environment)
    return Run(run, "Gather facts")


def _module_upgrade(sandbox, environment, **request):
    run = run_playbook("upgrade_once.yml", sandbox.endpoint_url, dict(request, global_cluster_identifier="pg-global", expect_failure=True),
                       environment=environment)
    return Run(run, "Upgrade")


def _role(sandbox, environment, target, **role_vars):
    run = run_role(sandbox, role_vars.pop("aurora_global_upgrade_global_cluster_identifier", "pg-global"), target, environment=environment, **role_vars)
    failed = run.failed_tasks
    return Run(run, failed[0] if failed else None)


def _restore(sandbox, environment):
    """The snapshot restore method: Aurora MySQL version 2 into a new version 3 global database."""
    return _role(sandbox, environment, "8.0.mysql_aurora.3.04.0", aurora_global_upgrade_global_cluster_identifier="mysql2-global",
                 aurora_global_upgrade_method="snapshot_restore", aurora_global_upgrade_new_global_cluster_identifier="mysql3-new-global",
                 aurora_global_upgrade_writes_stopped=True)


_REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")


def _custom_groups(sandbox):
    create_groups(sandbox, _REGIONS)


def _minor(sandbox, environment):
    return _module_upgrade(sandbox, environment, engine_version="14.9", db_cluster_identifier=PG_ORDER[0])


def _major(sandbox, environment):
    return _module_upgrade(sandbox, environment, engine_version="15.4", allow_major_version_upgrade=True)


def _snapshot(sandbox, environment):
    """The snapshot of the primary, which the role takes before a major upgrade when asked (aurora_global_snapshot), with
    the collection's tags the role has it write (its option upgrade)."""
    return Run(run_playbook("snapshot.yml", sandbox.endpoint_url, {"expect_failure": True, "upgrade": "14.6 to 15.4"}, environment=environment), "Snapshot")


def _module_restore(sandbox, environment):
    """The snapshot restore module, which the role's snapshot_restore method runs: its own snapshot, then the new global database."""
    return Run(run_playbook("snapshot_restore.yml", sandbox.endpoint_url, {"expect_failure": True}, environment=environment), "Restore")


def _user_tags_on_the_secondaries(sandbox):
    """The secondaries carry a tag of the user's, which their new secondaries get too."""
    for identifier, region in (("mysql3r-secondary-euw1", "eu-west-1"), ("mysql3r-secondary-usw2", "us-west-2")):
        rds = sandbox.aws_client("rds", region=region)
        arn = rds.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]["DBClusterArn"]
        rds.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "team", "Value": "orders"}])


def _rebuild(sandbox, environment):
    return Run(run_playbook("rebuild_secondaries.yml", sandbox.endpoint_url, {
        "global_cluster_identifier": "mysql3r-global", "engine_version": "8.0.mysql_aurora.3.05.2", "expect_failure": True},
        environment=environment), "Rebuild the secondaries")


# Run name -> (the scenario it starts from, what an administrator set up before, the run).
RUNS = {
    "facts": ("postgresql-14", None, _facts),
    "minor": ("postgresql-14", None, _minor),
    "major": ("postgresql-14", None, _major),
    "snapshot": ("postgresql-14", None, _snapshot),
    "role_major_parameter_groups": ("postgresql-14", _custom_groups, lambda sandbox, environment: _role(
        sandbox, environment, "15.4", aurora_global_upgrade_allow_major_version_upgrade=True,
        aurora_global_upgrade_db_cluster_parameter_groups={region: CLUSTER_GROUP for region in _REGIONS},
        aurora_global_upgrade_db_parameter_groups={region: INSTANCE_GROUP for region in _REGIONS},
        aurora_global_upgrade_reboot_for_parameter_groups=True,
    )),
    "restore": ("mysql-2", None, _module_restore),
    "rebuild": ("mysql-3-three-regions", _user_tags_on_the_secondaries, _rebuild),
    "blue_green": ("postgresql-14", ready_for_blue_green, lambda sandbox, environment: Run(run_playbook(
        "blue_green.yml", sandbox.endpoint_url, {"global_cluster_identifier": "pg-global", "engine_version": "15.4", "expect_failure": True},
        environment=environment), "Blue/Green")),
}


def test_the_policy_grants_every_action_the_collection_calls():
    assert actions_called_by_code() <= policy_actions(_policy())


def test_the_policy_grants_no_action_the_collection_does_not_call():
    uncalled = policy_actions(_policy()) - actions_called_by_code()
    if uncalled:
        pytest.skip("not called in this branch yet (features merged later): %s" % ", ".join(sorted(uncalled)))


# Actions whose step is no playbook run, each proven by a test of its own.
ACTIONS_PROVEN_ELSEWHERE = {"DescribeDBMajorEngineVersions": "test_the_inventory_reads_lifecycle_dates_under_the_policy_and_names_the_action_without_it"}


def test_every_action_of_the_policy_has_a_row():
    assert sorted([_step(row).action for row in ACTION_STEPS] + list(ACTIONS_PROVEN_ELSEWHERE)) == sorted(policy_actions(_policy()))


def _inventory(sandbox, environment, directory):
    inventory = write_inventory(directory, sandbox.endpoint_url, regions=sorted(set(_REGIONS)))
    return subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", str(inventory), "--list"], capture_output=True, text=True,
                          env=dict(fleet_environment(), **environment), timeout=300, check=False)


def test_the_inventory_reads_lifecycle_dates_under_the_policy_and_names_the_action_without_it(iam_server, tmp_path):
    _fresh(iam_server, "postgresql-14")
    allowed = _inventory(iam_server, _user_with(iam_server, _policy()), tmp_path)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert "pg-global" in allowed.stdout and "standard_support_end" in allowed.stdout
    _fresh(iam_server, "postgresql-14")
    refused = _inventory(iam_server, _user_with(iam_server, _without(_policy(), "DescribeDBMajorEngineVersions")), tmp_path)
    said = refused.stdout + refused.stderr
    assert "rds:DescribeDBMajorEngineVersions" in said and "Traceback" not in said, said


def test_facts_a_minor_and_a_major_upgrade_succeed_under_the_policy(iam_server):
    _fresh(iam_server, "postgresql-14")
    environment = _user_with(iam_server, _policy())
    minor = run_role(iam_server, "pg-global", "14.9", environment=environment)
    # The role's first AWS task runs the facts module as a facts playbook would (this global database, target 14.9, method
    # in_place, the same user): its success is the facts' success under the policy, with no facts playbook run of its own.
    facts = minor.result("aurora.global_db.aurora_global_upgrade : Read the global database and plan the upgrade to 14.9, method in_place")
    assert not facts.get("failed") and facts["ansible_facts"]["aurora_global"]["upgrade_plan"]["target_engine_version"] == "14.9", facts.get("msg")
    assert minor.returncode == 0, (minor.failed_tasks, [minor.result(task).get("msg") for task in minor.failed_tasks])
    assert modified_members(iam_server) == PG_ORDER
    major = run_role(iam_server, "pg-global", "15.4", environment=environment, aurora_global_upgrade_allow_major_version_upgrade=True)
    assert major.returncode == 0, (major.failed_tasks, [major.result(task).get("msg") for task in major.failed_tasks])
    denied = [entry for entry in iam_server.journal() if entry["kind"] == "call" and entry["error"] == "AccessDenied"]
    assert denied == []


def test_a_snapshot_restore_succeeds_under_the_policy(iam_server):
    _fresh(iam_server, "mysql-2")
    environment = _user_with(iam_server, _policy())
    restore = _restore(iam_server, environment)
    assert restore.failing_task is None, restore.playbook_run.result(restore.failing_task).get("msg")


def test_a_blue_green_deployment_succeeds_under_the_policy(iam_server):
    scenario, setup, run_step = RUNS["blue_green"]
    _fresh(iam_server, scenario, setup)
    run = run_step(iam_server, _user_with(iam_server, _policy()))
    result = run.playbook_run.result(run.failing_task)
    assert not result.get("failed") and result["switched_over"] is True, result.get("msg")


def test_a_rebuild_of_the_secondaries_succeeds_under_the_policy(iam_server):
    scenario, setup, run_step = RUNS["rebuild"]
    _fresh(iam_server, scenario, setup)
    run = run_step(iam_server, _user_with(iam_server, _policy()))
    result = run.playbook_run.result(run.failing_task)
    assert not result.get("failed") and result["rebuilt_at_version"] == "8.0.mysql_aurora.3.05.2", result.get("msg")
    denied = [entry for entry in iam_server.journal() if entry["kind"] == "call" and entry["error"] == "AccessDenied"]
    assert denied == []
    iam_server.enforce_iam_after("inf")
    for identifier, region in (("mysql3r-secondary-euw1", "eu-west-1"), ("mysql3r-secondary-usw2", "us-west-2")):
        tags = iam_server.aws_client("rds", region=region).describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]["TagList"]
        assert {"Key": "team", "Value": "orders"} in tags, tags


def _step(row):
    return row.values[0] if hasattr(row, "values") else row


def _fails_cleanly_naming(iam_server, run_name, policy, action, refused_operation, settings=None):
    """The run fails at its first failed task with AccessDenied naming rds:<action>, cleanly, and changes nothing after the refusal
    of ``refused_operation`` (the call that needed the permission)."""
    scenario, setup, run_step = RUNS[run_name]
    _fresh(iam_server, scenario, setup)
    environment = _user_with(iam_server, policy)
    if settings:
        iam_server.configure(**settings)
    run = run_step(iam_server, environment)
    assert run.failing_task is not None and run.failing_task in run.playbook_run.failed_tasks, (
        "the %s run did not fail without rds:%s" % (run_name, action))
    result = run.playbook_run.result(run.failing_task)
    # The collection's modules name the action in msg, and keep AWS's answer in error.
    message = "%s %s" % (result.get("msg", ""), result.get("error", {}).get("message", ""))
    assert "rds:%s" % action in message and ("AccessDenied" in message or result.get("error", {}).get("code") == "AccessDenied"), (
        sorted(result), result.get("error"), message)
    assert "Traceback" not in message and "module_stderr" not in result, result
    calls = [entry for entry in iam_server.journal() if entry["kind"] == "call"]
    refused = [entry for entry in calls if entry["operation"] == refused_operation and entry["error"] == "AccessDenied"]
    assert refused, "the sandbox never refused %s" % refused_operation
    changed_after = [entry["operation"] for entry in changing_calls(iam_server)
                     if entry["seq"] > refused[0]["seq"] and entry["error"] is None and entry["operation"] not in CLEANUP_ACTIONS]
    assert changed_after == [], "changes after the refusal of %s" % refused_operation


@pytest.mark.parametrize("step", ACTION_STEPS, ids=[_step(row).action for row in ACTION_STEPS])
def test_without_an_action_the_step_that_needs_it_fails_cleanly_naming_it(iam_server, step):
    if step.action not in actions_called_by_code():
        pytest.skip("the collection does not call %s in this branch (its feature is merged later)" % step.action)
    _fails_cleanly_naming(iam_server, step.run, _without(_policy(), step.action), step.action, step.action, step.settings)


# AWS authorises tags given to a create call as rds:AddTagsToResource on the new resource (RDS User Guide, "Grant
# permission to tag Amazon RDS resources during creation"): the policy's statement for it, per create the collection tags.
@pytest.mark.parametrize("run_name, create", [("snapshot", "CreateDBClusterSnapshot"), ("restore", "CreateDBClusterSnapshot")])
def test_without_tagging_on_create_the_create_fails_cleanly_naming_add_tags(iam_server, run_name, create):
    policy = _policy()
    policy["Statement"] = [statement for statement in policy["Statement"] if statement["Sid"] != TAG_ON_CREATE_SID]
    assert len(policy["Statement"]) == len(_policy()["Statement"]) - 1
    _fails_cleanly_naming(iam_server, run_name, policy, "AddTagsToResource", create)


def _rds_as(sandbox, environment):
    return sandbox.aws_client("rds", credentials=environment)


def _refusal(call):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call()
    return raised.value.response["Error"]


def test_the_policy_lets_the_collection_tag_with_its_own_tag_keys_only(iam_server):
    _fresh(iam_server, "postgresql-14")
    rds = _rds_as(iam_server, _user_with(iam_server, _policy()))
    arn = rds.describe_global_clusters(GlobalClusterIdentifier="pg-global")["GlobalClusters"][0]["GlobalClusterArn"]
    lease = [{"Key": "aurora-global-db:lease-owner", "Value": "operator"}]
    foreign = [{"Key": "cost-center", "Value": "42"}]
    rds.add_tags_to_resource(ResourceName=arn, Tags=lease)
    rds.remove_tags_from_resource(ResourceName=arn, TagKeys=["aurora-global-db:lease-owner"])
    rds.create_db_cluster_snapshot(DBClusterIdentifier="pg-primary-use1", DBClusterSnapshotIdentifier="ours",
                                   Tags=[{"Key": "aurora-global-db:upgrade", "Value": "14.6 to 15.4"}])
    refusals = [
        _refusal(lambda: rds.add_tags_to_resource(ResourceName=arn, Tags=foreign)),
        _refusal(lambda: rds.add_tags_to_resource(ResourceName=arn, Tags=lease + foreign)),
        _refusal(lambda: rds.remove_tags_from_resource(ResourceName=arn, TagKeys=["cost-center"])),
        _refusal(lambda: rds.create_db_cluster_snapshot(DBClusterIdentifier="pg-primary-use1", DBClusterSnapshotIdentifier="theirs", Tags=foreign)),
    ]
    assert len(refusals) == 4
    assert [(error["Code"], error["Message"].rsplit(": ", 1)[-1]) for error in refusals] == [
        ("AccessDenied", "rds:AddTagsToResource"), ("AccessDenied", "rds:AddTagsToResource"),
        ("AccessDenied", "rds:RemoveTagsFromResource"), ("AccessDenied", "rds:AddTagsToResource")]
    assert [s["DBClusterSnapshotIdentifier"] for s in rds.describe_db_cluster_snapshots(DBClusterIdentifier="pg-primary-use1")["DBClusterSnapshots"]
            if s["SnapshotType"] == "manual"] == ["ours"]


def test_bad_credentials_fail_cleanly(iam_server):
    """Credentials IAM does not know: the first read fails with AWS's answer, no traceback."""
    _fresh(iam_server, "postgresql-14")
    iam_server.enforce_iam_after(0)
    run = run_playbook(
        "facts.yml", iam_server.endpoint_url, {"global_cluster_identifier": "pg-global", "expect_failure": True},
        environment={"AWS_ACCESS_KEY_ID": "AKIANOTAREALKEY00000", "AWS_SECRET_ACCESS_KEY": "wrong"},
    )
    result = run.result("Gather facts")
    assert result.get("failed") is True and "Describing global cluster pg-global" in result["msg"]
    assert "Traceback" not in result["msg"] and "module_stderr" not in result
    assert result["error"]["code"] in ("InvalidClientTokenId", "AccessDenied", "UnrecognizedClientException")


# An Aurora MySQL version 2 global database encrypted with a customer managed key in each region (KMS CreateKey).
CMK_MEMBERS = {"us-east-1": "cmk-primary-use1", "us-west-2": "cmk-secondary-usw2"}


def _encrypted_global_database(sandbox):
    """As an administrator: a global database whose members are encrypted with customer managed keys of their regions."""
    client = sandbox.aws_client
    version = "5.7.mysql_aurora.2.11.2"
    client("rds", "us-east-1").create_global_cluster(GlobalClusterIdentifier="cmk-global", Engine="aurora-mysql", EngineVersion=version)
    for region, identifier in CMK_MEMBERS.items():
        key = client("kms", region).create_key(Description="orders " + region)["KeyMetadata"]["Arn"]
        rds = client("rds", region)
        extra = {} if region != "us-east-1" else {"MasterUsername": "admin", "MasterUserPassword": "secret-password"}
        rds.create_db_cluster(DBClusterIdentifier=identifier, Engine="aurora-mysql", EngineVersion=version, GlobalClusterIdentifier="cmk-global",
                              StorageEncrypted=True, KmsKeyId=key, **extra)
        rds.create_db_instance(DBInstanceIdentifier=identifier + "-1", DBClusterIdentifier=identifier, Engine="aurora-mysql",
                               DBInstanceClass="db.r6g.large")


def _cmk_restore(sandbox, policy):
    _fresh(sandbox, "mysql-2", _encrypted_global_database)
    environment = _user_with(sandbox, policy)
    return environment, _role(sandbox, environment, "8.0.mysql_aurora.3.04.0", aurora_global_upgrade_global_cluster_identifier="cmk-global",
                              aurora_global_upgrade_method="snapshot_restore", aurora_global_upgrade_new_global_cluster_identifier="cmk-new-global",
                              aurora_global_upgrade_writes_stopped=True)


def test_a_restore_with_customer_managed_keys_succeeds_under_the_policy(iam_server):
    environment, restore = _cmk_restore(iam_server, _policy())
    assert restore.failing_task is None, restore.playbook_run.result(restore.failing_task).get("msg")
    for region, identifier in CMK_MEMBERS.items():
        rds = iam_server.aws_client("rds", region, credentials=environment)
        old, new = (rds.describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0] for name in (identifier, identifier + "-v3"))
        assert (new["StorageEncrypted"], new["KmsKeyId"]) == (True, old["KmsKeyId"])


def test_without_the_kms_statement_a_restore_with_customer_managed_keys_fails_naming_the_kms_action(iam_server):
    policy = _policy()
    policy["Statement"] = [statement for statement in policy["Statement"] if statement["Sid"] != KMS_SID]
    assert len(policy["Statement"]) == len(_policy()["Statement"]) - 1
    _environment, restore = _cmk_restore(iam_server, policy)
    assert restore.failing_task is not None
    result = restore.playbook_run.result(restore.failing_task)
    message = "%s %s" % (result.get("msg", ""), result.get("error", {}).get("message", ""))
    assert "kms:CreateGrant" in message and "AccessDenied" in message and "module_stderr" not in result, message
    refused = [entry["operation"] for entry in iam_server.journal() if entry["kind"] == "call" and entry["error"] == "AccessDenied"]
    assert refused == ["RestoreDBClusterFromSnapshot"]
