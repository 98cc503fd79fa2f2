# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Runs the module aurora_global_upgrade unchanged and, while it waits, prints progress lines.

An upgrade takes minutes to hours and a module cannot print while it runs. So while the module waits,
a second thread reads the global database with aurora_global_facts (read only, same connection options)
every two poll_interval (at most every 30 seconds: each read is a whole facts read, on the account's shared
RDS API budget) and prints a line (member, status, time elapsed) when a status changes and at least
every 30 seconds, so at least once a minute. The lines go to stderr, like Ansible's warnings, so machine-readable stdout callbacks
(json) stay intact. The module's result is returned as it is.

Progress needs the local connection (the modules run on the control node); with another connection, in
check mode, without wait, or as an async task the module simply runs.
"""

import copy
import threading
import time

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.aurora.global_db.plugins.plugin_utils.progress import line_due
from ansible_collections.aurora.global_db.plugins.plugin_utils.progress import member_states
from ansible_collections.aurora.global_db.plugins.plugin_utils.progress import progress_line
from ansible_collections.aurora.global_db.plugins.plugin_utils.progress import read_interval
from ansible_collections.aurora.global_db.plugins.plugin_utils.progress import reports_progress
from ansible_collections.aurora.global_db.plugins.plugin_utils.progress import unreadable_line

display = Display()

FACTS_MODULE = "aurora.global_db.aurora_global_facts"
# Options of the upgrade module that the facts module does not take; every other one (the global cluster and the
# amazon.aws connection options) is passed on to the reads.
_UPGRADE_ONLY_OPTIONS = ("engine_version", "allow_major_version_upgrade", "db_cluster_identifier", "wait", "wait_timeout",
                         "poll_interval", "status_settle_seconds", "lease", "lease_token", "lease_owner")
_DEFAULT_POLL_INTERVAL = 15


class _ProgressReporter:
    """Reads the global database through its own connection copy (a temporary directory of its own) and prints."""

    def __init__(self, reader, read_args, task_vars, member, interval):
        self._reader = reader
        self._read_args = read_args
        self._task_vars = task_vars
        self._member = member
        self._interval = interval
        self._started_at = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="aurora_global_upgrade progress", daemon=True)

    def start(self):
        self._started_at = time.monotonic()
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join()

    def _read(self):
        try:
            result = self._reader._execute_module(module_name=FACTS_MODULE, module_args=dict(self._read_args), task_vars=self._task_vars)
        finally:
            self._reader._remove_tmp_path(None)
        if result.get("failed"):
            raise LookupError(result.get("msg", "no message"))
        return result["ansible_facts"]["aurora_global"]

    def _run(self):
        last_states, last_printed_at = None, None
        global_id = self._read_args["global_cluster_identifier"]
        while not self._stop.wait(self._interval):
            elapsed = time.monotonic() - self._started_at
            try:
                states = member_states(self._read(), self._member)
                line = progress_line(global_id, states, elapsed)
            except Exception as error:  # pylint: disable=broad-exception-caught  # a missed progress line must not stop the upgrade
                states, line = None, unreadable_line(global_id, error, elapsed)
            now = time.monotonic()
            if line_due(states, last_states, now, last_printed_at):
                display.display(line, stderr=True)
                last_states, last_printed_at = states, now


class ActionModule(ActionBase):

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        reporter = self._progress_reporter(task_vars)
        if reporter is None:
            result.update(self._execute_module(task_vars=task_vars))
            return result
        reporter.start()
        try:
            result.update(self._execute_module(task_vars=task_vars))
        finally:
            reporter.stop()
        return result

    def _progress_reporter(self, task_vars):
        """A reporter when this run waits for an upgrade on the local connection, else None."""
        args = self._task.args
        if not reports_progress(args, self._task.check_mode, self._task.async_val, self._connection.transport):
            return None
        connection = copy.copy(self._connection)
        connection._shell = copy.copy(self._connection._shell)  # pylint: disable=protected-access  # a temporary directory of its own
        connection._shell.tmpdir = None  # pylint: disable=protected-access
        reader = ActionModule(self._task.copy(), connection, self._play_context, self._loader, self._templar, self._shared_loader_obj)
        read_args = {name: value for name, value in args.items() if name not in _UPGRADE_ONLY_OPTIONS}
        interval = read_interval(args.get("poll_interval", _DEFAULT_POLL_INTERVAL))
        return _ProgressReporter(reader, read_args, task_vars, args.get("db_cluster_identifier"), interval)
