# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The snapshot restore method: Aurora MySQL version 2 -> 3 of a global database, into a new global database.

The collection never upgrades Aurora MySQL version 2 to 3 in place in a global database (its rule R3; AWS's guide
prescribed this method for global databases, and today also allows in place when lower_case_table_names is the
default): a snapshot of the primary, restored as a cluster of the target version, a new global cluster from it and a
new secondary cluster in each old secondary's region. The old global database only gives a snapshot: it receives
no other call that changes anything, so that it stays there for a rollback.

Every resource is named from the old one (``new_cluster_suffix``) and tagged with tags.RESTORE_TAG, so a re-run
recognises what an interrupted run created and continues from there; anything else of the same name is
refused before any change. All checks are made before the first create.

Entry point of aurora_global_snapshot_restore (its public API: SnapshotRestore, RestoreRequest). Internals behind it:
_identifiers, _members, _tags, _versions; shared layers: facts (the old global database), rds, statuses, waiting.
"""

import re
from collections import namedtuple

try:
    from botocore import __version__ as BOTOCORE_VERSION
except ImportError:
    BOTOCORE_VERSION = None  # AnsibleAWSModule reports the missing SDK.

from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.facts import GlobalDatabaseReader
from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import IDENTIFIER_RULE
from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import MAX_LENGTH
from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import is_rds_identifier
from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import same_identifier
from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import stored_form
from ansible_collections.aurora.global_db.plugins.module_utils._members import PRIMARY
from ansible_collections.aurora.global_db.plugins.module_utils._members import SECONDARY
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import ALREADY_AT_TARGET
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import FAILED
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import MemberTimes
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import NOT_STARTED
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import STILL_UPGRADING
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import UPGRADED
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import event_entries
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import member_entry
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import utc_timestamp
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import CLUSTER_PARAMETER_GROUP
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER_SNAPSHOT
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_INSTANCE
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_PARAMETER_GROUP
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import GLOBAL_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import RESTORE_FROM_SNAPSHOT
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import kind_words
from ansible_collections.aurora.global_db.plugins.module_utils.rds import cluster_instances
from ansible_collections.aurora.global_db.plugins.module_utils.rds import create_or_adopt
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe
from ansible_collections.aurora.global_db.plugins.module_utils.rds import engine_version_entry
from ansible_collections.aurora.global_db.plugins.module_utils.rds import find
from ansible_collections.aurora.global_db.plugins.module_utils.rds import parameter_group_family
from ansible_collections.aurora.global_db.plugins.module_utils._tags import has_restore_mark
from ansible_collections.aurora.global_db.plugins.module_utils._tags import restore_tags
from ansible_collections.aurora.global_db.plugins.module_utils._versions import AURORA_MYSQL
from ansible_collections.aurora.global_db.plugins.module_utils._versions import InvalidEngineVersion
from ansible_collections.aurora.global_db.plugins.module_utils._versions import aurora_mysql_generation
from ansible_collections.aurora.global_db.plugins.module_utils._versions import parse_engine_version
from ansible_collections.aurora.global_db.plugins.module_utils.rds import cluster_parameter_value
from ansible_collections.aurora.global_db.plugins.module_utils.rds import instance_class_option
from ansible_collections.aurora.global_db.plugins.module_utils.rds import modify_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.rds import recent_events
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_failover_in_progress
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_ready
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_stuck
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import TimedRun
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import State
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import Resource as WaitedResource
from ansible_collections.aurora.global_db.plugins.module_utils._progress_file import ProgressFile
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import wait_until_settled

METHOD = "snapshot_restore"
# The oldest SDK the method works with: CreateGlobalCluster takes Tags from botocore 1.35.20 (the botocore changelog,
# api-change rds 1.35.20; the model of 1.34.0 has no Tags there, and botocore refuses an unknown parameter).
MINIMUM_BOTOCORE = "1.35.20"

_NOT_IN_IDENTIFIERS = re.compile(r"[^a-z0-9]+")
TABLE_NAME_CASE = "lower_case_table_names"
# The value of an Aurora MySQL group that does not set it (AWS Aurora User Guide: lower_case_table_names, default 0).
DEFAULT_TABLE_NAME_CASE = "0"
DEFAULT_GROUP_PREFIX = "default."

RestoreRequest = namedtuple("RestoreRequest", [
    "global_cluster_identifier", "new_global_cluster_identifier", "engine_version", "new_cluster_suffix",
    "db_cluster_snapshot_identifier", "db_cluster_parameter_groups", "db_parameter_groups", "writes_stopped",
    "wait_timeout", "poll_interval",
])
RestoreRequest.__doc__ = """The options of aurora_global_snapshot_restore (names as in the module)."""

Resource = namedtuple("Resource", ["kind", "identifier", "region", "role", "params", "parent"])
Resource.__doc__ = """One resource of the new global database (or the snapshot), with the parameters of its create call.

``parent`` is the identifier of the DB cluster a DB instance belongs to."""


class RestoreRefused(AuroraGlobalError):
    """A check before any change failed; nothing was created. The message gives every reason, in order."""

    def __init__(self, refusals):
        super().__init__(message=" ".join(refusals))
        self.refusals = refusals


class RestoreFailed(AuroraGlobalError):
    """The run stopped after it had started creating; a re-run resumes from what exists."""


def method_refusal(engine, current_version, target_version):
    """Why the snapshot restore method does not apply (None when it does): it is for Aurora MySQL version 2 -> 3 only."""
    try:
        current = aurora_mysql_generation(parse_engine_version(engine, current_version))
        target = aurora_mysql_generation(parse_engine_version(engine, target_version))
    except InvalidEngineVersion as error:
        return "engine_version: %s." % error
    if engine == AURORA_MYSQL and (current, target) == (2, 3):
        return None
    if engine == AURORA_MYSQL and current == 2 and target is None and ".mysql_aurora." not in target_version:
        return ("engine_version: %s is not an Aurora MySQL engine version; AWS writes version 3 as 8.0.mysql_aurora.<version>, "
                "for example 8.0.mysql_aurora.%s." % (target_version, target_version))
    return (
        "The snapshot restore method is for Aurora MySQL version 2 -> 3 only (the one upgrade this collection never does in place "
        "in a global database, its rule R3); this global database runs %s %s and the target is %s. Use the in-place method instead "
        "(aurora_global_upgrade_method: in_place, module aurora.global_db.aurora_global_upgrade)." % (engine, current_version, target_version)
    )


def sdk_refusal(botocore_version, minimum=MINIMUM_BOTOCORE):
    """Why this SDK cannot carry the method out (None when it can). Compared here, part by part: amazon.aws's
    require_botocore_at_least lets any version pass when the host lacks the packaging library."""
    def numbers(version):
        return tuple(int(part) for part in re.findall(r"[0-9]+", version.split("+")[0])[:3])
    if botocore_version is None or numbers(botocore_version) >= numbers(minimum):
        return None
    return ("The snapshot restore method needs botocore >= %s (CreateGlobalCluster takes Tags from that release); this host's Python "
            "has botocore %s. Install a newer boto3/botocore where the module runs; nothing was read or changed." % (minimum, botocore_version))


def new_identifier(identifier, suffix):
    return identifier + suffix


def restore_tag_value(request):
    """The value of the restore mark on every resource a run creates: "<old global id>/<new global id>" ('/' is allowed)."""
    return "%s/%s" % (stored_form(request.global_cluster_identifier), stored_form(request.new_global_cluster_identifier))


def snapshot_identifier(request, old_primary):
    """The snapshot named by the user, else <old primary>-before-<new global id>, within AWS's 63 characters.

    Always the same for the same request, so that a re-run finds the snapshot of the interrupted run."""
    if request.db_cluster_snapshot_identifier:
        return request.db_cluster_snapshot_identifier
    suffix = "-before-" + _NOT_IN_IDENTIFIERS.sub("-", stored_form(request.new_global_cluster_identifier)).strip("-")
    return (old_primary[:max(1, MAX_LENGTH - len(suffix))].rstrip("-") + suffix)[:MAX_LENGTH].rstrip("-")


def identifier_refusals(layout):
    """A refusal for each new name AWS would refuse (the suffix makes it too long...). The global cluster's rule is the
    same (botocore ModifyGlobalClusterMessage NewGlobalClusterIdentifier: 1 to 63 letters, numbers or hyphens...)."""
    return [
        "%s identifier %s is not one AWS accepts: %s (%s)." % (
            kind_words(r.kind), r.identifier, IDENTIFIER_RULE,
            "choose another new_global_cluster_identifier" if r.kind == GLOBAL_CLUSTER else "shorten new_cluster_suffix or the name")
        for r in layout
        if not is_rds_identifier(r.identifier)
    ]


def _cluster_settings(old_cluster, request, region, tags, restored):
    """The network, encryption, protection, backup, IAM authentication, log export and write forwarding settings of an
    old member that its new cluster keeps.

    A restored cluster is encrypted when its snapshot is (RestoreDBClusterFromSnapshot has no StorageEncrypted);
    KmsKeyId keeps the old key, which belongs to the member's region. RestoreDBClusterFromSnapshot takes the backup
    settings only from botocore 1.42.46 on: the restored cluster gets them through ModifyDBCluster afterwards
    (settings_after_restore). A secondary keeps the write forwarding its operator asked for
    (GlobalWriteForwardingRequested -> EnableGlobalWriteForwarding)."""
    settings = {
        "Engine": old_cluster["Engine"],
        "EngineVersion": request.engine_version,
        "DBSubnetGroupName": old_cluster.get("DBSubnetGroup"),
        "VpcSecurityGroupIds": [group["VpcSecurityGroupId"] for group in old_cluster.get("VpcSecurityGroups", [])] or None,
        "Port": old_cluster.get("Port"),
        "DeletionProtection": old_cluster.get("DeletionProtection"),
        "BackupRetentionPeriod": None if restored else old_cluster.get("BackupRetentionPeriod"),
        "PreferredBackupWindow": None if restored else old_cluster.get("PreferredBackupWindow"),
        "EnableGlobalWriteForwarding": None if restored else (old_cluster.get("GlobalWriteForwardingRequested") or None),
        "EnableIAMDatabaseAuthentication": old_cluster.get("IAMDatabaseAuthenticationEnabled"),
        "EnableCloudwatchLogsExports": old_cluster.get("EnabledCloudwatchLogsExports") or None,
        "CopyTagsToSnapshot": old_cluster.get("CopyTagsToSnapshot"),
        "DBClusterParameterGroupName": (request.db_cluster_parameter_groups or {}).get(region),
        "Tags": tags,
    }
    if old_cluster.get("StorageEncrypted"):
        settings.update(StorageEncrypted=None if restored else True, KmsKeyId=old_cluster.get("KmsKeyId"))
    return {name: value for name, value in settings.items() if value is not None}


# The settings of an old DB instance its counterpart keeps. AWS's default for PubliclyAccessible depends on the subnet
# group (true in a subnet group named "default"), so it is always given (botocore CreateDBInstanceMessage).
_COPIED_INSTANCE_SETTINGS = ("PromotionTier", "PubliclyAccessible", "AutoMinorVersionUpgrade")


def _instances(old_instances, new_cluster, region, role, request, tags):
    """The DB instances of a new cluster, in the order of ``old_instances`` (the writer first): the first one created
    becomes the writer."""
    group = (request.db_parameter_groups or {}).get(region)
    resources = []
    for old in old_instances:
        identifier = new_identifier(old["DBInstanceIdentifier"], request.new_cluster_suffix)
        params = {
            "DBInstanceIdentifier": identifier, "DBClusterIdentifier": new_cluster, "Engine": old["Engine"],
            "DBInstanceClass": old["DBInstanceClass"], "Tags": tags,
        }
        params.update((name, old[name]) for name in _COPIED_INSTANCE_SETTINGS if old.get(name) is not None)
        if group:
            params["DBParameterGroupName"] = group
        resources.append(Resource(DB_INSTANCE, identifier, region, role, params, new_cluster))
    return resources


def settings_after_restore(old_cluster, restored_cluster):
    """The ModifyDBCluster parameters that give a restored cluster what RestoreDBClusterFromSnapshot did not: the old
    backup settings, and a master password managed in Secrets Manager when the old cluster had one (a restore keeps the
    password of the snapshot's time). Only what still differs, so that a re-run sends nothing twice; {} when nothing does."""
    changes = {
        name: old_cluster[name] for name in ("BackupRetentionPeriod", "PreferredBackupWindow")
        if old_cluster.get(name) is not None and old_cluster.get(name) != restored_cluster.get(name)
    }
    if old_cluster.get("MasterUserSecret") and not restored_cluster.get("MasterUserSecret"):
        changes["ManageMasterUserPassword"] = True
    return changes


def build_layout(request, old_members, snapshot_exists_for_user, deletion_protection=False):
    """Every resource of the method, in creation order: snapshot, new primary and its instances, global cluster,
    then each new secondary (by region) and its instances.

    ``old_members`` are dicts with ``member`` (the facts module's member dict), ``cluster`` (DescribeDBClusters) and
    ``instances`` (DescribeDBInstances, writer first). ``snapshot_exists_for_user``: a snapshot named by the user
    exists and is used as it is (it carries no tag of ours). ``deletion_protection``: the old global cluster's, kept.
    """
    tags = restore_tags(restore_tag_value(request))
    primary = next(old for old in old_members if old["member"]["role"] == PRIMARY)
    primary_region = primary["member"]["region"]
    old_primary = primary["member"]["db_cluster_identifier"]
    snapshot = snapshot_identifier(request, old_primary)
    snapshot_params = {"DBClusterSnapshotIdentifier": snapshot, "DBClusterIdentifier": old_primary}
    if not snapshot_exists_for_user:
        snapshot_params["Tags"] = tags
    new_primary = new_identifier(old_primary, request.new_cluster_suffix)
    layout = [
        Resource(DB_CLUSTER_SNAPSHOT, snapshot, primary_region, None, snapshot_params, None),
        Resource(DB_CLUSTER, new_primary, primary_region, PRIMARY, dict(
            _cluster_settings(primary["cluster"], request, primary_region, tags, restored=True), DBClusterIdentifier=new_primary, SnapshotIdentifier=snapshot,
        ), None),
    ]
    layout.extend(_instances(primary["instances"], new_primary, primary_region, PRIMARY, request, tags))
    # The source is given by ARN once the new primary exists (run time); the global cluster takes engine and version from it.
    layout.append(Resource(GLOBAL_CLUSTER, stored_form(request.new_global_cluster_identifier), primary_region, None, {
        "GlobalClusterIdentifier": request.new_global_cluster_identifier, "DeletionProtection": bool(deletion_protection), "Tags": tags,
    }, new_primary))
    secondaries = sorted((old for old in old_members if old["member"]["role"] == SECONDARY), key=lambda old: old["member"]["region"])
    for old in secondaries:
        region = old["member"]["region"]
        identifier = new_identifier(old["member"]["db_cluster_identifier"], request.new_cluster_suffix)
        layout.append(Resource(DB_CLUSTER, identifier, region, SECONDARY, dict(
            _cluster_settings(old["cluster"], request, region, tags, restored=False),
            DBClusterIdentifier=identifier, GlobalClusterIdentifier=request.new_global_cluster_identifier,
        ), None))
        layout.extend(_instances(old["instances"], identifier, region, SECONDARY, request, tags))
    return layout


def instance_class_refusals(option, engine, target, region, instance_class):
    """Why a DB instance class cannot carry the new global database in a region (its DescribeOrderableDBInstanceOptions
    entry, None when not offered); [] when it can."""
    if option is None:
        return ["DB instance class %s is not offered for %s %s in %s (DescribeOrderableDBInstanceOptions): move the old instances to a "
                "class that the target offers (for example db.r6g or db.r5) before the restore." % (instance_class, engine, target, region)]
    if not option.get("SupportsGlobalDatabases"):
        return ["DB instance class %s does not support global databases for %s %s in %s (DescribeOrderableDBInstanceOptions "
                "SupportsGlobalDatabases): move the old instances to a class that does (for example db.r6g or db.r5) before the restore." % (
                    instance_class, engine, target, region)]
    return []


def table_name_case_refusal(region, group, old_value, new_value):
    return ("lower_case_table_names is %s in the old primary's DB cluster parameter group but would be %s in the new cluster in %s (%s); "
            "MySQL 8.0 fixes it when the cluster is created, so name a DB cluster parameter group of the target's family with "
            "lower_case_table_names=%s for %s in db_cluster_parameter_groups." % (
                old_value, new_value, region, "group %s" % group if group else "the default group", old_value, region))


def has_restore_tag(description, request):
    return has_restore_mark(description, restore_tag_value(request))


def resource_summary(resource, action):
    return {"kind": resource.kind, "identifier": resource.identifier, "region": resource.region, "action": action}


def _key(resource):
    return (resource.kind, resource.region, stored_form(resource.identifier))


def _global_member_arns(global_cluster):
    return {member["DBClusterArn"] for member in global_cluster.get("GlobalClusterMembers", [])}


def cutover_steps(old_global, new_global, new_endpoint):
    """What the operator does to move the application to the new global database (the method leaves it to them)."""
    return [
        "Check the new global database (%s) with the application's tests." % new_global,
        "Point the application at the new global writer endpoint %s and resume writes there." % (new_endpoint or "(shown once it exists)"),
        "Keep the old global database %s until the new one has proven itself; then delete it (secondaries first)." % old_global,
    ]


def rollback_steps(old_global, snapshot):
    """How the operator goes back to the old global database, which the method did not change."""
    return [
        "Point the application back at the old global database %s, which was not changed." % old_global,
        "Writes made to the new global database after the cut-over are not in the old one: copy them back before resuming writes there.",
        "Delete the new global database when it is no longer needed (snapshot %s stays)." % snapshot,
    ]


def new_member_outcome(new_cluster, target, check_mode):
    """The outcome of an old member whose new cluster reads ``new_cluster`` (None: not created) after the run."""
    if new_cluster is None:
        return NOT_STARTED
    status = new_cluster.get("Status")
    if is_stuck(DB_CLUSTER, status):
        return FAILED
    if is_ready(DB_CLUSTER, status) and new_cluster.get("EngineVersion") == target:
        # In check mode it was there before the run: an earlier run made it.
        return ALREADY_AT_TARGET if check_mode else UPGRADED
    return STILL_UPGRADING


class SnapshotRestore(TimedRun):
    """One run of aurora_global_snapshot_restore. ``resources`` (what was found or created) stays readable after a
    failure, and progress() says how far it got, per old member."""

    def __init__(self, clients, request, check_mode, clock, sleep, progress_file=None, now=utc_timestamp):
        super().__init__(clients, request, check_mode, clock, sleep)
        self._reader = GlobalDatabaseReader(clients)
        self._existing = {}
        self._now = now
        self._times = MemberTimes(now)
        self._run_times = {"started_at": None, "finished_at": None}
        self._old = None
        self._layout = None
        self._members = None
        self.resources = []
        # What the run waits for, named under the new global database, for the action plugin's progress lines.
        self._progress_file = ProgressFile(progress_file, request.new_global_cluster_identifier)

    def _run(self):
        """The restore; a failure reads the new clusters once more, so that progress() says where every member stands."""
        self._run_times["started_at"] = self._now()
        try:
            result = self._restore()
        except AuroraGlobalError:
            self._read_members(failed=True)
            self._run_times["finished_at"] = self._now()
            raise
        self._run_times["finished_at"] = self._now()
        result.update(self.progress())
        return result

    def progress(self):
        """How far the run got: ``changed``, ``resources``, ``method``, its times and, once planned, ``members``."""
        progress = {
            "changed": any(r["action"] in ("create", "created") for r in self.resources),
            "resources": self.resources,
            "method": METHOD,
            "started_at": self._run_times["started_at"],
            "finished_at": self._run_times["finished_at"],
        }
        if self._members is not None:
            progress["members"] = self._members
        return progress

    def _read_members(self, failed=False):
        """Each old member with its new cluster as read now (``new_db_cluster_identifier``); the events of a failed one."""
        if self._layout is None:
            return
        new_clusters = {r.region: r for r in self._layout if r.kind == DB_CLUSTER}
        self._members = []
        for member in self._old["members"]:
            new = new_clusters[member["region"]]
            try:
                found = describe(self._clients, DB_CLUSTER, new.region, new.identifier) if not self._check_mode or failed else self._existing.get(_key(new))
            except AuroraGlobalError:
                found = None
            outcome = new_member_outcome(found, self._request.engine_version, self._check_mode)
            if outcome == FAILED:
                self._read_events(new)
            after = None if found is None else {
                "engine_version": found.get("EngineVersion"), "status": found.get("Status"),
                "db_cluster_parameter_group": found.get("DBClusterParameterGroup")}
            self._members.append(member_entry(dict(member), after, outcome, self._times, times_key=new.identifier,
                                              new_db_cluster_identifier=new.identifier))

    def _read_events(self, new):
        try:
            events = recent_events(self._clients, new.region, new.identifier, 60)
        except AuroraGlobalError:
            return
        self._times.events[new.identifier] = event_entries(events)

    def _restore(self):
        self._refuse([sdk_refusal(BOTOCORE_VERSION)])
        old = self._reader.facts(self._request.global_cluster_identifier)
        self._refuse([method_refusal(old["engine"], old["engine_version"], self._request.engine_version)] + self._request_refusals(old))
        old_members = [self._old_member(member) for member in old["members"]]
        refusals = self._state_refusals(old) + self._target_refusals(old, old_members)
        user_snapshot = self._user_snapshot(old, refusals)
        layout = build_layout(self._request, old_members, user_snapshot is not None, old["deletion_protection"])
        refusals.extend(identifier_refusals(layout) or self._name_refusals(layout, user_snapshot))
        self._refuse(refusals)
        self._old, self._layout = old, layout
        if not self._check_mode:
            self._create_all(layout, next(m["cluster"] for m in old_members if m["member"]["role"] == PRIMARY))
        self._read_members()
        return self._result(old, layout)

    def _refuse(self, refusals):
        refusals = [refusal for refusal in refusals if refusal]
        if refusals:
            raise RestoreRefused(refusals)

    # Pre-flight: reads only.

    def _request_refusals(self, old):
        refusals = []
        if not self._request.writes_stopped:
            refusals.append(
                "writes_stopped must be true: the new global database is restored from a snapshot, so writes made to %s after the "
                "snapshot would be lost. Stop the application's writes first, then confirm with writes_stopped=true."
                % old["global_cluster_identifier"]
            )
        if same_identifier(self._request.new_global_cluster_identifier, old["global_cluster_identifier"]):
            refusals.append("new_global_cluster_identifier must differ from global_cluster_identifier: the old global database stays for a rollback.")
        if not self._request.new_cluster_suffix:
            refusals.append("new_cluster_suffix must not be empty: the new clusters need names of their own.")
        regions = {member["region"] for member in old["members"]}
        for option in ("db_cluster_parameter_groups", "db_parameter_groups"):
            unknown = sorted(set(getattr(self._request, option) or {}) - regions)
            if unknown:
                refusals.append("%s names region(s) %s where %s has no member (its regions: %s)." % (
                    option, ", ".join(unknown), old["global_cluster_identifier"], ", ".join(sorted(regions))))
        return refusals

    def _old_member(self, member):
        region = member["region"]
        cluster = describe(self._clients, DB_CLUSTER, region, member["db_cluster_identifier"])
        return {"member": member, "cluster": cluster, "instances": cluster_instances(self._clients, region, cluster)}

    def _state_refusals(self, old):
        refusals = []
        if not is_ready(GLOBAL_CLUSTER, old["status"]):
            refusals.append("Global cluster %s is '%s', not available: wait until it is." % (old["global_cluster_identifier"], old["status"]))
        if old["failover_state"] and is_failover_in_progress(old["failover_state"]["status"]):
            refusals.append("A switchover or failover of %s is in progress (%s): wait until it is over." % (
                old["global_cluster_identifier"], old["failover_state"]["status"]))
        if old["primary"] is None:
            refusals.append("Global cluster %s has no writer (primary) to take the snapshot from." % old["global_cluster_identifier"])
        refusals.extend(
            "Member %s (%s) is '%s', not available." % (m["db_cluster_identifier"], m["region"], m["status"])
            for m in old["members"] if not is_ready(DB_CLUSTER, m["status"])
        )
        return refusals

    def _target_refusals(self, old, old_members):
        """The target in every region (offered, global databases), the parameter groups' family, the instance classes."""
        refusals = []
        engine, target = old["engine"], self._request.engine_version
        valid = [t["engine_version"] for t in old["valid_upgrade_targets"] if t["is_major_version_upgrade"]]
        if target not in valid:
            refusals.append(
                "%s is not a valid version 3 target of %s in every member's region (DescribeDBEngineVersions ValidUpgradeTarget); "
                "valid ones: %s." % (target, old["engine_version"], ", ".join(valid) or "none"))
        for region in sorted({m["region"] for m in old["members"]}):
            entry = engine_version_entry(self._clients, region, engine, target)
            if entry is None:
                refusals.append("%s %s is not offered in %s (DescribeDBEngineVersions): choose a version 3 target every region offers." % (
                    engine, target, region))
                continue
            if not entry.get("SupportsGlobalDatabases"):
                refusals.append("%s %s does not support global databases in %s: choose another version 3 target." % (engine, target, region))
            refusals.extend(self._parameter_group_refusals(region, entry["DBParameterGroupFamily"]))
        classes = sorted({(old_member["member"]["region"], instance["DBInstanceClass"]) for old_member in old_members for instance in old_member["instances"]})
        for region, instance_class in classes:
            refusals.extend(instance_class_refusals(
                instance_class_option(self._clients, region, engine, target, instance_class), engine, target, region, instance_class))
        refusals.extend(self._table_name_case_refusals(old_members))
        return refusals

    def _table_name_case_refusals(self, old_members):
        """lower_case_table_names of each new cluster's group (named, or the default one) must be the old primary's: MySQL 8.0
        fixes it when the cluster is created (AWS Aurora User Guide, AuroraMySQL.Reference.ParameterGroups)."""
        primary = next(m for m in old_members if m["member"]["role"] == PRIMARY)
        old_value = self._table_name_case(primary["member"]["region"], primary["cluster"].get("DBClusterParameterGroup"))
        refusals = []
        for region in sorted({m["member"]["region"] for m in old_members}):
            group = (self._request.db_cluster_parameter_groups or {}).get(region)
            new_value = self._table_name_case(region, group)
            if new_value != old_value:
                refusals.append(table_name_case_refusal(region, group, old_value, new_value))
        return refusals

    def _table_name_case(self, region, group):
        if not group or group.startswith(DEFAULT_GROUP_PREFIX):
            return DEFAULT_TABLE_NAME_CASE
        return cluster_parameter_value(self._clients, region, group, TABLE_NAME_CASE) or DEFAULT_TABLE_NAME_CASE

    def _parameter_group_refusals(self, region, family):
        refusals = []
        for option, kind in (("db_cluster_parameter_groups", CLUSTER_PARAMETER_GROUP), ("db_parameter_groups", DB_PARAMETER_GROUP)):
            name = (getattr(self._request, option) or {}).get(region)
            if not name:
                continue
            found = parameter_group_family(self._clients, region, kind, name)
            if found is None:
                refusals.append("%s: parameter group %s does not exist in %s." % (option, name, region))
            elif found != family:
                refusals.append("%s: parameter group %s in %s is of family %s, not %s (the target's family)." % (option, name, region, found, family))
        return refusals

    def _user_snapshot(self, old, refusals):
        """The snapshot named by db_cluster_snapshot_identifier when it exists (it must be of the old primary), else None."""
        if not self._request.db_cluster_snapshot_identifier or old["primary"] is None:
            return None
        primary = next(m for m in old["members"] if m["role"] == PRIMARY)
        found = find(self._clients, DB_CLUSTER_SNAPSHOT, primary["region"], self._request.db_cluster_snapshot_identifier)
        if found is not None and not same_identifier(found.get("DBClusterIdentifier", ""), primary["db_cluster_identifier"]):
            refusals.append("DB cluster snapshot %s is a snapshot of %s, not of the primary %s." % (
                found["DBClusterSnapshotIdentifier"], found.get("DBClusterIdentifier"), primary["db_cluster_identifier"]))
        return found

    def _name_refusals(self, layout, user_snapshot):
        """Refusals for names taken by resources this method did not create; what it did create is kept to resume."""
        refusals = []
        for resource in layout:
            if resource.kind == DB_CLUSTER_SNAPSHOT and user_snapshot is not None:
                self._existing[_key(resource)] = user_snapshot
                continue
            found = find(self._clients, resource.kind, resource.region, resource.identifier)
            if found is None:
                continue
            if self._is_ours(resource, found):
                self._existing[_key(resource)] = found
            else:
                refusals.append("%s %s already exists in %s and was not created by a snapshot restore of %s into %s: choose another "
                                "new_global_cluster_identifier or new_cluster_suffix." % (
                                    kind_words(resource.kind), resource.identifier, resource.region,
                                    self._request.global_cluster_identifier, self._request.new_global_cluster_identifier))
        return refusals

    def _is_ours(self, resource, found):
        if resource.kind != GLOBAL_CLUSTER:
            return has_restore_tag(found, self._request)
        # The new global cluster is ours when its writer is our new primary.
        primary = find(self._clients, DB_CLUSTER, resource.region, resource.parent)
        return primary is not None and has_restore_tag(primary, self._request) and primary["DBClusterArn"] in _global_member_arns(found)

    # The run: creates in order, each awaited where the next one depends on it.

    def _create_all(self, layout, old_primary_cluster):
        """AWS creates DB instances only in an available cluster (botocore RestoreDBClusterFromSnapshot), and the first
        instance to come up is the writer: each cluster is awaited before its instances, and the old writer's counterpart
        (first in the layout) before the readers."""
        snapshot, primary_cluster = layout[0], layout[1]
        global_cluster = next(r for r in layout if r.kind == GLOBAL_CLUSTER)
        secondary_clusters = [r for r in layout[layout.index(global_cluster) + 1:] if r.kind == DB_CLUSTER]
        self._ensure(snapshot)
        self._wait([snapshot])
        self._ensure(primary_cluster, restore_from_snapshot=True)
        self._wait([primary_cluster])
        self._complete_restored_cluster(primary_cluster, old_primary_cluster)
        self._create_instances(layout, [primary_cluster])
        self._ensure(global_cluster)
        self._wait([global_cluster])
        for cluster in secondary_clusters:
            self._ensure(cluster)
        self._wait(secondary_clusters)
        self._create_instances(layout, secondary_clusters)
        self._wait(layout[1:])
        self._verify(layout, global_cluster)

    def _create_instances(self, layout, clusters):
        """Each cluster's first instance (the writer's counterpart), awaited, then the others."""
        instances = [[r for r in layout if r.kind == DB_INSTANCE and r.parent == cluster.identifier] for cluster in clusters]
        firsts = [own[0] for own in instances if own]
        for instance in firsts:
            self._ensure(instance)
        self._wait(firsts)
        readers = [instance for own in instances for instance in own[1:]]
        for instance in readers:
            self._ensure(instance)
        self._wait(readers)

    def _complete_restored_cluster(self, resource, old_cluster):
        """ModifyDBCluster with what the restore could not take (settings_after_restore), then wait until it is taken in."""
        changes = settings_after_restore(old_cluster, self._describe_created(resource))
        if changes:
            modify_cluster(self._clients, resource.region, resource.identifier, changes)
            self._wait([resource])

    def _ensure(self, resource, restore_from_snapshot=False):
        if resource.kind == DB_CLUSTER:
            self._times.started([resource.identifier])
        if _key(resource) in self._existing:
            self.resources.append(resource_summary(resource, "existing"))
            return
        params = dict(resource.params)
        if resource.kind == GLOBAL_CLUSTER:
            # The new primary was found or created just before.
            params["SourceDBClusterIdentifier"] = self._existing[(DB_CLUSTER, resource.region, stored_form(resource.parent))]["DBClusterArn"]
        self._existing[_key(resource)] = create_or_adopt(
            self._clients, resource.kind, resource.region, resource.identifier, params, lambda found: self._is_ours(resource, found),
            RESTORE_FROM_SNAPSHOT if restore_from_snapshot else None)
        self.resources.append(resource_summary(resource, "created"))

    def _describe_created(self, resource):
        """The description of a resource this run found or created; RestoreFailed when it has disappeared since."""
        found = find(self._clients, resource.kind, resource.region, resource.identifier)
        if found is None:
            raise RestoreFailed(message="%s %s (%s) disappeared while the restore was running." % (
                kind_words(resource.kind), resource.identifier, resource.region))
        return found

    def _read_state(self, resource):
        """The resource's State for the wait; RestoreFailed when it is gone or in a status it will not leave by itself."""
        found = self._describe_created(resource)
        status = found.get("DBInstanceStatus") or found.get("Status")
        if is_stuck(resource.kind, status):
            raise RestoreFailed(message=(
                "%s %s (%s) is '%s': it will not become available. See its events: aws rds describe-events --source-identifier %s "
                "--region %s. Fix or delete it, then run again (the rest is resumed)." % (
                    kind_words(resource.kind), resource.identifier, resource.region, status, resource.identifier, resource.region)))
        state = State(WaitedResource(resource.kind, resource.identifier, resource.region), found.get("EngineVersion"), status)
        self._progress_file.record(state)
        return state

    def _wait(self, resources):
        wait_until_settled(resources, self._read_state, self._deadline, self._request.poll_interval, self._sleep,
                           "the new resources to become available")
        self._times.finished(r.identifier for r in resources if r.kind == DB_CLUSTER)

    def _verify(self, layout, global_resource):
        found = self._describe_created(global_resource)
        clusters = [r for r in layout if r.kind == DB_CLUSTER]
        expected = {self._existing[_key(r)]["DBClusterArn"] for r in clusters}
        problems = []
        if _global_member_arns(found) != expected:
            problems.append("its members are %s, not %s" % (sorted(_global_member_arns(found)), sorted(expected)))
        writer = [m["DBClusterArn"] for m in found.get("GlobalClusterMembers", []) if m.get("IsWriter")]
        if writer != [self._existing[_key(clusters[0])]["DBClusterArn"]]:
            problems.append("its writer is %s, not %s" % (writer, clusters[0].identifier))
        for resource in clusters:
            engine_version = self._describe_created(resource)["EngineVersion"]
            if engine_version != self._request.engine_version:
                problems.append("%s runs %s" % (resource.identifier, engine_version))
        if problems:
            raise RestoreFailed(message="The new global database %s is not as expected: %s." % (global_resource.identifier, "; ".join(problems)))

    def _result(self, old, layout):
        if self._check_mode:
            self.resources = [resource_summary(r, "existing" if _key(r) in self._existing else "create") for r in layout]
        global_resource = next(r for r in layout if r.kind == GLOBAL_CLUSTER)
        new_global = self._existing.get(_key(global_resource)) if self._check_mode else find(
            self._clients, GLOBAL_CLUSTER, global_resource.region, global_resource.identifier)
        return {
            "global_cluster_identifier": old["global_cluster_identifier"],
            "new_global_cluster_identifier": global_resource.identifier,
            "new_global_cluster_arn": (new_global or {}).get("GlobalClusterArn"),
            "new_global_endpoint": (new_global or {}).get("Endpoint"),
            "engine_version": self._request.engine_version,
            "snapshot_identifier": layout[0].identifier,
            "new_members": [self._new_member(r, layout) for r in layout if r.kind == DB_CLUSTER],
            "cutover_steps": cutover_steps(old["global_cluster_identifier"], global_resource.identifier, (new_global or {}).get("Endpoint")),
            "rollback_steps": rollback_steps(old["global_cluster_identifier"], layout[0].identifier),
        }

    def _new_member(self, resource, layout):
        cluster = None if self._check_mode else find(self._clients, DB_CLUSTER, resource.region, resource.identifier)
        return {
            "db_cluster_identifier": resource.identifier,
            "region": resource.region,
            "role": resource.role,
            "engine_version": (cluster or {}).get("EngineVersion", self._request.engine_version),
            "status": (cluster or self._existing.get(_key(resource)) or {}).get("Status"),
            "endpoint": (cluster or {}).get("Endpoint"),
            "db_instance_identifiers": [r.identifier for r in layout if r.kind == DB_INSTANCE and r.parent == resource.identifier],
        }
