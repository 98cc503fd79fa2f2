# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The RDS layer: every RDS call the collection makes, each in the region that owns the resource, with retries.

Every call reads its resource kind in one table (kinds.py's KINDS: describe call, identifier parameter, result key,
not-found and already-exists codes, wording). One not-found policy: ``describe`` raises NotFound, ``find`` answers
None. One way to wrap an AWS error (``aws_step``: the step and region in the message, AWS's answer kept). One create
for every resource (``create_or_adopt``). amazon.aws's AWSErrorHandler decorators were weighed and not used: their
messages are fixed per function, while ours name the identifier and region of each call; its
``is_ansible_aws_error_code`` is.
"""

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
from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import same_identifier
from ansible_collections.aurora.global_db.plugins.module_utils._shared_session import SharedSession
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_INSTANCE
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import GLOBAL_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import KINDS
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import kind_words


RPO_PARAMETER = "rds.global_db_rpo"
# AWS's default parameter groups cannot be modified, so they never carry rds.global_db_rpo.
_DEFAULT_GROUP_PREFIX = "default."
_RETRY = AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=20)
# AWS's answer to a request signed for one region and sent to another region's endpoint (HTTP 403 SignatureDoesNotMatch).
_SIGNED_FOR_ANOTHER_REGION = "Credential should be scoped to a valid region"


class NotFound(AuroraGlobalError):
    """AWS does not know the resource that ``describe`` was asked for."""


class GlobalClusterNotFound(NotFound):
    """DescribeGlobalClusters does not know the identifier."""


# Error codes of a call AWS did not process because too many calls came.
_THROTTLING_CODES = ("Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException")


def error_code(error):
    """The AWS error code behind an AuroraGlobalError, or None when AWS did not answer with one."""
    return error.exception.response.get("Error", {}).get("Code") if isinstance(error.exception, ClientError) else None


def is_throttled(error):
    """AWS refused the call as one too many (it was not processed): sending it again is safe."""
    return error_code(error) in _THROTTLING_CODES


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


def find(clients, kind, region, identifier):
    """The description of one resource of ``kind`` in ``region``, or None when AWS does not know it.

    Identifiers are matched as AWS matches them: case-insensitively (AWS stores them in lower case).
    """
    table = KINDS[kind]
    try:
        with aws_step(region, "Describing %s %s in %s" % (table.words, identifier, region)):
            found = getattr(clients.rds(region), table.describe)(aws_retry=True, **{table.id_parameter: identifier})[table.result_key]
    except is_ansible_aws_error_code(list(table.not_found)):
        return None
    return next((item for item in found if same_identifier(item.get(table.id_parameter, ""), identifier)), None)


def describe(clients, kind, region, identifier):
    """The description of one resource of ``kind`` in ``region``; NotFound (GlobalClusterNotFound) when AWS does not know it."""
    found = find(clients, kind, region, identifier)
    if found is not None:
        return found
    if kind == GLOBAL_CLUSTER:
        raise GlobalClusterNotFound(message="Global cluster %s does not exist in this account" % identifier)
    words = kind_words(kind)
    raise NotFound(message="%s%s %s does not exist in %s" % (words[0].upper(), words[1:], identifier, region))


def describe_global_cluster(clients, identifier):
    """The global cluster, asked in the home region (a global cluster belongs to no region)."""
    return describe(clients, GLOBAL_CLUSTER, clients.home_region, identifier)


def describe_global_clusters(clients, regions=None):
    """Every global cluster of the account (DescribeGlobalClusters is account-level), or those with a member in one of ``regions``."""
    region_filter = {"Filters": [{"Name": "region", "Values": list(regions)}]} if regions else {}
    with aws_step(clients.home_region, "Listing the global clusters of the account (asked in region %s)" % clients.home_region):
        return _all_pages(clients.rds(clients.home_region), "describe_global_clusters", "GlobalClusters", **region_filter)


def describe_region_clusters(clients, region):
    """Every DB cluster of a region (DescribeDBClusters without an identifier, all pages)."""
    with aws_step(region, "Listing the DB clusters of %s" % region):
        return _all_pages(clients.rds(region), "describe_db_clusters", "DBClusters")


def describe_major_engine_version(clients, region, engine, major_engine_version):
    """DescribeDBMajorEngineVersions for one major version: its support dates (botocore 1.38.20 and later)."""
    with aws_step(region, "Reading the support dates of %s %s in %s" % (engine, major_engine_version, region)):
        return _all_pages(
            clients.rds(region), "describe_db_major_engine_versions", "DBMajorEngineVersions", Engine=engine, MajorEngineVersion=major_engine_version,
        )


def describe_db_cluster(clients, region, identifier):
    return describe(clients, DB_CLUSTER, region, identifier)


def create(clients, kind, region, identifier, params, operation=None):
    """Create one resource (``operation``: another create call of the kind, such as RESTORE_FROM_SNAPSHOT); AWS's description."""
    table = KINDS[kind]
    operation = operation or table.create
    with aws_step(region, "Creating %s %s in %s (%s)" % (table.words, identifier, region, "".join(p.title() for p in operation.split("_")))):
        return getattr(clients.rds(region), operation)(aws_retry=True, **params)[table.created_key]


def create_or_adopt(clients, kind, region, identifier, params, is_ours, operation=None):
    """Create one resource, or adopt it when AWS answers that it exists already and ``is_ours(description)`` says it is ours.

    AWS answers "already exists" to a create whose first answer was lost and that AWSRetry sent again, and to a
    create of an interrupted earlier run; anything else of that name is not ours and AWS's refusal stands.
    """
    try:
        return create(clients, kind, region, identifier, params, operation)
    except AuroraGlobalError as error:
        found = find(clients, kind, region, identifier) if error_code(error) in KINDS[kind].already_exists else None
        if found is None or not is_ours(found):
            raise
        return found


def user_cluster_parameters(clients, region, parameter_group, names):
    """{name: value} of the parameters among ``names`` that a custom DB cluster parameter group sets (Source user), in
    one read; {} for AWS's default groups, which cannot be changed (every parameter at the engine's default)."""
    if not names or not parameter_group or parameter_group.startswith(_DEFAULT_GROUP_PREFIX):
        return {}
    with aws_step(region, "Reading %s from DB cluster parameter group %s in %s" % (", ".join(names), parameter_group, region)):
        parameters = _all_pages(
            clients.rds(region), "describe_db_cluster_parameters", "Parameters",
            DBClusterParameterGroupName=parameter_group, Source="user",
            Filters=[{"Name": "parameter-name", "Values": list(names)}],
        )
    return {p["ParameterName"]: p.get("ParameterValue") for p in parameters if p.get("ParameterName") in names}


def rpo_from(parameters):
    """The rds.global_db_rpo value among a group's ``parameters`` (user_cluster_parameters), or None when RPO is off."""
    value = parameters.get(RPO_PARAMETER)
    return None if value in (None, "", "-1") else int(value)


def describe_engine_version(clients, region, engine, engine_version):
    """DescribeDBEngineVersions for one version in one region (a region may lag in offering versions).

    IncludeAll: without it AWS lists only versions whose Status is ``available``, so a cluster on a deprecated
    version (the clusters that most need an upgrade) would seem to have no valid upgrade target at all.
    """
    with aws_step(region, "Reading engine version %s %s in %s (DescribeDBEngineVersions)" % (engine, engine_version, region)):
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
    """The family of a parameter group (kind CLUSTER_PARAMETER_GROUP or DB_PARAMETER_GROUP) in a region; None when it does not exist."""
    group = find(clients, kind, region, name)
    return group.get("DBParameterGroupFamily") if group else None


def describe_cluster_instances(clients, region, cluster_identifier):
    """The DB instances of one DB cluster (DescribeDBInstances in its region)."""
    with aws_step(region, "Describing the DB instances of DB cluster %s in %s" % (cluster_identifier, region)):
        # One page is enough: an Aurora cluster has at most 16 instances, a page holds 100.
        return clients.rds(region).describe_db_instances(Filters=[{"Name": "db-cluster-id", "Values": [cluster_identifier]}], aws_retry=True)["DBInstances"]


def cluster_instances(clients, region, cluster):
    """The DB instances of a cluster (one DescribeDBInstances), the writer first, then the readers by identifier."""
    writers = {m["DBInstanceIdentifier"] for m in cluster.get("DBClusterMembers", []) if m.get("IsClusterWriter")}
    instances = describe_cluster_instances(clients, region, cluster["DBClusterIdentifier"])
    return sorted(instances, key=lambda instance: (instance["DBInstanceIdentifier"] not in writers, instance["DBInstanceIdentifier"]))


def engine_version_entry(clients, region, engine, engine_version):
    """The DescribeDBEngineVersions entry of one version in one region, or None when the region does not offer it."""
    return next((entry for entry in describe_engine_version(clients, region, engine, engine_version) if entry["EngineVersion"] == engine_version), None)


def instance_class_option(clients, region, engine, engine_version, instance_class):
    """The DescribeOrderableDBInstanceOptions entry of a DB instance class for the engine version in the region (the one
    that supports global databases when there are several), or None when the region does not offer the class."""
    with aws_step(region, "Checking that %s is offered for %s %s in %s" % (instance_class, engine, engine_version, region)):
        options = clients.rds(region).describe_orderable_db_instance_options(
            Engine=engine, EngineVersion=engine_version, DBInstanceClass=instance_class, MaxRecords=20, aws_retry=True,
        )["OrderableDBInstanceOptions"]
    matching = [option for option in options if option.get("DBInstanceClass") == instance_class]
    return next((option for option in matching if option.get("SupportsGlobalDatabases")), matching[0] if matching else None)


def cluster_parameter_value(clients, region, group, name):
    """The value a DB cluster parameter group gives parameter ``name``, or None when it gives none."""
    with aws_step(region, "Reading %s from DB cluster parameter group %s in %s" % (name, group, region)):
        parameters = clients.rds(region).describe_db_cluster_parameters(
            DBClusterParameterGroupName=group, Filters=[{"Name": "parameter-name", "Values": [name]}], aws_retry=True,
        )["Parameters"]
    return next((p.get("ParameterValue") for p in parameters if p.get("ParameterName") == name), None)


def modify_cluster(clients, region, identifier, changes):
    """ModifyDBCluster of a cluster this run created, applied at once."""
    with aws_step(region, "Completing DB cluster %s in %s with %s (ModifyDBCluster)" % (identifier, region, ", ".join(sorted(changes)))):
        clients.rds(region).modify_db_cluster(DBClusterIdentifier=identifier, ApplyImmediately=True, aws_retry=True, **changes)


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


def add_tags(clients, region, arn, tags, retry=True):
    """``retry`` false sends the write once: a lease write resent later could land after another run took the lease."""
    with aws_step(region, "Tagging %s with %s (AddTagsToResource in %s)" % (arn, ", ".join(tag["Key"] for tag in tags), region)):
        clients.rds(region).add_tags_to_resource(ResourceName=arn, Tags=tags, aws_retry=retry)


def remove_tags(clients, region, arn, keys):
    with aws_step(region, "Removing the tags %s from %s (RemoveTagsFromResource in %s)" % (", ".join(keys), arn, region)):
        clients.rds(region).remove_tags_from_resource(ResourceName=arn, TagKeys=keys, aws_retry=True)


def remove_from_global_cluster(clients, region, global_cluster_identifier, cluster_arn):
    """RemoveFromGlobalCluster of one member, in its own region, by its ARN (AWS refuses the name): it becomes a
    standalone cluster, writable and no longer replicated."""
    with aws_step(region, "Removing %s from global cluster %s (RemoveFromGlobalCluster in %s)" % (cluster_arn, global_cluster_identifier, region)):
        clients.rds(region).remove_from_global_cluster(GlobalClusterIdentifier=global_cluster_identifier, DbClusterIdentifier=cluster_arn, aws_retry=True)


# The call and parameter that rename a resource of each kind (applied at once, the resource reads `renaming`).
_RENAMES = {DB_CLUSTER: ("modify_db_cluster", "NewDBClusterIdentifier"), DB_INSTANCE: ("modify_db_instance", "NewDBInstanceIdentifier")}


def rename(clients, kind, region, identifier, new_identifier):
    """Rename a DB cluster or DB instance now (ModifyDBCluster / ModifyDBInstance with its New...Identifier)."""
    operation, parameter = _RENAMES[kind]
    table = KINDS[kind]
    with aws_step(region, "Renaming %s %s to %s in %s" % (table.words, identifier, new_identifier, region)):
        getattr(clients.rds(region), operation)(ApplyImmediately=True, aws_retry=True, **{table.id_parameter: identifier, parameter: new_identifier})
