# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The managed minor method's pure decisions: what it refuses, how to read AWS's answers, how to word the outcome.

Private to managed_minor.py (the facade); no AWS call here, so each rule is unit-tested on plain data.
"""

from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import GLOBAL_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_in_flight
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_ready
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import members_in_flight
from ansible_collections.aurora.global_db.plugins.module_utils._versions import AURORA_POSTGRESQL
from ansible_collections.aurora.global_db.plugins.module_utils._versions import MAJOR

METHOD = "managed_minor"
# AWS's refusals of a minor target through ModifyGlobalCluster (region, version or engine without the feature):
# (error codes, a text each message holds). The facts file quotes them; the codes have varied, so both are accepted.
REFUSAL_CODES = ("InvalidParameterValue", "InvalidParameterCombination")
REFUSAL_TEXTS = (
    "doesn't support minor version upgrades",
    "can't perform minor version upgrades through ModifyGlobalCluster",
    "only supports Major Version Upgrades",
)
# The last events shown per member.
EVENTS_SHOWN = 5


def method_refusals(facts, plan):
    """Why managed_minor must not start: not Aurora PostgreSQL, not a minor target, or a blocker of the plan that does not
    only wait for an upgrade already running. Empty when it may go ahead."""
    identifier = facts["global_cluster_identifier"]
    refusals = []
    if facts["engine"] != AURORA_POSTGRESQL:
        refusals.append(
            "method_not_supported: managed_minor is AWS's managed minor upgrade of Aurora PostgreSQL; %s runs %s. "
            "Use aurora_global_upgrade_method in_place (or rebuild_secondaries, blue_green when AWS refuses it in place)." % (identifier, facts["engine"])
        )
    elif plan["kind"] == MAJOR:
        refusals.append(
            "method_not_supported: managed_minor does minor upgrades only; %s -> %s is a major version upgrade of %s. "
            "Use aurora_global_upgrade_method in_place with allow_major_version_upgrade (one ModifyGlobalCluster), or blue_green." % (
                facts["engine_version"], plan["target_engine_version"], identifier)
        )
    refusals.extend(blocker["message"] for blocker in plan["blockers"] if not blocker["in_flight"])
    return refusals


def upgrade_under_way(facts):
    """An upgrade runs or was accepted (an earlier run's, or this one's whose answer was lost): wait for it, never call again."""
    return is_in_flight(GLOBAL_CLUSTER, facts["status"]) or bool(members_in_flight(facts))


def is_feature_refusal(code, message):
    """Whether AWS refused the managed minor upgrade itself (no such feature here), as opposed to the state of the database."""
    return code in REFUSAL_CODES and any(text.lower() in (message or "").lower() for text in REFUSAL_TEXTS)


def outcome_unknown(http_status, has_error_code):
    """Whether AWS may have applied a call whose answer did not arrive: a server error (5xx), or no AWS answer at all."""
    return not has_error_code or (http_status is not None and http_status >= 500)


def feature_refusal_message(identifier, region, target, aws_message):
    return (
        "AWS refused the managed minor upgrade of global cluster %s to %s (ModifyGlobalCluster in %s): this region, engine "
        "version or engine does not offer it. Nothing was changed. Use aurora_global_upgrade_method in_place, which "
        "upgrades the members one by one (ModifyDBCluster), secondaries first. AWS said: %s" % (identifier, target, region, aws_message)
    )


def format_member_events(events_by_member):
    """'member (region): [time] message ...' for each member, oldest first, the last EVENTS_SHOWN each."""
    parts = []
    for (identifier, region), events in events_by_member:
        lines = ["[%s] %s" % (event["Date"].isoformat() if hasattr(event.get("Date"), "isoformat") else event.get("Date"), event.get("Message"))
                 for event in events[-EVENTS_SHOWN:]]
        parts.append("%s (%s): %s" % (identifier, region, " ".join(lines) or "no event."))
    return " ".join(parts)


def members_at(facts, target):
    """The members at ``target`` and available, in upgrade order."""
    return [m["db_cluster_identifier"] for m in facts["members"] if m["engine_version"] == target and is_ready(DB_CLUSTER, m["status"])]
