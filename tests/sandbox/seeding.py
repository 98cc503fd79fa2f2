# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Seeding of a scenario's global database directly into moto's backends (no API call, so nothing is journaled)."""

from __future__ import annotations

from typing import Any

from .catalog import EngineCatalog
from .scenarios import ACCOUNT_ID, DB_INSTANCE_CLASS, ScenarioError, scenario
from .topology import GLOBAL_CLUSTER_REGION, all_global_clusters, rds_backend
from .upgrades import AVAILABLE


def seed(catalog: EngineCatalog, name: str) -> dict[str, Any]:
    """Create the scenario's global cluster, then its primary (which becomes the writer), then each secondary in its region."""
    return seed_definition(catalog, scenario(name), name)


def seed_definition(catalog: EngineCatalog, definition: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    """seed() of a definition in scenarios.json's shape (the fleet's global databases are made this way too)."""
    global_identifier = definition["global_cluster_identifier"]
    if any(existing.global_cluster_identifier == global_identifier for existing in all_global_clusters(ACCOUNT_ID)):
        # moto would silently replace the global cluster, then fail halfway through the instances.
        raise ScenarioError(f"global cluster {global_identifier} already exists: reset the sandbox before seeding {name or 'it'}")
    rds_backend(ACCOUNT_ID, GLOBAL_CLUSTER_REGION).create_global_cluster(
        global_cluster_identifier=global_identifier,
        source_db_cluster_identifier=None,
        engine=definition["engine"],
        engine_version=definition["engine_version"],
        storage_encrypted=None,
        deletion_protection=None,
    )
    default_group = f"default.{catalog.parameter_group_family(definition['engine'], definition['engine_version'])}"
    primary, secondaries = definition["primary"], definition["secondaries"]
    for member in [primary, *secondaries]:
        _create_member(definition, member, default_group)
    return {
        "scenario": name,
        "global_cluster_identifier": global_identifier,
        "members": [_summary(primary, "primary")] + [_summary(secondary, "secondary") for secondary in secondaries],
    }


def _summary(member: dict[str, Any], role: str) -> dict[str, str]:
    return {"db_cluster_identifier": member["db_cluster_identifier"], "region": member["region"], "role": role}


def _create_member(definition: dict[str, Any], member: dict[str, Any], default_group: str) -> None:
    group = member.get("db_cluster_parameter_group")
    if group:
        _create_parameter_group(member["region"], group)
    backend = rds_backend(ACCOUNT_ID, member["region"])
    cluster_identifier = member["db_cluster_identifier"]
    cluster = backend.create_db_cluster({
        "db_cluster_identifier": cluster_identifier,
        "engine": definition["engine"],
        "engine_version": definition["engine_version"],
        "global_cluster_identifier": definition["global_cluster_identifier"],
        # moto would name a default group that does not match the engine (default.aurora8.0 for PostgreSQL).
        "db_cluster_parameter_group_name": group["name"] if group else default_group,
    })
    # moto reports a new cluster as `creating` once; a seeded database has been running for a long time.
    cluster.status = AVAILABLE
    for number in range(1, member["db_instance_count"] + 1):
        backend.create_db_instance({
            "db_instance_identifier": f"{cluster_identifier}-{number}",
            "db_cluster_identifier": cluster_identifier,
            "engine": definition["engine"],
            "db_instance_class": DB_INSTANCE_CLASS,
            # AWS names the default group of the version's family (moto would derive a wrong one for Aurora MySQL).
            "db_parameter_group_name": default_group,
        })


def _create_parameter_group(region: str, group: dict[str, Any]) -> None:
    backend = rds_backend(ACCOUNT_ID, region)
    backend.create_db_cluster_parameter_group(
        db_cluster_parameter_group_name=group["name"],
        db_parameter_group_family=group["family"],
        description=f"{group['family']} settings shared by the members of the global database",
        tags=[],
    )
    if group["parameters"]:
        backend.modify_db_cluster_parameter_group(
            group["name"],
            [{"ParameterName": name, "ParameterValue": value, "ApplyMethod": "immediate"} for name, value in group["parameters"].items()],
        )
