# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Simulated engine upgrades and their timeline.

An upgrade is accepted at time T; from T + status_delay_seconds its clusters say `upgrading` (AWS takes a few
moments to change the status), and at that time + upgrade_seconds they are `available` again at the target
version, or at the old one when the upgrade fails. Transitions are applied lazily: whoever reads the state first
calls UpgradeTimeline.advance(), which applies every transition that is due, in time order, and reports each
one with its logical time.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

from moto.rds.models import DBCluster, GlobalCluster

from .parameter_groups import reset_to_default_groups
from .topology import writer_of

STARTED = "UpgradeStarted"
COMPLETED = "UpgradeCompleted"
FAILED = "UpgradeFailed"

UPGRADING = "upgrading"
AVAILABLE = "available"

EventSink = Callable[[str, "Upgrade", float], None]


@dataclasses.dataclass(eq=False)
class Upgrade:
    """One upgrade: of a whole global cluster (major, ModifyGlobalCluster) or of one member (ModifyDBCluster)."""

    global_cluster: GlobalCluster
    clusters: list[DBCluster]
    target: str
    region: str
    starts_at: float
    ends_at: float
    fails: bool
    # Set for a global upgrade only (ModifyGlobalCluster does major upgrades only): after a major upgrade AWS
    # puts every member, and each of its instances, on the new family's default parameter groups.
    default_parameter_group: str | None = None
    started: bool = False

    @property
    def is_global(self) -> bool:
        return self.default_parameter_group is not None

    @property
    def subject(self) -> dict[str, str]:
        if self.is_global:
            return {"GlobalClusterIdentifier": self.global_cluster.global_cluster_identifier}
        return {"DBClusterIdentifier": self.clusters[0].db_cluster_identifier}

    def begin(self) -> None:
        self.started = True
        for cluster in self.clusters:
            cluster.status = UPGRADING
        if self.is_global:
            self.global_cluster.status = UPGRADING

    def finish(self) -> None:
        for cluster in self.clusters:
            cluster.status = AVAILABLE
            if not self.fails:
                cluster.engine_version = self.target
                if self.default_parameter_group:
                    reset_to_default_groups(cluster, self.default_parameter_group)
        if self.is_global:
            self.global_cluster.status = AVAILABLE
        writer = writer_of(self.global_cluster)
        if writer is not None:
            # The global cluster reports its primary's version, so a minor upgrade shows once the primary has it.
            self.global_cluster.engine_version = writer.engine_version


class UpgradeTimeline:
    """The upgrades in flight (accepted and not finished yet)."""

    def __init__(self) -> None:
        self._upgrades: list[Upgrade] = []

    def schedule(self, upgrade: Upgrade) -> None:
        self._upgrades.append(upgrade)

    def is_upgrading(self, cluster: DBCluster) -> bool:
        return any(cluster in upgrade.clusters for upgrade in self._upgrades)

    def advance(self, now: float, on_event: EventSink) -> None:
        """Apply every transition due by `now`, oldest first, and report each through on_event(operation, upgrade, time)."""
        for when, upgrade in sorted(self._due_transitions(now), key=lambda transition: transition[0]):
            if upgrade.started:
                upgrade.finish()
                self._upgrades.remove(upgrade)
                on_event(FAILED if upgrade.fails else COMPLETED, upgrade, when)
            else:
                upgrade.begin()
                on_event(STARTED, upgrade, when)

    def _due_transitions(self, now: float) -> list[tuple[float, Upgrade]]:
        due = []
        for upgrade in self._upgrades:
            if not upgrade.started and upgrade.starts_at <= now:
                due.append((upgrade.starts_at, upgrade))
            if upgrade.ends_at <= now:
                due.append((upgrade.ends_at, upgrade))
        return due
