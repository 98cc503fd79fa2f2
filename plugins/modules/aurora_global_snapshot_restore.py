#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: aurora_global_snapshot_restore
version_added: 0.1.0
short_description: Move an Aurora MySQL version 2 global database to version 3 by the snapshot restore method
description:
  - The collection never upgrades Aurora MySQL version 2 to version 3 in place in a global database (its rule R3, the
    path AWS's guide prescribed for global databases; today's guide also allows in place when C(lower_case_table_names) is
    the default). This module carries out the snapshot restore method instead, into a B(new) global database.
  - "The steps, in order: a manual snapshot of the old primary (C(CreateDBClusterSnapshot), awaited); the snapshot restored
    as a cluster of O(engine_version) in the primary's region (C(RestoreDBClusterFromSnapshot)) with the old primary's
    subnet group, VPC security groups, port, deletion protection, IAM database authentication, CloudWatch log exports,
    copy-tags-to-snapshot and KMS key (when encrypted), and the cluster parameter group given for that region, awaited;
    then C(ModifyDBCluster) with the old backup retention and window, and a master password managed in Secrets Manager when
    the old primary had one (a restored cluster keeps the password of the snapshot's time); one DB instance per old
    instance, same class, promotion tier, public accessibility and automatic minor version upgrade (C(CreateDBInstance)):
    the old writer's counterpart first, awaited, so that it becomes the writer, then the readers (AWS creates instances
    only in an available cluster, and the first one up is the writer); a new global cluster from that cluster with the old
    one's deletion protection (C(CreateGlobalCluster)); in each old secondary's region a secondary cluster of the new
    global cluster with that secondary's settings and its write forwarding (C(CreateDBCluster)), awaited, then its
    instances in the same way; then it waits until everything is V(available) and verifies the new global database: same
    regions, the new primary as writer, every member at O(engine_version)."
  - The old global database receives no call that changes it (the snapshot only reads it), so it stays as it was for a rollback;
    only the run's lease (O(lease)) is kept in tags of the old global cluster, and every call that creates or changes the new
    global database first checks that lease.
    Moving the application to the new global writer endpoint (RV(new_global_endpoint)), and deleting the old global database
    later, stay the operator's.
  - "Before any change the module checks, and refuses with every reason: the move is Aurora MySQL version 2 -> 3 (any other
    is refused, pointing to M(aurora.global_db.aurora_global_upgrade)); O(writes_stopped) is V(true); the old global database
    and its members are V(available) and no failover is running; O(engine_version) is a valid major upgrade target of the
    current version (C(ValidUpgradeTarget)) and is offered and supports global databases in every member's region; the
    parameter groups named exist there with the target's family; every old instance class is offered for the target in its
    region and supports global databases there (C(DescribeOrderableDBInstanceOptions) C(SupportsGlobalDatabases));
    C(lower_case_table_names) of the old primary's cluster parameter group is the same in the group each new cluster gets
    (MySQL 8.0 fixes it when the cluster is created); no new name is taken by anything this method did not create, and every
    new name (the new global cluster identifier too) is one AWS accepts. Check mode makes the same checks."
  - Resumable. Every resource it creates is named from the old one (O(new_cluster_suffix)) and tagged
    C(aurora-global-db:snapshot-restore=<old global id>/<new global id>) (the key C(aurora-global-db-snapshot-restore) written by
    earlier versions is still recognised); a re-run after an interruption finds what exists and continues, so nothing is
    created twice. A new global cluster counts as its own when its writer is the new primary.
options:
  wait_timeout:
    default: 7200
  global_cluster_identifier:
    description:
      - The identifier of the old global cluster (Aurora MySQL version 2). It is only read.
    type: str
    required: true
  new_global_cluster_identifier:
    description:
      - The identifier of the new global cluster (AWS stores it in lower case).
    type: str
    required: true
  engine_version:
    description:
      - The Aurora MySQL version 3 engine version of the new global database, for example V(8.0.mysql_aurora.3.04.0).
    type: str
    required: true
  new_cluster_suffix:
    description:
      - Appended to the identifier of each old member cluster and each old DB instance to name the new ones.
    type: str
    default: "-v3"
  db_cluster_snapshot_identifier:
    description:
      - The manual DB cluster snapshot to restore from. When it exists it must be a snapshot of the old primary and is used as it is
        (for example one the role took just before); when it does not exist it is created with this name.
      - Default C(<old primary>-before-<new global id>).
    type: str
  db_cluster_parameter_groups:
    description:
      - Region -> DB cluster parameter group of the target's family (for example V(aurora-mysql8.0)) for the new cluster in that
        region. Regions without an entry get the target's default group.
    type: dict
  db_parameter_groups:
    description:
      - Region -> DB parameter group of the target's family for the new DB instances in that region.
    type: dict
  writes_stopped:
    description:
      - Confirms that the application no longer writes to the old primary. Writes made after the snapshot are not in the
        new global database, so the module refuses without this confirmation.
    type: bool
    default: false
  progress_file:
    description:
      - A file the module rewrites with the status of what it waits for (the snapshot, the new clusters and DB
        instances) after each of its reads, for the collection's action plugin, which prints progress lines from it.
      - Set by the action plugin, not by users. Failures to write it are ignored.
    type: path
notes:
  - Not copied, to set on the new clusters afterwards if you use them - the maintenance windows, enhanced monitoring,
    Performance Insights, Database Activity Streams, custom endpoints, the tags of the old resources, IAM roles
    associated with the clusters, the KMS key of a managed master password secret (the new secret uses the default key),
    the option and DB subnet groups of individual instances, and their availability zones.
  - Needs botocore 1.35.20 or later (C(CreateGlobalCluster) takes C(Tags) from that release); with an older SDK the module
    fails before any AWS call, saying so.
  - A restore and the creation of secondaries take from minutes to hours depending on the data size. Set O(wait_timeout) accordingly.
  - The snapshot and the new resources cost money from the moment they exist; the module deletes nothing.
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
    details: Runs every check, creates nothing and returns every resource it would create, in order (RV(resources)).
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Move the Aurora MySQL 2 global database orders-global to version 3, into orders-global-v3
  aurora.global_db.aurora_global_snapshot_restore:
    global_cluster_identifier: orders-global
    new_global_cluster_identifier: orders-global-v3
    engine_version: 8.0.mysql_aurora.3.04.0
    writes_stopped: true
    db_cluster_parameter_groups:
      us-east-1: orders-mysql80
      eu-west-1: orders-mysql80
    wait_timeout: 14400
    region: us-east-1
  register: restore

- name: Point the application at the new global writer endpoint
  ansible.builtin.debug:
    msg: "New writer endpoint: {{ restore.new_global_endpoint }}"

- name: Show what would be created, changing nothing
  aurora.global_db.aurora_global_snapshot_restore:
    global_cluster_identifier: orders-global
    new_global_cluster_identifier: orders-global-v3
    engine_version: 8.0.mysql_aurora.3.04.0
    writes_stopped: true
    region: us-east-1
  check_mode: true
"""

RETURN = r"""
method:
  description: Always V(snapshot_restore).
  returned: always
  type: str
  sample: snapshot_restore
started_at:
  description: When the run started (UTC, ISO 8601).
  returned: always
  type: str
  sample: "2026-12-06T22:05:00Z"
finished_at:
  description: When the run ended, also after a failure (UTC, ISO 8601).
  returned: always
  type: str
  sample: "2026-12-06T23:01:10Z"
members:
  description:
    - Every member of the old global database, in upgrade order, with its new cluster as read after the run (also
      after a failure, once every check had passed).
  returned: once every check before the first create passed, also on failure
  type: list
  elements: dict
  contains:
    db_cluster_identifier:
      description: The old member cluster (left as it was).
      type: str
      returned: always
      sample: orders-euw1
    new_db_cluster_identifier:
      description: Its new cluster, in the same region.
      type: str
      returned: always
      sample: orders-euw1-v3
    region:
      description: The region of both.
      type: str
      returned: always
      sample: eu-west-1
    role:
      description: The old member's role, V(primary) or V(secondary); its new cluster has the same.
      type: str
      returned: always
      sample: secondary
    engine_version_before:
      description: The old member's engine version.
      type: str
      returned: always
      sample: 5.7.mysql_aurora.2.11.2
    engine_version_after:
      description: The new cluster's engine version; null while it does not exist.
      type: str
      returned: always
      sample: 8.0.mysql_aurora.3.04.0
    status:
      description: The new cluster's status; null while it does not exist.
      type: str
      returned: always
      sample: available
    db_cluster_parameter_group_before:
      description: The old member's DB cluster parameter group.
      type: str
      returned: always
      sample: orders-mysql57
    db_cluster_parameter_group_after:
      description: The new cluster's DB cluster parameter group; null while it does not exist.
      type: str
      returned: always
      sample: orders-mysql80
    started_at:
      description: When this run created (or found) the new cluster (UTC, ISO 8601); null when it did not get there.
      type: str
      returned: always
      sample: "2026-12-06T22:20:00Z"
    finished_at:
      description: When this run saw the new cluster (and its instances) available (UTC, ISO 8601); null when it did not.
      type: str
      returned: always
      sample: "2026-12-06T22:41:00Z"
    outcome:
      description:
        - V(upgraded) (its new cluster runs the target and is available), V(already_at_target) (in check mode, an earlier
          run made it), V(failed) (the new cluster is in a status it will not leave by itself), V(still_upgrading) (the new
          cluster exists but is not available yet; a re-run resumes) or V(not_started) (no new cluster yet).
      type: str
      returned: always
      sample: upgraded
    events:
      description: The new cluster's recent RDS events when it failed (oldest first, at most 10); empty otherwise.
      type: list
      elements: dict
      returned: always
      contains:
        date:
          description: When (ISO 8601).
          type: str
          returned: always
          sample: "2026-12-06T22:30:12+00:00"
        message:
          description: AWS's text.
          type: str
          returned: always
          sample: DB cluster restore failed.
global_cluster_identifier:
  description: The old global cluster, left as it was.
  returned: success
  type: str
  sample: orders-global
new_global_cluster_identifier:
  description: The new global cluster (lower case, as AWS stores it).
  returned: success
  type: str
  sample: orders-global-v3
new_global_cluster_arn:
  description: The ARN of the new global cluster; null in check mode when it does not exist yet.
  returned: success
  type: str
  sample: "arn:aws:rds::123456789012:global-cluster:orders-global-v3"
new_global_endpoint:
  description:
    - The writer endpoint of the new global database (C(GlobalCluster.Endpoint)), which always points to the writer of its
      current primary. Null in check mode when it does not exist yet, where AWS does not report one, and with botocore older
      than 1.35.46 (which drops that field of the answer).
  returned: success
  type: str
  sample: orders-global-v3.global-abc123.global.rds.amazonaws.com
engine_version:
  description: The engine version of the new global database.
  returned: success
  type: str
  sample: 8.0.mysql_aurora.3.04.0
snapshot_identifier:
  description: The DB cluster snapshot of the old primary that the new global database was restored from.
  returned: success
  type: str
  sample: orders-use1-before-orders-global-v3
new_members:
  description: The member clusters of the new global database, the primary first, then the secondaries by region.
  returned: success
  type: list
  elements: dict
  contains:
    db_cluster_identifier:
      description: The new cluster's identifier.
      type: str
      returned: success
      sample: orders-use1-v3
    region:
      description: Its region (the old member's).
      type: str
      returned: success
      sample: us-east-1
    role:
      description: V(primary) or V(secondary).
      type: str
      returned: success
      sample: primary
    engine_version:
      description: Its engine version (in check mode, the one it would have).
      type: str
      returned: success
      sample: 8.0.mysql_aurora.3.04.0
    status:
      description: Its status; null in check mode when it does not exist yet.
      type: str
      returned: success
      sample: available
    endpoint:
      description: Its cluster (writer) endpoint; null in check mode.
      type: str
      returned: success
      sample: orders-use1-v3.cluster-abc.us-east-1.rds.amazonaws.com
    db_instance_identifiers:
      description: Its DB instances, in creation order (the old writer's counterpart first).
      type: list
      elements: str
      returned: success
      sample: [orders-use1-1-v3]
cutover_steps:
  description: What the operator does next to move the application to the new global database (the module leaves it to them).
  returned: success
  type: list
  elements: str
  sample: ["Check the new global database (orders-global-v3) with the application's tests."]
rollback_steps:
  description: How to go back to the old global database, which the module did not change.
  returned: success
  type: list
  elements: str
  sample: ["Point the application back at the old global database orders-global, which was not changed."]
resources:
  description:
    - Every resource of the method in creation order, with what this run did about it. In check mode, what it would do.
    - On failure, the resources handled before the failure.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: V(db_cluster_snapshot), V(db_cluster), V(db_instance) or V(global_cluster).
      type: str
      returned: always
      sample: db_cluster
    identifier:
      description: The resource's identifier.
      type: str
      returned: always
      sample: orders-use1-v3
    region:
      description: The region it is created in (a global cluster is created in the primary's region).
      type: str
      returned: always
      sample: us-east-1
    action:
      description: V(created), V(existing) (found from an earlier run, or the snapshot named by the user), or in check mode V(create).
      type: str
      returned: always
      sample: created
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aurora.global_db.plugins.module_utils.lease import LEASE_ARGUMENT_SPEC
from ansible_collections.aurora.global_db.plugins.module_utils.lease import exit_holding_the_lease
from ansible_collections.aurora.global_db.plugins.module_utils.rds import REGION_ENDPOINTS_ARGUMENT_SPEC
from ansible_collections.aurora.global_db.plugins.module_utils.rds import RegionalClients
from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_restore import RestoreRequest
from ansible_collections.aurora.global_db.plugins.module_utils.snapshot_restore import SnapshotRestore
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import check_durations
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import waiting_argument_spec

ARGUMENT_SPEC = dict(
    global_cluster_identifier=dict(type="str", required=True),
    new_global_cluster_identifier=dict(type="str", required=True),
    engine_version=dict(type="str", required=True),
    new_cluster_suffix=dict(type="str", default="-v3"),
    db_cluster_snapshot_identifier=dict(type="str"),
    db_cluster_parameter_groups=dict(type="dict"),
    db_parameter_groups=dict(type="dict"),
    writes_stopped=dict(type="bool", default=False),
    **waiting_argument_spec(7200),
    progress_file=dict(type="path"),
    **LEASE_ARGUMENT_SPEC,
    **REGION_ENDPOINTS_ARGUMENT_SPEC,
)


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    check_durations(module, resources=[])
    request = RestoreRequest(**{name: module.params[name] for name in RestoreRequest._fields})
    clients = RegionalClients(module, module.params["region_endpoint_urls"])
    # The lease is the old global cluster's: it guards every call that creates or changes the new global database too.
    exit_holding_the_lease(module, clients, lambda guarded: SnapshotRestore(
        guarded, request, module.check_mode, clock=time.monotonic, sleep=time.sleep, progress_file=module.params["progress_file"]))


if __name__ == "__main__":
    main()
