# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""aurora_global_snapshot through ansible-playbook against the sandbox, checked against its journal."""

from __future__ import annotations

import re


from module_docs import documented_return
from playbook_runner import run_playbook

PRIMARY = "pg-primary-use1"
SNAPSHOT = "pg-primary-use1-pre-upgrade"


def _rds(sandbox):
    return sandbox.aws_client()


def _snapshot(sandbox, check=False, **extra_vars):
    return run_playbook("snapshot.yml", sandbox.endpoint_url, extra_vars, check=check)


def _succeeded(run):
    result = run.result("Snapshot")
    assert not result.get("failed"), result.get("msg")
    return result


def _failed_cleanly(run):
    result = run.result("Snapshot")
    assert result.get("failed") is True, result
    assert "module_stderr" not in result and "Traceback" not in result["msg"], result
    return result


def _creates(sandbox):
    return [(c["operation"], c["region"], c["params"].get("DBClusterIdentifier"), c["params"].get("DBClusterSnapshotIdentifier"))
            for c in sandbox.mutating_calls()]


def test_the_primary_is_snapshotted_in_its_region_and_awaited_until_available(sandbox):
    sandbox.seed("postgresql-14")
    # The snapshot stays 'creating' until the module has read it twice in its wait (its first read is the existence check).
    sandbox.configure(hold_transition_of=[SNAPSHOT])
    with sandbox.releasing_hold("hold_transition_of", SNAPSHOT, after_reads=3):
        result = _succeeded(_snapshot(sandbox, snapshot_tags={"change": "CHG-1"}))
    assert result["changed"] is True
    assert _creates(sandbox) == [("CreateDBClusterSnapshot", "us-east-1", PRIMARY, SNAPSHOT)]
    snapshot = result["snapshot"]
    assert (snapshot["db_cluster_snapshot_identifier"], snapshot["db_cluster_identifier"], snapshot["region"], snapshot["status"]) == (
        SNAPSHOT, PRIMARY, "us-east-1", "available")
    assert snapshot["engine_version"] == "14.6" and snapshot["db_cluster_snapshot_arn"].endswith(":cluster-snapshot:" + SNAPSHOT)
    assert _rds(sandbox).list_tags_for_resource(ResourceName=snapshot["db_cluster_snapshot_arn"])["TagList"] == [{"Key": "change", "Value": "CHG-1"}]
    # It waited: the snapshot was read 'creating' at least once before it was seen available.
    reads = [e for e in sandbox.journal() if e["operation"] == "DescribeDBClusterSnapshots"]
    assert len(reads) >= 4 and all(e["region"] == "us-east-1" for e in reads)


def test_a_run_returns_exactly_the_documented_keys_and_a_rerun_with_the_same_identifier_finds_the_snapshot_and_takes_no_other(sandbox):
    sandbox.seed("postgresql-14")
    first = _succeeded(_snapshot(sandbox))
    documented = documented_return("aurora_global_snapshot")
    returned = {key for key in first if not key.startswith("_")} - {"changed", "invocation", "failed", "warnings", "deprecations", "action"}
    assert returned == set(documented)
    assert set(first["snapshot"]) == set(documented["snapshot"]["contains"])
    sandbox.clear_journal()
    result = _succeeded(_snapshot(sandbox, db_cluster_snapshot_identifier=SNAPSHOT.upper()))
    assert result["changed"] is False and result["snapshot"]["status"] == "available"
    assert sandbox.mutating_calls() == []


def test_check_mode_reads_and_takes_nothing(sandbox):
    sandbox.seed("postgresql-14")
    result = _succeeded(_snapshot(sandbox, check=True))
    assert result["changed"] is True
    assert result["snapshot"]["db_cluster_identifier"] == PRIMARY and result["snapshot"]["status"] is None
    assert sandbox.mutating_calls() == []


def test_a_snapshot_of_that_name_of_another_cluster_is_refused_before_any_change(sandbox):
    sandbox.seed("postgresql-14")
    rds = _rds(sandbox)
    rds.create_db_cluster(DBClusterIdentifier="reporting", Engine="aurora-postgresql", EngineVersion="14.6", MasterUsername="admin",
                          MasterUserPassword="not-a-secret-1")
    rds.create_db_cluster_snapshot(DBClusterIdentifier="reporting", DBClusterSnapshotIdentifier=SNAPSHOT)
    sandbox.clear_journal()
    result = _failed_cleanly(_snapshot(sandbox, expect_failure=True))
    assert result["msg"].startswith("DB cluster snapshot %s already exists and is a snapshot of reporting, not of the primary %s" % (SNAPSHOT, PRIMARY))
    assert sandbox.mutating_calls() == []


def test_a_lost_create_response_is_recognised_and_the_snapshot_awaited(sandbox):
    sandbox.seed("postgresql-14")
    sandbox.configure(lose_response_of=["CreateDBClusterSnapshot"])
    result = _succeeded(_snapshot(sandbox))
    assert result["changed"] is True and result["snapshot"]["status"] == "available"
    # The first create was applied and its answer lost; AWSRetry's resend was refused as a duplicate.
    creates = sandbox.mutating_calls()
    assert [(c["operation"], c.get("error"), c.get("applied")) for c in creates] == [
        ("CreateDBClusterSnapshot", "InternalFailure", True), ("CreateDBClusterSnapshot", "DBClusterSnapshotAlreadyExistsFault", None)]


def test_a_timeout_says_the_snapshot_exists_and_a_rerun_waits_for_it(sandbox):
    sandbox.seed("postgresql-14")
    sandbox.configure(hold_transition_of=[SNAPSHOT])
    result = _failed_cleanly(_snapshot(sandbox, wait_timeout=1, expect_failure=True))
    assert result["msg"].startswith("Gave up after wait_timeout (1 seconds") and SNAPSHOT in result["msg"], result["msg"]
    assert result["changed"] is True and result["snapshot"]["status"] == "creating"
    sandbox.configure(hold_transition_of=[])
    result = _succeeded(_snapshot(sandbox))
    assert result["changed"] is False and result["snapshot"]["status"] == "available"
    assert [c["operation"] for c in sandbox.mutating_calls()] == ["CreateDBClusterSnapshot"]


def test_progress_lines_show_the_snapshot_while_it_is_created(sandbox):
    sandbox.seed("postgresql-14")
    # 'creating' for at least three reads a second apart, so the action plugin (reading the progress file every second) sees it.
    sandbox.configure(hold_transition_of=[SNAPSHOT])
    with sandbox.releasing_hold("hold_transition_of", SNAPSHOT, after_reads=5):
        run = _snapshot(sandbox)
    _succeeded(run)
    lines = re.findall(r"\[pg-global\] \d+ min \d\d s elapsed: %s \(us-east-1\) (\S+) at 14\.6" % SNAPSHOT, run.stderr)
    assert "creating" in lines, run.stderr


def test_the_snapshot_is_made_through_the_primary_regions_own_endpoint(sandbox):
    sandbox.seed("postgresql-14")
    sandbox.configure(regional_endpoints=True)
    endpoints = {region: "%s/region/%s" % (sandbox.endpoint_url, region) for region in ("eu-west-1", "us-east-1")}
    _succeeded(_snapshot(sandbox, region="eu-west-1", region_endpoint_urls=endpoints))
    assert _creates(sandbox) == [("CreateDBClusterSnapshot", "us-east-1", PRIMARY, SNAPSHOT)]
