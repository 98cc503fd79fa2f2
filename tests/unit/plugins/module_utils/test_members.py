# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils._members import member_facts
from ansible_collections.aurora.global_db.plugins.module_utils._members import primary_of
from ansible_collections.aurora.global_db.plugins.module_utils._members import region_from_arn
from ansible_collections.aurora.global_db.plugins.module_utils._members import upgrade_order

ARN = "arn:aws:rds:eu-west-1:123456789012:cluster:orders-euw1"


def test_region_from_arn():
    assert region_from_arn(ARN) == "eu-west-1"
    assert region_from_arn("arn:aws-cn:rds:cn-north-1:123456789012:cluster:x") == "cn-north-1"


@pytest.mark.parametrize("arn", ["arn:aws:rds::123456789012:global-cluster:g", "orders-euw1", ""])
def test_region_from_arn_refuses_what_has_no_region(arn):
    with pytest.raises(ValueError):
        region_from_arn(arn)


def test_member_facts():
    global_member = {"DBClusterArn": ARN, "IsWriter": False, "Readers": [], "SynchronizationStatus": "connected"}
    cluster = {
        "DBClusterIdentifier": "orders-euw1",
        "EngineVersion": "14.6",
        "Status": "available",
        "DBClusterParameterGroup": "orders-params",
        "DBClusterMembers": [{"DBInstanceIdentifier": "orders-euw1-1"}],
    }
    assert member_facts(global_member, cluster, rpo_seconds=None) == {
        "db_cluster_identifier": "orders-euw1",
        "db_cluster_arn": ARN,
        "region": "eu-west-1",
        "role": "secondary",
        "is_writer": False,
        "engine_version": "14.6",
        "status": "available",
        "db_cluster_parameter_group": "orders-params",
        "instance_count": 1,
        "headless": False,
        "rpo_seconds": None,
        "synchronization_status": "connected",
        "pending_engine_version": None,
    }


def test_member_facts_of_a_headless_writer():
    facts = member_facts({"DBClusterArn": ARN, "IsWriter": True}, {"DBClusterIdentifier": "orders-euw1", "DBClusterMembers": []}, rpo_seconds=60)
    assert (facts["role"], facts["is_writer"], facts["headless"], facts["instance_count"], facts["rpo_seconds"]) == ("primary", True, True, 0, 60)


def _member(identifier, region, is_writer=False):
    return {"db_cluster_identifier": identifier, "region": region, "is_writer": is_writer}


def test_upgrade_order_puts_secondaries_by_region_then_identifier_and_the_primary_last():
    members = [
        _member("a-primary", "ap-southeast-2", is_writer=True),
        _member("z-euw1", "eu-west-1"),
        _member("b-use2", "us-east-2"),
        _member("a-euw1", "eu-west-1"),
    ]
    assert [m["db_cluster_identifier"] for m in upgrade_order(members)] == ["a-euw1", "z-euw1", "b-use2", "a-primary"]


def test_primary_of():
    members = [_member("s", "eu-west-1"), _member("p", "us-east-1", is_writer=True)]
    assert primary_of(members)["db_cluster_identifier"] == "p"
    assert primary_of(members[:1]) is None
