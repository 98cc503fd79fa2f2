# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures shared by the integration tests: a local AWS sandbox per pytest(-xdist) worker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.client import SandboxClient
from sandbox.launcher import running_sandbox


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxClient]:
    """One sandbox per worker process, in a thread (moto's state is process-wide). Short timings keep upgrade tests
    fast; no test counts on them: a test that must see something under way holds it (hold_upgrade_of ...) or moves
    the sandbox's clock (advance_clock)."""
    with running_sandbox(upgrade_seconds=1.0, status_delay_seconds=0.5) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: SandboxClient) -> SandboxClient:
    """A SandboxClient (with .endpoint_url) of an empty sandbox: reset before each test."""
    sandbox_server.reset()
    return sandbox_server
