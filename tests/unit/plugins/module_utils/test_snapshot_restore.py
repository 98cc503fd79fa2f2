# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_restore import RestoreRequest
from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_restore import SnapshotRestore
from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_restore import build_layout
from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_restore import has_restore_tag
from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_restore import identifier_refusals
from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_restore import instance_class_refusals
from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_restore import method_refusal
from ansible_collections.aurora.global_db.plugins.module_utils._tags import RESTORE_TAG
from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_restore import sdk_refusal
from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_restore import settings_after_restore
from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_restore import table_name_case_refusal

from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import FakeWorld
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import VirtualClock
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import client_error

TARGET = "8.0.mysql_aurora.3.04.0"
TAG = {"Key": RESTORE_TAG, "Value": "orders-global/orders-v3"}


def _request(**overrides):
    request = dict(
        global_cluster_identifier="orders-global", new_global_cluster_identifier="Orders-V3", engine_version=TARGET, new_cluster_suffix="-v3",
        db_cluster_snapshot_identifier=None, db_cluster_parameter_groups=None, db_parameter_groups=None, writes_stopped=True,
        wait_timeout=60, poll_interval=1,
    )
    request.update(overrides)
    return RestoreRequest(**request)


def _old(identifier, region, role, instances, **cluster):
    return {
        "member": {"db_cluster_identifier": identifier, "region": region, "role": role},
        "cluster": dict({"Engine": "aurora-mysql", "DBSubnetGroup": "db-" + region, "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-" + region}],
                         "Port": 3306, "DeletionProtection": True, "StorageEncrypted": False}, **cluster),
        "instances": [{"DBInstanceIdentifier": name, "DBInstanceClass": klass, "Engine": "aurora-mysql"} for name, klass in instances],
    }


OLD_MEMBERS = [
    _old("orders-euw1", "eu-west-1", "secondary", [("orders-euw1-1", "db.r6g.large")], StorageEncrypted=True, KmsKeyId="arn:key-euw1"),
    _old("orders-use1", "us-east-1", "primary", [("orders-use1-2", "db.r6g.xlarge"), ("orders-use1-1", "db.r6g.large")],
         StorageEncrypted=True, KmsKeyId="arn:key-use1", BackupRetentionPeriod=7, IAMDatabaseAuthenticationEnabled=True,
         EnabledCloudwatchLogsExports=["audit"], CopyTagsToSnapshot=False),
    _old("orders-apse2", "ap-southeast-2", "secondary", []),
]


@pytest.mark.parametrize("engine, current, target", [
    ("aurora-mysql", "5.7.mysql_aurora.2.11.2", "5.7.mysql_aurora.2.12.0"),
    ("aurora-mysql", "8.0.mysql_aurora.3.04.0", "8.0.mysql_aurora.3.05.2"),
    ("aurora-mysql", "8.0.mysql_aurora.3.04.0", "8.4.7"),
    ("aurora-postgresql", "14.6", "15.4"),
])
def test_method_refusal_names_the_in_place_method_for_anything_but_mysql_2_to_3(engine, current, target):
    refusal = method_refusal(engine, current, target)
    assert "Aurora MySQL version 2 -> 3 only" in refusal and "aurora_global_upgrade_method: in_place" in refusal


def test_method_refusal_accepts_mysql_2_to_3_and_words_a_bad_version():
    assert method_refusal("aurora-mysql", "5.7.mysql_aurora.2.11.2", TARGET) is None
    assert method_refusal("aurora-mysql", "5.7.mysql_aurora.2.11.2", "3.04.0").startswith("engine_version: ")


def test_layout_is_in_creation_order_with_names_from_the_old_ones():
    layout = build_layout(_request(), OLD_MEMBERS, snapshot_exists_for_user=False)
    assert [(r.kind, r.identifier, r.region) for r in layout] == [
        ("db_cluster_snapshot", "orders-use1-before-orders-v3", "us-east-1"),
        ("db_cluster", "orders-use1-v3", "us-east-1"),
        ("db_instance", "orders-use1-2-v3", "us-east-1"),
        ("db_instance", "orders-use1-1-v3", "us-east-1"),
        ("global_cluster", "orders-v3", "us-east-1"),
        ("db_cluster", "orders-apse2-v3", "ap-southeast-2"),
        ("db_cluster", "orders-euw1-v3", "eu-west-1"),
        ("db_instance", "orders-euw1-1-v3", "eu-west-1"),
    ]
    assert all(r.params["Tags"] == [TAG] for r in layout)


def test_layout_keeps_each_members_settings_and_its_regions_key():
    layout = {r.identifier: r for r in build_layout(
        _request(db_cluster_parameter_groups={"eu-west-1": "mysql80"}, db_parameter_groups={"us-east-1": "mysql80-instances"}),
        OLD_MEMBERS, snapshot_exists_for_user=False)}
    primary = layout["orders-use1-v3"].params
    assert primary["SnapshotIdentifier"] == "orders-use1-before-orders-v3"
    assert (primary["KmsKeyId"], primary["DBSubnetGroupName"], primary["VpcSecurityGroupIds"]) == ("arn:key-use1", "db-us-east-1", ["sg-us-east-1"])
    assert "StorageEncrypted" not in primary and "DBClusterParameterGroupName" not in primary
    # RestoreDBClusterFromSnapshot takes the backup settings only from botocore 1.42.46: they follow through ModifyDBCluster.
    assert "BackupRetentionPeriod" not in primary and "PreferredBackupWindow" not in primary
    assert (primary["EnableIAMDatabaseAuthentication"], primary["EnableCloudwatchLogsExports"]) == (True, ["audit"])
    assert primary["CopyTagsToSnapshot"] is False
    secondary = layout["orders-euw1-v3"].params
    assert (secondary["StorageEncrypted"], secondary["KmsKeyId"], secondary["DBClusterParameterGroupName"]) == (True, "arn:key-euw1", "mysql80")
    assert (secondary["GlobalClusterIdentifier"], secondary["EngineVersion"], secondary["DeletionProtection"]) == ("Orders-V3", TARGET, True)
    assert "StorageEncrypted" not in layout["orders-apse2-v3"].params and "KmsKeyId" not in layout["orders-apse2-v3"].params
    assert layout["orders-use1-2-v3"].params["DBParameterGroupName"] == "mysql80-instances"
    assert "DBParameterGroupName" not in layout["orders-euw1-1-v3"].params
    assert layout["orders-use1-2-v3"].params["DBInstanceClass"] == "db.r6g.xlarge"


def test_the_new_global_cluster_keeps_the_old_ones_deletion_protection():
    for protected in (True, False):
        global_cluster = build_layout(_request(), OLD_MEMBERS, snapshot_exists_for_user=False, deletion_protection=protected)[4]
        assert (global_cluster.kind, global_cluster.params["DeletionProtection"]) == ("global_cluster", protected)


def test_a_snapshot_named_by_the_user_is_neither_renamed_nor_tagged():
    snapshot = build_layout(_request(db_cluster_snapshot_identifier="before-upgrade"), OLD_MEMBERS, snapshot_exists_for_user=True)[0]
    assert (snapshot.identifier, snapshot.params) == ("before-upgrade", {"DBClusterSnapshotIdentifier": "before-upgrade", "DBClusterIdentifier": "orders-use1"})


def test_the_default_snapshot_name_fits_aws_limit_and_stays_the_same():
    request = _request(new_global_cluster_identifier="Orders-Global-V3-" + "x" * 30)
    names = {build_layout(request, OLD_MEMBERS, snapshot_exists_for_user=False)[0].identifier for _attempt in range(2)}
    assert len(names) == 1
    name = names.pop()
    assert len(name) <= 63 and name == "orders-u-before-orders-global-v3-" + "x" * 30 and not identifier_refusals(
        build_layout(request, OLD_MEMBERS, snapshot_exists_for_user=False))


def test_names_aws_would_refuse_are_refused_before_any_change():
    layout = build_layout(_request(new_cluster_suffix="--" + "v" * 60), OLD_MEMBERS, snapshot_exists_for_user=False)
    refused = identifier_refusals(layout)
    assert len(refused) == 6 and all("shorten new_cluster_suffix" in refusal for refusal in refused)
    assert "orders-use1--v" in refused[0]


@pytest.mark.parametrize("tags, ours", [
    ([TAG], True),
    # The key earlier versions wrote: a restore they began resumes.
    ([{"Key": "aurora-global-db-snapshot-restore", "Value": "orders-global/orders-v3"}], True),
    ([{"Key": RESTORE_TAG, "Value": "orders-global/another"}], False),
    ([{"Key": "team", "Value": "orders"}], False),
    (None, False),
])
def test_only_resources_tagged_for_this_restore_are_ours(tags, ours):
    assert has_restore_tag({"TagList": tags}, _request()) is ours


class _Clients(FakeWorld):
    """One region whose RDS restores as if the first answer was lost: the cluster exists, with ``existing_tags``."""

    def __init__(self, existing_tags):
        super().__init__()
        self._existing_tags = existing_tags

    def restore_db_cluster_from_snapshot(self, region, params):
        raise client_error("DBClusterAlreadyExistsFault", "DB Cluster already exists", "RestoreDBClusterFromSnapshot")

    def cluster(self, identifier):
        return {"DBClusterIdentifier": identifier, "TagList": self._existing_tags}


def _restore_primary(clients):
    restore = SnapshotRestore(clients, _request(), check_mode=False, clock=VirtualClock(), sleep=VirtualClock().sleep)
    primary = build_layout(_request(), OLD_MEMBERS, snapshot_exists_for_user=False)[1]
    restore._ensure(primary, restore_from_snapshot=True)  # pylint: disable=protected-access
    return restore


def test_a_create_answered_already_exists_counts_when_the_resource_is_ours():
    clients = _Clients([TAG])
    assert _restore_primary(clients).resources == [{"kind": "db_cluster", "identifier": "orders-use1-v3", "region": "us-east-1", "action": "created"}]
    assert [operation for operation, _region, _params in clients.calls] == ["restore_db_cluster_from_snapshot", "describe_db_clusters"]


def test_a_create_answered_already_exists_fails_when_the_resource_is_someone_elses():
    with pytest.raises(Exception, match="Creating DB cluster orders-use1-v3 in us-east-1"):
        _restore_primary(_Clients([]))


def test_the_new_global_cluster_identifier_must_follow_aws_rule():
    refused = identifier_refusals(build_layout(_request(new_global_cluster_identifier="orders.v3"), OLD_MEMBERS, snapshot_exists_for_user=False))
    assert refused == ["global cluster identifier orders.v3 is not one AWS accepts: 1 to 63 letters, digits or hyphens, the first a letter, "
                       "no hyphen at the end or two in a row (choose another new_global_cluster_identifier)."]


def test_instances_keep_promotion_tier_public_access_and_minor_upgrades_writer_first():
    old = _old("orders-use1", "us-east-1", "primary", [("orders-use1-2", "db.r6g.xlarge"), ("orders-use1-1", "db.t3.medium")])
    old["instances"][0].update(PromotionTier=0, PubliclyAccessible=True, AutoMinorVersionUpgrade=False)
    old["instances"][1].update(PromotionTier=15, PubliclyAccessible=False)
    instances = [r for r in build_layout(_request(), [old], snapshot_exists_for_user=False) if r.kind == "db_instance"]
    assert [(r.identifier, r.params.get("PromotionTier"), r.params.get("PubliclyAccessible"), r.params.get("AutoMinorVersionUpgrade"))
            for r in instances] == [("orders-use1-2-v3", 0, True, False), ("orders-use1-1-v3", 15, False, None)]


def test_a_secondary_keeps_the_write_forwarding_its_operator_asked_for():
    members = [OLD_MEMBERS[1], _old("orders-euw1", "eu-west-1", "secondary", [], GlobalWriteForwardingRequested=True),
               _old("orders-apse2", "ap-southeast-2", "secondary", [], GlobalWriteForwardingRequested=False)]
    layout = {r.identifier: r.params for r in build_layout(_request(), members, snapshot_exists_for_user=False)}
    assert layout["orders-euw1-v3"]["EnableGlobalWriteForwarding"] is True
    assert "EnableGlobalWriteForwarding" not in layout["orders-apse2-v3"] and "EnableGlobalWriteForwarding" not in layout["orders-use1-v3"]


@pytest.mark.parametrize("old, restored, changes", [
    ({"BackupRetentionPeriod": 7, "PreferredBackupWindow": "03:00-03:30"}, {"BackupRetentionPeriod": 1, "PreferredBackupWindow": "01:00-01:30"},
     {"BackupRetentionPeriod": 7, "PreferredBackupWindow": "03:00-03:30"}),
    ({"BackupRetentionPeriod": 7, "MasterUserSecret": {"SecretArn": "arn:secret"}}, {"BackupRetentionPeriod": 7},
     {"ManageMasterUserPassword": True}),
    # A re-run after the change sends nothing.
    ({"BackupRetentionPeriod": 7, "MasterUserSecret": {"SecretArn": "arn:old"}},
     {"BackupRetentionPeriod": 7, "MasterUserSecret": {"SecretArn": "arn:new"}}, {}),
])
def test_what_a_restore_does_not_take_follows_through_modify_db_cluster_once(old, restored, changes):
    assert settings_after_restore(old, restored) == changes


def test_an_instance_class_must_be_offered_and_support_global_databases():
    offered = {"DBInstanceClass": "db.r6g.large", "SupportsGlobalDatabases": True}
    assert instance_class_refusals(offered, "aurora-mysql", TARGET, "us-east-1", "db.r6g.large") == []
    not_global = instance_class_refusals({"DBInstanceClass": "db.t3.medium"}, "aurora-mysql", TARGET, "us-east-1", "db.t3.medium")
    assert len(not_global) == 1 and "SupportsGlobalDatabases" in not_global[0] and "db.t3.medium" in not_global[0]
    assert "is not offered" in instance_class_refusals(None, "aurora-mysql", TARGET, "us-east-1", "db.r4.large")[0]


def test_the_table_name_case_refusal_names_the_value_and_what_to_do():
    refusal = table_name_case_refusal("us-west-2", None, "1", "0")
    assert "lower_case_table_names is 1" in refusal and "would be 0" in refusal and "the default group" in refusal
    assert "lower_case_table_names=1 for us-west-2 in db_cluster_parameter_groups" in refusal


@pytest.mark.parametrize("version, refused", [("1.34.0", True), ("1.35.19", True), ("1.35.20", False), ("1.35.100", False), ("1.40.0", False), (None, False)])
def test_an_sdk_older_than_the_gate_is_refused_naming_both_versions(version, refused):
    refusal = sdk_refusal(version)
    assert (refusal is not None) is refused
    if refused:
        assert "needs botocore >= 1.35.20" in refusal and "has botocore %s" % version in refusal
