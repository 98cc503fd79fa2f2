# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The prerequisites of a Blue/Green deployment of a global database, checked on plain readings."""

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils.blue_green_preflight import BLOCKER_CODE
from ansible_collections.aurora.global_db.plugins.module_utils.blue_green_preflight import CLUSTER_PARAMETER_GROUP
from ansible_collections.aurora.global_db.plugins.module_utils.blue_green_preflight import DB_PARAMETER_GROUP
from ansible_collections.aurora.global_db.plugins.module_utils.blue_green_preflight import blue_green_blockers

PG_MEMBERS = ("pg-primary-use1", "pg-secondary-euw1", "pg-secondary-apse2")
LOGICAL_ON = {member: {"rds.logical_replication": "1"} for member in PG_MEMBERS}
ALL_REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")


def _mysql(facts, version="8.0.mysql_aurora.3.04.0"):
    return facts(engine="aurora-mysql", version=version)


def test_a_ready_postgresql_global_database_has_no_blocker(facts):
    assert blue_green_blockers(facts(version="14.9"), LOGICAL_ON) == []


def test_every_blocker_has_the_plans_shape(facts):
    blockers = blue_green_blockers(facts(), {})
    assert blockers and all(set(b) == {"code", "message", "clusters", "in_flight"} for b in blockers)
    assert {b["code"] for b in blockers} == {BLOCKER_CODE} and not any(b["in_flight"] for b in blockers)


def test_logical_replication_off_names_the_members_and_the_fix(facts):
    readings = dict(LOGICAL_ON, **{"pg-secondary-euw1": {"rds.logical_replication": "0"}, "pg-secondary-apse2": {}})
    [blocker] = blue_green_blockers(facts(version="14.9"), readings)
    assert sorted(blocker["clusters"]) == ["pg-secondary-apse2", "pg-secondary-euw1"]
    assert "rds.logical_replication to 1" in blocker["message"] and "reboot the writer" in blocker["message"]


@pytest.mark.parametrize("version, blocked", [
    ("14.6", True), ("14.9", False), ("14.10", False), ("13.9", True), ("13.12", False), ("15.4", False), ("16.1", False),
    ("11.20", True), ("11.21", False), ("17.3", True), ("17.4", False), ("18.1", False), ("10.21", True),
])
def test_postgresql_minimum_versions(facts, version, blocked):
    blockers = blue_green_blockers(facts(version=version), LOGICAL_ON)
    assert bool(blockers) is blocked
    if blocked:
        assert "lowest version Blue/Green deployments support" in blockers[0]["message"] and version in blockers[0]["message"]


@pytest.mark.parametrize("value, blocked", [("ROW", False), ("MIXED", False), ("STATEMENT", False), ("OFF", True), (None, True)])
def test_mysql_needs_binary_logging(facts, value, blocked):
    described = _mysql(facts)
    readings = {m["db_cluster_identifier"]: ({"binlog_format": value} if value else {}) for m in described["members"]}
    blockers = blue_green_blockers(described, readings)
    assert bool(blockers) is blocked
    if blocked:
        assert "binlog_format (ROW is recommended)" in blockers[0]["message"] and len(blockers[0]["clusters"]) == 3


def test_postgresql_parameters_do_not_matter_for_mysql(facts):
    described = _mysql(facts)
    readings = {m["db_cluster_identifier"]: {"binlog_format": "ROW"} for m in described["members"]}
    assert blue_green_blockers(described, readings) == []


def test_a_master_password_in_secrets_manager_blocks(facts):
    [blocker] = blue_green_blockers(facts(version="14.9"), LOGICAL_ON, secret_managed=["pg-primary-use1"])
    assert blocker["clusters"] == ["pg-primary-use1"] and "Secrets Manager" in blocker["message"]


@pytest.mark.parametrize("status, blocked", [("switching-over", True), ("failing-over", True), ("pending", True), ("cancelling", True), ("", False)])
def test_a_failover_or_switchover_in_progress_blocks(facts, status, blocked):
    described = facts(version="14.9", failover_state={"status": status, "from_db_cluster_arn": "a", "to_db_cluster_arn": "b"} if status else None)
    blockers = blue_green_blockers(described, LOGICAL_ON)
    assert bool(blockers) is blocked
    if blocked:
        assert "INVALID_CONFIGURATION" in blockers[0]["message"]


def test_target_groups_must_have_one_name_in_every_region(facts):
    one_name = {CLUSTER_PARAMETER_GROUP: {region: "orders-pg15" for region in ALL_REGIONS}}
    assert blue_green_blockers(facts(version="14.9"), LOGICAL_ON, target_groups=one_name) == []
    per_region = {CLUSTER_PARAMETER_GROUP: dict(one_name[CLUSTER_PARAMETER_GROUP], **{"eu-west-1": "orders-pg15-euw1"})}
    [blocker] = blue_green_blockers(facts(version="14.9"), LOGICAL_ON, target_groups=per_region)
    assert "differ by region" in blocker["message"] and "eu-west-1: orders-pg15-euw1" in blocker["message"]


def test_a_region_left_out_of_the_target_groups_blocks(facts):
    partial = {DB_PARAMETER_GROUP: {"us-east-1": "orders-pg15", "eu-west-1": "orders-pg15"}}
    [blocker] = blue_green_blockers(facts(version="14.9"), LOGICAL_ON, target_groups=partial)
    assert "no target DB parameter group is named for ap-southeast-2" in blocker["message"]


def test_a_target_group_missing_in_a_region_blocks(facts):
    groups = {CLUSTER_PARAMETER_GROUP: {region: "orders-pg15" for region in ALL_REGIONS}}
    missing = [(CLUSTER_PARAMETER_GROUP, "ap-southeast-2", "orders-pg15")]
    [blocker] = blue_green_blockers(facts(version="14.9"), LOGICAL_ON, target_groups=groups, missing_target_groups=missing)
    assert "DB cluster parameter group orders-pg15 does not exist in ap-southeast-2" in blocker["message"]


def test_blockers_come_in_a_fixed_order(facts):
    described = facts(failover_state={"status": "switching-over"})
    blockers = blue_green_blockers(described, {}, secret_managed=["pg-primary-use1"])
    phrases = ("switchover or failover", "logical replication is off", "lowest version", "Secrets Manager")
    assert [next(p for p in phrases if p in b["message"]) for b in blockers] == list(phrases)
