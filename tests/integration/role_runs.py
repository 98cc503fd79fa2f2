# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The role run as users run it (the collection's playbook aurora.global_db.upgrade), and what the sandbox saw of it."""

from __future__ import annotations

import json
from pathlib import Path

from playbook_runner import run_playbook
from sandbox.scenarios import SCENARIOS

ENGINE_VERSIONS = json.loads((Path(__file__).parents[1] / "sandbox" / "engine_versions.json").read_text(encoding="utf-8"))["DBEngineVersions"]
# RDS read calls are named Describe*/List*; everything else the sandbox journals changes something (or would have).
READ_PREFIXES = ("Describe", "List")


def role_vars(sandbox, global_cluster_identifier, engine_version, **overrides):
    """The role's variables for a run against the sandbox: fast polling, and a deadline no slow machine reaches (a test of
    timeouts sets its own, with the sandbox holding what must still run)."""
    variables = {
        "aurora_global_upgrade_global_cluster_identifier": global_cluster_identifier,
        "aurora_global_upgrade_engine_version": engine_version,
        "aurora_global_upgrade_endpoint_url": sandbox.endpoint_url,
        "aurora_global_upgrade_region": "us-east-1",
        "aurora_global_upgrade_poll_interval": 1,
        "aurora_global_upgrade_wait_timeout": 600,
    }
    variables.update(overrides)
    return variables


def run_role(sandbox, global_cluster_identifier, engine_version, check=False, diff=False, environment=None, timeout=600, **overrides):
    variables = role_vars(sandbox, global_cluster_identifier, engine_version, **overrides)
    return run_playbook("role_upgrade.yml", sandbox.endpoint_url, variables, check=check, diff=diff, environment=environment, timeout=timeout)


def changing_calls(sandbox):
    """Every journaled RDS call that is not a read, accepted or refused."""
    return [entry for entry in sandbox.journal() if entry["kind"] == "call" and not entry["operation"].startswith(READ_PREFIXES)]


def scenario(name):
    return SCENARIOS["scenarios"][name]


def upgrade_target(engine, engine_version, major):
    """The first valid upgrade target of ``engine_version`` that supports global databases and is (not) a major upgrade."""
    for version in ENGINE_VERSIONS:
        if (version["Engine"], version["EngineVersion"]) == (engine, engine_version):
            return next((target["EngineVersion"] for target in version.get("ValidUpgradeTarget", [])
                         if target["IsMajorVersionUpgrade"] == major and target["SupportsGlobalDatabases"]), None)
    raise KeyError("%s %s is not in the sandbox's engine_versions.json" % (engine, engine_version))
