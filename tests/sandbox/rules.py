# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The checks AWS makes before it accepts an engine upgrade of a global database or of one of its members.

Each check raises the error AWS answers with, code and message as AWS documents or users reported them; the
messages AWS does not publish are worded after AWS's style and say what to do instead.
"""

from __future__ import annotations

from moto.rds.exceptions import InvalidDBClusterStateFault, InvalidParameterCombination, InvalidParameterValue, RDSClientError
from moto.rds.models import DBCluster, GlobalCluster

from .catalog import version_key
from .state import SandboxState
from .topology import rpo_setting, secondaries_of
from .upgrades import AVAILABLE

MAJOR_FLAG_REQUIRED = "The AllowMajorVersionUpgrade flag must be present when upgrading to a new major version."
MINOR_THROUGH_GLOBAL_REFUSED = {
    "aurora-mysql": "Amazon RDS can't perform minor version upgrades through ModifyGlobalCluster for this database engine.",
    "aurora-postgresql": (
        "ModifyGlobalCluster doesn't support minor version upgrades for Aurora global databases. "
        "To upgrade to a newer minor version, call ModifyDBCluster for each member of your global cluster."
    ),
}
MAJOR_ON_MEMBER_REFUSED = (
    "Major Version Upgrade isn't supported in a single member of a global cluster. Use ModifyGlobalCluster to upgrade all the members."
)
PRIMARY_BEFORE_SECONDARIES = (
    "Cannot upgrade DB cluster '{cluster}' to engine version {target} as global replica(s) are running lower version. "
    "Please upgrade global replicas first before upgrading the primary member."
)
# AWS's text (aws-aurora-global-upgrade-facts.md R10); AWS's message goes on after "See the Aurora documentation".
IN_PLACE_MYSQL_MINOR_REFUSED = (
    "In-place minor version upgrade of Aurora MySQL global database cluster '{global_cluster}' to Aurora MySQL engine version {target} "
    "isn't supported. The selected target version {target} supports a higher version of community MySQL that introduces changes "
    "incompatible with previous minor versions of Aurora MySQL. See the Aurora documentation."
)
# Rule R10 in the guide's words: the minor targets AWS refuses in place on a global database member (2.12.*, 3.04.* and
# later); every version of the lines from 8.4 on.
IN_PLACE_MYSQL_MINOR_AFFECTED = ((5, 7, 2, 12), (8, 0, 3, 4))
IN_PLACE_MYSQL_MINOR_AFFECTED_LINES_FROM = (8, 4)
# Terraform's provider matches "is upgrading" in this refusal (internal/service/rds/global_cluster.go); the rest is the sandbox's.
SETTLING_GLOBAL_CLUSTER = "Global cluster '{global_cluster}' is upgrading: DB cluster '{cluster}' can't be modified until it is available."
SETTLING_MEMBER = "Cannot modify DB cluster '{cluster}' while its global cluster '{global_cluster}' is modifying."
HEADLESS_MEMBER = "Cannot modify engine version without a primary instance in DB cluster"
NO_UPGRADE_PATH = "Cannot find upgrade path from {current} to {target}."
TARGET_NOT_GLOBAL = "The engine version {target} doesn't support Aurora global databases."
MYSQL_V2_TO_V3_REFUSED = (
    "In-place major version upgrade from Aurora MySQL version 2 to version 3 isn't supported for global databases. "
    "Use the snapshot restore method instead."
)
RPO_BLOCKS_MAJOR = (
    "Major version upgrade isn't supported for an Aurora PostgreSQL global database with the RPO feature turned on: "
    "rds.global_db_rpo is set to {value} in DB cluster parameter group '{group}' of DB cluster '{cluster}'. "
    "Reset it with ResetDBClusterParameterGroup first."
)


def check_global_upgrade(state: SandboxState, global_cluster: GlobalCluster, target: str, allow_major: bool) -> bool:
    """ModifyGlobalCluster(EngineVersion=target) of a quiet global cluster: a major upgrade, or with managed_minor_upgrades
    an Aurora PostgreSQL minor one (AWS's managed minor upgrade, 2026). True for a major upgrade."""
    _require_global_cluster_quiet(state, global_cluster)
    upgrade_target = _upgrade_target(state, global_cluster.engine, global_cluster.engine_version, target, [member.region for member in global_cluster.members])
    if not upgrade_target["IsMajorVersionUpgrade"]:
        if not (state.config.managed_minor_upgrades and global_cluster.engine == "aurora-postgresql"):
            raise InvalidParameterValue(MINOR_THROUGH_GLOBAL_REFUSED[global_cluster.engine])
        _require_global_support(upgrade_target)
        return False
    if not allow_major:
        raise InvalidParameterCombination(MAJOR_FLAG_REQUIRED)
    _require_global_support(upgrade_target)
    if _is_aurora_mysql_v2_to_v3(global_cluster.engine_version, target):
        raise InvalidParameterCombination(MYSQL_V2_TO_V3_REFUSED)
    if global_cluster.engine == "aurora-postgresql":
        _refuse_rpo(global_cluster)
    return True


def check_member_upgrade(state: SandboxState, global_cluster: GlobalCluster, cluster: DBCluster, target: str) -> None:
    """ModifyDBCluster(EngineVersion=target) on a member: minor only, secondaries before the primary, never headless."""
    condition = _busy_condition(state, cluster)
    if condition:
        raise InvalidDBClusterStateFault(f"Cannot modify DB cluster '{cluster.db_cluster_identifier}' with {condition}.")
    if state.timeline.is_settling(global_cluster):
        raise _settle_refusal(state.config.settle_refusal, global_cluster, cluster, target)
    upgrade_target = _upgrade_target(state, cluster.engine, cluster.engine_version, target, [cluster.region])
    if upgrade_target["IsMajorVersionUpgrade"]:
        raise InvalidParameterCombination(MAJOR_ON_MEMBER_REFUSED)
    _require_global_support(upgrade_target)
    # The guide's procedure upgrades the primary once every secondary is removed: only a global database with secondaries refuses.
    if state.config.refuse_in_place_mysql_minor and secondaries_of(global_cluster) and _is_refused_in_place_mysql_minor(cluster.engine, target):
        raise InvalidParameterCombination(IN_PLACE_MYSQL_MINOR_REFUSED.format(global_cluster=global_cluster.global_cluster_identifier, target=target))
    if not cluster.members:
        raise InvalidDBClusterStateFault(HEADLESS_MEMBER)
    if cluster.is_writer and any(version_key(secondary.engine_version) < version_key(target) for secondary in secondaries_of(global_cluster)):
        raise InvalidParameterValue(PRIMARY_BEFORE_SECONDARIES.format(cluster=cluster.db_cluster_identifier, target=target))


def _busy_condition(state: SandboxState, cluster: DBCluster) -> str | None:
    """Why the cluster cannot take an upgrade now, or None. An accepted upgrade counts even while its status delay still shows 'available'."""
    if state.timeline.is_upgrading(cluster):
        return "an engine version upgrade in progress"
    status = cluster.status
    return None if status == AVAILABLE else f"status '{status}'"


def _settle_refusal(kind: str, global_cluster: GlobalCluster, cluster: DBCluster, target: str) -> RDSClientError:
    """One of the refusals Terraform's provider retries while a global cluster settles after a member's upgrade."""
    names = {"cluster": cluster.db_cluster_identifier, "global_cluster": global_cluster.global_cluster_identifier}
    if kind == "upgrade_global_replicas_first":
        return InvalidParameterValue(PRIMARY_BEFORE_SECONDARIES.format(target=target, **names))
    if kind == "InvalidDBClusterStateFault":
        return InvalidDBClusterStateFault(SETTLING_MEMBER.format(**names))
    return _invalid_global_state(SETTLING_GLOBAL_CLUSTER.format(**names))


def _require_global_cluster_quiet(state: SandboxState, global_cluster: GlobalCluster) -> None:
    """No failover or switchover under way, and the global cluster and every member available."""
    identifier = global_cluster.global_cluster_identifier
    failover_state = state.failover_states.get(identifier)
    if failover_state:
        raise _invalid_global_state(f"Cannot modify global cluster '{identifier}' with failover state '{failover_state.get('Status')}'.")
    if global_cluster.status != AVAILABLE:
        raise _invalid_global_state(f"Cannot modify global cluster '{identifier}' with status '{global_cluster.status}'.")
    for member in global_cluster.members:
        condition = _busy_condition(state, member)
        if condition:
            raise _invalid_global_state(f"Cannot modify global cluster '{identifier}': its member DB cluster '{member.db_cluster_identifier}' has {condition}.")


def _invalid_global_state(message: str) -> RDSClientError:
    return RDSClientError("InvalidGlobalClusterStateFault", message)


def _upgrade_target(state: SandboxState, engine: str, current: str, target: str, regions: list[str]) -> dict:
    """The ValidUpgradeTarget entry; the upgrade must be offered in every region involved (a region may lag)."""
    hidden_somewhere = frozenset().union(*(state.hidden_versions(region) for region in regions))
    upgrade_target = state.catalog.upgrade_target(engine, current, target, hidden_somewhere)
    if upgrade_target is None:
        raise InvalidParameterValue(NO_UPGRADE_PATH.format(current=current, target=target))
    return upgrade_target


def _require_global_support(upgrade_target: dict) -> None:
    if not upgrade_target["SupportsGlobalDatabases"]:
        raise InvalidParameterValue(TARGET_NOT_GLOBAL.format(target=upgrade_target["EngineVersion"]))


def _is_refused_in_place_mysql_minor(engine: str, target: str) -> bool:
    """Aurora MySQL 2.12.* and 3.04.* or later, as far as the MySQL line they belong to goes, and every 8.4 (or later) target."""
    key = version_key(target)
    return engine == "aurora-mysql" and (
        key[:2] >= IN_PLACE_MYSQL_MINOR_AFFECTED_LINES_FROM or any(key[:2] == floor[:2] and key >= floor for floor in IN_PLACE_MYSQL_MINOR_AFFECTED))


def _is_aurora_mysql_v2_to_v3(current: str, target: str) -> bool:
    return current.startswith("5.7.mysql_aurora.2.") and target.startswith("8.0.mysql_aurora.3.")


def _refuse_rpo(global_cluster: GlobalCluster) -> None:
    for member in global_cluster.members:
        value = rpo_setting(member)
        if value is not None:
            raise InvalidParameterCombination(
                RPO_BLOCKS_MAJOR.format(value=value, group=member.parameter_group, cluster=member.db_cluster_identifier)
            )
