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
    writes to C(aurora_global_upgrade_report_dir) from C(aurora_global_upgrade_result) alone; the role renders it as JSON and Markdown.
  - Members, their versions, times and outcomes are those the method's module returned; after a refusal, the members as
    first read (not started).
  - C(follow_ups) lists what AWS recommends after the upgrade (C(ANALYZE) and extension updates after an Aurora PostgreSQL
    major upgrade; every member on the same version) and what the run left to do (parameter groups, reboots, the snapshot).
positional: written_at
options:
  _input:
    description: C(aurora_global_upgrade_result).
    type: dict
    required: true
  written_at:
    description: When the report is written (UTC, ISO 8601).
    type: str
"""

EXAMPLES = r"""
- name: Write the report as JSON
  ansible.builtin.copy:
    content: "{{ aurora_global_upgrade_result | aurora.global_db.upgrade_report(now(utc=true, fmt='%Y-%m-%dT%H:%M:%SZ')) | to_nice_json }}"
    dest: /var/tmp/pg-global-report.json
    mode: "0644"
"""

RETURN = r"""
_value:
  description:
    - The report, with the keys C(global_cluster_identifier), C(engine), C(engine_version_before), C(target_engine_version), C(kind),
      C(method) (the role's method), C(aws_calls), C(outcome) (V(succeeded), V(stopped) or V(check mode)), C(check_mode), C(message),
      C(started_at), C(finished_at), C(written_at), C(restrictions_checked), C(blockers), C(members) (as the module returned them,
      C(db_cluster_parameter_group_before) included), C(snapshot), C(parameter_groups) and C(follow_ups).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.aurora.global_db.plugins.module_utils.report import upgrade_report


def _filter(result, written_at=None):
    if not isinstance(result, dict):
        raise AnsibleFilterError("upgrade_report expects aurora_global_upgrade_result (a dictionary), not %s" % type(result).__name__)
    try:
        return upgrade_report(result, written_at)
    except (KeyError, TypeError) as error:
        raise AnsibleFilterError("upgrade_report: %s" % error) from error


class FilterModule:
    def filters(self):
        return {"upgrade_report": _filter}
