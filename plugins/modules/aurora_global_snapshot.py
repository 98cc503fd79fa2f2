#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: aurora_global_snapshot
version_added: 0.1.0
short_description: Take a manual snapshot of an Aurora global database's primary and wait until it is available
description:
  - AWS recommends a manual DB cluster snapshot before any upgrade. This module takes one of the global database's
    current primary (its writer cluster), in the primary's region, with C(CreateDBClusterSnapshot), and waits until
    C(DescribeDBClusterSnapshots) reports it V(available).
  - A snapshot that exists already under O(db_cluster_snapshot_identifier) is not taken again (a re-run waits for it);
    one of another cluster is refused before any change.
  - Every AWS error names the step and the region and keeps AWS's own answer in C(error), so a missing permission
    names its action (for example C(rds:DescribeDBClusterSnapshots)).
  - The role C(aurora.global_db.aurora_global_upgrade) uses it for C(aurora_global_upgrade_snapshot_before).
options:
  wait_timeout:
    default: 3600
  global_cluster_identifier:
    description:
      - The identifier of the global cluster (global database) whose primary is snapshotted.
    type: str
    required: true
  db_cluster_snapshot_identifier:
    description:
      - The identifier of the snapshot. AWS stores it in lower case and allows 1 to 63 letters, digits or hyphens, the
        first a letter, no hyphen at the end and never two in a row.
      - The filter C(aurora.global_db.pre_upgrade_snapshot_identifier) makes one from the cluster, both versions
        and the time.
    type: str
    required: true
  tags:
    description:
      - Tags of the new snapshot. A snapshot found from an earlier run keeps its tags.
      - AWS authorises tags given to C(CreateDBClusterSnapshot) as C(rds:AddTagsToResource) on the new snapshot, for
        their keys; the collection's C(docs/iam-policy.json) allows only the collection's own keys (see O(upgrade)).
    type: dict
  upgrade:
    description:
      - The upgrade the snapshot is taken before, for example V(14.6 to 15.4). When set, the new snapshot is tagged
        C(aurora-global-db:global-cluster) (the global database) and C(aurora-global-db:upgrade) (this text), as the
        role does; O(tags) are added to them.
    type: str
  progress_file:
    description:
      - A file the module rewrites with the snapshot's status after each of its reads, for the collection's action
        plugin, which prints progress lines from it.
      - Set by the action plugin, not by users. Failures to write it are ignored.
    type: path
author:
  - Aurora global_db maintainers (@aurora-global-db)
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - aurora.global_db.region_endpoints
  - aurora.global_db.waiting
  - aurora.global_db.lease
  - aurora.global_db.attributes
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads the global cluster and the snapshot and reports whether a snapshot would be taken; creates nothing.
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Snapshot the primary of orders-global before its upgrade
  aurora.global_db.aurora_global_snapshot:
    global_cluster_identifier: orders-global
    db_cluster_snapshot_identifier: orders-use1-pre-14-6-to-15-4-202612011030
    tags:
      change: CHG-4711
    wait_timeout: 7200
    region: us-east-1
  register: snapshot

- name: Show it
  ansible.builtin.debug:
    msg: "{{ snapshot.snapshot.db_cluster_snapshot_arn }} is {{ snapshot.snapshot.status }}"
"""

RETURN = r"""
snapshot:
  description:
    - The snapshot as it is at the end of the run (in check mode, as found, or as it would be taken).
    - On a failure after the snapshot was made or found (the wait timed out, the snapshot failed), its last status read.
  returned: success, and on failure once the snapshot exists
  type: dict
  contains:
    db_cluster_snapshot_identifier:
      description: Its identifier, as AWS stores it (lower case).
      type: str
      returned: success
      sample: orders-use1-pre-14-6-to-15-4-202612011030
    db_cluster_snapshot_arn:
      description: Its ARN; null in check mode when it would be taken.
      type: str
      returned: success
      sample: arn:aws:rds:us-east-1:123456789012:cluster-snapshot:orders-use1-pre-14-6-to-15-4-202612011030
    db_cluster_identifier:
      description: The DB cluster it is a snapshot of, the global database's primary.
      type: str
      returned: success
      sample: orders-use1
    region:
      description: The region of the primary, where the snapshot is.
      type: str
      returned: success
      sample: us-east-1
    status:
      description: V(available) after a run that waited; null in check mode when it would be taken.
      type: str
      returned: success
      sample: available
    engine:
      description: The engine of the snapshotted cluster; null in check mode when it would be taken.
      type: str
      returned: success
      sample: aurora-postgresql
    engine_version:
      description: The engine version of the snapshotted cluster; null in check mode when it would be taken.
      type: str
      returned: success
      sample: "14.6"
    snapshot_create_time:
      description: When AWS took the snapshot (UTC); null in check mode when it would be taken.
      type: str
      returned: success
      sample: "2026-12-01 10:30:12.345000+00:00"
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aurora.global_db.plugins.module_utils.cluster_snapshot import PrimarySnapshot
from ansible_collections.aurora.global_db.plugins.module_utils.cluster_snapshot import SnapshotRequest
from ansible_collections.aurora.global_db.plugins.module_utils.lease import LEASE_ARGUMENT_SPEC
from ansible_collections.aurora.global_db.plugins.module_utils.lease import exit_holding_the_lease
from ansible_collections.aurora.global_db.plugins.module_utils.rds import REGION_ENDPOINTS_ARGUMENT_SPEC
from ansible_collections.aurora.global_db.plugins.module_utils.rds import RegionalClients
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import check_durations
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import waiting_argument_spec

ARGUMENT_SPEC = dict(
    global_cluster_identifier=dict(type="str", required=True),
    db_cluster_snapshot_identifier=dict(type="str", required=True),
    tags=dict(type="dict"),
    upgrade=dict(type="str"),
    **waiting_argument_spec(3600),
    progress_file=dict(type="path"),
    **LEASE_ARGUMENT_SPEC,
    **REGION_ENDPOINTS_ARGUMENT_SPEC,
)


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    check_durations(module)
    request = SnapshotRequest(**{name: module.params[name] for name in SnapshotRequest._fields})
    exit_holding_the_lease(module, RegionalClients(module, module.params["region_endpoint_urls"]), lambda guarded: PrimarySnapshot(
        guarded, request, module.check_mode, clock=time.monotonic, sleep=time.sleep, progress_file=module.params["progress_file"]))


if __name__ == "__main__":
    main()
