# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Inventory files of the aurora_global plugin against the sandbox, and ansible-inventory / ansible-playbook runs with them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from playbook_runner import SANDBOX_ENVIRONMENT

BIN = os.path.dirname(sys.executable)


def write_inventory(directory: Path, endpoint_url: str, name: str = "fleet.aurora_global.yml", **options: Any) -> Path:
    """An inventory file of the plugin for the sandbox; ``options`` are added as given."""
    path = directory / name
    settings = {"plugin": "aurora.global_db.aurora_global", "endpoint_url": endpoint_url, "region": "us-east-1", **options}
    path.write_text(json.dumps(settings, indent=2), encoding="utf-8")
    return path


def environment(**extra: str) -> dict[str, str]:
    return dict(os.environ, **SANDBOX_ENVIRONMENT, **extra)


def inventory_list(inventory: Path, *arguments: str) -> dict[str, Any]:
    """ansible-inventory --list: {"_meta": {"hostvars": ...}, group: {"hosts": [...]}, ...}; AssertionError with its output when it fails."""
    completed = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", str(inventory), "--list", *arguments],
                               capture_output=True, text=True, env=environment(), timeout=300, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    listing = _plain(json.loads(completed.stdout))
    listing["_stderr"] = completed.stderr
    return listing


def _plain(value: Any) -> Any:
    """The value without ansible-core's trust markers: --list writes values from inventory plugins as {"__ansible_unsafe": value}."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def hosts_of(listing: dict[str, Any], group: str) -> list[str]:
    return sorted(listing.get(group, {}).get("hosts", []))


def run_fleet_playbook(playbook: str, inventory: Path, endpoint_url: str, *arguments: str, timeout: int = 900,
                       callback: str = "ansible.builtin.default") -> subprocess.CompletedProcess:
    """ansible-playbook aurora.global_db.<playbook> -i <inventory> against the sandbox (its output as text, or JSON with ansible.posix.json)."""
    command = [os.path.join(BIN, "ansible-playbook"), "-i", str(inventory), "aurora.global_db.%s" % playbook,
               "-e", "aurora_global_upgrade_endpoint_url=%s" % endpoint_url, *arguments]
    env = environment(ANSIBLE_STDOUT_CALLBACK=callback, ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_SHOW_CUSTOM_STATS="true")
    return subprocess.run(command, capture_output=True, text=True, env=env,
                          timeout=timeout, check=False)
