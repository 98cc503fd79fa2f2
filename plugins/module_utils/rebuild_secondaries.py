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

from collections import namedtuple

from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import TimedRun

from ansible_collections.aurora.global_db.plugins.module_utils._secondary_shape import cluster_request
from ansible_collections.aurora.global_db.plugins.module_utils._secondary_shape import instance_requests
from ansible_collections.aurora.global_db.plugins.module_utils._secondary_shape import secondary_shape
from ansible_collections.aurora.global_db.plugins.module_utils._fanout import fan_out
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_db_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.rds import cluster_instances
from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import IDENTIFIER_RULE
from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import is_rds_identifier
from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_names import version_label
from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_restore import new_identifier

__all__ = ("NewSecondary", "STEPS", "identifier_refusals", "new_secondary", "planned_calls", "record_secondary_shapes", "secondary_shape",
           "version_suffix")

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


RebuildRequest = namedtuple("RebuildRequest", [
    "global_cluster_identifier", "engine_version", "secondaries_drained", "keep_identifiers", "detached_suffix",
    "wait_timeout", "poll_interval", "status_settle_seconds"])
RebuildRequest.__doc__ = """The module's options that say what to rebuild and how long to wait (names as in the module)."""


class RebuildSecondaries(TimedRun):
    """One run of aurora_global_rebuild_secondaries (being written: the documentation comes first)."""

    def __init__(self, clients, request, check_mode, clock, sleep, progress_file=None):
        super().__init__(clients, request, check_mode, clock, sleep)
        self._progress_file = progress_file

    def _run(self):
        raise AuroraGlobalError("aurora_global_rebuild_secondaries: not carried out yet by this build")
