# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The refusals of aurora_global_upgrade: the plan's blockers plus what is wrong with the request itself."""

from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import blockers_in_flight
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


def _blocker(code, clusters=()):
    return {"code": code, "message": code, "clusters": list(clusters)}


def test_blockers_in_flight_are_those_about_upgrades_still_running(facts, member):
    state = facts(status="upgrading", members=[
        member("pg-primary-use1", "us-east-1", is_writer=True, status="upgrading"),
        member("pg-secondary-euw1", "eu-west-1", status="backing-up"),
    ])
    running = _blocker("member_not_available", ["pg-primary-use1"])
    backing_up = _blocker("member_not_available", ["pg-primary-use1", "pg-secondary-euw1"])
    global_busy = _blocker("global_cluster_not_available")
    plan = _plan(blockers=[running, backing_up, global_busy, _blocker("downgrade")])
    assert blockers_in_flight(state, plan) == [running, global_busy]
    assert [m["db_cluster_identifier"] for m in members_in_flight(state)] == ["pg-primary-use1"]


def test_a_global_cluster_that_is_not_upgrading_is_no_upgrade_in_flight(facts):
    plan = _plan(blockers=[_blocker("global_cluster_not_available")])
    assert blockers_in_flight(facts(status="deleting"), plan) == []
