# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The managed minor upgrade's wait: one request upgrades every member, so a rollback fails every member, whichever the
reads saw rolled back first."""

from types import SimpleNamespace

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils import managed_minor
from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import GLOBAL_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import Deadline
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import Resource
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import State
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import VirtualClock

MEMBERS = {"pg-secondary-apse2": "ap-southeast-2", "pg-secondary-euw1": "eu-west-1", "pg-primary-use1": "us-east-1"}
RESOURCES = [Resource(GLOBAL_CLUSTER, "pg-global", "us-east-1")] + [Resource(DB_CLUSTER, name, region) for name, region in MEMBERS.items()]


def _upgrade_read_as(monkeypatch, polls):
    """A managed minor run whose reads answer ``polls``: per poll, resource identifier -> (status, engine version)."""
    answers = iter([State(resource, engine_version=poll[resource.identifier][1], status=poll[resource.identifier][0])
                    for poll in polls for resource in RESOURCES])
    monkeypatch.setattr(managed_minor, "read_upgrade_state", lambda clients, resource: next(answers))
    monkeypatch.setattr(managed_minor, "recent_events", lambda clients, region, identifier, minutes: [])
    clock = VirtualClock()
    request = SimpleNamespace(global_cluster_identifier="pg-global", engine_version="14.9", poll_interval=1, status_settle_seconds=60,
                              wait_timeout=600)
    run = managed_minor.ManagedMinorUpgrade(SimpleNamespace(), None, request, False, clock, clock.sleep)
    run._started_at, run._deadline = clock(), Deadline(request.wait_timeout, clock)  # pylint: disable=protected-access
    return run


UPGRADING = {name: ("upgrading", "14.6") for name in ["pg-global"] + list(MEMBERS)}


@pytest.mark.parametrize("first_seen", list(MEMBERS))
def test_a_rollback_seen_first_on_one_member_fails_every_member(monkeypatch, first_seen):
    # The second poll's reads straddle the rollback: the global cluster and the members read before it still upgrade.
    straddling = dict(UPGRADING, **{first_seen: ("available", "14.6")})
    run = _upgrade_read_as(monkeypatch, [UPGRADING, straddling])
    with pytest.raises(AuroraGlobalError, match="did not complete"):
        run._wait(RESOURCES, "14.9")  # pylint: disable=protected-access
    progress = run.progress()
    assert progress["rolled_back"] is True
    assert progress["failed_members"] == list(MEMBERS)
    assert not set(progress["still_upgrading"]) & set(MEMBERS)
