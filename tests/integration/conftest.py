# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures shared by the integration tests: a local AWS sandbox per pytest(-xdist) worker."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    """One server per worker process: moto's state is process-wide. Short timings keep upgrade tests fast."""
    with SandboxServer(upgrade_seconds=1.0, status_delay_seconds=0.5) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> Iterator[SandboxClient]:
    """A SandboxClient (with .endpoint_url) of an empty sandbox: reset before each test."""
    client = SandboxClient(sandbox_server.endpoint_url)
    client.reset()
    yield client


@pytest.fixture(scope="session")
def sandbox_with_iam() -> Iterator[SandboxClient]:
    """A sandbox that checks credentials (moto's IAM enforcement from the first call): its own process, since moto's settings are process-wide."""
    environment = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="0")
    command = [sys.executable, "-m", "sandbox", "serve", "--port", "0"]
    with subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, text=True) as server:
        try:
            yield SandboxClient(server.stdout.readline().strip())
        finally:
            server.terminate()
            server.wait(timeout=30)
