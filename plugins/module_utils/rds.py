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
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import is_ansible_aws_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.members import same_identifier
from ansible_collections.aurora.global_db.plugins.module_utils.shared_session import SharedSession

RPO_PARAMETER = "rds.global_db_rpo"
CLUSTER_PARAMETER_GROUP = "DB cluster parameter group"
DB_PARAMETER_GROUP = "DB parameter group"
# AWS's default parameter groups cannot be modified, so they never carry rds.global_db_rpo.
_DEFAULT_GROUP_PREFIX = "default."
_RETRY = AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=20)
# AWS's answer to a request signed for one region and sent to another region's endpoint (HTTP 403 SignatureDoesNotMatch).
_SIGNED_FOR_ANOTHER_REGION = "Credential should be scoped to a valid region"


class GlobalClusterNotFound(AuroraGlobalError):
    """DescribeGlobalClusters does not know the identifier."""


def error_code(error):
    """The AWS error code behind an AuroraGlobalError, or None when AWS did not answer with one."""
    return error.exception.response.get("Error", {}).get("Code") if isinstance(error.exception, ClientError) else None


def error_message(error):
    """AWS's own error message behind an AuroraGlobalError, or an empty string."""
    return error.exception.response.get("Error", {}).get("Message", "") if isinstance(error.exception, ClientError) else ""


@contextmanager
def aws_step(region, description):
    """Turn an SDK error into an AuroraGlobalError that says which step failed, in which region."""
    try:
        yield
    except (BotoCoreError, ClientError) as error:
        if isinstance(error, ClientError) and _SIGNED_FOR_ANOTHER_REGION in error.response.get("Error", {}).get("Message", ""):
            raise AuroraGlobalError(
                message="%s: the endpoint that answered does not serve region %s, so AWS refused a request signed for %s. "
                "Give %s its own endpoint in region_endpoint_urls (endpoint_url only serves the regions without an entry there); "
                "nothing was changed by this call" % (description, region, region, region),
                exception=error,
            ) from error
        raise AuroraGlobalError(message=description, exception=error) from error


# The option of both modules that gives regions their own endpoints (documented in the region_endpoints doc fragment).
REGION_ENDPOINTS_ARGUMENT_SPEC = dict(region_endpoint_urls=dict(type="dict"))


class RegionalClients:
    """One retrying RDS client per region, created on first use with amazon.aws's connection settings (credentials, endpoint_url).

    A region named in region_endpoint_urls (the module option) gets that endpoint (VPC, FIPS endpoints name
    their region); every other region gets endpoint_url, or the AWS default endpoint. The clients come from
    one SharedSession (botocore's models parsed once, not once per region); ``connect`` makes it from the
    module (unit tests pass one of their own). Threads may share a client for calls, but boto3 does not
    create clients safely in parallel: creation is locked.
    """

    def __init__(self, module, region_endpoint_urls=None, connect=SharedSession):
        self._module = module
        self._endpoints = region_endpoint_urls or {}
        self._connect = connect
        self._session = None
        self._clients = {}
        self._creating = Lock()

    @property
    def home_region(self):
        return self._module.region

    def rds(self, region):
        with self._creating:
            if region not in self._clients:
                if self._session is None:
                    self._session = self._connect(self._module)
                self._clients[region] = self._session.client("rds", region=region, retry_decorator=_RETRY, **self._endpoint(region))
            return self._clients[region]

    def _endpoint(self, region):
        """The client argument that picks the region's own endpoint, or none (endpoint_url, else AWS's default)."""
        if region not in self._endpoints:
            return {}
        url = self._endpoints[region]
        if not isinstance(url, str) or not url.strip():
            raise AuroraGlobalError(message="region_endpoint_urls: the entry for %s must be an endpoint URL (such as https://rds.%s.amazonaws.com), not %r" % (
                region, region, url))
        return {"endpoint": url.strip()}


@_RETRY
def _all_pages(client, operation, result_key, **params):
    return client.get_paginator(operation).paginate(**params).build_full_result().get(result_key, [])


def cluster_identifier_from_arn(arn):
    """The DB cluster identifier at the end of a DB cluster ARN (arn:aws:rds:REGION:ACCOUNT:cluster:ID)."""
    return parse_aws_arn(arn)["resource"].split(":", 1)[-1]


def describe_global_cluster(clients, identifier):
    """The global cluster, matched as AWS matches identifiers: case-insensitively (AWS stores them in lower case)."""
    description = "Describing global cluster %s (asked in region %s)" % (identifier, clients.home_region)
    try:
        with aws_step(clients.home_region, description):
            found = _all_pages(clients.rds(clients.home_region), "describe_global_clusters", "GlobalClusters", GlobalClusterIdentifier=identifier)
    except is_ansible_aws_error_code("GlobalClusterNotFoundFault") as error:
        raise GlobalClusterNotFound(message="Global cluster %s does not exist in this account" % identifier) from error
    matching = [cluster for cluster in found if same_identifier(cluster["GlobalClusterIdentifier"], identifier)]
    if not matching:
        raise GlobalClusterNotFound(message="Global cluster %s does not exist in this account" % identifier)
    return matching[0]


def describe_db_cluster(clients, region, identifier):
    with aws_step(region, "Describing DB cluster %s in %s" % (identifier, region)):
        clusters = clients.rds(region).describe_db_clusters(DBClusterIdentifier=identifier, aws_retry=True)["DBClusters"]
    return clusters[0]


def rpo_seconds(clients, region, parameter_group):
    """The rds.global_db_rpo value set in a DB cluster parameter group, or None when RPO is off."""
    if not parameter_group or parameter_group.startswith(_DEFAULT_GROUP_PREFIX):
        return None
    with aws_step(region, "Reading %s from DB cluster parameter group %s in %s" % (RPO_PARAMETER, parameter_group, region)):
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
    """DescribeDBEngineVersions for one version in one region (a region may lag in offering versions).

    IncludeAll: without it AWS lists only versions whose Status is ``available``, so a cluster on a deprecated
    version (the clusters that most need an upgrade) would seem to have no valid upgrade target at all.
    """
    with aws_step(region, "Listing valid upgrade targets of %s %s in %s" % (engine, engine_version, region)):
        return _all_pages(
            clients.rds(region), "describe_db_engine_versions", "DBEngineVersions", Engine=engine, EngineVersion=engine_version, IncludeAll=True,
        )


def recent_events(clients, region, identifier, minutes, source_type="db-cluster"):
    """The RDS events of a DB cluster (or of another source type) in the last ``minutes`` (DescribeEvents in its region), oldest first."""
    with aws_step(region, "Reading the events of %s %s in %s" % (source_type, identifier, region)):
        return _all_pages(clients.rds(region), "describe_events", "Events", SourceType=source_type, SourceIdentifier=identifier, Duration=minutes)


def modify_global_cluster_engine_version(clients, region, identifier, engine_version):
    """Start a major version upgrade of the whole global cluster (ModifyGlobalCluster, asked in the primary's region)."""
    with aws_step(region, "Starting the major version upgrade of global cluster %s to %s (ModifyGlobalCluster in %s)" % (identifier, engine_version, region)):
        clients.rds(region).modify_global_cluster(
            GlobalClusterIdentifier=identifier, EngineVersion=engine_version, AllowMajorVersionUpgrade=True, aws_retry=True,
        )


def modify_db_cluster_engine_version(clients, region, identifier, engine_version):
    """Start a minor version upgrade of one member cluster now, not in its maintenance window (ModifyDBCluster in its region)."""
    with aws_step(region, "Starting the minor version upgrade of DB cluster %s in %s to %s (ModifyDBCluster)" % (identifier, region, engine_version)):
        clients.rds(region).modify_db_cluster(DBClusterIdentifier=identifier, EngineVersion=engine_version, ApplyImmediately=True, aws_retry=True)


def parameter_group_family(clients, region, kind, name):
    """The family of a DB cluster parameter group (kind CLUSTER_PARAMETER_GROUP) or DB parameter group in a region; None when it does not exist."""
    client = clients.rds(region)
    try:
        with aws_step(region, "Reading %s %s in %s" % (kind, name, region)):
            if kind == CLUSTER_PARAMETER_GROUP:
                groups = client.describe_db_cluster_parameter_groups(DBClusterParameterGroupName=name, aws_retry=True)["DBClusterParameterGroups"]
            else:
                groups = client.describe_db_parameter_groups(DBParameterGroupName=name, aws_retry=True)["DBParameterGroups"]
    except is_ansible_aws_error_code(["DBParameterGroupNotFound", "DBClusterParameterGroupNotFound"]):
        return None
    return groups[0].get("DBParameterGroupFamily") if groups else None


def describe_cluster_instances(clients, region, cluster_identifier):
    """The DB instances of one DB cluster (DescribeDBInstances in its region)."""
    with aws_step(region, "Describing the DB instances of DB cluster %s in %s" % (cluster_identifier, region)):
        # One page is enough: an Aurora cluster has at most 16 instances, a page holds 100.
        return clients.rds(region).describe_db_instances(Filters=[{"Name": "db-cluster-id", "Values": [cluster_identifier]}], aws_retry=True)["DBInstances"]


def modify_db_cluster_parameter_group(clients, region, identifier, group):
    """Put a member cluster on a DB cluster parameter group (it takes effect on each instance at its next reboot)."""
    with aws_step(region, "Applying DB cluster parameter group %s to %s in %s (ModifyDBCluster)" % (group, identifier, region)):
        clients.rds(region).modify_db_cluster(DBClusterIdentifier=identifier, DBClusterParameterGroupName=group, aws_retry=True)


def modify_db_instance_parameter_group(clients, region, identifier, group):
    """Put a DB instance on a DB parameter group (AWS changes the name at once, the parameters at the next reboot)."""
    with aws_step(region, "Applying DB parameter group %s to DB instance %s in %s (ModifyDBInstance)" % (group, identifier, region)):
        clients.rds(region).modify_db_instance(DBInstanceIdentifier=identifier, DBParameterGroupName=group, aws_retry=True)


def reboot_db_instance(clients, region, identifier):
    """Reboot a DB instance (a short outage of that instance) so that its parameter groups take effect."""
    with aws_step(region, "Rebooting DB instance %s in %s so that its parameter groups take effect (RebootDBInstance)" % (identifier, region)):
        clients.rds(region).reboot_db_instance(DBInstanceIdentifier=identifier, aws_retry=True)


def list_tags(clients, region, arn):
    with aws_step(region, "Reading the tags of %s (ListTagsForResource in %s)" % (arn, region)):
        return clients.rds(region).list_tags_for_resource(ResourceName=arn, aws_retry=True).get("TagList", [])


def add_tags(clients, region, arn, tags):
    with aws_step(region, "Tagging %s with %s (AddTagsToResource in %s)" % (arn, ", ".join(tag["Key"] for tag in tags), region)):
        clients.rds(region).add_tags_to_resource(ResourceName=arn, Tags=tags, aws_retry=True)


def remove_tags(clients, region, arn, keys):
    with aws_step(region, "Removing the tags %s from %s (RemoveTagsFromResource in %s)" % (", ".join(keys), arn, region)):
        clients.rds(region).remove_tags_from_resource(ResourceName=arn, TagKeys=keys, aws_retry=True)
