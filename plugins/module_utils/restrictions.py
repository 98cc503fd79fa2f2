# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The documented restrictions on upgrading an Aurora global database, written once.

Each check reads an UpgradeContext; _CHECKS pairs it with its blocker code and BLOCKER_CODES lists the
codes. The facts module reports the blockers, the upgrade module refuses to act on them and the role
asserts on the facts, one assert per code of BLOCKER_CODES.
"""

from collections import namedtuple

from ansible_collections.aurora.global_db.plugins.module_utils.members import same_identifier
from ansible_collections.aurora.global_db.plugins.module_utils.versions import AURORA_POSTGRESQL
from ansible_collections.aurora.global_db.plugins.module_utils.versions import MAJOR
from ansible_collections.aurora.global_db.plugins.module_utils.versions import aurora_mysql_generation
from ansible_collections.aurora.global_db.plugins.module_utils.versions import compare_versions
from ansible_collections.aurora.global_db.plugins.module_utils.versions import find_upgrade_target
from ansible_collections.aurora.global_db.plugins.module_utils.versions import parse_engine_version

AVAILABLE = "available"
SYNCHRONIZED = "connected"
FAILOVER_IN_PROGRESS_STATES = ("pending", "switching-over", "failing-over", "cancelling")
# Statuses of an upgrade (or another modification) that finishes on its own; a re-run waits for them instead of refusing.
IN_FLIGHT_STATES = ("upgrading", "modifying")

UpgradeContext = namedtuple("UpgradeContext", ["facts", "target", "kind", "pending", "targets_by_member"])
UpgradeContext.__doc__ = """What the checks read.

facts: the aurora_global facts (members in upgrade order).
target: the target engine version text.
kind: major or minor.
pending: the member dicts still below the target.
targets_by_member: db_cluster_identifier -> valid upgrade targets of that member's version in its region.
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
    if status == AVAILABLE:
        return None
    return (
        "Global cluster %s is '%s', not 'available': wait until it is available, then run the upgrade again." % (
            context.facts["global_cluster_identifier"], status),
        [],
    )


def _check_failover(context):
    failover = context.facts["failover_state"]
    if not failover or failover.get("status") not in FAILOVER_IN_PROGRESS_STATES:
        return None
    return (
        "A switchover or failover of global cluster %s is in progress (FailoverState %s, from %s to %s): "
        "wait until it has finished, check which cluster is now the primary, then run the upgrade again." % (
            context.facts["global_cluster_identifier"], failover.get("status"), failover.get("from_db_cluster_arn"), failover.get("to_db_cluster_arn")),
        [],
    )


def _state_of(member):
    if member["status"] == AVAILABLE and member["pending_engine_version"]:
        return "'available' with an engine version change to %s accepted and not started yet" % member["pending_engine_version"]
    return "'%s'" % member["status"]


def _check_members_available(context):
    busy = [m for m in context.facts["members"] if m["status"] != AVAILABLE or m["pending_engine_version"]]
    if not busy:
        return None
    return (
        "Every member must be 'available', with no engine version change pending, before an upgrade starts; not ready: %s. "
        "Wait until they are (an upgrade already running or accepted finishes on its own), then run again." % ", ".join(
            "%s (%s) is %s" % (m["db_cluster_identifier"], m["region"], _state_of(m)) for m in busy),
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
    resyncing = [m for m in context.facts["members"] if m["synchronization_status"] not in (None, SYNCHRONIZED)]
    if not resyncing:
        return None
    return (
        "Every member must be replicating normally (SynchronizationStatus '%s') before an upgrade starts; not synchronized: %s. "
        "A secondary resynchronises after a failover or switchover: wait until DescribeGlobalClusters reports it '%s', then run again." % (
            SYNCHRONIZED, ", ".join("%s (%s) is '%s'" % (m["db_cluster_identifier"], m["region"], m["synchronization_status"]) for m in resyncing),
            SYNCHRONIZED),
        resyncing,
    )


# The registry of restrictions: every blocker code with its check, in the order they are checked and reported.
_CHECKS = (
    ("mysql_v2_to_v3_in_place", _check_mysql_v2_to_v3),
    ("rpo_enabled", _check_rpo),
    ("downgrade", _check_downgrade),
    ("invalid_target", _check_valid_target),
    ("target_not_global", _check_target_supports_global),
    ("global_cluster_not_available", _check_global_cluster_available),
    ("failover_in_progress", _check_failover),
    ("member_not_available", _check_members_available),
    ("headless_member", _check_headless),
    ("member_not_synchronized", _check_synchronized),
)

# Every blocker code, in registry order: the facts module's docs, the role's list of asserts and the tests read this.
BLOCKER_CODES = tuple(code for code, _check in _CHECKS)


def members_in_flight(facts):
    """The members with a change running or accepted by AWS that finishes on its own."""
    return [m for m in facts["members"] if m["status"] in IN_FLIGHT_STATES or (m["status"] == AVAILABLE and m["pending_engine_version"])]


def _finishes_on_its_own(facts, code, clusters):
    """True when the blocker only says that an earlier upgrade (or modification) is still running, which a re-run waits for."""
    if code == "member_not_available":
        return set(clusters) <= {m["db_cluster_identifier"] for m in members_in_flight(facts)}
    return code == "global_cluster_not_available" and facts["status"] in IN_FLIGHT_STATES


def find_blockers(context):
    """Every documented restriction the upgrade described by ``context`` would break, in registry order.

    Each blocker is ``{code, message, clusters, in_flight}``; ``in_flight`` says whether it only waits for
    a change already running to finish.
    """
    blockers = []
    for code, check in _CHECKS:
        found = check(context)
        if found:
            message, members = found
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
