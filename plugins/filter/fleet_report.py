# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: fleet_report
short_description: The fleet report of the fleet_report playbook
version_added: 0.1.0
author: Aurora global_db maintainers (@aurora-global-db)
description:
  - Builds the report the playbook C(aurora.global_db.fleet_report) writes as Markdown, JSON and HTML, from every global
    database's facts, support dates and plan.
  - A global database's state is V(up_to_date) (no target, or every member at it), V(upgradable) (a plan without blockers),
    V(blocked) (the plan's blockers say why) or V(error) (it could not be read).
options:
  _input:
    description:
      - A list of dictionaries, one per global database, with the keys C(name) (the global cluster identifier), C(facts)
        (C(aurora_global)), C(lifecycle) (C(aurora_global_lifecycle)), C(target) (the target engine version or null),
        C(plan) (C(upgrade_plan) or null) and C(error) (why it could not be read, or null).
    type: list
    elements: dict
    required: true
  generated_at:
    description: When the report is made, ISO 8601 in UTC; the day of the timeline's "today" line.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Write the fleet report as JSON
  ansible.builtin.copy:
    content: "{{ entries | aurora.global_db.fleet_report(now(utc=true).isoformat()) | to_nice_json }}"
    dest: /var/tmp/fleet.json
    mode: "0644"
"""

RETURN = r"""
_value:
  description:
    - The report, with the keys C(generated_at), C(today), C(global_databases) (how many), C(counts) (per state), C(state_labels),
      C(rows) (per global database, soonest end of standard support first; C(global_cluster_identifier), C(engine),
      C(engine_version), C(member_versions), C(regions), C(primary), C(status), C(target_engine_version), C(state),
      C(state_label), C(why), C(major_engine_version), C(standard_support_end), C(extended_support_end), C(in_extended_support),
      C(days_until_standard_support_end)) and C(chart) (the geometry of the timeline chart).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.aurora.global_db.plugins.plugin_utils.fleet_report import fleet_report


def _filter(entries, generated_at):
    if not isinstance(entries, list) or not all(isinstance(entry, dict) and "name" in entry for entry in entries):
        raise AnsibleFilterError("fleet_report expects a list of dictionaries, each with a name")
    try:
        return fleet_report(entries, str(generated_at))
    except (KeyError, TypeError, ValueError) as error:
        raise AnsibleFilterError("fleet_report: %s" % error) from error


class FilterModule:
    def filters(self):
        return {"fleet_report": _filter}
