# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""aurora_global_parameter_groups waits as AWS reports (issue 18, item 7), through ansible-playbook against the sandbox.

- Right after ModifyDBCluster the instances may still read `in-sync`: the wait goes on through status_settle_seconds, so
  the reboot the new group needs is not missed (the sandbox holds the `pending-reboot` until the run has waited).
- A group AWS fails to apply (`failed-to-apply`) fails the run at once, with the instance's events.
"""

from __future__ import annotations

import pytest

import major_extras as extras
from playbook_runner import run_playbook

TASK = "Apply parameter groups"


def _run(sandbox, **extra_vars):
    return run_playbook("parameter_groups.yml", sandbox.endpoint_url, dict(extra_vars, global_cluster_identifier="pg-global")).result(TASK)


@pytest.fixture
def upgraded(sandbox):
    """postgresql-14 upgraded to 15.4 (every member on the default groups), groups of family aurora-postgresql15 everywhere."""
    sandbox.seed("postgresql-14")
    sandbox.configure(upgrade_seconds=0, status_delay_seconds=0, reboot_seconds=0)
    extras.create_groups(sandbox, extras.PG_REGIONS.values())
    sandbox.aws_client("rds", "us-east-1").modify_global_cluster(GlobalClusterIdentifier="pg-global", EngineVersion="15.4", AllowMajorVersionUpgrade=True)
    sandbox.clear_journal()
    return sandbox


def test_an_in_sync_read_right_after_the_modify_is_waited_through_and_the_reboot_is_not_missed(upgraded):
    # The primary's instance keeps reading in-sync until the run has read the member six times: past its reads before the
    # wait (facts, before, after the modify), so it is waiting; an end at the first in-sync read would never get there.
    upgraded.configure(hold_transition_of=["pg-primary-use1"])
    with upgraded.releasing_hold("hold_transition_of", "pg-primary-use1", after_reads=6):
        result = _run(upgraded, db_cluster_parameter_groups=extras.every_region(extras.CLUSTER_GROUP), reboot=True, status_settle_seconds=600)
    assert not result.get("failed"), result.get("msg")
    assert "pg-primary-use1-1" in result["rebooted"] and result["pending_reboot"] == []


def test_a_group_aws_fails_to_apply_fails_the_run_at_once_with_the_instances_events(upgraded):
    upgraded.configure(fail_parameter_apply_of=["pg-secondary-euw1-1"])
    result = _run(upgraded, db_parameter_groups=extras.every_region(extras.INSTANCE_GROUP), reboot=True, expect_failure=True)
    assert result.get("failed") is True and "module_stderr" not in result, result
    message = result["msg"]
    assert "pg-secondary-euw1" in message and "failed-to-apply" in message and "wait_timeout" not in message, message
    assert "could not be applied to DB instance pg-secondary-euw1-1" in message, message
    assert [c for c in upgraded.mutating_calls() if c["operation"] == "RebootDBInstance"] == []
