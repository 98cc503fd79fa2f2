# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The README's newcomer path, run verbatim: the commands are read out of README.md, so the test breaks when the
README drifts from what works.

They run in a copy of the repository (the collection tarball is built there) with a home directory of their own
(ansible-galaxy installs the collection under it) and without the developers' ANSIBLE_COLLECTIONS_PATH, as in a
fresh clone; the venv is the shared one, as `make sandbox` would have installed it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from readme_blocks import readme_block

REPOSITORY = Path(__file__).resolve().parents[2]
# What the developers' environment adds and a newcomer would not have.
DEVELOPER_SETTINGS = ("ANSIBLE_COLLECTIONS_PATH", "PYTHONPATH", "AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE", "AWS_DEFAULT_REGION",
                      "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "PYTHONWARNINGS")
# Any warning: Ansible's ([WARNING], [DEPRECATION WARNING]) and Python's (CryptographyDeprecationWarning: ...).
WARNING = re.compile(r"WARNING|Warning\b")


def _copy_of_the_repository(destination):
    """The files of a clone (tracked and new, nothing ignored), and the shared venv."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPOSITORY, capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = REPOSITORY / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    (destination / ".venv").symlink_to((REPOSITORY / ".venv").resolve())


def test_the_readme_newcomer_commands_run_as_written(tmp_path):
    clone = tmp_path / "aurora.global_db"
    clone.mkdir()
    _copy_of_the_repository(clone)
    environment = {name: value for name, value in os.environ.items() if name not in DEVELOPER_SETTINGS}
    environment.update(HOME=str(tmp_path / "home"), ANSIBLE_NOCOLOR="1")
    (tmp_path / "home").mkdir()  # a newcomer has a home directory (Ansible warns when it cannot create ~/.ansible)
    commands = readme_block("## Try it without an AWS account", "sh")
    try:
        completed = subprocess.run(["bash", "-euo", "pipefail", "-c", commands], cwd=clone, env=environment,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=540, check=False)
    finally:
        subprocess.run(["make", "-s", "sandbox-stop"], cwd=clone, env=environment, capture_output=True, timeout=60, check=False)
    assert completed.returncode == 0, completed.stdout
    assert (tmp_path / "home" / ".ansible" / "collections" / "ansible_collections" / "aurora" / "global_db" / "MANIFEST.json").is_file()
    assert "Global database pg-global (aurora-postgresql) now runs 14.9 on every member." in completed.stdout
    assert "Sandbox stopped." in completed.stdout
    assert "FAILED" not in completed.stdout
    assert not WARNING.search(completed.stdout), completed.stdout


def test_a_misspelt_required_variable_fails_in_a_few_lines_naming_the_variable_meant():
    """The role's own check comes before ansible-core's check of the argument spec (which prints the whole spec, 8 KB)."""
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "aurora.global_db.upgrade",
               "-e", "aurora_global_upgrade_global_cluster_identifer=pg-global", "-e", "aurora_global_upgrade_engine_version=14.9"]
    # As make runs it (the Makefile's PYTHONWARNINGS), whether pytest runs under make or not.
    environment = dict(os.environ, PYTHONWARNINGS=re.search(r"^export PYTHONWARNINGS := (.*)$", (REPOSITORY / "Makefile").read_text(), re.M).group(1))
    completed = subprocess.run(command, cwd=REPOSITORY, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120,
                               check=False)
    assert completed.returncode != 0
    assert len(completed.stdout.encode()) < 2048, completed.stdout
    assert "aurora_global_upgrade_global_cluster_identifer is not a variable of role aurora.global_db.aurora_global_upgrade: " \
        "did you mean aurora_global_upgrade_global_cluster_identifier?" in completed.stdout
    assert "aurora_global_upgrade_result" not in completed.stdout
    assert not WARNING.search(completed.stdout), completed.stdout


def test_the_sandbox_command_line_runs_as_docs_sandbox_md_says_after_make_sandbox(tmp_path):
    """`python -m sandbox ...` in a shell that has only what `eval "$(make -s sandbox)"` exported (no PYTHONPATH of its own)."""
    clone = tmp_path / "aurora.global_db"
    clone.mkdir()
    _copy_of_the_repository(clone)
    environment = {name: value for name, value in os.environ.items() if name not in DEVELOPER_SETTINGS}
    commands = readme_block("## Running it", "sh", document=REPOSITORY / "docs" / "sandbox.md")
    assert 'eval "$(make -s sandbox)"' in commands and "python -m sandbox seed" in commands
    try:
        completed = subprocess.run(["bash", "-euo", "pipefail", "-c", commands], cwd=clone, env=environment,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300, check=False)
    finally:
        subprocess.run(["make", "-s", "sandbox-stop"], cwd=clone, env=environment, capture_output=True, timeout=60, check=False)
    assert completed.returncode == 0, completed.stdout
    assert "No module named" not in completed.stdout, completed.stdout
    assert '"global_cluster_identifier": "mysql3-global"' in completed.stdout and '"throttle_fraction": 0.2' in completed.stdout, completed.stdout
    assert "mysql-3-max-regions:" in completed.stdout and "Sandbox stopped." in completed.stdout, completed.stdout


def test_make_demo_upgrades_the_sandbox_database_and_shows_every_change(tmp_path):
    """The first of the README's two commands, in a fresh copy: a minor then a major upgrade, each change listed."""
    clone = tmp_path / "aurora.global_db"
    clone.mkdir()
    _copy_of_the_repository(clone)
    assert "make demo " in readme_block("## Two commands", "")
    environment = {name: value for name, value in os.environ.items() if name not in DEVELOPER_SETTINGS}
    environment.update(HOME=str(tmp_path / "home"), ANSIBLE_NOCOLOR="1")
    completed = subprocess.run(["make", "demo"], cwd=clone, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=540, check=False)
    assert completed.returncode == 0, completed.stdout
    assert "Traceback" not in completed.stdout and "FAILED" not in completed.stdout, completed.stdout
    assert re.search(r"\[pg-global\] \d+ min \d\d s elapsed: pg-primary-use1-pre-14-9-to-15-4-\d{12} \(us-east-1\) creating at 14\.9", completed.stdout)
    changes = re.findall(r"^  \+ *[\d.]+s  (\S+) +(\S+) +(\S+)", completed.stdout, re.MULTILINE)
    upgrades = [(operation, subject) for operation, _region, subject in changes if operation in ("ModifyGlobalCluster", "CreateDBClusterSnapshot")]
    assert len(upgrades) == 2 and upgrades[0][0] == "CreateDBClusterSnapshot" and upgrades[1] == ("ModifyGlobalCluster", "pg-global"), changes
    assert "Sandbox stopped." in completed.stdout


def test_the_readme_requirements_file_installs_from_git(tmp_path):
    """The README's requirements.yml, with its GitHub URL pointed at a local git repository of this tree."""
    repository = tmp_path / "aurora.global_db"
    repository.mkdir()
    _copy_of_the_repository(repository)
    (repository / ".venv").unlink()
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    subprocess.run(git + ["init", "-q", "-b", "main"], cwd=repository, check=True)
    subprocess.run(git + ["add", "-A"], cwd=repository, check=True)
    subprocess.run(git + ["commit", "-q", "-m", "snapshot"], cwd=repository, check=True)
    requirements = readme_block("## Install the collection", "yaml")
    github = re.search(r"name: (https://\S+\.git)", requirements).group(1)
    (tmp_path / "requirements.yml").write_text(requirements.replace(github, "file://%s" % repository), encoding="utf-8")
    environment = {name: value for name, value in os.environ.items() if name not in DEVELOPER_SETTINGS}
    environment["HOME"] = str(tmp_path / "home")
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-galaxy"), "collection", "install",
               "-r", str(tmp_path / "requirements.yml"), "-p", str(tmp_path / "collections")]
    completed = subprocess.run(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stdout
    assert (tmp_path / "collections" / "ansible_collections" / "aurora" / "global_db" / "roles" / "aurora_global_upgrade" / "tasks" / "main.yml").is_file()
