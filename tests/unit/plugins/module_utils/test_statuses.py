# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one table of AWS statuses: every kind has its row, and each predicate answers from it."""

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils import statuses
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import BLUE_GREEN_DEPLOYMENT
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER_SNAPSHOT
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_INSTANCE
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import GLOBAL_CLUSTER

KINDS = (GLOBAL_CLUSTER, DB_CLUSTER, DB_INSTANCE, DB_CLUSTER_SNAPSHOT)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_ready_only_when_available(kind):
    assert statuses.is_ready(kind, "available")
    assert not statuses.is_ready(kind, "creating")
    assert not statuses.is_ready(kind, None)


@pytest.mark.parametrize("kind", KINDS + (BLUE_GREEN_DEPLOYMENT,))
def test_no_status_is_in_two_rows_of_a_kind(kind):
    table = statuses.STATUSES[kind]
    rows = [set(table.ready), set(table.in_flight), set(table.stuck)]
    assert sum(len(row) for row in rows) == len(set().union(*rows))


@pytest.mark.parametrize("kind, status, in_flight, stuck", [
    (GLOBAL_CLUSTER, "upgrading", True, False),
    (DB_CLUSTER, "modifying", True, False),
    (DB_CLUSTER, "storage-full", False, True),
    (DB_INSTANCE, "incompatible-parameters", False, True),
    (DB_CLUSTER_SNAPSHOT, "creating", True, False),
    (DB_CLUSTER_SNAPSHOT, "failed", False, True),
    (DB_CLUSTER, "backing-up", False, False),
    # A Blue/Green deployment's statuses are AWS's upper-case words (BlueGreenDeployment.Status).
    (BLUE_GREEN_DEPLOYMENT, "PROVISIONING", True, False),
    (BLUE_GREEN_DEPLOYMENT, "SWITCHOVER_IN_PROGRESS", True, False),
    (BLUE_GREEN_DEPLOYMENT, "SWITCHOVER_FAILED", False, True),
    (BLUE_GREEN_DEPLOYMENT, "INVALID_CONFIGURATION", False, True),
    (BLUE_GREEN_DEPLOYMENT, "SWITCHOVER_COMPLETED", False, False),
])
def test_in_flight_and_stuck_statuses_by_kind(kind, status, in_flight, stuck):
    assert statuses.is_in_flight(kind, status) is in_flight
    assert statuses.is_stuck(kind, status) is stuck


def test_parameter_apply_failover_and_synchronization_statuses():
    assert statuses.waits_for_reboot("pending-reboot") and not statuses.waits_for_reboot("in-sync")
    assert statuses.is_applying("applying") and not statuses.is_applying("in-sync")
    assert statuses.is_failover_in_progress("switching-over") and not statuses.is_failover_in_progress("cancelled")
    assert statuses.is_synchronized("connected") and statuses.is_synchronized(None) and not statuses.is_synchronized("pending-resync")
