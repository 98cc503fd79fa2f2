# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Runs a module of the collection that waits for AWS and, while it waits, prints progress lines from the module's own reads.

An upgrade (or the snapshot before it, or a snapshot restore) takes minutes to hours and a module cannot print while
it runs. So the action plugins aurora_global_upgrade, aurora_global_snapshot and aurora_global_snapshot_restore pass
their module a progress file (option
progress_file, in a private temporary directory of the control node), which the module rewrites with the status of
what it waits for after each of its reads. A second thread reads that file every few seconds (no AWS call: progress
costs nothing on the account's shared RDS API budget) and prints a line (resource, status, time elapsed) when what it
reports changes and at least every 30 seconds. The lines go to stderr, like Ansible's warnings, so machine-readable
stdout callbacks (json) stay intact. The module's result is returned as it is.

Progress needs the local connection (the module runs on the control node and writes the file there); with another
connection, in check mode, without wait, or as an async task the module simply runs.
"""

import json
import os
import shutil
import tempfile
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


class _ProgressReporter:
    """Reads the progress file the module rewrites and prints; before the module's first read it prints nothing."""

    def __init__(self, path, global_cluster_identifier, member, interval):
        self._path = path
        self._global_cluster_identifier = global_cluster_identifier
        self._member = member
        self._interval = interval
        self._started_at = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="aurora_global_db progress", daemon=True)

    def start(self):
        self._started_at = time.monotonic()
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join()

    def _read(self):
        with open(self._path) as handle:
            return json.load(handle)

    def _run(self):
        last = (None, None)
        stopped = False
        while not stopped:
            # One more look once the module returned, so that its last read is shown when it changed something.
            stopped = self._stop.wait(self._interval)
            last = self._print_when_due(*last)

    def _print_when_due(self, last_states, last_printed_at):
        if not os.path.exists(self._path):
            return last_states, last_printed_at
        elapsed = time.monotonic() - self._started_at
        try:
            states = member_states(self._read(), self._member)
            line = progress_line(self._global_cluster_identifier, states, elapsed)
        except Exception as error:  # pylint: disable=broad-exception-caught  # a missed progress line must not stop the upgrade
            states, line = None, unreadable_line(self._global_cluster_identifier, error, elapsed)
        now = time.monotonic()
        if not line_due(states, last_states, now, last_printed_at):
            return last_states, last_printed_at
        display.display(line, stderr=True)
        return states, now


class ProgressActionModule(ActionBase):
    """The action plugin of a module with the options global_cluster_identifier, poll_interval and progress_file."""

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        if not reports_progress(args, self._task.check_mode, self._task.async_val, self._connection.transport):
            result.update(self._execute_module(task_vars=task_vars))
            return result
        directory = tempfile.mkdtemp(prefix="aurora_global_db-progress-")
        try:
            # mkdtemp makes the directory private to this user; the file appears with the module's first read.
            path = os.path.join(directory, "progress.json")
            reporter = _ProgressReporter(path, args["global_cluster_identifier"], args.get("db_cluster_identifier"),
                                         read_interval(args.get("poll_interval")))
            reporter.start()
            try:
                result.update(self._execute_module(module_args=dict(args, progress_file=path), task_vars=task_vars))
            finally:
                reporter.stop()
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return result
