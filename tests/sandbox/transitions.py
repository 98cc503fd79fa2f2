# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Changes that AWS makes some time after a call: a snapshot becoming available, an instance back from a reboot.

Like the upgrade timeline, they are applied lazily: whoever reads the state first calls Transitions.advance(),
which applies every change that is due, in time order, and reports each one with its logical time.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

TransitionSink = Callable[[str, str, "dict[str, Any]", float], None]


@dataclasses.dataclass(eq=False)
class Transition:
    """At `due`, `apply()` runs and `event` (a journal operation name) is reported for `subject` in `region`."""

    due: float
    apply: Callable[[], None]
    event: str
    region: str
    subject: dict[str, Any]

    def is_held_by(self, held: frozenset[str]) -> bool:
        """Its subject names an identifier of hold_transition_of (a test control): it does not happen while it does."""
        return not held.isdisjoint(str(value).lower() for value in self.subject.values())


class Transitions:
    def __init__(self) -> None:
        self._pending: list[Transition] = []

    def schedule(self, transition: Transition) -> None:
        self._pending.append(transition)

    def release(self, held: frozenset[str], now: float) -> None:
        """After hold_transition_of changed: the transitions no longer held happen at `now` at the earliest.

        Called once the due transitions were applied, so one still pending past its time is one that was held.
        """
        for transition in self._pending:
            if not transition.is_held_by(held):
                transition.due = max(transition.due, now)

    def advance(self, now: float, on_event: TransitionSink, held: frozenset[str] = frozenset()) -> None:
        """Apply every transition due by `now` and not held, oldest first, reporting each through on_event(event, region, subject, time)."""
        due = sorted((transition for transition in self._pending if transition.due <= now and not transition.is_held_by(held)),
                     key=lambda transition: transition.due)
        for transition in due:
            self._pending.remove(transition)
            transition.apply()
            on_event(transition.event, transition.region, transition.subject, transition.due)
