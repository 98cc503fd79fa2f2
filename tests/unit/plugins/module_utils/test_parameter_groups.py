# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import apply_failure
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import group_refusal
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import groups_diff
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import instance_states
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import is_settling
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import member_changes
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import member_report
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import needs_reboot
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import predicted_reboots
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import predicted_state
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import reboot_order
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import shows_no_change
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import unknown_regions
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_PARAMETER_GROUP

CLUSTER = {
    "DBClusterIdentifier": "orders-euw1",
    "DBClusterMembers": [
        {"DBInstanceIdentifier": "orders-euw1-1", "IsClusterWriter": True, "DBClusterParameterGroupStatus": "pending-reboot"},
        {"DBInstanceIdentifier": "orders-euw1-2", "IsClusterWriter": False, "DBClusterParameterGroupStatus": "in-sync"},
    ],
}
INSTANCES = [
    {"DBInstanceIdentifier": "orders-euw1-1", "DBInstanceStatus": "available",
     "DBParameterGroups": [{"DBParameterGroupName": "default.aurora-postgresql15", "ParameterApplyStatus": "in-sync"}]},
    {"DBInstanceIdentifier": "orders-euw1-2", "DBInstanceStatus": "modifying",
     "DBParameterGroups": [{"DBParameterGroupName": "orders-pg15", "ParameterApplyStatus": "applying"}]},
]


def _states():
    return instance_states(CLUSTER, INSTANCES)


def test_instance_states_put_readers_before_the_writer():
    states = _states()
    assert [s["db_instance_identifier"] for s in states] == ["orders-euw1-2", "orders-euw1-1"]
    assert states[1] == {
        "db_instance_identifier": "orders-euw1-1", "is_writer": True, "status": "available",
        "db_parameter_group": "default.aurora-postgresql15", "parameter_apply_status": "in-sync", "cluster_parameter_group_status": "pending-reboot",
    }


def test_reboot_and_settling_come_from_either_group_status():
    reader, writer = _states()
    assert needs_reboot(writer) and not needs_reboot(reader)
    assert is_settling(reader) and not is_settling(writer)
    assert is_settling(dict(writer, status="available", parameter_apply_status="applying"))
    assert is_settling(dict(writer, status="available", cluster_parameter_group_status="pending-database-upgrade"))


def _instance(status="available", applied="in-sync", cluster="in-sync"):
    return {"db_instance_identifier": "orders-euw1-1", "status": status, "parameter_apply_status": applied, "cluster_parameter_group_status": cluster}


def test_a_group_aws_cannot_apply_is_a_failure_not_a_wait():
    assert apply_failure(_instance()) is None and apply_failure(_instance(applied="pending-reboot")) is None
    assert apply_failure(_instance(applied="failed-to-apply")) == "the DB parameter group of DB instance orders-euw1-1 is 'failed-to-apply'"
    assert "DB cluster parameter group" in apply_failure(_instance(cluster="failed-to-apply"))
    assert "'incompatible-parameters'" in apply_failure(_instance(status="incompatible-parameters"))
    assert not is_settling(_instance(applied="failed-to-apply"))


def test_only_in_sync_on_both_groups_shows_no_change():
    assert shows_no_change(_instance()) and shows_no_change(_instance(applied=None, cluster=None))
    assert not shows_no_change(_instance(cluster="pending-reboot")) and not shows_no_change(_instance(applied="applying"))


def test_unknown_regions_name_option_region_and_where_members_are():
    refusals = unknown_regions({"db_parameter_groups": {"us-west-2": "g", "eu-west-1": "g"}, "db_cluster_parameter_groups": {}},
                               ["eu-west-1", "us-east-1"])
    assert refusals == ["db_parameter_groups names region us-west-2, where the global database has no member (members are in eu-west-1, us-east-1)."]


def test_group_refusal():
    assert group_refusal(DB_PARAMETER_GROUP, "g", "eu-west-1", "aurora-postgresql15", "aurora-postgresql15", "15.4") is None
    assert "g does not exist in eu-west-1" in group_refusal(DB_PARAMETER_GROUP, "g", "eu-west-1", None, "aurora-postgresql15", "15.4")
    assert "has family aurora-postgresql14, not aurora-postgresql15" in group_refusal(
        DB_PARAMETER_GROUP, "g", "eu-west-1", "aurora-postgresql14", "aurora-postgresql15", "15.4")


def test_changes_and_predictions():
    state = {"status": "available", "db_cluster_parameter_group": "default.aurora-postgresql15", "instances": _states()}
    changes = member_changes(state, "orders-pg15-cluster", "orders-pg15")
    assert changes == {"db_cluster_parameter_group": "orders-pg15-cluster", "instances": ["orders-euw1-1"]}
    assert member_changes(state, "default.aurora-postgresql15", None) == {"db_cluster_parameter_group": None, "instances": []}
    # AWS stores group names in lower case: the same name in other letters changes nothing.
    assert member_changes(state, "Default.Aurora-PostgreSQL15", "ORDERS-PG15")["db_cluster_parameter_group"] is None
    assert member_changes(state, None, "ORDERS-PG15")["instances"] == ["orders-euw1-1"]
    # A new cluster group waits for a reboot on every instance.
    assert predicted_reboots(state["instances"], changes) == ["orders-euw1-2", "orders-euw1-1"]
    assert predicted_reboots(state["instances"], {"db_cluster_parameter_group": None, "instances": []}) == ["orders-euw1-1"]
    after = predicted_state(state, None, "orders-pg15")
    assert after["db_cluster_parameter_group"] == "default.aurora-postgresql15"
    assert {i["db_parameter_group"] for i in after["instances"]} == {"orders-pg15"}


def test_reboot_order_follows_members_then_readers_before_writer():
    primary = [{"db_instance_identifier": "p-2"}, {"db_instance_identifier": "p-1"}]
    secondary = [{"db_instance_identifier": "s-3"}, {"db_instance_identifier": "s-2"}, {"db_instance_identifier": "s-1"}]
    assert reboot_order([(secondary, ["s-1", "s-3"]), (primary, ["p-1", "p-2"])]) == ["s-3", "s-1", "p-2", "p-1"]


def test_member_report_and_diff():
    member = {"db_cluster_identifier": "orders-euw1", "region": "eu-west-1", "role": "secondary"}
    before = {"status": "available", "db_cluster_parameter_group": "default.aurora-postgresql15", "instances": _states()}
    after = predicted_state(before, "orders-pg15-cluster", "orders-pg15")
    report = member_report(member, before, after, rebooted=["orders-euw1-2"], pending_reboot=["orders-euw1-1"])
    assert report["db_cluster_parameter_group_before"] == "default.aurora-postgresql15"
    assert report["db_cluster_parameter_group"] == "orders-pg15-cluster"
    assert [(i["db_instance_identifier"], i["db_parameter_group_before"], i["db_parameter_group"], i["rebooted"], i["pending_reboot"])
            for i in report["instances"]] == [
        ("orders-euw1-2", "orders-pg15", "orders-pg15", True, False),
        ("orders-euw1-1", "default.aurora-postgresql15", "orders-pg15", False, True),
    ]
    diff = groups_diff([report])
    assert diff["before"]["orders-euw1"]["db_parameter_groups"]["orders-euw1-1"] == "default.aurora-postgresql15"
    assert diff["after"]["orders-euw1"] == {"db_cluster_parameter_group": "orders-pg15-cluster",
                                            "db_parameter_groups": {"orders-euw1-2": "orders-pg15", "orders-euw1-1": "orders-pg15"}}
