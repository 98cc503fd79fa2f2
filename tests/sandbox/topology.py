# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Global clusters, their members and their parameter groups, read from moto's RDS backends."""

from __future__ import annotations

from moto.rds.exceptions import RDSClientError
from moto.rds.models import DBCluster, GlobalCluster, RDSBackend, rds_backends

# moto keeps every global cluster in this region's backend, whatever region created it.
GLOBAL_CLUSTER_REGION = "us-east-1"
RPO_PARAMETER = "rds.global_db_rpo"
# AWS treats an unset rds.global_db_rpo and -1 alike: the RPO feature is off.
RPO_OFF_VALUES = (None, "", "-1")


def rds_backend(account_id: str, region: str) -> RDSBackend:
    return rds_backends[account_id][region]


def find_global_cluster(account_id: str, identifier: str) -> GlobalCluster:
    """The global cluster named by identifier or ARN; GlobalClusterNotFoundFault (HTTP 404) as AWS answers otherwise."""
    for global_cluster in rds_backend(account_id, GLOBAL_CLUSTER_REGION).global_clusters.values():
        if identifier.lower() in (global_cluster.global_cluster_identifier, global_cluster.global_cluster_arn.lower()):
            return global_cluster
    raise RDSClientError("GlobalClusterNotFoundFault", f"Global cluster '{identifier}' not found")


def all_global_clusters(account_id: str) -> list[GlobalCluster]:
    return list(rds_backend(account_id, GLOBAL_CLUSTER_REGION).global_clusters.values())


def global_cluster_of(cluster: DBCluster) -> GlobalCluster | None:
    return next((candidate for candidate in all_global_clusters(cluster.account_id) if cluster in candidate.members), None)


def writer_of(global_cluster: GlobalCluster) -> DBCluster | None:
    return next((member for member in global_cluster.members if member.is_writer), None)


def secondaries_of(global_cluster: GlobalCluster) -> list[DBCluster]:
    return [member for member in global_cluster.members if not member.is_writer]


def rpo_setting(cluster: DBCluster) -> str | None:
    """The value of rds.global_db_rpo in the cluster's parameter group (in the cluster's region), None when the feature is off."""
    group = rds_backend(cluster.account_id, cluster.region).db_cluster_parameter_groups.get(cluster.parameter_group)
    if group is None:
        return None
    value = group.parameters.get(RPO_PARAMETER, {}).get("ParameterValue")
    return None if value in RPO_OFF_VALUES else value
