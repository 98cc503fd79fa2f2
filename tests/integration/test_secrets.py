# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""No secrets in output: the secret key and the session token, given as module options, in module_defaults, as role
variables or in the environment, never appear in what ansible-playbook -vvv prints (default callback, custom stats
shown), on the success path and on the failure path of the modules and of the role, nor in the role's reports."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

from playbook_runner import PLAYBOOKS
from playbook_runner import SANDBOX_ENVIRONMENT
from sandbox_journal import PG_ORDER
from sandbox_journal import modified_members

ARGUMENT_SPECS = Path(__file__).parents[2] / "roles" / "aurora_global_upgrade" / "meta" / "argument_specs.yml"


def _role_options():
    return yaml.safe_load(ARGUMENT_SPECS.read_text(encoding="utf-8"))["argument_specs"]["main"]["options"]


def _run(sandbox, secrets_via, secrets, tmp_path):
    extra_vars = {"sandbox_endpoint_url": sandbox.endpoint_url, "secrets_via": secrets_via,
                  "secrets_access_key": "AKIDSECRETSTEST", "secrets_secret_key": secrets[0], "secrets_session_token": secrets[1]}
    if "aurora_global_upgrade_report_dir" in _role_options():
        extra_vars["aurora_global_upgrade_report_dir"] = str(tmp_path / "reports")
    environment = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default", ANSIBLE_SHOW_CUSTOM_STATS="true", ANSIBLE_NOCOLOR="1",
                       **SANDBOX_ENVIRONMENT)
    environment.pop("AWS_SESSION_TOKEN", None)
    if secrets_via == "environment":
        environment.update(AWS_ACCESS_KEY_ID="AKIDSECRETSTEST", AWS_SECRET_ACCESS_KEY=secrets[0], AWS_SESSION_TOKEN=secrets[1])
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-vvv", os.path.join(PLAYBOOKS, "secrets.yml"),
               "-e", yaml.safe_dump(extra_vars, default_flow_style=True)]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=600, check=False)


@pytest.mark.parametrize("secrets_via", ["options", "module_defaults", "role_vars", "environment"])
def test_secret_key_and_session_token_never_appear(sandbox, tmp_path, secrets_via):
    sandbox.seed("postgresql-14")
    secrets = ("secret-key-" + uuid.uuid4().hex, "session-token-" + uuid.uuid4().hex)
    completed = _run(sandbox, secrets_via, secrets, tmp_path)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-3000:]
    # Both paths ran: the modules and the role succeeded and failed as planned.
    assert modified_members(sandbox) == PG_ORDER
    assert "Global cluster no-such-global does not exist" in output
    assert "role failure path reached: Refusing to upgrade global database pg-global" in output
    assert "aurora_global_upgrade_result" in output
    # The options reached the modules, masked.
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in output
    recorded = [path.read_text(encoding="utf-8") for path in (tmp_path / "reports").glob("*")] if (tmp_path / "reports").exists() else []
    for secret in secrets:
        assert secret not in output
        assert not [text for text in recorded if secret in text]
