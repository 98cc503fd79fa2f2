# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The RDS API calls the collection makes, each in the region that owns the resource, with retries."""

from contextlib import contextmanager
from threading import Lock

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    pass  # AnsibleAWSModule reports the missing SDK.

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import is_ansible_aws_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

RPO_PARAMETER = "rds.global_db_rpo"
# AWS's default parameter groups cannot be modified, so they never carry rds.global_db_rpo.
_DEFAULT_GROUP_PREFIX = "default."
_RETRY = AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=20)


class GlobalClusterNotFound(AnsibleAWSError):
    """DescribeGlobalClusters does not know the identifier."""


@contextmanager
def aws_step(description):
    """Turn an SDK error into an AnsibleAWSError that says which step failed."""
    try:
        yield
    except (BotoCoreError, ClientError) as error:
        raise AnsibleAWSError(message=description, exception=error) from error


class RegionalClients:
    """One retrying RDS client per region, created on first use through AnsibleAWSModule (credentials, endpoint_url).

    Threads may share a client for calls, but boto3 does not create clients safely in parallel: creation is locked.
    """

    def __init__(self, module):
        self._module = module
        self._clients = {}
        self._creating = Lock()

    @property
    def home_region(self):
        return self._module.region

    def rds(self, region):
        with self._creating:
            if region not in self._clients:
                self._clients[region] = self._module.client("rds", region=region, retry_decorator=_RETRY)
            return self._clients[region]


@_RETRY
def _all_pages(client, operation, result_key, **params):
    return client.get_paginator(operation).paginate(**params).build_full_result().get(result_key, [])


def cluster_identifier_from_arn(arn):
    """The DB cluster identifier at the end of a DB cluster ARN (arn:aws:rds:REGION:ACCOUNT:cluster:ID)."""
    return parse_aws_arn(arn)["resource"].split(":", 1)[-1]


def describe_global_cluster(clients, identifier):
    description = "Describing global cluster %s (asked in region %s)" % (identifier, clients.home_region)
    try:
        with aws_step(description):
            found = _all_pages(clients.rds(clients.home_region), "describe_global_clusters", "GlobalClusters", GlobalClusterIdentifier=identifier)
    except is_ansible_aws_error_code("GlobalClusterNotFoundFault") as error:
        raise GlobalClusterNotFound(message="Global cluster %s does not exist in this account" % identifier) from error
    matching = [cluster for cluster in found if cluster["GlobalClusterIdentifier"] == identifier]
    if not matching:
        raise GlobalClusterNotFound(message="Global cluster %s does not exist in this account" % identifier)
    return matching[0]


def describe_db_cluster(clients, region, identifier):
    with aws_step("Describing DB cluster %s in %s" % (identifier, region)):
        clusters = clients.rds(region).describe_db_clusters(DBClusterIdentifier=identifier, aws_retry=True)["DBClusters"]
    return clusters[0]


def rpo_seconds(clients, region, parameter_group):
    """The rds.global_db_rpo value set in a DB cluster parameter group, or None when RPO is off."""
    if not parameter_group or parameter_group.startswith(_DEFAULT_GROUP_PREFIX):
        return None
    with aws_step("Reading %s from DB cluster parameter group %s in %s" % (RPO_PARAMETER, parameter_group, region)):
        parameters = _all_pages(
            clients.rds(region), "describe_db_cluster_parameters", "Parameters",
            DBClusterParameterGroupName=parameter_group, Source="user",
            Filters=[{"Name": "parameter-name", "Values": [RPO_PARAMETER]}],
        )
    for parameter in parameters:
        if parameter.get("ParameterName") == RPO_PARAMETER and parameter.get("ParameterValue") not in (None, "", "-1"):
            return int(parameter["ParameterValue"])
    return None


def describe_engine_version(clients, region, engine, engine_version):
    """DescribeDBEngineVersions for one version in one region (a region may lag in offering versions)."""
    with aws_step("Listing valid upgrade targets of %s %s in %s" % (engine, engine_version, region)):
        return _all_pages(clients.rds(region), "describe_db_engine_versions", "DBEngineVersions", Engine=engine, EngineVersion=engine_version)


def modify_global_cluster_engine_version(clients, region, identifier, engine_version):
    """Start a major version upgrade of the whole global cluster (ModifyGlobalCluster, asked in the primary's region)."""
    with aws_step("Starting the major version upgrade of global cluster %s to %s (ModifyGlobalCluster in %s)" % (identifier, engine_version, region)):
        clients.rds(region).modify_global_cluster(
            GlobalClusterIdentifier=identifier, EngineVersion=engine_version, AllowMajorVersionUpgrade=True, aws_retry=True,
        )


def modify_db_cluster_engine_version(clients, region, identifier, engine_version):
    """Start a minor version upgrade of one member cluster now, not in its maintenance window (ModifyDBCluster in its region)."""
    with aws_step("Starting the minor version upgrade of DB cluster %s in %s to %s (ModifyDBCluster)" % (identifier, region, engine_version)):
        clients.rds(region).modify_db_cluster(DBClusterIdentifier=identifier, EngineVersion=engine_version, ApplyImmediately=True, aws_retry=True)
