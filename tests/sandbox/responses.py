# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""moto's RDS responses, extended with what the upgrade of an Aurora global database needs.

moto dispatches a query action to the RDSResponse method named after it in snake_case, so each method here
either adds an action moto lacks or replaces one whose behaviour differs from AWS. Every method runs with
SANDBOX.lock held by the WSGI layer (sandbox.wsgi), which also journals the call.
"""

from __future__ import annotations

import datetime
from typing import Any

from moto.core.responses import ActionResult
from moto.rds.exceptions import InvalidParameterCombination, InvalidParameterValue
from moto.rds.models import DBCluster, GlobalCluster
from moto.rds.responses import RDSResponse

from . import events, fleet, managed_minor, membership, restores, rules
from .authorization import ResourceAuthorization
from .blue_green import BlueGreenResponses
from .maintenance import ParameterGroupResponses, SnapshotResponses
from .membership import MembershipResponses
from .tagging import GlobalClusterTagging
from .state import SANDBOX
from .topology import all_global_clusters, find_global_cluster, global_cluster_of

# AWS's default (and largest) MaxRecords.
PAGE_SIZE = 100


class GlobalClusterView:
    """A moto GlobalCluster as AWS describes it: members carry their replication status, and a forced failover state shows."""

    def __init__(self, global_cluster: GlobalCluster, failover_state: dict[str, Any] | None, resynchronizing: frozenset[str]) -> None:
        self._global_cluster = global_cluster
        self.failover_state = failover_state
        self._resynchronizing = resynchronizing

    def __getattr__(self, name: str) -> Any:
        return getattr(self._global_cluster, name)

    @property
    def global_cluster_members(self) -> list[dict[str, Any]]:
        return [
            {"GlobalWriteForwardingStatus": "disabled", **member, "SynchronizationStatus": self._synchronization_status(member["DBClusterArn"])}
            for member in self._global_cluster.global_cluster_members
        ]

    def _synchronization_status(self, cluster_arn: str) -> str:
        return "pending-resync" if cluster_arn.rsplit(":", 1)[-1] in self._resynchronizing else "connected"


def describe_global_cluster(global_cluster: GlobalCluster) -> GlobalClusterView:
    return GlobalClusterView(
        global_cluster,
        SANDBOX.failover_states.get(global_cluster.global_cluster_identifier),
        frozenset(SANDBOX.config.pending_resync) | membership.resynchronizing(global_cluster),
    )


class SandboxRDSResponse(ResourceAuthorization, BlueGreenResponses, GlobalClusterTagging, SnapshotResponses, ParameterGroupResponses,
                         MembershipResponses, fleet.FleetResponses, RDSResponse):
    """The RDS API of the sandbox (installed in place of moto's RDSResponse by sandbox.server)."""

    def restore_db_cluster_from_snapshot(self) -> ActionResult:
        return ActionResult({"DBCluster": restores.restore_cluster(self.backend, self.params, SANDBOX)})

    def create_db_cluster(self) -> ActionResult:
        membership.check_new_secondary(self.backend, self.params)
        cluster = restores.create_cluster(self.backend, self.params, SANDBOX)
        membership.start_resync(cluster)
        return ActionResult({"DBCluster": cluster})

    def create_db_instance(self) -> ActionResult:
        membership.check_cluster_ready_for_instance(self.backend, self.params)
        return ActionResult({"DBInstance": restores.create_instance(self.backend, self.params, SANDBOX)})

    def remove_from_global_cluster(self) -> ActionResult:
        return ActionResult({"GlobalCluster": describe_global_cluster(membership.remove_member(self.backend, self.params, self.region))})

    def create_global_cluster(self) -> ActionResult:
        global_cluster = restores.create_global_cluster(self.backend, self.params, SANDBOX)
        return ActionResult({"GlobalCluster": describe_global_cluster(global_cluster)})

    def describe_orderable_db_instance_options(self) -> ActionResult:
        options = restores.orderable_options(
            SANDBOX.catalog, SANDBOX.hidden_versions(self.region), self.params["Engine"],
            self.params.get("EngineVersion"), self.params.get("DBInstanceClass"),
        )
        return self._paged("OrderableDBInstanceOptions", options)

    def describe_global_clusters(self) -> ActionResult:
        identifier = self.params.get("GlobalClusterIdentifier")
        # Global clusters are not regional: every region sees all of them (moto keeps them in us-east-1).
        clusters = [find_global_cluster(self.current_account, identifier)] if identifier else all_global_clusters(self.current_account)
        clusters = fleet.with_member_in(self.params.get("Filters"), clusters)
        return self._paged("GlobalClusters", [describe_global_cluster(cluster) for cluster in clusters])

    def modify_global_cluster(self) -> ActionResult:
        global_cluster = find_global_cluster(self.current_account, self.params["GlobalClusterIdentifier"])
        if self.params.get("DeletionProtection") is not None:
            global_cluster.deletion_protection = self.params["DeletionProtection"]
        target = self.params.get("EngineVersion")
        if target:
            if rules.check_global_upgrade(SANDBOX, global_cluster, target, bool(self.params.get("AllowMajorVersionUpgrade"))):
                family = SANDBOX.catalog.parameter_group_family(global_cluster.engine, target)
                SANDBOX.schedule_global_upgrade(global_cluster, target, self.region, f"default.{family}")
            else:
                managed_minor.schedule(SANDBOX, global_cluster, target, self.region)
        return ActionResult({"GlobalCluster": describe_global_cluster(global_cluster)})

    def modify_db_cluster(self) -> ActionResult:
        target = self.params.get("EngineVersion")
        cluster = self.backend.describe_db_clusters(db_cluster_identifier=self.params["DBClusterIdentifier"])[0]
        global_cluster = global_cluster_of(cluster)
        if target is None or global_cluster is None:
            return super().modify_db_cluster()
        # Asking a member for the version it already runs changes nothing.
        upgrade_needed = target != cluster.engine_version
        if upgrade_needed:
            rules.check_member_upgrade(SANDBOX, global_cluster, cluster, target)
        # moto would apply EngineVersion at once: hand it the rest of the request and simulate the upgrade here.
        for simulated in ("EngineVersion", "AllowMajorVersionUpgrade"):
            self.params.pop(simulated, None)
        self.params["DBClusterIdentifier"] = cluster.db_cluster_identifier
        self.backend.modify_db_cluster(self.params)
        if upgrade_needed:
            self._upgrade_member(global_cluster, cluster, target)
        return ActionResult({"DBCluster": cluster})

    def _upgrade_member(self, global_cluster: GlobalCluster, cluster: DBCluster, target: str) -> None:
        # Accepted, the target is pending: with ApplyImmediately until the upgrade starts (the cluster still reads
        # `available` meanwhile), without it until the next maintenance window, which never comes here.
        cluster.pending_modified_values = {"EngineVersion": target}
        if self.params.get("ApplyImmediately"):
            SANDBOX.schedule_member_upgrade(global_cluster, cluster, target)

    def describe_db_engine_versions(self) -> ActionResult:
        versions = SANDBOX.catalog.describe(
            SANDBOX.hidden_versions(self.region),
            engine=self.params.get("Engine"),
            engine_version=self.params.get("EngineVersion"),
            family=self.params.get("DBParameterGroupFamily"),
            default_only=bool(self.params.get("DefaultOnly")),
            deprecated=frozenset(SANDBOX.config.deprecated_versions),
            include_all=bool(self.params.get("IncludeAll")),
        )
        return self._paged("DBEngineVersions", versions)

    def describe_db_cluster_parameters(self) -> ActionResult:
        name = self.params["DBClusterParameterGroupName"]
        wanted_names = self._parameter_name_filter()
        # Only parameters set by the user are modelled: default groups, and the engine's defaults, have none.
        user_parameters = [] if name.startswith("default.") else self.backend.describe_db_cluster_parameters(name)
        source = self.params.get("Source")
        parameters = [
            {**parameter, "Source": "user"}
            for parameter in user_parameters
            if source in (None, "user") and (wanted_names is None or parameter["ParameterName"] in wanted_names)
        ]
        return self._paged("Parameters", parameters)

    def _parameter_name_filter(self) -> set[str] | None:
        filters = self.params.get("Filters") or []
        unknown = [item["Name"] for item in filters if item["Name"] != "parameter-name"]
        if unknown:
            raise InvalidParameterValue(f"Unrecognized filter name: {unknown[0]}")
        if not filters:
            return None
        return {value for item in filters for value in item["Values"]}

    def reset_db_cluster_parameter_group(self) -> ActionResult:
        group = self.backend.describe_db_cluster_parameter_groups(group_name=self.params["DBClusterParameterGroupName"])[0]
        names = [parameter["ParameterName"] for parameter in self.params.get("Parameters") or []]
        reset_all = bool(self.params.get("ResetAllParameters"))
        if reset_all and names:
            raise InvalidParameterCombination("Specify either ResetAllParameters or a list of Parameters, not both.")
        for name in list(group.parameters) if reset_all else names:
            group.parameters.pop(name, None)
        return ActionResult({"DBClusterParameterGroupName": group.name})

    def describe_events(self) -> ActionResult:
        """The events of the caller's region: moto's own (DB instance created, ...) and those of simulated upgrades."""
        source_type, source_identifier = self.params.get("SourceType"), self.params.get("SourceIdentifier")
        if source_identifier and not source_type:
            raise InvalidParameterCombination("Cannot specify source identifier without source type")
        end = _utc(self.params.get("EndTime")) or datetime.datetime.fromtimestamp(SANDBOX.now(), tz=datetime.timezone.utc)
        start = _utc(self.params.get("StartTime")) or end - datetime.timedelta(minutes=self.params.get("Duration") or events.DEFAULT_DURATION_MINUTES)
        every_event = [_moto_event(event) for event in self.backend.events] + [event.as_api() for event in SANDBOX.events.in_region(self.region)]
        return self._paged("Events", events.select(every_event, source_type, source_identifier, start, end))

    def _paged(self, result_key: str, items: list[Any]) -> ActionResult:
        """One page of items and the Marker of the next one (moto's own paginator needs model attributes these lack)."""
        marker = self.params.get("Marker") or "0"
        if not marker.isdigit():
            raise InvalidParameterValue(f"Invalid Marker: {marker}")
        start = int(marker)
        end = start + (self.params.get("MaxRecords") or PAGE_SIZE)
        result: dict[str, Any] = {result_key: items[start:end]}
        if end < len(items):
            result["Marker"] = str(end)
        return ActionResult(result)


def _utc(moment: datetime.datetime | None) -> datetime.datetime | None:
    """A timezone-aware time; moto hands naive ones, in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=datetime.timezone.utc)


def _moto_event(event: Any) -> dict[str, Any]:
    """One of moto's own events (moto.rds.models.Event) as the Event shape."""
    return {
        "SourceIdentifier": event.source_identifier,
        "SourceType": event.source_type,
        "Message": event.message,
        "EventCategories": event.event_categories,
        "Date": _utc(event.date),
        "SourceArn": event.source_arn,
    }
