# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: pre_upgrade_snapshot_identifier
short_description: Name the manual DB cluster snapshot taken before an upgrade
version_added: 0.1.0
author: Aurora global_db maintainers (@aurora-global-db)
description:
  - Returns C(<cluster>-pre-<from>-to-<to>-<yyyymmddHHMM>) in lower case, with every run of characters AWS does not
    allow in a snapshot identifier turned into one hyphen, for example C(pg-primary-use1-pre-14-6-to-15-4-202612011030).
  - Aurora MySQL versions are shortened to their Aurora version (C(8.0.mysql_aurora.3.04.0) gives C(3-04-0)).
  - The result is at most 63 characters (the AWS limit); when it would be longer, the cluster identifier is shortened,
    never the versions or the time.
positional: from_version, to_version, utc_minute
options:
  _input:
    description: The DB cluster identifier of the cluster to snapshot.
    type: str
    required: true
  from_version:
    description: The engine version before the upgrade.
    type: str
    required: true
  to_version:
    description: The target engine version.
    type: str
    required: true
  utc_minute:
    description: The UTC time as C(yyyymmddHHMM), for example from C(now(utc=true, fmt='%Y%m%d%H%M')).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Name the snapshot of the primary
  ansible.builtin.set_fact:
    snapshot_identifier: >-
      {{ 'orders-use1' | aurora.global_db.pre_upgrade_snapshot_identifier('14.6', '15.4', now(utc=true, fmt='%Y%m%d%H%M')) }}
"""

RETURN = r"""
_value:
  description: The snapshot identifier.
  type: str
  sample: orders-use1-pre-14-6-to-15-4-202612011030
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_names import pre_upgrade_snapshot_identifier


def _filter(db_cluster_identifier, from_version, to_version, utc_minute):
    try:
        return pre_upgrade_snapshot_identifier(db_cluster_identifier, from_version, to_version, utc_minute)
    except ValueError as error:
        raise AnsibleFilterError("pre_upgrade_snapshot_identifier: %s" % error) from error


class FilterModule:
    def filters(self):
        return {"pre_upgrade_snapshot_identifier": _filter}
