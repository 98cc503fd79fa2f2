# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The RDS calls: per-region endpoints, the wrong-region signature error, deprecated versions, case-insensitive identifiers."""

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER_SNAPSHOT
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import GLOBAL_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.rds import NotFound
from ansible_collections.aurora.global_db.plugins.module_utils.rds import RegionalClients
from ansible_collections.aurora.global_db.plugins.module_utils.rds import create_or_adopt
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_db_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_engine_version
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_global_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.rds import engine_version_entry
from ansible_collections.aurora.global_db.plugins.module_utils.rds import error_code
from ansible_collections.aurora.global_db.plugins.module_utils.rds import find
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import FakeWorld
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import client_error


def _itself(module):
    return module


class FakeModule:
    """What RegionalClients asks of its connection: region and client(); records every client() call."""

    region = "us-east-1"

    def __init__(self, client=None):
        self.clients_made = []
        self._client = client

    def client(self, service, retry_decorator=None, **kwargs):
        self.clients_made.append((service, kwargs))
        return self._client


def _clients(world):
    """RegionalClients whose every region's client is the fake world's (RDS in us-east-1 answers for them all)."""
    return RegionalClients(FakeModule(client=world.rds("us-east-1")), connect=_itself)


def test_a_region_with_an_entry_gets_its_own_endpoint_and_others_get_endpoint_url():
    module = FakeModule()
    clients = RegionalClients(module, {"eu-west-1": "https://vpce-1.rds.eu-west-1.vpce.amazonaws.com"}, connect=_itself)
    clients.rds("eu-west-1")
    clients.rds("us-east-1")
    clients.rds("eu-west-1")
    assert module.clients_made == [
        ("rds", {"region": "eu-west-1", "endpoint": "https://vpce-1.rds.eu-west-1.vpce.amazonaws.com"}),
        ("rds", {"region": "us-east-1"}),
    ]


@pytest.mark.parametrize("url", ["", "  ", 5, None])
def test_an_entry_that_is_not_a_url_is_a_clear_error(url):
    with pytest.raises(AuroraGlobalError) as failed:
        RegionalClients(FakeModule(), {"eu-west-1": url}, connect=_itself).rds("eu-west-1")
    assert str(failed.value).startswith("region_endpoint_urls: the entry for eu-west-1 must be an endpoint URL")


def test_a_request_signed_for_another_region_names_the_region_and_the_option():
    world = FakeWorld()
    error = client_error("SignatureDoesNotMatch", "Credential should be scoped to a valid region, not 'eu-west-1'. ", "DescribeDBClusters")
    world.refusals[("describe_db_clusters", "pg-secondary-euw1")] = error
    with pytest.raises(AuroraGlobalError) as failed:
        describe_db_cluster(_clients(world), "eu-west-1", "pg-secondary-euw1")
    assert "does not serve region eu-west-1" in failed.value.message
    assert "region_endpoint_urls" in failed.value.message
    assert failed.value.exception is error


def test_other_signature_errors_are_reported_as_they_are():
    world = FakeWorld()
    world.refusals[("describe_db_clusters", "pg-secondary-euw1")] = client_error(
        "SignatureDoesNotMatch", "The request signature we calculated does not match", "DescribeDBClusters")
    with pytest.raises(AuroraGlobalError) as failed:
        describe_db_cluster(_clients(world), "eu-west-1", "pg-secondary-euw1")
    assert failed.value.message == "Describing DB cluster pg-secondary-euw1 in eu-west-1"


@pytest.mark.parametrize("kind", [DB_CLUSTER, DB_CLUSTER_SNAPSHOT, GLOBAL_CLUSTER])
def test_find_answers_none_and_describe_raises_when_aws_does_not_know_the_resource(kind):
    clients = _clients(FakeWorld())
    assert find(clients, kind, "us-east-1", "missing") is None
    with pytest.raises(NotFound, match="missing does not exist"):
        describe(clients, kind, "us-east-1", "missing")


def test_engine_versions_are_looked_up_with_deprecated_ones():
    world = FakeWorld()
    describe_engine_version(_clients(world), "eu-west-1", "aurora-postgresql", "14.3")
    engine_version_entry(_clients(world), "eu-west-1", "aurora-postgresql", "14.3")
    assert [params for _operation, _region, params in world.calls_of("describe_db_engine_versions")] == [
        {"Engine": "aurora-postgresql", "EngineVersion": "14.3", "IncludeAll": True}] * 2


def test_the_global_cluster_is_matched_in_any_case():
    world = FakeWorld()
    world.global_clusters["orders-global"] = {"GlobalClusterIdentifier": "orders-global"}
    assert describe_global_cluster(_clients(world), "Orders-Global") == {"GlobalClusterIdentifier": "orders-global"}


class _SnapshotTakenBefore(FakeWorld):
    """A create of a snapshot that exists already: AWS refuses it, as it does a create resent after a lost answer."""

    def __init__(self, of_cluster):
        super().__init__()
        self.snapshots["snap"] = {"DBClusterSnapshotIdentifier": "snap", "DBClusterIdentifier": of_cluster}

    def create_db_cluster_snapshot(self, region, params):
        raise client_error("DBClusterSnapshotAlreadyExistsFault", "exists", "CreateDBClusterSnapshot")


def _create_snapshot(world):
    return create_or_adopt(_clients(world), DB_CLUSTER_SNAPSHOT, "us-east-1", "snap", {"DBClusterSnapshotIdentifier": "snap"},
                           lambda found: found["DBClusterIdentifier"] == "ours")


def test_a_create_answered_already_exists_adopts_the_resource_when_it_is_ours():
    assert _create_snapshot(_SnapshotTakenBefore("ours"))["DBClusterIdentifier"] == "ours"


def test_a_create_answered_already_exists_keeps_aws_refusal_when_the_resource_is_not_ours():
    with pytest.raises(AuroraGlobalError, match="Creating DB cluster snapshot snap in us-east-1") as failed:
        _create_snapshot(_SnapshotTakenBefore("theirs"))
    assert error_code(failed.value) == "DBClusterSnapshotAlreadyExistsFault"
