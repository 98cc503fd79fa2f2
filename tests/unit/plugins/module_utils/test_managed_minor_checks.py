# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The managed minor method's decisions: what it refuses, which AWS answers mean what, how the outcome is worded."""

import datetime

import pytest
from botocore.exceptions import ClientError

from ansible_collections.aurora.global_db.plugins.module_utils._managed_minor_checks import feature_refusal_message
from ansible_collections.aurora.global_db.plugins.module_utils._managed_minor_checks import format_member_events
from ansible_collections.aurora.global_db.plugins.module_utils._managed_minor_checks import is_feature_refusal
from ansible_collections.aurora.global_db.plugins.module_utils._managed_minor_checks import members_at
from ansible_collections.aurora.global_db.plugins.module_utils._managed_minor_checks import method_refusals
from ansible_collections.aurora.global_db.plugins.module_utils._managed_minor_checks import outcome_unknown
from ansible_collections.aurora.global_db.plugins.module_utils._managed_minor_checks import upgrade_under_way
from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.rds import is_throttled

PG_REFUSAL = ("ModifyGlobalCluster doesn't support minor version upgrades for Aurora global databases. "
              "To upgrade to a newer minor version, call ModifyDBCluster for each member of your global cluster.")
MYSQL_REFUSAL = "Amazon RDS can't perform minor version upgrades through ModifyGlobalCluster for this database engine."
OLD_REFUSAL = "ModifyGlobalCluster only supports Major Version Upgrades..."


def _plan(kind="minor", blockers=()):
    return {"target_engine_version": "14.9" if kind == "minor" else "15.4", "kind": kind, "pending": ["pg-primary-use1"], "blockers": list(blockers)}


def test_a_postgresql_minor_target_without_blockers_goes_ahead(facts):
    assert method_refusals(facts(), _plan()) == []


def test_aurora_mysql_is_not_supported_and_in_place_is_named(facts):
    refusals = method_refusals(facts(engine="aurora-mysql", version="8.0.mysql_aurora.3.04.0"), _plan())
    assert len(refusals) == 1 and refusals[0].startswith("method_not_supported") and "in_place" in refusals[0]


def test_a_major_target_is_not_supported(facts):
    refusals = method_refusals(facts(), _plan(kind="major"))
    assert len(refusals) == 1 and "major version upgrade" in refusals[0] and "14.6 -> 15.4" in refusals[0]


def test_blockers_refuse_except_an_upgrade_already_running(facts):
    blockers = [{"code": "failover_in_progress", "message": "a failover runs", "in_flight": False},
                {"code": "member_not_available", "message": "upgrading", "in_flight": True}]
    assert method_refusals(facts(), _plan(blockers=blockers)) == ["a failover runs"]


def test_an_upgrade_under_way_is_seen_on_the_global_cluster_or_a_member(facts):
    assert not upgrade_under_way(facts())
    assert upgrade_under_way(facts(status="upgrading"))
    busy = facts()
    busy["members"][0]["status"] = "upgrading"
    assert upgrade_under_way(busy)
    pending = facts()
    pending["members"][1]["pending_engine_version"] = "14.9"
    assert upgrade_under_way(pending)


@pytest.mark.parametrize("code, message, refused", [
    ("InvalidParameterValue", PG_REFUSAL, True),
    ("InvalidParameterValue", MYSQL_REFUSAL, True),
    ("InvalidParameterCombination", PG_REFUSAL, True),
    ("InvalidParameterValue", OLD_REFUSAL, True),
    ("InvalidParameterValue", "Cannot find upgrade path from 14.6 to 13.9.", False),
    ("InvalidGlobalClusterStateFault", PG_REFUSAL, False),
    (None, None, False),
])
def test_which_answers_are_aws_refusing_the_feature(code, message, refused):
    assert is_feature_refusal(code, message) is refused


def _answered(code):
    return AuroraGlobalError("ModifyGlobalCluster failed", exception=ClientError({"Error": {"Code": code, "Message": ""}}, "ModifyGlobalCluster"))


def test_only_throttling_is_safe_to_send_again():
    assert is_throttled(_answered("Throttling")) and is_throttled(_answered("ThrottlingException"))
    assert not is_throttled(_answered("InternalFailure")) and not is_throttled(AuroraGlobalError("no answer"))


@pytest.mark.parametrize("status, has_code, unknown", [(500, True, True), (503, True, True), (None, False, True), (400, True, False)])
def test_an_answer_lost_on_the_way_leaves_the_outcome_unknown(status, has_code, unknown):
    assert outcome_unknown(status, has_code) is unknown


def test_the_refusal_says_nothing_changed_and_names_in_place():
    message = feature_refusal_message("pg-global", "us-east-1", "14.9", PG_REFUSAL)
    assert "Nothing was changed" in message and "in_place" in message and message.endswith(PG_REFUSAL)


def test_events_are_shown_per_member_the_last_ones_oldest_first():
    when = datetime.datetime(2026, 12, 6, 22, 0, tzinfo=datetime.timezone.utc)
    events = [{"Date": when + datetime.timedelta(minutes=n), "Message": "event %d" % n} for n in range(7)]
    text = format_member_events([(("pg-secondary-euw1", "eu-west-1"), events), (("pg-primary-use1", "us-east-1"), [])])
    assert text.startswith("pg-secondary-euw1 (eu-west-1): [2026-12-06T22:02:00+00:00] event 2")
    assert "event 1" not in text and text.endswith("pg-primary-use1 (us-east-1): no event.")


def test_members_at_the_target_are_available_there(facts):
    described = facts()
    described["members"][0].update(engine_version="14.9")
    described["members"][1].update(engine_version="14.9", status="upgrading")
    assert members_at(described, "14.9") == [described["members"][0]["db_cluster_identifier"]]
