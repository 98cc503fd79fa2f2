# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Gathering the facts across regions, in the unit tests' fake AWS world."""

import pytest

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.aurora.global_db.plugins.module_utils.facts import GlobalDatabaseReader
from ansible_collections.aurora.global_db.plugins.module_utils.facts import _common_targets
from ansible_collections.aurora.global_db.plugins.module_utils.facts import _failover_state_facts
from ansible_collections.aurora.global_db.plugins.module_utils.rds import GlobalClusterNotFound
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import FakeWorld
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import client_error
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import db_cluster
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import global_cluster

MEMBERS = {"pg-primary-use1": "us-east-1", "pg-secondary-euw1": "eu-west-1", "pg-secondary-apse2": "ap-southeast-2"}


def _engine_version(version, targets):
    return {
        "Engine": "aurora-postgresql",
        "EngineVersion": version,
        "ValidUpgradeTarget": [
            {"EngineVersion": t, "IsMajorVersionUpgrade": not t.startswith("14."), "SupportsGlobalDatabases": True} for t in targets
        ],
    }


@pytest.fixture
def world():
    world = FakeWorld()
    world.global_clusters["pg-global"] = global_cluster("pg-global", MEMBERS, "pg-primary-use1", DeletionProtection=True)
    world.clusters = {identifier: db_cluster(identifier, "pg-global-params", region=region) for identifier, region in MEMBERS.items()}
    world.engine_versions = {"*": [_engine_version("14.6", ["14.9", "15.4"])]}
    return world


def test_facts_of_a_three_region_global_database(world):
    facts = GlobalDatabaseReader(world).facts("pg-global")
    assert facts["upgrade_order"] == ["pg-secondary-apse2", "pg-secondary-euw1", "pg-primary-use1"]
    assert facts["primary"] == "pg-primary-use1"
    assert [m["region"] for m in facts["members"]] == ["ap-southeast-2", "eu-west-1", "us-east-1"]
    assert (facts["engine"], facts["engine_version"], facts["deletion_protection"], facts["failover_state"]) == ("aurora-postgresql", "14.6", True, None)
    assert facts["rpo_enabled"] is False
    assert [t["engine_version"] for t in facts["valid_upgrade_targets"]] == ["14.9", "15.4"]


def test_rpo_is_read_from_each_members_parameter_group(world):
    world.rpo_parameters["us-east-1"] = [{"ParameterName": "rds.global_db_rpo", "ParameterValue": "60"}]
    world.rpo_parameters["eu-west-1"] = [{"ParameterName": "rds.global_db_rpo", "ParameterValue": "-1"}]
    facts = GlobalDatabaseReader(world).facts("pg-global")
    assert {m["db_cluster_identifier"]: m["rpo_seconds"] for m in facts["members"]} == {
        "pg-primary-use1": 60, "pg-secondary-euw1": None, "pg-secondary-apse2": None}
    assert facts["rpo_enabled"] is True


def test_default_parameter_groups_are_not_read(world):
    for cluster in world.clusters.values():
        cluster["DBClusterParameterGroup"] = "default.aurora-postgresql14"
    GlobalDatabaseReader(world).facts("pg-global")
    assert not world.calls_of("describe_db_cluster_parameters")


def test_valid_targets_are_those_every_region_offers(world):
    world.engine_versions["eu-west-1"] = [_engine_version("14.6", ["15.4"])]
    assert [t["engine_version"] for t in GlobalDatabaseReader(world).facts("pg-global")["valid_upgrade_targets"]] == ["15.4"]


def test_the_plan_checks_each_member_in_its_region_and_asks_each_region_once(world):
    world.engine_versions["eu-west-1"] = [_engine_version("14.6", ["15.4"])]
    reader = GlobalDatabaseReader(world)
    plan = reader.plan(reader.facts("pg-global"), "14.9")
    assert [b["code"] for b in plan["blockers"]] == ["invalid_target"]
    assert plan["blockers"][0]["clusters"] == ["pg-secondary-euw1"]
    engine_calls = sorted(region for _operation, region, _params in world.calls_of("describe_db_engine_versions"))
    assert engine_calls == ["ap-southeast-2", "eu-west-1", "us-east-1"]


def test_an_unknown_global_cluster(world):
    world.refusals[("describe_global_clusters", "pg-global")] = client_error("GlobalClusterNotFoundFault", "not found", "DescribeGlobalClusters")
    with pytest.raises(GlobalClusterNotFound, match="pg-global does not exist"):
        GlobalDatabaseReader(world).facts("pg-global")


def test_other_errors_are_not_taken_for_an_unknown_global_cluster(world):
    world.refusals[("describe_global_clusters", "pg-global")] = client_error("AccessDenied", "refused", "DescribeGlobalClusters")
    with pytest.raises(AnsibleAWSError, match="Describing global cluster pg-global .*AccessDenied") as raised:
        GlobalDatabaseReader(world).facts("pg-global")
    assert not isinstance(raised.value, GlobalClusterNotFound)


def test_another_global_cluster_in_the_answer_is_not_taken_for_the_one_asked(world):
    world.global_cluster = lambda identifier: world.global_clusters["pg-global"]
    with pytest.raises(GlobalClusterNotFound):
        GlobalDatabaseReader(world).facts("other-global")


def test_an_aws_error_names_the_step(world):
    world.refusals[("describe_db_clusters", "pg-primary-use1")] = client_error("AccessDenied", "no", "DescribeDBClusters")
    with pytest.raises(AnsibleAWSError, match=r"Describing DB cluster pg-primary-use1 in us-east-1: .*AccessDenied"):
        GlobalDatabaseReader(world).facts("pg-global")


def test_failover_state_facts():
    assert _failover_state_facts(None) is None
    assert _failover_state_facts({"Status": "switching-over", "FromDbClusterArn": "a", "ToDbClusterArn": "b"}) == {
        "status": "switching-over", "from_db_cluster_arn": "a", "to_db_cluster_arn": "b"}


def test_common_targets():
    first = [{"engine_version": "14.9"}, {"engine_version": "15.4"}]
    assert _common_targets([first, [{"engine_version": "15.4"}]]) == [{"engine_version": "15.4"}]
    assert _common_targets([]) == []
