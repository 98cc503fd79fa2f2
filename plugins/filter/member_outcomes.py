# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: member_outcomes
version_added: 0.1.0
short_description: What an upgrade run did to each member of an Aurora global database
description:
  - Compares the global database read before a run (with its C(upgrade_plan)) with the one read after it, member by
    member, in the upgrade order of the first read.
  - A member counts as upgraded by the run only when the plan had it pending and it now runs the target B(and) is
    V(available), and the upgrade module did not report it failed; so a member whose upgrade failed or rolled back is
    never counted as upgraded. Nor is a member an earlier run had left upgrading (named by a blocker of the plan with
    C(in_flight)), since the run only waited for it.
  - In check mode (O(after) is V(None)) nothing moved; a pending member is reported as it would end.
  - The role P(aurora.global_db.aurora_global_upgrade#role) builds C(aurora_global_upgrade_result.members) with it.
options:
  _input:
    description:
      - The C(aurora_global) facts of M(aurora.global_db.aurora_global_facts) read before the run, with C(upgrade_plan).
    type: dict
    required: true
  after:
    description:
      - The C(aurora_global) facts read after the run; V(None) in check mode; a dict without C(members) when the
        read after the run failed (every member's status is then V(unknown)).
    type: dict
  failed_members:
    description: The members whose upgrade failed, as the upgrade module reported them.
    type: list
    elements: str
    default: []
  still_upgrading:
    description: The members whose upgrade was still running when the upgrade module stopped.
    type: list
    elements: str
    default: []
author:
  - aurora.global_db maintainers
"""

EXAMPLES = r"""
- name: Each member's versions before and after
  ansible.builtin.debug:
    msg: "{{ before | aurora.global_db.member_outcomes(after=after) }}"
"""

RETURN = r"""
_value:
  description:
    - One dict per member, in upgrade order, with C(db_cluster_identifier), C(region), C(role),
      C(engine_version_before), C(engine_version_after), C(status) (after the run), C(upgraded) (by this run, or
      would be in check mode), C(upgrading_before) (an earlier run had left it upgrading), C(still_upgrading) and
      C(failed).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

AVAILABLE = "available"
# Statuses of an upgrade that AWS is still carrying out.
UPGRADING_STATES = ("upgrading", "modifying")
GONE = "not a member any more"
UNREAD = "unknown"


def _outcome(member, found, target, pending, upgrading_before, failed, still_upgrading):
    upgraded = pending and not upgrading_before and not failed and found["engine_version"] == target and found["status"] == AVAILABLE
    return {
        "db_cluster_identifier": member["db_cluster_identifier"],
        "region": member["region"],
        "role": member["role"],
        "engine_version_before": member["engine_version"],
        "engine_version_after": found["engine_version"],
        "status": found["status"],
        "upgraded": upgraded,
        "upgrading_before": upgrading_before,
        "still_upgrading": still_upgrading or found["status"] in UPGRADING_STATES,
        "failed": failed,
    }


def member_outcomes(before, after=None, failed_members=(), still_upgrading=()):
    try:
        plan = before["upgrade_plan"]
        members = before["members"]
    except (KeyError, TypeError) as error:
        raise AnsibleFilterError("member_outcomes expects the aurora_global facts with an upgrade_plan, missing %s" % error) from error
    target = plan["target_engine_version"]
    upgrading_before = {cluster for blocker in plan.get("blockers", []) if blocker.get("in_flight") for cluster in blocker.get("clusters", [])}
    if after is None:
        # Check mode: the pending members would end at the target.
        after_by_id = {m["db_cluster_identifier"]: dict(m, engine_version=target) if m["db_cluster_identifier"] in plan["pending"] else m for m in members}
    else:
        after_by_id = {m["db_cluster_identifier"]: m for m in after.get("members", [])}
    missing = {"engine_version": None, "status": GONE if after is None or "members" in after else UNREAD}
    return [
        _outcome(
            member,
            after_by_id.get(member["db_cluster_identifier"], missing),
            target,
            member["db_cluster_identifier"] in plan["pending"],
            member["db_cluster_identifier"] in upgrading_before,
            member["db_cluster_identifier"] in failed_members,
            member["db_cluster_identifier"] in still_upgrading,
        )
        for member in members
    ]


class FilterModule:
    def filters(self):
        return {"member_outcomes": member_outcomes}
