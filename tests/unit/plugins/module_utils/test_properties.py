# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Hostile input: properties of version parsing, comparison and the upgrade plan, on generated input (hypothesis).

- any text, for either engine (or an unknown one): parsed, or refused with InvalidEngineVersion, nothing else;
- comparison is a total order on the versions of an engine;
- the plan is stable: the same for the same global database whatever order its members are listed in,
  built without touching its input, pending members in upgrade order with the primary last, only known blocker codes.

Every test runs a fixed number of examples (EXAMPLES), with no example database, so a run is reproducible.
"""

import copy
import functools
import random

import pytest
from hypothesis import HealthCheck
from hypothesis import event
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from ansible_collections.aurora.global_db.plugins.module_utils._members import upgrade_order
from ansible_collections.aurora.global_db.plugins.module_utils._plan import build_upgrade_plan
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import BLOCKER_CODES
from ansible_collections.aurora.global_db.plugins.module_utils._versions import AURORA_MYSQL
from ansible_collections.aurora.global_db.plugins.module_utils._versions import AURORA_POSTGRESQL
from ansible_collections.aurora.global_db.plugins.module_utils._versions import InvalidEngineVersion
from ansible_collections.aurora.global_db.plugins.module_utils._versions import compare_versions
from ansible_collections.aurora.global_db.plugins.module_utils._versions import parse_engine_version
from ansible_collections.aurora.global_db.plugins.module_utils._versions import upgrade_kind
from ansible_collections.aurora.global_db.plugins.module_utils._versions import upgrade_targets
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import UPGRADE_METHODS

EXAMPLES = 500
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

ENGINES = (AURORA_MYSQL, AURORA_POSTGRESQL)
KINDS = ("major", "minor", "none", "downgrade")

_number = st.one_of(st.integers(0, 20).map(str), st.integers(0, 10 ** 12).map(str), st.integers(0, 99).map("{:02d}".format))
_postgresql = st.lists(_number, min_size=2, max_size=4).map(".".join)
_mysql_aurora = st.builds("{}.mysql_aurora.{}.{}".format, st.sampled_from(["5.7", "8.0"]), st.integers(2, 3),
                          st.lists(_number, min_size=1, max_size=3).map(".".join))
_mysql_plain = st.lists(_number, min_size=3, max_size=3).map(".".join)
_version_like = st.one_of(_postgresql, _mysql_aurora, _mysql_plain)
# Near misses: a version with text spliced in (letters, non-ASCII digits, separators, whitespace, a huge number).
_splice = st.one_of(
    st.text(max_size=3),
    st.sampled_from(["\u0661\u0664", "\uff11", "\u00b2", "..", ".", "-", "_", "\n", "\t", " ", "mysql_aurora", "1" * 5000, "\x00"]),
)
_near_miss = st.builds(lambda text, at, spliced: text[:at % (len(text) + 1)] + spliced + text[at % (len(text) + 1):],
                       _version_like, st.integers(0, 64), _splice)
ANY_TEXT = st.one_of(st.text(), _version_like, _near_miss)


def _parses(engine, text):
    try:
        parse_engine_version(engine, text)
    except InvalidEngineVersion:
        return False
    return True


_VERSIONS = {AURORA_POSTGRESQL: _postgresql, AURORA_MYSQL: st.one_of(_mysql_aurora, _mysql_plain)}


def _versions_of(engine):
    return _VERSIONS[engine]


@PROPERTY
@given(engine=st.one_of(st.sampled_from(ENGINES), st.text(max_size=20)), text=ANY_TEXT)
def test_any_text_is_a_version_or_refused_with_invalid_engine_version(engine, text):
    try:
        version = parse_engine_version(engine, text)
    except InvalidEngineVersion as error:
        assert str(error)
        return
    assert version.engine in ENGINES
    assert version.text == text.strip() and version.text.isascii()
    assert version.key and all(isinstance(part, int) and part >= 0 for part in version.key)
    assert parse_engine_version(engine, version.text) == version


@PROPERTY
@given(engine=st.sampled_from(ENGINES), current=ANY_TEXT, target=ANY_TEXT)
def test_comparing_and_classifying_any_two_texts_raise_nothing_but_invalid_engine_version(engine, current, target):
    try:
        order = compare_versions(engine, current, target)
        kind = upgrade_kind(engine, current, target)
    except InvalidEngineVersion:
        return
    assert order in (-1, 0, 1)
    assert kind in KINDS
    assert (kind == "none") == (order == 0) and (kind == "downgrade") == (order == 1)


@PROPERTY
@given(data=st.data(), engine=st.sampled_from(ENGINES))
def test_comparison_is_a_total_order(data, engine):
    first, second, third = (data.draw(_versions_of(engine)) for dummy in range(3))
    assert compare_versions(engine, first, first) == 0
    assert compare_versions(engine, first, second) == -compare_versions(engine, second, first)
    if compare_versions(engine, first, second) <= 0 and compare_versions(engine, second, third) <= 0:
        assert compare_versions(engine, first, third) <= 0
    if compare_versions(engine, first, second) == 0:
        assert compare_versions(engine, first, third) == compare_versions(engine, second, third)


@PROPERTY
@given(data=st.data(), engine=st.sampled_from(ENGINES))
def test_sorting_by_comparison_gives_every_pair_in_order(data, engine):
    versions = data.draw(st.lists(_versions_of(engine), min_size=2, max_size=8))
    ordered = sorted(versions, key=functools.cmp_to_key(functools.partial(compare_versions, engine)))
    assert all(compare_versions(engine, low, high) <= 0 for index, low in enumerate(ordered) for high in ordered[index:])


@PROPERTY
@given(engine=st.sampled_from(ENGINES), listed=st.lists(ANY_TEXT, max_size=6))
def test_valid_upgrade_targets_of_any_text_are_sorted_without_error(engine, listed):
    answer = [{"Engine": engine, "ValidUpgradeTarget": [{"EngineVersion": text, "IsMajorVersionUpgrade": False} for text in listed]}]
    targets = upgrade_targets(answer)
    assert sorted(target["engine_version"] for target in targets) == sorted(set(listed))


_REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "sa-east-1")
_STATUSES = ("available", "available", "available", "upgrading", "modifying", "backing-up")


@st.composite
def _global_databases(draw):
    """(aurora_global facts, valid targets by member, a target): a global database of 1 to 6 members, each on its own version and state."""
    engine = draw(st.sampled_from(ENGINES))
    usual = {
        AURORA_POSTGRESQL: ["14.6", "14.9", "15.4"],
        AURORA_MYSQL: ["5.7.mysql_aurora.2.11.2", "8.0.mysql_aurora.3.04.0", "8.4.7", "8.4.mysql_aurora.8.4.7"],
    }
    versions = st.one_of(_versions_of(engine), st.sampled_from(usual[engine]))
    count = draw(st.integers(1, 6))
    regions = draw(st.lists(st.sampled_from(_REGIONS), min_size=count, max_size=count))
    writer = draw(st.integers(0, count - 1))
    members = []
    for index, region in enumerate(regions):
        version = draw(versions)
        instances = draw(st.integers(0, 2))
        members.append({
            "db_cluster_identifier": "member-%d" % index,
            "db_cluster_arn": "arn:aws:rds:%s:123456789012:cluster:member-%d" % (region, index),
            "region": region,
            "role": "primary" if index == writer else "secondary",
            "is_writer": index == writer,
            "engine_version": version,
            "status": draw(st.sampled_from(_STATUSES)),
            "db_cluster_parameter_group": "params",
            "instance_count": instances,
            "headless": instances == 0,
            "rpo_seconds": draw(st.one_of(st.none(), st.integers(20, 3600))),
            "synchronization_status": draw(st.sampled_from(["connected", "connected", "pending-resync"])),
            "pending_engine_version": draw(st.one_of(st.none(), versions)),
        })
    ordered = upgrade_order(members)
    failover_states = st.builds(dict, status=st.sampled_from(["pending", "switching-over", "completed"]),
                                from_db_cluster_arn=st.just("a"), to_db_cluster_arn=st.just("b"))
    failover = draw(st.one_of(st.none(), failover_states))
    facts = {
        "global_cluster_identifier": "global", "global_cluster_arn": "arn:aws:rds::123456789012:global-cluster:global",
        "engine": engine, "engine_version": ordered[-1]["engine_version"], "status": draw(st.sampled_from(_STATUSES)),
        "deletion_protection": False, "failover_state": failover, "members": ordered, "primary": ordered[-1]["db_cluster_identifier"],
        "upgrade_order": [m["db_cluster_identifier"] for m in ordered], "rpo_enabled": any(m["rpo_seconds"] is not None for m in ordered),
        "valid_upgrade_targets": [],
    }
    listed = draw(st.lists(versions, max_size=4))
    targets = [{"engine_version": text, "is_major_version_upgrade": draw(st.booleans()), "supports_global_databases": draw(st.booleans())}
               for text in listed]
    target = draw(st.one_of(versions, st.sampled_from([m["engine_version"] for m in members]), ANY_TEXT))
    return facts, {m["db_cluster_identifier"]: targets for m in members if draw(st.booleans())}, target


def codes_of(plan):
    return [blocker["code"] for blocker in plan["blockers"]]


@PROPERTY
@given(database=_global_databases(), seed=st.integers(0, 2 ** 32))
def test_the_plan_is_stable_and_well_formed_for_any_global_database_and_target(database, seed):
    facts, targets_by_member, target = database
    untouched = copy.deepcopy((facts, targets_by_member))
    try:
        plan = build_upgrade_plan(facts, target, targets_by_member)
    except InvalidEngineVersion:
        assert not _parses(facts["engine"], target)
        event("target refused")
        return
    event("plan: %s" % plan["kind"])
    assert (facts, targets_by_member) == untouched, "building the plan changed its input"
    assert build_upgrade_plan(facts, target, targets_by_member) == plan

    shuffled = list(facts["members"])
    random.Random(seed).shuffle(shuffled)
    assert build_upgrade_plan(dict(facts, members=upgrade_order(shuffled)), target, targets_by_member) == plan

    engine = facts["engine"]
    below = [m["db_cluster_identifier"] for m in facts["members"] if compare_versions(engine, m["engine_version"], target) < 0]
    assert plan["pending"] == below, "pending is not every member below the target, in upgrade order"
    if facts["primary"] in plan["pending"]:
        assert plan["pending"][-1] == facts["primary"], "the primary is not upgraded last"
    assert plan["kind"] in ("major", "minor", "none")
    if "mysql_v2_to_v3_in_place" in codes_of(plan):
        assert plan["method"] == "snapshot_restore"
    else:
        assert plan["method"] == {"major": "global", "minor": "per_cluster", "none": "none"}[plan["kind"]]
    off_target = [m for m in facts["members"] if compare_versions(engine, m["engine_version"], target) != 0]
    assert (plan["kind"] == "none") == (not off_target)
    if plan["kind"] == "none":
        assert plan["blockers"] == []
    assert set(codes_of(plan)) <= set(BLOCKER_CODES)
    assert all(blocker["message"] for blocker in plan["blockers"])
    assert plan["methods"]["in_place"] == plan["blockers"] and set(plan["methods"]) == set(UPGRADE_METHODS)
    for blockers in plan["methods"].values():
        assert all(blocker["message"] for blocker in blockers)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_version_part_too_long_for_int_is_refused_as_not_a_version(engine):
    """Python refuses int() of more than 4300 digits with a bare ValueError; the parser must answer InvalidEngineVersion."""
    with pytest.raises(InvalidEngineVersion):
        parse_engine_version(engine, "14." + "9" * 5000 if engine == AURORA_POSTGRESQL else "8.0.mysql_aurora.3." + "9" * 5000)
