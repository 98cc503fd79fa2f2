# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a run did to each member of the global database (the per-member keys of interface.md, third round), for the
methods in which AWS upgrades every member at once (managed_minor, blue_green): one start and one end for all of them."""

UPGRADED = "upgraded"
ALREADY_AT_TARGET = "already_at_target"
FAILED = "failed"
STILL_UPGRADING = "still_upgrading"
NOT_STARTED = "not_started"

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def timestamp(moment):
    """A UTC datetime as the results write it (ISO 8601, seconds, Z)."""
    return moment.strftime(_TIME_FORMAT) if moment else None


def member_outcomes(before_members, after_versions, target, failed, still_upgrading, upgrade_started_at, upgrade_finished_at):
    """Each member of ``before_members`` (facts members) with engine_version_before, engine_version_after (from
    ``after_versions``: identifier -> version read at the end, absent when not read), started_at / finished_at (the
    upgrade's, for members it reached) and outcome. ``failed`` and ``still_upgrading`` are identifiers."""
    rows = []
    for member in before_members:
        identifier = member["db_cluster_identifier"]
        after = after_versions.get(identifier)
        if member["engine_version"] == target:
            outcome = ALREADY_AT_TARGET
        elif identifier in failed:
            outcome = FAILED
        elif identifier in still_upgrading:
            outcome = STILL_UPGRADING
        elif after == target:
            outcome = UPGRADED
        else:
            outcome = NOT_STARTED
        reached = outcome in (UPGRADED, FAILED, STILL_UPGRADING)
        rows.append({
            "db_cluster_identifier": identifier,
            "region": member["region"],
            "engine_version_before": member["engine_version"],
            "engine_version_after": after,
            "started_at": upgrade_started_at if reached else None,
            "finished_at": upgrade_finished_at if outcome in (UPGRADED, FAILED) else None,
            "outcome": outcome,
        })
    return rows
