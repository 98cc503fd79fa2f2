# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The sandbox's calls of the snapshot restore method (sandbox/restores.py) behave as AWS does (docs/sandbox.md)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

V2 = "5.7.mysql_aurora.2.11.2"
V3 = "8.0.mysql_aurora.3.04.0"


@pytest.fixture
def rds(sandbox):
    """rds(region): a boto3 RDS client of the sandbox that does not retry, so that every refusal shows."""
    def client(region):
        return sandbox.aws_client("rds", region, max_attempts=1)
    return client


def _error(call, *args, **params):
    with pytest.raises(ClientError) as raised:
        call(*args, **params)
    return raised.value.response["Error"]


@pytest.fixture
def snapshot(sandbox, rds):
    """An available snapshot of the seeded Aurora MySQL 2 primary; new resources then stay `creating` for a minute."""
    sandbox.seed("mysql-2")
    sandbox.configure(snapshot_seconds=0, provision_seconds=60)
    rds("us-east-1").create_db_cluster_snapshot(DBClusterIdentifier="mysql2-primary-use1", DBClusterSnapshotIdentifier="snap")
    return "snap"


def _restore(rds, identifier="restored", **params):
    return rds("us-east-1").restore_db_cluster_from_snapshot(
        DBClusterIdentifier=identifier, SnapshotIdentifier="snap", Engine="aurora-mysql", EngineVersion=V3, **params)["DBCluster"]


def test_a_restore_is_a_standalone_cluster_of_the_version_asked_creating_at_first(snapshot, rds):
    restored = _restore(rds, DBSubnetGroupName="orders-subnets", Tags=[{"Key": "k", "Value": "v"}])
    assert (restored["Status"], restored["EngineVersion"], restored["DBSubnetGroup"]) == ("creating", V3, "orders-subnets")
    assert "GlobalClusterIdentifier" not in restored
    assert restored["TagList"] == [{"Key": "k", "Value": "v"}]
    old = rds("us-east-1").describe_global_clusters(GlobalClusterIdentifier="mysql2-global")["GlobalClusters"][0]
    assert len(old["GlobalClusterMembers"]) == 2
    assert rds("us-east-1").describe_db_clusters(DBClusterIdentifier="restored")["DBClusters"][0]["Status"] == "creating"


def test_new_resources_are_available_once_their_time_is_up(sandbox, snapshot, rds):
    sandbox.configure(provision_seconds=0)
    _restore(rds)
    assert rds("us-east-1").describe_db_clusters(DBClusterIdentifier="restored")["DBClusters"][0]["Status"] == "available"


def test_a_restore_is_refused_from_a_snapshot_still_creating_and_onto_a_taken_name(sandbox, snapshot, rds):
    sandbox.configure(snapshot_seconds=60)
    rds("us-east-1").create_db_cluster_snapshot(DBClusterIdentifier="mysql2-primary-use1", DBClusterSnapshotIdentifier="young")
    error = _error(rds("us-east-1").restore_db_cluster_from_snapshot, DBClusterIdentifier="x", SnapshotIdentifier="young", Engine="aurora-mysql")
    assert error["Code"] == "InvalidDBClusterSnapshotStateFault"
    assert _error(_restore, rds=rds, identifier="MySQL2-Primary-Use1")["Code"] == "DBClusterAlreadyExistsFault"


def test_a_restore_checks_the_cluster_parameter_group_family(snapshot, rds):
    rds("us-east-1").create_db_cluster_parameter_group(DBClusterParameterGroupName="old57", DBParameterGroupFamily="aurora-mysql5.7", Description="v2")
    error = _error(_restore, rds=rds, DBClusterParameterGroupName="old57")
    assert error["Code"] == "InvalidParameterCombination" and "aurora-mysql8.0" in error["Message"]


def test_an_instance_class_version_3_does_not_offer_is_refused_in_awss_words(sandbox, snapshot, rds):
    sandbox.configure(provision_seconds=0)
    _restore(rds)
    error = _error(rds("us-east-1").create_db_instance, DBInstanceIdentifier="i", DBClusterIdentifier="restored", Engine="aurora-mysql",
                   DBInstanceClass="db.r4.large")
    assert error["Code"] == "InvalidParameterCombination"
    assert error["Message"].startswith("RDS does not support creating a DB instance with the following combination: DBInstanceClass=db.r4.large")
    created = rds("us-east-1").create_db_instance(DBInstanceIdentifier="i", DBClusterIdentifier="restored", Engine="aurora-mysql",
                                                  DBInstanceClass="db.r6g.large")["DBInstance"]
    assert created["DBInstanceStatus"] == "available"


def test_orderable_options_follow_the_aurora_mysql_major_version(sandbox, rds):
    def classes(version):
        options = rds("eu-west-1").describe_orderable_db_instance_options(Engine="aurora-mysql", EngineVersion=version)["OrderableDBInstanceOptions"]
        return {option["DBInstanceClass"] for option in options}
    assert {"db.r4.large", "db.r6g.large"} <= classes(V2)
    assert "db.r6g.large" in classes(V3) and "db.r4.large" not in classes(V3)
    sandbox.configure(hidden_versions={"eu-west-1": [V3]})
    assert classes(V3) == set()


def test_a_global_cluster_from_a_source_makes_it_the_writer_once_the_source_is_available(sandbox, snapshot, rds):
    restored = _restore(rds)
    error = _error(rds("us-east-1").create_global_cluster, GlobalClusterIdentifier="new", SourceDBClusterIdentifier=restored["DBClusterArn"])
    assert error["Code"] == "InvalidDBClusterStateFault"
    sandbox.configure(provision_seconds=0)
    ready = _restore(rds, identifier="ready")
    created = rds("us-east-1").create_global_cluster(GlobalClusterIdentifier="New-Global", SourceDBClusterIdentifier=ready["DBClusterArn"])["GlobalCluster"]
    assert (created["GlobalClusterIdentifier"], created["EngineVersion"], created["Status"]) == ("new-global", V3, "available")
    assert [(m["DBClusterArn"], m["IsWriter"]) for m in created["GlobalClusterMembers"]] == [(ready["DBClusterArn"], True)]
    assert created["Endpoint"].startswith("new-global.")
    again = _error(rds("us-east-1").create_global_cluster, GlobalClusterIdentifier="NEW-GLOBAL", SourceDBClusterIdentifier=ready["DBClusterArn"])
    assert again["Code"] == "GlobalClusterAlreadyExistsFault"


def test_a_secondary_joins_an_available_global_cluster_at_its_version_only(sandbox, snapshot, rds):
    sandbox.configure(provision_seconds=0)
    ready = _restore(rds, identifier="ready")
    rds("us-east-1").create_global_cluster(GlobalClusterIdentifier="new-global", SourceDBClusterIdentifier=ready["DBClusterArn"])
    wrong = _error(rds("us-west-2").create_db_cluster, DBClusterIdentifier="sec", GlobalClusterIdentifier="new-global", Engine="aurora-mysql",
                   EngineVersion="8.0.mysql_aurora.3.05.2")
    assert wrong["Code"] == "InvalidParameterCombination"
    secondary = rds("us-west-2").create_db_cluster(DBClusterIdentifier="sec", GlobalClusterIdentifier="New-Global", Engine="aurora-mysql",
                                                   EngineVersion=V3)["DBCluster"]
    assert secondary["Status"] == "available"
    members = rds("us-east-1").describe_global_clusters(GlobalClusterIdentifier="new-global")["GlobalClusters"][0]["GlobalClusterMembers"]
    assert sorted((m["DBClusterArn"].rsplit(":", 1)[1], m["IsWriter"]) for m in members) == [("ready", True), ("sec", False)]
    sandbox.set_state(global_cluster="new-global", status="modifying")
    busy = _error(rds("eu-west-1").create_db_cluster, DBClusterIdentifier="third", GlobalClusterIdentifier="new-global", Engine="aurora-mysql")
    assert busy["Code"] == "InvalidGlobalClusterStateFault"


def _instance(rds, identifier, cluster="restored", instance_class="db.r6g.large"):
    return rds("us-east-1").create_db_instance(DBInstanceIdentifier=identifier, DBClusterIdentifier=cluster, Engine="aurora-mysql",
                                               DBInstanceClass=instance_class)["DBInstance"]


def test_instances_are_refused_while_their_cluster_is_creating(snapshot, rds):
    _restore(rds)
    error = _error(_instance, rds=rds, identifier="too-early")
    assert error["Code"] == "InvalidDBClusterStateFault"
    assert _error(rds("us-east-1").describe_db_instances, DBInstanceIdentifier="too-early")["Code"] == "DBInstanceNotFound"


def _came_up(sandbox, instance):
    """Whether the journal shows the instance come up, once its provisioning (0.01 s) is past in the sandbox's clock: moving
    the clock applies what is due, however slow the machine."""
    sandbox.advance_clock(1)
    return any(e["kind"] == "event" and e["operation"] == "ResourceAvailable" and e["params"].get("DBInstanceIdentifier") == instance
               for e in sandbox.journal())


def test_the_first_instance_to_come_up_is_the_writer_not_the_first_created(sandbox, snapshot, rds):
    sandbox.configure(provision_seconds=0)
    _restore(rds)
    sandbox.configure(provision_seconds=0.01, hold_transition_of=["big-writer", "small-reader"])
    _instance(rds, "big-writer")
    _instance(rds, "small-reader", instance_class="db.r5.large")

    def writers():
        members = rds("us-east-1").describe_db_clusters(DBClusterIdentifier="restored")["DBClusters"][0]["DBClusterMembers"]
        return [m["DBInstanceIdentifier"] for m in members if m["IsClusterWriter"]]
    assert writers() == []
    sandbox.configure(hold_transition_of=["big-writer"])
    assert _came_up(sandbox, "small-reader") and not _came_up(sandbox, "big-writer")
    assert writers() == ["small-reader"]
    sandbox.configure(hold_transition_of=[])
    assert _came_up(sandbox, "big-writer")
    assert writers() == ["small-reader"]


def test_orderable_options_say_which_classes_support_global_databases(rds):
    options = rds("us-east-1").describe_orderable_db_instance_options(Engine="aurora-mysql", EngineVersion=V3)["OrderableDBInstanceOptions"]
    support = {option["DBInstanceClass"]: option["SupportsGlobalDatabases"] for option in options}
    assert support["db.r6g.large"] is True and support["db.t3.medium"] is False and support["db.t4g.medium"] is False
    eighty_four = rds("us-east-1").describe_orderable_db_instance_options(Engine="aurora-mysql", EngineVersion="8.4.mysql_aurora.8.4.7")
    assert "db.r6g.large" in {option["DBInstanceClass"] for option in eighty_four["OrderableDBInstanceOptions"]}
