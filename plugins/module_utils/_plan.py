# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The upgrade plan: what kind of upgrade a target means, how AWS wants it done and what blocks it."""

from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import IN_PLACE
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import SNAPSHOT_RESTORE
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import UPGRADE_METHODS
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import UpgradeContext
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import checked_codes
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import find_blockers
from ansible_collections.aurora.global_db.plugins.module_utils._versions import DOWNGRADE
from ansible_collections.aurora.global_db.plugins.module_utils._versions import MAJOR
from ansible_collections.aurora.global_db.plugins.module_utils._versions import MINOR
from ansible_collections.aurora.global_db.plugins.module_utils._versions import NONE
from ansible_collections.aurora.global_db.plugins.module_utils._versions import compare_versions
from ansible_collections.aurora.global_db.plugins.module_utils._versions import parse_engine_version
from ansible_collections.aurora.global_db.plugins.module_utils._versions import upgrade_kind

METHOD_GLOBAL = "global"
METHOD_PER_CLUSTER = "per_cluster"
METHOD_NONE = "none"
# Aurora MySQL version 2 -> 3 of a global database: no in-place path, a new global database from a snapshot (R3).
METHOD_SNAPSHOT_RESTORE = SNAPSHOT_RESTORE
MYSQL_V2_TO_V3_BLOCKER = "mysql_v2_to_v3_in_place"

_METHODS = {MAJOR: METHOD_GLOBAL, MINOR: METHOD_PER_CLUSTER, NONE: METHOD_NONE}


def pending_members(facts, target):
    """Members still below ``target``, in upgrade order (facts["members"] already is)."""
    return [m for m in facts["members"] if compare_versions(facts["engine"], m["engine_version"], target) < 0]


def _is_major_step(engine, member, target, targets_by_member):
    kind = upgrade_kind(engine, member["engine_version"], target, targets_by_member.get(member["db_cluster_identifier"]))
    if kind == DOWNGRADE:
        return parse_engine_version(engine, member["engine_version"]).major_line != parse_engine_version(engine, target).major_line
    return kind == MAJOR


def _method_field(method, kind, blockers):
    """upgrade_plan.method: how AWS is asked for an in-place upgrade, else the method itself."""
    if kind == NONE:
        return METHOD_NONE
    if method != IN_PLACE:
        return method
    return METHOD_SNAPSHOT_RESTORE if any(b["code"] == MYSQL_V2_TO_V3_BLOCKER for b in blockers) else _METHODS[kind]


def build_upgrade_plan(facts, target, targets_by_member, method=IN_PLACE, community_versions=None, blue_green_readings=None):
    """The plan of ``method`` for moving every member of the global database described by ``facts`` to ``target``.

    targets_by_member maps each pending member's db_cluster_identifier to the
    valid upgrade targets of its version in its own region; community_versions maps
    engine versions to the community MySQL version AWS names for them; blue_green_readings
    is what the Blue/Green prerequisites are checked on (None: not checked). The plan's
    ``methods`` holds every method's blockers. Raises InvalidEngineVersion when
    ``target`` is not a version of the engine.
    """
    engine = facts["engine"]
    target = parse_engine_version(engine, target).text
    off_target = [m for m in facts["members"] if compare_versions(engine, m["engine_version"], target) != 0]
    pending = pending_members(facts, target)
    if not off_target:
        kind = NONE
        methods = {name: [] for name in UPGRADE_METHODS}
        checked = []
    else:
        kind = MAJOR if any(_is_major_step(engine, m, target, targets_by_member) for m in off_target) else MINOR
        methods = {
            name: find_blockers(UpgradeContext(facts, target, kind, pending, targets_by_member, name, community_versions, blue_green_readings))
            for name in UPGRADE_METHODS
        }
        checked = checked_codes(method)
    return {
        "target_engine_version": target,
        "kind": kind,
        "method": _method_field(method, kind, methods[method]),
        "pending": [m["db_cluster_identifier"] for m in pending],
        "blockers": methods[method],
        "checked": checked,
        "methods": methods,
    }
