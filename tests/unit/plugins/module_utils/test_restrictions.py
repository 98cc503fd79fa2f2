# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The refusals of aurora_global_upgrade: the plan's blockers plus what is wrong with the request itself."""

from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import UpgradeContext
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import find_blockers
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import members_in_flight
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import request_refusals


def _plan(kind="minor", pending=(), blockers=(), target="14.9"):
    return {"target_engine_version": target, "kind": kind, "method": "x", "pending": list(pending), "blockers": list(blockers)}


def test_nothing_to_refuse(facts):
    assert request_refusals(facts(), _plan(pending=["pg-secondary-apse2"]), allow_major_version_upgrade=False) == []


def test_blockers_are_refusals(facts):
    plan = _plan(blockers=[{"code": "downgrade", "message": "no way back", "clusters": []}])
    assert request_refusals(facts(), plan, allow_major_version_upgrade=False) == ["no way back"]


def test_a_major_upgrade_needs_the_flag(facts):
    refusals = request_refusals(facts(), _plan(kind="major", target="15.4"), allow_major_version_upgrade=False)
    assert len(refusals) == 1 and "allow_major_version_upgrade" in refusals[0] and "14.6 -> 15.4" in refusals[0]
    assert request_refusals(facts(), _plan(kind="major", target="15.4"), allow_major_version_upgrade=True) == []


def test_a_major_upgrade_is_never_done_on_one_member(facts):
    refusals = request_refusals(facts(), _plan(kind="major", target="15.4"), True, db_cluster_identifier="pg-secondary-euw1")
    assert len(refusals) == 1 and "ModifyGlobalCluster" in refusals[0]


def test_an_unknown_member_is_refused(facts):
    refusals = request_refusals(facts(), _plan(), False, db_cluster_identifier="nope")
    assert refusals == ["nope is not a member of global cluster pg-global; its members are pg-secondary-apse2, pg-secondary-euw1, pg-primary-use1."]


def test_the_primary_waits_for_every_secondary(facts):
    plan = _plan(pending=["pg-secondary-euw1", "pg-primary-use1"])
    refusals = request_refusals(facts(), plan, False, db_cluster_identifier="pg-primary-use1")
    assert len(refusals) == 1 and "pg-secondary-euw1 (eu-west-1" in refusals[0] and "pg-secondary-apse2" not in refusals[0]


def test_the_primary_may_go_once_the_secondaries_are_done(facts):
    assert request_refusals(facts(), _plan(pending=["pg-primary-use1"]), False, db_cluster_identifier="pg-primary-use1") == []


def test_a_secondary_may_go_first(facts):
    plan = _plan(pending=["pg-secondary-euw1", "pg-primary-use1"])
    assert request_refusals(facts(), plan, False, db_cluster_identifier="pg-secondary-euw1") == []


def _in_flight_by_code(state, target="14.9"):
    """What find_blockers says of each blocker of a minor upgrade with nothing pending (so only the state checks speak)."""
    return {b["code"]: b["in_flight"] for b in find_blockers(UpgradeContext(state, target, "minor", [], {}))}


def test_blockers_about_upgrades_still_running_are_in_flight(facts, member):
    state = facts(status="upgrading", members=[
        member("pg-primary-use1", "us-east-1", is_writer=True, status="upgrading"),
        member("pg-secondary-euw1", "eu-west-1", status="modifying"),
    ])
    assert _in_flight_by_code(state) == {"global_cluster_not_available": True, "member_not_available": True}
    assert [m["db_cluster_identifier"] for m in members_in_flight(state)] == ["pg-secondary-euw1", "pg-primary-use1"]


def test_a_member_busy_with_something_else_is_not_in_flight(facts, member):
    state = facts(members=[
        member("pg-primary-use1", "us-east-1", is_writer=True, status="upgrading"),
        member("pg-secondary-euw1", "eu-west-1", status="backing-up"),
    ])
    assert _in_flight_by_code(state) == {"member_not_available": False}


def test_a_global_cluster_that_is_not_upgrading_is_not_in_flight(facts):
    assert _in_flight_by_code(facts(status="deleting")) == {"global_cluster_not_available": False}


def test_a_blocker_that_needs_the_operator_is_not_in_flight(facts):
    assert _in_flight_by_code(facts(), target="14.5") == {"downgrade": False}


def test_a_member_that_is_not_synchronized_blocks(facts, member):
    state = facts(members=[
        member("pg-primary-use1", "us-east-1", is_writer=True, synchronization_status=None),
        member("pg-secondary-euw1", "eu-west-1", synchronization_status="pending-resync"),
    ])
    blockers = find_blockers(UpgradeContext(state, "14.9", "minor", [], {}))
    assert [(b["code"], b["clusters"], b["in_flight"]) for b in blockers] == [("member_not_synchronized", ["pg-secondary-euw1"], False)]
    assert "pg-secondary-euw1 (eu-west-1) is 'pending-resync'" in blockers[0]["message"]


def test_an_accepted_change_not_started_yet_is_in_flight(facts, member):
    state = facts(members=[
        member("pg-primary-use1", "us-east-1", is_writer=True),
        member("pg-secondary-euw1", "eu-west-1", pending_engine_version="14.9"),
    ])
    assert _in_flight_by_code(state) == {"member_not_available": True}
    assert "accepted and not started yet" in find_blockers(UpgradeContext(state, "14.9", "minor", [], {}))[0]["message"]
    assert [m["db_cluster_identifier"] for m in members_in_flight(state)] == ["pg-secondary-euw1"]


def test_db_cluster_identifier_matches_in_any_case(facts):
    plan = _plan(pending=["pg-secondary-euw1", "pg-primary-use1"])
    assert request_refusals(facts(), plan, False, db_cluster_identifier="PG-Secondary-EUW1") == []
    assert "primary" in request_refusals(facts(), plan, False, db_cluster_identifier="PG-PRIMARY-USE1")[0]
