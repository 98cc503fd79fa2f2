# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import re

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_names import MAX_LENGTH
from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_names import pre_upgrade_snapshot_identifier

# AWS's rule for DBClusterSnapshotIdentifier (botocore CreateDBClusterSnapshotMessage).
AWS_IDENTIFIER = re.compile(r"^[a-z](?:-?[a-z0-9])*$")


@pytest.mark.parametrize("cluster, from_version, to_version, expected", [
    ("pg-primary-use1", "14.6", "15.4", "pg-primary-use1-pre-14-6-to-15-4-202612011030"),
    ("Orders-USE1", "13.12", "16.1", "orders-use1-pre-13-12-to-16-1-202612011030"),
    ("mysql3-primary-use1", "8.0.mysql_aurora.3.04.0", "8.4.7", "mysql3-primary-use1-pre-3-04-0-to-8-4-7-202612011030"),
    ("mysql3-primary-use1", "8.0.mysql_aurora.3.10.0", "8.4.mysql_aurora.8.4.7", "mysql3-primary-use1-pre-3-10-0-to-8-4-7-202612011030"),
    ("mysql2-primary", "5.7.mysql_aurora.2.11.2", "8.0.mysql_aurora.3.04.0", "mysql2-primary-pre-2-11-2-to-3-04-0-202612011030"),
])
def test_identifier_names_cluster_versions_and_time(cluster, from_version, to_version, expected):
    identifier = pre_upgrade_snapshot_identifier(cluster, from_version, to_version, "202612011030")
    assert identifier == expected
    assert AWS_IDENTIFIER.match(identifier)


def test_a_long_cluster_identifier_is_shortened_never_the_versions_or_the_time():
    cluster = "a-very-long-cluster-identifier-that-uses-all-sixty-three-chars1"
    assert len(cluster) == 63
    identifier = pre_upgrade_snapshot_identifier(cluster, "8.0.mysql_aurora.3.04.0", "8.0.mysql_aurora.3.10.0", "202612011030")
    assert len(identifier) == MAX_LENGTH
    assert identifier.endswith("-pre-3-04-0-to-3-10-0-202612011030")
    assert AWS_IDENTIFIER.match(identifier)


def test_shortening_never_leaves_two_hyphens():
    # Cut just after a hyphen of the cluster identifier: the hyphen goes, so the name has no "--".
    suffix_length = len("-pre-14-6-to-15-4-202612011030")
    cluster = "x" * (MAX_LENGTH - suffix_length - 1) + "-tail"
    identifier = pre_upgrade_snapshot_identifier(cluster, "14.6", "15.4", "202612011030")
    assert "--" not in identifier and AWS_IDENTIFIER.match(identifier)


@pytest.mark.parametrize("cluster, minute", [("pg", "2026-12-01"), ("pg", "20261201103"), ("1pg", "202612011030"), ("", "202612011030")])
def test_refuses_a_wrong_time_or_cluster(cluster, minute):
    with pytest.raises(ValueError):
        pre_upgrade_snapshot_identifier(cluster, "14.6", "15.4", minute)
