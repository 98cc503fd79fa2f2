# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Parameter groups of DB clusters and DB instances as AWS applies them: families, default groups, pending-reboot.

moto stores which group a cluster or instance uses but always reports it `in-sync`. The sandbox keeps the apply
status on each moto DBInstance (two attributes below) and reports it where AWS does: in the cluster's
DBClusterMembers[].DBClusterParameterGroupStatus and the instance's DBParameterGroups[].ParameterApplyStatus.
"""

from __future__ import annotations

from typing import Any

from moto.rds.exceptions import DBClusterParameterGroupNotFoundError, DBParameterGroupNotFoundError, InvalidParameterCombination
from moto.rds.models import DBCluster, DBClusterParameterGroup, DBInstance, DBParameterGroup, RDSBackend

from .catalog import EngineCatalog

IN_SYNC = "in-sync"
APPLYING = "applying"
PENDING_REBOOT = "pending-reboot"
FAILED_TO_APPLY = "failed-to-apply"
# The event of a group that could not be applied (the sandbox's wording; AWS's events say why in their own words).
APPLY_FAILED_EVENT = "The parameter group {group} could not be applied to DB instance {instance}: a parameter value is not valid for this instance."
DEFAULT_PREFIX = "default."

# Attributes the sandbox sets on moto's DBInstance objects (moto has no such state).
CLUSTER_GROUP_STATUS = "sandbox_cluster_parameter_group_status"
PARAMETER_APPLY_STATUS = "sandbox_parameter_apply_status"


def default_group_name(catalog: EngineCatalog, engine: str, engine_version: str) -> str:
    """The name of AWS's default (cluster or instance) parameter group for this version: default.<family>."""
    return DEFAULT_PREFIX + catalog.parameter_group_family(engine, engine_version)


def _default_family(catalog: EngineCatalog, name: str) -> str | None:
    """The family of a default group name that AWS provides in every region (default.aurora-postgresql15), or None."""
    family = name[len(DEFAULT_PREFIX):] if name.startswith(DEFAULT_PREFIX) else None
    known_families = {entry["DBParameterGroupFamily"] for entry in catalog.describe(frozenset())}
    return family if family in known_families else None


def cluster_parameter_group(catalog: EngineCatalog, backend: RDSBackend, name: str) -> DBClusterParameterGroup:
    """The DB cluster parameter group of that name in the backend's region; AWS's default groups exist in every region."""
    name = name.lower()
    family = _default_family(catalog, name)
    if family and name not in backend.db_cluster_parameter_groups:
        backend.create_db_cluster_parameter_group(name, family, f"Default cluster parameter group for {family}", [])
    if name not in backend.db_cluster_parameter_groups:
        raise DBClusterParameterGroupNotFoundError(name)
    return backend.db_cluster_parameter_groups[name]


def db_parameter_group(catalog: EngineCatalog, backend: RDSBackend, name: str) -> DBParameterGroup:
    """The DB (instance) parameter group of that name in the backend's region; AWS's default groups exist in every region."""
    name = name.lower()
    family = _default_family(catalog, name)
    if family and name not in backend.db_parameter_groups:
        backend.db_parameter_groups[name] = DBParameterGroup(backend, name, f"Default parameter group for {family}", family)
    if name not in backend.db_parameter_groups:
        raise DBParameterGroupNotFoundError(name)
    return backend.db_parameter_groups[name]


def check_family(kind: str, name: str, family: str, wanted_family: str) -> None:
    """AWS refuses a group of another family than the engine version's (wording as AWS reports it)."""
    if family != wanted_family:
        raise InvalidParameterCombination(
            f"The {kind} {name} with DBParameterGroupFamily {family} cannot be used for this instance. "
            f"Please use a {kind} with DBParameterGroupFamily {wanted_family}"
        )


def mark_cluster_group_pending(instance: DBInstance, failed: bool) -> None:
    """A new cluster parameter group takes effect on the instance at its next reboot, or AWS failed to apply it."""
    setattr(instance, CLUSTER_GROUP_STATUS, FAILED_TO_APPLY if failed else PENDING_REBOOT)


def set_parameter_apply_status(instance: DBInstance, status: str) -> None:
    setattr(instance, PARAMETER_APPLY_STATUS, status)


def rebooted(instance: DBInstance) -> None:
    """A reboot applies both groups."""
    setattr(instance, CLUSTER_GROUP_STATUS, IN_SYNC)
    setattr(instance, PARAMETER_APPLY_STATUS, IN_SYNC)


def reset_to_default_groups(cluster: DBCluster, default_group: str) -> None:
    """A major upgrade puts the cluster and each of its instances on the new version's default groups (it restarts them)."""
    cluster.parameter_group = default_group
    for instance in cluster.members:
        instance.db_parameter_group_name = default_group
        rebooted(instance)


def _db_cluster_members(cluster: DBCluster) -> list[dict[str, Any]]:
    return [
        {
            "DBInstanceIdentifier": instance.db_instance_identifier,
            "IsClusterWriter": instance.is_cluster_writer,
            "DBClusterParameterGroupStatus": getattr(instance, CLUSTER_GROUP_STATUS, IN_SYNC),
            "PromotionTier": instance.promotion_tier,
        }
        for instance in cluster.members
    ]


def instance_parameter_group_name(instance: DBInstance) -> str:
    """The sandbox names every instance's group (seeding, CreateDBInstance); moto's own default name is a fallback only."""
    return instance.db_parameter_group_name or instance.db_parameter_groups()[0].name


def _db_parameter_group_status_list(instance: DBInstance) -> list[dict[str, str]]:
    return [{"DBParameterGroupName": instance_parameter_group_name(instance), "ParameterApplyStatus": getattr(instance, PARAMETER_APPLY_STATUS, IN_SYNC)}]


def install() -> None:
    """Report the sandbox's apply statuses in moto's DescribeDBClusters and DescribeDBInstances answers."""
    DBCluster.db_cluster_members = property(_db_cluster_members)
    DBInstance.db_parameter_group_status_list = property(_db_parameter_group_status_list)
