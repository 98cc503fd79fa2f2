# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The method rebuild_secondaries (rule R10): the guide's procedure for the Aurora MySQL minor upgrades AWS refuses in
place on a global database. Remove every secondary from the global cluster, upgrade the primary, create a secondary of
the same shape at the primary's exact new version in each of those regions; nothing is ever deleted.

This facade holds what the steps need before they act: every secondary's shape (read in its region, all regions at
once), the names of the removed and of the new clusters and instances, and the requests that create each new
secondary. The shape and the requests are pure (_secondary_shape.py).
"""

import datetime
from collections import namedtuple

from ansible_collections.aurora.global_db.plugins.module_utils._fanout import fan_out
from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import IDENTIFIER_RULE
from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import is_rds_identifier
from ansible_collections.aurora.global_db.plugins.module_utils._members import primary_of
from ansible_collections.aurora.global_db.plugins.module_utils._progress_file import ProgressFile
from ansible_collections.aurora.global_db.plugins.module_utils._rebuild_records import detached_cluster
from ansible_collections.aurora.global_db.plugins.module_utils._rebuild_records import new_member
from ansible_collections.aurora.global_db.plugins.module_utils._rebuild_records import original_shape
from ansible_collections.aurora.global_db.plugins.module_utils._rebuild_records import suffix_refusals
from ansible_collections.aurora.global_db.plugins.module_utils._rebuild_records import what_it_was
from ansible_collections.aurora.global_db.plugins.module_utils._secondary_shape import cluster_request
from ansible_collections.aurora.global_db.plugins.module_utils._secondary_shape import instance_requests
from ansible_collections.aurora.global_db.plugins.module_utils._secondary_shape import secondary_shape
from ansible_collections.aurora.global_db.plugins.module_utils._tags import DETACHED_TAG
from ansible_collections.aurora.global_db.plugins.module_utils._tags import REBUILD_SECONDARY_TAG_PREFIX
from ansible_collections.aurora.global_db.plugins.module_utils._tags import REBUILT_TAG
from ansible_collections.aurora.global_db.plugins.module_utils._tags import has_tag
from ansible_collections.aurora.global_db.plugins.module_utils._tags import rebuild_journal
from ansible_collections.aurora.global_db.plugins.module_utils._tags import rebuild_journal_keys
from ansible_collections.aurora.global_db.plugins.module_utils._tags import rebuild_journal_tags
from ansible_collections.aurora.global_db.plugins.module_utils._tags import rebuilt_mark
from ansible_collections.aurora.global_db.plugins.module_utils._tags import tag_list
from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.facts import GlobalDatabaseReader
from ansible_collections.aurora.global_db.plugins.module_utils.lease import LeaseHeld
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import MemberTimes
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import is_done
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import member_entry
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import member_outcome
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import utc_timestamp
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_INSTANCE
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import kind_words
from ansible_collections.aurora.global_db.plugins.module_utils.rds import add_tags
from ansible_collections.aurora.global_db.plugins.module_utils.rds import cluster_instances
from ansible_collections.aurora.global_db.plugins.module_utils.rds import create_or_adopt
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_db_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_global_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.rds import error_code
from ansible_collections.aurora.global_db.plugins.module_utils.rds import error_message
from ansible_collections.aurora.global_db.plugins.module_utils.rds import find
from ansible_collections.aurora.global_db.plugins.module_utils.rds import instance_class_option
from ansible_collections.aurora.global_db.plugins.module_utils.rds import list_tags
from ansible_collections.aurora.global_db.plugins.module_utils.rds import modify_db_cluster_parameter_group
from ansible_collections.aurora.global_db.plugins.module_utils.rds import modify_db_instance_parameter_group
from ansible_collections.aurora.global_db.plugins.module_utils.rds import remove_from_global_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.rds import remove_tags
from ansible_collections.aurora.global_db.plugins.module_utils.rds import rename
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import REBUILD_SECONDARIES
from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_names import version_label
from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_restore import new_identifier
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_stuck
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_synchronized
from ansible_collections.aurora.global_db.plugins.module_utils.upgrade import GlobalDatabaseUpgrade
from ansible_collections.aurora.global_db.plugins.module_utils.upgrade import UpgradeRequest
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import Resource
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import State
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import TimedRun
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import is_settled
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import wait_until_settled

__all__ = ("NewSecondary", "RebuildRefused", "RebuildRequest", "RebuildSecondaries", "STEPS", "identifier_refusals", "new_secondary",
           "planned_calls", "record_secondary_shapes", "secondary_shape", "version_suffix")

# The mutating steps, in order; the calls of one step go to every region at once, each awaited before the next step.
STEPS = ("remove", "rename", "upgrade_primary", "create_clusters", "create_instances")

NewSecondary = namedtuple("NewSecondary", ["region", "old_identifier", "old_arn", "detached_identifier", "identifier", "detached_instances",
                                           "cluster_request", "instance_requests"])
NewSecondary.__doc__ = """What the method does to one secondary.

old_identifier, old_arn: the secondary's identifier and ARN now (RemoveFromGlobalCluster wants the ARN).
detached_identifier: what the removed cluster is called afterwards (renamed
with the detached suffix when the new secondary takes the original names, else unchanged). identifier: the new secondary's.
detached_instances: old instance identifier -> what the removed cluster's instance is called afterwards.
cluster_request, instance_requests: CreateDBCluster and CreateDBInstance (in creation order), sent in ``region``.
"""


def _read_shape(clients, member):
    region = member["region"]
    cluster = describe_db_cluster(clients, region, member["db_cluster_identifier"])
    return secondary_shape(region, cluster, cluster_instances(clients, region, cluster))


def record_secondary_shapes(clients, facts):
    """The shape of every secondary of the global database ``facts`` describes, in upgrade order; each region read at once."""
    return fan_out(lambda member: _read_shape(clients, member), [member for member in facts["members"] if not member["is_writer"]])


def version_suffix(engine_version):
    """The suffix of the new secondaries' names when they do not take the original ones: the target, as a name allows."""
    return "-" + version_label(engine_version)


def new_secondary(shape, global_cluster_identifier, engine_version, primary_region, keep_identifiers, detached_suffix, tags=()):
    """What the method does to the secondary of ``shape``: its names afterwards, and the requests of its new secondary.

    With ``keep_identifiers`` the removed cluster and its instances are renamed with ``detached_suffix`` and the new
    secondary takes the original names (so its endpoint names come back unchanged); without, the removed ones keep their
    names and the new ones get the target's suffix (version_suffix). ``tags`` are added to everything created.
    """
    old = shape["db_cluster_identifier"]
    if keep_identifiers:
        detached, identifier = new_identifier(old, detached_suffix), old

        def new_name(instance):
            return instance

        def detached_name(instance):
            return new_identifier(instance, detached_suffix)
    else:
        suffix = version_suffix(engine_version)
        detached, identifier = old, new_identifier(old, suffix)

        def new_name(instance):
            return new_identifier(instance, suffix)

        def detached_name(instance):
            return instance
    return NewSecondary(
        region=shape["region"],
        old_identifier=old,
        old_arn=shape["db_cluster_arn"],
        detached_identifier=detached,
        identifier=identifier,
        detached_instances={instance["db_instance_identifier"]: detached_name(instance["db_instance_identifier"]) for instance in shape["instances"]},
        cluster_request=cluster_request(shape, identifier, global_cluster_identifier, engine_version, primary_region, tags),
        instance_requests=instance_requests(shape, identifier, new_name, tags),
    )


def identifier_refusals(new_secondaries):
    """A refusal for each name of the plan that AWS would refuse (a suffix making it too long ...), before any change."""
    names = []
    for secondary in new_secondaries:
        names.extend([("DB cluster", secondary.detached_identifier), ("DB cluster", secondary.identifier)])
        names.extend(("DB instance", name) for name in secondary.detached_instances.values())
        names.extend(("DB instance", request["DBInstanceIdentifier"]) for request in secondary.instance_requests)
    return ["%s identifier %s is not one AWS accepts: %s (shorten the suffix or the name)." % (kind, name, IDENTIFIER_RULE)
            for kind, name in names if not is_rds_identifier(name)]


def _call(step, operation, region, params):
    return {"step": step, "operation": operation, "region": region, "params": params}


def planned_calls(new_secondaries, global_cluster_identifier, primary, engine_version):
    """Every mutating call of the method, in order (what check mode lists), for the secondaries ``new_secondaries`` of
    the global database whose primary is the member dict ``primary``.

    Each call is ``{step, operation, region, params}``; ``step`` is one of STEPS. The secondaries are created at
    ``engine_version``: the run itself creates them at the version the primary reports once upgraded. The global
    database has no secondary from the first call of ``remove`` until every new secondary is connected.
    """
    calls = [
        _call("remove", "RemoveFromGlobalCluster", secondary.region, {
            "GlobalClusterIdentifier": global_cluster_identifier,
            "DbClusterIdentifier": secondary.old_arn,
        })
        for secondary in new_secondaries
    ]
    for secondary in new_secondaries:
        if secondary.detached_identifier != secondary.old_identifier:
            calls.append(_call("rename", "ModifyDBCluster", secondary.region, {
                "DBClusterIdentifier": secondary.old_identifier, "NewDBClusterIdentifier": secondary.detached_identifier, "ApplyImmediately": True}))
        calls.extend(
            _call("rename", "ModifyDBInstance", secondary.region, {
                "DBInstanceIdentifier": old, "NewDBInstanceIdentifier": detached, "ApplyImmediately": True})
            for old, detached in secondary.detached_instances.items() if old != detached
        )
    calls.append(_call("upgrade_primary", "ModifyDBCluster", primary["region"], {
        "DBClusterIdentifier": primary["db_cluster_identifier"], "EngineVersion": engine_version, "ApplyImmediately": True}))
    calls.extend(_call("create_clusters", "CreateDBCluster", secondary.region, secondary.cluster_request) for secondary in new_secondaries)
    for secondary in new_secondaries:
        calls.extend(_call("create_instances", "CreateDBInstance", secondary.region, request) for request in secondary.instance_requests)
    return calls


# The run. What survives an interrupted run is in AWS, never on the control node: the journal on the global cluster
# (_tags.rebuild_journal_tags: when the rebuild began, each secondary region and its original identifier, written before
# the first removal, removed once every new secondary is connected), the mark on what the run creates, and the removed
# clusters themselves, from which a re-run reads each shape again (_rebuild_records.original_shape) and finds the state
# of each region: still a member, removed, renamed, its new secondary created.
RebuildRequest = namedtuple("RebuildRequest", [
    "global_cluster_identifier", "engine_version", "secondaries_drained", "keep_identifiers", "detached_suffix",
    "wait_timeout", "poll_interval", "status_settle_seconds"])
RebuildRequest.__doc__ = """The module's options that say what to rebuild and how long to wait (names as in the module)."""

METHOD = REBUILD_SECONDARIES
DRAINED_REFUSAL = (
    "rebuild_secondaries removes every secondary from global cluster %s: once removed, each is a standalone, writable cluster "
    "whose data no longer follows the primary, until its new secondary is connected. Set secondaries_drained to true once "
    "applications no longer use the secondary clusters (%s). Nothing was changed.")


class RebuildRefused(AuroraGlobalError):
    """The method cannot do this upgrade, or the request is not confirmed; nothing was changed."""


Region = namedtuple("Region", ["shape", "member", "removed", "new_cluster"])
Region.__doc__ = """Where one secondary region stands: its shape (original names); ``member``: the old secondary's description
while it is still a member; ``removed``: its description once removed (renamed or not); ``new_cluster``: the new secondary's
description once created. Each is None where it does not apply."""


class RebuildSecondaries(TimedRun):
    """One run of aurora_global_rebuild_secondaries. Every AuroraGlobalError leaving run() carries progress()."""

    def __init__(self, clients, request, check_mode, clock, sleep, progress_file=None, now=utc_timestamp):
        super().__init__(clients, request, check_mode, clock, sleep)
        self._reader = GlobalDatabaseReader(clients)
        self._progress_file_path = progress_file
        self._progress_file = ProgressFile(progress_file, request.global_cluster_identifier)
        self._now = now
        self._times = MemberTimes(now)
        self._run_times = {"started_at": None}
        self._facts = None
        self._after = None
        self._plan = None
        self._secondaries = []
        self._calls = None
        self._removed = False
        self._started = None
        self._changed = False
        self._gap = None
        self._rebuilt_at = None
        self._created = []
        self._primary_failure = None

    # What the run reports.

    def progress(self):
        progress = {
            "method": METHOD,
            "changed": self._changed,
            "started_at": self._run_times["started_at"],
            "finished_at": self._now(),
            "members": self._members(),
            "detached_clusters": [detached_cluster(s, self._request.global_cluster_identifier) for s in self._secondaries]
            if self._removed or self._check_mode else [],
            "new_members": [new_member(s, self._rebuilt_at) for s in self._created] if not self._check_mode else [
                new_member(s, self._plan["target_engine_version"]) for s in self._secondaries],
            "secondaries_gap_seconds": self._gap,
            "rebuilt_at_version": self._rebuilt_at,
        }
        if self._calls is not None:
            progress["planned_calls"] = self._calls
        if self._plan is not None:
            progress["upgrade_plan"] = self._plan
        return progress

    def _members(self):
        if self._facts is None or self._plan is None:
            return []
        target = self._plan["target_engine_version"]
        rebuilt = {s.region: s for s in self._secondaries}
        after = {m["region"]: m for m in (self._after or {}).get("members", [])}
        entries = []
        for member in self._facts["members"]:
            identifier = member["db_cluster_identifier"]
            found = after.get(member["region"])
            if member["is_writer"] and found is not None and not found["is_writer"]:
                found = None
            done = found is not None and is_done(found, target)
            outcome = member_outcome(
                at_target_before=is_done(member, target) and member["region"] not in rebuilt,
                started=identifier in self._times.started_at,
                failed=(member["is_writer"] or member["region"] in rebuilt) and self._primary_failure is not None and not done,
                still_upgrading=False, done=done)
            entries.append(member_entry(member, found, outcome, self._times))
        return entries

    # The run.

    def _run(self):
        self._run_times["started_at"] = self._now()
        identifier = self._request.global_cluster_identifier
        self._facts = self._reader.facts(identifier)
        self._plan = self._reader.plan(self._facts, self._request.engine_version, "engine_version", method=METHOD)
        target = self._plan["target_engine_version"]
        primary = primary_of(self._facts["members"])
        if primary is None:
            raise RebuildRefused("Global cluster %s has no primary (a failover or switchover may be running): run again once it has one." % identifier)
        journal_tags = list_tags(self._clients, self._clients.home_region, self._facts["global_cluster_arn"])
        self._started, journal = rebuild_journal(journal_tags)
        if not journal and not self._plan["pending"]:
            self._calls, self._after = [], self._facts
            return dict(self.progress(), message="Every member of global cluster %s already runs %s: nothing to do." % (identifier, target))
        regions = self._locate(journal)
        self._secondaries = [new_secondary(r.shape, self._facts["global_cluster_identifier"], target, primary["region"],
                                           self._request.keep_identifiers, self._request.detached_suffix) for r in regions.values()]
        self._calls = self._remaining_calls(regions, primary, target)
        self._refuse(regions, journal, primary, target)
        if self._check_mode:
            self._changed = bool(self._calls)
            return dict(self.progress(), message=self._check_mode_message(target))
        self._rebuild(regions, journal, primary, target)
        return dict(self.progress(), message=self._done_message())

    def _locate(self, journal):
        """Where each secondary region stands: {region: Region}, in upgrade order, the journal's regions included."""
        members = {m["region"]: m for m in self._facts["members"] if not m["is_writer"]}
        regions = sorted(set(members) | set(journal))
        return dict(zip(regions, fan_out(lambda region: self._region(region, members.get(region), journal.get(region)), regions)))

    def _region(self, region, member, original):
        cluster = describe_db_cluster(self._clients, region, member["db_cluster_identifier"]) if member else None
        if cluster is not None and not self._is_ours(cluster):
            return Region(secondary_shape(region, cluster, cluster_instances(self._clients, region, cluster)), cluster, None, None)
        # Removed by the run this one resumes: the shape is read again from the removed cluster.
        suffix = self._request.detached_suffix if self._request.keep_identifiers else ""
        for name in (original + suffix, original) if suffix else (original,):
            found = find(self._clients, DB_CLUSTER, region, name)
            if found is not None and not self._is_ours(found) and not self._is_member(found):
                shape = secondary_shape(region, found, cluster_instances(self._clients, region, found))
                return Region(original_shape(shape, original, suffix), None, found, cluster)
        raise AuroraGlobalError(
            "The rebuild of global cluster %s under way since %s removed %s in %s, but no cluster %s or %s is there any more: "
            "restore it or create the secondary of %s by hand, then remove the tags %s* from the global cluster." % (
                self._request.global_cluster_identifier, self._started, original, region, original, original + suffix, region,
                REBUILD_SECONDARY_TAG_PREFIX))

    def _is_ours(self, description):
        return self._started is not None and has_tag(description, REBUILT_TAG, rebuilt_mark(self._request.global_cluster_identifier, self._started))

    def _is_member(self, cluster):
        return cluster.get("DBClusterArn") in {m["db_cluster_arn"] for m in self._facts["members"]}

    def _remaining_calls(self, regions, primary, target):
        """planned_calls() without the calls whose work is already done (a resumed run's)."""
        done_regions = {s.region for s in self._secondaries if regions[s.region].new_cluster is not None}
        # The names the removed clusters and their instances have now, in lower case as AWS stores them.
        current = {r.removed["DBClusterIdentifier"].lower() for r in regions.values() if r.removed} | {
            m["DBInstanceIdentifier"].lower() for r in regions.values() if r.removed for m in r.removed.get("DBClusterMembers", [])}
        created = {m["DBInstanceIdentifier"].lower() for r in regions.values() if r.new_cluster for m in r.new_cluster.get("DBClusterMembers", [])}
        calls = []
        for call in planned_calls(self._secondaries, self._facts["global_cluster_identifier"], primary, target):
            if call["step"] == "remove" and regions[call["region"]].member is None:
                continue
            if call["step"] == "rename" and call["params"].get("NewDBClusterIdentifier", call["params"].get("NewDBInstanceIdentifier")).lower() in current:
                continue
            if call["step"] == "upgrade_primary" and primary["engine_version"] == target:
                continue
            if call["step"] == "create_clusters" and call["region"] in done_regions:
                continue
            if call["step"] == "create_instances" and call["params"]["DBInstanceIdentifier"].lower() in created:
                continue
            calls.append(call)
        return calls

    def _refuse(self, regions, journal, primary, target):
        """Every reason not to start, before any change."""
        refusals = []
        if not self._request.secondaries_drained:
            refusals.append(DRAINED_REFUSAL % (self._request.global_cluster_identifier, ", ".join(
                "%s (%s)" % (s.old_identifier, s.region) for s in self._secondaries) or "none"))
        ours = {r.new_cluster["DBClusterIdentifier"] for r in regions.values() if r.new_cluster is not None}
        # A resumed run meets its own new secondaries still creating (headless) or resynchronising, and the primary upgrading.
        refusals.extend(b["message"] for b in self._plan["blockers"] if not (
            journal and b["code"] in _RESUMED_STATES and (b["in_flight"] or set(b["clusters"]) <= ours | {primary["db_cluster_identifier"]})))
        fresh = [s for s in self._secondaries if s.region not in journal]
        refusals.extend(identifier_refusals(fresh))
        if self._request.keep_identifiers and not self._request.detached_suffix:
            refusals.append("keep_identifiers needs a detached_suffix: the removed clusters must free the names the new secondaries take.")
        elif self._request.keep_identifiers:
            refusals.extend(suffix_refusals([regions[s.region].shape for s in fresh], self._request.detached_suffix))
        refusals.extend(fan_out(self._taken_names, fresh))
        refusals.extend(fan_out(lambda s: self._class_refusals(s, regions[s.region].shape, target), self._secondaries))
        refusals = [refusal for refusal in refusals if refusal]
        if refusals:
            raise RebuildRefused(" ".join(refusals))

    def _taken_names(self, secondary):
        """Why names the run would give in the region of a secondary not yet touched are taken (by what an earlier rebuild
        removed or created?), or ''."""
        old_instances = set(secondary.detached_instances)
        wanted = [(DB_CLUSTER, name) for name in (secondary.detached_identifier, secondary.identifier) if name != secondary.old_identifier]
        wanted += [(DB_INSTANCE, name) for name in secondary.detached_instances.values() if name not in old_instances]
        wanted += [(DB_INSTANCE, request["DBInstanceIdentifier"]) for request in secondary.instance_requests
                   if request["DBInstanceIdentifier"] not in old_instances]
        taken = [name for kind, name in wanted if find(self._clients, kind, secondary.region, name) is not None]
        return "" if not taken else (
            "%s already exist in %s, and the rebuild of %s would take these names (an earlier rebuild's clusters?): delete them once "
            "satisfied, or choose another detached_suffix (keep_identifiers) or target. Nothing was changed." % (
                ", ".join(taken), secondary.region, secondary.old_identifier))

    def _class_refusals(self, secondary, shape, target):
        """Why a new secondary of ``shape`` could not be created at ``target`` in its region, or ''."""
        problems = []
        if shape["storage_encrypted"] and not shape["kms_key_id"]:
            problems.append("%s is encrypted but AWS names no KMS key for it" % secondary.old_identifier)
        for instance_class in sorted({instance["db_instance_class"] for instance in shape["instances"]}):
            option = instance_class_option(self._clients, secondary.region, shape["engine"], target, instance_class)
            if option is None or not option.get("SupportsGlobalDatabases", True):
                problems.append("%s %s is not offered for global databases at %s in %s" % (secondary.old_identifier, instance_class, target, secondary.region))
        return "; ".join(problems) + (": the new secondary could not be created there. Nothing was changed." if problems else "")

    def _check_mode_message(self, target):
        return ("Would rebuild %d secondaries of global cluster %s at %s with %d calls (planned_calls). The global database would "
                "have no secondary from the first RemoveFromGlobalCluster until every new secondary is connected: the removal, "
                "renaming, upgrade of the primary and creation steps, side by side in every region." % (
                    len(self._secondaries), self._request.global_cluster_identifier, target, len(self._calls)))

    def _done_message(self):
        detached = ", ".join("%s (%s)" % (s.detached_identifier, s.region) for s in self._secondaries)
        return ("Rebuilt %d secondaries of global cluster %s at %s; the global database had no secondary for %s seconds. The removed "
                "clusters are kept, writable and no longer replicated: %s; detached_clusters gives the command that deletes each once "
                "you are satisfied." % (len(self._secondaries), self._request.global_cluster_identifier, self._rebuilt_at, self._gap, detached))

    # The steps, each awaited; the calls of a step go to every region at once.

    def _rebuild(self, regions, journal, primary, target):
        self._changed = True
        global_arn = self._facts["global_cluster_arn"]
        if self._started is None:
            self._started = self._now()
        unrecorded = {s.region: s.old_identifier for s in self._secondaries if s.region not in journal}
        if unrecorded:
            add_tags(self._clients, self._clients.home_region, global_arn, rebuild_journal_tags(self._started, unrecorded))
        members = [s for s in self._secondaries if regions[s.region].member is not None]
        # What each cluster was is written while it is a member: its tags stay with it once removed.
        fan_out(lambda s: add_tags(self._clients, s.region, s.old_arn, tag_list({
            DETACHED_TAG: what_it_was(s.old_identifier, self._request.global_cluster_identifier)})), members)
        self._removed = True
        self._times.started(m["db_cluster_identifier"] for m in self._facts["members"] if not m["is_writer"])
        try:
            fan_out(self._remove, members)
            # Also those an interrupted run removed: promoting still, perhaps.
            self._wait([Resource(DB_CLUSTER, (regions[s.region].removed or {}).get("DBClusterIdentifier", s.old_identifier), s.region)
                        for s in self._secondaries], "the removed secondaries to be standalone", self._read_detaching)
            if self._request.keep_identifiers:
                self._rename(regions)
            if any(r.new_cluster is not None for r in regions.values()):
                self._keep_the_primary_version(primary, target)
            else:
                self._upgrade_primary(primary, target)
            self._rebuilt_at = describe_db_cluster(self._clients, primary["region"], primary["db_cluster_identifier"])["EngineVersion"]
            mark = tag_list({REBUILT_TAG: rebuilt_mark(self._request.global_cluster_identifier, self._started)})
            # Named after the target whatever the version (a re-run finds them by these names), created at the primary's.
            self._created = [_at_version(new_secondary(
                regions[s.region].shape, self._facts["global_cluster_identifier"], target, primary["region"], self._request.keep_identifiers,
                self._request.detached_suffix, mark), self._rebuilt_at) for s in self._secondaries]
            self._create(self._created)
            self._wait([Resource(DB_CLUSTER, s.identifier, s.region) for s in self._created], "the new secondaries to be connected",
                       self._read_joining)
            self._gap = _seconds_between(self._started, self._now())
            self._times.finished(m["db_cluster_identifier"] for m in self._facts["members"] if not m["is_writer"])
            self._verify(self._created, regions)
        except AuroraGlobalError as error:
            raise AuroraGlobalError(
                "%s. Global cluster %s may have no secondary now (the removed clusters are kept: %s). Run the module again with the same "
                "options: it resumes where this run stopped and creates the secondaries." % (
                    error.message, self._request.global_cluster_identifier, ", ".join(
                        "%s (%s)" % (s.detached_identifier, s.region) for s in self._secondaries)), exception=error.exception) from error
        journal_keys = rebuild_journal_keys(list_tags(self._clients, self._clients.home_region, global_arn))
        if journal_keys:
            remove_tags(self._clients, self._clients.home_region, global_arn, journal_keys)
        self._after = self._reader.facts(self._request.global_cluster_identifier)
        if self._primary_failure is not None:
            raise AuroraGlobalError(
                "The upgrade of the primary %s (%s) to %s failed: %s. The secondaries were rebuilt anyway, at the version the primary "
                "runs, %s: global cluster %s has its %d secondaries again, connected (%s). The removed clusters are kept (detached_clusters). "
                "Fix the cause, then run again: the new run removes the new secondaries in turn, and needs their detached names free "
                "(delete the removed clusters once satisfied, or choose another detached_suffix)." % (
                    primary["db_cluster_identifier"], primary["region"], target, self._primary_failure.message, self._rebuilt_at,
                    self._request.global_cluster_identifier, len(self._created),
                    ", ".join("%s (%s)" % (s.identifier, s.region) for s in self._created)),
                exception=self._primary_failure.exception)

    def _remove(self, secondary):
        try:
            remove_from_global_cluster(self._clients, secondary.region, self._facts["global_cluster_identifier"], secondary.old_arn)
        except AuroraGlobalError as error:
            # AWS's answer to a removal already done (an answer lost, and AWSRetry sent it again).
            if not (error_code(error) == "InvalidParameterValue" and _ALREADY_REMOVED in error_message(error)):
                raise

    def _rename(self, regions):
        """Each removed cluster, then its instances, renamed with the detached suffix; what a resumed run renamed is skipped."""
        def rename_cluster(secondary):
            found = find(self._clients, DB_CLUSTER, secondary.region, secondary.old_identifier)
            if found is not None and not self._is_ours(found):
                rename(self._clients, DB_CLUSTER, secondary.region, secondary.old_identifier, secondary.detached_identifier)

        def rename_instances(secondary):
            for old, detached in secondary.detached_instances.items():
                found = find(self._clients, DB_INSTANCE, secondary.region, old)
                if found is not None and not self._is_ours(found):
                    rename(self._clients, DB_INSTANCE, secondary.region, old, detached)

        fan_out(rename_cluster, self._secondaries)
        self._wait([Resource(DB_CLUSTER, s.detached_identifier, s.region) for s in self._secondaries], "the removed clusters to be renamed")
        fan_out(rename_instances, self._secondaries)
        self._wait([Resource(DB_INSTANCE, name, s.region) for s in self._secondaries for name in s.detached_instances.values()],
                   "the removed clusters' instances to be renamed")

    def _upgrade_primary(self, primary, target):
        """The primary's minor upgrade, as aurora_global_upgrade makes it (alone in the global cluster now); a refusal or a
        failed upgrade is kept for the end (the secondaries are created first), anything still running stops the run."""
        resource = Resource(DB_CLUSTER, primary["db_cluster_identifier"], primary["region"])
        state = self._read_state(resource)
        if state.engine_version == target and is_settled(state):
            return
        self._times.started([resource.identifier])
        request = UpgradeRequest(self._request.global_cluster_identifier, target, False, None, True, int(self._deadline.remaining()),
                                 self._request.poll_interval, self._request.status_settle_seconds)
        upgrade = GlobalDatabaseUpgrade(self._clients, request, False, self._clock, self._sleep, progress_file=self._progress_file_path, now=self._now)
        try:
            upgrade.run()
        except LeaseHeld:
            raise
        except AuroraGlobalError as error:
            if not is_settled(self._read_state(resource)):
                raise
            self._primary_failure = error
        self._times.finished([resource.identifier])

    def _keep_the_primary_version(self, primary, target):
        """The run this one resumes created new secondaries: at the primary's version then, which a primary below the
        target keeps (AWS refuses its in-place upgrade while it has secondaries, R10), because that run's upgrade failed."""
        state = self._read_state(Resource(DB_CLUSTER, primary["db_cluster_identifier"], primary["region"]))
        if state.engine_version != target:
            self._primary_failure = AuroraGlobalError(
                "the interrupted run this one resumes had created the new secondaries at %s, the version the primary runs, after "
                "the primary's upgrade failed (its error was in that run's result)" % state.engine_version)

    def _create(self, secondaries):
        """Every new cluster at once; once available, each one's first instance (the writer's counterpart: the first
        instance up is the writer), then the readers."""
        fan_out(lambda s: self._ensure(DB_CLUSTER, s.region, s.identifier, s.cluster_request), secondaries)
        self._wait([Resource(DB_CLUSTER, s.identifier, s.region) for s in secondaries], "the new secondaries to be available")
        for batch in ([s.instance_requests[:1] for s in secondaries], [s.instance_requests[1:] for s in secondaries]):
            items = [(s.region, request) for s, requests in zip(secondaries, batch) for request in requests]
            fan_out(lambda item: self._ensure(DB_INSTANCE, item[0], item[1]["DBInstanceIdentifier"], item[1]), items)
            self._wait([Resource(DB_INSTANCE, request["DBInstanceIdentifier"], region) for region, request in items], "the new instances to be available")

    def _ensure(self, kind, region, identifier, params):
        """Create a resource unless this rebuild created it already (a resumed run); a resource of that name not ours stops the run."""
        found = find(self._clients, kind, region, identifier)
        if found is not None and not self._is_ours(found):
            raise AuroraGlobalError("%s %s already exists in %s and was not created by this rebuild: rename or delete it." % (
                kind_words(kind), identifier, region))
        if found is None:
            create_or_adopt(self._clients, kind, region, identifier, params, self._is_ours)

    def _verify(self, secondaries, regions):
        """Every new secondary runs the primary's version; the recorded parameter groups are put back where the create lacks them."""
        problems = []
        for secondary in secondaries:
            cluster = describe_db_cluster(self._clients, secondary.region, secondary.identifier)
            if cluster.get("EngineVersion") != self._rebuilt_at:
                problems.append("%s (%s) runs %s" % (secondary.identifier, secondary.region, cluster.get("EngineVersion")))
            shape = regions[secondary.region].shape
            wanted = shape["db_cluster_parameter_group"]
            if wanted and cluster.get("DBClusterParameterGroup") != wanted:
                modify_db_cluster_parameter_group(self._clients, secondary.region, secondary.identifier, wanted)
            for request in secondary.instance_requests:
                wanted = request.get("DBParameterGroupName")
                instance = describe(self._clients, DB_INSTANCE, secondary.region, request["DBInstanceIdentifier"])
                groups = [group["DBParameterGroupName"] for group in instance.get("DBParameterGroups", [])]
                if wanted and groups[:1] != [wanted]:
                    modify_db_instance_parameter_group(self._clients, secondary.region, request["DBInstanceIdentifier"], wanted)
        if problems:
            raise AuroraGlobalError("The new secondaries do not run the primary's version %s: %s." % (self._rebuilt_at, "; ".join(problems)))

    # Reads while waiting.

    def _wait(self, resources, waiting_for, read=None):
        wait_until_settled(resources, read or self._read_state, self._deadline, self._request.poll_interval, self._sleep, waiting_for,
                           settled=_settled)

    def _read_state(self, resource, busy_parts=()):
        found = describe(self._clients, resource.kind, resource.region, resource.identifier)
        status = found.get("DBInstanceStatus") or found.get("Status")
        if is_stuck(resource.kind, status):
            raise AuroraGlobalError("%s %s (%s) is '%s': it will not become available without you. See its events: aws rds describe-events "
                                    "--source-identifier %s --region %s." % (
                                        kind_words(resource.kind), resource.identifier, resource.region, status, resource.identifier, resource.region))
        state = State(resource, found.get("EngineVersion"), status, found.get("PendingModifiedValues", {}).get("EngineVersion"), tuple(busy_parts))
        # The progress lines are about clusters: an instance's state shows in its cluster's wait.
        if resource.kind == DB_CLUSTER:
            self._progress_file.record(state)
        return state

    def _global_members(self):
        found = describe_global_cluster(self._clients, self._request.global_cluster_identifier)
        return {member["DBClusterArn"]: member for member in found.get("GlobalClusterMembers", [])}

    def _read_detaching(self, resource):
        cluster = describe_db_cluster(self._clients, resource.region, resource.identifier)
        still = cluster.get("DBClusterArn") in self._global_members()
        return self._read_state(resource, ["still a member of global cluster %s" % self._request.global_cluster_identifier] if still else ())

    def _read_joining(self, resource):
        cluster = describe_db_cluster(self._clients, resource.region, resource.identifier)
        member = self._global_members().get(cluster.get("DBClusterArn"))
        busy = ["not yet a member of global cluster %s" % self._request.global_cluster_identifier] if member is None else (
            [] if is_synchronized(member.get("SynchronizationStatus")) else ["replication '%s'" % member.get("SynchronizationStatus")])
        return self._read_state(resource, busy)


# The blockers of the state of the global database that a resumed run expects of its own work, and waits through.
_RESUMED_STATES = ("global_cluster_not_available", "member_not_available", "headless_member", "member_not_synchronized")
# AWS's answer to the removal of a cluster that is no longer a member (InvalidParameterValue).
_ALREADY_REMOVED = "is not found in global cluster"


def _at_version(secondary, engine_version):
    """A NewSecondary whose cluster is created at ``engine_version``."""
    return secondary._replace(cluster_request=dict(secondary.cluster_request, EngineVersion=engine_version))


def _settled(state):
    return is_settled(state) and not state.busy_parts


def _seconds_between(start, end):
    """Seconds from one UTC ISO 8601 time (outcomes.utc_timestamp) to another."""
    return (_parse_time(end) - _parse_time(start)).total_seconds()


def _parse_time(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
