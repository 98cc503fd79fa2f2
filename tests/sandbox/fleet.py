# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A fleet of global databases: what the inventory plugin reads that moto lacks, and seeding of many global databases.

- DescribeDBMajorEngineVersions (moto has none): the support dates of major_versions.json, regional and paginated.
- DescribeGlobalClusters' only filter, ``region``: the global clusters with a member in one of the regions
  (botocore's DescribeGlobalClustersMessage documents it); the account-level listing and its pages are in
  sandbox.responses.
- DescribeDBClusters without an identifier, paginated (moto answers every cluster in one page, ignoring MaxRecords).
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from moto.core.responses import ActionResult
from moto.rds.exceptions import InvalidParameterValue
from moto.rds.models import GlobalCluster
from moto.rds.responses import RDSResponse

from . import seeding
from .catalog import EngineCatalog
from .scenarios import ACCOUNT_ID
from .topology import find_global_cluster, rds_backend

MAJOR_VERSIONS_FILE = Path(__file__).with_name("major_versions.json")
FLEET_FILE = Path(__file__).with_name("fleet.json")
STANDARD_SUPPORT = "open-source-rds-standard-support"
EXTENDED_SUPPORT = "open-source-rds-extended-support"
REGION_FILTER = "region"


def _midnight(day: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(tzinfo=datetime.timezone.utc)


def major_engine_versions() -> list[dict[str, Any]]:
    """The DBMajorEngineVersion entries, each with its two SupportedEngineLifecycles."""
    entries = json.loads(MAJOR_VERSIONS_FILE.read_text(encoding="utf-8"))["DBMajorEngineVersions"]
    return [{
        "Engine": entry["Engine"],
        "MajorEngineVersion": entry["MajorEngineVersion"],
        "SupportedEngineLifecycles": [
            {"LifecycleSupportName": name, "LifecycleSupportStartDate": _midnight(start), "LifecycleSupportEndDate": _midnight(end)}
            for name, (start, end) in ((STANDARD_SUPPORT, entry["standard"]), (EXTENDED_SUPPORT, entry["extended"]))
        ],
    } for entry in entries]


def with_member_in(filters: list[dict[str, Any]] | None, global_clusters: list[GlobalCluster]) -> list[GlobalCluster]:
    """DescribeGlobalClusters' Filters: only ``region`` exists (any other name is refused, as AWS does)."""
    if not filters:
        return global_clusters
    unknown = [item["Name"] for item in filters if item["Name"] != REGION_FILTER]
    if unknown:
        raise InvalidParameterValue(f"Unrecognized filter name: {unknown[0]}")
    regions = {value for item in filters for value in item["Values"]}
    return [cluster for cluster in global_clusters if any(member.region in regions for member in cluster.members)]


class FleetResponses(RDSResponse):
    """Mixed into SandboxRDSResponse (sandbox.responses): its _paged gives AWS's Marker paging."""

    def describe_db_major_engine_versions(self) -> ActionResult:
        engine, major = self.params.get("Engine"), self.params.get("MajorEngineVersion")
        if major and not engine:
            raise InvalidParameterValue("MajorEngineVersion requires Engine")
        entries = [entry for entry in major_engine_versions()
                   if engine in (None, entry["Engine"]) and major in (None, entry["MajorEngineVersion"])]
        return self._paged("DBMajorEngineVersions", entries)

    def describe_db_clusters(self) -> ActionResult:
        if self.params.get("DBClusterIdentifier"):
            return super().describe_db_clusters()
        filters = {item["Name"]: item["Values"] for item in self.params.get("Filters", [])}
        return self._paged("DBClusters", self.backend.describe_db_clusters(filters=filters))


# Seeding (control API POST /sandbox-api/fleet): compact definitions, each a global database of one member per region.

def _member_identifier(global_identifier: str, region: str) -> str:
    return "%s-%s" % (global_identifier, "".join(part[0] if part.isalpha() else part for part in region.split("-")))


def scenario_of(definition: dict[str, Any]) -> dict[str, Any]:
    """A scenario (scenarios.json's shape) from {"global_cluster_identifier", "engine", "engine_version", "regions"}: primary in the first region."""
    members = [{"db_cluster_identifier": _member_identifier(definition["global_cluster_identifier"], region), "region": region, "db_instance_count": 1}
               for region in definition["regions"]]
    return {key: definition[key] for key in ("global_cluster_identifier", "engine", "engine_version")} | {
        "description": "fleet member", "primary": members[0], "secondaries": members[1:]}


def seed_fleet(catalog: EngineCatalog, definitions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Seed each global database, then what a definition adds: ``member_versions`` ({region: version}: a member left
    behind, e.g. after an interrupted upgrade), ``status`` of the global cluster, ``tags``."""
    seeded = []
    for definition in definitions:
        seeded.append(seeding.seed_definition(catalog, scenario_of(definition)))
        global_cluster = find_global_cluster(ACCOUNT_ID, definition["global_cluster_identifier"])
        for region, version in (definition.get("member_versions") or {}).items():
            identifier = _member_identifier(definition["global_cluster_identifier"], region)
            rds_backend(ACCOUNT_ID, region).describe_db_clusters(db_cluster_identifier=identifier)[0].engine_version = version
        if definition.get("status"):
            global_cluster.status = definition["status"]
        if definition.get("tags"):
            global_cluster.add_tags([{"Key": key, "Value": value} for key, value in definition["tags"].items()])
    return seeded


def demo_fleet() -> list[dict[str, Any]]:
    """The fleet of fleet.json (make demo-fleet, the integration tests)."""
    return json.loads(FLEET_FILE.read_text(encoding="utf-8"))["global_databases"]


def generated_fleet(count: int, regions: list[str], versions: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """``count`` global databases spread over ``regions`` (two members each) and ``versions`` (engine, version), for benchmarks."""
    return [{
        "global_cluster_identifier": "fleet-%03d" % number,
        "engine": versions[number % len(versions)][0],
        "engine_version": versions[number % len(versions)][1],
        "regions": [regions[number % len(regions)], regions[(number + 1) % len(regions)]],
    } for number in range(count)]
