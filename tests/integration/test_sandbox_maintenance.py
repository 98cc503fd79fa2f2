# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The sandbox's snapshots, parameter groups and reboots, through boto3 (docs/sandbox.md, "What it emulates")."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

import major_extras as extras


@pytest.fixture
def rds(sandbox):
    sandbox.seed("postgresql-14")
    return sandbox.aws_client()


def _error(call, **params):
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def _instance(rds, identifier):
    instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    return instance["DBInstanceStatus"], instance["DBParameterGroups"][0]["DBParameterGroupName"], instance["DBParameterGroups"][0]["ParameterApplyStatus"]


def _member_statuses(rds, cluster):
    members = rds.describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]["DBClusterMembers"]
    return {member["DBInstanceIdentifier"]: member["DBClusterParameterGroupStatus"] for member in members}


def _events(sandbox, operation):
    return [entry for entry in sandbox.journal() if entry["kind"] == "event" and entry["operation"] == operation]


def test_a_cluster_snapshot_is_creating_then_available(sandbox, rds):
    sandbox.configure(snapshot_seconds=60)
    snapshot = rds.create_db_cluster_snapshot(DBClusterIdentifier="pg-primary-use1", DBClusterSnapshotIdentifier="Pg-Before-15")["DBClusterSnapshot"]
    assert (snapshot["DBClusterSnapshotIdentifier"], snapshot["Status"], snapshot["PercentProgress"]) == ("pg-before-15", "creating", 0)
    sandbox.advance_clock(60)
    snapshot = rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="pg-before-15")["DBClusterSnapshots"][0]
    assert (snapshot["Status"], snapshot["PercentProgress"]) == ("available", 100)
    assert [event["params"]["DBClusterSnapshotIdentifier"] for event in _events(sandbox, "SnapshotAvailable")] == ["pg-before-15"]


def test_a_held_snapshot_stays_creating_until_released(sandbox, rds):
    # Due at once: only the hold, here through the snapshot's DB cluster, keeps it creating.
    sandbox.configure(snapshot_seconds=0, hold_transition_of=["PG-Primary-USE1"])
    rds.create_db_cluster_snapshot(DBClusterIdentifier="pg-primary-use1", DBClusterSnapshotIdentifier="pg-before-15")
    assert rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="pg-before-15")["DBClusterSnapshots"][0]["Status"] == "creating"
    assert _events(sandbox, "SnapshotAvailable") == []
    sandbox.configure(hold_transition_of=[])
    assert rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="pg-before-15")["DBClusterSnapshots"][0]["Status"] == "available"
    assert [event["params"]["DBClusterSnapshotIdentifier"] for event in _events(sandbox, "SnapshotAvailable")] == ["pg-before-15"]


@pytest.mark.parametrize("identifier", ["1-starts-with-a-digit", "two--hyphens", "ends-with-a-hyphen-", "has.a.dot", "x" * 64])
def test_a_snapshot_identifier_aws_does_not_allow_is_refused(rds, identifier):
    code, message = _error(rds.create_db_cluster_snapshot, DBClusterIdentifier="pg-primary-use1", DBClusterSnapshotIdentifier=identifier)
    assert code == "InvalidParameterValue" and "must begin with a letter" in message


def test_no_snapshot_of_a_cluster_that_is_not_available(sandbox, rds):
    sandbox.set_state(db_cluster="pg-primary-use1", region="us-east-1", status="upgrading")
    code, _message = _error(rds.create_db_cluster_snapshot, DBClusterIdentifier="pg-primary-use1", DBClusterSnapshotIdentifier="pg-snap")
    assert code == "InvalidDBClusterStateFault"


def test_default_groups_exist_everywhere_and_unknown_groups_are_not_found(rds):
    groups = rds.describe_db_cluster_parameter_groups(DBClusterParameterGroupName="default.aurora-postgresql15")["DBClusterParameterGroups"]
    assert [(g["DBClusterParameterGroupName"], g["DBParameterGroupFamily"]) for g in groups] == [("default.aurora-postgresql15", "aurora-postgresql15")]
    groups = rds.describe_db_parameter_groups(DBParameterGroupName="default.aurora-postgresql16")["DBParameterGroups"]
    assert [g["DBParameterGroupFamily"] for g in groups] == ["aurora-postgresql16"]
    assert _error(rds.describe_db_parameter_groups, DBParameterGroupName="absent")[0] == "DBParameterGroupNotFound"
    assert _error(rds.describe_db_cluster_parameter_groups, DBClusterParameterGroupName="absent")[0] == "DBParameterGroupNotFound"


def test_instances_carry_the_default_group_of_their_family(sandbox, rds):
    assert _instance(rds, "pg-primary-use1-1") == ("available", "default.aurora-postgresql14", "in-sync")
    reader = extras.add_reader(sandbox, "pg-primary-use1", "us-east-1")
    assert _instance(rds, reader) == ("available", "default.aurora-postgresql14", "in-sync")


def test_a_group_of_another_family_is_refused(sandbox, rds):
    extras.create_groups(sandbox, ["us-east-1"])
    code, message = _error(rds.modify_db_instance, DBInstanceIdentifier="pg-primary-use1-1", DBParameterGroupName=extras.INSTANCE_GROUP)
    assert code == "InvalidParameterCombination"
    assert message == ("The Parameter Group pg15-instance-params with DBParameterGroupFamily aurora-postgresql15 cannot be used for this instance. "
                       "Please use a Parameter Group with DBParameterGroupFamily aurora-postgresql14")
    code, _message = _error(rds.modify_db_cluster, DBClusterIdentifier="pg-primary-use1", DBClusterParameterGroupName=extras.CLUSTER_GROUP)
    assert code == "InvalidParameterCombination"
    assert _error(rds.modify_db_instance, DBInstanceIdentifier="pg-primary-use1-1", DBParameterGroupName="absent")[0] == "DBParameterGroupNotFound"
    assert _instance(rds, "pg-primary-use1-1") == ("available", "default.aurora-postgresql14", "in-sync")


def test_new_groups_wait_for_a_reboot_which_applies_them(sandbox, rds):
    # Due at once: only the hold keeps the reader modifying, then rebooting, until released, however slow the machine.
    sandbox.configure(status_delay_seconds=0, reboot_seconds=0)
    extras.create_groups(sandbox, ["us-east-1"], family="aurora-postgresql14", cluster_group="pg14-cluster", instance_group="pg14-instance")
    reader = extras.add_reader(sandbox, "pg-primary-use1", "us-east-1")
    sandbox.configure(hold_transition_of=[reader])
    answer = rds.modify_db_instance(DBInstanceIdentifier=reader, DBParameterGroupName="pg14-instance")["DBInstance"]
    assert (answer["DBInstanceStatus"], answer["DBParameterGroups"][0]["ParameterApplyStatus"]) == ("modifying", "applying")
    assert _error(rds.reboot_db_instance, DBInstanceIdentifier=reader)[0] == "InvalidDBInstanceState"
    rds.modify_db_cluster(DBClusterIdentifier="pg-primary-use1", DBClusterParameterGroupName="pg14-cluster")
    # The held reader still reads in-sync (AWS's status lags behind the modify); the writer waits for its reboot.
    assert _member_statuses(rds, "pg-primary-use1") == {"pg-primary-use1-1": "pending-reboot", reader: "in-sync"}
    sandbox.configure(hold_transition_of=[])
    assert _member_statuses(rds, "pg-primary-use1") == {"pg-primary-use1-1": "pending-reboot", reader: "pending-reboot"}
    assert _instance(rds, reader) == ("available", "pg14-instance", "pending-reboot")
    sandbox.configure(hold_transition_of=[reader])
    assert rds.reboot_db_instance(DBInstanceIdentifier=reader)["DBInstance"]["DBInstanceStatus"] == "rebooting"
    assert _instance(rds, reader)[0] == "rebooting"
    sandbox.configure(hold_transition_of=[])
    assert _instance(rds, reader) == ("available", "pg14-instance", "in-sync")
    # The writer was not rebooted: its cluster group still waits.
    assert _member_statuses(rds, "pg-primary-use1") == {"pg-primary-use1-1": "pending-reboot", reader: "in-sync"}
    assert [event["params"]["DBInstanceIdentifier"] for event in _events(sandbox, "RebootCompleted")] == [reader]


def test_a_major_upgrade_puts_clusters_and_instances_on_the_new_default_groups(sandbox, rds):
    sandbox.configure(upgrade_seconds=0, status_delay_seconds=0)
    extras.create_groups(sandbox, ["us-east-1"], family="aurora-postgresql14", cluster_group="pg14-cluster", instance_group="pg14-instance")
    rds.modify_db_instance(DBInstanceIdentifier="pg-primary-use1-1", DBParameterGroupName="pg14-instance")
    rds.modify_global_cluster(GlobalClusterIdentifier="pg-global", EngineVersion="15.4", AllowMajorVersionUpgrade=True)
    found = extras.groups_in_sandbox(sandbox)
    assert len(found) == 3
    for cluster_group, instances in found.values():
        assert cluster_group == "default.aurora-postgresql15"
        assert set(instances.values()) == {("default.aurora-postgresql15", "in-sync")}
