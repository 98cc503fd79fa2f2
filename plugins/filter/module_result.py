# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: module_result
short_description: What a module returned, without the keys Ansible and the AWS SDK add to every result
version_added: 0.1.0
author: Aurora global_db maintainers (@aurora-global-db)
description:
  - Returns the registered result of a task without C(invocation), C(changed), C(failed), C(failed_when_result),
    C(warnings), C(deprecations), C(exception), the skip keys, the SDK versions and C(response_metadata), that is what the
    module itself reported.
  - The role P(aurora.global_db.aurora_global_upgrade#role) relays its modules' results with it into
    C(aurora_global_upgrade_result), as they returned them.
options:
  _input:
    description: A registered task result; V(None) or a skipped task give an empty dict.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Keep what the upgrade module returned
  ansible.builtin.set_fact:
    upgrade_result: "{{ registered_upgrade | aurora.global_db.module_result }}"
"""

RETURN = r"""
_value:
  description: The module's own keys and values.
  type: dict
"""

from ansible.errors import AnsibleFilterError

# Added by Ansible to every task result, or by amazon.aws's fail_json_aws to every AWS failure.
_NOT_THE_MODULES = frozenset((
    "invocation", "changed", "failed", "failed_when_result", "failed_when_suppressed_exception", "warnings", "deprecations",
    "exception", "skipped", "skip_reason", "false_condition", "boto3_version", "botocore_version", "response_metadata",
))


def module_result(result):
    if result is None:
        return {}
    if not isinstance(result, dict):
        raise AnsibleFilterError("module_result expects a registered task result (a dictionary), not %s" % type(result).__name__)
    if result.get("skipped"):
        return {}
    return {key: value for key, value in result.items() if key not in _NOT_THE_MODULES and not key.startswith("_ansible")}


class FilterModule:
    def filters(self):
        return {"module_result": module_result}
