# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The documented restrictions on upgrading an Aurora global database, written once.

Each check reads an UpgradeContext; _CHECKS pairs it with its blocker code and BLOCKER_CODES lists the
codes. The facts module reports the blockers, the upgrade module refuses to act on them and the role
asserts on the facts, one assert per code of BLOCKER_CODES.

Every upgrade method (UPGRADE_METHODS) is checked against its own codes (_METHOD_CODES); whether a method can do
the engine and kind of upgrade at all is the method's entry of _METHOD_SUPPORT. A method's own prerequisites are
one more check: write it, register its code in _CHECKS and add the code to that method's entry of _METHOD_CODES.
"""

from collections import namedtuple

from ansible_collections.aurora.global_db.plugins.module_utils._blue_green_checks import blue_green_blockers
from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import same_identifier
from ansible_collections.aurora.global_db.plugins.module_utils._versions import AURORA_MYSQL
from ansible_collections.aurora.global_db.plugins.module_utils._versions import AURORA_POSTGRESQL
from ansible_collections.aurora.global_db.plugins.module_utils._versions import MAJOR
from ansible_collections.aurora.global_db.plugins.module_utils._versions import MINOR
from ansible_collections.aurora.global_db.plugins.module_utils._versions import aurora_mysql_generation
from ansible_collections.aurora.global_db.plugins.module_utils._versions import compare_versions
from ansible_collections.aurora.global_db.plugins.module_utils._versions import find_upgrade_target
from ansible_collections.aurora.global_db.plugins.module_utils._versions import parse_engine_version
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import GLOBAL_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import AVAILABLE
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import SYNCHRONIZED
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_failover_in_progress
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_in_flight
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_ready
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_synchronized

# The upgrade methods (the facts module's option method, the role's aurora_global_upgrade_method).
IN_PLACE = "in_place"
SNAPSHOT_RESTORE = "snapshot_restore"
REBUILD_SECONDARIES = "rebuild_secondaries"
MANAGED_MINOR = "managed_minor"
BLUE_GREEN = "blue_green"
UPGRADE_METHODS = (IN_PLACE, SNAPSHOT_RESTORE, REBUILD_SECONDARIES, MANAGED_MINOR, BLUE_GREEN)

# Rule R10 in the guide's words: in-place minor upgrades of an Aurora MySQL global database to 2.12.*, to 3.04.* and
# later, and on 8.4 are refused. MySQL line -> the first Aurora MySQL version refused on it; every line from 8.4 on.
_IN_PLACE_MINOR_REFUSED_FROM = {"5.7": (2, 12), "8.0": (3, 4)}
_IN_PLACE_MINOR_REFUSED_LINES_FROM = (8, 4)
# The text of AWS's refusal (InvalidParameterCombination), how the upgrade module recognises a refusal the rule did not predict.
IN_PLACE_MINOR_REFUSED_BY_AWS = "In-place minor version upgrade of Aurora MySQL global database cluster"
IN_PLACE_MINOR_REFUSED_ADVICE = (
    "AWS refuses in-place minor upgrades of an Aurora MySQL global database to a version that brings a higher community "
    "MySQL version (rule R10: targets 2.12.*, 3.04.* and later, 8.4). Use the method blue_green (an RDS Blue/Green "
    "deployment of the whole global database; role: aurora_global_upgrade_method: blue_green), or the AWS guide's "
    "procedure rebuild_secondaries (remove every secondary from the global cluster, upgrade the primary, add the "
    "secondaries again at its new version; the global database has no secondary meanwhile, and the removed clusters are "
    "kept; role: aurora_global_upgrade_method: rebuild_secondaries with aurora_global_upgrade_secondaries_drained: true "
    "once applications no longer use the secondaries; module: aurora.global_db.aurora_global_rebuild_secondaries)."
)

UpgradeContext = namedtuple("UpgradeContext", ["facts", "target", "kind", "pending", "targets_by_member", "method", "community_versions",
                                               "blue_green_readings"], defaults=(IN_PLACE, None, None))
UpgradeContext.__doc__ = """What the checks read.

facts: the aurora_global facts (members in upgrade order).
target: the target engine version text.
kind: major or minor.
pending: the member dicts still below the target.
targets_by_member: db_cluster_identifier -> valid upgrade targets of that member's version in its region.
method: the upgrade method planned for, one of UPGRADE_METHODS.
community_versions: engine version text -> the community MySQL version AWS names in its description (tuple), where known.
blue_green_readings: what the Blue/Green prerequisites are checked on (blue_green_preflight.prerequisite_readings), or None
  when they were not read (then they are not checked).
"""


def _describe(members):
    return ", ".join("%s (%s, %s %s)" % (m["db_cluster_identifier"], m["region"], m["role"], m["engine_version"]) for m in members)


# Each check returns None, or (message, members the blocker is about) when its restriction applies.

def _check_mysql_v2_to_v3(context):
    target_generation = aurora_mysql_generation(parse_engine_version(context.facts["engine"], context.target))
    on_v2 = [m for m in context.pending if aurora_mysql_generation(parse_engine_version(context.facts["engine"], m["engine_version"])) == 2]
    if not on_v2 or target_generation == 2:
        return None
    return (
        "This collection does not upgrade Aurora MySQL version 2 in place to %s in a global database (its rule R3, the path AWS's "
        "guide prescribed for global databases): %s. "
        "Use the snapshot restore method instead: take a snapshot of the primary, restore it as a new cluster on the target "
        "version and build a new global database from it (role: aurora_global_upgrade_method: snapshot_restore; module: "
        "aurora.global_db.aurora_global_snapshot_restore)." % (context.target, _describe(on_v2)),
        on_v2,
    )


def _is_in_refused_range(engine_version):
    """Whether ``engine_version`` is a target R10 names, in the guide's words (2.12.*, 3.04.* and later, 8.4 and later)."""
    line = tuple(int(part) for part in engine_version.major_line.split("."))
    if line >= _IN_PLACE_MINOR_REFUSED_LINES_FROM:
        return True
    floor = _IN_PLACE_MINOR_REFUSED_FROM.get(engine_version.major_line)
    return floor is not None and engine_version.key[len(line):] >= floor


def in_place_minor_refused(engine, current, target, community_versions):
    """Whether AWS refuses the in-place minor upgrade of a global database member from ``current`` to ``target`` (R10).

    A target in the guide's range is refused unless AWS's descriptions show it keeps the member's community MySQL
    version (a patch such as 3.04.0 -> 3.04.1: unverified, so not predicted; should AWS refuse it anyway, the upgrade
    module recognises AWS's refusal before anything changed).
    """
    if engine != AURORA_MYSQL or not _is_in_refused_range(parse_engine_version(engine, target)):
        return False
    before, after = (community_versions or {}).get(current), (community_versions or {}).get(target)
    return before is None or after is None or after > before


def _community(community_versions, version):
    found = (community_versions or {}).get(version)
    return "MySQL %s" % ".".join(str(part) for part in found) if found else "community version not named by AWS"


def _check_in_place_minor_refused(context):
    # The guide's procedure upgrades the primary once every secondary is removed: a global database without one is not refused.
    if context.kind != MINOR or all(m["is_writer"] for m in context.facts["members"]):
        return None
    engine = context.facts["engine"]
    refused = [m for m in context.pending if in_place_minor_refused(engine, m["engine_version"], context.target, context.community_versions)]
    if not refused:
        return None
    return (
        "An in-place upgrade to %s (%s) would be refused for %s. %s" % (
            context.target, _community(context.community_versions, context.target), _describe(refused), IN_PLACE_MINOR_REFUSED_ADVICE),
        refused,
    )


def _snapshot_restore_support(context):
    engine = context.facts["engine"]
    target_generation = aurora_mysql_generation(parse_engine_version(engine, context.target))
    generations = {aurora_mysql_generation(parse_engine_version(engine, m["engine_version"])) for m in context.pending}
    if engine == AURORA_MYSQL and target_generation == 3 and generations == {2}:
        return None
    return "snapshot_restore is for Aurora MySQL version 2 -> 3 only (a new global database built from a snapshot of the primary)"


def _rebuild_secondaries_support(context):
    if context.facts["engine"] == AURORA_MYSQL and context.kind == MINOR:
        return None
    return "rebuild_secondaries is for Aurora MySQL minor upgrades only (the guide's procedure for the targets AWS refuses in place, R10)"


def _managed_minor_support(context):
    if context.facts["engine"] == AURORA_POSTGRESQL and context.kind == MINOR:
        return None
    return "managed_minor is for Aurora PostgreSQL minor upgrades only (AWS's managed minor upgrade through ModifyGlobalCluster)"


def _supported(context):
    return None


# Whether each method can do this engine and kind of upgrade at all: the method's function returns None, or why not.
_METHOD_SUPPORT = {
    IN_PLACE: _supported,
    SNAPSHOT_RESTORE: _snapshot_restore_support,
    REBUILD_SECONDARIES: _rebuild_secondaries_support,
    MANAGED_MINOR: _managed_minor_support,
    BLUE_GREEN: _supported,
}


def _check_method_supported(context):
    reason = _METHOD_SUPPORT[context.method](context)
    if reason is None:
        return None
    others = [method for method in UPGRADE_METHODS if method != context.method and _METHOD_SUPPORT[method](context) is None]
    return (
        "The method %s cannot do this upgrade: %s; this is a %s upgrade of %s %s to %s. Methods that can: %s (role: "
        "aurora_global_upgrade_method: %s)." % (
            context.method, reason, context.kind, context.facts["engine"], context.facts["engine_version"], context.target, ", ".join(others),
            " or ".join(others)),
        [],
    )


def _check_rpo(context):
    if context.facts["engine"] != AURORA_POSTGRESQL or context.kind != MAJOR:
        return None
    with_rpo = [m for m in context.facts["members"] if m["rpo_seconds"] is not None]
    if not with_rpo:
        return None
    resets = "; ".join(
        "aws rds reset-db-cluster-parameter-group --region %s --db-cluster-parameter-group-name %s "
        "--parameters ParameterName=rds.global_db_rpo,ApplyMethod=immediate" % (m["region"], m["db_cluster_parameter_group"])
        for m in with_rpo
    )
    return (
        "Aurora PostgreSQL cannot take a major version upgrade while the recovery point objective (RPO) feature is on: "
        "rds.global_db_rpo is set on %s. Turn RPO off first by resetting rds.global_db_rpo in the DB cluster parameter group (%s), "
        "then run the upgrade again." % (_describe(with_rpo), resets),
        with_rpo,
    )


def _check_downgrade(context):
    engine = context.facts["engine"]
    above = [m for m in context.facts["members"] if compare_versions(engine, m["engine_version"], context.target) > 0]
    if not above:
        return None
    return (
        "%s is lower than the version already running on %s: Aurora cannot downgrade a cluster. "
        "Choose a target at or above every member's version, or restore a snapshot taken before the upgrade." % (context.target, _describe(above)),
        above,
    )


def _listed_targets(context):
    """Pairs of (pending member, its region's entry for the target or None)."""
    return [(m, find_upgrade_target(context.targets_by_member.get(m["db_cluster_identifier"], []), context.target)) for m in context.pending]


def _check_valid_target(context):
    unlisted = [m for m, listed in _listed_targets(context) if listed is None]
    if not unlisted:
        return None
    offered = "; ".join(
        "%s in %s offers: %s" % (
            m["db_cluster_identifier"], m["region"],
            ", ".join(t["engine_version"] for t in context.targets_by_member.get(m["db_cluster_identifier"], [])) or "nothing",
        )
        for m in unlisted
    )
    return (
        "%s is not a valid upgrade target of the version running on %s (DescribeDBEngineVersions ValidUpgradeTarget, "
        "checked in each member's region). Pick a listed target (%s), or wait until every region offers it." % (context.target, _describe(unlisted), offered),
        unlisted,
    )


def _check_target_supports_global(context):
    not_global = [m for m, listed in _listed_targets(context) if listed is not None and not listed["supports_global_databases"]]
    if not not_global:
        return None
    return (
        "%s does not support Aurora global databases (SupportsGlobalDatabases is false for it on %s). "
        "Choose a target version that supports global databases." % (context.target, _describe(not_global)),
        not_global,
    )


def _check_global_cluster_available(context):
    status = context.facts["status"]
    if is_ready(GLOBAL_CLUSTER, status):
        return None
    return (
        "Global cluster %s is '%s', not '%s': wait until it is available, then run the upgrade again." % (
            context.facts["global_cluster_identifier"], status, AVAILABLE),
        [],
    )


def _check_failover(context):
    failover = context.facts["failover_state"]
    if not failover or not is_failover_in_progress(failover.get("status")):
        return None
    return (
        "A switchover or failover of global cluster %s is in progress (FailoverState %s, from %s to %s): "
        "wait until it has finished, check which cluster is now the primary, then run the upgrade again." % (
            context.facts["global_cluster_identifier"], failover.get("status"), failover.get("from_db_cluster_arn"), failover.get("to_db_cluster_arn")),
        [],
    )


def _state_of(member):
    if is_ready(DB_CLUSTER, member["status"]) and member["pending_engine_version"]:
        return "'%s' with an engine version change to %s accepted and not started yet" % (member["status"], member["pending_engine_version"])
    return "'%s'" % member["status"]


def _check_members_available(context):
    busy = [m for m in context.facts["members"] if not is_ready(DB_CLUSTER, m["status"]) or m["pending_engine_version"]]
    if not busy:
        return None
    return (
        "Every member must be '%s', with no engine version change pending, before an upgrade starts; not ready: %s. "
        "Wait until they are (an upgrade already running or accepted finishes on its own), then run again." % (AVAILABLE, ", ".join(
            "%s (%s) is %s" % (m["db_cluster_identifier"], m["region"], _state_of(m)) for m in busy)),
        busy,
    )


def _check_headless(context):
    headless = [m for m in context.pending if m["headless"]]
    if not headless:
        return None
    return (
        "%s has no DB instance (headless): AWS cannot change its engine version. "
        "Add a DB instance to it (or remove it from the global cluster), then run the upgrade again." % _describe(headless),
        headless,
    )


def _check_synchronized(context):
    # AWS leaves SynchronizationStatus out where it has nothing to report; only a reported state other than connected blocks.
    resyncing = [m for m in context.facts["members"] if not is_synchronized(m["synchronization_status"])]
    if not resyncing:
        return None
    return (
        "Every member must be replicating normally (SynchronizationStatus '%s') before an upgrade starts; not synchronized: %s. "
        "A secondary resynchronises after a failover or switchover: wait until DescribeGlobalClusters reports it '%s', then run again." % (
            SYNCHRONIZED, ", ".join("%s (%s) is '%s'" % (m["db_cluster_identifier"], m["region"], m["synchronization_status"]) for m in resyncing),
            SYNCHRONIZED),
        resyncing,
    )


def _check_blue_green_prerequisites(context):
    """Each Blue/Green prerequisite the global database fails, each its own blocker (_blue_green_checks.py says what to fix)."""
    if context.blue_green_readings is None:
        return None
    members = {m["db_cluster_identifier"]: m for m in context.facts["members"]}
    return [(blocker["message"], [members[identifier] for identifier in blocker["clusters"]])
            for blocker in blue_green_blockers(context.facts, *context.blue_green_readings)]


# The registry of restrictions: every blocker code with its check, in the order they are checked and reported. A check
# returns None, (message, members), or a list of them when each finding is a blocker of its own.
_CHECKS = (
    ("method_not_supported", _check_method_supported),
    ("mysql_v2_to_v3_in_place", _check_mysql_v2_to_v3),
    ("in_place_minor_refused", _check_in_place_minor_refused),
    ("rpo_enabled", _check_rpo),
    ("downgrade", _check_downgrade),
    ("invalid_target", _check_valid_target),
    ("target_not_global", _check_target_supports_global),
    ("global_cluster_not_available", _check_global_cluster_available),
    ("failover_in_progress", _check_failover),
    ("member_not_available", _check_members_available),
    ("headless_member", _check_headless),
    ("member_not_synchronized", _check_synchronized),
    ("blue_green_prerequisite", _check_blue_green_prerequisites),
)

# Every blocker code, in registry order: the facts module's docs, the role's list of asserts and the tests read this.
BLOCKER_CODES = tuple(code for code, _check in _CHECKS)

# What every method is checked against: the target and the state of the global database.
_TARGET_CODES = ("downgrade", "invalid_target", "target_not_global")
_STATE_CODES = ("global_cluster_not_available", "failover_in_progress", "member_not_available")
# The codes each method is checked against (reported in registry order). The managed-minor prerequisites are theirs to
# add here.
_METHOD_CODES = {
    IN_PLACE: ("mysql_v2_to_v3_in_place", "in_place_minor_refused", "rpo_enabled") + _TARGET_CODES + _STATE_CODES + (
        "headless_member", "member_not_synchronized"),
    # The old global database receives no change: only what the restore reads from it matters.
    SNAPSHOT_RESTORE: ("method_not_supported",) + _TARGET_CODES + _STATE_CODES,
    # The primary is upgraded in place (it needs an instance); the secondaries are removed and created again.
    REBUILD_SECONDARIES: ("method_not_supported",) + _TARGET_CODES + _STATE_CODES + ("headless_member", "member_not_synchronized"),
    MANAGED_MINOR: ("method_not_supported",) + _TARGET_CODES + _STATE_CODES + ("headless_member", "member_not_synchronized"),
    BLUE_GREEN: ("method_not_supported",) + _TARGET_CODES + _STATE_CODES + ("blue_green_prerequisite",),
}


def checked_codes(method):
    """The codes ``method`` is checked against, in registry order."""
    return [code for code in BLOCKER_CODES if code in _METHOD_CODES[method]]


def members_in_flight(facts):
    """The members with a change running or accepted by AWS that finishes on its own."""
    return [m for m in facts["members"]
            if is_in_flight(DB_CLUSTER, m["status"]) or (is_ready(DB_CLUSTER, m["status"]) and m["pending_engine_version"])]


def _finishes_on_its_own(facts, code, clusters):
    """True when the blocker only says that an earlier upgrade (or modification) is still running, which a re-run waits for."""
    if code == "member_not_available":
        return set(clusters) <= {m["db_cluster_identifier"] for m in members_in_flight(facts)}
    return code == "global_cluster_not_available" and is_in_flight(GLOBAL_CLUSTER, facts["status"])


def find_blockers(context):
    """Every documented restriction the upgrade described by ``context`` would break with its method, in registry order.

    Each blocker is ``{code, message, clusters, in_flight}``; ``in_flight`` says whether it only waits for
    a change already running to finish.
    """
    blockers = []
    for code, check in _CHECKS:
        found = check(context) if code in _METHOD_CODES[context.method] else None
        for message, members in found if isinstance(found, list) else [found] if found else []:
            clusters = [member["db_cluster_identifier"] for member in members]
            blockers.append({"code": code, "message": message, "clusters": clusters, "in_flight": _finishes_on_its_own(context.facts, code, clusters)})
    return blockers


def request_refusals(facts, plan, allow_major_version_upgrade, db_cluster_identifier=None):
    """Why aurora_global_upgrade must not act on this request: the plan's blockers, then the request's own faults.

    Returns a list of messages; empty when the upgrade may go ahead.
    """
    refusals = [blocker["message"] for blocker in plan["blockers"]]
    if plan["kind"] == MAJOR and not allow_major_version_upgrade:
        refusals.append(
            "%s is a major version upgrade of global cluster %s (%s -> %s): set allow_major_version_upgrade to true to confirm it "
            "(AWS requires AllowMajorVersionUpgrade for a new major version)." % (
                plan["target_engine_version"], facts["global_cluster_identifier"], facts["engine_version"], plan["target_engine_version"])
        )
    if db_cluster_identifier is None:
        return refusals
    if plan["kind"] == MAJOR:
        refusals.append(
            "A major version upgrade is done on the whole global cluster through ModifyGlobalCluster, never on one member: "
            "remove db_cluster_identifier (%s) to upgrade global cluster %s." % (db_cluster_identifier, facts["global_cluster_identifier"])
        )
        return refusals
    member = next((m for m in facts["members"] if same_identifier(m["db_cluster_identifier"], db_cluster_identifier)), None)
    if member is None:
        refusals.append("%s is not a member of global cluster %s; its members are %s." % (
            db_cluster_identifier, facts["global_cluster_identifier"], ", ".join(facts["upgrade_order"])))
    elif member["is_writer"]:
        lagging = [m for m in facts["members"] if not m["is_writer"] and m["db_cluster_identifier"] in plan["pending"]]
        if lagging:
            refusals.append(
                "%s is the primary: AWS upgrades the primary last, after every secondary. Still below %s: %s. "
                "Upgrade those first." % (db_cluster_identifier, plan["target_engine_version"], _describe(lagging))
            )
    return refusals
