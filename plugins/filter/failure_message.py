# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: failure_message
short_description: The message of the first failed task among registered results
version_added: 0.1.0
author: Aurora global_db maintainers (@aurora-global-db)
description:
  - Returns the C(msg) of the first failed result of the list (a task registers its result also when it fails); for a
    looped task, the messages of its failed items, joined. V(None) when none failed. A task that did not run is V(None)
    in the list.
  - The role P(aurora.global_db.aurora_global_upgrade#role) records with it, in C(aurora_global_upgrade_result) and its
    report, why a run stopped, as the failed task said it.
options:
  _input:
    description: Registered task results, in the order the tasks ran.
    type: list
    elements: raw
    required: true
"""

EXAMPLES = r"""
- name: Say why the run stopped
  ansible.builtin.debug:
    msg: "{{ [registered_check, registered_change] | aurora.global_db.failure_message }}"
"""

RETURN = r"""
_value:
  description: The failed task's message, or V(None).
  type: str
"""

from ansible.errors import AnsibleFilterError


def failure_message(results):
    if not isinstance(results, (list, tuple)):
        raise AnsibleFilterError("failure_message expects a list of registered task results, not %s" % type(results).__name__)
    for result in results:
        if not isinstance(result, dict) or not result.get("failed"):
            continue
        items = [item["msg"] for item in result.get("results", []) if isinstance(item, dict) and item.get("failed") and item.get("msg")]
        return " ".join(items) if items else result.get("msg")
    return None


class FilterModule:
    def filters(self):
        return {"failure_message": failure_message}
