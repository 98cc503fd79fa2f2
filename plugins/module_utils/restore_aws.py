# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The RDS calls of the snapshot restore method: reads that answer None for "not found", and the creates.

Every call is made in the region that owns the resource, through the retrying clients of rds.RegionalClients.
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import is_ansible_aws_error_code

from ansible_collections.aurora.global_db.plugins.module_utils.rds import aws_step
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_cluster_instances
from ansible_collections.aurora.global_db.plugins.module_utils.rds import error_code

SNAPSHOT = "db_cluster_snapshot"
DB_CLUSTER = "db_cluster"
DB_INSTANCE = "db_instance"
GLOBAL_CLUSTER = "global_cluster"

_NOT_FOUND = {
    SNAPSHOT: ("DBClusterSnapshotNotFoundFault",),
    DB_CLUSTER: ("DBClusterNotFoundFault",),
    DB_INSTANCE: ("DBInstanceNotFound",),
    GLOBAL_CLUSTER: ("GlobalClusterNotFoundFault",),
}
# What a create answers when the resource exists already (for example after a lost response that AWSRetry resent).
ALREADY_EXISTS = (
    "DBClusterSnapshotAlreadyExistsFault", "DBClusterAlreadyExistsFault", "DBInstanceAlreadyExists", "GlobalClusterAlreadyExistsFault",
)
_DESCRIBE = {
    SNAPSHOT: ("describe_db_cluster_snapshots", "DBClusterSnapshotIdentifier", "DBClusterSnapshots"),
    DB_CLUSTER: ("describe_db_clusters", "DBClusterIdentifier", "DBClusters"),
    DB_INSTANCE: ("describe_db_instances", "DBInstanceIdentifier", "DBInstances"),
    GLOBAL_CLUSTER: ("describe_global_clusters", "GlobalClusterIdentifier", "GlobalClusters"),
}
_CREATE = {
    SNAPSHOT: ("create_db_cluster_snapshot", "DBClusterSnapshot"),
    DB_CLUSTER: ("create_db_cluster", "DBCluster"),
    DB_INSTANCE: ("create_db_instance", "DBInstance"),
    GLOBAL_CLUSTER: ("create_global_cluster", "GlobalCluster"),
}
_KIND_WORDS = {SNAPSHOT: "DB cluster snapshot", DB_CLUSTER: "DB cluster", DB_INSTANCE: "DB instance", GLOBAL_CLUSTER: "global cluster"}


def kind_words(kind):
    return _KIND_WORDS[kind]


def describe(clients, kind, region, identifier):
    """The description of one resource, or None when it does not exist (identifiers are matched case-insensitively)."""
    operation, parameter, result_key = _DESCRIBE[kind]
    found = _read_or_none(
        region, "Reading %s %s in %s" % (kind_words(kind), identifier, region), _NOT_FOUND[kind],
        lambda: getattr(clients.rds(region), operation)(aws_retry=True, **{parameter: identifier})[result_key],
    )
    if found is None:
        return None
    matching = [item for item in found if item.get(parameter, "").lower() == identifier.lower()]
    return matching[0] if matching else None


def _read_or_none(region, description, not_found_codes, read):
    """read(), or None when AWS answers one of not_found_codes."""
    try:
        with aws_step(region, description):
            return read()
    except is_ansible_aws_error_code(not_found_codes):
        return None


def create(clients, kind, region, identifier, params, restore_from_snapshot=False):
    """Create one resource; a DB cluster from a snapshot when restore_from_snapshot. Returns AWS's description."""
    operation, result_key = _CREATE[kind]
    if restore_from_snapshot:
        operation = "restore_db_cluster_from_snapshot"
    with aws_step(region, "Creating %s %s in %s (%s)" % (kind_words(kind), identifier, region, "".join(p.title() for p in operation.split("_")))):
        return getattr(clients.rds(region), operation)(aws_retry=True, **params)[result_key]


def modify_cluster(clients, region, identifier, changes):
    """ModifyDBCluster of a cluster this run created, applied at once."""
    with aws_step(region, "Completing DB cluster %s in %s with %s (ModifyDBCluster)" % (identifier, region, ", ".join(sorted(changes)))):
        clients.rds(region).modify_db_cluster(DBClusterIdentifier=identifier, ApplyImmediately=True, aws_retry=True, **changes)


def is_already_exists(error):
    return error_code(error) in ALREADY_EXISTS


def engine_version_entry(clients, region, engine, engine_version):
    """The DescribeDBEngineVersions entry of one version in one region, or None when the region does not offer it."""
    with aws_step(region, "Reading engine version %s %s in %s" % (engine, engine_version, region)):
        versions = clients.rds(region).describe_db_engine_versions(Engine=engine, EngineVersion=engine_version, aws_retry=True)["DBEngineVersions"]
    return next((entry for entry in versions if entry["EngineVersion"] == engine_version), None)


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


def cluster_instances(clients, region, cluster):
    """The DB instances of a cluster (one DescribeDBInstances), the writer first, then the readers by identifier."""
    writers = {m["DBInstanceIdentifier"] for m in cluster.get("DBClusterMembers", []) if m.get("IsClusterWriter")}
    instances = describe_cluster_instances(clients, region, cluster["DBClusterIdentifier"])
    return sorted(instances, key=lambda instance: (instance["DBInstanceIdentifier"] not in writers, instance["DBInstanceIdentifier"]))
