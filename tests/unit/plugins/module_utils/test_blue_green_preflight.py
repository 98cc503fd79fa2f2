# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""prerequisite_readings reads only what the facts reader did not keep (each member in its own region) and the target
parameter groups; the checks run on the readings: on a fake RDS API."""

from ansible_collections.aurora.global_db.plugins.module_utils.blue_green_preflight import CLUSTER_PARAMETER_GROUP
from ansible_collections.aurora.global_db.plugins.module_utils.blue_green_preflight import MemberReading
from ansible_collections.aurora.global_db.plugins.module_utils.blue_green_preflight import blue_green_blockers
from ansible_collections.aurora.global_db.plugins.module_utils.blue_green_preflight import prerequisite_readings
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import client_error
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import db_cluster


class _Pages:
    def __init__(self, parameters):
        self._parameters = parameters

    def build_full_result(self):
        return {"Parameters": self._parameters}


class FakeRds:
    """One region's RDS API: user-set cluster parameters per group, clusters, the cluster parameter groups that exist."""

    def __init__(self, region, api):
        self._region = region
        self._api = api

    def get_paginator(self, operation):
        assert operation == "describe_db_cluster_parameters"
        return self

    def paginate(self, DBClusterParameterGroupName, Source, Filters):
        self._api.calls.append((self._region, "DescribeDBClusterParameters", DBClusterParameterGroupName))
        values = self._api.parameters.get((self._region, DBClusterParameterGroupName), {})
        return _Pages([{"ParameterName": name, "ParameterValue": value} for name, value in values.items() if name in Filters[0]["Values"]])

    def describe_db_clusters(self, DBClusterIdentifier, aws_retry):
        self._api.calls.append((self._region, "DescribeDBClusters", DBClusterIdentifier))
        cluster = db_cluster(DBClusterIdentifier, "pg-params", "14.9")
        if DBClusterIdentifier in self._api.secrets:
            cluster["MasterUserSecret"] = {"SecretArn": "arn:aws:secretsmanager:x", "SecretStatus": "active"}
        return {"DBClusters": [cluster]}

    def describe_db_cluster_parameter_groups(self, DBClusterParameterGroupName, aws_retry):
        self._api.calls.append((self._region, "DescribeDBClusterParameterGroups", DBClusterParameterGroupName))
        if (self._region, DBClusterParameterGroupName) not in self._api.groups:
            raise client_error("DBParameterGroupNotFound", "not found", "DescribeDBClusterParameterGroups")
        return {"DBClusterParameterGroups": [{"DBParameterGroupFamily": "aurora-postgresql15"}]}


class FakeApi:
    def __init__(self, parameters=None, secrets=(), groups=()):
        self.parameters = parameters or {}
        self.secrets = set(secrets)
        self.groups = set(groups)
        self.calls = []
        self.home_region = "us-east-1"

    def rds(self, region):
        return FakeRds(region, self)


def _logical_on(*regions):
    return {(region, "pg-params"): {"rds.logical_replication": "1"} for region in regions}


def _blockers(api, facts, kept=None, groups=None):
    return blue_green_blockers(facts, *prerequisite_readings(api, facts, kept or {}, groups))


def test_what_the_facts_reader_kept_costs_no_read(facts):
    described = facts(version="14.9")
    kept = {m["db_cluster_arn"]: MemberReading({"rds.logical_replication": "1"}, m["is_writer"]) for m in described["members"]}
    api = FakeApi()
    [blocker] = _blockers(api, described, kept)
    assert "Secrets Manager" in blocker["message"] and blocker["clusters"] == ["pg-primary-use1"]
    assert api.calls == []


def test_a_member_not_kept_is_read_in_its_region(facts):
    api = FakeApi(_logical_on("us-east-1", "eu-west-1", "ap-southeast-2"))
    assert _blockers(api, facts(version="14.9")) == []
    regions = ("us-east-1", "eu-west-1", "ap-southeast-2")
    assert sorted(call for call in api.calls if call[1] == "DescribeDBClusterParameters") == sorted(
        (region, "DescribeDBClusterParameters", "pg-params") for region in regions)


def test_readings_become_blockers(facts):
    api = FakeApi(_logical_on("us-east-1", "eu-west-1"), secrets=["pg-primary-use1"], groups=[("us-east-1", "pg15"), ("eu-west-1", "pg15")])
    groups = {CLUSTER_PARAMETER_GROUP: {"us-east-1": "pg15", "eu-west-1": "pg15", "ap-southeast-2": "pg15"}}
    messages = " | ".join(b["message"] for b in _blockers(api, facts(version="14.9"), groups=groups))
    assert "pg-secondary-apse2 (ap-southeast-2)" in messages and "logical replication is off" in messages
    assert "Secrets Manager" in messages
    assert "DB cluster parameter group pg15 does not exist in ap-southeast-2" in messages


def test_a_default_group_is_not_read_and_counts_as_unset(facts):
    described = facts(version="14.9")
    for member in described["members"]:
        member["db_cluster_parameter_group"] = "default.aurora-postgresql14"
    api = FakeApi()
    kept = {m["db_cluster_arn"]: MemberReading({}, False) for m in described["members"]}
    [blocker] = _blockers(api, described, kept)
    assert len(blocker["clusters"]) == 3 and api.calls == []
