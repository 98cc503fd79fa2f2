# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Gather the aurora_global facts: the global cluster and every member, each read in its own region, all regions at once.

Entry point of aurora_global_facts (its public API: GlobalDatabaseReader). Internals behind it: _members (member facts,
upgrade order), _plan (the upgrade plan), _fanout (reads at once), _versions; the blocker registry is restrictions.
"""

from functools import partial

from ansible_collections.aurora.global_db.plugins.module_utils._fanout import fan_out
from ansible_collections.aurora.global_db.plugins.module_utils.blue_green_preflight import member_reading
from ansible_collections.aurora.global_db.plugins.module_utils.blue_green_preflight import parameters_read_with
from ansible_collections.aurora.global_db.plugins.module_utils.blue_green_preflight import prerequisite_readings
from ansible_collections.aurora.global_db.plugins.module_utils._members import member_facts
from ansible_collections.aurora.global_db.plugins.module_utils._members import primary_of
from ansible_collections.aurora.global_db.plugins.module_utils._members import region_from_arn
from ansible_collections.aurora.global_db.plugins.module_utils._members import upgrade_order
from ansible_collections.aurora.global_db.plugins.module_utils._plan import build_upgrade_plan
from ansible_collections.aurora.global_db.plugins.module_utils._plan import pending_members
from ansible_collections.aurora.global_db.plugins.module_utils.rds import cluster_identifier_from_arn
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_db_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_engine_version
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_global_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.rds import RPO_PARAMETER
from ansible_collections.aurora.global_db.plugins.module_utils.rds import rpo_from
from ansible_collections.aurora.global_db.plugins.module_utils.rds import user_cluster_parameters
from ansible_collections.aurora.global_db.plugins.module_utils._versions import InvalidEngineVersion
from ansible_collections.aurora.global_db.plugins.module_utils._versions import community_versions
from ansible_collections.aurora.global_db.plugins.module_utils._versions import upgrade_targets
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import IN_PLACE


def _failover_state_facts(failover_state):
    """The snake_case FailoverState, or None when no switchover or failover is recorded."""
    if not failover_state:
        return None
    return {
        "status": failover_state.get("Status"),
        "from_db_cluster_arn": failover_state.get("FromDbClusterArn"),
        "to_db_cluster_arn": failover_state.get("ToDbClusterArn"),
    }


def _common_targets(target_lists):
    """The targets offered in every list (every member's region), in the order of the first list."""
    if not target_lists:
        return []
    offered_everywhere = set.intersection(*({t["engine_version"] for t in targets} for targets in target_lists))
    return [t for t in target_lists[0] if t["engine_version"] in offered_everywhere]


def _call(read):
    return read()


class GlobalDatabaseReader:
    """Reads one global database; answers of DescribeDBEngineVersions are kept per region and version.

    ``known_clusters`` maps DB cluster ARNs to DescribeDBClusters entries already read (the fleet inventory
    lists each region once); a member missing from it is read on its own.
    """

    def __init__(self, clients, known_clusters=None):
        self._clients = clients
        self._known_clusters = {} if known_clusters is None else known_clusters
        self._targets = {}
        self._community_versions = {}
        # DB cluster ARN -> what the Blue/Green prerequisites need of that member, kept from its reads.
        self._member_readings = {}

    def valid_targets(self, region, engine, engine_version):
        """The valid upgrade targets of a version in a region, read once per reader."""
        key = (region, engine, engine_version)
        if key not in self._targets:
            answer = describe_engine_version(self._clients, region, engine, engine_version)
            self._targets[key] = upgrade_targets(answer)
            # The community MySQL version of every version described, for rule R10 (one dict.update: safe across the fan-out's threads).
            self._community_versions.update(community_versions(answer))
        return self._targets[key]

    def _member(self, engine, global_member):
        arn = global_member["DBClusterArn"]
        region = region_from_arn(arn)
        cluster = self._known_clusters.get(arn) or describe_db_cluster(self._clients, region, cluster_identifier_from_arn(arn))
        # One read of the member's cluster parameter group serves the RPO and the Blue/Green prerequisites.
        parameters = user_cluster_parameters(self._clients, region, cluster.get("DBClusterParameterGroup"), (RPO_PARAMETER,) + parameters_read_with(engine))
        self._member_readings[arn] = member_reading(engine, cluster, parameters)
        return member_facts(global_member, cluster, rpo_from(parameters))

    def facts(self, global_cluster_identifier):
        """The aurora_global dict documented in the facts module, without upgrade_plan."""
        return self.facts_of(describe_global_cluster(self._clients, global_cluster_identifier))

    def facts_of(self, global_cluster):
        """The aurora_global dict of a global cluster already described (a DescribeGlobalClusters entry)."""
        global_members = global_cluster.get("GlobalClusterMembers", [])
        engine, engine_version = global_cluster["Engine"], global_cluster["EngineVersion"]
        regions = sorted({region_from_arn(m["DBClusterArn"]) for m in global_members})
        # The clients first, in this thread: a region whose client cannot be created fails the module once, not once per thread.
        for region in regions:
            self._clients.rds(region)
        # Each read is a round trip to its region: every member's and every region's reads go at once.
        reads = fan_out(_call, [partial(self._member, engine, m) for m in global_members]
                        + [partial(self.valid_targets, r, engine, engine_version) for r in regions])
        members, target_lists = upgrade_order(reads[:len(global_members)]), reads[len(global_members):]
        primary = primary_of(members)
        return {
            "global_cluster_identifier": global_cluster["GlobalClusterIdentifier"],
            "global_cluster_arn": global_cluster.get("GlobalClusterArn"),
            "engine": engine,
            "engine_version": engine_version,
            "status": global_cluster.get("Status"),
            "deletion_protection": bool(global_cluster.get("DeletionProtection", False)),
            "failover_state": _failover_state_facts(global_cluster.get("FailoverState")),
            "members": members,
            "primary": primary["db_cluster_identifier"] if primary else None,
            "upgrade_order": [m["db_cluster_identifier"] for m in members],
            "rpo_enabled": any(m["rpo_seconds"] is not None for m in members),
            "valid_upgrade_targets": _common_targets(target_lists),
        }

    def plan(self, facts, target, option="target_engine_version", method=IN_PLACE, target_groups=None):
        """The upgrade plan of ``method`` to ``target``, checking each pending member's targets in that member's region.

        ``option`` names the module option the target came from, for the message when it is not a version of the engine.
        ``target_groups`` ({CLUSTER_PARAMETER_GROUP or DB_PARAMETER_GROUP: {region: name}}) are the target parameter groups
        the Blue/Green prerequisites check (None: none named).
        """
        try:
            pending = pending_members(facts, target)
            # Members at another version than the global cluster's (an upgrade under way) need reads of their own, all at once.
            keys = sorted({(m["region"], m["engine_version"]) for m in pending})
            targets = dict(zip(keys, fan_out(lambda key: self.valid_targets(key[0], facts["engine"], key[1]), keys)))
            targets_by_member = {m["db_cluster_identifier"]: targets[(m["region"], m["engine_version"])] for m in pending}
            readings = prerequisite_readings(self._clients, facts, self._member_readings, target_groups)
            return build_upgrade_plan(facts, target, targets_by_member, method, dict(self._community_versions), readings)
        except InvalidEngineVersion as error:
            raise InvalidEngineVersion("%s: %s" % (option, error.message)) from error
