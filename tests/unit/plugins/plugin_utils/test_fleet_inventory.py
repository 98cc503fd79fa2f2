# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading a fleet with fake regional RDS clients: the calls made, the host variables, and an SDK too old for the support dates."""

import datetime
from types import SimpleNamespace

from ansible_collections.aurora.global_db.plugins.plugin_utils.fleet_inventory import MAJOR_VERSIONS_OPERATION
from ansible_collections.aurora.global_db.plugins.plugin_utils.fleet_inventory import FleetReader
from ansible_collections.aurora.global_db.plugins.plugin_utils.fleet_inventory import group_names
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import Pages
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import db_cluster

ACCOUNT = "123456789012"
TODAY = datetime.date(2026, 12, 6)
OPERATIONS = ["DescribeGlobalClusters", "DescribeDBClusters", "DescribeDBEngineVersions"]


def _arn(region, identifier):
    return "arn:aws:rds:%s:%s:cluster:%s" % (region, ACCOUNT, identifier)


def _global_cluster(identifier, version, members):
    return {
        "GlobalClusterIdentifier": identifier, "Engine": "aurora-postgresql", "EngineVersion": version, "Status": "available",
        "GlobalClusterMembers": [{"DBClusterArn": _arn(region, name), "IsWriter": index == 0} for index, (region, name) in enumerate(members)],
        "TagList": [{"Key": "team", "Value": identifier}],
    }


GLOBAL_CLUSTERS = [
    _global_cluster("a", "13.9", [("us-east-1", "a-1"), ("eu-west-1", "a-2")]),
    _global_cluster("b", "14.6", [("eu-west-1", "b-1"), ("us-east-1", "b-2")]),
]
CLUSTERS = {
    "us-east-1": [dict(db_cluster("a-1", "default.aurora-postgresql13", "13.9"), DBClusterArn=_arn("us-east-1", "a-1")),
                  dict(db_cluster("b-2", "default.aurora-postgresql14", "14.9"), DBClusterArn=_arn("us-east-1", "b-2"))],
    "eu-west-1": [dict(db_cluster("a-2", "default.aurora-postgresql13", "13.9"), DBClusterArn=_arn("eu-west-1", "a-2")),
                  dict(db_cluster("b-1", "default.aurora-postgresql14", "14.6"), DBClusterArn=_arn("eu-west-1", "b-1"))],
}
TARGETS = {"13.9": [("13.12", False), ("14.6", True)], "14.6": [("14.9", False), ("14.10", False), ("15.4", True)]}


def _lifecycle(standard_end):
    end = datetime.datetime.fromisoformat(standard_end).replace(tzinfo=datetime.timezone.utc)
    return {"DBMajorEngineVersions": [{"SupportedEngineLifecycles": [
        {"LifecycleSupportName": "open-source-rds-standard-support", "LifecycleSupportEndDate": end},
        {"LifecycleSupportName": "open-source-rds-extended-support", "LifecycleSupportEndDate": end + datetime.timedelta(days=3 * 365)},
    ]}]}


class FakeRds:
    def __init__(self, calls, region, operations):
        self._calls = calls
        self._region = region
        self.meta = SimpleNamespace(service_model=SimpleNamespace(operation_names=operations))

    def get_paginator(self, operation):
        return FakeOperation(self._calls, self._region, operation)


class FakeOperation:
    def __init__(self, calls, region, operation):
        self._calls, self._region, self._operation = calls, region, operation
        self._params = None

    def paginate(self, **params):
        self._calls.append((self._region, self._operation, tuple(sorted(str(value) for value in params.values()))))
        self._params = params
        return self

    def build_full_result(self):
        if self._operation == "describe_global_clusters":
            return {"GlobalClusters": GLOBAL_CLUSTERS}
        if self._operation == "describe_db_clusters":
            return {"DBClusters": CLUSTERS[self._region]}
        if self._operation == "describe_db_engine_versions":
            targets = [{"EngineVersion": version, "IsMajorVersionUpgrade": major, "SupportsGlobalDatabases": True}
                       for version, major in TARGETS[self._params["EngineVersion"]]]
            return Pages({"DBEngineVersions": [
                {"Engine": "aurora-postgresql", "EngineVersion": self._params["EngineVersion"], "ValidUpgradeTarget": targets}]}).build_full_result()
        return _lifecycle({"13": "2026-02-28", "14": "2027-02-28"}[self._params["MajorEngineVersion"]])


class FakeClients:
    home_region = "us-east-1"

    def __init__(self, operations):
        self.calls = []
        self._operations = operations

    def rds(self, region):
        return FakeRds(self.calls, region, self._operations)


def _read(operations):
    clients, warnings = FakeClients(operations), []
    hosts = FleetReader(clients, warn=warnings.append, today=TODAY).read()
    return hosts, clients.calls, warnings


def test_one_listing_per_region_and_one_read_per_version_and_region():
    hosts, calls, warnings = _read(OPERATIONS + [MAJOR_VERSIONS_OPERATION])
    assert warnings == []
    operations = [operation for _region, operation, _params in calls]
    assert operations.count("describe_global_clusters") == 1
    assert sorted(region for region, operation, _params in calls if operation == "describe_db_clusters") == ["eu-west-1", "us-east-1"]
    assert operations.count("describe_db_engine_versions") == 4
    assert operations.count("describe_db_major_engine_versions") == 2
    assert "describe_db_cluster" not in operations
    assert sorted(hosts) == ["a", "b"]
    assert hosts["a"]["aurora_global_lifecycle"] == {
        "major_engine_version": "13", "standard_support_end": "2026-02-28", "extended_support_end": "2029-02-27",
        "in_extended_support": True, "days_until_standard_support_end": -281,
    }
    assert hosts["b"]["aurora_global_latest_minor_target"] == "14.10"
    assert hosts["b"]["aurora_global_tags"] == {"team": "b"}
    assert hosts["b"]["aurora_global"]["primary"] == "b-1"
    assert group_names(hosts["a"]) == ["aurora_postgresql", "aurora_postgresql_13", "extended_support"]
    assert group_names(hosts["b"]) == ["aurora_postgresql", "aurora_postgresql_14", "mixed_versions"]


def test_an_sdk_without_describe_db_major_engine_versions_warns_and_reads_the_rest():
    hosts, calls, warnings = _read(OPERATIONS)
    assert len(warnings) == 1 and "botocore 1.38.20" in warnings[0]
    assert "describe_db_major_engine_versions" not in [operation for _region, operation, _params in calls]
    assert hosts["a"]["aurora_global_lifecycle"] is None
    assert hosts["a"]["aurora_global_latest_minor_target"] == "13.12"
    assert group_names(hosts["a"]) == ["aurora_postgresql", "aurora_postgresql_13"]
