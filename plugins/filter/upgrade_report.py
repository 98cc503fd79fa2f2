# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: upgrade_report
short_description: The report of one run of the aurora_global_upgrade role
version_added: 0.1.0
author: Aurora global_db maintainers (@aurora-global-db)
description:
  - Builds the report the role R(aurora.global_db.aurora_global_upgrade,ansible_collections.aurora.global_db.aurora_global_upgrade_role)
    writes to C(aurora_global_upgrade_report_dir), from what the run read and recorded; the role renders it as JSON and Markdown.
  - Members come from C(result) when the run got that far, else from C(before) (their versions after the run then unknown).
  - C(follow_ups) lists what AWS recommends after the upgrade (C(ANALYZE) and extension updates after an Aurora PostgreSQL
    major upgrade; every member on the same version) and what the run left to do (parameter groups, reboots, the snapshot).
options:
  _input:
    description:
      - A dictionary with the keys C(global_cluster_identifier), C(target_engine_version) (required), C(before) (the
        C(aurora_global) facts read before acting, with C(upgrade_plan)), C(result) (C(aurora_global_upgrade_result)),
        C(member_times) (member to C(started_at) and C(finished_at)), C(snapshot), C(parameter_groups), C(check_mode),
        C(stopped_at) (the task the run stopped at), C(message) and C(written_at).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Write the report as JSON
  ansible.builtin.copy:
    content: "{{ report_input | aurora.global_db.upgrade_report | to_nice_json }}"
    dest: /var/tmp/pg-global-report.json
    mode: "0644"
"""

RETURN = r"""
_value:
  description:
    - The report, with the keys C(global_cluster_identifier), C(engine), C(engine_version_before), C(target_engine_version), C(kind),
      C(method), C(outcome) (V(succeeded), V(stopped) or V(check mode)), C(check_mode), C(stopped_at), C(message), C(written_at),
      C(restrictions_checked), C(blockers), C(members), C(snapshot), C(parameter_groups) and C(follow_ups).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.aurora.global_db.plugins.module_utils.report import upgrade_report


def _filter(report_input):
    if not isinstance(report_input, dict):
        raise AnsibleFilterError("upgrade_report expects a dictionary, not %s" % type(report_input).__name__)
    try:
        return upgrade_report(**report_input)
    except TypeError as error:
        raise AnsibleFilterError("upgrade_report: %s" % error) from error


class FilterModule:
    def filters(self):
        return {"upgrade_report": _filter}
