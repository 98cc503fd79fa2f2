# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS's managed minor upgrade of an Aurora PostgreSQL global database (2026): one ModifyGlobalCluster(EngineVersion)
without AllowMajorVersionUpgrade, and AWS upgrades every member, or rolls every member back to the old version.

The global cluster and every member read `upgrading` (after the status delay) for upgrade_seconds, then `available`
at the target, or at the old version when fail_upgrade_of names the global cluster or a member (a rollback, with one
more event per member saying so). The holds of upgrades (hold_pending_of, hold_upgrade_of) apply. Which minor
upgrades AWS accepts is rules.check_global_upgrade's (the setting managed_minor_upgrades); sources in docs/sandbox.md.
"""

from __future__ import annotations

import dataclasses
import datetime

from moto.rds.models import GlobalCluster

from .events import EventLog, RdsEvent
from .state import SandboxState
from .upgrades import AVAILABLE, UPGRADING, Upgrade

# The sandbox's wording: AWS says it rolls back "if issues occur" and documents no event text (unverified).
ROLLED_BACK = (
    "The managed minor version upgrade of global cluster {global_cluster} to {target} didn't complete: "
    "Amazon RDS rolled the DB cluster back to engine version {version}."
)


@dataclasses.dataclass(eq=False)
class ManagedMinorUpgrade(Upgrade):
    """A minor upgrade of the whole global cluster: its members report minor-upgrade events; nothing else changes
    (unlike a major upgrade, parameter groups stay)."""

    event_log: EventLog | None = None

    @property
    def subject(self) -> dict[str, str]:
        return {"GlobalClusterIdentifier": self.global_cluster.global_cluster_identifier}

    def begin(self) -> None:
        super().begin()
        self.global_cluster.status = UPGRADING

    def finish(self) -> None:
        versions_before = [cluster.engine_version for cluster in self.clusters]
        super().finish()
        self.global_cluster.status = AVAILABLE
        if self.fails and self.event_log is not None:
            date = datetime.datetime.fromtimestamp(self.ends_at, tz=datetime.timezone.utc)
            for cluster, version in zip(self.clusters, versions_before):
                message = ROLLED_BACK.format(global_cluster=self.global_cluster.global_cluster_identifier, target=self.target, version=version)
                self.event_log.add(RdsEvent(cluster.region, cluster.db_cluster_identifier, cluster.db_cluster_arn, message, date))


def schedule(state: SandboxState, global_cluster: GlobalCluster, target: str, region: str) -> None:
    """Start the upgrade of every member (accepted now, `upgrading` after status_delay_seconds)."""
    identifiers = frozenset([global_cluster.global_cluster_identifier] + [member.db_cluster_identifier for member in global_cluster.members])
    starts_at = datetime.datetime.now(datetime.timezone.utc).timestamp() + state.config.status_delay_seconds
    ends_at = starts_at + state.config.upgrade_seconds
    state.timeline.schedule(ManagedMinorUpgrade(
        global_cluster=global_cluster, clusters=list(global_cluster.members), target=target, region=region,
        starts_at=starts_at, ends_at=ends_at, fails=not identifiers.isdisjoint(state.config.fail_upgrade_of),
        identifiers=identifiers, event_log=state.events,
    ))
    state.settle()
