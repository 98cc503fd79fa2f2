# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Aurora engine version catalog served by DescribeDBEngineVersions (data: engine_versions.json)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

CATALOG_FILE = Path(__file__).with_name("engine_versions.json")


def version_key(engine_version: str) -> tuple[int, ...]:
    """Numeric sort key: '8.0.mysql_aurora.3.10.0' -> (8, 0, 3, 10, 0), so that 3.10 sorts after 3.9."""
    return tuple(int(part) for part in engine_version.split(".") if part.isdigit())


class EngineCatalog:
    """Engine versions and their upgrade targets, as one region sees them."""

    def __init__(self, engine_versions: list[dict], default_versions: dict[str, str]) -> None:
        self._engine_versions = engine_versions
        self._default_versions = default_versions

    @classmethod
    def load(cls, path: Path = CATALOG_FILE) -> EngineCatalog:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["DBEngineVersions"], data["DefaultVersions"])

    def describe(self, hidden: frozenset[str], engine: str | None = None, engine_version: str | None = None,
                 family: str | None = None, default_only: bool = False,
                 deprecated: frozenset[str] = frozenset(), include_all: bool = False) -> list[dict]:
        """DescribeDBEngineVersions' answer; versions in `hidden` are left out, as versions and as targets.

        Versions in `deprecated` have the Status `deprecated` and are listed only with `include_all` (IncludeAll=true);
        they keep their ValidUpgradeTarget, and stay upgrade targets of the versions that list them.
        """
        wanted = {
            "Engine": engine,
            "EngineVersion": engine_version,
            "DBParameterGroupFamily": family,
        }
        matches = [
            self._as_seen(entry, hidden, deprecated)
            for entry in self._engine_versions
            if entry["EngineVersion"] not in hidden
            and (include_all or entry["EngineVersion"] not in deprecated)
            and all(value is None or entry[key] == value for key, value in wanted.items())
        ]
        if default_only:
            matches = [entry for entry in matches if self._default_versions.get(entry["Engine"]) == entry["EngineVersion"]]
        return matches

    def find(self, engine: str, engine_version: str, hidden: frozenset[str] = frozenset()) -> dict | None:
        """The version's entry, deprecated or not: clusters may run deprecated versions."""
        matches = self.describe(hidden, engine=engine, engine_version=engine_version, include_all=True)
        return matches[0] if matches else None

    def upgrade_target(self, engine: str, current: str, target: str, hidden: frozenset[str]) -> dict | None:
        """The ValidUpgradeTarget entry for current -> target, or None when that is no valid upgrade here."""
        entry = self.find(engine, current, hidden)
        if entry is None:
            return None
        return next((candidate for candidate in entry["ValidUpgradeTarget"] if candidate["EngineVersion"] == target), None)

    def parameter_group_family(self, engine: str, engine_version: str) -> str:
        entry = self.find(engine, engine_version)
        if entry is None:
            raise KeyError(f"{engine} {engine_version} is not in {CATALOG_FILE.name}")
        return entry["DBParameterGroupFamily"]

    @staticmethod
    def _as_seen(entry: dict, hidden: frozenset[str], deprecated: frozenset[str]) -> dict:
        """The entry with its Status, without the targets hidden in the region."""
        visible = copy.deepcopy(entry)
        visible["Status"] = "deprecated" if entry["EngineVersion"] in deprecated else "available"
        visible["ValidUpgradeTarget"] = [target for target in visible["ValidUpgradeTarget"] if target["EngineVersion"] not in hidden]
        return visible
