# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The sandbox's Blue/Green deployments of a global database, and AWS's managed minor upgrade of Aurora PostgreSQL
(boto3 against a running sandbox). Statuses are held with hold_transition_of / hold_upgrade_of, never timed."""

from __future__ import annotations

import re
from typing import Any, Callable

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

PG_ARN = "arn:aws:rds::123456789012:global-cluster:pg-global"
PG_MEMBERS = {"pg-primary-use1": "us-east-1", "pg-secondary-euw1": "eu-west-1", "pg-secondary-apse2": "ap-southeast-2"}
GREEN_NAME = re.compile(r"^(?P<blue>.+)-green-[a-z0-9]{6}$")
NAME = "pg-global-to-15"


@pytest.fixture
def rds(sandbox) -> Callable[[str], Any]:
    """rds(region): a boto3 RDS client of the sandbox that does not retry, so that every call shows."""
    clients: dict[str, Any] = {}

    def client(region: str) -> Any:
        if region not in clients:
            clients[region] = boto3.client(
                "rds", region_name=region, endpoint_url=sandbox.endpoint_url, aws_access_key_id="testing",
                aws_secret_access_key="testing", config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
            )
        return clients[region]
    return client


@pytest.fixture
def pg(sandbox) -> None:
    """The 3-region PostgreSQL 14.6 global database; transitions happen at once unless held."""
    sandbox.seed("postgresql-14")
    sandbox.configure(provision_seconds=0, upgrade_seconds=0, status_delay_seconds=0)


def expect_error(call: Callable[..., Any], code: str, message: str | None = None, **kwargs: Any) -> None:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    assert caught.value.response["Error"]["Code"] == code
    if message is not None:
        assert message in caught.value.response["Error"]["Message"]


def cluster(rds, identifier: str, region: str) -> dict[str, Any]:
    return rds(region).describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]


def clusters_of(rds, region: str) -> dict[str, dict[str, Any]]:
    return {found["DBClusterIdentifier"]: found for found in rds(region).describe_db_clusters()["DBClusters"]}


def instances_of(rds, region: str) -> dict[str, dict[str, Any]]:
    return {found["DBInstanceIdentifier"]: found for found in rds(region).describe_db_instances()["DBInstances"]}


def global_clusters(rds) -> dict[str, dict[str, Any]]:
    return {found["GlobalClusterIdentifier"]: found for found in rds("us-east-1").describe_global_clusters()["GlobalClusters"]}


def deployment(rds, identifier: str) -> dict[str, Any]:
    return rds("us-east-1").describe_blue_green_deployments(BlueGreenDeploymentIdentifier=identifier)["BlueGreenDeployments"][0]


def create(rds, **extra: Any) -> dict[str, Any]:
    return rds("us-east-1").create_blue_green_deployment(
        BlueGreenDeploymentName=NAME, Source=PG_ARN, TargetEngineVersion="15.4", **extra)["BlueGreenDeployment"]


def event_names(sandbox) -> list[str]:
    return [entry["operation"] for entry in sandbox.journal() if entry["kind"] == "event"]


# Blue/Green: creation


def test_creation_provisions_a_green_copy_of_every_member_then_is_available(sandbox, rds, pg):
    sandbox.configure(hold_transition_of=[NAME])
    created = create(rds, Tags=[{"Key": "purpose", "Value": "upgrade"}])
    assert created["Status"] == "PROVISIONING"
    assert created["BlueGreenDeploymentIdentifier"].startswith("bgd-")
    assert created["Source"] == PG_ARN
    green_global = created["Target"].rsplit(":", 1)[1]
    assert GREEN_NAME.match(green_global)["blue"] == "pg-global"
    for blue, region in PG_MEMBERS.items():
        greens = [name for name in clusters_of(rds, region) if name.startswith(blue + "-green-")]
        assert len(greens) == 1 and GREEN_NAME.match(greens[0])
        green = cluster(rds, greens[0], region)
        assert (green["Status"], green["EngineVersion"], green["DBClusterParameterGroup"]) == ("creating", "15.4", "default.aurora-postgresql15")
        assert green["GlobalClusterIdentifier"] == green_global
        green_instances = [name for name in instances_of(rds, region) if GREEN_NAME.match(name)]
        assert [GREEN_NAME.match(name)["blue"] for name in green_instances] == [f"{blue}-1"]
        # Blue stays as it was: production.
        assert (cluster(rds, blue, region)["Status"], cluster(rds, blue, region)["EngineVersion"]) == ("available", "14.6")
    green = global_clusters(rds)[green_global]
    assert green["Status"] == "creating" and green["EngineVersion"] == "15.4"
    writer = next(member for member in green["GlobalClusterMembers"] if member["IsWriter"])
    assert writer["DBClusterArn"].split(":")[3] == "us-east-1"
    assert deployment(rds, created["BlueGreenDeploymentIdentifier"])["Status"] == "PROVISIONING"

    sandbox.configure(hold_transition_of=[])
    available = deployment(rds, created["BlueGreenDeploymentIdentifier"].upper())
    assert available["Status"] == "AVAILABLE"
    assert available["TagList"] == [{"Key": "purpose", "Value": "upgrade"}]
    assert {detail["Status"] for detail in available["SwitchoverDetails"]} == {"AVAILABLE"}
    # One pair for the global cluster, each cluster and each instance.
    assert len(available["SwitchoverDetails"]) == 1 + 3 + 3
    assert global_clusters(rds)[green_global]["Status"] == "available"
    assert "BlueGreenDeploymentAvailable" in event_names(sandbox)


def test_deployments_are_described_by_name_filter_and_only_in_their_region(rds, pg):
    created = create(rds)
    by_name = rds("us-east-1").describe_blue_green_deployments(Filters=[{"Name": "blue-green-deployment-name", "Values": [NAME]}])
    assert [found["BlueGreenDeploymentIdentifier"] for found in by_name["BlueGreenDeployments"]] == [created["BlueGreenDeploymentIdentifier"]]
    by_source = rds("us-east-1").describe_blue_green_deployments(Filters=[{"Name": "source", "Values": [PG_ARN]}])
    assert len(by_source["BlueGreenDeployments"]) == 1
    other = rds("us-east-1").describe_blue_green_deployments(Filters=[{"Name": "blue-green-deployment-name", "Values": ["other"]}])
    assert other["BlueGreenDeployments"] == []
    assert rds("eu-west-1").describe_blue_green_deployments()["BlueGreenDeployments"] == []
    expect_error(rds("us-east-1").describe_blue_green_deployments, "BlueGreenDeploymentNotFoundFault", BlueGreenDeploymentIdentifier="bgd-unknown")


def test_target_parameter_groups_must_exist_in_the_primary_region_and_default_elsewhere(sandbox, rds, pg):
    expect_error(create, "DBClusterParameterGroupNotFound", rds=rds, TargetDBClusterParameterGroupName="pg15-params")
    assert set(global_clusters(rds)) == {"pg-global"}
    for region in ("us-east-1", "eu-west-1"):
        rds(region).create_db_cluster_parameter_group(
            DBClusterParameterGroupName="pg15-params", DBParameterGroupFamily="aurora-postgresql15", Description="15")
    create(rds, TargetDBClusterParameterGroupName="pg15-params")
    groups = {region: next(found["DBClusterParameterGroup"] for name, found in clusters_of(rds, region).items() if GREEN_NAME.match(name))
              for region in PG_MEMBERS.values()}
    assert groups == {"us-east-1": "pg15-params", "eu-west-1": "pg15-params", "ap-southeast-2": "default.aurora-postgresql15"}


@pytest.mark.parametrize("region, extra, code, message", [
    ("eu-west-1", {}, "InvalidParameterValue", "in its primary's region, us-east-1"),
    ("us-east-1", {"Source": "arn:aws:rds:us-east-1:123456789012:cluster:pg-primary-use1"}, "SourceClusterNotSupportedFault", "global cluster's ARN"),
    ("us-east-1", {"BlueGreenDeploymentName": "1-bad"}, "InvalidParameterValue", "BlueGreenDeploymentName"),
    ("us-east-1", {"BlueGreenDeploymentName": "two--hyphens"}, "InvalidParameterValue", "BlueGreenDeploymentName"),
    ("us-east-1", {"TargetEngineVersion": "13.9"}, "InvalidParameterValue", "Cannot find upgrade path from 14.6 to 13.9."),
    ("us-east-1", {"Source": "arn:aws:rds::123456789012:global-cluster:nothing"}, "GlobalClusterNotFoundFault", None),
])
def test_creation_refusals_change_nothing(sandbox, rds, pg, region, extra, code, message):
    request = {"BlueGreenDeploymentName": NAME, "Source": PG_ARN, "TargetEngineVersion": "15.4", **extra}
    expect_error(rds(region).create_blue_green_deployment, code, message, **request)
    assert set(global_clusters(rds)) == {"pg-global"}
    assert not any(GREEN_NAME.match(name) for name in clusters_of(rds, "us-east-1"))


def test_a_name_is_taken_once_and_a_busy_global_database_is_refused(sandbox, rds, pg):
    create(rds)
    expect_error(create, "BlueGreenDeploymentAlreadyExistsFault", rds=rds)
    expect_error(rds("us-east-1").create_blue_green_deployment, "InvalidDBClusterStateFault", "already the source",
                 BlueGreenDeploymentName="another", Source=PG_ARN, TargetEngineVersion="15.4")
    sandbox.set_state(db_cluster="pg-secondary-apse2", region="ap-southeast-2", status="backing-up")
    expect_error(rds("us-east-1").create_blue_green_deployment, "InvalidDBClusterStateFault", "pg-secondary-apse2",
                 BlueGreenDeploymentName="another", Source=PG_ARN, TargetEngineVersion="15.4")


# Blue/Green: switchover


def test_switchover_gives_the_blue_names_and_endpoints_to_green_and_keeps_blue_as_old1(sandbox, rds, pg):
    identifier = create(rds)["BlueGreenDeploymentIdentifier"]
    endpoints = {blue: cluster(rds, blue, region)["Endpoint"] for blue, region in PG_MEMBERS.items()}
    sandbox.configure(hold_transition_of=[identifier])
    answer = rds("us-east-1").switchover_blue_green_deployment(BlueGreenDeploymentIdentifier=identifier, SwitchoverTimeout=60)
    assert answer["BlueGreenDeployment"]["Status"] == "SWITCHOVER_IN_PROGRESS"
    assert deployment(rds, identifier)["Status"] == "SWITCHOVER_IN_PROGRESS"
    expect_error(rds("us-east-1").delete_blue_green_deployment, "InvalidBlueGreenDeploymentStateFault", BlueGreenDeploymentIdentifier=identifier)
    assert cluster(rds, "pg-primary-use1", "us-east-1")["EngineVersion"] == "14.6"

    sandbox.configure(hold_transition_of=[])
    switched = deployment(rds, identifier)
    assert switched["Status"] == "SWITCHOVER_COMPLETED"
    assert {detail["Status"] for detail in switched["SwitchoverDetails"]} == {"SWITCHOVER_COMPLETED"}
    assert switched["Source"].endswith(":global-cluster:pg-global-old1") and switched["Target"] == PG_ARN
    for blue, region in PG_MEMBERS.items():
        production, old = cluster(rds, blue, region), cluster(rds, blue + "-old1", region)
        assert (production["EngineVersion"], production["GlobalClusterIdentifier"], production["Endpoint"]) == ("15.4", "pg-global", endpoints[blue])
        assert (old["EngineVersion"], old["GlobalClusterIdentifier"]) == ("14.6", "pg-global-old1")
        assert old["Endpoint"].startswith(blue + "-old1.cluster-")
        assert set(instances_of(rds, region)) == {f"{blue}-1", f"{blue}-1-old1"}
        assert instances_of(rds, region)[f"{blue}-1"]["DBClusterIdentifier"] == blue
        assert not any(GREEN_NAME.match(name) for name in clusters_of(rds, region))
    described = global_clusters(rds)
    assert set(described) == {"pg-global", "pg-global-old1"}
    assert described["pg-global"]["EngineVersion"] == "15.4" and described["pg-global-old1"]["EngineVersion"] == "14.6"
    assert "BlueGreenSwitchoverCompleted" in event_names(sandbox)


def test_a_switchover_past_its_timeout_rolls_back_and_blue_stays_production(sandbox, rds, pg):
    identifier = create(rds)["BlueGreenDeploymentIdentifier"]
    sandbox.configure(fail_upgrade_of=[NAME])
    rds("us-east-1").switchover_blue_green_deployment(BlueGreenDeploymentIdentifier=identifier, SwitchoverTimeout=30)
    failed = deployment(rds, identifier)
    assert failed["Status"] == "SWITCHOVER_FAILED"
    assert "blue environment is still production" in failed["StatusDetails"]
    assert {detail["Status"] for detail in failed["SwitchoverDetails"]} == {"SWITCHOVER_FAILED"}
    assert cluster(rds, "pg-primary-use1", "us-east-1")["EngineVersion"] == "14.6"
    assert set(global_clusters(rds)) == {"pg-global", failed["Target"].rsplit(":", 1)[1]}
    assert "BlueGreenSwitchoverFailed" in event_names(sandbox)


# Below 30, botocore refuses it before sending.
@pytest.mark.parametrize("timeout", [3601, 86400])
def test_switchover_timeout_is_at_most_3600_seconds(rds, pg, timeout):
    identifier = create(rds)["BlueGreenDeploymentIdentifier"]
    expect_error(rds("us-east-1").switchover_blue_green_deployment, "InvalidParameterValue", "SwitchoverTimeout",
                 BlueGreenDeploymentIdentifier=identifier, SwitchoverTimeout=timeout)
    assert deployment(rds, identifier)["Status"] == "AVAILABLE"


def test_a_switchover_is_refused_before_the_green_environment_is_available(sandbox, rds, pg):
    sandbox.configure(hold_transition_of=[NAME])
    identifier = create(rds)["BlueGreenDeploymentIdentifier"]
    expect_error(rds("us-east-1").switchover_blue_green_deployment, "InvalidBlueGreenDeploymentStateFault", "PROVISIONING",
                 BlueGreenDeploymentIdentifier=identifier)


def test_a_global_switchover_or_failover_invalidates_the_deployment(sandbox, rds, pg):
    identifier = create(rds)["BlueGreenDeploymentIdentifier"]
    sandbox.set_state(global_cluster="pg-global", failover_state={"Status": "switching-over"})
    invalid = deployment(rds, identifier)
    assert invalid["Status"] == "INVALID_CONFIGURATION"
    assert "delete the deployment and create it again" in invalid["StatusDetails"]
    expect_error(rds("us-east-1").switchover_blue_green_deployment, "InvalidBlueGreenDeploymentStateFault", "INVALID_CONFIGURATION",
                 BlueGreenDeploymentIdentifier=identifier)
    # It stays invalid once the failover is over.
    sandbox.set_state(global_cluster="pg-global", failover_state=None)
    assert deployment(rds, identifier)["Status"] == "INVALID_CONFIGURATION"


# Blue/Green: deletion


def test_deleting_after_a_switchover_keeps_the_old_database_and_refuses_delete_target(rds, pg):
    identifier = create(rds)["BlueGreenDeploymentIdentifier"]
    rds("us-east-1").switchover_blue_green_deployment(BlueGreenDeploymentIdentifier=identifier)
    expect_error(rds("us-east-1").delete_blue_green_deployment, "InvalidBlueGreenDeploymentStateFault", "DeleteTarget",
                 BlueGreenDeploymentIdentifier=identifier, DeleteTarget=True)
    deleted = rds("us-east-1").delete_blue_green_deployment(BlueGreenDeploymentIdentifier=identifier)["BlueGreenDeployment"]
    assert deleted["Status"] == "DELETING"
    expect_error(rds("us-east-1").describe_blue_green_deployments, "BlueGreenDeploymentNotFoundFault", BlueGreenDeploymentIdentifier=identifier)
    assert set(global_clusters(rds)) == {"pg-global", "pg-global-old1"}
    assert {"pg-primary-use1", "pg-primary-use1-old1"} <= set(clusters_of(rds, "us-east-1"))


def test_deleting_before_a_switchover_with_delete_target_removes_only_green(rds, pg):
    identifier = create(rds)["BlueGreenDeploymentIdentifier"]
    rds("us-east-1").delete_blue_green_deployment(BlueGreenDeploymentIdentifier=identifier, DeleteTarget=True)
    assert set(global_clusters(rds)) == {"pg-global"}
    for blue, region in PG_MEMBERS.items():
        assert set(clusters_of(rds, region)) == {blue}
        assert set(instances_of(rds, region)) == {f"{blue}-1"}


# Managed minor upgrade of Aurora PostgreSQL


def member_states(rds) -> dict[str, tuple[str, str]]:
    return {blue: (cluster(rds, blue, region)["Status"], cluster(rds, blue, region)["EngineVersion"]) for blue, region in PG_MEMBERS.items()}


def test_managed_minor_upgrades_every_member_over_time(sandbox, rds, pg):
    sandbox.configure(managed_minor_upgrades=True, hold_upgrade_of=["pg-global"])
    answer = rds("us-east-1").modify_global_cluster(GlobalClusterIdentifier="pg-global", EngineVersion="14.9")
    assert answer["GlobalCluster"]["Status"] == "upgrading"
    assert set(member_states(rds).values()) == {("upgrading", "14.6")}
    # A second call meanwhile is refused: the upgrade is under way.
    expect_error(rds("us-east-1").modify_global_cluster, "InvalidGlobalClusterStateFault",
                 GlobalClusterIdentifier="pg-global", EngineVersion="14.9")
    expect_error(rds("eu-west-1").modify_db_cluster, "InvalidDBClusterStateFault",
                 DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.9", ApplyImmediately=True)
    sandbox.configure(hold_upgrade_of=[])
    assert set(member_states(rds).values()) == {("available", "14.9")}
    described = global_clusters(rds)["pg-global"]
    assert (described["Status"], described["EngineVersion"]) == ("available", "14.9")
    # A minor upgrade keeps the custom cluster parameter groups.
    assert {cluster(rds, blue, region)["DBClusterParameterGroup"] for blue, region in PG_MEMBERS.items()} == {"pg-global-params"}
    messages = [event["Message"] for event in rds("eu-west-1").describe_events(SourceType="db-cluster", SourceIdentifier="pg-secondary-euw1")["Events"]]
    assert messages == ["Database cluster engine version upgrade started.", "Database cluster engine version has been upgraded."]


def test_a_managed_minor_upgrade_that_fails_rolls_every_member_back_with_events(sandbox, rds, pg):
    sandbox.configure(managed_minor_upgrades=True, fail_upgrade_of=["pg-secondary-apse2"])
    rds("us-east-1").modify_global_cluster(GlobalClusterIdentifier="pg-global", EngineVersion="14.9")
    # A failing upgrade is read running once before it rolls back (upgrades.py: no reader misses it).
    assert ("upgrading", "14.6") in set(member_states(rds).values())
    assert set(member_states(rds).values()) == {("available", "14.6")}
    assert global_clusters(rds)["pg-global"]["EngineVersion"] == "14.6"
    messages = [event["Message"] for event in rds("ap-southeast-2").describe_events(SourceType="db-cluster", SourceIdentifier="pg-secondary-apse2")["Events"]]
    assert any("rolled the DB cluster back to engine version 14.6" in message for message in messages)
    assert "UpgradeFailed" in event_names(sandbox)


@pytest.mark.parametrize("scenario, managed, target, message", [
    ("postgresql-14", False, "14.9", "ModifyGlobalCluster doesn't support minor version upgrades for Aurora global databases. "
     "To upgrade to a newer minor version, call ModifyDBCluster for each member of your global cluster."),
    ("mysql-3", True, "8.0.mysql_aurora.3.05.2", "Amazon RDS can't perform minor version upgrades through ModifyGlobalCluster for this database engine."),
])
def test_managed_minor_refusals_are_aws_texts_and_change_nothing(sandbox, rds, scenario, managed, target, message):
    global_identifier = sandbox.seed(scenario)["global_cluster_identifier"]
    sandbox.configure(managed_minor_upgrades=managed, status_delay_seconds=0)
    expect_error(rds("us-east-1").modify_global_cluster, "InvalidParameterValue", message,
                 GlobalClusterIdentifier=global_identifier, EngineVersion=target)
    assert global_clusters(rds)[global_identifier]["Status"] == "available"
    assert event_names(sandbox) == []


def test_managed_minor_refuses_a_target_without_global_database_support(sandbox, rds, pg):
    sandbox.configure(managed_minor_upgrades=True)
    expect_error(rds("us-east-1").modify_global_cluster, "InvalidParameterValue", "doesn't support Aurora global databases",
                 GlobalClusterIdentifier="pg-global", EngineVersion="14.7")
