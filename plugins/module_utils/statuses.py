# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every AWS status string the collection reads, in one table per resource kind, and the predicates built on them.

In the manner of kubernetes.core's RESOURCE_PREDICATES and amazon.aws's RDS state maps: a resource kind (the
names of kinds.py's KINDS table) maps to the statuses in which it is ready, busy with a change that finishes on
its own, or stuck (it will not become available without the operator). Code elsewhere asks a predicate of this
file and never compares status strings itself. Sources: botocore's RDS model (DBCluster.Status,
DBInstance.DBInstanceStatus, DBClusterSnapshot.Status, GlobalCluster.Status, FailoverState.Status,
GlobalClusterMember.SynchronizationStatus, DBParameterGroupStatus.ParameterApplyStatus), and the AWS RDS User
Guide, "Viewing Amazon Aurora DB cluster status" and "Viewing DB instance status".
"""

from collections import namedtuple

from ansible_collections.aurora.global_db.plugins.module_utils.kinds import BLUE_GREEN_DEPLOYMENT
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER_SNAPSHOT
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_INSTANCE
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import GLOBAL_CLUSTER

AVAILABLE = "available"
_UPGRADING = "upgrading"
_MODIFYING = "modifying"
# The DB instance status of an instance whose parameter group has values it cannot start with.
INCOMPATIBLE_PARAMETERS = "incompatible-parameters"
# Statuses after which a new DB cluster or DB instance will not become available without the operator.
_STUCK = (
    "failed", INCOMPATIBLE_PARAMETERS, "incompatible-restore", "incompatible-network", "inaccessible-encryption-credentials",
    "inaccessible-encryption-credentials-recoverable", "storage-full", "deleting",
)

# BlueGreenDeployment.Status (botocore BlueGreenDeployment; AWS RDS User Guide, "Viewing a blue/green deployment"):
# the blue_green method picks up from each of these (_blue_green_run.py), so they are named.
DEPLOYMENT_PROVISIONING = "PROVISIONING"
DEPLOYMENT_AVAILABLE = "AVAILABLE"
DEPLOYMENT_SWITCHOVER_IN_PROGRESS = "SWITCHOVER_IN_PROGRESS"
DEPLOYMENT_SWITCHOVER_COMPLETED = "SWITCHOVER_COMPLETED"
# The switchover did not finish within its timeout and AWS rolled it back: blue is still production.
DEPLOYMENT_SWITCHOVER_FAILED = "SWITCHOVER_FAILED"
# A global switchover or failover, or a change of the blue topology, after the deployment was created.
DEPLOYMENT_INVALID_CONFIGURATION = "INVALID_CONFIGURATION"

StatusTable = namedtuple("StatusTable", ["ready", "in_flight", "stuck"])
StatusTable.__doc__ = """The statuses of one resource kind: ready to act on; busy with a change that finishes on its own; stuck."""

STATUSES = {
    GLOBAL_CLUSTER: StatusTable((AVAILABLE,), (_UPGRADING, _MODIFYING), _STUCK),
    DB_CLUSTER: StatusTable((AVAILABLE,), (_UPGRADING, _MODIFYING), _STUCK),
    DB_INSTANCE: StatusTable((AVAILABLE,), (_UPGRADING, _MODIFYING), _STUCK),
    # botocore DBClusterSnapshot.Status lists available, copying and creating; the RDS console also shows failed ones.
    DB_CLUSTER_SNAPSHOT: StatusTable((AVAILABLE,), ("creating", "copying"), ("failed",)),
    # Ready: the green environment can be verified and switched over. Stuck: no run continues such a deployment.
    BLUE_GREEN_DEPLOYMENT: StatusTable(
        (DEPLOYMENT_AVAILABLE,), (DEPLOYMENT_PROVISIONING, DEPLOYMENT_SWITCHOVER_IN_PROGRESS),
        (DEPLOYMENT_INVALID_CONFIGURATION, DEPLOYMENT_SWITCHOVER_FAILED)),
}

# ParameterApplyStatus of a DB instance's parameter group, DBClusterParameterGroupStatus of a cluster member (botocore
# DBParameterGroupStatus, DBClusterMember; the project's AWS facts, "Real AWS, second pass"). A group still being taken in:
# AWS applies it, or waits for the engine upgrade it belongs to before applying it.
_APPLYING = ("applying", "pending-database-upgrade")
_PENDING_REBOOT = "pending-reboot"
_IN_SYNC = "in-sync"
_FAILED_TO_APPLY = "failed-to-apply"
# FailoverState.Status of a global cluster while a switchover or failover runs.
_FAILOVER_IN_PROGRESS = ("pending", "switching-over", "failing-over", "cancelling")
# GlobalClusterMember.SynchronizationStatus of a secondary that replicates normally.
SYNCHRONIZED = "connected"


def is_ready(kind, status):
    """The resource is ready to act on (``available``)."""
    return status in STATUSES[kind].ready


def is_in_flight(kind, status):
    """A change (an upgrade, a modification, a create) is running on the resource and finishes on its own."""
    return status in STATUSES[kind].in_flight


def is_stuck(kind, status):
    """The resource is in a status it will not leave by itself: it will not become available without the operator."""
    return status in STATUSES[kind].stuck


def is_applying(parameter_apply_status):
    """A parameter group change is being applied to a DB instance, or waits for the engine upgrade it belongs to."""
    return parameter_apply_status in _APPLYING


def shows_no_parameter_change(parameter_apply_status):
    """The group reads in-sync (or nothing): also what AWS may still report right after a modify, its status lagging."""
    return parameter_apply_status in (None, _IN_SYNC)


def failed_to_apply(parameter_apply_status):
    """AWS could not apply the group: it will not take effect without the operator."""
    return parameter_apply_status == _FAILED_TO_APPLY


def waits_for_reboot(parameter_apply_status):
    """A parameter group change takes effect only at the DB instance's next reboot."""
    return parameter_apply_status == _PENDING_REBOOT


def is_failover_in_progress(failover_status):
    """A switchover or failover of the global cluster is running (FailoverState.Status)."""
    return failover_status in _FAILOVER_IN_PROGRESS


def is_synchronized(synchronization_status):
    """A member replicates normally; AWS leaves SynchronizationStatus out where it has nothing to report."""
    return synchronization_status in (None, SYNCHRONIZED)
