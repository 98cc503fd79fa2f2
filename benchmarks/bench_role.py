# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The role's overhead: its wall time for a 3-member minor upgrade against the time the sandbox's upgrades took.

The collection's playbook (aurora.global_db.upgrade) upgrades the 3-region
postgresql-14 scenario from 14.6 to 14.9, polling every second. What AWS takes
is read from the sandbox's journal: for each member, from its ModifyDBCluster
to its UpgradeCompleted event. The overhead per member is the rest of the
wall time divided by the members. The same upgrade by one aurora_global_upgrade
task (the module alone) gives the calls the role makes beyond the module's own.
Only the journal and the exit code are read, never the role's task names.
"""

import collections
import json
import os
import subprocess
import sys
import tempfile
import time

from sandbox.client import CREDENTIALS
from sandbox.client import DEFAULT_REGION

TARGET = "14.9"
SCENARIO = "postgresql-14"
GLOBAL_CLUSTER = "pg-global"
MEMBERS = 3
UPGRADE_SECONDS = 3.0
STATUS_DELAY_SECONDS = 0.5
GOAL_SECONDS_PER_MEMBER = 3.0
ENVIRONMENT = dict(CREDENTIALS, AWS_DEFAULT_REGION=DEFAULT_REGION, ANSIBLE_NOCOLOR="1")
MODULE_ALONE = """
- name: The same upgrade by the module alone
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Upgrade every member
      aurora.global_db.aurora_global_upgrade:
        global_cluster_identifier: %s
        engine_version: "%s"
        poll_interval: 1
        endpoint_url: "{{ endpoint_url }}"
""" % (GLOBAL_CLUSTER, TARGET)
NOTHING = """
- name: Nothing, to time ansible-playbook itself
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Nothing
      ansible.builtin.meta: noop
"""


def _ansible_playbook(playbook, extra_vars):
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), playbook, "-e", json.dumps(extra_vars)]
    started = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ, **ENVIRONMENT), check=False, timeout=600)
    seconds = time.perf_counter() - started
    if finished.returncode:
        raise RuntimeError("%s failed (rc %d):\n%s\n%s" % (playbook, finished.returncode, finished.stdout[-3000:], finished.stderr[-3000:]))
    return seconds


def _aws_seconds(journal):
    """Per member, from its accepted ModifyDBCluster to its UpgradeCompleted event, summed."""
    modified = {entry["params"]["DBClusterIdentifier"].lower(): entry["time"] for entry in journal
                if entry["kind"] == "call" and entry["operation"] == "ModifyDBCluster" and not entry["error"]}
    completed = {entry["params"]["DBClusterIdentifier"].lower(): entry["time"] for entry in journal
                 if entry["kind"] == "event" and entry["operation"] == "UpgradeCompleted" and "DBClusterIdentifier" in entry["params"]}
    if len(modified) != MEMBERS or sorted(modified) != sorted(completed):
        raise RuntimeError("expected %d upgraded members, the journal shows modified %s, completed %s" % (MEMBERS, sorted(modified), sorted(completed)))
    return sum(completed[member] - modified[member] for member in modified)


def _calls(journal):
    return collections.Counter(entry["operation"] for entry in journal if entry["kind"] == "call")


def _upgrade(sandbox, playbook, extra_vars):
    sandbox.reset()
    sandbox.configure(upgrade_seconds=UPGRADE_SECONDS, status_delay_seconds=STATUS_DELAY_SECONDS)
    sandbox.seed(SCENARIO)
    seconds = _ansible_playbook(playbook, extra_vars)
    journal = sandbox.journal()
    return {"seconds": round(seconds, 2), "aws_seconds": round(_aws_seconds(journal), 2), "calls": dict(_calls(journal))}


def measure(endpoint_url, sandbox):
    with tempfile.TemporaryDirectory() as directory:
        module_alone, nothing = os.path.join(directory, "module_alone.yml"), os.path.join(directory, "nothing.yml")
        for path, text in ((module_alone, MODULE_ALONE), (nothing, NOTHING)):
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        role = _upgrade(sandbox, "aurora.global_db.upgrade", {
            "aurora_global_upgrade_global_cluster_identifier": GLOBAL_CLUSTER, "aurora_global_upgrade_engine_version": TARGET,
            "aurora_global_upgrade_endpoint_url": endpoint_url, "aurora_global_upgrade_poll_interval": 1,
        })
        module = _upgrade(sandbox, module_alone, {"endpoint_url": endpoint_url})
        startup = _ansible_playbook(nothing, {})
    beyond = {operation: role["calls"].get(operation, 0) - module["calls"].get(operation, 0) for operation in sorted(set(role["calls"]) | set(module["calls"]))}
    return {
        "role": role,
        "module_alone": module,
        "ansible_playbook_startup_seconds": round(startup, 2),
        "role_overhead_per_member": round((role["seconds"] - role["aws_seconds"]) / MEMBERS, 2),
        "module_overhead_per_member": round((module["seconds"] - module["aws_seconds"]) / MEMBERS, 2),
        "role_calls_beyond_module": {operation: count for operation, count in beyond.items() if count},
    }


def table(result):
    role, module = result["role"], result["module_alone"]
    return [
        "Role overhead, %d-member minor upgrade (sandbox upgrades %.1f s + %.1f s before `upgrading`, poll_interval 1; goal: <= %.0f s per member)" % (
            MEMBERS, UPGRADE_SECONDS, STATUS_DELAY_SECONDS, GOAL_SECONDS_PER_MEMBER),
        "| run | wall s | AWS (sandbox) s | overhead per member s | RDS calls |",
        "|---|---|---|---|---|",
        "| role (playbook aurora.global_db.upgrade) | %.2f | %.2f | %.2f | %d |" % (
            role["seconds"], role["aws_seconds"], result["role_overhead_per_member"], sum(role["calls"].values())),
        "| module alone (one aurora_global_upgrade task) | %.2f | %.2f | %.2f | %d |" % (
            module["seconds"], module["aws_seconds"], result["module_overhead_per_member"], sum(module["calls"].values())),
        "ansible-playbook start (an empty play): %.2f s; calls the role makes beyond the module's own: %s" % (
            result["ansible_playbook_startup_seconds"], ", ".join("%s %+d" % item for item in result["role_calls_beyond_module"].items()) or "none"),
        "meets: role_overhead_at_most_%.0f_s_per_member=%s" % (GOAL_SECONDS_PER_MEMBER, result["role_overhead_per_member"] <= GOAL_SECONDS_PER_MEMBER),
    ]
