# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""rebuild_secondaries: a secondary's shape from AWS's answers, the requests of its new secondary, the names (pure)."""

import copy

from ansible_collections.aurora.global_db.plugins.module_utils.rebuild_secondaries import identifier_refusals
from ansible_collections.aurora.global_db.plugins.module_utils.rebuild_secondaries import STEPS
from ansible_collections.aurora.global_db.plugins.module_utils.rebuild_secondaries import new_secondary
from ansible_collections.aurora.global_db.plugins.module_utils.rebuild_secondaries import planned_calls
from ansible_collections.aurora.global_db.plugins.module_utils.rebuild_secondaries import record_secondary_shapes
from ansible_collections.aurora.global_db.plugins.module_utils.rebuild_secondaries import secondary_shape
from ansible_collections.aurora.global_db.plugins.module_utils.rebuild_secondaries import version_suffix

OLD = "8.0.mysql_aurora.3.04.0"
NEW = "8.0.mysql_aurora.3.05.2"
KEY = "arn:aws:kms:us-west-2:123456789012:key/1111-2222"


def _cluster(**overrides):
    cluster = {
        "DBClusterIdentifier": "orders-usw2",
        "DBClusterArn": "arn:aws:rds:us-west-2:123456789012:cluster:orders-usw2",
        "Engine": "aurora-mysql",
        "EngineVersion": OLD,
        "DBSubnetGroup": "orders-subnets",
        "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-1", "Status": "active"}, {"VpcSecurityGroupId": "sg-2", "Status": "active"}],
        "DBClusterParameterGroup": "orders-cluster-params",
        "StorageEncrypted": True,
        "KmsKeyId": KEY,
        "Port": 3307,
        "BackupRetentionPeriod": 7,
        "PreferredBackupWindow": "03:00-04:00",
        "PreferredMaintenanceWindow": "sun:05:00-sun:06:00",
        "StorageType": "aurora-iopt1",
        "GlobalWriteForwardingRequested": True,
        "DeletionProtection": True,
        "CopyTagsToSnapshot": True,
        "MasterUsername": "admin",
        "TagList": [{"Key": "team", "Value": "orders"}, {"Key": "aws:cloudformation:stack-name", "Value": "x"}],
        "DBClusterMembers": [
            {"DBInstanceIdentifier": "orders-usw2-b", "IsClusterWriter": False, "PromotionTier": 2},
            {"DBInstanceIdentifier": "orders-usw2-a", "IsClusterWriter": True, "PromotionTier": 1},
            {"DBInstanceIdentifier": "orders-usw2-c", "IsClusterWriter": False, "PromotionTier": 0},
        ],
    }
    cluster.update(overrides)
    return cluster


def _instance(identifier, instance_class="db.r6g.large", tier=None, **overrides):
    instance = {
        "DBInstanceIdentifier": identifier, "DBInstanceClass": instance_class, "Engine": "aurora-mysql",
        "DBParameterGroups": [{"DBParameterGroupName": "orders-params", "ParameterApplyStatus": "in-sync"}],
        "AvailabilityZone": "us-west-2a", "PubliclyAccessible": False, "TagList": [{"Key": "team", "Value": "orders"}],
    }
    if tier is not None:
        instance["PromotionTier"] = tier
    instance.update(overrides)
    return instance


def _shape(**overrides):
    instances = [_instance("orders-usw2-b", tier=2), _instance("orders-usw2-a", "db.r6g.xlarge", tier=1), _instance("orders-usw2-c", tier=0),
                 _instance("someone-elses")]
    return secondary_shape("us-west-2", _cluster(**overrides), instances)


def test_the_shape_records_what_the_new_secondary_needs():
    shape = _shape()
    instances = shape.pop("instances")
    assert shape == {
        "region": "us-west-2", "db_cluster_identifier": "orders-usw2", "db_cluster_arn": "arn:aws:rds:us-west-2:123456789012:cluster:orders-usw2",
        "engine": "aurora-mysql", "engine_version": OLD, "db_subnet_group": "orders-subnets", "vpc_security_group_ids": ["sg-1", "sg-2"],
        "db_cluster_parameter_group": "orders-cluster-params", "storage_encrypted": True, "kms_key_id": KEY, "port": 3307,
        "backup_retention_period": 7, "preferred_backup_window": "03:00-04:00", "preferred_maintenance_window": "sun:05:00-sun:06:00",
        "storage_type": "aurora-iopt1", "global_write_forwarding": True, "deletion_protection": True, "copy_tags_to_snapshot": True,
        "tags": [{"Key": "team", "Value": "orders"}],
    }
    # The writer first, then by promotion tier; an instance that is not a member is left out.
    assert [(i["db_instance_identifier"], i["is_writer"], i["promotion_tier"]) for i in instances] == [
        ("orders-usw2-a", True, 1), ("orders-usw2-c", False, 0), ("orders-usw2-b", False, 2)]
    assert instances[0] == {
        "db_instance_identifier": "orders-usw2-a", "db_instance_class": "db.r6g.xlarge", "promotion_tier": 1, "is_writer": True,
        "db_parameter_group": "orders-params", "availability_zone": "us-west-2a", "publicly_accessible": False,
        "tags": [{"Key": "team", "Value": "orders"}],
    }


def test_the_promotion_tier_falls_back_on_the_cluster_members_entry():
    shape = secondary_shape("us-west-2", _cluster(), [_instance("orders-usw2-a")])
    assert shape["instances"][0]["promotion_tier"] == 1


def test_a_headless_or_minimal_secondary_has_a_shape():
    cluster = {"DBClusterIdentifier": "bare", "Engine": "aurora-mysql", "DBClusterMembers": []}
    shape = secondary_shape("eu-west-1", cluster, [])
    assert (shape["instances"], shape["vpc_security_group_ids"], shape["tags"], shape["storage_encrypted"]) == ([], [], [], False)


def test_the_new_secondary_keeps_the_original_names_and_the_removed_one_is_renamed():
    secondary = new_secondary(_shape(), "orders-global", NEW, "us-east-1", True, "-detached")
    assert (secondary.region, secondary.old_identifier, secondary.detached_identifier, secondary.identifier) == (
        "us-west-2", "orders-usw2", "orders-usw2-detached", "orders-usw2")
    assert secondary.detached_instances == {
        "orders-usw2-a": "orders-usw2-a-detached", "orders-usw2-c": "orders-usw2-c-detached", "orders-usw2-b": "orders-usw2-b-detached"}
    assert [r["DBInstanceIdentifier"] for r in secondary.instance_requests] == ["orders-usw2-a", "orders-usw2-c", "orders-usw2-b"]


def test_without_keeping_identifiers_the_new_names_carry_the_target():
    secondary = new_secondary(_shape(), "orders-global", NEW, "us-east-1", False, "-detached")
    assert (secondary.detached_identifier, secondary.identifier) == ("orders-usw2", "orders-usw2-3-05-2")
    assert set(secondary.detached_instances.items()) == {(name, name) for name in ("orders-usw2-a", "orders-usw2-b", "orders-usw2-c")}
    assert secondary.instance_requests[0]["DBInstanceIdentifier"] == "orders-usw2-a-3-05-2"
    assert version_suffix("8.4.7") == "-8-4-7"


def test_the_cluster_request_is_the_shape_at_the_primarys_exact_version_without_a_master_user():
    request = new_secondary(_shape(), "orders-global", NEW, "us-east-1", True, "-detached", tags=[{"Key": "made-by", "Value": "run"}]).cluster_request
    assert request == {
        "DBClusterIdentifier": "orders-usw2", "GlobalClusterIdentifier": "orders-global", "Engine": "aurora-mysql", "EngineVersion": NEW,
        "DBSubnetGroupName": "orders-subnets", "VpcSecurityGroupIds": ["sg-1", "sg-2"], "DBClusterParameterGroupName": "orders-cluster-params",
        "Port": 3307, "BackupRetentionPeriod": 7, "PreferredBackupWindow": "03:00-04:00", "PreferredMaintenanceWindow": "sun:05:00-sun:06:00",
        "StorageType": "aurora-iopt1", "EnableGlobalWriteForwarding": True, "DeletionProtection": True, "CopyTagsToSnapshot": True,
        "Tags": [{"Key": "team", "Value": "orders"}, {"Key": "made-by", "Value": "run"}],
        "StorageEncrypted": True, "KmsKeyId": KEY, "SourceRegion": "us-east-1",
    }
    assert not {"MasterUsername", "MasterUserPassword", "DatabaseName"} & set(request)


def test_an_unencrypted_secondary_sends_no_key_and_no_source_region():
    request = new_secondary(_shape(StorageEncrypted=False, KmsKeyId=None, GlobalWriteForwardingRequested=False, StorageType=None),
                            "orders-global", NEW, "us-east-1", True, "-detached").cluster_request
    assert not {"StorageEncrypted", "KmsKeyId", "SourceRegion", "EnableGlobalWriteForwarding", "StorageType"} & set(request)


def test_instance_requests_are_in_creation_order_with_their_shape():
    requests = new_secondary(_shape(), "orders-global", NEW, "us-east-1", True, "-detached", tags=[{"Key": "made-by", "Value": "run"}]).instance_requests
    assert requests[0] == {
        "DBInstanceIdentifier": "orders-usw2-a", "DBClusterIdentifier": "orders-usw2", "Engine": "aurora-mysql", "DBInstanceClass": "db.r6g.xlarge",
        "PromotionTier": 1, "DBParameterGroupName": "orders-params", "AvailabilityZone": "us-west-2a", "PubliclyAccessible": False,
        "Tags": [{"Key": "team", "Value": "orders"}, {"Key": "made-by", "Value": "run"}],
    }
    assert [r["PromotionTier"] for r in requests] == [1, 0, 2]


def test_building_requests_leaves_the_shape_as_it_was():
    shape = _shape()
    untouched = copy.deepcopy(shape)
    new_secondary(shape, "orders-global", NEW, "us-east-1", True, "-detached", tags=[{"Key": "k", "Value": "v"}])
    assert shape == untouched


def test_names_aws_would_refuse_are_refused_before_any_change():
    long_name = "a" * 60
    shape = secondary_shape("us-west-2", _cluster(DBClusterIdentifier=long_name, DBClusterMembers=[]), [])
    refusals = identifier_refusals([new_secondary(shape, "orders-global", NEW, "us-east-1", True, "-detached")])
    assert len(refusals) == 1 and refusals[0].startswith("DB cluster identifier %s-detached is not one AWS accepts" % long_name)
    assert identifier_refusals([new_secondary(_shape(), "orders-global", NEW, "us-east-1", True, "-detached")]) == []


class _Clients:
    """Answers DescribeDBClusters and DescribeDBInstances per region; records the regions asked."""

    def __init__(self, clusters, instances):
        self.asked = []
        self._clusters = clusters
        self._instances = instances

    def rds(self, region):
        clients = self

        class Regional:
            def describe_db_clusters(self, DBClusterIdentifier, aws_retry=False):
                clients.asked.append((region, "clusters", DBClusterIdentifier))
                return {"DBClusters": [clients._clusters[(region, DBClusterIdentifier)]]}

            def describe_db_instances(self, Filters, aws_retry=False):
                clients.asked.append((region, "instances", Filters))
                return {"DBInstances": clients._instances[region]}

        return Regional()


def test_every_secondary_is_read_in_its_own_region(facts, member):
    state = facts(engine="aurora-mysql", version=OLD, members=[
        member("orders-use1", "us-east-1", is_writer=True, version=OLD),
        member("orders-usw2", "us-west-2", version=OLD),
        member("orders-euw1", "eu-west-1", version=OLD),
    ])
    clients = _Clients(
        {("us-west-2", "orders-usw2"): _cluster(), ("eu-west-1", "orders-euw1"): _cluster(DBClusterIdentifier="orders-euw1", DBClusterMembers=[])},
        {"us-west-2": [_instance("orders-usw2-a", tier=1)], "eu-west-1": []},
    )
    shapes = record_secondary_shapes(clients, state)
    assert [(s["region"], s["db_cluster_identifier"]) for s in shapes] == [("eu-west-1", "orders-euw1"), ("us-west-2", "orders-usw2")]
    assert not any(region == "us-east-1" for region, _kind, _params in clients.asked)
    assert [i["db_instance_identifier"] for i in shapes[1]["instances"]] == ["orders-usw2-a"]


PRIMARY = {"db_cluster_identifier": "orders-use1", "region": "us-east-1", "db_cluster_arn": "arn:aws:rds:us-east-1:123456789012:cluster:orders-use1"}


def _two_secondaries(keep_identifiers):
    euw1 = secondary_shape("eu-west-1", _cluster(
        DBClusterIdentifier="orders-euw1", DBClusterArn="arn:aws:rds:eu-west-1:123456789012:cluster:orders-euw1",
        DBClusterMembers=[{"DBInstanceIdentifier": "orders-euw1-a", "IsClusterWriter": True}]), [_instance("orders-euw1-a")])
    return [new_secondary(shape, "orders-global", NEW, "us-east-1", keep_identifiers, "-detached") for shape in (euw1, _shape())]


def test_the_planned_calls_follow_the_guides_procedure_step_by_step():
    calls = planned_calls(_two_secondaries(True), "orders-global", PRIMARY, NEW)
    steps = [call["step"] for call in calls]
    assert steps == sorted(steps, key=STEPS.index), "a step's calls all come before the next step's"
    assert [(c["operation"], c["region"]) for c in calls if c["step"] == "remove"] == [
        ("RemoveFromGlobalCluster", "eu-west-1"), ("RemoveFromGlobalCluster", "us-west-2")]
    assert calls[0]["params"] == {"GlobalClusterIdentifier": "orders-global", "DbClusterIdentifier": "arn:aws:rds:eu-west-1:123456789012:cluster:orders-euw1"}
    renames = [(c["operation"], c["params"].get("NewDBClusterIdentifier") or c["params"]["NewDBInstanceIdentifier"]) for c in calls if c["step"] == "rename"]
    assert renames == [("ModifyDBCluster", "orders-euw1-detached"), ("ModifyDBInstance", "orders-euw1-a-detached"),
                       ("ModifyDBCluster", "orders-usw2-detached"), ("ModifyDBInstance", "orders-usw2-a-detached"),
                       ("ModifyDBInstance", "orders-usw2-c-detached"), ("ModifyDBInstance", "orders-usw2-b-detached")]
    upgrade = [c for c in calls if c["step"] == "upgrade_primary"]
    assert upgrade == [{"step": "upgrade_primary", "operation": "ModifyDBCluster", "region": "us-east-1",
                        "params": {"DBClusterIdentifier": "orders-use1", "EngineVersion": NEW, "ApplyImmediately": True}}]
    creates = [(c["operation"], c["region"], c["params"].get("DBInstanceIdentifier") or c["params"]["DBClusterIdentifier"])
               for c in calls if c["step"].startswith("create")]
    assert creates == [("CreateDBCluster", "eu-west-1", "orders-euw1"), ("CreateDBCluster", "us-west-2", "orders-usw2"),
                       ("CreateDBInstance", "eu-west-1", "orders-euw1-a"), ("CreateDBInstance", "us-west-2", "orders-usw2-a"),
                       ("CreateDBInstance", "us-west-2", "orders-usw2-c"), ("CreateDBInstance", "us-west-2", "orders-usw2-b")]


def test_without_keeping_identifiers_nothing_is_renamed():
    calls = planned_calls(_two_secondaries(False), "orders-global", PRIMARY, NEW)
    assert [c for c in calls if c["step"] == "rename"] == []
    assert [c["params"]["DBClusterIdentifier"] for c in calls if c["operation"] == "CreateDBCluster"] == ["orders-euw1-3-05-2", "orders-usw2-3-05-2"]
