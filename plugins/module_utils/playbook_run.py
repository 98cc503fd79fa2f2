# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ansible-playbook run a module works for, found from the module's process ancestry (Linux /proc).

A module process lives for one task, so a lease that names it cannot tell whether its run still goes on. The run
does outlive its tasks: the ansible-playbook process (the topmost ancestor whose command is ansible-playbook; its
workers are forks with the same command). It is named by the control node (host name and kernel boot id), its
process id and its start time (clock ticks since boot, field 22 of /proc/PID/stat), so that a process id used again
later is not taken for it. Only a run of the same control node, same boot, can be known to be gone; a run of another
node (another host name or boot) is never taken for gone. Where /proc is missing (not Linux) no run is found.
"""

import os
import shlex
import signal
import socket
import threading
from collections import namedtuple
from contextlib import contextmanager

PlaybookRun = namedtuple("PlaybookRun", ["host", "boot", "pid", "started", "argv"])
PlaybookRun.__doc__ = """A run: the control node's host name and boot id, the ansible-playbook process id, its start (clock ticks) and command."""

_PROC = "/proc"
_PLAYBOOK_COMMANDS = ("ansible-playbook", "ansible")


def _read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _parent_and_start(pid, proc):
    """(parent process id, start time in clock ticks) of a running process, or None when there is none (a zombie has ended)."""
    stat = _read("%s/%d/stat" % (proc, pid))
    if stat is None:
        return None
    # The command name in parentheses may hold spaces: the fields after it start with the state (field 3).
    fields = stat[stat.rindex(b")") + 2:].split()
    if fields[0] in (b"Z", b"X"):
        return None
    return int(fields[1]), fields[19].decode()


def _argv(pid, proc):
    text = _read("%s/%d/cmdline" % (proc, pid)) or b""
    return [part.decode("utf-8", "replace") for part in text.split(b"\0") if part]


def _is_playbook_command(argv):
    """ansible-playbook run as a script (its interpreter first) or directly."""
    return any(os.path.basename(part) in _PLAYBOOK_COMMANDS for part in argv[:2])


def _boot_id(proc):
    return (_read("%s/sys/kernel/random/boot_id" % proc) or b"").decode().strip()


def this_run(proc=_PROC):
    """The ansible-playbook run this process works for, or None."""
    found = None
    pid = os.getpid()
    while pid > 1:
        stat = _parent_and_start(pid, proc)
        if stat is None:
            break
        argv = _argv(pid, proc)
        if _is_playbook_command(argv):
            found = PlaybookRun(socket.gethostname(), _boot_id(proc), pid, stat[1], argv)
        pid = stat[0]
    return found


def run_text(run):
    """A run as a tag value holds it: host/pid/start/boot."""
    return "%s/%d/%s/%s" % (run.host, run.pid, run.started, run.boot)


def local_run(text, proc=_PROC):
    """The run ``text`` (run_text) names when it is a run of this control node and boot (its command unknown), or None."""
    parts = (text or "").rsplit("/", 3)
    if len(parts) != 4 or not parts[1].isdigit():
        return None
    host, pid, started, boot = parts
    if host != socket.gethostname() or not boot or boot != _boot_id(proc):
        return None
    return PlaybookRun(host, boot, int(pid), started, [])


def run_exists(run, proc=_PROC):
    stat = _parent_and_start(run.pid, proc)
    return stat is not None and stat[1] == run.started


def run_is_gone(text, proc=_PROC):
    """Whether ``text`` (run_text) names a run of this control node, this boot, whose ansible-playbook process has ended."""
    run = local_run(text, proc)
    return run is not None and not run_exists(run, proc)


_INTERRUPT_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _catches_interrupts(pid, proc=_PROC):
    """Whether the process has its own handler for SIGINT and SIGTERM (its SigCgt mask in /proc/PID/status), or None
    when that cannot be read."""
    status = _read("%s/%d/status" % (proc, pid)) or b""
    for line in status.splitlines():
        if line.startswith(b"SigCgt:"):
            caught = int(line.split()[1], 16)
            return all(caught & (1 << (number - 1)) for number in _INTERRUPT_SIGNALS)
    return None


def run_is_ending(run, caught_when_watched, proc=_PROC):
    """Whether ``run`` has ended, or is ending: its ansible-playbook process is gone, or it no longer catches Ctrl-C
    although it did when the watch began (``caught_when_watched``).

    ansible-core's TaskQueueManager catches SIGINT and SIGTERM for the whole run, and gives them back to the system's
    default as it takes the first, to pass it on to its workers and end the run. Passing it on can miss the worker of the
    module in flight (seen under load): the run then waits for that worker at its exit, and the worker for the module.
    """
    if not run_exists(run, proc):
        return True
    return bool(caught_when_watched) and _catches_interrupts(run.pid, proc) is False


@contextmanager
def interrupted_when_run_ends(run, interval=0.5):
    """Ctrl-C (KeyboardInterrupt) in the body when ``run``'s ansible-playbook process ends before it, or is ending
    (run_is_ending).

    ansible-playbook passes Ctrl-C on to the module through its worker, but not always (and not at all when it is
    killed): a module whose run is gone must not go on as if someone waited for it. Without a run, nothing is watched.
    """
    if run is None:
        yield
        return
    done = threading.Event()
    main_thread = threading.main_thread().ident
    caught_when_watched = _catches_interrupts(run.pid)

    def watch():
        while not done.wait(interval):
            if run_is_ending(run, caught_when_watched):
                # To the main thread itself: only there does the signal end a sleep or a read at once.
                signal.pthread_kill(main_thread, signal.SIGINT)
                return

    watcher = threading.Thread(target=watch, name="aurora_global_db run watcher", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()


def run_command(run):
    """The run's command line as the operator typed it (ansible-playbook and its arguments), or None."""
    if run is None:
        return None
    argv = run.argv
    start = next(index for index, part in enumerate(argv[:2]) if os.path.basename(part) in _PLAYBOOK_COMMANDS)
    return " ".join([os.path.basename(argv[start])] + [shlex.quote(part) for part in argv[start + 1:]])


def run_stderr(run):
    """The run's standard error, opened for writing (the terminal, or whatever the operator sent it to), or None.

    A module's own output goes to its worker process, which ends at once on Ctrl-C; what the module says after
    that reaches the operator only this way. Opened while the run still exists, it stays writable after the run ends.
    """
    if run is None or not run_exists(run):
        return None
    try:
        # Appending: a file the operator sent the output to is not truncated.
        return open("%s/%d/fd/2" % (_PROC, run.pid), "a")
    except OSError:
        return None
