# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Kill a playbook run at a point the sandbox's journal shows, as a cancelled AWX job or a lost control node goes
(test_interruptions.py and test_interruptions_methods.py).

ansible-core 2.19 starts each worker in a session of its own, so killing ansible-playbook's process group would leave
the module alive: the processes are found by walking /proc from the run's pid, whatever their session."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from collections.abc import Iterator

from playbook_runner import playbook_command
from role_runs import changing_calls

POLL_SECONDS = 0.02
# A safety net only (the run's own wait_timeout ends a stuck run first): no kill point waits on the clock.
RUN_DEADLINE_SECONDS = 600


def _children() -> dict[int, list[int]]:
    """{pid: [child pids]} of every process readable in /proc."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open("/proc/%s/stat" % name, encoding="utf-8") as handle:
                    # The field after the command name in parentheses (which may hold spaces): state, then the parent's pid.
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(name))
    return children


def process_tree(root: int) -> list[int]:
    """``root`` and every process descending from it."""
    found, pending, children = [], [root], _children()
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


def command_line(pid: int) -> str:
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _is_gone(pid: int) -> bool:
    try:
        with open("/proc/%d/stat" % pid, encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def wait_until_gone(pids) -> None:
    """Return once every process of ``pids`` has exited (a zombie counts as exited: it makes no call)."""
    while not all(_is_gone(pid) for pid in pids):
        time.sleep(POLL_SECONDS)


def signal_all(pids, signal_number: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal_number)
        except ProcessLookupError:
            pass


def stop_tree(root: int) -> dict[int, str]:
    """SIGSTOP ``root`` and every process descending from it; returns {pid: command line}.

    Each process found is stopped before the tree is read again, so that none forks or calls AWS meanwhile; the tree is
    read until a read finds no new process."""
    stopped: dict[int, str] = {}
    while True:
        new = [pid for pid in process_tree(root) if pid not in stopped]
        if not new:
            return stopped
        stopped.update((pid, command_line(pid)) for pid in new)
        signal_all(new, signal.SIGSTOP)


def kill_tree(root: int) -> dict[int, str]:
    """SIGKILL ``root`` and every process descending from it (stopped first: stop_tree); returns {pid: command line}."""
    stopped = stop_tree(root)
    signal_all(stopped, signal.SIGKILL)
    return stopped


# /proc/net/tcp states of a client socket whose connection the server may still be serving: ESTABLISHED, FIN_WAIT1 and
# FIN_WAIT2 (the client has closed its side; the server has not closed its own). CLOSE_WAIT means the server closed first.
_OPEN_CLIENT_STATES = {"01", "04", "05"}


def _socket_inodes(pid: int) -> set[str]:
    links = (os.readlink("/proc/%d/fd/%s" % (pid, fd)) for fd in os.listdir("/proc/%d/fd" % pid))
    return {link[len("socket:["):-1] for link in links if link.startswith("socket:[")}


def _sandbox_connections(pids, sandbox_port: int) -> set[int]:
    """The client ports of the connections ``pids`` (stopped) hold open to the sandbox: their sockets' inodes found in the
    TCP tables (one network namespace: this process's /proc/net/tcp and tcp6) with the sandbox's port as the remote one."""
    inodes = set()
    for pid in pids:
        try:
            inodes |= _socket_inodes(pid)
        except FileNotFoundError:
            continue  # the process had exited before it was stopped: it holds no connection
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="utf-8") as handle:
            for row in handle.readlines()[1:]:
                local, remote, state, inode = (row.split()[index] for index in (1, 2, 3, 9))
                if inode in inodes and state in _OPEN_CLIENT_STATES and int(remote.rsplit(":", 1)[1], 16) == sandbox_port:
                    ports.add(int(local.rsplit(":", 1)[1], 16))
    return ports


def kill_and_drain(sandbox, pids) -> set[int]:
    """SIGKILL the processes ``pids`` and return once they are gone and the sandbox has finished serving each connection
    they held to it. They are stopped first (SIGSTOP; stop_tree has stopped them already), so that none opens a
    connection between the read of their connections and the kill.

    A request sent just before the kill may reach the sandbox's handler after the process is gone, on a loaded machine
    seconds later; the journal read after this return holds it, so that a call journaled later came from something else.
    Returns the client ports of those connections."""
    signal_all(pids, signal.SIGSTOP)
    before = sandbox.finished_connections()
    ports = _sandbox_connections(pids, urllib.parse.urlsplit(sandbox.endpoint_url).port)
    signal_all(pids, signal.SIGKILL)
    wait_until_gone(pids)
    deadline = time.monotonic() + RUN_DEADLINE_SECONDS
    while True:
        finished = sandbox.finished_connections()
        open_ports = sorted(port for port in ports if finished.get(port, 0) <= before.get(port, 0))
        if not open_ports:
            return ports
        assert time.monotonic() < deadline, "the sandbox still serves the killed processes' connections from ports %s" % open_ports
        time.sleep(POLL_SECONDS)


@contextlib.contextmanager
def playbook_at(sandbox, playbook: str, extra_vars: dict, reached: Callable[[list[dict]], bool], point: str) -> Iterator[subprocess.Popen]:
    """Start ``playbook`` against the sandbox and yield its process once ``reached`` (given the journal's changing calls)
    is true; the run must not end before (its output is in the failure). The caller kills, then waits for the process."""
    command, environment = playbook_command(playbook, sandbox.endpoint_url, extra_vars)
    with tempfile.TemporaryFile() as output, \
            subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True) as run:
        try:
            deadline = time.monotonic() + RUN_DEADLINE_SECONDS
            while not reached(changing_calls(sandbox)):
                if run.poll() is not None:
                    output.seek(0)
                    raise AssertionError("the run ended before %s: %s" % (point, output.read().decode("utf-8", "replace")[-3000:]))
                assert time.monotonic() < deadline, "no %s within %d s" % (point, RUN_DEADLINE_SECONDS)
                time.sleep(POLL_SECONDS)
            yield run
        except BaseException:
            # Popen's exit waits for the run: a failed test must not leave it running (nor wait for it).
            kill_tree(run.pid)
            raise


def module_processes(root: int, module: str) -> list[int]:
    """The python processes under ``root`` (an ansible-playbook) that run ``module``'s AnsiballZ wrapper, not their shells."""
    return [pid for pid in process_tree(root)
            if "AnsiballZ_%s.py" % module in command_line(pid) and "python" in command_line(pid).split(" ", 1)[0]]


def kill_module_after(sandbox, playbook: str, module: str, extra_vars: dict, operation: str):
    """Run the playbook and SIGKILL ``module``'s process once the journal shows ``operation``.

    Returns whether the module was still running to be killed, the journal's length once it was dead and the sandbox had
    served what it sent, and the journal's length once ansible-playbook had ended."""
    def reached(calls):
        return any(entry["operation"] == operation for entry in calls)

    with playbook_at(sandbox, playbook, extra_vars, reached, "its call %s" % operation) as run:
        killed = module_processes(run.pid, module)
        kill_and_drain(sandbox, killed)
        at_death = len(sandbox.journal())
        run.wait(timeout=RUN_DEADLINE_SECONDS)
    return bool(killed), at_death, len(sandbox.journal())
