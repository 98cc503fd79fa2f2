# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The prerequisites of an RDS Blue/Green deployment of a global database, as pure checks over what was read.

Private to blue_green_preflight.py. Each check returns the blockers it finds, in the shape of the upgrade plan's
blockers ({code, message, clusters, in_flight}), with the code ``blue_green_prerequisite`` and a message that says
what to fix. Sources: the project's AWS facts, "Blue/Green deployments of a global database" (Aurora User Guide,
"Limitations and considerations for Amazon Aurora blue/green deployments", "Using Blue/Green Deployments for Amazon
Aurora Global Database").
"""

from collections import namedtuple

from ansible_collections.aurora.global_db.plugins.module_utils.kinds import kind_words
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_failover_in_progress
from ansible_collections.aurora.global_db.plugins.module_utils._versions import AURORA_MYSQL
from ansible_collections.aurora.global_db.plugins.module_utils._versions import AURORA_POSTGRESQL
from ansible_collections.aurora.global_db.plugins.module_utils._versions import parse_engine_version

BLOCKER_CODE = "blue_green_prerequisite"
BINLOG_FORMAT = "binlog_format"
LOGICAL_REPLICATION = "rds.logical_replication"
# The cluster parameter each engine needs set, read from each member's cluster parameter group.
REQUIRED_PARAMETERS = {AURORA_MYSQL: BINLOG_FORMAT, AURORA_POSTGRESQL: LOGICAL_REPLICATION}
# binlog_format values that leave binary logging off (unset: the default, OFF).
BINLOG_OFF = (None, "", "OFF")
# The lowest Aurora PostgreSQL version of each major line that Blue/Green deployments support.
POSTGRESQL_MINIMUMS = {"11": "11.21", "12": "12.16", "13": "13.12", "14": "14.9", "15": "15.4", "16": "16.1", "17": "17.4"}

BlueGreenReadings = namedtuple("BlueGreenReadings", ["parameters", "secret_managed", "target_groups", "missing_target_groups"])
BlueGreenReadings.__doc__ = """What the checks read (blue_green_preflight.prerequisite_readings), the arguments of
blue_green_blockers after ``facts``: member -> {parameter: value}; the members whose master password Secrets Manager
manages; kind -> {region: name} of the target groups; [(kind, region, name)] of those missing in their region."""


def _blocker(message, clusters=()):
    return {"code": BLOCKER_CODE, "message": "Blue/Green: " + message, "clusters": list(clusters), "in_flight": False}


def _by_member(members):
    return ", ".join("%s (%s)" % (m["db_cluster_identifier"], m["region"]) for m in members)


def check_binary_logging(facts, parameters):
    """Aurora MySQL: binlog_format set (not OFF) in every member's cluster parameter group. ``parameters``: member ->
    {parameter name: value} as set by the user in its cluster parameter group."""
    if facts["engine"] != AURORA_MYSQL:
        return []
    off = [m for m in facts["members"] if parameters.get(m["db_cluster_identifier"], {}).get(BINLOG_FORMAT) in BINLOG_OFF]
    if not off:
        return []
    return [_blocker(
        "binary logging is off for %s: set binlog_format (ROW is recommended) in a custom DB cluster parameter group of "
        "each of them, apply it and reboot the writer, then run again." % _by_member(off), [m["db_cluster_identifier"] for m in off])]


def check_logical_replication(facts, parameters):
    """Aurora PostgreSQL: rds.logical_replication = 1 in every member's cluster parameter group."""
    if facts["engine"] != AURORA_POSTGRESQL:
        return []
    off = [m for m in facts["members"] if str(parameters.get(m["db_cluster_identifier"], {}).get(LOGICAL_REPLICATION)) != "1"]
    if not off:
        return []
    return [_blocker(
        "logical replication is off for %s: set rds.logical_replication to 1 in a custom DB cluster parameter group of each "
        "of them and reboot the writer (it is static), then run again." % _by_member(off), [m["db_cluster_identifier"] for m in off])]


def check_postgresql_version(facts):
    """Aurora PostgreSQL: every member at least AWS's minimum of its major line (11.21, 12.16, ... 17.4)."""
    if facts["engine"] != AURORA_POSTGRESQL:
        return []
    too_old = []
    for member in facts["members"]:
        version = parse_engine_version(AURORA_POSTGRESQL, member["engine_version"])
        minimum = POSTGRESQL_MINIMUMS.get(version.major_line)
        # A major line newer than the table's: Blue/Green came before it, every version of it qualifies.
        newer_line = version.key[0] > max(int(line) for line in POSTGRESQL_MINIMUMS)
        if not newer_line and (minimum is None or version.key < parse_engine_version(AURORA_POSTGRESQL, minimum).key):
            too_old.append((member, minimum))
    if not too_old:
        return []
    return [_blocker(
        "%s below the lowest version Blue/Green deployments support (%s): upgrade in place to that minor version first "
        "(method in_place), then run again." % (
            ", ".join("%s (%s) runs %s" % (m["db_cluster_identifier"], m["region"], m["engine_version"]) for m, _minimum in too_old),
            ", ".join(sorted(set(minimum or "none for its major version" for _member, minimum in too_old)))),
        [m["db_cluster_identifier"] for m, _minimum in too_old])]


def check_managed_master_password(facts, secret_managed):
    """No member's master password managed in AWS Secrets Manager (Blue/Green does not support it)."""
    managed = [m for m in facts["members"] if m["db_cluster_identifier"] in secret_managed]
    if not managed:
        return []
    return [_blocker(
        "the master user password of %s is managed in AWS Secrets Manager (MasterUserSecret), which Blue/Green deployments "
        "do not support: turn it off (ModifyDBCluster ManageMasterUserPassword=false with a new MasterUserPassword) or "
        "use another method." % _by_member(managed), [m["db_cluster_identifier"] for m in managed])]


def check_no_failover(facts):
    failover = facts.get("failover_state")
    if not failover or not is_failover_in_progress(failover.get("status")):
        return []
    return [_blocker(
        "a switchover or failover of global cluster %s is in progress (FailoverState %s): wait until it has finished; a "
        "global switchover or failover after the deployment is created makes it INVALID_CONFIGURATION." % (
            facts["global_cluster_identifier"], failover.get("status")))]


def check_target_groups(facts, target_groups, missing):
    """One name per kind for every region (AWS uses the name given to CreateBlueGreenDeployment everywhere), present in
    every member's region. ``target_groups``: kind -> {region: name}; ``missing``: [(kind, region, name)] not found there."""
    blockers = []
    for kind, by_region in sorted((target_groups or {}).items()):
        names = sorted(set(by_region.values()))
        if len(names) > 1:
            blockers.append(_blocker(
                "the target %ss differ by region (%s): AWS gives the green members of every region the one parameter group "
                "name passed to CreateBlueGreenDeployment; create the group under the same name in every region." % (
                    kind_words(kind), ", ".join("%s: %s" % item for item in sorted(by_region.items())))))
        regions = sorted({m["region"] for m in facts["members"]})
        unnamed = [region for region in regions if region not in by_region] if by_region else []
        if unnamed and len(names) == 1:
            blockers.append(_blocker(
                "no target %s is named for %s: name %s there too (AWS would give those members the default group)." % (
                    kind_words(kind), ", ".join(unnamed), names[0])))
    absent = [item for item in missing if item[0] in (target_groups or {})]
    if absent:
        blockers.append(_blocker(
            "%s: create each of them in that region (same name, the target version's family), then run again; AWS would "
            "give that region's green members the default group." % "; ".join(
                "%s %s does not exist in %s" % (kind_words(kind), name, region) for kind, region, name in absent)))
    return blockers


def blue_green_blockers(facts, parameters, secret_managed=(), target_groups=None, missing_target_groups=()):
    """Every Blue/Green prerequisite the global database described by ``facts`` fails, in a fixed order; empty when
    a deployment can be created. See the checks above for the arguments."""
    return (
        check_no_failover(facts)
        + check_binary_logging(facts, parameters)
        + check_logical_replication(facts, parameters)
        + check_postgresql_version(facts)
        + check_managed_master_password(facts, secret_managed)
        + check_target_groups(facts, target_groups, missing_target_groups)
    )
