# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The RDS events (DescribeEvents) of simulated upgrades, worded as AWS words them.

Sources: the Aurora user guide's "Finding the reasons for Aurora MySQL major version upgrade failures" (start and
pre-check failure), its "Aurora MySQL in-place upgrade tutorial" (progress and end of a major upgrade), and
"Amazon RDS event categories and event messages for Aurora" (RDS-EVENT-0173, end of a minor upgrade).
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from .upgrades import COMPLETED, FAILED, STARTED, Upgrade

SOURCE_TYPE = "db-cluster"
CATEGORIES = ("maintenance",)
UPGRADE_STARTED = "Database cluster engine version upgrade started."
MAJOR_UPGRADE_IN_PROGRESS = "Upgrade in progress: Performing online pre-upgrade checks."
MINOR_UPGRADE_FINISHED = "Database cluster engine version has been upgraded."
MAJOR_UPGRADE_FINISHED = "Database cluster major version has been upgraded"
UPGRADE_FAILED = (
    "Database cluster is in a state that cannot be upgraded: Upgrade prechecks failed. For more details, see the upgrade-prechecks.log file. "
    "For more information on troubleshooting the cause of the upgrade failure, see "
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Upgrading.Troubleshooting.html"
)
# DescribeEvents' default Duration, in minutes.
DEFAULT_DURATION_MINUTES = 60


def upgrade_messages(transition: str, major: bool) -> list[str]:
    """The messages a DB cluster's upgrade reports at a transition (STARTED, COMPLETED or FAILED)."""
    if transition == STARTED:
        return [UPGRADE_STARTED, MAJOR_UPGRADE_IN_PROGRESS] if major else [UPGRADE_STARTED]
    if transition == COMPLETED:
        return [MAJOR_UPGRADE_FINISHED if major else MINOR_UPGRADE_FINISHED]
    return [UPGRADE_FAILED] if transition == FAILED else []


@dataclasses.dataclass(frozen=True)
class RdsEvent:
    region: str
    source_identifier: str
    source_arn: str
    message: str
    date: datetime.datetime
    source_type: str = SOURCE_TYPE
    categories: tuple[str, ...] = CATEGORIES

    def as_api(self) -> dict[str, Any]:
        """The Event shape of DescribeEvents."""
        return {
            "SourceIdentifier": self.source_identifier,
            "SourceType": self.source_type,
            "Message": self.message,
            "EventCategories": list(self.categories),
            "Date": self.date,
            "SourceArn": self.source_arn,
        }


class EventLog:
    """The events of simulated upgrades, oldest first."""

    def __init__(self) -> None:
        self._events: list[RdsEvent] = []

    def record_upgrade(self, transition: str, upgrade: Upgrade, when: float) -> None:
        """One event per message for each DB cluster of the upgrade, in that cluster's region."""
        date = datetime.datetime.fromtimestamp(when, tz=datetime.timezone.utc)
        for cluster in upgrade.clusters:
            for message in upgrade_messages(transition, major=upgrade.is_global):
                self._events.append(RdsEvent(cluster.region, cluster.db_cluster_identifier, cluster.db_cluster_arn, message, date))

    def record(self, region: str, source_type: str, identifier: str, arn: str, message: str, when: float) -> None:
        """One event of any source (a DB instance whose parameter group failed to apply ...)."""
        date = datetime.datetime.fromtimestamp(when, tz=datetime.timezone.utc)
        self._events.append(RdsEvent(region, identifier, arn, message, date, source_type=source_type, categories=("configuration change",)))

    def add(self, event: RdsEvent) -> None:
        self._events.append(event)

    def in_region(self, region: str) -> list[RdsEvent]:
        return [event for event in self._events if event.region == region]


def select(events: list[dict[str, Any]], source_type: str | None, source_identifier: str | None,
           start: datetime.datetime, end: datetime.datetime) -> list[dict[str, Any]]:
    """DescribeEvents' filters over Event shapes; identifiers match case-insensitively. Oldest first, as AWS lists them."""
    wanted = [
        event for event in events
        if (source_type is None or event["SourceType"] == source_type)
        and (source_identifier is None or event["SourceIdentifier"].lower() == source_identifier.lower())
        and start <= event["Date"] <= end
    ]
    return sorted(wanted, key=lambda event: event["Date"])
