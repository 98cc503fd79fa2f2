# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The upgrade plan and every blocker code, on facts built in memory."""

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils._plan import build_upgrade_plan
from ansible_collections.aurora.global_db.plugins.module_utils._plan import pending_members
from ansible_collections.aurora.global_db.plugins.module_utils._versions import InvalidEngineVersion
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import UPGRADE_METHODS
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import checked_codes

PG_14_6_TARGETS = ("14.7", "14.9", "14.10", "15.4", "16.1")


@pytest.fixture
def pg_targets(targets):
    return targets(*PG_14_6_TARGETS, major=("15.4", "16.1"), not_global=("14.7",))


def _everyone(facts, target_list):
    return {m["db_cluster_identifier"]: target_list for m in facts["members"]}


def _codes(plan):
    return [blocker["code"] for blocker in plan["blockers"]]


def _method_codes(plan):
    return {method: [blocker["code"] for blocker in blockers] for method, blockers in plan["methods"].items()}


def test_minor_plan_lists_every_member_secondaries_first(facts, pg_targets):
    state = facts()
    plan = build_upgrade_plan(state, "14.9", _everyone(state, pg_targets))
    methods = plan.pop("methods")
    assert plan == {
        "target_engine_version": "14.9",
        "kind": "minor",
        "method": "per_cluster",
        "pending": ["pg-secondary-apse2", "pg-secondary-euw1", "pg-primary-use1"],
        "blockers": [],
        "checked": checked_codes("in_place"),
    }
    assert _method_codes({"methods": methods}) == {
        "in_place": [], "snapshot_restore": ["method_not_supported"], "rebuild_secondaries": ["method_not_supported"],
        "managed_minor": [], "blue_green": [],
    }
    message = methods["rebuild_secondaries"][0]["message"]
    assert "rebuild_secondaries is for Aurora MySQL minor upgrades only" in message
    assert "Methods that can: in_place, managed_minor, blue_green (role: " in message


def test_major_plan_goes_through_the_global_cluster(facts, pg_targets):
    state = facts()
    plan = build_upgrade_plan(state, "15.4", _everyone(state, pg_targets))
    assert (plan["kind"], plan["method"], plan["blockers"]) == ("major", "global", [])


def test_nothing_to_do_when_every_member_is_at_the_target(facts):
    plan = build_upgrade_plan(facts(version="14.9"), "14.9", {})
    assert plan == {"target_engine_version": "14.9", "kind": "none", "method": "none", "pending": [], "blockers": [], "checked": [],
                    "methods": dict.fromkeys(UPGRADE_METHODS, [])}


def test_a_resumed_minor_upgrade_only_lists_what_is_left(facts, member, pg_targets):
    state = facts(members=[
        member("pg-primary-use1", "us-east-1", is_writer=True),
        member("pg-secondary-euw1", "eu-west-1", version="14.9"),
        member("pg-secondary-apse2", "ap-southeast-2", version="14.9"),
    ])
    plan = build_upgrade_plan(state, "14.9", {"pg-primary-use1": pg_targets})
    assert (plan["kind"], plan["pending"], plan["blockers"]) == ("minor", ["pg-primary-use1"], [])


def test_pending_members_keep_upgrade_order(facts):
    assert [m["db_cluster_identifier"] for m in pending_members(facts(), "14.10")] == ["pg-secondary-apse2", "pg-secondary-euw1", "pg-primary-use1"]


def test_a_target_of_another_engine_is_refused(facts):
    with pytest.raises(InvalidEngineVersion):
        build_upgrade_plan(facts(), "8.0.mysql_aurora.3.04.0", {})


def test_mysql_v2_to_v3_in_place(facts, member, targets):
    v2 = "5.7.mysql_aurora.2.11.2"
    state = facts(engine="aurora-mysql", version=v2, members=[
        member("mysql2-primary-use1", "us-east-1", is_writer=True, version=v2),
        member("mysql2-secondary-usw2", "us-west-2", version=v2),
    ])
    plan = build_upgrade_plan(state, "8.0.mysql_aurora.3.04.0", _everyone(state, targets("8.0.mysql_aurora.3.04.0", major=("8.0.mysql_aurora.3.04.0",))))
    assert (plan["kind"], plan["method"]) == ("major", "snapshot_restore")
    assert _codes(plan) == ["mysql_v2_to_v3_in_place"]
    methods = _method_codes(plan)
    assert (methods["snapshot_restore"], methods["blue_green"]) == ([], [])
    assert methods["rebuild_secondaries"] == methods["managed_minor"] == ["method_not_supported"]
    assert "snapshot restore" in plan["blockers"][0]["message"]
    assert plan["blockers"][0]["clusters"] == ["mysql2-secondary-usw2", "mysql2-primary-use1"]


def test_mysql_v2_minor_upgrade_below_2_12_is_not_blocked(facts, member, targets):
    v2 = "5.7.mysql_aurora.2.11.2"
    state = facts(engine="aurora-mysql", version=v2, members=[member("p", "us-east-1", is_writer=True, version=v2)])
    plan = build_upgrade_plan(state, "5.7.mysql_aurora.2.11.3", _everyone(state, targets("5.7.mysql_aurora.2.11.3")))
    assert (plan["kind"], plan["blockers"]) == ("minor", [])


def test_rpo_blocks_a_postgresql_major_upgrade(facts, member, pg_targets):
    state = facts(members=[
        member("pg-primary-use1", "us-east-1", is_writer=True, rpo_seconds=60, db_cluster_parameter_group="pg-global-params"),
        member("pg-secondary-euw1", "eu-west-1"),
    ])
    plan = build_upgrade_plan(state, "15.4", _everyone(state, pg_targets))
    assert _codes(plan) == ["rpo_enabled"]
    message = plan["blockers"][0]["message"]
    assert "rds.global_db_rpo" in message and "reset-db-cluster-parameter-group" in message and "pg-global-params" in message
    assert plan["blockers"][0]["clusters"] == ["pg-primary-use1"]


def test_rpo_does_not_block_a_minor_upgrade(facts, member, pg_targets):
    state = facts(members=[member("pg-primary-use1", "us-east-1", is_writer=True, rpo_seconds=60)])
    assert build_upgrade_plan(state, "14.9", _everyone(state, pg_targets))["blockers"] == []


def test_downgrade(facts, member, pg_targets):
    state = facts(members=[
        member("pg-primary-use1", "us-east-1", is_writer=True, version="14.9"),
        member("pg-secondary-euw1", "eu-west-1", version="14.9"),
    ])
    plan = build_upgrade_plan(state, "14.6", {})
    assert (plan["kind"], plan["pending"], _codes(plan)) == ("minor", [], ["downgrade"])
    assert plan["blockers"][0]["clusters"] == ["pg-secondary-euw1", "pg-primary-use1"]


def test_a_downgrade_across_major_lines_is_major(facts):
    assert build_upgrade_plan(facts(version="15.4"), "14.9", {})["kind"] == "major"


def test_invalid_target_names_each_member_and_what_its_region_offers(facts, targets, pg_targets):
    state = facts()
    by_member = _everyone(state, pg_targets)
    by_member["pg-secondary-apse2"] = targets("14.7", "15.4", major=("15.4",))  # this region lags
    plan = build_upgrade_plan(state, "14.9", by_member)
    assert _codes(plan) == ["invalid_target"]
    assert plan["blockers"][0]["clusters"] == ["pg-secondary-apse2"]
    assert "ap-southeast-2 offers: 14.7, 15.4" in plan["blockers"][0]["message"]


def test_target_not_global(facts, pg_targets):
    state = facts()
    plan = build_upgrade_plan(state, "14.7", _everyone(state, pg_targets))
    assert _codes(plan) == ["target_not_global"]


def test_global_cluster_not_available(facts, pg_targets):
    state = facts(status="modifying")
    assert _codes(build_upgrade_plan(state, "14.9", _everyone(state, pg_targets))) == ["global_cluster_not_available"]


@pytest.mark.parametrize("status", ["pending", "switching-over", "failing-over", "cancelling"])
def test_failover_in_progress(facts, pg_targets, status):
    state = facts(failover_state={"status": status, "from_db_cluster_arn": "a", "to_db_cluster_arn": "b"})
    assert _codes(build_upgrade_plan(state, "14.9", _everyone(state, pg_targets))) == ["failover_in_progress"]


def test_a_finished_failover_does_not_block(facts, pg_targets):
    state = facts(failover_state={"status": "completed", "from_db_cluster_arn": "a", "to_db_cluster_arn": "b"})
    assert build_upgrade_plan(state, "14.9", _everyone(state, pg_targets))["blockers"] == []


def test_member_not_available(facts, member, pg_targets):
    state = facts(members=[member("pg-primary-use1", "us-east-1", is_writer=True), member("pg-secondary-euw1", "eu-west-1", status="backing-up")])
    plan = build_upgrade_plan(state, "14.9", _everyone(state, pg_targets))
    assert _codes(plan) == ["member_not_available"]
    assert "'backing-up'" in plan["blockers"][0]["message"]


def test_headless_member(facts, member, pg_targets):
    state = facts(members=[member("pg-primary-use1", "us-east-1", is_writer=True), member("pg-secondary-apse2", "ap-southeast-2", instance_count=0)])
    plan = build_upgrade_plan(state, "14.9", _everyone(state, pg_targets))
    assert _codes(plan) == ["headless_member"]
    assert plan["blockers"][0]["clusters"] == ["pg-secondary-apse2"]


def test_a_headless_member_already_at_the_target_does_not_block(facts, member, pg_targets):
    state = facts(members=[
        member("pg-primary-use1", "us-east-1", is_writer=True),
        member("pg-secondary-apse2", "ap-southeast-2", version="14.9", instance_count=0),
    ])
    assert build_upgrade_plan(state, "14.9", {"pg-primary-use1": pg_targets})["blockers"] == []


def test_several_blockers_are_all_reported(facts, member, pg_targets):
    state = facts(status="modifying", members=[
        member("pg-primary-use1", "us-east-1", is_writer=True, rpo_seconds=30),
        member("pg-secondary-apse2", "ap-southeast-2", instance_count=0),
    ])
    plan = build_upgrade_plan(state, "15.4", _everyone(state, pg_targets))
    assert _codes(plan) == ["rpo_enabled", "global_cluster_not_available", "headless_member"]


MYSQL_3 = "8.0.mysql_aurora.3.04.0"
# What AWS's descriptions say (DBEngineVersionDescription, ValidUpgradeTarget[].Description).
COMMUNITY = {
    "8.0.mysql_aurora.3.02.0": (8, 0, 23), "8.0.mysql_aurora.3.03.1": (8, 0, 26), MYSQL_3: (8, 0, 28),
    "8.0.mysql_aurora.3.04.1": (8, 0, 28), "8.0.mysql_aurora.3.05.2": (8, 0, 32), "5.7.mysql_aurora.2.11.2": (5, 7, 12),
    "5.7.mysql_aurora.2.12.0": (5, 7, 40),
}


def _mysql(facts, member, version):
    return facts(engine="aurora-mysql", version=version, members=[
        member("mysql-primary-use1", "us-east-1", is_writer=True, version=version),
        member("mysql-secondary-usw2", "us-west-2", version=version),
    ])


def _mysql_plan(facts, member, targets, current, target, method="in_place", community=None):
    state = _mysql(facts, member, current)
    listed = targets(target, major=(target,) if current.split(".")[:2] != target.split(".")[:2] else ())
    return build_upgrade_plan(state, target, _everyone(state, listed), method, COMMUNITY if community is None else community)


@pytest.mark.parametrize("current, target", [
    (MYSQL_3, "8.0.mysql_aurora.3.05.2"),
    ("5.7.mysql_aurora.2.11.2", "5.7.mysql_aurora.2.12.0"),
    ("8.4.7", "8.4.8"),
    ("8.0.mysql_aurora.3.03.1", "8.0.mysql_aurora.3.04.1"),
])
def test_in_place_minor_refused_for_the_guides_targets(facts, member, targets, current, target):
    plan = _mysql_plan(facts, member, targets, current, target)
    assert (plan["kind"], plan["method"], _codes(plan)) == ("minor", "per_cluster", ["in_place_minor_refused"])
    blocker = plan["blockers"][0]
    assert blocker["clusters"] == ["mysql-secondary-usw2", "mysql-primary-use1"]
    assert "rebuild_secondaries" in blocker["message"] and "blue_green" in blocker["message"] and "R10" in blocker["message"]
    assert _method_codes(plan)["rebuild_secondaries"] == _method_codes(plan)["blue_green"] == []


def test_the_refusal_names_the_community_version_aws_gives(facts, member, targets):
    message = _mysql_plan(facts, member, targets, MYSQL_3, "8.0.mysql_aurora.3.05.2")["blockers"][0]["message"]
    assert message.startswith("An in-place upgrade to 8.0.mysql_aurora.3.05.2 (MySQL 8.0.32) would be refused for mysql-secondary-usw2")


@pytest.mark.parametrize("current, target", [
    ("8.0.mysql_aurora.3.02.0", "8.0.mysql_aurora.3.03.1"),
    ("5.7.mysql_aurora.2.11.2", "5.7.mysql_aurora.2.11.3"),
    # Same community MySQL version (a patch): unverified, so not predicted; AWS's refusal is recognised by the upgrade module.
    (MYSQL_3, "8.0.mysql_aurora.3.04.1"),
])
def test_in_place_minor_not_predicted_refused(facts, member, targets, current, target):
    assert _codes(_mysql_plan(facts, member, targets, current, target)) == []


def test_without_aws_descriptions_the_guides_wording_decides(facts, member, targets):
    assert _codes(_mysql_plan(facts, member, targets, MYSQL_3, "8.0.mysql_aurora.3.04.1", community={})) == ["in_place_minor_refused"]


def test_in_place_minor_refused_is_only_for_minor_mysql_targets(facts, member, targets):
    plan = _mysql_plan(facts, member, targets, MYSQL_3, "8.4.7")
    assert plan["kind"] == "major" and "in_place_minor_refused" not in _codes(plan)


def test_the_method_option_chooses_whose_plan_it_is(facts, member, targets):
    plan = _mysql_plan(facts, member, targets, MYSQL_3, "8.0.mysql_aurora.3.05.2", method="rebuild_secondaries")
    assert (plan["method"], plan["blockers"], plan["checked"]) == ("rebuild_secondaries", [], checked_codes("rebuild_secondaries"))
    assert "in_place_minor_refused" not in plan["checked"] and "method_not_supported" in plan["checked"]
    assert _method_codes(plan)["in_place"] == ["in_place_minor_refused"]


@pytest.mark.parametrize("method, target, supported", [
    ("rebuild_secondaries", "8.4.7", False),
    ("rebuild_secondaries", "8.0.mysql_aurora.3.05.2", True),
    ("managed_minor", "8.0.mysql_aurora.3.05.2", False),
    ("snapshot_restore", "8.0.mysql_aurora.3.05.2", False),
    ("blue_green", "8.4.7", True),
])
def test_method_not_supported_for_mysql(facts, member, targets, method, target, supported):
    plan = _mysql_plan(facts, member, targets, MYSQL_3, target, method=method)
    assert ("method_not_supported" not in _codes(plan)) is supported
    assert plan["methods"][method] == plan["blockers"]


def test_method_not_supported_for_postgresql(facts, pg_targets):
    state = facts()
    major = build_upgrade_plan(state, "15.4", _everyone(state, pg_targets), "managed_minor")
    assert _codes(major) == ["method_not_supported"] and major["method"] == "managed_minor"
    assert "managed_minor is for Aurora PostgreSQL minor upgrades only" in major["blockers"][0]["message"]
    assert "Methods that can: in_place, blue_green (role: aurora_global_upgrade_method: in_place or blue_green)." in major["blockers"][0]["message"]
    assert _method_codes(major)["rebuild_secondaries"] == ["method_not_supported"]


def test_every_method_sees_the_state_of_the_global_database(facts, pg_targets):
    state = facts(status="modifying")
    plan = build_upgrade_plan(state, "14.9", _everyone(state, pg_targets))
    for method, codes in _method_codes(plan).items():
        assert "global_cluster_not_available" in codes, method


def test_a_global_database_without_secondaries_is_not_refused_in_place(facts, member, targets):
    state = facts(engine="aurora-mysql", version=MYSQL_3, members=[member("mysql-primary-use1", "us-east-1", is_writer=True, version=MYSQL_3)])
    target = "8.0.mysql_aurora.3.05.2"
    plan = build_upgrade_plan(state, target, _everyone(state, targets(target)), "in_place", COMMUNITY)
    assert plan["blockers"] == []
