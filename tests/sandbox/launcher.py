# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one way to start and stop the sandbox: in a thread of the caller's process, or in a process of its own.

running_sandbox() is what the tests, the demo and the benchmarks use; start_process() and stop_pidfile() are what
`python -m sandbox start` / `stop` (make sandbox, molecule) use for a sandbox that outlives its starter.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .client import SandboxClient

# The directory holding the package: what PYTHONPATH must name for `python -m sandbox` (the repository's tests/).
PACKAGE_PARENT = str(Path(__file__).resolve().parents[1])
START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 10


class SandboxStartError(RuntimeError):
    """The sandbox did not answer within START_TIMEOUT_SECONDS."""


def python_path(existing: str | None = None) -> str:
    """PYTHONPATH with the package's parent first, so that `import sandbox` and `python -m sandbox` work."""
    return os.pathsep.join([PACKAGE_PARENT] + [entry for entry in (existing or "").split(os.pathsep) if entry and entry != PACKAGE_PARENT])


class SandboxProcess:
    """`python -m sandbox serve` as a child process; endpoint_url once it answers."""

    def __init__(self, port: int = 0, pidfile: str | None = None, detached: bool = False, **settings: Any) -> None:
        command = [sys.executable, "-m", "sandbox", "serve", "--port", str(port)]
        command += ["--pidfile", str(pidfile)] if pidfile else []
        command += [f"--set={name}={json.dumps(value)}" for name, value in settings.items()]
        # Detached: a session of its own (Ctrl-C in the starter's terminal does not reach it) and no inherited stderr,
        # since it outlives the starter. Either way it prints its endpoint URL and then nothing more on stdout.
        self._process = subprocess.Popen(  # pylint: disable=consider-using-with  # stopped by stop(), or by stop_pidfile()
            command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, start_new_session=True,
            stderr=subprocess.DEVNULL if detached else None, env=dict(os.environ, PYTHONPATH=python_path(os.environ.get("PYTHONPATH"))),
        )
        try:
            self.endpoint_url = self._read_endpoint_url()
        except BaseException:
            self.stop()
            raise

    def _read_endpoint_url(self) -> str:
        readable = select.select([self._process.stdout], [], [], START_TIMEOUT_SECONDS)[0]
        line = self._process.stdout.readline().strip() if readable else ""
        if not line.startswith("http"):
            raise SandboxStartError(f"the sandbox did not start within {START_TIMEOUT_SECONDS} s (exit code {self._process.poll()})")
        self._process.stdout.close()
        return line

    def stop(self) -> int:
        """SIGTERM, then SIGKILL if it has not stopped in STOP_TIMEOUT_SECONDS; returns its exit code."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self._process.kill()
        if self._process.stdout and not self._process.stdout.closed:
            self._process.stdout.close()
        return self._process.wait()


@contextlib.contextmanager
def running_sandbox(own_process: bool = False, port: int = 0, pidfile: str | None = None, **settings: Any) -> Iterator[SandboxClient]:
    """A running sandbox's SandboxClient, stopped when the block ends, however it ends.

    ``settings``: the settings it starts with and returns to at each reset (docs/sandbox.md, "Settings"), e.g.
    upgrade_seconds=1. ``own_process``: False runs it in a thread of this process (one per process: moto's state is
    process-wide). True runs `python -m sandbox serve` in a child process: needed for moto's IAM enforcement
    (SandboxClient.enforce_iam_after; a process-wide switch too), for a caller that measures its own memory and time,
    and for one that must survive the caller's Ctrl-C to stop it cleanly. ``pidfile`` (own process only) holds its pid.
    """
    if own_process:
        process = SandboxProcess(port=port, pidfile=pidfile, **settings)
        try:
            yield SandboxClient(process.endpoint_url)
        finally:
            process.stop()
        return
    if pidfile:
        raise ValueError("a pidfile names a process: give own_process=True")
    # Imported here: moto takes a second or two to import, and only the in-process sandbox needs it in this process.
    from .server import SandboxServer  # pylint: disable=import-outside-toplevel

    with SandboxServer(port=port, **settings) as server:
        yield SandboxClient(server.endpoint_url)


def running_pid(pidfile: str) -> int | None:
    """The pid in ``pidfile`` if that process still runs the sandbox (a pid reused by another process does not count)."""
    try:
        pid = int(Path(pidfile).read_text(encoding="utf-8").strip())
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except (OSError, ValueError):
        return None
    return pid if "sandbox" in command_line else None


def stop_pidfile(pidfile: str) -> bool:
    """Stop the sandbox whose pid ``pidfile`` holds (SIGTERM, then SIGKILL); False when none runs."""
    pid = running_pid(pidfile)
    if pid is None:
        Path(pidfile).unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while running_pid(pidfile) == pid and time.monotonic() < deadline:
        time.sleep(0.1)
    if running_pid(pidfile) == pid:
        os.kill(pid, signal.SIGKILL)
    Path(pidfile).unlink(missing_ok=True)
    return True
