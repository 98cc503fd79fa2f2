# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The control API under /sandbox-api/: journal, settings, seeding and forced states. Its calls are not journaled."""

from __future__ import annotations

from typing import Any, Callable

from moto.rds.exceptions import RDSClientError

from . import fleet, scenarios, seeding
from .config import ConfigError
from .state import SandboxState
from .topology import find_global_cluster, rds_backend

PREFIX = "/sandbox-api/"


class ControlError(ValueError):
    """A request to the control API that cannot be served as asked."""


def get_journal(state: SandboxState, payload: Any) -> list[dict[str, Any]]:
    return state.journal_entries()


def clear_journal(state: SandboxState, payload: Any) -> dict[str, Any]:
    state.journal.clear()
    return {"cleared": True}


def get_connections(state: SandboxState, payload: Any) -> dict[str, Any]:
    return {"finished": {str(port): count for port, count in state.finished_connections.items()}}


def get_config(state: SandboxState, payload: Any) -> dict[str, Any]:
    return state.config.as_dict()


def post_config(state: SandboxState, settings: Any) -> dict[str, Any]:
    if not isinstance(settings, dict):
        raise ControlError("the body must be a JSON object of settings")
    return state.configure(settings).as_dict()


def post_clock(state: SandboxState, payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict) or set(payload) != {"advance"}:
        raise ControlError('the body must be {"advance": SECONDS}')
    return {"now": state.advance_clock(payload["advance"])}


def post_seed(state: SandboxState, payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict) or "scenario" not in payload:
        raise ControlError('the body must be {"scenario": NAME}')
    return seeding.seed(state.catalog, payload["scenario"])


def post_fleet(state: SandboxState, payload: Any) -> list[dict[str, Any]]:
    """Seed a fleet: {"global_databases": [...]} (sandbox.fleet's compact definitions), or {} for fleet.json's."""
    if not isinstance(payload, dict):
        raise ControlError('the body must be {"global_databases": [...]} or {}')
    return fleet.seed_fleet(state.catalog, payload.get("global_databases") or fleet.demo_fleet())


def post_state(state: SandboxState, payload: Any) -> dict[str, Any]:
    """Force a status (or a failover state) for blocker tests; it stays until an upgrade or another call changes it."""
    if not isinstance(payload, dict):
        raise ControlError("the body must be a JSON object")
    state.settle()
    if "global_cluster" in payload:
        return _force_global_cluster(state, payload)
    if "db_cluster" in payload and "region" in payload and "status" in payload:
        return _force_db_cluster(payload)
    raise ControlError('expected {"global_cluster": ID, "status": S and/or "failover_state": {...} or null} or {"db_cluster": ID, "region": R, "status": S}')


def _force_global_cluster(state: SandboxState, payload: dict[str, Any]) -> dict[str, Any]:
    if "status" not in payload and "failover_state" not in payload:
        raise ControlError("give a status, a failover_state, or both")
    global_cluster = find_global_cluster(scenarios.ACCOUNT_ID, payload["global_cluster"])
    identifier = global_cluster.global_cluster_identifier
    if "status" in payload:
        global_cluster.status = payload["status"]
    if payload.get("failover_state"):
        state.failover_states[identifier] = payload["failover_state"]
    elif "failover_state" in payload:
        state.failover_states.pop(identifier, None)
    return {"global_cluster": identifier, "status": global_cluster.status, "failover_state": state.failover_states.get(identifier)}


def _force_db_cluster(payload: dict[str, Any]) -> dict[str, Any]:
    cluster = rds_backend(scenarios.ACCOUNT_ID, payload["region"]).describe_db_clusters(db_cluster_identifier=payload["db_cluster"])[0]
    cluster.status = payload["status"]
    return {"db_cluster": cluster.db_cluster_identifier, "region": payload["region"], "status": payload["status"]}


ROUTES: dict[tuple[str, str], Callable[[SandboxState, Any], Any]] = {
    ("GET", "journal"): get_journal,
    ("DELETE", "journal"): clear_journal,
    ("GET", "connections"): get_connections,
    ("GET", "config"): get_config,
    ("POST", "config"): post_config,
    ("POST", "clock"): post_clock,
    ("POST", "seed"): post_seed,
    ("POST", "fleet"): post_fleet,
    ("POST", "state"): post_state,
}


def handle(state: SandboxState, method: str, path: str, payload: Any) -> tuple[int, Any]:
    """(HTTP status, JSON-able body) for one control request."""
    handler = ROUTES.get((method, path[len(PREFIX):].strip("/")))
    if handler is None:
        return 404, {"error": f"no control endpoint {method} {path}; known: {', '.join(f'{m} {PREFIX}{p}' for m, p in ROUTES)}"}
    try:
        with state.lock:
            return 200, handler(state, payload)
    except (ControlError, ConfigError, scenarios.ScenarioError) as error:
        return 400, {"error": str(error)}
    except RDSClientError as error:
        # Unknown global or DB cluster names, as moto reports them.
        return 400, {"error": f"{error.code}: {error.message}"}
