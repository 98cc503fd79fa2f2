# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The local AWS sandbox behaves as the AWS facts the collection relies on (boto3 against a running sandbox)."""

from __future__ import annotations

import concurrent.futures
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from botocore.exceptions import ClientError
from conftest import SANDBOX_TIMINGS
from process_kills import kill_and_drain

from sandbox.client import SandboxClient, SandboxError
from sandbox.launcher import running_sandbox

PG_MEMBERS = {
    "pg-primary-use1": "us-east-1",
    "pg-secondary-euw1": "eu-west-1",
    "pg-secondary-apse2": "ap-southeast-2",
}
PG_SECONDARIES = ["pg-secondary-euw1", "pg-secondary-apse2"]
RPO_FILTER = [{"Name": "parameter-name", "Values": ["rds.global_db_rpo"]}]
TESTS_DIR = Path(__file__).resolve().parents[1]


# Durations no machine takes between two calls of a test: what happens after them happens when the test moves the
# sandbox's clock (advance_clock), never on its own.
LONG = 600


@pytest.fixture
def rds(sandbox) -> Callable[[str], Any]:
    """rds(region): a boto3 RDS client of the sandbox that does not retry, so that every call shows. One per region."""
    clients: dict[str, Any] = {}

    def client(region: str) -> Any:
        if region not in clients:
            clients[region] = sandbox.aws_client("rds", region, max_attempts=1)
        return clients[region]
    return client


def cluster(rds, identifier: str, region: str) -> dict[str, Any]:
    return rds(region).describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]


def global_cluster(rds, identifier: str, region: str = "us-east-1") -> dict[str, Any]:
    return rds(region).describe_global_clusters(GlobalClusterIdentifier=identifier)["GlobalClusters"][0]


def pg_states(rds) -> dict[str, tuple[str, str]]:
    """(Status, EngineVersion) of every member of pg-global, read in each member's region."""
    states = {}
    for identifier, region in PG_MEMBERS.items():
        found = cluster(rds, identifier, region)
        states[identifier] = (found["Status"], found["EngineVersion"])
    return states


def expect_error(call: Callable[..., Any], code: str, message: str | None = None, **kwargs: Any) -> ClientError:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    error = caught.value.response["Error"]
    assert error["Code"] == code
    if message is not None:
        assert message in error["Message"]
    return caught.value


def events(sandbox) -> list[tuple[str, dict[str, Any]]]:
    return [(entry["operation"], entry["params"]) for entry in sandbox.journal() if entry["kind"] == "event"]


def upgrade_finished(sandbox) -> bool:
    return any(operation in ("UpgradeCompleted", "UpgradeFailed") for operation, _params in events(sandbox))


# 1. DescribeGlobalClusters


def test_global_cluster_is_described_from_every_region_with_its_members(sandbox, rds):
    sandbox.seed("postgresql-14")
    for region in ("us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"):
        described = global_cluster(rds, "pg-global", region)
        assert described["GlobalClusterArn"] == "arn:aws:rds::123456789012:global-cluster:pg-global"
        assert (described["Status"], described["Engine"], described["EngineVersion"]) == ("available", "aurora-postgresql", "14.6")
    described = global_cluster(rds, "pg-global", "ap-southeast-2")
    members = {member["DBClusterArn"].split(":")[-1]: member for member in described["GlobalClusterMembers"]}
    assert set(members) == set(PG_MEMBERS)
    for identifier, member in members.items():
        assert member["DBClusterArn"].split(":")[3] == PG_MEMBERS[identifier]
        assert member["IsWriter"] is (identifier == "pg-primary-use1")
        assert member["SynchronizationStatus"] == "connected"
        assert member["GlobalWriteForwardingStatus"] == "disabled"
    assert sorted(reader.split(":")[-1] for reader in members["pg-primary-use1"]["Readers"]) == sorted(PG_SECONDARIES)
    assert "FailoverState" not in described


def test_pending_resync_members_are_described_so(sandbox, rds):
    sandbox.seed("postgresql-14")
    sandbox.configure(pending_resync=["PG-Secondary-APSE2"])
    for region in ("us-east-1", "ap-southeast-2"):
        members = global_cluster(rds, "pg-global", region)["GlobalClusterMembers"]
        assert len(members) == 3
        statuses = {member["DBClusterArn"].split(":")[-1]: member["SynchronizationStatus"] for member in members}
        assert statuses == {"pg-primary-use1": "connected", "pg-secondary-euw1": "connected", "pg-secondary-apse2": "pending-resync"}
    sandbox.configure(pending_resync=[])
    assert {member["SynchronizationStatus"] for member in global_cluster(rds, "pg-global")["GlobalClusterMembers"]} == {"connected"}


def test_unknown_global_cluster_is_not_found_404(sandbox, rds):
    sandbox.seed("mysql-3")
    error = expect_error(rds("eu-west-1").describe_global_clusters, "GlobalClusterNotFoundFault", "Global cluster 'nope' not found",
                         GlobalClusterIdentifier="nope")
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert [found["GlobalClusterIdentifier"] for found in rds("us-west-2").describe_global_clusters()["GlobalClusters"]] == ["mysql3-global"]


def test_forced_global_status_and_failover_state_are_described(sandbox, rds):
    sandbox.seed("postgresql-14")
    failover = {
        "Status": "switching-over",
        "FromDbClusterArn": "arn:aws:rds:us-east-1:123456789012:cluster:pg-primary-use1",
        "ToDbClusterArn": "arn:aws:rds:eu-west-1:123456789012:cluster:pg-secondary-euw1",
    }
    sandbox.set_state(global_cluster="pg-global", status="modifying")
    sandbox.set_state(global_cluster="pg-global", failover_state=failover)
    described = global_cluster(rds, "pg-global", "eu-west-1")
    assert described["Status"] == "modifying"
    assert described["FailoverState"] == failover
    sandbox.set_state(global_cluster="pg-global", status="available", failover_state=None)
    described = global_cluster(rds, "pg-global")
    assert described["Status"] == "available"
    assert "FailoverState" not in described


# 2. DescribeDBEngineVersions


def targets_of(rds, engine: str, version: str, region: str = "us-east-1") -> dict[str, dict[str, Any]]:
    found = rds(region).describe_db_engine_versions(Engine=engine, EngineVersion=version)["DBEngineVersions"]
    return {target["EngineVersion"]: target for entry in found for target in entry["ValidUpgradeTarget"]}


@pytest.mark.parametrize("engine, version, family, minors, majors", [
    ("aurora-postgresql", "14.6", "aurora-postgresql14", ["14.7", "14.9", "14.10"], ["15.4", "16.1"]),
    ("aurora-postgresql", "14.9", "aurora-postgresql14", ["14.10"], ["15.4", "16.1"]),
    ("aurora-mysql", "5.7.mysql_aurora.2.11.2", "aurora-mysql5.7", ["5.7.mysql_aurora.2.11.3", "5.7.mysql_aurora.2.12.0"], ["8.0.mysql_aurora.3.04.0"]),
    ("aurora-mysql", "8.0.mysql_aurora.3.04.0", "aurora-mysql8.0",
     ["8.0.mysql_aurora.3.04.1", "8.0.mysql_aurora.3.05.2", "8.0.mysql_aurora.3.10.0"], ["8.4.mysql_aurora.8.4.7"]),
])
def test_engine_versions_list_upgrade_targets(rds, engine, version, family, minors, majors):
    found = rds("eu-west-1").describe_db_engine_versions(Engine=engine, EngineVersion=version)["DBEngineVersions"]
    assert [(entry["EngineVersion"], entry["DBParameterGroupFamily"]) for entry in found] == [(version, family)]
    targets = targets_of(rds, engine, version)
    assert sorted(targets) == sorted(minors + majors)
    assert {name for name, target in targets.items() if target["IsMajorVersionUpgrade"]} == set(majors)
    for target in targets.values():
        assert set(target) >= {"Engine", "EngineVersion", "IsMajorVersionUpgrade", "AutoUpgrade", "Description", "SupportsGlobalDatabases"}


def test_engine_version_catalog_has_no_downgrade_and_flags_global_support(rds):
    def key(version: str) -> tuple[int, ...]:
        return tuple(int(part) for part in version.split(".") if part.isdigit())

    catalog = rds("us-east-1").describe_db_engine_versions()["DBEngineVersions"]
    assert {"aurora-mysql", "aurora-postgresql"} == {entry["Engine"] for entry in catalog}
    for entry in catalog:
        assert all(key(target["EngineVersion"]) > key(entry["EngineVersion"]) for target in entry["ValidUpgradeTarget"])
    not_global = {name for name, target in targets_of(rds, "aurora-postgresql", "14.6").items() if not target["SupportsGlobalDatabases"]}
    assert not_global == {"14.7"}
    assert {"8.4.mysql_aurora.8.4.7", "16.2", "13.9", "15.5"} <= {entry["EngineVersion"] for entry in catalog}


def test_engine_versions_paginate_and_default_only(rds):
    client = rds("us-east-1")
    everything = [entry["EngineVersion"] for entry in client.describe_db_engine_versions()["DBEngineVersions"]]
    paged, marker = [], None
    while True:
        page = client.describe_db_engine_versions(MaxRecords=5, **({"Marker": marker} if marker else {}))
        paged += [entry["EngineVersion"] for entry in page["DBEngineVersions"]]
        marker = page.get("Marker")
        if not marker:
            break
    assert paged == everything
    defaults = client.describe_db_engine_versions(Engine="aurora-postgresql", DefaultOnly=True)["DBEngineVersions"]
    assert len(defaults) == 1


def test_hidden_versions_lag_in_one_region_only(sandbox, rds):
    sandbox.seed("postgresql-14")
    sandbox.configure(hidden_versions={"ap-southeast-2": ["14.9", "15.4"]})
    assert "14.9" not in targets_of(rds, "aurora-postgresql", "14.6", "ap-southeast-2")
    assert rds("ap-southeast-2").describe_db_engine_versions(Engine="aurora-postgresql", EngineVersion="14.9")["DBEngineVersions"] == []
    assert "14.9" in targets_of(rds, "aurora-postgresql", "14.6", "eu-west-1")
    expect_error(rds("ap-southeast-2").modify_db_cluster, "InvalidParameterValue",
                 DBClusterIdentifier="pg-secondary-apse2", EngineVersion="14.9", ApplyImmediately=True)
    # A major upgrade must be offered in every member's region.
    expect_error(rds("us-east-1").modify_global_cluster, "InvalidParameterValue", "Cannot find upgrade path from 14.6 to 15.4.",
                 GlobalClusterIdentifier="pg-global", EngineVersion="15.4", AllowMajorVersionUpgrade=True)
    rds("eu-west-1").modify_db_cluster(DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.9", ApplyImmediately=True)


def test_deprecated_versions_are_listed_only_with_include_all(sandbox, rds):
    sandbox.seed("postgresql-14")
    sandbox.configure(deprecated_versions=["14.6"], status_delay_seconds=0)
    client = rds("eu-west-1")
    assert client.describe_db_engine_versions(Engine="aurora-postgresql", EngineVersion="14.6")["DBEngineVersions"] == []
    listed = client.describe_db_engine_versions(Engine="aurora-postgresql")["DBEngineVersions"]
    assert "14.6" not in {entry["EngineVersion"] for entry in listed}
    assert {entry["Status"] for entry in listed} == {"available"}
    [deprecated] = client.describe_db_engine_versions(Engine="aurora-postgresql", EngineVersion="14.6", IncludeAll=True)["DBEngineVersions"]
    assert deprecated["Status"] == "deprecated"
    assert {"14.9", "16.1"} <= {target["EngineVersion"] for target in deprecated["ValidUpgradeTarget"]}
    everything = client.describe_db_engine_versions(Engine="aurora-postgresql", IncludeAll=True)["DBEngineVersions"]
    assert len(everything) == len(listed) + 1
    # Clusters keep running a deprecated version, and upgrade from it.
    assert cluster(rds, "pg-secondary-euw1", "eu-west-1")["EngineVersion"] == "14.6"
    answer = client.modify_db_cluster(DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.9", ApplyImmediately=True)
    assert answer["DBCluster"]["Status"] == "upgrading"


# 3. ModifyGlobalCluster


@pytest.mark.parametrize("scenario, target, allow_major, code, message", [
    ("postgresql-14", "15.4", False, "InvalidParameterCombination",
     "The AllowMajorVersionUpgrade flag must be present when upgrading to a new major version."),
    ("postgresql-14", "14.9", True, "InvalidParameterValue",
     "ModifyGlobalCluster doesn't support minor version upgrades for Aurora global databases. "
     "To upgrade to a newer minor version, call ModifyDBCluster for each member of your global cluster."),
    ("mysql-3", "8.0.mysql_aurora.3.05.2", True, "InvalidParameterValue",
     "Amazon RDS can't perform minor version upgrades through ModifyGlobalCluster for this database engine."),
    ("postgresql-14", "13.9", True, "InvalidParameterValue", "Cannot find upgrade path from 14.6 to 13.9."),
    ("postgresql-14", "17.1", True, "InvalidParameterValue", "Cannot find upgrade path from 14.6 to 17.1."),
    ("mysql-2", "8.0.mysql_aurora.3.04.0", True, "InvalidParameterCombination", "Use the snapshot restore method instead."),
    ("postgresql-14-rpo", "15.4", True, "InvalidParameterCombination", "rds.global_db_rpo is set to 60 in DB cluster parameter group 'pg-global-params'"),
])
def test_modify_global_cluster_refuses_as_aws(sandbox, rds, scenario, target, allow_major, code, message):
    global_identifier = sandbox.seed(scenario)["global_cluster_identifier"]
    # Without a status delay an upgrade wrongly accepted would show at once.
    sandbox.configure(status_delay_seconds=0)
    expect_error(rds("us-east-1").modify_global_cluster, code, message,
                 GlobalClusterIdentifier=global_identifier, EngineVersion=target, AllowMajorVersionUpgrade=allow_major)
    assert global_cluster(rds, global_identifier)["Status"] == "available"
    assert events(sandbox) == []


@pytest.mark.parametrize("forced", [
    {"global_cluster": "pg-global", "status": "modifying"},
    {"global_cluster": "pg-global", "failover_state": {"Status": "switching-over"}},
    {"db_cluster": "pg-secondary-apse2", "region": "ap-southeast-2", "status": "backing-up"},
])
def test_modify_global_cluster_needs_everything_available(sandbox, rds, forced):
    sandbox.seed("postgresql-14")
    sandbox.set_state(**forced)
    expect_error(rds("us-east-1").modify_global_cluster, "InvalidGlobalClusterStateFault",
                 GlobalClusterIdentifier="pg-global", EngineVersion="15.4", AllowMajorVersionUpgrade=True)


def test_status_delay_keeps_the_old_state_visible_for_a_while(sandbox, rds):
    sandbox.seed("postgresql-14")
    sandbox.configure(status_delay_seconds=LONG)
    answer = rds("us-east-1").modify_global_cluster(GlobalClusterIdentifier="pg-global", EngineVersion="16.1", AllowMajorVersionUpgrade=True)
    assert (answer["GlobalCluster"]["Status"], answer["GlobalCluster"]["EngineVersion"]) == ("available", "14.6")
    assert set(pg_states(rds).values()) == {("available", "14.6")}
    assert events(sandbox) == []
    # The upgrade is accepted already: a second one is refused.
    expect_error(rds("us-east-1").modify_global_cluster, "InvalidGlobalClusterStateFault",
                 GlobalClusterIdentifier="pg-global", EngineVersion="16.1", AllowMajorVersionUpgrade=True)


def test_major_upgrade_moves_every_member_through_upgrading(sandbox, rds):
    sandbox.seed("postgresql-14")
    sandbox.configure(status_delay_seconds=0, upgrade_seconds=LONG)
    answer = rds("us-east-1").modify_global_cluster(GlobalClusterIdentifier="pg-global", EngineVersion="16.1", AllowMajorVersionUpgrade=True)
    assert (answer["GlobalCluster"]["Status"], answer["GlobalCluster"]["EngineVersion"]) == ("upgrading", "14.6")
    # EngineVersion changes only when the upgrade is finished.
    assert set(pg_states(rds).values()) == {("upgrading", "14.6")}
    assert global_cluster(rds, "pg-global", "eu-west-1")["EngineVersion"] == "14.6"
    sandbox.advance_clock(LONG / 2)
    assert global_cluster(rds, "pg-global")["Status"] == "upgrading"
    sandbox.advance_clock(LONG / 2)
    assert global_cluster(rds, "pg-global")["Status"] == "available"
    assert set(pg_states(rds).values()) == {("available", "16.1")}
    assert global_cluster(rds, "pg-global")["EngineVersion"] == "16.1"
    # A major upgrade puts the members on the new family's default parameter group.
    assert cluster(rds, "pg-secondary-euw1", "eu-west-1")["DBClusterParameterGroup"] == "default.aurora-postgresql16"
    assert events(sandbox) == [
        ("UpgradeStarted", {"GlobalClusterIdentifier": "pg-global", "EngineVersion": "16.1"}),
        ("UpgradeCompleted", {"GlobalClusterIdentifier": "pg-global", "EngineVersion": "16.1"}),
    ]
    started, completed = [entry["time"] for entry in sandbox.journal() if entry["kind"] == "event"]
    assert completed - started == pytest.approx(LONG)


def test_mysql_3_major_upgrade_to_8_4(sandbox, rds):
    sandbox.seed("mysql-3")
    sandbox.configure(status_delay_seconds=0, upgrade_seconds=LONG)
    answer = rds("us-east-1").modify_global_cluster(
        GlobalClusterIdentifier="mysql3-global", EngineVersion="8.4.mysql_aurora.8.4.7", AllowMajorVersionUpgrade=True)
    assert answer["GlobalCluster"]["Status"] == "upgrading"
    sandbox.advance_clock(LONG)
    assert cluster(rds, "mysql3-secondary-usw2", "us-west-2")["EngineVersion"] == "8.4.mysql_aurora.8.4.7"
    assert global_cluster(rds, "mysql3-global")["Status"] == "available"


# 4. ModifyDBCluster on a member


@pytest.mark.parametrize("scenario, identifier, region, target, code, message", [
    ("postgresql-14", "pg-secondary-euw1", "eu-west-1", "15.4", "InvalidParameterCombination",
     "Major Version Upgrade isn't supported in a single member of a global cluster. Use ModifyGlobalCluster to upgrade all the members."),
    ("postgresql-14", "pg-primary-use1", "us-east-1", "14.9", "InvalidParameterValue",
     "Cannot upgrade DB cluster 'pg-primary-use1' to engine version 14.9 as global replica(s) are running lower version. "
     "Please upgrade global replicas first before upgrading the primary member."),
    ("postgresql-14-headless", "pg-secondary-apse2", "ap-southeast-2", "14.9", "InvalidDBClusterStateFault",
     "Cannot modify engine version without a primary instance in DB cluster"),
    ("postgresql-14", "pg-secondary-euw1", "eu-west-1", "14.8", "InvalidParameterValue", "Cannot find upgrade path from 14.6 to 14.8."),
    ("postgresql-14", "pg-secondary-euw1", "eu-west-1", "14.7", "InvalidParameterValue", "doesn't support Aurora global databases"),
    ("mysql-3", "mysql3-secondary-usw2", "us-west-2", "8.4.mysql_aurora.8.4.7", "InvalidParameterCombination", "Major Version Upgrade isn't supported"),
])
def test_modify_db_cluster_on_a_member_refuses_as_aws(sandbox, rds, scenario, identifier, region, target, code, message):
    sandbox.seed(scenario)
    expect_error(rds(region).modify_db_cluster, code, message, DBClusterIdentifier=identifier, EngineVersion=target, ApplyImmediately=True)
    assert cluster(rds, identifier, region)["Status"] == "available"


@pytest.mark.parametrize("scenario, identifier, target, refused", [
    ("mysql-3", "mysql3-secondary-usw2", "8.0.mysql_aurora.3.05.2", True),
    ("mysql-3", "mysql3-secondary-usw2", "8.0.mysql_aurora.3.04.1", True),
    ("mysql-2", "mysql2-secondary-usw2", "5.7.mysql_aurora.2.12.0", True),
    ("mysql-2", "mysql2-secondary-usw2", "5.7.mysql_aurora.2.11.3", False),
])
def test_in_place_mysql_minor_upgrades_are_refused_as_aws_refuses_them(sandbox, rds, scenario, identifier, target, refused):
    sandbox.seed(scenario)
    modify = rds("us-west-2").modify_db_cluster
    if refused:
        expect_error(modify, "InvalidParameterCombination",
                     "In-place minor version upgrade of Aurora MySQL global database cluster '%s-global' to Aurora MySQL engine version %s "
                     "isn't supported. The selected target version %s supports a higher version of community MySQL" % (
                         scenario.replace("-", ""), target, target),
                     DBClusterIdentifier=identifier, EngineVersion=target, ApplyImmediately=True)
        assert cluster(rds, identifier, "us-west-2")["Status"] == "available"
    else:
        modify(DBClusterIdentifier=identifier, EngineVersion=target, ApplyImmediately=True)
        assert sandbox.mutating_calls()[-1]["error"] is None


def test_in_place_mysql_minor_upgrade_refusal_can_be_turned_off(sandbox, rds):
    sandbox.seed("mysql-3")
    sandbox.configure(refuse_in_place_mysql_minor=False)
    rds("us-west-2").modify_db_cluster(DBClusterIdentifier="mysql3-secondary-usw2", EngineVersion="8.0.mysql_aurora.3.05.2", ApplyImmediately=True)
    assert sandbox.mutating_calls()[-1]["error"] is None


def test_modify_db_cluster_needs_an_available_member(sandbox, rds):
    sandbox.seed("postgresql-14")
    sandbox.set_state(db_cluster="pg-secondary-euw1", region="eu-west-1", status="modifying")
    assert cluster(rds, "pg-secondary-euw1", "eu-west-1")["Status"] == "modifying"
    expect_error(rds("eu-west-1").modify_db_cluster, "InvalidDBClusterStateFault",
                 DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.9", ApplyImmediately=True)


def test_minor_upgrade_secondaries_first_then_primary(sandbox, rds):
    sandbox.seed("postgresql-14")
    # Upgrading until released below, however slow the machine.
    sandbox.configure(status_delay_seconds=0, upgrade_seconds=LONG, hold_upgrade_of=PG_SECONDARIES)
    for identifier in PG_SECONDARIES:
        answer = rds(PG_MEMBERS[identifier]).modify_db_cluster(DBClusterIdentifier=identifier, EngineVersion="14.9", ApplyImmediately=True)
        assert (answer["DBCluster"]["Status"], answer["DBCluster"]["EngineVersion"]) == ("upgrading", "14.6")
    # A secondary still upgrading counts as running the lower version, and takes no second upgrade.
    expect_error(rds("us-east-1").modify_db_cluster, "InvalidParameterValue", "global replica(s) are running lower version",
                 DBClusterIdentifier="pg-primary-use1", EngineVersion="14.9", ApplyImmediately=True)
    expect_error(rds("eu-west-1").modify_db_cluster, "InvalidDBClusterStateFault",
                 DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.10", ApplyImmediately=True)
    assert pg_states(rds)["pg-primary-use1"] == ("available", "14.6")
    sandbox.configure(hold_upgrade_of=[])
    sandbox.advance_clock(LONG)
    assert all(pg_states(rds)[identifier] == ("available", "14.9") for identifier in PG_SECONDARIES)
    assert global_cluster(rds, "pg-global")["EngineVersion"] == "14.6"
    rds("us-east-1").modify_db_cluster(DBClusterIdentifier="pg-primary-use1", EngineVersion="14.9", ApplyImmediately=True)
    sandbox.advance_clock(LONG)
    assert pg_states(rds)["pg-primary-use1"] == ("available", "14.9")
    # The global cluster reports its primary's version.
    assert global_cluster(rds, "pg-global")["EngineVersion"] == "14.9"


def test_accepted_member_upgrade_is_pending_and_refuses_a_second_modify(sandbox, rds):
    sandbox.seed("postgresql-14")
    sandbox.configure(status_delay_seconds=LONG)
    client = rds("eu-west-1")
    answer = client.modify_db_cluster(DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.9", ApplyImmediately=True)["DBCluster"]
    assert (answer["Status"], answer["EngineVersion"], answer["PendingModifiedValues"]) == ("available", "14.6", {"EngineVersion": "14.9"})
    described = cluster(rds, "pg-secondary-euw1", "eu-west-1")
    assert (described["Status"], described["EngineVersion"], described["PendingModifiedValues"]) == ("available", "14.6", {"EngineVersion": "14.9"})
    for target in ("14.9", "14.10"):
        expect_error(client.modify_db_cluster, "InvalidDBClusterStateFault", "Cannot modify DB cluster 'pg-secondary-euw1'",
                     DBClusterIdentifier="pg-secondary-euw1", EngineVersion=target, ApplyImmediately=True)
    assert [entry["error"] for entry in sandbox.mutating_calls()] == [None, "InvalidDBClusterStateFault", "InvalidDBClusterStateFault"]
    assert events(sandbox) == []


def test_pending_engine_version_clears_when_the_upgrade_starts(sandbox, rds):
    sandbox.seed("postgresql-14")
    sandbox.configure(status_delay_seconds=LONG, hold_upgrade_of=["pg-secondary-euw1"])
    rds("eu-west-1").modify_db_cluster(DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.9", ApplyImmediately=True)
    assert cluster(rds, "pg-secondary-euw1", "eu-west-1")["PendingModifiedValues"] == {"EngineVersion": "14.9"}
    sandbox.advance_clock(LONG)
    described = cluster(rds, "pg-secondary-euw1", "eu-west-1")
    assert described["Status"] == "upgrading"
    assert (described["EngineVersion"], "PendingModifiedValues" in described) == ("14.6", False)


@pytest.mark.parametrize("held", ["PG-Global", "pg-secondary-euw1"])
def test_a_held_major_upgrade_runs_until_its_global_cluster_or_any_member_is_released(sandbox, rds, held):
    sandbox.seed("postgresql-14")
    # Due to end at once: only the hold keeps it running.
    sandbox.configure(status_delay_seconds=0, upgrade_seconds=0, hold_upgrade_of=[held])
    rds("us-east-1").modify_global_cluster(GlobalClusterIdentifier="pg-global", EngineVersion="16.1", AllowMajorVersionUpgrade=True)
    assert global_cluster(rds, "pg-global")["Status"] == "upgrading"
    assert set(pg_states(rds).values()) == {("upgrading", "14.6")}
    assert [operation for operation, _params in events(sandbox)] == ["UpgradeStarted"]
    sandbox.configure(hold_upgrade_of=[])
    assert global_cluster(rds, "pg-global")["Status"] == "available"
    assert set(pg_states(rds).values()) == {("available", "16.1")}
    assert [operation for operation, _params in events(sandbox)] == ["UpgradeStarted", "UpgradeCompleted"]


def test_a_held_pending_member_upgrade_starts_only_once_released(sandbox, rds):
    sandbox.seed("postgresql-14")
    # Due to start and end at once: only the holds keep it pending, then running.
    sandbox.configure(status_delay_seconds=0, upgrade_seconds=0, hold_pending_of=["PG-Secondary-EUW1"], hold_upgrade_of=["pg-secondary-euw1"])
    client = rds("eu-west-1")
    answer = client.modify_db_cluster(DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.9", ApplyImmediately=True)["DBCluster"]
    assert (answer["Status"], answer["EngineVersion"], answer["PendingModifiedValues"]) == ("available", "14.6", {"EngineVersion": "14.9"})
    described = cluster(rds, "pg-secondary-euw1", "eu-west-1")
    assert (described["Status"], described["EngineVersion"], described["PendingModifiedValues"]) == ("available", "14.6", {"EngineVersion": "14.9"})
    expect_error(client.modify_db_cluster, "InvalidDBClusterStateFault", DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.9", ApplyImmediately=True)
    assert events(sandbox) == []
    sandbox.configure(hold_pending_of=[])
    described = cluster(rds, "pg-secondary-euw1", "eu-west-1")
    assert (described["Status"], described["EngineVersion"], "PendingModifiedValues" in described) == ("upgrading", "14.6", False)
    sandbox.configure(hold_upgrade_of=[])
    assert pg_states(rds)["pg-secondary-euw1"] == ("available", "14.9")
    assert [operation for operation, _params in events(sandbox)] == ["UpgradeStarted", "UpgradeCompleted"]


def test_releasing_hold_releases_once_the_block_read_the_upgrade_often_enough(sandbox, rds):
    sandbox.seed("postgresql-14")
    sandbox.configure(status_delay_seconds=0, upgrade_seconds=0, hold_upgrade_of=["pg-secondary-euw1", "pg-secondary-apse2"])
    for identifier in PG_SECONDARIES:
        rds(PG_MEMBERS[identifier]).modify_db_cluster(DBClusterIdentifier=identifier, EngineVersion="14.9", ApplyImmediately=True)
    with sandbox.releasing_hold("hold_upgrade_of", "PG-Secondary-EUW1", after_reads=3):
        # A run's polling: it reads until it sees the upgrade over (released after its third read).
        for _read in range(1000):
            if cluster(rds, "pg-secondary-euw1", "eu-west-1")["Status"] == "available":
                break
            time.sleep(0.05)
    assert sandbox.configure()["hold_upgrade_of"] == ["pg-secondary-apse2"]
    assert sandbox.reads_of("pg-secondary-euw1") >= 3
    with pytest.raises(AssertionError, match="read pg-secondary-apse2 only 0 times, not 1: it did not wait for the held upgrade"):
        with sandbox.releasing_hold("hold_upgrade_of", "pg-secondary-apse2", after_reads=1):
            pass
    assert pg_states(rds)["pg-secondary-apse2"] == ("upgrading", "14.6")


@pytest.mark.parametrize("refusal, code, message", [
    (None, "InvalidGlobalClusterStateFault", "Global cluster 'pg-global' is upgrading"),
    ("InvalidDBClusterStateFault", "InvalidDBClusterStateFault", "Cannot modify DB cluster 'pg-secondary-apse2'"),
    ("upgrade_global_replicas_first", "InvalidParameterValue", "Please upgrade global replicas first before upgrading the primary member."),
])
def test_global_cluster_settles_after_a_member_upgrade(sandbox, rds, refusal, code, message):
    sandbox.seed("postgresql-14")
    sandbox.configure(status_delay_seconds=0, upgrade_seconds=LONG, settle_seconds=LONG, **({"settle_refusal": refusal} if refusal else {}))
    rds("eu-west-1").modify_db_cluster(DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.9", ApplyImmediately=True)
    sandbox.advance_clock(LONG)
    assert pg_states(rds)["pg-secondary-euw1"] == ("available", "14.9")
    assert global_cluster(rds, "pg-global")["Status"] == "modifying"
    expect_error(rds("ap-southeast-2").modify_db_cluster, code, message,
                 DBClusterIdentifier="pg-secondary-apse2", EngineVersion="14.9", ApplyImmediately=True)
    expect_error(rds("us-east-1").modify_global_cluster, "InvalidGlobalClusterStateFault",
                 GlobalClusterIdentifier="pg-global", EngineVersion="16.1", AllowMajorVersionUpgrade=True)
    assert pg_states(rds)["pg-secondary-apse2"] == ("available", "14.6")
    assert [operation for operation, _params in events(sandbox)] == ["UpgradeStarted", "UpgradeCompleted"]


def test_next_member_upgrade_is_accepted_once_the_global_cluster_settled(sandbox, rds):
    sandbox.seed("postgresql-14")
    sandbox.configure(status_delay_seconds=0, upgrade_seconds=LONG, settle_seconds=LONG)
    rds("eu-west-1").modify_db_cluster(DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.9", ApplyImmediately=True)
    sandbox.advance_clock(LONG)
    assert upgrade_finished(sandbox) and global_cluster(rds, "pg-global")["Status"] == "modifying"
    sandbox.advance_clock(LONG)
    assert global_cluster(rds, "pg-global")["Status"] == "available"
    answer = rds("ap-southeast-2").modify_db_cluster(DBClusterIdentifier="pg-secondary-apse2", EngineVersion="14.9", ApplyImmediately=True)
    assert answer["DBCluster"]["Status"] == "upgrading"
    assert [entry["error"] for entry in sandbox.mutating_calls()] == [None, None]


def test_member_upgrade_without_apply_immediately_stays_pending(sandbox, rds):
    sandbox.seed("postgresql-14")
    sandbox.configure(status_delay_seconds=0)
    answer = rds("eu-west-1").modify_db_cluster(DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.9")
    assert answer["DBCluster"]["PendingModifiedValues"] == {"EngineVersion": "14.9"}
    assert events(sandbox) == []
    assert pg_states(rds)["pg-secondary-euw1"] == ("available", "14.6")
    answer = rds("eu-west-1").modify_db_cluster(DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.9", ApplyImmediately=True)
    assert "PendingModifiedValues" not in answer["DBCluster"]
    assert answer["DBCluster"]["Status"] == "upgrading"


def test_modify_db_cluster_keeps_moto_behaviour_elsewhere(sandbox, rds):
    sandbox.seed("postgresql-14")
    client = rds("eu-west-1")
    client.create_db_cluster(DBClusterIdentifier="standalone", Engine="aurora-postgresql", EngineVersion="14.6",
                             MasterUsername="admin", MasterUserPassword="secret-password")
    assert client.modify_db_cluster(DBClusterIdentifier="standalone", EngineVersion="15.4", ApplyImmediately=True)["DBCluster"]["EngineVersion"] == "15.4"
    changed = client.modify_db_cluster(DBClusterIdentifier="pg-secondary-euw1", BackupRetentionPeriod=7, ApplyImmediately=True)["DBCluster"]
    assert (changed["BackupRetentionPeriod"], changed["EngineVersion"]) == (7, "14.6")
    same = client.modify_db_cluster(DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.6", ApplyImmediately=True)["DBCluster"]
    assert (same["Status"], same["EngineVersion"]) == ("available", "14.6")
    assert events(sandbox) == []


def test_identifiers_are_matched_case_insensitively_and_stored_in_lower_case(sandbox, rds):
    sandbox.seed("postgresql-14")
    sandbox.configure(status_delay_seconds=0, upgrade_seconds=LONG, fail_upgrade_of=["PG-Secondary-EUW1"])
    assert global_cluster(rds, "PG-Global", "eu-west-1")["GlobalClusterIdentifier"] == "pg-global"
    assert global_cluster(rds, "arn:aws:rds::123456789012:global-cluster:PG-GLOBAL")["GlobalClusterIdentifier"] == "pg-global"
    assert cluster(rds, "PG-Secondary-EUW1", "eu-west-1")["DBClusterIdentifier"] == "pg-secondary-euw1"
    answer = rds("eu-west-1").modify_db_cluster(DBClusterIdentifier="Pg-Secondary-Euw1", EngineVersion="14.9", ApplyImmediately=True)["DBCluster"]
    assert (answer["DBClusterIdentifier"], answer["Status"]) == ("pg-secondary-euw1", "upgrading")
    # A failing upgrade rolls back once read upgrading.
    assert cluster(rds, "PG-SECONDARY-euw1", "eu-west-1")["Status"] == "upgrading"
    sandbox.advance_clock(LONG)
    # fail_upgrade_of names the cluster as AWS would accept it: in any case.
    assert events(sandbox)[-1] == ("UpgradeFailed", {"DBClusterIdentifier": "pg-secondary-euw1", "EngineVersion": "14.9"})
    created = rds("us-east-1").create_global_cluster(GlobalClusterIdentifier="Orders-Global", Engine="aurora-postgresql", EngineVersion="14.6")
    assert created["GlobalCluster"]["GlobalClusterIdentifier"] == "orders-global"
    assert global_cluster(rds, "ORDERS-global")["GlobalClusterArn"] == "arn:aws:rds::123456789012:global-cluster:orders-global"
    created = rds("eu-west-1").create_db_cluster(DBClusterIdentifier="Orders-EUW1", Engine="aurora-postgresql", EngineVersion="14.6",
                                                 MasterUsername="admin", MasterUserPassword="secret-password")
    assert created["DBCluster"]["DBClusterIdentifier"] == "orders-euw1"
    assert cluster(rds, "ORDERS-euw1", "eu-west-1")["DBClusterArn"].endswith(":cluster:orders-euw1")


def cluster_events(rds, identifier: str, region: str, **window: Any) -> list[str]:
    found = rds(region).describe_events(SourceType="db-cluster", SourceIdentifier=identifier, **(window or {"Duration": 60}))["Events"]
    for event in found:
        assert (event["SourceIdentifier"], event["SourceType"], event["EventCategories"]) == (identifier.lower(), "db-cluster", ["maintenance"])
        assert event["SourceArn"] == f"arn:aws:rds:{region}:123456789012:cluster:{identifier.lower()}"
    assert [event["Date"] for event in found] == sorted(event["Date"] for event in found)
    return [event["Message"] for event in found]


def test_events_tell_a_minor_upgrade_started_and_finished_in_the_member_region(sandbox, rds):
    sandbox.seed("postgresql-14")
    sandbox.configure(status_delay_seconds=0, upgrade_seconds=LONG)
    rds("eu-west-1").modify_db_cluster(DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.9", ApplyImmediately=True)
    sandbox.advance_clock(LONG)
    assert cluster_events(rds, "PG-Secondary-EUW1", "eu-west-1") == [
        "Database cluster engine version upgrade started.",
        "Database cluster engine version has been upgraded.",
    ]
    assert cluster_events(rds, "pg-secondary-euw1", "us-east-1") == []
    assert cluster_events(rds, "pg-secondary-apse2", "ap-southeast-2") == []
    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=2)
    assert cluster_events(rds, "pg-secondary-euw1", "eu-west-1", StartTime=past, EndTime=past + datetime.timedelta(hours=1)) == []
    expect_error(rds("eu-west-1").describe_events, "InvalidParameterCombination", SourceIdentifier="pg-secondary-euw1")


def test_events_tell_why_an_upgrade_failed(sandbox, rds):
    sandbox.seed("mysql-3")
    sandbox.configure(status_delay_seconds=0, upgrade_seconds=LONG, fail_upgrade_of=["mysql3-secondary-usw2"])
    rds("us-east-1").modify_global_cluster(GlobalClusterIdentifier="mysql3-global", EngineVersion="8.4.mysql_aurora.8.4.7", AllowMajorVersionUpgrade=True)
    assert global_cluster(rds, "mysql3-global")["Status"] == "upgrading"
    sandbox.advance_clock(LONG)
    for identifier, region in (("mysql3-primary-use1", "us-east-1"), ("mysql3-secondary-usw2", "us-west-2")):
        messages = cluster_events(rds, identifier, region)
        assert messages[:2] == ["Database cluster engine version upgrade started.", "Upgrade in progress: Performing online pre-upgrade checks."]
        assert len(messages) == 3
        assert messages[-1].startswith("Database cluster is in a state that cannot be upgraded: Upgrade prechecks failed.")
        assert "upgrade-prechecks.log" in messages[-1]


def test_events_tell_a_major_upgrade_finished_on_every_member(sandbox, rds):
    sandbox.seed("postgresql-14")
    sandbox.configure(status_delay_seconds=0, upgrade_seconds=LONG)
    rds("us-east-1").modify_global_cluster(GlobalClusterIdentifier="pg-global", EngineVersion="16.1", AllowMajorVersionUpgrade=True)
    sandbox.advance_clock(LONG)
    for identifier, region in PG_MEMBERS.items():
        assert cluster_events(rds, identifier, region)[-1] == "Database cluster major version has been upgraded"


# 5. DescribeDBClusters after seeding


def test_seeded_clusters_are_available_with_their_instances_and_groups(sandbox, rds):
    sandbox.seed("postgresql-14-headless")
    sandbox.seed("mysql-2")
    for identifier, region in PG_MEMBERS.items():
        found = cluster(rds, identifier, region)
        assert (found["Status"], found["EngineVersion"], found["DBClusterParameterGroup"]) == ("available", "14.6", "pg-global-params")
        assert found["GlobalClusterIdentifier"] == "pg-global"
    assert cluster(rds, "pg-secondary-apse2", "ap-southeast-2")["DBClusterMembers"] == []
    writer = cluster(rds, "pg-primary-use1", "us-east-1")["DBClusterMembers"]
    assert [(member["DBInstanceIdentifier"], member["IsClusterWriter"]) for member in writer] == [("pg-primary-use1-1", True)]
    instance = rds("us-east-1").describe_db_instances(DBInstanceIdentifier="pg-primary-use1-1")["DBInstances"][0]
    assert (instance["DBInstanceClass"], instance["DBInstanceStatus"], instance["Engine"]) == ("db.r6g.large", "available", "aurora-postgresql")
    mysql = cluster(rds, "mysql2-secondary-usw2", "us-west-2")
    assert (mysql["Status"], mysql["EngineVersion"], mysql["DBClusterParameterGroup"]) == ("available", "5.7.mysql_aurora.2.11.2", "default.aurora-mysql5.7")
    assert rds("eu-west-1").describe_db_clusters(DBClusterIdentifier="arn:aws:rds:eu-west-1:123456789012:cluster:pg-secondary-euw1")["DBClusters"]


def test_seeding_twice_is_refused(sandbox):
    sandbox.seed("postgresql-14")
    with pytest.raises(SandboxError, match="already exists"):
        sandbox.seed("postgresql-14-rpo")


# 6. Cluster parameter groups and rds.global_db_rpo


def rpo_parameters(rds, region: str) -> list[dict[str, Any]]:
    return rds(region).describe_db_cluster_parameters(DBClusterParameterGroupName="pg-global-params", Source="user", Filters=RPO_FILTER)["Parameters"]


def test_rpo_parameter_is_read_per_region_and_reset(sandbox, rds):
    sandbox.seed("postgresql-14-rpo")
    [parameter] = rpo_parameters(rds, "us-east-1")
    assert (parameter["ParameterName"], parameter["ParameterValue"], parameter["Source"]) == ("rds.global_db_rpo", "60", "user")
    assert rpo_parameters(rds, "eu-west-1") == []
    assert rds("us-east-1").describe_db_cluster_parameters(DBClusterParameterGroupName="pg-global-params", Source="engine-default")["Parameters"] == []
    assert rds("us-east-1").describe_db_cluster_parameters(DBClusterParameterGroupName="default.aurora-postgresql14", Source="user")["Parameters"] == []
    answer = rds("us-east-1").reset_db_cluster_parameter_group(
        DBClusterParameterGroupName="pg-global-params", Parameters=[{"ParameterName": "rds.global_db_rpo", "ApplyMethod": "immediate"}]
    )
    assert answer["DBClusterParameterGroupName"] == "pg-global-params"
    assert rpo_parameters(rds, "us-east-1") == []
    rds("us-east-1").modify_global_cluster(GlobalClusterIdentifier="pg-global", EngineVersion="15.4", AllowMajorVersionUpgrade=True)


def test_reset_all_parameters_and_unknown_groups(sandbox, rds):
    sandbox.seed("postgresql-14-rpo")
    client = rds("us-east-1")
    client.reset_db_cluster_parameter_group(DBClusterParameterGroupName="pg-global-params", ResetAllParameters=True)
    assert rpo_parameters(rds, "us-east-1") == []
    expect_error(client.describe_db_cluster_parameters, "DBParameterGroupNotFound", DBClusterParameterGroupName="missing")
    expect_error(client.reset_db_cluster_parameter_group, "DBParameterGroupNotFound", DBClusterParameterGroupName="missing", ResetAllParameters=True)


# 7. Fault injection


def rds_at(endpoint_url: str, signed_region: str) -> Any:
    """A boto3 RDS client that signs for signed_region and sends to endpoint_url; no retries."""
    return SandboxClient(endpoint_url).aws_client("rds", signed_region, max_attempts=1)


def test_regional_endpoints_refuse_requests_signed_for_another_region(sandbox):
    sandbox.seed("postgresql-14")
    sandbox.configure(regional_endpoints=True, status_delay_seconds=0)
    euw1 = rds_at(f"{sandbox.endpoint_url}/region/eu-west-1", "eu-west-1")
    assert euw1.describe_db_clusters(DBClusterIdentifier="pg-secondary-euw1")["DBClusters"][0]["Status"] == "available"
    # The bare endpoint is us-east-1's.
    assert rds_at(sandbox.endpoint_url, "us-east-1").describe_global_clusters()["GlobalClusters"][0]["GlobalClusterIdentifier"] == "pg-global"
    for endpoint_url, signed_region in ((sandbox.endpoint_url, "eu-west-1"), (f"{sandbox.endpoint_url}/region/ap-southeast-2", "eu-west-1")):
        refused = expect_error(rds_at(endpoint_url, signed_region).modify_db_cluster, "SignatureDoesNotMatch",
                               DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.9", ApplyImmediately=True)
        assert refused.response["Error"]["Message"] == "Credential should be scoped to a valid region, not 'eu-west-1'. "
        assert refused.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "PendingModifiedValues" not in euw1.describe_db_clusters(DBClusterIdentifier="pg-secondary-euw1")["DBClusters"][0]
    assert [(entry["region"], entry["error"]) for entry in sandbox.mutating_calls()] == [("eu-west-1", "SignatureDoesNotMatch")] * 2
    assert euw1.modify_db_cluster(DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.9", ApplyImmediately=True)["DBCluster"]["Status"] == "upgrading"


def test_shared_endpoint_serves_every_region_with_or_without_a_region_prefix(sandbox):
    sandbox.seed("postgresql-14")
    for endpoint_url in (sandbox.endpoint_url, f"{sandbox.endpoint_url}/region/us-east-1"):
        found = rds_at(endpoint_url, "eu-west-1").describe_db_clusters(DBClusterIdentifier="pg-secondary-euw1")["DBClusters"]
        assert [described["DBClusterIdentifier"] for described in found] == ["pg-secondary-euw1"]
    assert [entry["error"] for entry in sandbox.journal()] == [None, None]


def throttled_pattern(rds, calls: int) -> list[bool]:
    pattern = []
    for _call in range(calls):
        try:
            rds("eu-west-1").describe_global_clusters()
            pattern.append(False)
        except ClientError as error:
            assert error.response["Error"] == {"Code": "Throttling", "Message": "Rate exceeded", "Type": "Sender"}
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
            pattern.append(True)
    return pattern


def test_throttling_is_deterministic_and_journaled(sandbox, rds):
    sandbox.configure(throttle_fraction=0.5, throttle_seed=7)
    first = throttled_pattern(rds, 20)
    assert 3 < sum(first) < 17
    sandbox.configure(throttle_seed=7)
    assert throttled_pattern(rds, 20) == first
    journaled = [entry["error"] == "Throttling" for entry in sandbox.journal()]
    assert journaled == first + first
    sandbox.configure(throttle_fraction=1)
    assert throttled_pattern(rds, 3) == [True] * 3
    sandbox.configure(throttle_fraction=0)
    assert throttled_pattern(rds, 3) == [False] * 3


def test_failed_upgrade_returns_to_the_old_version(sandbox, rds):
    sandbox.seed("postgresql-14")
    sandbox.configure(fail_upgrade_of=["pg-secondary-euw1"], status_delay_seconds=0, upgrade_seconds=LONG)
    answer = rds("eu-west-1").modify_db_cluster(DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.9", ApplyImmediately=True)
    assert (answer["DBCluster"]["Status"], answer["DBCluster"]["EngineVersion"]) == ("upgrading", "14.6")
    sandbox.advance_clock(LONG)
    # Due to end, it still reads upgrading: a failing upgrade rolls back only once a Describe has shown it upgrading.
    assert pg_states(rds)["pg-secondary-euw1"] == ("upgrading", "14.6")
    sandbox.advance_clock(0)
    assert pg_states(rds)["pg-secondary-euw1"] == ("available", "14.6")
    assert events(sandbox) == [
        ("UpgradeStarted", {"DBClusterIdentifier": "pg-secondary-euw1", "EngineVersion": "14.9"}),
        ("UpgradeFailed", {"DBClusterIdentifier": "pg-secondary-euw1", "EngineVersion": "14.9"}),
    ]


def test_a_failing_member_fails_the_global_upgrade(sandbox, rds):
    sandbox.seed("mysql-3")
    sandbox.configure(fail_upgrade_of=["mysql3-secondary-usw2"], status_delay_seconds=0, upgrade_seconds=LONG)
    rds("us-east-1").modify_global_cluster(GlobalClusterIdentifier="mysql3-global", EngineVersion="8.4.mysql_aurora.8.4.7", AllowMajorVersionUpgrade=True)
    assert cluster(rds, "mysql3-primary-use1", "us-east-1")["Status"] == "upgrading"
    sandbox.advance_clock(LONG)
    assert global_cluster(rds, "mysql3-global")["EngineVersion"] == "8.0.mysql_aurora.3.04.0"
    assert cluster(rds, "mysql3-primary-use1", "us-east-1")["EngineVersion"] == "8.0.mysql_aurora.3.04.0"
    assert events(sandbox)[-1] == ("UpgradeFailed", {"GlobalClusterIdentifier": "mysql3-global", "EngineVersion": "8.4.mysql_aurora.8.4.7"})


def test_lost_response_is_applied_then_answered_500_once(sandbox, rds):
    sandbox.seed("postgresql-14")
    sandbox.configure(status_delay_seconds=LONG, lose_response_of=["ModifyDBCluster"])
    client = rds("eu-west-1")
    # A refused call is not applied: it keeps its answer and leaves the fault armed.
    expect_error(client.modify_db_cluster, "InvalidParameterValue", DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.8", ApplyImmediately=True)
    lost = expect_error(client.modify_db_cluster, "InternalFailure", DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.9", ApplyImmediately=True)
    assert lost.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert cluster(rds, "pg-secondary-euw1", "eu-west-1")["PendingModifiedValues"] == {"EngineVersion": "14.9"}
    assert sandbox.configure()["lose_response_of"] == []
    # The resend a retry policy makes is refused: the upgrade is already accepted.
    expect_error(client.modify_db_cluster, "InvalidDBClusterStateFault", DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.9", ApplyImmediately=True)
    assert [(entry["error"], entry.get("applied")) for entry in sandbox.mutating_calls()] == [
        ("InvalidParameterValue", None), ("InternalFailure", True), ("InvalidDBClusterStateFault", None),
    ]


def test_lost_response_is_retried_by_botocore_and_refused(sandbox):
    sandbox.seed("postgresql-14")
    sandbox.configure(status_delay_seconds=LONG, lose_response_of=["ModifyDBCluster", "DescribeDBClusters"])
    client = sandbox.aws_client("rds", "eu-west-1", max_attempts=2)
    expect_error(client.modify_db_cluster, "InvalidDBClusterStateFault", DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.9", ApplyImmediately=True)
    # A lost read is harmless: the retry answers.
    assert client.describe_db_clusters(DBClusterIdentifier="pg-secondary-euw1")["DBClusters"][0]["PendingModifiedValues"] == {"EngineVersion": "14.9"}
    assert [(entry["operation"], entry["error"]) for entry in sandbox.journal()] == [
        ("ModifyDBCluster", "InternalFailure"), ("ModifyDBCluster", "InvalidDBClusterStateFault"),
        ("DescribeDBClusters", "InternalFailure"), ("DescribeDBClusters", None),
    ]


def test_late_response_is_applied_at_once_and_answered_late_once(sandbox, rds):
    sandbox.seed("postgresql-14")
    late = 1.0
    sandbox.configure(late_response_of=["AddTagsToResource"], late_response_seconds=late)
    client = rds("us-east-1")
    arn = global_cluster(rds, "pg-global")["GlobalClusterArn"]
    started = time.monotonic()
    client.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "team", "Value": "db"}])
    # A lower bound only: a loaded machine makes the answer later still, never sooner.
    assert time.monotonic() - started >= late
    assert sandbox.configure()["late_response_of"] == []
    client.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "owner", "Value": "ops"}])
    assert {tag["Key"] for tag in client.list_tags_for_resource(ResourceName=arn)["TagList"]} >= {"team", "owner"}
    assert [(entry["error"], entry.get("late")) for entry in sandbox.journal() if entry["operation"] == "AddTagsToResource"] == [
        (None, True), (None, None),
    ]


def test_latency_delays_every_rds_call_but_not_calls_in_parallel(sandbox):
    # Long enough that calls made one after the other could not end in time, however slow the machine.
    latency = 1.0
    sandbox.configure(latency_seconds=latency)
    regions = ["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"]
    clients = {region: rds_at(sandbox.endpoint_url, region) for region in regions}

    def timed_describe(region: str) -> float:
        started = time.monotonic()
        clients[region].describe_global_clusters()
        return time.monotonic() - started

    assert timed_describe("eu-west-1") >= latency
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(regions)) as pool:
        started = time.monotonic()
        durations = list(pool.map(timed_describe, regions))
        elapsed = time.monotonic() - started
    assert min(durations) >= latency
    # Not a speed target: calls waiting one after the other could not take less than this.
    assert elapsed < latency * len(regions)
    sandbox.configure(latency_seconds=0)
    assert timed_describe("eu-west-1") < latency


def test_configure_refuses_unknown_settings_and_bad_values(sandbox):
    for settings in ({"upgrade_minutes": 1}, {"throttle_fraction": 2}, {"fail_upgrade_of": "pg-primary-use1"}, {"hidden_versions": ["14.9"]},
                     {"settle_seconds": -1}, {"settle_refusal": "Throttling"}, {"lose_response_of": "ModifyDBCluster"},
                     {"late_response_of": "AddTagsToResource"}, {"late_response_seconds": -1}, {"regional_endpoints": "yes"},
                     {"latency_seconds": "1"}, {"pending_resync": [1]}, {"deprecated_versions": "14.6"}):
        with pytest.raises(SandboxError, match="HTTP 400"):
            sandbox.configure(**settings)
    assert sandbox.configure()["upgrade_seconds"] == SANDBOX_TIMINGS["upgrade_seconds"]
    for seconds in (-1, "1", True):
        with pytest.raises(SandboxError, match="advance must be a number of seconds >= 0"):
            sandbox.advance_clock(seconds)


# Journal and reset


def test_journal_records_every_rds_call_in_order(sandbox, rds):
    sandbox.seed("postgresql-14")
    sandbox.configure(status_delay_seconds=0, upgrade_seconds=LONG)
    assert sandbox.journal() == []
    rds("eu-west-1").describe_db_clusters(DBClusterIdentifier="pg-secondary-euw1")
    expect_error(rds("us-east-1").modify_global_cluster, "InvalidParameterCombination",
                 GlobalClusterIdentifier="pg-global", EngineVersion="15.4", AllowMajorVersionUpgrade=False)
    rds("eu-west-1").modify_db_cluster(DBClusterIdentifier="pg-secondary-euw1", EngineVersion="14.9", ApplyImmediately=True)
    sandbox.advance_clock(LONG)
    rds("eu-west-1").describe_db_clusters(DBClusterIdentifier="pg-secondary-euw1")
    journal = sandbox.journal()
    assert [(entry["kind"], entry["operation"], entry["region"], entry["error"]) for entry in journal] == [
        ("call", "DescribeDBClusters", "eu-west-1", None),
        ("call", "ModifyGlobalCluster", "us-east-1", "InvalidParameterCombination"),
        ("call", "ModifyDBCluster", "eu-west-1", None),
        ("event", "UpgradeStarted", "eu-west-1", None),
        ("event", "UpgradeCompleted", "eu-west-1", None),
        ("call", "DescribeDBClusters", "eu-west-1", None),
    ]
    assert journal[1]["params"] == {"GlobalClusterIdentifier": "pg-global", "EngineVersion": "15.4", "AllowMajorVersionUpgrade": False}
    assert journal[2]["params"] == {"DBClusterIdentifier": "pg-secondary-euw1", "EngineVersion": "14.9", "ApplyImmediately": True}
    assert [entry["seq"] for entry in journal] == sorted(entry["seq"] for entry in journal)
    assert [entry["time"] for entry in journal] == sorted(entry["time"] for entry in journal)
    # The completion is journaled at its logical time, before the describe that shows it.
    assert journal[4]["time"] - journal[3]["time"] == pytest.approx(LONG)
    assert [entry["operation"] for entry in sandbox.mutating_calls()] == ["ModifyGlobalCluster", "ModifyDBCluster"]
    sandbox.clear_journal()
    assert sandbox.journal() == []


# A client that sends one RDS call (unsigned, as moto takes it) and stops itself before it reads the answer.
_SEND_THEN_STOP = """
import http.client, os, signal, sys, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
connection = http.client.HTTPConnection(url.hostname, url.port)
connection.request("POST", "/", body="Action=DescribeDBClusters&Version=2014-10-31", headers={
    "Content-Type": "application/x-www-form-urlencoded",
    "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20261207/eu-west-1/rds/aws4_request, SignedHeaders=host, Signature=0"})
os.kill(os.getpid(), signal.SIGSTOP)
"""


def test_kill_and_drain_returns_once_the_killed_clients_requests_are_journaled(sandbox):
    # The call waits out the latency in the sandbox's handler after its client is dead, as a loaded machine makes it wait.
    sandbox.configure(latency_seconds=1)
    with subprocess.Popen([sys.executable, "-c", _SEND_THEN_STOP, sandbox.endpoint_url]) as client:
        # WUNTRACED: return once the client has stopped itself, its request sent.
        assert os.WIFSTOPPED(os.waitpid(client.pid, os.WUNTRACED)[1])
        ports = kill_and_drain(sandbox, [client.pid])
    assert len(ports) == 1
    assert [(entry["operation"], entry["region"]) for entry in sandbox.journal()] == [("DescribeDBClusters", "eu-west-1")]
    assert sandbox.finished_connections()[ports.pop()] >= 1


def test_reset_forgets_resources_journal_settings_and_upgrades(sandbox, rds):
    initial = sandbox.configure()
    sandbox.seed("postgresql-14")
    sandbox.configure(upgrade_seconds=30, status_delay_seconds=0, throttle_fraction=0.0, fail_upgrade_of=["pg-primary-use1"],
                      deprecated_versions=["14.6"], settle_seconds=5, settle_refusal="InvalidDBClusterStateFault", lose_response_of=["ModifyDBCluster"],
                      late_response_of=["AddTagsToResource"], late_response_seconds=1, pending_resync=["pg-secondary-euw1"], regional_endpoints=True,
                      latency_seconds=0.01, hidden_versions={"eu-west-1": ["14.9"]},
                      hold_upgrade_of=["pg-global"], hold_pending_of=["mysql3-global"], hold_transition_of=["pg-primary-use1"])
    rds("us-east-1").modify_global_cluster(GlobalClusterIdentifier="pg-global", EngineVersion="15.4", AllowMajorVersionUpgrade=True)
    assert cluster_events(rds, "pg-primary-use1", "us-east-1")
    sandbox.advance_clock(LONG)
    sandbox.reset()
    # The clock is the machine's again.
    assert sandbox.advance_clock(0) < time.time() + LONG / 2
    assert sandbox.journal() == []
    config = sandbox.configure()
    assert config == initial
    assert {name: config[name] for name in SANDBOX_TIMINGS} == SANDBOX_TIMINGS and config["fail_upgrade_of"] == []
    assert rds("us-east-1").describe_global_clusters()["GlobalClusters"] == []
    sandbox.seed("postgresql-14")
    assert global_cluster(rds, "pg-global")["Status"] == "available"
    assert events(sandbox) == []
    assert rds("us-east-1").describe_events(SourceType="db-cluster")["Events"] == []


# Command line


def run_cli(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(TESTS_DIR)}
    return subprocess.run([sys.executable, "-m", "sandbox", *args], env=env, check=True, capture_output=True, text=True, timeout=60).stdout


def test_cli_seeds_configures_and_prints_the_journal(sandbox, rds):
    assert "postgresql-14-headless:" in run_cli("scenarios")
    run_cli("seed", "--endpoint-url", sandbox.endpoint_url, "--scenario", "mysql-2")
    printed = run_cli("configure", "--endpoint-url", sandbox.endpoint_url, "throttle_seed=3", 'hidden_versions={"us-west-2": []}',
                      "settle_refusal=InvalidDBClusterStateFault", 'lose_response_of=["ModifyDBCluster"]')
    assert '"throttle_seed": 3' in printed
    assert sandbox.configure()["settle_refusal"] == "InvalidDBClusterStateFault"
    assert sandbox.configure()["lose_response_of"] == ["ModifyDBCluster"]
    rds("us-west-2").describe_global_clusters(GlobalClusterIdentifier="mysql2-global")
    assert '"operation": "DescribeGlobalClusters"' in run_cli("journal", "--endpoint-url", sandbox.endpoint_url)


def test_cli_start_runs_the_sandbox_in_the_background_until_stop(tmp_path):
    pidfile = tmp_path / "sandbox.pid"
    endpoint_url = run_cli("start", "--pidfile", str(pidfile), "--upgrade-seconds", "7", "--set", "settle_refusal=InvalidDBClusterStateFault").strip()
    try:
        assert endpoint_url.startswith("http://127.0.0.1:")
        assert "sandbox" in Path("/proc/%s/cmdline" % pidfile.read_text(encoding="utf-8").strip()).read_text(encoding="utf-8", errors="replace")
        client = SandboxClient(endpoint_url)
        assert client.seed("mysql-3")["global_cluster_identifier"] == "mysql3-global"
        client.configure(upgrade_seconds=1)
        client.reset()
        # The settings it started with are the ones a reset returns to.
        assert (client.configure()["upgrade_seconds"], client.configure()["settle_refusal"]) == (7.0, "InvalidDBClusterStateFault")
    finally:
        assert run_cli("stop", "--pidfile", str(pidfile)).strip() == "stopped"
    assert not pidfile.exists()
    assert run_cli("stop", "--pidfile", str(pidfile)).strip() == "not running"


def test_a_sandbox_of_its_own_process_writes_its_pidfile_and_stops_with_the_block(tmp_path):
    pidfile = tmp_path / "sandbox.pid"
    with running_sandbox(own_process=True, pidfile=str(pidfile), status_delay_seconds=3) as server:
        assert server.seed("mysql-3")["global_cluster_identifier"] == "mysql3-global"
        assert server.configure()["status_delay_seconds"] == 3.0
        pid = int(pidfile.read_text(encoding="utf-8"))
        assert Path("/proc/%d" % pid).exists()
    # Its pidfile goes when it exits after SIGTERM, cleanly.
    assert not pidfile.exists()
