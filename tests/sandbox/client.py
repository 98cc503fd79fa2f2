# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A client of the sandbox: its control API over plain HTTP, and boto3 clients pointed at it (boto3 imported only then)."""

from __future__ import annotations

import contextlib
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

MUTATING_OPERATIONS = frozenset({
    "ModifyGlobalCluster",
    "ModifyDBCluster",
    "ModifyDBInstance",
    "ResetDBClusterParameterGroup",
    "FailoverGlobalCluster",
    "SwitchoverGlobalCluster",
    "RemoveFromGlobalCluster",
    "RebootDBInstance",
    "ModifyDBClusterParameterGroup",
    "CreateDBClusterSnapshot",
    "RestoreDBClusterFromSnapshot",
    "CreateDBInstance",
    "CreateGlobalCluster",
    "CreateDBCluster",
    "CreateBlueGreenDeployment",
    "SwitchoverBlueGreenDeployment",
    "DeleteBlueGreenDeployment",
})

# The request parameters that name what a Describe call reads (the sandbox's WSGI layer reads them too).
IDENTIFIER_PARAMETERS = ("GlobalClusterIdentifier", "DBClusterIdentifier", "DBInstanceIdentifier", "DBClusterSnapshotIdentifier")
# The credentials every caller gives the sandbox (any are accepted unless IAM enforcement is on); never real ones.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
# The region of calls that name none; global clusters are served from every region.
DEFAULT_REGION = "us-east-1"
# How often releasing_hold reads the journal; a later release only makes the run wait longer, never changes what it sees.
_JOURNAL_WATCH_SECONDS = 0.2


class SandboxError(RuntimeError):
    """The sandbox refused a control request."""


class SandboxClient:
    def __init__(self, endpoint_url: str, timeout: float = 10.0) -> None:
        self.endpoint_url = endpoint_url.rstrip("/")
        self._timeout = timeout

    def aws_client(self, service: str = "rds", region: str = DEFAULT_REGION, credentials: dict[str, str] | None = None,
                   max_attempts: int | None = None) -> Any:
        """A boto3 client of the sandbox: its endpoint, ``region``, the test credentials (or ``credentials``, the
        AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY of an IAM user), and botocore's retries (``max_attempts`` 1: none)."""
        import boto3  # pylint: disable=import-outside-toplevel  # the control API needs no boto3
        from botocore.config import Config  # pylint: disable=import-outside-toplevel

        keys = credentials or CREDENTIALS
        retries = Config(retries={"mode": "standard", "total_max_attempts": max_attempts}) if max_attempts else None
        return boto3.client(service, region_name=region, endpoint_url=self.endpoint_url, config=retries,
                            aws_access_key_id=keys["AWS_ACCESS_KEY_ID"], aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"])

    def seed(self, scenario: str) -> dict[str, Any]:
        return self._request("POST", "/sandbox-api/seed", {"scenario": scenario})

    def seed_fleet(self, global_databases: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        """Seed many global databases (sandbox.fleet's definitions); none given: the fleet of fleet.json."""
        return self._request("POST", "/sandbox-api/fleet", {"global_databases": global_databases or []})

    def journal(self) -> list[dict[str, Any]]:
        return self._request("GET", "/sandbox-api/journal")

    def mutating_calls(self) -> list[dict[str, Any]]:
        """The journaled calls that change something (failed and throttled ones included)."""
        return [entry for entry in self.journal() if entry["kind"] == "call" and entry["operation"] in MUTATING_OPERATIONS]

    def finished_connections(self) -> dict[int, int]:
        """{client port: how many connections from it the server has finished serving}: each request of a finished
        connection is in the journal."""
        return {int(port): count for port, count in self._request("GET", "/sandbox-api/connections")["finished"].items()}

    def clear_journal(self) -> None:
        self._request("DELETE", "/sandbox-api/journal")

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Change settings; returns them all. The reset before each test returns them to the server's start.

        Timing: upgrade_seconds, status_delay_seconds, settle_seconds (with settle_refusal: InvalidGlobalClusterStateFault,
        InvalidDBClusterStateFault or upgrade_global_replicas_first), latency_seconds. Faults: throttle_fraction,
        throttle_seed, fail_upgrade_of, lose_response_of, late_response_of (with late_response_seconds),
        refuse_in_place_mysql_minor. Test controls (not AWS behaviours): hold_upgrade_of, hold_pending_of, hold_transition_of.
        AWS's picture: hidden_versions, deprecated_versions, pending_resync, regional_endpoints.
        Each is described in docs/sandbox.md, "Settings".
        """
        return self._request("POST", "/sandbox-api/config", settings)

    def reads_of(self, identifier: str, after_seq: int = 0) -> int:
        """How many Describe calls journaled after ``after_seq`` name this global cluster, DB cluster, DB instance or snapshot."""
        identifier = identifier.lower()
        return sum(1 for entry in self.journal() if entry["kind"] == "call" and entry["seq"] > after_seq and entry["operation"].startswith("Describe")
                   and identifier in (str(entry["params"].get(key, "")).lower() for key in IDENTIFIER_PARAMETERS))

    @contextlib.contextmanager
    def releasing_hold(self, setting: str, identifier: str, after_reads: int) -> Iterator[None]:
        """While the block runs (a playbook), take ``identifier`` out of the hold ``setting`` (hold_upgrade_of, hold_pending_of or hold_transition_of)
        once ``after_reads`` Describe calls made since the block began name it: the run has read the held upgrade that often,
        so it saw it held, and with a count past the run's reads before its wait, it is waiting for it. The release comes
        later on a slow machine, never earlier. Raises AssertionError when the block ends without that many reads.
        """
        since = max((entry["seq"] for entry in self.journal()), default=0)
        released = threading.Event()
        finished = threading.Event()

        def release_once_read() -> None:
            while not finished.wait(_JOURNAL_WATCH_SECONDS):
                if self.reads_of(identifier, since) >= after_reads:
                    held = self.configure()[setting]
                    self.configure(**{setting: [name for name in held if name != identifier.lower()]})
                    released.set()
                    return

        watcher = threading.Thread(target=release_once_read, name="sandbox hold release", daemon=True)
        watcher.start()
        try:
            yield
        finally:
            finished.set()
            watcher.join()
        if not released.is_set():
            raise AssertionError("the block read %s only %d times, not %d: it did not wait for the held upgrade" % (
                identifier, self.reads_of(identifier, since), after_reads))

    def advance_clock(self, seconds: float) -> float:
        """Move the sandbox's clock ahead (docs/sandbox.md, "Control API"): what is due by then happens now. Returns the new time."""
        return self._request("POST", "/sandbox-api/clock", {"advance": seconds})["now"]

    def enforce_iam_after(self, requests: int | str) -> None:
        """Let ``requests`` more requests through unchecked ("inf": all), then check every later one against IAM (moto's reset-auth).

        moto's switch is process-wide: only for a sandbox in a process of its own (running_sandbox(own_process=True)).
        """
        request = urllib.request.Request(self.endpoint_url + "/moto-api/reset-auth", data=str(requests).encode(), method="POST",
                                         headers={"Content-Type": "text/plain"})
        with urllib.request.urlopen(request, timeout=self._timeout):
            pass

    def set_state(self, **forced: Any) -> dict[str, Any]:
        """set_state(global_cluster=ID, status=S), set_state(global_cluster=ID, failover_state={...} or None),
        or set_state(db_cluster=ID, region=R, status=S)."""
        return self._request("POST", "/sandbox-api/state", forced)

    def reset(self) -> None:
        """Forget every resource (moto's reset), the journal, the settings made since start, and upgrades in flight."""
        self._request("POST", "/moto-api/reset")

    def _request(self, method: str, path: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(self.endpoint_url + path, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            raise SandboxError(f"{method} {path}: HTTP {error.code}: {error.read().decode('utf-8', 'replace')}") from error
        return json.loads(body) if body else None
