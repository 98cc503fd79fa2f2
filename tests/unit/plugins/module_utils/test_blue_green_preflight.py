# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""blue_green_prerequisite_blockers reads each member in its own region, then checks: on a fake RDS API."""

from ansible_collections.aurora.global_db.plugins.module_utils.blue_green_preflight import CLUSTER_PARAMETER_GROUP
from ansible_collections.aurora.global_db.plugins.module_utils.blue_green_preflight import blue_green_prerequisite_blockers
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import client_error
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import db_cluster


class FakeRds:
    """One region's RDS API: user-set cluster parameters per group, clusters, the cluster parameter groups that exist."""

    def __init__(self, region, api):
        self._region = region
        self._api = api

    def describe_db_cluster_parameters(self, DBClusterParameterGroupName, Source, Filters, aws_retry):
        self._api.calls.append((self._region, "DescribeDBClusterParameters", DBClusterParameterGroupName))
        wanted = Filters[0]["Values"]
        values = self._api.parameters.get((self._region, DBClusterParameterGroupName), {})
        return {"Parameters": [{"ParameterName": name, "ParameterValue": value} for name, value in values.items() if name in wanted]}

    def describe_db_clusters(self, DBClusterIdentifier, aws_retry):
        cluster = db_cluster(DBClusterIdentifier, "pg-params", "14.9")
        if DBClusterIdentifier in self._api.secrets:
            cluster["MasterUserSecret"] = {"SecretArn": "arn:aws:secretsmanager:x", "SecretStatus": "active"}
        return {"DBClusters": [cluster]}

    def describe_db_cluster_parameter_groups(self, DBClusterParameterGroupName, aws_retry):
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


def test_a_ready_database_reads_each_member_in_its_region(facts):
    api = FakeApi(_logical_on("us-east-1", "eu-west-1", "ap-southeast-2"))
    assert blue_green_prerequisite_blockers(api, facts(version="14.9")) == []
    assert sorted(api.calls) == sorted((region, "DescribeDBClusterParameters", "pg-params") for region in ("us-east-1", "eu-west-1", "ap-southeast-2"))


def test_readings_become_blockers(facts):
    api = FakeApi(_logical_on("us-east-1", "eu-west-1"), secrets=["pg-primary-use1"], groups=[("us-east-1", "pg15"), ("eu-west-1", "pg15")])
    groups = {CLUSTER_PARAMETER_GROUP: {"us-east-1": "pg15", "eu-west-1": "pg15", "ap-southeast-2": "pg15"}}
    blockers = blue_green_prerequisite_blockers(api, facts(version="14.9"), groups)
    messages = " | ".join(b["message"] for b in blockers)
    assert "pg-secondary-apse2 (ap-southeast-2)" in messages and "logical replication is off" in messages
    assert "Secrets Manager" in messages
    assert "DB cluster parameter group pg15 does not exist in ap-southeast-2" in messages


def test_a_default_group_is_not_read_and_counts_as_unset(facts):
    described = facts(version="14.9")
    for member in described["members"]:
        member["db_cluster_parameter_group"] = "default.aurora-postgresql14"
    api = FakeApi()
    [blocker] = blue_green_prerequisite_blockers(api, described)
    assert len(blocker["clusters"]) == 3 and api.calls == []
