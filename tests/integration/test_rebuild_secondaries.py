# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The method rebuild_secondaries through ansible-playbook against the sandbox: module aurora_global_rebuild_secondaries on
a 3-region Aurora MySQL 3 global database, checked against the sandbox's state and journal."""

from __future__ import annotations

import boto3
import pytest

from module_docs import STANDARD_KEYS
from module_docs import documented_return
from playbook_runner import run_playbook
from role_runs import changing_calls

GLOBAL = "mysql3r-global"
OLD = "8.0.mysql_aurora.3.04.0"
TARGET = "8.0.mysql_aurora.3.05.2"
PRIMARY = ("mysql3r-primary-use1", "us-east-1")
SECONDARIES = {"mysql3r-secondary-euw1": "eu-west-1", "mysql3r-secondary-usw2": "us-west-2"}
LEASE_CALLS = ("AddTagsToResource", "RemoveTagsFromResource")
STEPS = ("remove", "rename", "upgrade_primary", "create_clusters", "create_instances")


@pytest.fixture
def mysql(sandbox):
    """The 3-region Aurora MySQL 3.04.0 global database; AWS refuses its in-place minor upgrade to 3.05.2 (R10)."""
    sandbox.seed("mysql-3-three-regions")
    return sandbox


def rebuild(sandbox, check=False, **extra_vars):
    extra_vars.setdefault("global_cluster_identifier", GLOBAL)
    extra_vars.setdefault("engine_version", TARGET)
    return run_playbook("rebuild_secondaries.yml", sandbox.endpoint_url, extra_vars, check=check).result("Rebuild the secondaries")


def failed(result):
    assert result.get("failed") is True, result
    assert "module_stderr" not in result and "MODULE FAILURE" not in result["msg"], "an expected failure must not be a crash: %s" % result
    return result


def rds(sandbox, region):
    return boto3.client("rds", region_name=region, endpoint_url=sandbox.endpoint_url, aws_access_key_id="testing", aws_secret_access_key="testing")


def cluster(sandbox, identifier, region):
    found = rds(sandbox, region).describe_db_clusters(Filters=[{"Name": "db-cluster-id", "Values": [identifier]}])["DBClusters"]
    return found[0] if found else None


def global_members(sandbox):
    found = rds(sandbox, "us-east-1").describe_global_clusters(GlobalClusterIdentifier=GLOBAL)["GlobalClusters"][0]
    return {member["DBClusterArn"]: member for member in found["GlobalClusterMembers"]}


def step_of(call):
    """The step of rebuild_secondaries a journaled call belongs to."""
    params = call["params"]
    if call["operation"] == "ModifyDBCluster":
        return "upgrade_primary" if "EngineVersion" in params else "rename"
    return {"RemoveFromGlobalCluster": "remove", "ModifyDBInstance": "rename", "CreateDBCluster": "create_clusters",
            "CreateDBInstance": "create_instances"}[call["operation"]]


def database_changes(sandbox):
    """Calls that change the database (the lease's and the run's bookkeeping tags aside)."""
    return [entry for entry in changing_calls(sandbox) if entry["operation"] not in LEASE_CALLS]


def assert_rebuilt(sandbox, version=TARGET):
    """Every member at ``version``, the new secondaries under the original identifiers, connected; the removed clusters
    renamed, standalone, tagged with what they were; no journal left on the global cluster."""
    members = global_members(sandbox)
    assert len(members) == 3
    for identifier, region in [PRIMARY] + list(SECONDARIES.items()):
        found = cluster(sandbox, identifier, region)
        assert (found["Status"], found["EngineVersion"]) == ("available", version), identifier
        assert found["DBClusterArn"] in members
        assert members[found["DBClusterArn"]].get("SynchronizationStatus") in (None, "connected")
    for identifier, region in SECONDARIES.items():
        detached = cluster(sandbox, identifier + "-detached", region)
        assert detached["Status"] == "available" and detached["EngineVersion"] == OLD and detached["DBClusterArn"] not in members
        assert {m["DBInstanceIdentifier"] for m in detached["DBClusterMembers"]} == {"%s-%d-detached" % (identifier, n) for n in (1, 2)} or all(
            m["DBInstanceIdentifier"].endswith("-detached") for m in detached["DBClusterMembers"])
        tags = {t["Key"]: t["Value"] for t in detached["TagList"]}
        assert tags["aurora-global-db:detached-from"] == "%s: secondary of global cluster %s" % (identifier, GLOBAL)
    arn = rds(sandbox, "us-east-1").describe_global_clusters(GlobalClusterIdentifier=GLOBAL)["GlobalClusters"][0]["GlobalClusterArn"]
    tags = rds(sandbox, "us-east-1").list_tags_for_resource(ResourceName=arn)["TagList"]
    assert not [t for t in tags if t["Key"].startswith("aurora-global-db:rebuild")]


def test_three_regions_rebuilt_at_the_target_with_the_original_identifiers(mysql):
    result = rebuild(mysql)
    assert not result.get("failed"), result.get("msg")
    assert_rebuilt(mysql)
    assert result["changed"] is True and result["method"] == "rebuild_secondaries"
    assert result["rebuilt_at_version"] == TARGET
    assert result["secondaries_gap_seconds"] is not None and result["secondaries_gap_seconds"] >= 0
    assert {(m["db_cluster_identifier"], m["region"], m["engine_version"]) for m in result["new_members"]} == {
        (identifier, region, TARGET) for identifier, region in SECONDARIES.items()}
    assert {(d["db_cluster_identifier"], d["region"]) for d in result["detached_clusters"]} == {
        (identifier + "-detached", region) for identifier, region in SECONDARIES.items()}
    assert all("delete-db-cluster" in d["delete_command"] for d in result["detached_clusters"])
    assert {m["db_cluster_identifier"]: m["outcome"] for m in result["members"]} == {
        identifier: "upgraded" for identifier in [PRIMARY[0]] + list(SECONDARIES)}
    # Documented and returned keys agree.
    assert set(result) - STANDARD_KEYS == set(documented_return("aurora_global_rebuild_secondaries")) - {"changed"}
    member_keys = set(documented_return("aurora_global_rebuild_secondaries")["members"]["contains"])
    assert all(set(m) == member_keys for m in result["members"])
    # The calls, in the method's order; each removal in its member's region, by ARN; nothing deleted.
    calls = database_changes(mysql)
    operations = [c["operation"] for c in calls]
    assert not [o for o in operations if o.startswith("Delete")]
    removals = [c for c in calls if c["operation"] == "RemoveFromGlobalCluster"]
    assert sorted((c["region"], c["params"]["DbClusterIdentifier"].split(":")[-1]) for c in removals) == sorted(
        (region, identifier) for identifier, region in SECONDARIES.items())
    first_create = operations.index("CreateDBCluster")
    upgrade = next(i for i, c in enumerate(calls) if c["operation"] == "ModifyDBCluster" and "EngineVersion" in c["params"])
    assert max(i for i, o in enumerate(operations) if o == "RemoveFromGlobalCluster") < upgrade < first_create
    created = [c for c in calls if c["operation"] == "CreateDBCluster"]
    assert all(c["params"]["EngineVersion"] == TARGET and "MasterUsername" not in c["params"] for c in created)
    assert len([c for c in calls if c["operation"] == "CreateDBInstance"]) == 4
    # planned_calls listed every call of the database; the calls came step by step (within a step, in any order).
    made = [c for c in calls if c["operation"] != "AddTagsToResource"]
    assert sorted((c["operation"], c["region"]) for c in result["planned_calls"]) == sorted((c["operation"], c["region"]) for c in made)
    steps = [STEPS.index(step_of(c)) for c in made]
    assert steps == sorted(steps)
    # A second run finds nothing to do.
    mysql.clear_journal()
    again = rebuild(mysql)
    assert not again.get("failed"), again.get("msg")
    assert again["changed"] is False and database_changes(mysql) == []


def lease_free_tag_writes(sandbox):
    """The tag writes that are not the lease's: the run's journal and marks."""
    return [entry for entry in changing_calls(sandbox) if entry["operation"] == "AddTagsToResource"
            and not all(tag["Key"].startswith("aurora-global-db:lease-") for tag in entry["params"].get("Tags", []))]


def test_refused_unless_the_secondaries_are_drained_with_nothing_changed(mysql):
    result = failed(rebuild(mysql, secondaries_drained=False, expect_failure=True))
    assert "secondaries_drained" in result["msg"] and "writable" in result["msg"] and "Nothing was changed" in result["msg"]
    assert database_changes(mysql) == [] and lease_free_tag_writes(mysql) == []
    assert len(result["planned_calls"]) == 15 and result["detached_clusters"] == []
    assert len(global_members(mysql)) == 3


def test_a_major_target_is_not_this_method(mysql):
    result = failed(rebuild(mysql, engine_version="8.4.mysql_aurora.8.4.7", expect_failure=True))
    assert "rebuild_secondaries is for Aurora MySQL minor upgrades only" in result["msg"]
    assert database_changes(mysql) == [] and lease_free_tag_writes(mysql) == []


def test_check_mode_makes_no_call_and_lists_every_call(mysql):
    result = rebuild(mysql, check=True)
    assert not result.get("failed"), result.get("msg")
    assert changing_calls(mysql) == []
    assert result["changed"] is True and result["secondaries_gap_seconds"] is None
    assert [c["step"] for c in result["planned_calls"]] == ["remove"] * 2 + ["rename"] * 6 + ["upgrade_primary"] + ["create_clusters"] * 2 + [
        "create_instances"] * 4
    assert all(c["params"]["EngineVersion"] == TARGET for c in result["planned_calls"] if c["operation"] == "CreateDBCluster")
    assert "no secondary from the first RemoveFromGlobalCluster" in result["message"]
    assert {d["db_cluster_identifier"] for d in result["detached_clusters"]} == {i + "-detached" for i in SECONDARIES}
    assert len(global_members(mysql)) == 3


def test_a_failed_primary_upgrade_still_rebuilds_the_secondaries_at_its_version_and_fails_loudly(mysql):
    mysql.configure(fail_upgrade_of=[PRIMARY[0]])
    result = failed(rebuild(mysql, expect_failure=True))
    assert "The upgrade of the primary %s" % PRIMARY[0] in result["msg"] and "rebuilt anyway" in result["msg"] and OLD in result["msg"]
    assert result["rebuilt_at_version"] == OLD
    assert_rebuilt(mysql, version=OLD)
    outcomes = {m["db_cluster_identifier"]: m["outcome"] for m in result["members"]}
    assert outcomes[PRIMARY[0]] == "failed"
    assert result["secondaries_gap_seconds"] is not None
    assert {m["engine_version"] for m in result["new_members"]} == {OLD}


def test_keep_identifiers_false_names_the_new_secondaries_after_the_target(mysql):
    result = rebuild(mysql, keep_identifiers=False)
    assert not result.get("failed"), result.get("msg")
    assert not [c for c in database_changes(mysql) if "NewDBClusterIdentifier" in c["params"] or "NewDBInstanceIdentifier" in c["params"]]
    for identifier, region in SECONDARIES.items():
        assert cluster(mysql, identifier + "-3-05-2", region)["EngineVersion"] == TARGET
        assert cluster(mysql, identifier, region)["DBClusterArn"] not in global_members(mysql)


def test_keeping_identifiers_without_a_suffix_is_refused(mysql):
    result = failed(rebuild(mysql, detached_suffix="", expect_failure=True))
    assert "keep_identifiers needs a detached_suffix" in result["msg"]
    assert database_changes(mysql) == [] and lease_free_tag_writes(mysql) == []


def test_a_detached_name_already_taken_is_refused_before_any_change(mysql):
    rds(mysql, "us-west-2").create_db_cluster(DBClusterIdentifier="mysql3r-secondary-usw2-detached", Engine="aurora-mysql", EngineVersion=OLD,
                                              MasterUsername="admin", MasterUserPassword="not-a-secret-1")
    mysql.clear_journal()
    result = failed(rebuild(mysql, expect_failure=True))
    assert "mysql3r-secondary-usw2-detached already exist in us-west-2" in result["msg"] and "Nothing was changed" in result["msg"]
    assert database_changes(mysql) == [] and lease_free_tag_writes(mysql) == []
