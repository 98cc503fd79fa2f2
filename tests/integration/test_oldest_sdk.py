# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The oldest-SDK lane (make oldest-sdk): the modules run on the oldest botocore the collection promises.

requirements.txt allows boto3/botocore 1.34.0, and an execution environment often carries an SDK that old. botocore
validates every request against its own model before sending it (ParamValidationError for a parameter it does not
know, AttributeError for an operation it does not know), so a run of each module on botocore 1.34.0 against the
sandbox shows every request the collection sends that the old SDK cannot send. The modules run there through
ansible_python_interpreter, a venv that holds only that SDK (requirements-oldest-sdk.txt).

A feature that needs a newer SDK checks it before any call and fails naming the version (the snapshot restore
method: MINIMUM_BOTOCORE); it runs here on exactly that version (requirements-restore-sdk.txt), and is refused on
the oldest one before any AWS call.

Without the two interpreters (AURORA_OLDEST_SDK_PYTHON, AURORA_RESTORE_SDK_PYTHON, set by make oldest-sdk) the
tests are skipped.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

import major_extras as extras
from playbook_runner import run_playbook
from role_runs import run_role

ROOT = Path(__file__).parents[2]
OLDEST = os.environ.get("AURORA_OLDEST_SDK_PYTHON")
RESTORE = os.environ.get("AURORA_RESTORE_SDK_PYTHON")
pytestmark = pytest.mark.skipif(not (OLDEST and RESTORE), reason="the oldest-SDK lane runs through make oldest-sdk")


def _promised_botocore():
    return re.search(r"^botocore>=([0-9.]+)$", (ROOT / "requirements.txt").read_text(encoding="utf-8"), re.MULTILINE).group(1)


def _restore_gate():
    code = (ROOT / "plugins" / "module_utils" / "snapshot_restore.py").read_text(encoding="utf-8")
    return re.search(r'^MINIMUM_BOTOCORE = "([0-9.]+)"$', code, re.MULTILINE).group(1)


def _sdk(python):
    return subprocess.run([python, "-c", "import boto3, botocore; print(boto3.__version__, botocore.__version__)"],
                          check=True, capture_output=True, text=True).stdout.split()


def _failures(run):
    return [(task, run.result(task).get("msg")) for task in run.failed_tasks]


def test_each_interpreter_holds_the_sdk_it_stands_for():
    assert _sdk(OLDEST) == [_promised_botocore()] * 2
    assert _sdk(RESTORE) == [_restore_gate()] * 2


def test_minor_and_major_upgrades_with_snapshot_lease_and_parameter_groups_run_on_the_oldest_sdk(sandbox):
    sandbox.seed("postgresql-14")
    sandbox.configure(upgrade_seconds=0.2, status_delay_seconds=0, reboot_seconds=0)
    extras.create_groups(sandbox, extras.PG_REGIONS.values())
    old = {"ansible_python_interpreter": OLDEST}
    minor = run_role(sandbox, "pg-global", "14.9", **old)
    assert minor.returncode == 0, _failures(minor)
    major = run_role(sandbox, "pg-global", "15.4", aurora_global_upgrade_allow_major_version_upgrade=True,
                     aurora_global_upgrade_db_cluster_parameter_groups=extras.every_region(extras.CLUSTER_GROUP),
                     aurora_global_upgrade_db_parameter_groups=extras.every_region(extras.INSTANCE_GROUP),
                     aurora_global_upgrade_reboot_for_parameter_groups=True, **old)
    assert major.returncode == 0, _failures(major)
    operations = {entry["operation"] for entry in sandbox.journal() if entry["kind"] == "call"}
    assert {"AddTagsToResource", "ModifyDBCluster", "CreateDBClusterSnapshot", "ModifyGlobalCluster", "ModifyDBInstance",
            "RebootDBInstance", "RemoveTagsFromResource"} <= operations


def test_the_facts_of_an_aurora_mysql_global_database_run_on_the_oldest_sdk(sandbox):
    sandbox.seed("mysql-3")
    result = run_playbook("facts.yml", sandbox.endpoint_url, {"global_cluster_identifier": "mysql3-global", "ansible_python_interpreter": OLDEST,
                                                              "target_engine_version": "8.4.mysql_aurora.8.4.7"}).result("Gather facts")
    assert not result.get("failed"), result.get("msg")


def test_the_snapshot_restore_is_refused_on_an_sdk_older_than_its_gate_before_any_call(sandbox):
    sandbox.seed("mysql-2")
    sandbox.clear_journal()
    result = run_playbook("snapshot_restore.yml", sandbox.endpoint_url, {"ansible_python_interpreter": OLDEST, "expect_failure": True}).result("Restore")
    assert result.get("failed") is True and "needs botocore >= %s" % _restore_gate() in result["msg"], result
    assert [entry for entry in sandbox.journal() if entry["kind"] == "call"] == []


def test_the_snapshot_restore_with_every_copied_setting_runs_on_the_sdk_of_its_gate(sandbox):
    sandbox.seed("mysql-2")
    east, west = sandbox.aws_client("rds", "us-east-1"), sandbox.aws_client("rds", "us-west-2")
    east.modify_db_cluster(DBClusterIdentifier="mysql2-primary-use1", ManageMasterUserPassword=True, BackupRetentionPeriod=9, ApplyImmediately=True)
    east.modify_db_instance(DBInstanceIdentifier="mysql2-primary-use1-1", PubliclyAccessible=True, PromotionTier=0, ApplyImmediately=True)
    west.modify_db_cluster(DBClusterIdentifier="mysql2-secondary-usw2", EnableGlobalWriteForwarding=True, ApplyImmediately=True)
    sandbox.configure(provision_seconds=0.1, snapshot_seconds=0.1)
    sandbox.clear_journal()
    result = run_playbook("snapshot_restore.yml", sandbox.endpoint_url, {"ansible_python_interpreter": RESTORE}).result("Restore")
    assert not result.get("failed"), result.get("msg")
    operations = [entry["operation"] for entry in sandbox.mutating_calls()]
    assert {"RestoreDBClusterFromSnapshot", "ModifyDBCluster", "CreateDBInstance", "CreateGlobalCluster", "CreateDBCluster"} <= set(operations)
