# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Simulated engine upgrades and their timeline.

An upgrade is accepted at time T; from T + status_delay_seconds its clusters say `upgrading` (AWS takes a few
moments to change the status), and at that time + upgrade_seconds they are `available` again at the target
version, or at the old one when the upgrade fails. After a member's upgrade, its global cluster may then say
`modifying` for settle_seconds more (AWS settles the global cluster between members). Transitions are applied
lazily: whoever reads the state first calls UpgradeTimeline.advance(), which applies every transition that is
due, in time order, and reports the start and the end of each upgrade with its logical time.

A failing upgrade rolls back only once a Describe call has shown it `upgrading`: on AWS its pre-checks take
minutes, which every poller sees, while the sandbox's take a second, which a poller on a loaded machine could
miss entirely, reading `available` at the old version as if the upgrade had not started yet.
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
# What a global cluster says while it settles after a member's upgrade.
SETTLING = "modifying"

# The phases of an upgrade, in order.
ACCEPTED = "accepted"
RUNNING = "running"
FINISHED = "finished"

EventSink = Callable[[str, "Upgrade", float], None]


@dataclasses.dataclass(frozen=True)
class Holds:
    """Test controls, not AWS behaviours: identifiers whose upgrades stay accepted (pending) or running until released."""

    pending: frozenset[str] = frozenset()
    running: frozenset[str] = frozenset()


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
    # When the global cluster is available again after a member's upgrade; ends_at when there is no settle window.
    settles_at: float | None = None
    phase: str = ACCEPTED
    # The global cluster's and the DB clusters' identifiers (lower case), which settings such as hold_upgrade_of and hold_pending_of name.
    identifiers: frozenset[str] = frozenset()
    # Whether a Describe call has shown it running (a failing upgrade waits for one, see the module docstring).
    read_while_running: bool = False

    @property
    def is_global(self) -> bool:
        return self.default_parameter_group is not None

    @property
    def has_settle_window(self) -> bool:
        return self.settles_at is not None and self.settles_at > self.ends_at

    @property
    def subject(self) -> dict[str, str]:
        if self.is_global:
            return {"GlobalClusterIdentifier": self.global_cluster.global_cluster_identifier}
        return {"DBClusterIdentifier": self.clusters[0].db_cluster_identifier}

    def next_transition(self) -> float:
        return {ACCEPTED: self.starts_at, RUNNING: self.ends_at, FINISHED: self.settles_at or self.ends_at}[self.phase]

    def is_held_by(self, holds: Holds) -> bool:
        """Named by the hold of its phase (hold_pending_of while accepted, hold_upgrade_of while running): it stays in that phase while it is."""
        held = {ACCEPTED: holds.pending, RUNNING: holds.running}.get(self.phase, frozenset())
        return not self.identifiers.isdisjoint(held) or self._waits_to_be_read()

    def _waits_to_be_read(self) -> bool:
        return self.fails and self.phase == RUNNING and not self.read_while_running

    def postpone_to(self, now: float) -> None:
        """Move its next transition to ``now`` if due before, and the later ones with it: a released upgrade moves on when released."""
        delay = now - self.next_transition()
        if self.phase == FINISHED or delay <= 0:
            return
        if self.phase == ACCEPTED:
            self.starts_at = now
        self.ends_at += delay
        if self.settles_at is not None:
            self.settles_at += delay

    def begin(self) -> None:
        self.phase = RUNNING
        for cluster in self.clusters:
            cluster.status = UPGRADING
            # The accepted target waited in PendingModifiedValues until now (AWS's accepted-but-not-started window).
            cluster.pending_modified_values = None
        if self.is_global:
            self.global_cluster.status = UPGRADING

    def finish(self) -> None:
        self.phase = FINISHED
        for cluster in self.clusters:
            cluster.status = AVAILABLE
            if not self.fails:
                cluster.engine_version = self.target
                if self.default_parameter_group:
                    reset_to_default_groups(cluster, self.default_parameter_group)
        if self.is_global:
            self.global_cluster.status = AVAILABLE
        elif self.has_settle_window:
            self.global_cluster.status = SETTLING
        writer = writer_of(self.global_cluster)
        if writer is not None:
            # The global cluster reports its primary's version, so a minor upgrade shows once the primary has it.
            self.global_cluster.engine_version = writer.engine_version

    def settle(self) -> None:
        # A status forced meanwhile (through /sandbox-api/state) stays.
        if self.has_settle_window and self.global_cluster.status == SETTLING:
            self.global_cluster.status = AVAILABLE


class UpgradeTimeline:
    """The upgrades in flight (accepted, and not finished or not settled yet)."""

    def __init__(self) -> None:
        self._upgrades: list[Upgrade] = []

    def schedule(self, upgrade: Upgrade) -> None:
        self._upgrades.append(upgrade)

    def is_upgrading(self, cluster: DBCluster) -> bool:
        """Accepted or running: the cluster cannot take another upgrade."""
        return any(cluster in upgrade.clusters and upgrade.phase != FINISHED for upgrade in self._upgrades)

    def is_settling(self, global_cluster: GlobalCluster) -> bool:
        """A member's upgrade has finished and the global cluster has not settled yet."""
        return any(upgrade.global_cluster is global_cluster and upgrade.phase == FINISHED for upgrade in self._upgrades)

    def release(self, holds: Holds, now: float) -> None:
        """After hold_pending_of or hold_upgrade_of changed: the upgrades no longer held move on at `now` at the earliest.

        Called once the due transitions were applied, so an upgrade still in a phase past its end is one that was held.
        """
        for upgrade in self._upgrades:
            if not upgrade.is_held_by(holds):
                upgrade.postpone_to(now)

    def note_read(self, identifiers: frozenset[str], now: float) -> None:
        """A Describe call naming `identifiers` was answered at `now`: the running upgrades it showed have been read running."""
        for upgrade in self._upgrades:
            if upgrade.phase == RUNNING and not upgrade.identifiers.isdisjoint(identifiers) and not upgrade.read_while_running:
                upgrade.read_while_running = True
                upgrade.postpone_to(now)

    def advance(self, now: float, on_event: EventSink, holds: Holds = Holds()) -> None:
        """Apply every transition due by `now`, oldest first, except those of held upgrades (see Holds); report each start
        and end through on_event(operation, upgrade, time)."""
        while True:
            due = [upgrade for upgrade in self._upgrades if upgrade.next_transition() <= now and not upgrade.is_held_by(holds)]
            if not due:
                return
            # min() keeps the first of equal times: upgrades accepted earlier move first.
            upgrade = min(due, key=lambda candidate: candidate.next_transition())
            when = upgrade.next_transition()
            if upgrade.phase == ACCEPTED:
                upgrade.begin()
                on_event(STARTED, upgrade, when)
            elif upgrade.phase == RUNNING:
                upgrade.finish()
                on_event(FAILED if upgrade.fails else COMPLETED, upgrade, when)
            else:
                upgrade.settle()
                self._upgrades.remove(upgrade)
