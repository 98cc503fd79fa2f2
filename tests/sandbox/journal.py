# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The journal: every RDS call the sandbox answered, and every simulated upgrade event, in order."""

from __future__ import annotations

import copy
from typing import Any

CALL = "call"
EVENT = "event"


class Journal:
    """Entries are dicts; `seq` keeps growing across clear() so that a reader can tell old entries from new."""

    def __init__(self) -> None:
        self._entries: list[dict[str, Any]] = []
        self._next_seq = 1

    def append(self, kind: str, operation: str, region: str | None, params: dict[str, Any], time: float) -> dict[str, Any]:
        entry = {
            "seq": self._next_seq,
            "time": time,
            "kind": kind,
            "operation": operation,
            "region": region,
            "params": params,
            "error": None,
        }
        self._next_seq += 1
        self._entries.append(entry)
        return entry

    def entries(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._entries)

    def clear(self) -> None:
        self._entries.clear()
