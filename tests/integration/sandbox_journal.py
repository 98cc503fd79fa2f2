# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the tests read from the sandbox: the order of its seeded PostgreSQL global database, and from its journal
the calls that changed something and the simulated upgrade events."""

from __future__ import annotations

# The seeded postgresql-14 scenario, in upgrade order: secondaries by region, the primary last.
PG_ORDER = ["pg-secondary-apse2", "pg-secondary-euw1", "pg-primary-use1"]
# The region of each member of that scenario, in the same order.
PG_REGIONS = {"pg-secondary-apse2": "ap-southeast-2", "pg-secondary-euw1": "eu-west-1", "pg-primary-use1": "us-east-1"}


def member_modifications(sandbox):
    """The journal entries of the accepted ModifyDBCluster calls, in order (a call whose answer was lost was accepted too)."""
    return [entry for entry in sandbox.mutating_calls() if entry["operation"] == "ModifyDBCluster" and (entry["error"] is None or entry.get("applied"))]


def modified_members(sandbox):
    """The DBClusterIdentifier of each accepted ModifyDBCluster call, in order."""
    return [entry["params"]["DBClusterIdentifier"] for entry in member_modifications(sandbox)]


def events(sandbox, operation):
    """DBClusterIdentifier -> the journal's event ``operation`` (UpgradeStarted, UpgradeCompleted, ...) for that cluster."""
    return {entry["params"].get("DBClusterIdentifier"): entry for entry in sandbox.journal() if entry["kind"] == "event" and entry["operation"] == operation}
