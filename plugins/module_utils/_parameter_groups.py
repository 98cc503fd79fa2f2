# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Custom parameter groups of a global database: which are wrong, what changes, what needs a reboot, in which order.

After a major upgrade AWS puts every member cluster and every DB instance on the new version's default groups
(rule R9). Putting custom groups back means a ModifyDBCluster per member and a ModifyDBInstance per instance; the
new groups take effect at each instance's next reboot, readers before the writer so that the writer restarts last.
Pure functions over snake_case dicts: the AWS calls are in apply_parameter_groups.py.
"""

from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import same_identifier
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_INSTANCE
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import kind_words
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_applying
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_ready
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import waits_for_reboot
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import INCOMPATIBLE_PARAMETERS
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import failed_to_apply
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import shows_no_parameter_change

CLUSTER_GROUPS_OPTION = "db_cluster_parameter_groups"
INSTANCE_GROUPS_OPTION = "db_parameter_groups"


def instance_states(cluster, instances):
    """Each DB instance of a member, writer last, from its DescribeDBClusters entry and its DescribeDBInstances answer."""
    by_identifier = {instance["DBInstanceIdentifier"]: instance for instance in instances}
    states = []
    for cluster_member in cluster.get("DBClusterMembers", []):
        identifier = cluster_member["DBInstanceIdentifier"]
        described = by_identifier.get(identifier, {})
        groups = described.get("DBParameterGroups") or [{}]
        states.append({
            "db_instance_identifier": identifier,
            "is_writer": bool(cluster_member.get("IsClusterWriter")),
            "status": described.get("DBInstanceStatus"),
            "db_parameter_group": groups[0].get("DBParameterGroupName"),
            "parameter_apply_status": groups[0].get("ParameterApplyStatus"),
            "cluster_parameter_group_status": cluster_member.get("DBClusterParameterGroupStatus"),
        })
    return sorted(states, key=lambda state: (state["is_writer"], state["db_instance_identifier"]))


def needs_reboot(instance):
    """A cluster or instance parameter group that waits for a reboot to take effect."""
    return waits_for_reboot(instance["parameter_apply_status"]) or waits_for_reboot(instance["cluster_parameter_group_status"])


def is_settling(instance):
    """The instance is still taking a modification in (not yet available, or a group still being applied or waiting for
    the engine upgrade it belongs to)."""
    return (not is_ready(DB_INSTANCE, instance["status"]) or is_applying(instance["parameter_apply_status"])
            or is_applying(instance["cluster_parameter_group_status"]))


def shows_no_change(instance):
    """Both groups read in-sync: right after a modify that is what AWS may still report (its status lags), so a change
    this run made is not seen taken in until another status shows or the settle period is over."""
    return shows_no_parameter_change(instance["parameter_apply_status"]) and shows_no_parameter_change(instance["cluster_parameter_group_status"])


def apply_failure(instance):
    """Why an instance's parameter groups will not take effect without the operator, or None."""
    identifier = instance["db_instance_identifier"]
    if instance["status"] == INCOMPATIBLE_PARAMETERS:
        return "DB instance %s is '%s': its parameter group has values the instance cannot start with" % (identifier, instance["status"])
    failed = [(kind, status) for kind, status in (("DB parameter group", instance["parameter_apply_status"]),
                                                  ("DB cluster parameter group", instance["cluster_parameter_group_status"])) if failed_to_apply(status)]
    if failed:
        return "the %s of DB instance %s is '%s'" % (" and the ".join(kind for kind, _status in failed), identifier, failed[0][1])
    return None


def unknown_regions(requested, member_regions):
    """Refusals for regions named in an option where the global database has no member (a typo would otherwise go unnoticed)."""
    refusals = []
    for option, groups in requested.items():
        for region in sorted(set(groups) - set(member_regions)):
            refusals.append("%s names region %s, where the global database has no member (members are in %s)." % (
                option, region, ", ".join(sorted(set(member_regions)))))
    return refusals


def group_refusal(kind, name, region, found_family, wanted_family, engine_version):
    """Why a named group cannot be used, or None: it must exist in its region and have the family of engine_version."""
    if found_family is None:
        return "%s %s does not exist in %s: create it there with family %s (the family of %s) first." % (
            kind_words(kind), name, region, wanted_family, engine_version)
    if found_family != wanted_family:
        return "%s %s in %s has family %s, not %s (the family of %s): name a group of family %s." % (
            kind_words(kind), name, region, found_family, wanted_family, engine_version, wanted_family)
    return None


def _differs(wanted, current):
    """A group is named and the resource has another one (AWS stores group names in lower case and matches them so)."""
    return bool(wanted) and not (current and same_identifier(wanted, current))


def member_changes(member_state, cluster_group, instance_group):
    """What applying the groups changes on one member (as read): its cluster group (or None) and the instances whose group changes."""
    return {
        "db_cluster_parameter_group": cluster_group if _differs(cluster_group, member_state["db_cluster_parameter_group"]) else None,
        "instances": [i["db_instance_identifier"] for i in member_state["instances"] if _differs(instance_group, i["db_parameter_group"])],
    }


def predicted_state(before, cluster_group, instance_group):
    """A member as it will read once the groups are applied (check mode: nothing was changed)."""
    return {
        "status": before["status"],
        "db_cluster_parameter_group": cluster_group or before["db_cluster_parameter_group"],
        "instances": [dict(i, db_parameter_group=instance_group or i["db_parameter_group"]) for i in before["instances"]],
    }


def predicted_reboots(instances, changes):
    """The instances that will wait for a reboot once the changes are made (check mode: nothing was changed)."""
    return [
        i["db_instance_identifier"] for i in instances
        if needs_reboot(i) or changes["db_cluster_parameter_group"] or i["db_instance_identifier"] in changes["instances"]
    ]


def reboot_order(members):
    """Instance identifiers to reboot: member by member in the order given, each member's readers before its writer.

    ``members`` is a list of (instances as instance_states returns them, identifiers of those to reboot).
    """
    return [i["db_instance_identifier"] for instances, to_reboot in members for i in instances if i["db_instance_identifier"] in to_reboot]


def member_report(member, before, after, rebooted, pending_reboot):
    """One entry of the module's ``members`` result."""
    after_groups = {i["db_instance_identifier"]: i["db_parameter_group"] for i in after["instances"]}
    return {
        "db_cluster_identifier": member["db_cluster_identifier"],
        "region": member["region"],
        "role": member["role"],
        "db_cluster_parameter_group_before": before["db_cluster_parameter_group"],
        "db_cluster_parameter_group": after["db_cluster_parameter_group"],
        "instances": [
            {
                "db_instance_identifier": i["db_instance_identifier"],
                "is_writer": i["is_writer"],
                "db_parameter_group_before": i["db_parameter_group"],
                "db_parameter_group": after_groups.get(i["db_instance_identifier"], i["db_parameter_group"]),
                "rebooted": i["db_instance_identifier"] in rebooted,
                "pending_reboot": i["db_instance_identifier"] in pending_reboot,
            }
            for i in before["instances"]
        ],
    }


def groups_diff(members):
    """The diff of one run: member -> its cluster group and each instance's group, before and after."""
    def side(suffix):
        return {
            m["db_cluster_identifier"]: {
                "db_cluster_parameter_group": m["db_cluster_parameter_group" + suffix],
                "db_parameter_groups": {i["db_instance_identifier"]: i["db_parameter_group" + suffix] for i in m["instances"]},
            }
            for m in members
        }
    return {"before": side("_before"), "after": side("")}
