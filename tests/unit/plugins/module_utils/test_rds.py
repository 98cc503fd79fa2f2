# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The RDS calls: per-region endpoints, the wrong-region signature error, deprecated versions, case-insensitive identifiers."""

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.rds import RegionalClients
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_db_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_engine_version
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_global_cluster
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import Pages
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


class RecordingClient:
    def __init__(self, answer=None, error=None):
        self.params = []
        self._answer = answer
        self._error = error

    def get_paginator(self, operation):
        client = self

        class _Pages(Pages):
            def paginate(self, **params):
                client.params.append(params)
                if client._error:
                    raise client._error
                return self
        return _Pages(self._answer)

    def describe_db_clusters(self, **params):
        raise self._error


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
    error = client_error("SignatureDoesNotMatch", "Credential should be scoped to a valid region, not 'eu-west-1'. ", "DescribeDBClusters")
    clients = RegionalClients(FakeModule(client=RecordingClient(error=error)), connect=_itself)
    with pytest.raises(AuroraGlobalError) as failed:
        describe_db_cluster(clients, "eu-west-1", "pg-secondary-euw1")
    assert "does not serve region eu-west-1" in failed.value.message
    assert "region_endpoint_urls" in failed.value.message
    assert failed.value.exception is error


def test_other_signature_errors_are_reported_as_they_are():
    error = client_error("SignatureDoesNotMatch", "The request signature we calculated does not match", "DescribeDBClusters")
    clients = RegionalClients(FakeModule(client=RecordingClient(error=error)), connect=_itself)
    with pytest.raises(AuroraGlobalError) as failed:
        describe_db_cluster(clients, "eu-west-1", "pg-secondary-euw1")
    assert failed.value.message == "Describing DB cluster pg-secondary-euw1 in eu-west-1"


def test_engine_versions_are_looked_up_with_deprecated_ones():
    client = RecordingClient(answer={"DBEngineVersions": []})
    describe_engine_version(RegionalClients(FakeModule(client=client), connect=_itself), "eu-west-1", "aurora-postgresql", "14.3")
    assert client.params == [{"Engine": "aurora-postgresql", "EngineVersion": "14.3", "IncludeAll": True}]


def test_the_global_cluster_is_matched_in_any_case():
    client = RecordingClient(answer={"GlobalClusters": [{"GlobalClusterIdentifier": "orders-global"}]})
    found = describe_global_cluster(RegionalClients(FakeModule(client=client), connect=_itself), "Orders-Global")
    assert found == {"GlobalClusterIdentifier": "orders-global"}
