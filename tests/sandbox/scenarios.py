# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The scenarios of scenarios.json: global databases the sandbox can seed (light to import: no moto)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCENARIO_FILE = Path(__file__).with_name("scenarios.json")


class ScenarioError(ValueError):
    """An unknown scenario, or one whose global cluster is already there."""


def load_scenarios(path: Path = SCENARIO_FILE) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


SCENARIOS = load_scenarios()
ACCOUNT_ID: str = SCENARIOS["account_id"]
DB_INSTANCE_CLASS: str = SCENARIOS["db_instance_class"]


def scenario(name: str) -> dict[str, Any]:
    try:
        return SCENARIOS["scenarios"][name]
    except KeyError:
        raise ScenarioError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS['scenarios'])}") from None


def scenario_descriptions() -> dict[str, str]:
    return {name: definition["description"] for name, definition in SCENARIOS["scenarios"].items()}
