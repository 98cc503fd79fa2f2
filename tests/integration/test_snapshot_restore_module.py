# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""aurora_global_snapshot_restore through ansible-playbook against the sandbox, checked against its journal.

The journal shows every call: the old global database must receive no call that changes it (its primary is
only read by CreateDBClusterSnapshot), refusals must come before any create, and a resumed run must create
nothing twice.
"""

from __future__ import annotations

from collections import Counter

import pytest

from module_docs import documented_return
from playbook_runner import run_playbook

TARGET = "8.0.mysql_aurora.3.04.0"
NEW_GLOBAL = "mysql3-new-global"
OLD_MEMBERS = {"mysql2-primary-use1": "us-east-1", "mysql2-secondary-usw2": "us-west-2"}
OLD_INSTANCES = {"mysql2-primary-use1-1": "us-east-1", "mysql2-secondary-usw2-1": "us-west-2"}
SNAPSHOT = "mysql2-primary-use1-before-mysql3-new-global"
# Every resource of the method, in creation order.
LAYOUT = [
    ("db_cluster_snapshot", SNAPSHOT, "us-east-1"),
    ("db_cluster", "mysql2-primary-use1-v3", "us-east-1"),
    ("db_instance", "mysql2-primary-use1-1-v3", "us-east-1"),
    ("global_cluster", NEW_GLOBAL, "us-east-1"),
    ("db_cluster", "mysql2-secondary-usw2-v3", "us-west-2"),
    ("db_instance", "mysql2-secondary-usw2-1-v3", "us-west-2"),
]
CREATES = ["CreateDBClusterSnapshot", "RestoreDBClusterFromSnapshot", "CreateDBInstance", "CreateGlobalCluster", "CreateDBCluster", "CreateDBInstance"]
# The parameter that names what each mutating call creates or changes.
SUBJECT_PARAMETER = {
    "CreateDBClusterSnapshot": "DBClusterSnapshotIdentifier", "CreateDBInstance": "DBInstanceIdentifier", "ModifyDBInstance": "DBInstanceIdentifier",
    "RebootDBInstance": "DBInstanceIdentifier", "CreateGlobalCluster": "GlobalClusterIdentifier", "ModifyGlobalCluster": "GlobalClusterIdentifier",
    "FailoverGlobalCluster": "GlobalClusterIdentifier", "SwitchoverGlobalCluster": "GlobalClusterIdentifier",
    "RemoveFromGlobalCluster": "GlobalClusterIdentifier",
}


def _rds(sandbox, region):
    return sandbox.aws_client("rds", region)


def _restore(sandbox, check=False, **extra_vars):
    return run_playbook("snapshot_restore.yml", sandbox.endpoint_url, extra_vars, check=check).result("Restore")


def _succeeded(result):
    assert not result.get("failed"), result.get("msg")
    return result


def _refused(sandbox, **extra_vars):
    result = _restore(sandbox, expect_failure=True, **extra_vars)
    assert result.get("failed") is True, result
    assert "module_stderr" not in result and "MODULE FAILURE" not in result["msg"], "an expected failure must not be a crash: %s" % result
    return result


def _created_resource(entry):
    """The identifier of what a mutating call creates or changes (the DB cluster for the DB cluster calls)."""
    return entry["params"].get(SUBJECT_PARAMETER.get(entry["operation"], "DBClusterIdentifier"))


def _calls_on_old_database(sandbox):
    """Mutating calls whose subject is an old resource (CreateDBClusterSnapshot's subject is the new snapshot: it only reads the old primary),
    or that name the old global cluster anywhere."""
    old = set(OLD_MEMBERS) | set(OLD_INSTANCES)
    return [
        entry for entry in sandbox.mutating_calls()
        if str(_created_resource(entry)).lower() in old or "mysql2-global" in {str(value).lower() for value in entry["params"].values()}
    ]


def _old_state(sandbox):
    clusters = {i: _rds(sandbox, r).describe_db_clusters(DBClusterIdentifier=i)["DBClusters"][0] for i, r in OLD_MEMBERS.items()}
    members = _rds(sandbox, "us-east-1").describe_global_clusters(GlobalClusterIdentifier="mysql2-global")["GlobalClusters"][0]["GlobalClusterMembers"]
    return {
        "clusters": {i: (c["Status"], c["EngineVersion"], c["DBClusterParameterGroup"], len(c["DBClusterMembers"])) for i, c in clusters.items()},
        "members": sorted((m["DBClusterArn"], m["IsWriter"]) for m in members),
    }


@pytest.fixture
def mysql2(sandbox):
    sandbox.seed("mysql-2")
    sandbox.configure(provision_seconds=0.5)
    return sandbox


def test_full_path_builds_a_new_version_3_global_database_of_the_same_shape_returns_exactly_the_documented_keys_and_a_second_run_changes_nothing(mysql2):
    before = _old_state(mysql2)
    result = _succeeded(_restore(mysql2))
    calls = mysql2.mutating_calls()
    assert [(c["operation"], _created_resource(c), c["region"], c["error"]) for c in calls] == [
        (operation, layout[1], layout[2], None) for operation, layout in zip(CREATES, LAYOUT)]
    assert _calls_on_old_database(mysql2) == []
    assert _old_state(mysql2) == before
    new_global = _rds(mysql2, "us-east-1").describe_global_clusters(GlobalClusterIdentifier=NEW_GLOBAL)["GlobalClusters"][0]
    assert (new_global["Status"], new_global["Engine"], new_global["EngineVersion"]) == ("available", "aurora-mysql", TARGET)
    members = {m["DBClusterArn"].rsplit(":", 1)[1]: m["IsWriter"] for m in new_global["GlobalClusterMembers"]}
    assert members == {"mysql2-primary-use1-v3": True, "mysql2-secondary-usw2-v3": False}
    for old, region in OLD_MEMBERS.items():
        new = _rds(mysql2, region).describe_db_clusters(DBClusterIdentifier=old + "-v3")["DBClusters"][0]
        assert (new["Status"], new["EngineVersion"], len(new["DBClusterMembers"])) == ("available", TARGET, 1)
        instance = _rds(mysql2, region).describe_db_instances(DBInstanceIdentifier=old + "-1-v3")["DBInstances"][0]
        assert (instance["DBInstanceStatus"], instance["DBInstanceClass"]) == ("available", "db.r6g.large")
    assert result["changed"] is True
    assert (result["method"], result["new_global_cluster_identifier"], result["engine_version"]) == ("snapshot_restore", NEW_GLOBAL, TARGET)
    assert result["new_global_endpoint"] == new_global["Endpoint"]
    assert result["new_global_cluster_arn"] == new_global["GlobalClusterArn"]
    assert result["snapshot_identifier"] == SNAPSHOT
    assert [(r["kind"], r["identifier"], r["region"], r["action"]) for r in result["resources"]] == [layout + ("created",) for layout in LAYOUT]
    assert [(m["db_cluster_identifier"], m["region"], m["role"], m["engine_version"], m["status"]) for m in result["new_members"]] == [
        ("mysql2-primary-use1-v3", "us-east-1", "primary", TARGET, "available"),
        ("mysql2-secondary-usw2-v3", "us-west-2", "secondary", TARGET, "available"),
    ]
    documented = documented_return("aurora_global_snapshot_restore")
    # What ansible-core adds to every result (the callback also shows the task's action).
    returned = {key for key in result if not key.startswith("_")} - {"changed", "invocation", "failed", "warnings", "deprecations", "action"}
    assert returned == set(documented)
    assert set(result["new_members"][0]) == set(documented["new_members"]["contains"])
    assert set(result["resources"][0]) == set(documented["resources"]["contains"])
    # A second run finds every resource of the first and creates nothing.
    mysql2.clear_journal()
    again = _succeeded(_restore(mysql2))
    assert mysql2.mutating_calls() == []
    assert again["changed"] is False
    assert [r["action"] for r in again["resources"]] == ["existing"] * len(LAYOUT)


def test_check_mode_creates_nothing_and_lists_every_resource_in_order(mysql2):
    result = _succeeded(_restore(mysql2, check=True))
    assert mysql2.mutating_calls() == []
    assert result["changed"] is True
    assert [(r["kind"], r["identifier"], r["region"], r["action"]) for r in result["resources"]] == [layout + ("create",) for layout in LAYOUT]
    assert result["new_global_endpoint"] is None
    assert [m["status"] for m in result["new_members"]] == [None, None]


def test_an_interrupted_run_resumes_without_creating_anything_twice(mysql2):
    # The deadline ends while the restored primary is still creating, however slow the machine: the sandbox holds it until
    # the resumed run. Its instance waits for it (AWS creates instances only in an available cluster).
    # The deadline ends while the restored primary is still creating, however slow the machine: the sandbox holds it until the
    # resumed run. Its instance waits for it (AWS creates instances only in an available cluster).
    mysql2.configure(snapshot_seconds=0, hold_transition_of=[LAYOUT[1][1]])
    interrupted = _refused(mysql2, wait_timeout=3)
    assert "wait_timeout" in interrupted["msg"]
    assert [r["action"] for r in interrupted["resources"]] == ["created", "created"]
    first = [c["operation"] for c in mysql2.mutating_calls()]
    assert first == CREATES[:2]
    mysql2.configure(hold_transition_of=[])
    result = _succeeded(_restore(mysql2))
    assert [r["action"] for r in result["resources"]] == ["existing"] * 2 + ["created"] * 4
    creates = [(c["operation"], _created_resource(c)) for c in mysql2.mutating_calls()]
    assert all(c["error"] is None for c in mysql2.mutating_calls())
    assert list(Counter(creates).values()) == [1] * len(LAYOUT)
    assert _calls_on_old_database(mysql2) == []


def test_lost_responses_are_recognised_by_the_resend_and_nothing_is_created_twice(mysql2):
    # Each create is applied, its answer lost (HTTP 500 InternalFailure); AWSRetry resends it and AWS answers that it exists.
    mysql2.configure(lose_response_of=sorted(set(CREATES)))
    result = _succeeded(_restore(mysql2))
    assert [r["action"] for r in result["resources"]] == ["created"] * len(LAYOUT)
    applied = [(c["operation"], _created_resource(c)) for c in mysql2.mutating_calls() if c["error"] in (None, "InternalFailure")]
    assert sorted(applied) == sorted((operation, layout[1]) for operation, layout in zip(CREATES, LAYOUT))
    refused = [c["error"] for c in mysql2.mutating_calls() if c["error"] not in (None, "InternalFailure")]
    assert len(refused) == len(set(CREATES)) and all("AlreadyExists" in error for error in refused)
    assert _calls_on_old_database(mysql2) == []


def test_a_snapshot_given_by_name_is_restored_as_it_is(mysql2):
    _rds(mysql2, "us-east-1").create_db_cluster_snapshot(DBClusterIdentifier="mysql2-primary-use1", DBClusterSnapshotIdentifier="before-upgrade")
    mysql2.clear_journal()
    result = _succeeded(_restore(mysql2, db_cluster_snapshot_identifier="before-upgrade"))
    operations = [c["operation"] for c in mysql2.mutating_calls()]
    assert operations == CREATES[1:]
    assert result["resources"][0] == {"kind": "db_cluster_snapshot", "identifier": "before-upgrade", "region": "us-east-1", "action": "existing"}
    assert mysql2.mutating_calls()[0]["params"]["SnapshotIdentifier"] == "before-upgrade"


def test_parameter_groups_given_per_region_go_to_the_new_clusters_and_instances(mysql2):
    for region in OLD_MEMBERS.values():
        client = _rds(mysql2, region)
        client.create_db_cluster_parameter_group(DBClusterParameterGroupName="orders-mysql80", DBParameterGroupFamily="aurora-mysql8.0", Description="v3")
        client.create_db_parameter_group(DBParameterGroupName="orders-mysql80-instances", DBParameterGroupFamily="aurora-mysql8.0", Description="v3")
    mysql2.clear_journal()
    groups = dict.fromkeys(OLD_MEMBERS.values(), "orders-mysql80")
    _succeeded(_restore(mysql2, db_cluster_parameter_groups=groups, db_parameter_groups={"us-west-2": "orders-mysql80-instances"}))
    for old, region in OLD_MEMBERS.items():
        assert _rds(mysql2, region).describe_db_clusters(DBClusterIdentifier=old + "-v3")["DBClusters"][0]["DBClusterParameterGroup"] == "orders-mysql80"
    instance_calls = {
        c["params"]["DBInstanceIdentifier"]: c["params"].get("DBParameterGroupName") for c in mysql2.mutating_calls() if c["operation"] == "CreateDBInstance"}
    assert instance_calls == {"mysql2-primary-use1-1-v3": None, "mysql2-secondary-usw2-1-v3": "orders-mysql80-instances"}


def _break_the_request(sandbox):
    return {"writes_stopped": False, "new_global_cluster_identifier": "MySQL2-Global", "db_parameter_groups": {"eu-west-1": "x"}}


def _break_what_aws_offers(sandbox):
    """The target missing in one region, a parameter group of the old family, one that does not exist, an instance class
    version 3 does not offer (AWS Aurora User Guide: no db.r4) and a new name already taken."""
    sandbox.configure(hidden_versions={"us-west-2": [TARGET]})
    _rds(sandbox, "us-east-1").create_db_cluster_parameter_group(
        DBClusterParameterGroupName="still-57", DBParameterGroupFamily="aurora-mysql5.7", Description="version 2 settings")
    _rds(sandbox, "us-east-1").modify_db_instance(DBInstanceIdentifier="mysql2-primary-use1-1", DBInstanceClass="db.r4.large", ApplyImmediately=True)
    _rds(sandbox, "us-west-2").create_db_cluster(
        DBClusterIdentifier="mysql2-secondary-usw2-v3", Engine="aurora-mysql", EngineVersion=TARGET,
        MasterUsername="admin", MasterUserPassword="secret-password")
    return {"db_cluster_parameter_groups": {"us-east-1": "still-57"}, "db_parameter_groups": {"us-east-1": "nowhere"}}


# Each case breaks several checks at once: the module refuses with every reason of a stage in one message.
REFUSALS = {
    "the request": (_break_the_request, [
        "writes_stopped must be true", "must differ from global_cluster_identifier", "db_parameter_groups names region(s) eu-west-1"]),
    "not version 3": (lambda sandbox: {"engine_version": "5.7.mysql_aurora.2.12.0"}, ["Use the in-place method instead"]),
    "not an upgrade target of 2.11.2": (lambda sandbox: {"engine_version": "8.0.mysql_aurora.3.05.2"}, [
        "8.0.mysql_aurora.3.05.2 is not a valid version 3 target of 5.7.mysql_aurora.2.11.2"]),
    "what AWS offers": (_break_what_aws_offers, [
        "%s is not offered in us-west-2" % TARGET,
        "still-57 in us-east-1 is of family aurora-mysql5.7, not aurora-mysql8.0",
        "parameter group nowhere does not exist in us-east-1",
        "db.r4.large is not offered for aurora-mysql %s in us-east-1" % TARGET,
        "DB cluster mysql2-secondary-usw2-v3 already exists in us-west-2 and was not created by a snapshot restore",
    ]),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refusals_come_before_any_change(mysql2, case):
    prepare, expected = REFUSALS[case]
    extra_vars = prepare(mysql2)
    mysql2.clear_journal()
    result = _refused(mysql2, **extra_vars)
    assert [reason for reason in expected if reason not in result["msg"]] == []
    assert mysql2.mutating_calls() == []
    assert result["resources"] == [] and result["changed"] is False


@pytest.mark.parametrize("scenario, global_cluster, target", [
    ("postgresql-14", "pg-global", "15.4"),
    ("mysql-3", "mysql3-global", "8.0.mysql_aurora.3.05.2"),
])
def test_other_upgrades_are_refused_pointing_to_the_in_place_method(sandbox, scenario, global_cluster, target):
    sandbox.seed(scenario)
    sandbox.clear_journal()
    result = _refused(sandbox, global_cluster_identifier=global_cluster, engine_version=target)
    assert "Aurora MySQL version 2 -> 3 only" in result["msg"] and "aurora_global_upgrade_method: in_place" in result["msg"]
    assert sandbox.mutating_calls() == []


def test_an_unknown_global_cluster_fails_cleanly(sandbox):
    result = _refused(sandbox, global_cluster_identifier="nowhere")
    assert "nowhere does not exist" in result["msg"]
