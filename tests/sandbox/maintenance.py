# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The RDS calls around a major upgrade: the snapshot before it, parameter groups and reboots after it.

Mixins of SandboxRDSResponse (sandbox.responses): each method checks what AWS checks, lets moto store the change,
then adds the states moto lacks (`creating` snapshots, `pending-reboot` instances, `rebooting`), which the sandbox
moves on later through SANDBOX.later().
"""

from __future__ import annotations

import time

from moto.core.responses import ActionResult
from moto.rds.exceptions import InvalidDBClusterStateFault, RDSClientError
from moto.rds.models import DBCluster, DBInstance
from moto.rds.responses import RDSResponse

from . import parameter_groups, snapshots
from .state import SANDBOX

AVAILABLE = "available"
MODIFYING = "modifying"
REBOOTING = "rebooting"


def _family(cluster: DBCluster) -> str:
    return SANDBOX.catalog.parameter_group_family(cluster.engine, cluster.engine_version)


def _apply_fails(instance: DBInstance) -> bool:
    return instance.db_instance_identifier.lower() in SANDBOX.config.fail_parameter_apply_of


def _refuse_unless_available(instance: DBInstance) -> None:
    if instance.status != AVAILABLE:
        # botocore: InvalidDBInstanceStateFault has the code InvalidDBInstanceState.
        raise RDSClientError("InvalidDBInstanceState", f"Instance {instance.db_instance_identifier} is not in available state.")


class SnapshotResponses(RDSResponse):
    def create_db_cluster_snapshot(self) -> ActionResult:
        identifier = snapshots.checked_identifier(self.params["DBClusterSnapshotIdentifier"])
        cluster = self.backend.describe_db_clusters(db_cluster_identifier=self.params["DBClusterIdentifier"])[0]
        if cluster.status != AVAILABLE:
            raise InvalidDBClusterStateFault(f"DB cluster {cluster.db_cluster_identifier} is not in the available state ({cluster.status}).")
        snapshot = self.backend.create_db_cluster_snapshot(cluster.db_cluster_identifier, identifier, tags=self.params.get("Tags"))
        snapshots.start_creating(snapshot)
        SANDBOX.later(SANDBOX.config.snapshot_seconds, lambda: snapshots.finish_creating(snapshot), "SnapshotAvailable", self.region,
                      {"DBClusterSnapshotIdentifier": identifier, "DBClusterIdentifier": cluster.db_cluster_identifier})
        return ActionResult({"DBClusterSnapshot": snapshot})


class ParameterGroupResponses(RDSResponse):
    def describe_db_cluster_parameter_groups(self) -> ActionResult:
        name = self.params.get("DBClusterParameterGroupName")
        if name:
            self.params["DBClusterParameterGroupName"] = parameter_groups.cluster_parameter_group(SANDBOX.catalog, self.backend, name).name
        return super().describe_db_cluster_parameter_groups()

    def describe_db_parameter_groups(self) -> ActionResult:
        name = self.params.get("DBParameterGroupName")
        if name:
            # moto answers an empty list for an unknown name; AWS answers DBParameterGroupNotFound.
            self.params["DBParameterGroupName"] = parameter_groups.db_parameter_group(SANDBOX.catalog, self.backend, name).name
        return super().describe_db_parameter_groups()

    def modify_db_cluster(self) -> ActionResult:
        name = self.params.get("DBClusterParameterGroupName")
        if name is None:
            return super().modify_db_cluster()
        cluster = self.backend.describe_db_clusters(db_cluster_identifier=self.params["DBClusterIdentifier"])[0]
        group = parameter_groups.cluster_parameter_group(SANDBOX.catalog, self.backend, name)
        parameter_groups.check_family("DB Cluster Parameter Group", group.name, group.db_parameter_group_family, _family(cluster))
        changed = group.name != cluster.parameter_group
        self.params["DBClusterParameterGroupName"] = group.name
        answer = super().modify_db_cluster()
        if changed:
            # Each instance keeps reading `in-sync` for status_delay_seconds (AWS's status lags behind the modify), then waits
            # for its reboot, or reads `failed-to-apply` (fail_parameter_apply_of).
            for instance in cluster.members:
                SANDBOX.later(SANDBOX.config.status_delay_seconds, lambda instance=instance: self._cluster_group_noted(instance, group.name),
                              "ParameterGroupApplied", self.region,
                              {"DBInstanceIdentifier": instance.db_instance_identifier, "DBClusterIdentifier": cluster.db_cluster_identifier,
                               "DBClusterParameterGroupName": group.name})
        return answer

    def _cluster_group_noted(self, instance: DBInstance, group: str) -> None:
        failed = _apply_fails(instance)
        parameter_groups.mark_cluster_group_pending(instance, failed)
        if failed:
            self._record_apply_failure(instance, group)

    def _record_apply_failure(self, instance: DBInstance, group: str) -> None:
        SANDBOX.events.record(self.region, "db-instance", instance.db_instance_identifier, instance.db_instance_arn,
                              parameter_groups.APPLY_FAILED_EVENT.format(group=group, instance=instance.db_instance_identifier), time.time())

    def modify_db_instance(self) -> ActionResult:
        name = self.params.get("DBParameterGroupName")
        instance = self.backend.describe_db_instances(self.params["DBInstanceIdentifier"])[0]
        cluster = getattr(instance, "cluster", None)
        if name is None or cluster is None:
            return super().modify_db_instance()
        _refuse_unless_available(instance)
        group = parameter_groups.db_parameter_group(SANDBOX.catalog, self.backend, name)
        parameter_groups.check_family("Parameter Group", group.name, group.family, _family(cluster))
        changed = group.name != parameter_groups.instance_parameter_group_name(instance)
        self.params["DBParameterGroupName"] = group.name
        answer = super().modify_db_instance()
        if changed:
            # The name changes at once; the instance is `modifying` with the group `applying` for a moment, then waits for a reboot.
            instance.status = MODIFYING
            parameter_groups.set_parameter_apply_status(instance, parameter_groups.APPLYING)
            SANDBOX.later(SANDBOX.config.status_delay_seconds, lambda: self._applied(instance), "ParameterGroupApplied", self.region,
                          {"DBInstanceIdentifier": instance.db_instance_identifier, "DBParameterGroupName": group.name})
        return answer

    def _applied(self, instance: DBInstance) -> None:
        instance.status = AVAILABLE
        failed = _apply_fails(instance)
        parameter_groups.set_parameter_apply_status(instance, parameter_groups.FAILED_TO_APPLY if failed else parameter_groups.PENDING_REBOOT)
        if failed:
            self._record_apply_failure(instance, parameter_groups.instance_parameter_group_name(instance))

    def reboot_db_instance(self) -> ActionResult:
        instance = self.backend.describe_db_instances(self.params["DBInstanceIdentifier"])[0]
        _refuse_unless_available(instance)
        answer = super().reboot_db_instance()
        instance.status = REBOOTING
        SANDBOX.later(SANDBOX.config.reboot_seconds, lambda: self._back_from_reboot(instance), "RebootCompleted", self.region,
                      {"DBInstanceIdentifier": instance.db_instance_identifier})
        return answer

    @staticmethod
    def _back_from_reboot(instance: DBInstance) -> None:
        instance.status = AVAILABLE
        parameter_groups.rebooted(instance)
