# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The aurora_global inventory plugin through ansible-inventory against the sandbox's fleet (sandbox/fleet.json)."""

from __future__ import annotations

import os
import subprocess
from collections import Counter

from fleet_inventory import BIN, environment, hosts_of, inventory_list, write_inventory
from sandbox.fleet import demo_fleet

FLEET = sorted(definition["global_cluster_identifier"] for definition in demo_fleet())


def _calls(sandbox):
    return Counter(entry["operation"] for entry in sandbox.journal() if entry["kind"] == "call")


def test_one_host_per_global_database_with_its_variables_and_groups_in_few_calls_whatever_the_number_of_global_databases(sandbox, tmp_path):
    sandbox.seed_fleet()
    sandbox.clear_journal()
    listing = inventory_list(write_inventory(tmp_path, sandbox.endpoint_url))
    hostvars = listing["_meta"]["hostvars"]
    assert sorted(hostvars) == FLEET
    orders = hostvars["orders-pg"]
    assert orders["ansible_connection"] == "local"
    assert orders["aurora_global"]["primary"] == "orders-pg-ue1"
    assert [m["region"] for m in orders["aurora_global"]["members"]] == ["ap-southeast-2", "eu-west-1", "us-east-1"]
    assert "upgrade_plan" not in orders["aurora_global"]
    assert orders["aurora_global_latest_minor_target"] == "14.10"
    assert orders["aurora_global_tags"] == {"team": "orders", "env": "prod"}
    assert orders["aurora_global_lifecycle"]["major_engine_version"] == "14"
    assert orders["aurora_global_lifecycle"]["standard_support_end"] == "2027-02-28"
    # 14.10 offers only major targets; 8.0 3.10.0 only 8.4.
    assert hostvars["ledger-pg"]["aurora_global_latest_minor_target"] is None
    assert hostvars["old-mysql"]["aurora_global_lifecycle"]["in_extended_support"] is True
    assert hostvars["old-mysql"]["aurora_global_lifecycle"]["days_until_standard_support_end"] < 0
    assert hosts_of(listing, "aurora_postgresql_14") == ["busy-pg", "ledger-pg", "mixed-pg", "orders-pg", "payments-pg"]
    assert hosts_of(listing, "aurora_mysql_5_7") == ["old-mysql"]
    assert hosts_of(listing, "aurora_mysql") == ["crm-mysql", "old-mysql", "shop-mysql", "stock-mysql"]
    assert len(hosts_of(listing, "aurora_postgresql")) == 10
    assert hosts_of(listing, "mixed_versions") == ["mixed-pg"]
    # legacy-pg: 13 left standard support on 2026-02-28 (major_versions.json); old-mysql: 5.7 on 2024-10-31.
    assert hosts_of(listing, "extended_support") == ["legacy-pg", "old-mysql"]
    calls = _calls(sandbox)
    assert calls["DescribeGlobalClusters"] == 1
    assert calls["DescribeDBClusters"] == 4, "one listing per region that holds members"
    versions = {(d["engine_version"], region) for d in demo_fleet() for region in d["regions"]}
    assert calls["DescribeDBEngineVersions"] == len(versions)
    # One per major version: Aurora PostgreSQL 13, 14, 15, 16 and Aurora MySQL 5.7, 8.0.
    assert calls["DescribeDBMajorEngineVersions"] == 6
    assert set(calls) == {"DescribeGlobalClusters", "DescribeDBClusters", "DescribeDBEngineVersions", "DescribeDBMajorEngineVersions"}


def test_keyed_groups_compose_and_groups(sandbox, tmp_path):
    sandbox.seed_fleet()
    inventory = write_inventory(
        tmp_path, sandbox.endpoint_url,
        keyed_groups=[{"key": "aurora_global_tags.team", "prefix": "team"}],
        compose={"aurora_global_upgrade_engine_version": "aurora_global_latest_minor_target"},
        groups={"upgradable": "aurora_global_latest_minor_target is not none"},
        strict=True,
    )
    listing = inventory_list(inventory)
    assert hosts_of(listing, "team_analytics") == ["metrics-pg", "reports-pg"]
    assert listing["_meta"]["hostvars"]["catalog-pg"]["aurora_global_upgrade_engine_version"] == "15.5"
    assert "ledger-pg" not in hosts_of(listing, "upgradable")
    assert "orders-pg" in hosts_of(listing, "upgradable")


def test_regions_and_identifiers_choose_global_databases(sandbox, tmp_path):
    sandbox.seed_fleet()
    by_region = inventory_list(write_inventory(tmp_path, sandbox.endpoint_url, regions=["ap-southeast-2"]))
    assert sorted(by_region["_meta"]["hostvars"]) == ["metrics-pg", "old-mysql", "orders-pg", "search-pg"]
    # Members outside the chosen regions are read too: each host's facts are whole.
    assert len(by_region["_meta"]["hostvars"]["orders-pg"]["aurora_global"]["members"]) == 3
    named = inventory_list(write_inventory(tmp_path, sandbox.endpoint_url, global_cluster_identifiers=["Crm-MySQL", "no-such-db"]))
    assert sorted(named["_meta"]["hostvars"]) == ["crm-mysql"]
    assert "no-such-db matched no global cluster" in " ".join(named["_stderr"].split())


def test_the_cache_answers_a_second_run_without_a_call(sandbox, tmp_path):
    sandbox.seed_fleet()
    inventory = write_inventory(tmp_path, sandbox.endpoint_url, cache=True, cache_plugin="ansible.builtin.jsonfile",
                                cache_connection=str(tmp_path / "cache"), cache_timeout=600)
    first = inventory_list(inventory)
    sandbox.clear_journal()
    second = inventory_list(inventory)
    assert _calls(sandbox) == Counter()
    assert second["_meta"]["hostvars"] == first["_meta"]["hostvars"]
    assert hosts_of(second, "extended_support") == ["legacy-pg", "old-mysql"]
    inventory_list(inventory, "--flush-cache")
    assert _calls(sandbox)["DescribeGlobalClusters"] == 1


def test_lifecycle_can_be_left_out(sandbox, tmp_path):
    sandbox.seed_fleet()
    sandbox.clear_journal()
    listing = inventory_list(write_inventory(tmp_path, sandbox.endpoint_url, include_lifecycle=False))
    assert _calls(sandbox)["DescribeDBMajorEngineVersions"] == 0
    assert listing["_meta"]["hostvars"]["old-mysql"]["aurora_global_lifecycle"] is None
    assert hosts_of(listing, "extended_support") == []


def test_an_unreachable_endpoint_is_a_clear_error(tmp_path):
    inventory = write_inventory(tmp_path, "http://127.0.0.1:9")
    completed = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", str(inventory), "--list"],
                               capture_output=True, text=True, env=environment(AWS_MAX_ATTEMPTS="1"), timeout=300, check=False)
    assert "Listing the global clusters of the account" in completed.stderr
    assert "Traceback" not in completed.stderr
