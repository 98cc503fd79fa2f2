# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run a real ansible-playbook against the sandbox and read every task's result.

The ansible.posix.json callback prints the whole run as one JSON document, so
tests can assert on what each task returned, by task name.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field

from sandbox.client import CREDENTIALS
from sandbox.client import DEFAULT_REGION

PLAYBOOKS = os.path.join(os.path.dirname(__file__), "playbooks")
# The sandbox's credentials and region, as the environment of ansible-playbook; never real ones.
SANDBOX_ENVIRONMENT = dict(CREDENTIALS, AWS_DEFAULT_REGION=DEFAULT_REGION)


@dataclass
class PlaybookRun:
    returncode: int
    output: dict
    stderr: str
    tasks: dict = field(default_factory=dict)

    def result(self, task_name):
        """The localhost result of the task with this name (the last one when a task ran more than once)."""
        if task_name not in self.tasks:
            raise KeyError("no task named %r ran; tasks that ran: %s" % (task_name, sorted(self.tasks)))
        return self.tasks[task_name][-1]

    def results(self, task_name):
        return self.tasks.get(task_name, [])

    @property
    def failed_tasks(self):
        return [name for name, results in self.tasks.items() if any(r.get("failed") for r in results)]


def _collect_tasks(output):
    tasks = {}
    for play in output.get("plays", []):
        for task in play.get("tasks", []):
            for result in task.get("hosts", {}).values():
                tasks.setdefault(task["task"]["name"], []).append(result)
    return tasks


def playbook_command(playbook, endpoint_url, extra_vars=None, check=False, diff=False, environment=None):
    """(command, environment) of an ansible-playbook run of tests/integration/playbooks/<playbook> (or a playbook at an absolute path)."""
    variables = dict(extra_vars or {}, sandbox_endpoint_url=endpoint_url)
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), os.path.join(PLAYBOOKS, playbook), "-e", json.dumps(variables)]
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_CALLBACK_RESULT_FORMAT="json", **SANDBOX_ENVIRONMENT)
    env.update(environment or {})
    # A None value removes the variable, e.g. to prove that a setting comes from somewhere else.
    env = {name: value for name, value in env.items() if value is not None}
    return command, env


def run_playbook(playbook, endpoint_url, extra_vars=None, check=False, diff=False, environment=None, timeout=600):
    """Run tests/integration/playbooks/<playbook> (or a playbook at an absolute path) with the sandbox's endpoint in ``sandbox_endpoint_url``."""
    command, env = playbook_command(playbook, endpoint_url, extra_vars, check, diff, environment)
    completed = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout, check=False)
    try:
        output = json.loads(completed.stdout)
    except ValueError as error:
        raise AssertionError("ansible-playbook printed no JSON (rc %s):\n%s\n%s" % (completed.returncode, completed.stdout, completed.stderr)) from error
    return PlaybookRun(completed.returncode, output, completed.stderr, _collect_tasks(output))
