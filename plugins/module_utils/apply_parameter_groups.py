# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Apply custom parameter groups to every member and DB instance of a global database, then reboot where asked.

Every named group is checked first (it exists in its region and has the family of the engine version); one wrong
group refuses the whole run before any change. Then ModifyDBCluster per member and ModifyDBInstance per instance,
each in its own region, awaited; then, only when asked, RebootDBInstance one instance at a time, readers before
the writer, each awaited before the next.

Entry point of aurora_global_parameter_groups (its public API: GlobalDatabaseParameterGroups, GroupsRequest). Internals
behind it: _parameter_groups (pure logic); shared layers: facts, rds, statuses, waiting.
"""

from collections import namedtuple

from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.facts import GlobalDatabaseReader
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import CLUSTER_GROUPS_OPTION
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import INSTANCE_GROUPS_OPTION
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import apply_failure
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import group_refusal
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import groups_diff
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import instance_states
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import is_settling
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import member_changes
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import member_report
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import needs_reboot
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import predicted_reboots
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import predicted_state
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import reboot_order
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import shows_no_change
from ansible_collections.aurora.global_db.plugins.module_utils._parameter_groups import unknown_regions
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import CLUSTER_PARAMETER_GROUP
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_PARAMETER_GROUP
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_cluster_instances
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_db_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_engine_version
from ansible_collections.aurora.global_db.plugins.module_utils.rds import modify_db_cluster_parameter_group
from ansible_collections.aurora.global_db.plugins.module_utils.rds import modify_db_instance_parameter_group
from ansible_collections.aurora.global_db.plugins.module_utils.rds import parameter_group_family
from ansible_collections.aurora.global_db.plugins.module_utils.rds import reboot_db_instance
from ansible_collections.aurora.global_db.plugins.module_utils.rds import recent_events
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_ready
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import TimedRun
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import Resource
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import State
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import is_settled
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import stopped_by
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import wait_until_settled

GroupsRequest = namedtuple("GroupsRequest", [
    "global_cluster_identifier", "engine_version", "db_cluster_parameter_groups", "db_parameter_groups", "reboot", "wait_timeout", "poll_interval",
    "status_settle_seconds",
], defaults=(60,))
GroupsRequest.__doc__ = """The options of aurora_global_parameter_groups (names as in the module)."""


def _resource(member):
    return Resource(DB_CLUSTER, member["db_cluster_identifier"], member["region"])


def _taken_in(state):
    """A member has taken its groups in: settled, and none of its instances busy (see _member_state)."""
    return is_settled(state) and not state.busy_parts


def _changed_instances(member_state, change):
    """The instances whose groups a change touches: all of the member's for a new cluster group, else those named."""
    if change["db_cluster_parameter_group"]:
        return {i["db_instance_identifier"] for i in member_state["instances"]}
    return set(change["instances"])


# How far back the events of a member whose group failed are read.
_EVENT_MINUTES = 60


class ParameterGroupsRefused(AuroraGlobalError):
    """A named group cannot be used, or the members cannot take it now; nothing was changed."""

    def __init__(self, refusals):
        super().__init__(message=" ".join(refusals))


class GlobalDatabaseParameterGroups(TimedRun):
    """One run of aurora_global_parameter_groups.

    A failure is raised as an AuroraGlobalError whose progress says what the run had changed (``modified``) and
    rebooted (``rebooted``) before it stopped.
    """

    def __init__(self, clients, request, check_mode, clock, sleep):
        super().__init__(clients, request, check_mode, clock, sleep)
        self.modified = []
        self.rebooted = []

    def progress(self):
        return {"changed": bool(self.modified or self.rebooted), "modified": self.modified, "rebooted": self.rebooted}

    def _run(self):
        facts = GlobalDatabaseReader(self._clients).facts(self._request.global_cluster_identifier)
        engine_version = self._request.engine_version or facts["engine_version"]
        members = [m for m in facts["members"] if self._wanted(m) != (None, None)]
        family = self._check_groups(facts, engine_version)
        before = {m["db_cluster_identifier"]: self._read_member(m) for m in members}
        changes = {m["db_cluster_identifier"]: member_changes(before[m["db_cluster_identifier"]], *self._wanted(m))
                   for m in members}
        if self._check_mode:
            after = {m["db_cluster_identifier"]: predicted_state(before[m["db_cluster_identifier"]], *self._wanted(m)) for m in members}
            to_reboot = {m["db_cluster_identifier"]: predicted_reboots(before[m["db_cluster_identifier"]]["instances"], changes[m["db_cluster_identifier"]])
                         for m in members}
            order = reboot_order([(after[m["db_cluster_identifier"]]["instances"], to_reboot[m["db_cluster_identifier"]]) for m in members])
            rebooted, pending_reboot = (order, []) if self._request.reboot else ([], order)
        else:
            self._refuse(self._apply_refusals(members, before, engine_version))
            after = self._apply(members, changes)
            rebooted, pending_reboot = self._reboot_if_asked(members, after)
            after = {m["db_cluster_identifier"]: self._read_member(m) for m in members}
        reports = [member_report(m, before[m["db_cluster_identifier"]], after[m["db_cluster_identifier"]], rebooted, pending_reboot) for m in members]
        anything_to_change = any(c["db_cluster_parameter_group"] or c["instances"] for c in changes.values())
        return {
            "changed": anything_to_change or bool(rebooted),
            "engine_version": engine_version,
            "parameter_group_family": family,
            "members": reports,
            "rebooted": rebooted,
            "pending_reboot": pending_reboot,
            "diff": groups_diff(reports),
        }

    def _wanted(self, member):
        """(cluster group, instance group) named for the member's region, None where the option names none."""
        return (self._request.db_cluster_parameter_groups.get(member["region"]), self._request.db_parameter_groups.get(member["region"]))

    @staticmethod
    def _refuse(refusals):
        if refusals:
            raise ParameterGroupsRefused(refusals)

    def _check_groups(self, facts, engine_version):
        """The parameter group family of engine_version; refuses unknown regions and every missing or wrong-family group."""
        requested = {CLUSTER_GROUPS_OPTION: self._request.db_cluster_parameter_groups, INSTANCE_GROUPS_OPTION: self._request.db_parameter_groups}
        refusals = unknown_regions(requested, [m["region"] for m in facts["members"]])
        self._refuse(refusals)
        families = {}
        for region in sorted(set(self._request.db_cluster_parameter_groups) | set(self._request.db_parameter_groups)):
            families[region] = self._family(region, facts["engine"], engine_version)
            if families[region] is None:
                refusals.append("%s %s is not offered in %s, so no parameter group can be checked against its family there." % (
                    facts["engine"], engine_version, region))
        for kind, groups in ((CLUSTER_PARAMETER_GROUP, self._request.db_cluster_parameter_groups), (DB_PARAMETER_GROUP, self._request.db_parameter_groups)):
            for region, name in sorted(groups.items()):
                if families[region] is not None:
                    refusal = group_refusal(kind, name, region, parameter_group_family(self._clients, region, kind, name), families[region], engine_version)
                    refusals.extend([refusal] if refusal else [])
        self._refuse(refusals)
        return next(iter(families.values()), None)

    def _family(self, region, engine, engine_version):
        versions = describe_engine_version(self._clients, region, engine, engine_version)
        return versions[0].get("DBParameterGroupFamily") if versions else None

    def _read_member(self, member):
        region, identifier = member["region"], member["db_cluster_identifier"]
        cluster = describe_db_cluster(self._clients, region, identifier)
        instances = describe_cluster_instances(self._clients, region, identifier)
        return {"status": cluster.get("Status"), "db_cluster_parameter_group": cluster.get("DBClusterParameterGroup"),
                "instances": instance_states(cluster, instances)}

    def _apply_refusals(self, members, before, engine_version):
        refusals = []
        for member in members:
            identifier = member["db_cluster_identifier"]
            if member["engine_version"] != engine_version:
                refusals.append("%s (%s) runs %s, not %s: its groups of the new family can only be applied once it runs %s." % (
                    identifier, member["region"], member["engine_version"], engine_version, engine_version))
            elif not is_ready(DB_CLUSTER, before[identifier]["status"]):
                refusals.append("%s (%s) is '%s', not available: run again once it is." % (identifier, member["region"], before[identifier]["status"]))
        return refusals

    def _apply(self, members, changes):
        """Make the changes (each member's cluster group, then its instances' groups) and wait until they are taken in."""
        for member in members:
            region, identifier = member["region"], member["db_cluster_identifier"]
            change = changes[identifier]
            if change["db_cluster_parameter_group"]:
                self._call(modify_db_cluster_parameter_group, region, identifier, change["db_cluster_parameter_group"])
                self.modified.append(identifier)
            instance_group = self._wanted(member)[1]
            for instance in change["instances"]:
                self._call(modify_db_instance_parameter_group, region, instance, instance_group)
                self.modified.append(instance)
        by_identifier = {m["db_cluster_identifier"]: m for m in members}
        changed = {m["db_cluster_identifier"]: _changed_instances(self._read_member(m), changes[m["db_cluster_identifier"]]) for m in members}
        settled_by = self._clock() + self._request.status_settle_seconds
        wait_until_settled([_resource(m) for m in members],
                           lambda resource: self._member_state(by_identifier[resource.identifier], (), changed[resource.identifier], settled_by),
                           self._deadline, self._request.poll_interval, self._sleep, "the parameter groups to be applied", settled=_taken_in)
        return {m["db_cluster_identifier"]: self._read_member(m) for m in members}

    def _member_state(self, member, rebooting, changed=(), settled_by=None):
        """The member as a State: the cluster's status, and as busy parts each instance not available, still applying a
        group, in ``rebooting`` and still waiting for its reboot, or ``changed`` and still reading in-sync before
        ``settled_by`` (AWS's status lags behind a modify). A group AWS failed to apply, or an
        instance in incompatible-parameters, fails the run at once with the member's events."""
        read = self._read_member(member)
        busy = []
        failures = [failure for failure in (apply_failure(instance) for instance in read["instances"]) if failure]
        if failures:
            self._fail_with_events(member, read, failures)
        lagging = settled_by is not None and self._clock() < settled_by
        for instance in read["instances"]:
            identifier = instance["db_instance_identifier"]
            if (is_settling(instance) or (identifier in rebooting and needs_reboot(instance))
                    or (lagging and identifier in changed and shows_no_change(instance))):
                busy.append("DB instance %s is '%s' with parameter groups %s (instance) and %s (cluster)" % (
                    identifier, instance["status"], instance["parameter_apply_status"], instance["cluster_parameter_group_status"]))
        return State(_resource(member), member["engine_version"], read["status"], busy_parts=tuple(busy))

    def _fail_with_events(self, member, read, failures):
        region, identifier = member["region"], member["db_cluster_identifier"]
        events = recent_events(self._clients, region, identifier, _EVENT_MINUTES) + [
            event for instance in read["instances"]
            for event in recent_events(self._clients, region, instance["db_instance_identifier"], _EVENT_MINUTES, source_type="db-instance")]
        said = "; ".join("%s %s: %s" % (e.get("SourceIdentifier"), e.get("Date"), e.get("Message")) for e in events) or "no events"
        raise AuroraGlobalError(message=(
            "The parameter groups of %s (%s) will not take effect: %s. AWS's events: %s. Fix the group (or put the instance back "
            "on a group it can use), then run again (changed by this run: %s)." % (
                identifier, region, "; ".join(failures), said, ", ".join(self.modified) or "nothing")))

    def _call(self, change, *args):
        """Make one mutating call; an AWS refusal is reported with what this run changed so far."""
        try:
            change(self._clients, *args)
        except AuroraGlobalError as error:
            so_far = "changed by this run: %s; rebooted: %s" % (", ".join(self.modified) or "nothing", ", ".join(self.rebooted) or "nothing")
            raise stopped_by(error, so_far, "Fix the cause AWS gives below, then run again: what already has its group is skipped.") from error

    def _reboot_if_asked(self, members, reads):
        """(rebooted, still pending reboot): instances waiting for a reboot, rebooted one at a time when asked, readers first."""
        pending = []
        for member in members:
            instances = reads[member["db_cluster_identifier"]]["instances"]
            pending.append((instances, [i["db_instance_identifier"] for i in instances if needs_reboot(i)]))
        order = reboot_order(pending)
        if not self._request.reboot:
            return [], order
        member_of = {i["db_instance_identifier"]: m for m in members for i in reads[m["db_cluster_identifier"]]["instances"]}
        for identifier in order:
            member = member_of[identifier]
            self._call(reboot_db_instance, member["region"], identifier)
            self.rebooted.append(identifier)
            wait_until_settled([_resource(member)], lambda resource: self._member_state(member, {identifier}),
                               self._deadline, self._request.poll_interval, self._sleep, "DB instance %s to come back from its reboot" % identifier,
                               settled=_taken_in)
        return list(order), []
