# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures shared by the integration tests: a local AWS sandbox per pytest(-xdist) worker."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.client import SandboxClient
from sandbox.launcher import running_sandbox

# The order in which the files' tests start (pytest --durations and each test's CPU time, 2026-12), in three groups:
# - the single tests that take longest (a make demo in a copy of the repository), so that none of them starts last while
#   the other workers have run out of work;
# - the files whose tests mostly wait for the sandbox's pace (their CPU time a quarter to a third of their time, against
#   about half for the others), so that they run while make test's two other lanes take the CPU they leave idle;
# - the files with long tests (four -vvv runs, kill-and-rerun pairs, several role runs a test), before the rest.
# In a make test that started them after the long files instead, the two cores were 54 to 83 % busy for three minutes
# once the other lanes had finished. The other files follow as collected; with the Makefile's --maxschedchunk 2 xdist
# hands the tests out two at a time, and the short sandbox tests fill the workers at the end.
START_ORDER = (
    "test_demo_mysql.py", "test_newcomer.py", "test_demo_methods.py",
    "test_real_aws_behaviours.py", "test_upgrade_module.py", "test_lease.py", "test_role.py",
    "test_secrets.py", "test_interruptions.py", "test_fleet.py", "test_major_upgrade_extras.py", "test_role_snapshot_restore.py",
    "test_interruptions_methods.py", "test_managed_minor.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests of START_ORDER first, in that order; then the others as collected (a stable sort); last, the sandbox's own
    tests (test_sandbox*.py: boto3 calls, no ansible-playbook, milliseconds each)."""
    rank = {name: position for position, name in enumerate(START_ORDER)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank) + item.path.name.startswith("test_sandbox")))


# The sandbox's timings for the tests (test_iam.py's sandbox of its own too). Short, so that upgrade tests are fast; no
# test counts on them: a test that must see something under way holds it (hold_upgrade_of ...) or moves the sandbox's
# clock (advance_clock). Shorter ones (0.2 s upgrades, a 0.1 s pending window, each over before a module's next read)
# were tried: test_lease's Ctrl-C test then found a SIGINT sent 0.1 s after the ModifyDBCluster left the run going on.
SANDBOX_TIMINGS = {"upgrade_seconds": 1.0, "status_delay_seconds": 0.5}


@pytest.fixture(scope="session", autouse=True)
def temporary_files_under_pytests_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The runs' temporary files (each module's AnsiballZ payload, each action's progress file) go under pytest's base
    directory of this worker instead of /tmp: a run a test kills cannot remove its own, and pytest keeps only its last
    three base directories."""
    directory = tmp_path_factory.mktemp("tmp")
    previous = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(directory)
    # tempfile keeps the directory it chose first: forget it, so that this process's own temporary files follow too.
    tempfile.tempdir = None
    yield directory
    if previous is None:
        os.environ.pop("TMPDIR")
    else:
        os.environ["TMPDIR"] = previous
    tempfile.tempdir = None


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxClient]:
    """One sandbox per worker process, in a thread (moto's state is process-wide), with SANDBOX_TIMINGS."""
    with running_sandbox(**SANDBOX_TIMINGS) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: SandboxClient) -> SandboxClient:
    """A SandboxClient (with .endpoint_url) of an empty sandbox: reset before each test."""
    sandbox_server.reset()
    return sandbox_server
