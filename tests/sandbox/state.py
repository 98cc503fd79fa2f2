# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the sandbox keeps beside moto's backends: settings, journal, upgrades in flight, their RDS events, forced failover states."""

from __future__ import annotations

import collections
import random
import threading
import time
from typing import Any, Callable

from moto.rds.models import DBCluster, GlobalCluster

from .catalog import EngineCatalog
from .config import ConfigError, SandboxConfig
from .events import EventLog
from .journal import CALL, EVENT, Journal
from .transitions import Transition, Transitions
from .upgrades import Holds, Upgrade, UpgradeTimeline


class SandboxState:
    """One per process, like moto's backends. Callers hold `lock` while they read or change it (the WSGI layer does)."""

    # Set by reset().
    config: SandboxConfig
    journal: Journal
    timeline: UpgradeTimeline
    transitions: Transitions
    events: EventLog
    failover_states: dict[str, dict[str, Any]]
    _throttle_rng: random.Random
    # How far advance_clock() has moved the sandbox's clock ahead of the machine's.
    _clock_offset: float

    def __init__(self, catalog: EngineCatalog) -> None:
        self.lock = threading.RLock()
        self.catalog = catalog
        self._initial_config = SandboxConfig()
        # {client port: how many of its connections the server has finished with}: a test that kills a client waits for
        # these to know that no request it sent before it died is still to be journaled. Kept across reset(): it counts
        # the server's sockets, not AWS's state.
        self.finished_connections: collections.Counter[int] = collections.Counter()
        self.reset()

    def reset(self, initial_config: SandboxConfig | None = None) -> None:
        """Forget everything; `initial_config` also becomes what later resets return to."""
        self._initial_config = initial_config or self._initial_config
        self.config = self._initial_config
        self.journal = Journal()
        self.timeline = UpgradeTimeline()
        self.transitions = Transitions()
        self.events = EventLog()
        self.failover_states = {}
        self._throttle_rng = random.Random(self.config.throttle_seed)
        self._clock_offset = 0.0

    def now(self) -> float:
        """The sandbox's clock: the machine's, plus what advance_clock() added. Every timed change reads it."""
        return time.time() + self._clock_offset

    def advance_clock(self, seconds: float) -> float:
        """Move the sandbox's clock `seconds` ahead and apply what is due by then; returns the new time.

        A test that waits for a simulated change moves the clock instead of sleeping: what is due happens at once,
        and nothing happens earlier than the test says, however slow the machine.
        """
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise ConfigError(f"advance must be a number of seconds >= 0, not {seconds!r}")
        self._clock_offset += seconds
        self.settle()
        return self.now()

    def configure(self, settings: dict[str, Any]) -> SandboxConfig:
        self.settle()
        self.config = self.config.updated(settings)
        # What a hold no longer names moves on now, or at its own time if that is later.
        now = self.now()
        if settings.keys() & {"hold_pending_of", "hold_upgrade_of"}:
            self.timeline.release(self._holds(), now)
        if "hold_transition_of" in settings:
            self.transitions.release(frozenset(self.config.hold_transition_of), now)
        self.settle()
        if settings.keys() & {"throttle_fraction", "throttle_seed"}:
            # A fresh generator makes the sequence of throttled calls repeatable after each change.
            self._throttle_rng = random.Random(self.config.throttle_seed)
        return self.config

    def should_throttle(self) -> bool:
        return self.config.throttle_fraction > 0 and self._throttle_rng.random() < self.config.throttle_fraction

    def take_lost_response(self, operation: str) -> bool:
        """Whether this successful call's answer is to be lost; each listed operation loses one answer."""
        return self._take_fault("lose_response_of", operation)

    def take_late_response(self, operation: str) -> bool:
        """Whether this successful call's answer is to come late; each listed operation answers late once."""
        return self._take_fault("late_response_of", operation)

    def _take_fault(self, setting: str, operation: str) -> bool:
        remaining = list(getattr(self.config, setting))
        if operation not in remaining:
            return False
        remaining.remove(operation)
        self.config = self.config.updated({setting: remaining})
        return True

    def hidden_versions(self, region: str) -> frozenset[str]:
        return self.config.hidden_in(region)

    def settle(self) -> None:
        """Apply the upgrade transitions that are due, so that what is read next is current."""
        now = self.now()
        self.timeline.advance(now, self._on_upgrade_transition, self._holds())
        self.transitions.advance(now, self._journal_transition, frozenset(self.config.hold_transition_of))

    def _holds(self) -> Holds:
        return Holds(pending=frozenset(self.config.hold_pending_of), running=frozenset(self.config.hold_upgrade_of))

    def later(self, seconds: float, apply: Callable[[], None], event: str, region: str, subject: dict[str, Any]) -> None:
        """Have `apply` run `seconds` from now (journaled as the event `event`); at once when seconds is 0."""
        self.transitions.schedule(Transition(self.now() + seconds, apply, event, region, subject))
        self.settle()

    def record_call(self, operation: str, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
        """Journal a call as it arrives; the entry returned is the stored one, so its `error` can be set once answered."""
        self.settle()
        return self.journal.append(CALL, operation, region, params, self.now())

    def note_read(self, operation: str, identifiers: frozenset[str]) -> None:
        """A Describe call naming these identifiers was answered: a failing upgrade it showed `upgrading` may now end."""
        if operation.startswith("Describe"):
            self.timeline.note_read(identifiers, self.now())

    def journal_entries(self) -> list[dict[str, Any]]:
        self.settle()
        return self.journal.entries()

    def schedule_global_upgrade(self, global_cluster: GlobalCluster, target: str, region: str, default_parameter_group: str) -> None:
        identifiers = [global_cluster.global_cluster_identifier] + [member.db_cluster_identifier for member in global_cluster.members]
        self._schedule(global_cluster, list(global_cluster.members), target, region, identifiers, default_parameter_group)

    def schedule_member_upgrade(self, global_cluster: GlobalCluster, cluster: DBCluster, target: str) -> None:
        self._schedule(global_cluster, [cluster], target, cluster.region, [cluster.db_cluster_identifier], None, self.config.settle_seconds)

    def _schedule(self, global_cluster: GlobalCluster, clusters: list[DBCluster], target: str, region: str,
                  identifiers: list[str], default_parameter_group: str | None, settle_seconds: float = 0.0) -> None:
        starts_at = self.now() + self.config.status_delay_seconds
        ends_at = starts_at + self.config.upgrade_seconds
        self.timeline.schedule(Upgrade(
            global_cluster=global_cluster,
            clusters=clusters,
            target=target,
            region=region,
            starts_at=starts_at,
            ends_at=ends_at,
            fails=not set(identifiers).isdisjoint(self.config.fail_upgrade_of),
            identifiers=frozenset(identifiers),
            default_parameter_group=default_parameter_group,
            settles_at=ends_at + settle_seconds,
        ))
        # Without a status delay the answer to the modify call itself already says `upgrading`.
        self.settle()

    def _journal_transition(self, event: str, region: str, subject: dict[str, Any], when: float) -> None:
        self.journal.append(EVENT, event, region, subject, when)

    def _on_upgrade_transition(self, operation: str, upgrade: Upgrade, when: float) -> None:
        self.journal.append(EVENT, operation, upgrade.region, {**upgrade.subject, "EngineVersion": upgrade.target}, when)
        self.events.record_upgrade(operation, upgrade, when)


SANDBOX = SandboxState(EngineCatalog.load())
