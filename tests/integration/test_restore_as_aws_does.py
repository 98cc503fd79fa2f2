# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The snapshot restore method against what real AWS does and the first sandbox did not show (issue 18), through ansible-playbook.

- Instances only once their cluster is available, the old writer's counterpart first (it becomes the writer), then the readers.
- The settings a restore loses silently are copied: promotion tier, public accessibility, a secondary's write forwarding,
  the backup settings and a managed master password (through ModifyDBCluster after the restore).
- The late checks (an instance class without global database support, a new global identifier AWS refuses,
  lower_case_table_names that the new clusters would not keep) refuse before the snapshot, in check mode too.
- An Aurora MySQL 3 -> 8.4 target is planned as a major upgrade (in test_blue_green_plan.py).
"""

from __future__ import annotations

import boto3
import pytest

from playbook_runner import run_playbook

NEW_WRITER = "mysql2-primary-use1-1-v3"
NEW_READER = "mysql2-primary-use1-2-v3"


def _rds(sandbox, region):
    return boto3.client("rds", region_name=region, endpoint_url=sandbox.endpoint_url, aws_access_key_id="testing", aws_secret_access_key="testing")


def _restore(sandbox, check=False, **extra_vars):
    return run_playbook("snapshot_restore.yml", sandbox.endpoint_url, extra_vars, check=check).result("Restore")


def _succeeded(result):
    assert not result.get("failed"), result.get("msg")
    return result


@pytest.fixture
def mysql2(sandbox):
    """The Aurora MySQL 2 global database, its primary with a second, smaller reader (db.r5.large, promotion tier 2) and a
    public writer; new resources take a moment to come up."""
    sandbox.seed("mysql-2")
    east = _rds(sandbox, "us-east-1")
    east.create_db_instance(DBInstanceIdentifier="mysql2-primary-use1-2", DBClusterIdentifier="mysql2-primary-use1", Engine="aurora-mysql",
                            DBInstanceClass="db.r5.large", PromotionTier=2)
    east.modify_db_instance(DBInstanceIdentifier="mysql2-primary-use1-1", PubliclyAccessible=True, PromotionTier=0, ApplyImmediately=True)
    sandbox.configure(provision_seconds=0.2, snapshot_seconds=0.2)
    return sandbox


def _event_seq(journal, identifier):
    return next(e["seq"] for e in journal if e["kind"] == "event" and e["operation"] == "ResourceAvailable" and identifier in e["params"].values())


def _call_seq(journal, operation, identifier):
    return next(e["seq"] for e in journal if e["kind"] == "call" and e["operation"] == operation and identifier in e["params"].values())


def test_instances_come_after_their_cluster_the_old_writers_counterpart_first(mysql2):
    _succeeded(_restore(mysql2))
    journal = mysql2.journal()
    assert [c for c in mysql2.mutating_calls() if c["error"]] == []
    new_primary = "mysql2-primary-use1-v3"
    assert _event_seq(journal, new_primary) < _call_seq(journal, "CreateDBInstance", NEW_WRITER)
    assert _event_seq(journal, NEW_WRITER) < _call_seq(journal, "CreateDBInstance", NEW_READER)
    assert _event_seq(journal, "mysql2-secondary-usw2-v3") < _call_seq(journal, "CreateDBInstance", "mysql2-secondary-usw2-1-v3")
    members = _rds(mysql2, "us-east-1").describe_db_clusters(DBClusterIdentifier=new_primary)["DBClusters"][0]["DBClusterMembers"]
    assert {m["DBInstanceIdentifier"]: (m["IsClusterWriter"], m["PromotionTier"]) for m in members} == {NEW_WRITER: (True, 0), NEW_READER: (False, 2)}


def test_settings_a_restore_loses_are_copied(mysql2):
    east, west = _rds(mysql2, "us-east-1"), _rds(mysql2, "us-west-2")
    east.modify_db_cluster(DBClusterIdentifier="mysql2-primary-use1", ManageMasterUserPassword=True, BackupRetentionPeriod=9,
                           PreferredBackupWindow="03:00-03:30", ApplyImmediately=True)
    west.modify_db_cluster(DBClusterIdentifier="mysql2-secondary-usw2", EnableGlobalWriteForwarding=True, ApplyImmediately=True)
    mysql2.clear_journal()
    _succeeded(_restore(mysql2))
    primary = east.describe_db_clusters(DBClusterIdentifier="mysql2-primary-use1-v3")["DBClusters"][0]
    assert (primary["BackupRetentionPeriod"], primary["PreferredBackupWindow"]) == (9, "03:00-03:30")
    assert primary.get("MasterUserSecret", {}).get("SecretArn")
    modify = [c for c in mysql2.mutating_calls() if c["operation"] == "ModifyDBCluster"]
    assert [(c["params"]["DBClusterIdentifier"], c["error"]) for c in modify] == [("mysql2-primary-use1-v3", None)]
    secondary = west.describe_db_clusters(DBClusterIdentifier="mysql2-secondary-usw2-v3")["DBClusters"][0]
    assert secondary["GlobalWriteForwardingRequested"] is True
    writer = east.describe_db_instances(DBInstanceIdentifier=NEW_WRITER)["DBInstances"][0]
    reader = east.describe_db_instances(DBInstanceIdentifier=NEW_READER)["DBInstances"][0]
    assert (writer["PubliclyAccessible"], reader.get("PubliclyAccessible", False)) == (True, False)


def _refused_before_the_snapshot(sandbox, fragment, **extra_vars):
    for check in (True, False):
        result = _restore(sandbox, check=check, expect_failure=True, **extra_vars)
        assert result.get("failed") is True and "module_stderr" not in result, result
        assert fragment in result["msg"], result["msg"]
        assert sandbox.mutating_calls() == [], "a refusal in %s mode changed something" % ("check" if check else "normal")


def test_an_instance_class_without_global_database_support_is_refused_before_the_snapshot(mysql2):
    _rds(mysql2, "us-west-2").create_db_instance(DBInstanceIdentifier="mysql2-secondary-usw2-small", DBClusterIdentifier="mysql2-secondary-usw2",
                                                 Engine="aurora-mysql", DBInstanceClass="db.t3.medium")
    mysql2.clear_journal()
    _refused_before_the_snapshot(
        mysql2, "DB instance class db.t3.medium does not support global databases for aurora-mysql 8.0.mysql_aurora.3.04.0 in us-west-2")


def test_a_new_global_identifier_aws_refuses_is_refused_before_the_snapshot(mysql2):
    mysql2.clear_journal()
    _refused_before_the_snapshot(mysql2, "global cluster identifier mysql3.new is not one AWS accepts", new_global_cluster_identifier="mysql3.new")


def _table_name_case_group(sandbox, region, name, family):
    rds = _rds(sandbox, region)
    rds.create_db_cluster_parameter_group(DBClusterParameterGroupName=name, DBParameterGroupFamily=family, Description="case-insensitive names")
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=name, Parameters=[
        {"ParameterName": "lower_case_table_names", "ParameterValue": "1", "ApplyMethod": "pending-reboot"}])


def test_lower_case_table_names_the_new_clusters_would_not_keep_is_refused_before_the_snapshot(mysql2):
    _table_name_case_group(mysql2, "us-east-1", "names-v2", "aurora-mysql5.7")
    _rds(mysql2, "us-east-1").modify_db_cluster(DBClusterIdentifier="mysql2-primary-use1", DBClusterParameterGroupName="names-v2", ApplyImmediately=True)
    mysql2.clear_journal()
    _refused_before_the_snapshot(
        mysql2, "lower_case_table_names is 1 in the old primary's DB cluster parameter group but would be 0 in the new cluster in us-east-1")
    for region in ("us-east-1", "us-west-2"):
        _table_name_case_group(mysql2, region, "names-v3", "aurora-mysql8.0")
    planned = _restore(mysql2, check=True, db_cluster_parameter_groups={"us-east-1": "names-v3", "us-west-2": "names-v3"})
    assert not planned.get("failed"), planned.get("msg")


# An Aurora MySQL 3 -> 8.4 target planned as a major upgrade: test_blue_green_plan.py, case binary_logging_off (the same facts run).
