# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Member clusters of a global database: where they live and the order they are upgraded in."""

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn

PRIMARY = "primary"
SECONDARY = "secondary"


def region_from_arn(arn):
    """The region of a DB cluster ARN (its 4th field); ValueError when the text is not a regional ARN."""
    details = parse_aws_arn(arn)
    if not details or not details.get("region"):
        raise ValueError("'%s' is not the ARN of a regional AWS resource" % arn)
    return details["region"]


def member_facts(global_member, cluster, rpo_seconds):
    """One member's facts from its DescribeGlobalClusters entry and its DescribeDBClusters answer."""
    instance_count = len(cluster.get("DBClusterMembers", []))
    is_writer = bool(global_member.get("IsWriter"))
    return {
        "db_cluster_identifier": cluster["DBClusterIdentifier"],
        "db_cluster_arn": global_member["DBClusterArn"],
        "region": region_from_arn(global_member["DBClusterArn"]),
        "role": PRIMARY if is_writer else SECONDARY,
        "is_writer": is_writer,
        "engine_version": cluster.get("EngineVersion"),
        "status": cluster.get("Status"),
        "db_cluster_parameter_group": cluster.get("DBClusterParameterGroup"),
        "instance_count": instance_count,
        "headless": instance_count == 0,
        "rpo_seconds": rpo_seconds,
        "synchronization_status": global_member.get("SynchronizationStatus"),
        # AWS accepted a version change that has not started yet: the cluster still reads as available for a while.
        "pending_engine_version": cluster.get("PendingModifiedValues", {}).get("EngineVersion"),
    }


def upgrade_order(members):
    """Members in the order AWS requires for a minor upgrade: secondaries by region then identifier, the primary last."""
    return sorted(members, key=lambda member: (member["is_writer"], member["region"], member["db_cluster_identifier"]))


def primary_of(members):
    """The writer member, or None while the global database has none (for example mid-failover)."""
    return next((member for member in members if member["is_writer"]), None)
