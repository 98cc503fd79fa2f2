# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""make demo-blue-green, in a fresh copy of the repository as test_newcomer.py runs make demo (make_in_a_fresh_copy)."""

from __future__ import annotations

import os
import re
import subprocess

from test_newcomer import DEVELOPER_SETTINGS
from test_newcomer import _copy_of_the_repository


def make_in_a_fresh_copy(tmp_path, target):
    """``make <target>`` in a copy of the repository, as a newcomer runs it; its output and exit code."""
    clone = tmp_path / "aurora.global_db"
    clone.mkdir()
    _copy_of_the_repository(clone)
    environment = {name: value for name, value in os.environ.items() if name not in DEVELOPER_SETTINGS}
    environment.update(HOME=str(tmp_path / "home"), ANSIBLE_NOCOLOR="1")
    # The venv is the shared one, installed: its marker is not remade (test_newcomer.py proves the installing path).
    return subprocess.run(["make", "-o", str(clone / ".venv" / "bin" / ".installed"), target], cwd=clone, env=environment,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=540, check=False)


def test_make_demo_blue_green_shows_both_methods_and_every_change(tmp_path):
    completed = make_in_a_fresh_copy(tmp_path, "demo-blue-green")
    assert completed.returncode == 0, completed.stdout
    assert "Traceback" not in completed.stdout and "FAILED" not in completed.stdout, completed.stdout
    steps = re.findall(r"^(\d)/6  ", completed.stdout, re.MULTILINE)
    assert steps == ["1", "2", "3", "4", "5", "6"], completed.stdout
    assert "Switched over: pg-global runs 15.4 in every region." in completed.stdout
    changes = [operation for operation in re.findall(r"^  \+ *[\d.]+s  (\S+)", completed.stdout, re.MULTILINE)
               if operation in ("ModifyGlobalCluster", "CreateBlueGreenDeployment", "SwitchoverBlueGreenDeployment", "DeleteBlueGreenDeployment")]
    assert changes == ["ModifyGlobalCluster", "CreateBlueGreenDeployment", "SwitchoverBlueGreenDeployment", "DeleteBlueGreenDeployment"], completed.stdout
    assert "Sandbox stopped." in completed.stdout
