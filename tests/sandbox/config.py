# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run-time settings of the sandbox, changed through POST /sandbox-api/config."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable


# How AWS may refuse ModifyDBCluster of a member while its global cluster settles (Terraform's provider retries all three).
SETTLE_REFUSALS = ("InvalidGlobalClusterStateFault", "InvalidDBClusterStateFault", "upgrade_global_replicas_first")


class ConfigError(ValueError):
    """A setting the sandbox does not know, or a value it cannot use."""


def _non_negative_number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f"{name} must be a number >= 0, not {value!r}")
    return float(value)


def _fraction(name: str, value: Any) -> float:
    number = _non_negative_number(name, value)
    if number > 1:
        raise ConfigError(f"{name} must be between 0 and 1, not {value!r}")
    return number


def _boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{name} must be true or false, not {value!r}")
    return value


def _integer(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be an integer, not {value!r}")
    return value


def _string_list(name: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{name} must be a list of strings, not {value!r}")
    return list(value)


def _identifier_list(name: str, value: Any) -> list[str]:
    """DB cluster or global cluster identifiers, which AWS matches case-insensitively and stores in lower case."""
    return [identifier.lower() for identifier in _string_list(name, value)]


def _settle_refusal(name: str, value: Any) -> str:
    if value not in SETTLE_REFUSALS:
        raise ConfigError(f"{name} must be one of {', '.join(SETTLE_REFUSALS)}, not {value!r}")
    return value


def _region_versions(name: str, value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise ConfigError(f"{name} must map a region to a list of engine versions, not {value!r}")
    return {region: _string_list(f"{name}[{region}]", versions) for region, versions in value.items()}


_VALIDATORS: dict[str, Callable[[str, Any], Any]] = {
    "upgrade_seconds": _non_negative_number,
    "status_delay_seconds": _non_negative_number,
    "throttle_fraction": _fraction,
    "throttle_seed": _integer,
    "fail_upgrade_of": _identifier_list,
    "hold_upgrade_of": _identifier_list,
    "hold_pending_of": _identifier_list,
    "hold_transition_of": _identifier_list,
    "hidden_versions": _region_versions,
    "refuse_in_place_mysql_minor": _boolean,
    "snapshot_seconds": _non_negative_number,
    "reboot_seconds": _non_negative_number,
    "provision_seconds": _non_negative_number,
    "promote_seconds": _non_negative_number,
    "rename_seconds": _non_negative_number,
    "resync_seconds": _non_negative_number,
    "deprecated_versions": _string_list,
    "settle_seconds": _non_negative_number,
    "settle_refusal": _settle_refusal,
    "lose_response_of": _string_list,
    "late_response_of": _string_list,
    "late_response_seconds": _non_negative_number,
    "pending_resync": _identifier_list,
    "regional_endpoints": _boolean,
    "latency_seconds": _non_negative_number,
    "fail_parameter_apply_of": _identifier_list,
    "managed_minor_upgrades": _boolean,
}


@dataclasses.dataclass(frozen=True)
class SandboxConfig:
    """How long upgrades take, and which faults to inject."""

    upgrade_seconds: float = 2.0
    status_delay_seconds: float = 0.0
    throttle_fraction: float = 0.0
    throttle_seed: int = 0
    fail_upgrade_of: list[str] = dataclasses.field(default_factory=list)
    # A test control, not an AWS behaviour: upgrades of these stay `upgrading` until they leave the list.
    hold_upgrade_of: list[str] = dataclasses.field(default_factory=list)
    # A test control too: accepted upgrades of these stay pending (not started yet) until they leave the list.
    hold_pending_of: list[str] = dataclasses.field(default_factory=list)
    # A test control too: snapshots, new resources, reboots and parameter group changes of these wait until they leave the list.
    hold_transition_of: list[str] = dataclasses.field(default_factory=list)
    hidden_versions: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    # AWS refuses in-place Aurora MySQL minor upgrades of a global database to 2.12.*, 3.04.* and later, 8.4 (rule R10).
    refuse_in_place_mysql_minor: bool = True
    # How long a manual DB cluster snapshot is `creating`, and a DB instance `rebooting`.
    snapshot_seconds: float = 1.0
    reboot_seconds: float = 1.0
    # How long a new snapshot, cluster, instance or global cluster reads `creating` (sandbox.restores).
    provision_seconds: float = 0.0
    # How long a cluster removed from its global cluster reads `promoting`, a renamed cluster or instance `renaming`,
    # and a new secondary's SynchronizationStatus `pending-resync` once it is available (sandbox.membership).
    promote_seconds: float = 0.0
    rename_seconds: float = 0.0
    resync_seconds: float = 0.0
    # DescribeDBEngineVersions lists these (Status `deprecated`) only when asked with IncludeAll=true.
    deprecated_versions: list[str] = dataclasses.field(default_factory=list)
    # How long a global cluster says `modifying` after a member's upgrade, and how ModifyDBCluster is refused meanwhile.
    settle_seconds: float = 0.0
    settle_refusal: str = SETTLE_REFUSALS[0]
    # Operation names (ModifyDBCluster, ...): the next successful call of each is applied, then answered HTTP 500 InternalFailure.
    lose_response_of: list[str] = dataclasses.field(default_factory=list)
    # Operation names: the next successful call of each is applied, then answered late_response_seconds later.
    late_response_of: list[str] = dataclasses.field(default_factory=list)
    late_response_seconds: float = 5.0
    # DB clusters whose GlobalClusterMembers[].SynchronizationStatus reads `pending-resync` (the others `connected`).
    pending_resync: list[str] = dataclasses.field(default_factory=list)
    # Each region its own endpoint, <endpoint_url>/region/<name> (the bare one is us-east-1's), refusing requests signed for another region.
    regional_endpoints: bool = False
    # Every RDS call is answered this much later (benchmarks of calls made in parallel).
    latency_seconds: float = 0.0
    # DB instances whose new parameter groups AWS fails to apply (`failed-to-apply`, with an event of the instance).
    fail_parameter_apply_of: list[str] = dataclasses.field(default_factory=list)
    # ModifyGlobalCluster upgrades an Aurora PostgreSQL global database to a minor target (AWS, 2026); false: refused as before.
    managed_minor_upgrades: bool = False

    def updated(self, settings: dict[str, Any]) -> SandboxConfig:
        """A copy with `settings` applied; raises ConfigError and changes nothing when one of them is wrong."""
        unknown = sorted(set(settings) - set(_VALIDATORS))
        if unknown:
            raise ConfigError(f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(_VALIDATORS))}")
        return dataclasses.replace(self, **{name: _VALIDATORS[name](name, value) for name, value in settings.items()})

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def hidden_in(self, region: str) -> frozenset[str]:
        return frozenset(self.hidden_versions.get(region, ()))
