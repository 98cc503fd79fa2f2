# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The sandbox's removal from a global cluster, renames and new secondaries (sandbox/membership.py) behave as AWS does
(docs/sandbox.md, "Removing, renaming and adding secondaries"). Intermediate statuses are held with hold_transition_of,
so that no test counts seconds."""

from __future__ import annotations

import pytest

# The sandbox's client that does not retry (a fixture) and the refusal it raises, shared with the snapshot restore's tests.
from test_sandbox_restores import _error
from test_sandbox_restores import rds  # noqa: F401 pylint: disable=unused-import

ACCOUNT = "123456789012"
SECONDARY, SECONDARY_REGION = "mysql3-secondary-usw2", "us-west-2"
PRIMARY = "mysql3-primary-use1"
V3 = "8.0.mysql_aurora.3.04.0"


@pytest.fixture
def mysql3(sandbox):
    sandbox.seed("mysql-3")
    return sandbox


def _arn(identifier, region):
    return "arn:aws:rds:%s:%s:cluster:%s" % (region, ACCOUNT, identifier)


def _cluster(rds, identifier, region):
    return rds(region).describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]


def _members(rds):
    global_cluster = rds("us-east-1").describe_global_clusters(GlobalClusterIdentifier="mysql3-global")["GlobalClusters"][0]
    return {member["DBClusterArn"].rsplit(":", 1)[-1]: member for member in global_cluster["GlobalClusterMembers"]}


def _remove(rds, identifier=SECONDARY, region=SECONDARY_REGION):
    return rds(region).remove_from_global_cluster(GlobalClusterIdentifier="mysql3-global", DbClusterIdentifier=_arn(identifier, region))


# RemoveFromGlobalCluster


def test_a_removed_secondary_is_promoting_then_a_standalone_available_cluster(mysql3, rds):
    mysql3.configure(hold_transition_of=[SECONDARY])
    answer = _remove(rds)["GlobalCluster"]
    assert [member["DBClusterArn"] for member in answer["GlobalClusterMembers"]] == [_arn(PRIMARY, "us-east-1")]
    removed = _cluster(rds, SECONDARY, SECONDARY_REGION)
    assert removed["Status"] == "promoting"
    assert "GlobalClusterIdentifier" not in removed
    assert removed["DBClusterArn"] == _arn(SECONDARY, SECONDARY_REGION)
    assert list(_members(rds)) == [PRIMARY]
    mysql3.configure(hold_transition_of=[])
    assert _cluster(rds, SECONDARY, SECONDARY_REGION)["Status"] == "available"
    assert ("ClusterPromoted", {"DBClusterIdentifier": SECONDARY}) in [
        (entry["operation"], entry["params"]) for entry in mysql3.journal() if entry["kind"] == "event"]


def test_removal_is_asked_in_the_members_own_region(mysql3, rds):
    error = _error(rds("us-east-1").remove_from_global_cluster, GlobalClusterIdentifier="mysql3-global",
                   DbClusterIdentifier=_arn(SECONDARY, SECONDARY_REGION))
    assert error["Code"] == "DBClusterNotFoundFault"
    assert SECONDARY in _members(rds)


def test_removal_wants_the_arn(mysql3, rds):
    error = _error(rds(SECONDARY_REGION).remove_from_global_cluster, GlobalClusterIdentifier="mysql3-global", DbClusterIdentifier=SECONDARY)
    assert (error["Code"], "malformed" in error["Message"]) == ("InvalidParameterValue", True)


def test_a_second_removal_says_the_cluster_is_not_in_the_global_cluster(mysql3, rds):
    _remove(rds)
    error = _error(_remove, rds)
    assert error["Code"] == "InvalidParameterValue" and "is not found in global cluster" in error["Message"]


def test_the_primary_goes_last(mysql3, rds):
    error = _error(_remove, rds, PRIMARY, "us-east-1")
    assert error["Code"] == "InvalidGlobalClusterStateFault"
    _remove(rds)
    _remove(rds, PRIMARY, "us-east-1")
    assert _members(rds) == {}


# Renaming


def test_a_standalone_cluster_is_renamed_renaming_then_available_with_its_endpoint_hash(mysql3, rds):
    before = _cluster(rds, SECONDARY, SECONDARY_REGION)
    _remove(rds)
    mysql3.configure(hold_transition_of=[SECONDARY + "-detached"])
    renamed = rds(SECONDARY_REGION).modify_db_cluster(
        DBClusterIdentifier=SECONDARY, NewDBClusterIdentifier=SECONDARY + "-detached", ApplyImmediately=True)["DBCluster"]
    assert (renamed["DBClusterIdentifier"], renamed["Status"]) == (SECONDARY + "-detached", "renaming")
    assert renamed["Endpoint"] == before["Endpoint"].replace(SECONDARY + ".", SECONDARY + "-detached.", 1)
    assert _error(rds(SECONDARY_REGION).describe_db_clusters, DBClusterIdentifier=SECONDARY)["Code"] == "DBClusterNotFoundFault"
    mysql3.configure(hold_transition_of=[])
    detached = _cluster(rds, SECONDARY + "-detached", SECONDARY_REGION)
    assert detached["Status"] == "available"
    assert [member["DBInstanceIdentifier"] for member in detached["DBClusterMembers"]] == [
        member["DBInstanceIdentifier"] for member in before["DBClusterMembers"]]


def test_a_global_member_is_refused_a_rename(mysql3, rds):
    error = _error(rds(SECONDARY_REGION).modify_db_cluster, DBClusterIdentifier=SECONDARY, NewDBClusterIdentifier="other", ApplyImmediately=True)
    assert error["Code"] == "InvalidParameterCombination" and "Remove it from the global cluster first" in error["Message"]
    assert _cluster(rds, SECONDARY, SECONDARY_REGION)["Status"] == "available"


def test_an_instance_is_renamed_renaming_then_available(mysql3, rds):
    instance = _cluster(rds, SECONDARY, SECONDARY_REGION)["DBClusterMembers"][0]["DBInstanceIdentifier"]
    mysql3.configure(hold_transition_of=[instance + "-detached"])
    renamed = rds(SECONDARY_REGION).modify_db_instance(
        DBInstanceIdentifier=instance, NewDBInstanceIdentifier=instance + "-detached", ApplyImmediately=True)["DBInstance"]
    assert (renamed["DBInstanceIdentifier"], renamed["DBInstanceStatus"]) == (instance + "-detached", "renaming")
    mysql3.configure(hold_transition_of=[])
    found = rds(SECONDARY_REGION).describe_db_instances(DBInstanceIdentifier=instance + "-detached")["DBInstances"][0]
    assert found["DBInstanceStatus"] == "available"


# Adding a secondary


def _create_secondary(rds, identifier=SECONDARY, **extra):
    return rds(SECONDARY_REGION).create_db_cluster(
        DBClusterIdentifier=identifier, GlobalClusterIdentifier="mysql3-global", Engine="aurora-mysql", EngineVersion=V3, **extra)["DBCluster"]


def test_a_new_secondary_takes_no_master_user(mysql3, rds):
    _remove(rds)
    error = _error(_create_secondary, rds, SECONDARY + "-new", MasterUsername="admin", MasterUserPassword="secret-password")
    assert error["Code"] == "InvalidParameterCombination" and "cross region replication cluster" in error["Message"]


def test_a_new_secondary_keeps_the_original_endpoint_names(mysql3, rds):
    original = _cluster(rds, SECONDARY, SECONDARY_REGION)
    _remove(rds)
    rds(SECONDARY_REGION).modify_db_cluster(DBClusterIdentifier=SECONDARY, NewDBClusterIdentifier=SECONDARY + "-detached", ApplyImmediately=True)
    new = _create_secondary(rds)
    assert (new["Endpoint"], new["ReaderEndpoint"]) == (original["Endpoint"], original["ReaderEndpoint"])


def test_no_instance_while_the_new_cluster_is_creating(mysql3, rds):
    _remove(rds)
    # Any time at all makes a transition the hold can stop; released, it is already due.
    mysql3.configure(provision_seconds=0.001, hold_transition_of=[SECONDARY + "-new"])
    _create_secondary(rds, SECONDARY + "-new")
    create_instance = rds(SECONDARY_REGION).create_db_instance
    instance = dict(DBInstanceIdentifier="new-instance", DBClusterIdentifier=SECONDARY + "-new", Engine="aurora-mysql", DBInstanceClass="db.r6g.large")
    error = _error(create_instance, **instance)
    assert error["Code"] == "InvalidDBClusterStateFault" and "creating" in error["Message"]
    mysql3.configure(hold_transition_of=[])
    assert create_instance(**instance)["DBInstance"]["DBClusterIdentifier"] == SECONDARY + "-new"


def test_a_new_secondary_is_pending_resync_then_connected(mysql3, rds):
    _remove(rds)
    mysql3.configure(hold_transition_of=[SECONDARY + "-new"])
    _create_secondary(rds, SECONDARY + "-new")
    assert _members(rds)[SECONDARY + "-new"]["SynchronizationStatus"] == "pending-resync"
    assert _members(rds)[PRIMARY]["SynchronizationStatus"] == "connected"
    mysql3.configure(hold_transition_of=[])
    assert _members(rds)[SECONDARY + "-new"]["SynchronizationStatus"] == "connected"


def test_the_primary_alone_takes_an_in_place_minor_upgrade(mysql3, rds):
    modify = rds("us-east-1").modify_db_cluster
    _remove(rds)
    modify(DBClusterIdentifier=PRIMARY, EngineVersion="8.0.mysql_aurora.3.05.2", ApplyImmediately=True)
    assert mysql3.mutating_calls()[-1]["error"] is None
