#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: aurora_global_parameter_groups
version_added: 0.1.0
short_description: Put custom parameter groups on every member and DB instance of an Aurora global database
description:
  - After a major version upgrade AWS puts every member cluster and every DB instance of a global database on the
    default parameter groups of the new version, and C(ModifyGlobalCluster) takes no parameter group. This module
    puts your own groups back, region by region.
  - Every named group is checked first, whatever else happens. It must exist in its region and have the parameter
    group family of O(engine_version) (C(DescribeDBEngineVersions) C(DBParameterGroupFamily)). A missing or
    wrong-family group, or a region without a member, fails the module before any change, naming each group and
    region at fault.
  - Then, for each member in a region of O(db_cluster_parameter_groups), one C(ModifyDBCluster) with
    C(DBClusterParameterGroupName); for each DB instance of a member in a region of O(db_parameter_groups), one
    C(ModifyDBInstance) with C(DBParameterGroupName); each in the member's own region. The module waits until every
    member and instance is V(available) and no group is still being applied.
  - New groups take effect at each instance's next reboot (AWS reports them V(pending-reboot)). With O(reboot=true)
    the module reboots those instances one at a time, secondaries' members first and the primary last, in each member
    the readers before the writer, waiting for each to be back before the next. Without it they are returned in
    RV(pending_reboot).
  - Idempotent. Members and instances that already have their group are left alone; running again with O(reboot=true)
    reboots what is still V(pending-reboot).
options:
  wait_timeout:
    default: 3600
  global_cluster_identifier:
    description:
      - The identifier of the global cluster (global database).
    type: str
    required: true
  engine_version:
    description:
      - The engine version whose parameter group family the groups must have, usually the target of the upgrade.
      - Defaults to the version the global cluster runs.
      - Groups are only applied once every member concerned runs this version. Before that (before the upgrade) the
        module checks the groups in check mode and reports what it will do, and refuses outside check mode.
    type: str
  db_cluster_parameter_groups:
    description:
      - Region to the name of the DB cluster parameter group for the member in that region.
      - Members in regions not named keep their DB cluster parameter group.
    type: dict
    default: {}
  db_parameter_groups:
    description:
      - Region to the name of the DB (instance) parameter group for every DB instance of the member in that region.
      - Instances of members in regions not named keep their DB parameter group.
    type: dict
    default: {}
  reboot:
    description:
      - Reboot the instances whose parameter groups wait for a reboot (V(pending-reboot)), one at a time, readers
        before the writer of each member. Each reboot is a short outage of that instance.
      - Only instances of members in the regions named in O(db_cluster_parameter_groups) or O(db_parameter_groups)
        are rebooted.
    type: bool
    default: false
  status_settle_seconds:
    description:
      - Right after C(ModifyDBCluster) or C(ModifyDBInstance) AWS may still report the groups V(in-sync) for a while. An
        instance whose group this run changed counts as having taken it in once AWS shows another status (V(applying),
        V(pending-reboot)), or once it still reads V(in-sync) after this many seconds, so that a needed reboot is not missed.
      - A group AWS reports V(failed-to-apply), or an instance in V(incompatible-parameters), fails the run at once with the
        member's recent events; V(pending-database-upgrade) counts as still being applied.
    type: int
    default: 60
notes:
  - A member that does not run O(engine_version) yet, or is not V(available), makes the module fail before any change
    (outside check mode).
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
    details:
      - Checks every group and reports what would change and which instances would need (or get) a reboot; changes nothing.
  diff_mode:
    support: full
    details: Reports each member's DB cluster parameter group and each instance's DB parameter group before and after.
"""

EXAMPLES = r"""
- name: Name the groups of the new family made in each region
  ansible.builtin.set_fact:
    cluster_groups: {us-east-1: orders-pg15, eu-west-1: orders-pg15}
    instance_groups: {us-east-1: orders-pg15-instances, eu-west-1: orders-pg15-instances}

- name: Before a major upgrade to 15.4, check that they exist and have the family of 15.4
  aurora.global_db.aurora_global_parameter_groups:
    global_cluster_identifier: orders-global
    engine_version: "15.4"
    db_cluster_parameter_groups: "{{ cluster_groups }}"
    db_parameter_groups: "{{ instance_groups }}"
    region: us-east-1
  check_mode: true

- name: After the upgrade, apply them and reboot the instances, readers first
  aurora.global_db.aurora_global_parameter_groups:
    global_cluster_identifier: orders-global
    db_cluster_parameter_groups: "{{ cluster_groups }}"
    db_parameter_groups: "{{ instance_groups }}"
    reboot: true
    region: us-east-1
  register: groups

- name: Show the instances that still need a reboot (none after reboot=true)
  ansible.builtin.debug:
    var: groups.pending_reboot
"""

RETURN = r"""
engine_version:
  description: The engine version whose parameter group family was checked (O(engine_version) or the version the global cluster runs).
  returned: success
  type: str
  sample: "15.4"
parameter_group_family:
  description: The parameter group family of RV(engine_version), as DescribeDBEngineVersions reports it.
  returned: success
  type: str
  sample: aurora-postgresql15
members:
  description:
    - Each member in a region named by O(db_cluster_parameter_groups) or O(db_parameter_groups), in upgrade order
      (secondaries first, the primary last), with its groups before and after the run (in check mode, after the changes it would make).
  returned: success
  type: list
  elements: dict
  contains:
    db_cluster_identifier:
      description: The member cluster.
      type: str
      returned: success
      sample: orders-euw1
    region:
      description: Its region.
      type: str
      returned: success
      sample: eu-west-1
    role:
      description: V(primary) or V(secondary).
      type: str
      returned: success
      sample: secondary
    db_cluster_parameter_group_before:
      description: Its DB cluster parameter group before the run.
      type: str
      returned: success
      sample: default.aurora-postgresql15
    db_cluster_parameter_group:
      description: Its DB cluster parameter group after the run.
      type: str
      returned: success
      sample: orders-pg15
    instances:
      description: Its DB instances, readers first and the writer last.
      type: list
      elements: dict
      returned: success
      contains:
        db_instance_identifier:
          description: The DB instance.
          type: str
          returned: success
          sample: orders-euw1-1
        is_writer:
          description: Whether it is the member's writer.
          type: bool
          returned: success
          sample: true
        db_parameter_group_before:
          description: Its DB parameter group before the run.
          type: str
          returned: success
          sample: default.aurora-postgresql15
        db_parameter_group:
          description: Its DB parameter group after the run.
          type: str
          returned: success
          sample: orders-pg15-instances
        rebooted:
          description: Whether this run rebooted it (in check mode, would reboot it).
          type: bool
          returned: success
          sample: false
        pending_reboot:
          description: Whether its parameter groups still wait for a reboot after the run.
          type: bool
          returned: success
          sample: true
rebooted:
  description: The DB instances this run rebooted, in order (in check mode, would reboot); on failure, those rebooted before it stopped.
  returned: always
  type: list
  elements: str
  sample: [orders-euw1-2, orders-euw1-1]
pending_reboot:
  description:
    - The DB instances whose parameter groups still wait for a reboot, in the order they should be rebooted
      (readers before the writer). Empty after O(reboot=true).
  returned: success
  type: list
  elements: str
  sample: [orders-euw1-2, orders-euw1-1, orders-use1-1]
modified:
  description: On failure, the member clusters and DB instances whose group this run had changed before it stopped.
  returned: failure
  type: list
  elements: str
  sample: [orders-euw1]
diff:
  description: Each member's DB cluster parameter group and each instance's DB parameter group, before and after.
  returned: in diff mode, on success
  type: dict
  contains:
    before:
      description: Member cluster to its C(db_cluster_parameter_group) and C(db_parameter_groups) (instance to group) before the run.
      type: dict
      returned: in diff mode, on success
      sample: {orders-euw1: {db_cluster_parameter_group: default.aurora-postgresql15, db_parameter_groups: {orders-euw1-1: default.aurora-postgresql15}}}
    after:
      description: The same after the run (in check mode, after the changes it would make).
      type: dict
      returned: in diff mode, on success
      sample: {orders-euw1: {db_cluster_parameter_group: orders-pg15, db_parameter_groups: {orders-euw1-1: orders-pg15-instances}}}
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aurora.global_db.plugins.module_utils.apply_parameter_groups import GlobalDatabaseParameterGroups
from ansible_collections.aurora.global_db.plugins.module_utils.apply_parameter_groups import GroupsRequest
from ansible_collections.aurora.global_db.plugins.module_utils.lease import LEASE_ARGUMENT_SPEC
from ansible_collections.aurora.global_db.plugins.module_utils.lease import exit_holding_the_lease
from ansible_collections.aurora.global_db.plugins.module_utils.rds import REGION_ENDPOINTS_ARGUMENT_SPEC
from ansible_collections.aurora.global_db.plugins.module_utils.rds import RegionalClients
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import check_durations
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import waiting_argument_spec

ARGUMENT_SPEC = dict(
    global_cluster_identifier=dict(type="str", required=True),
    engine_version=dict(type="str"),
    db_cluster_parameter_groups=dict(type="dict", default={}),
    db_parameter_groups=dict(type="dict", default={}),
    reboot=dict(type="bool", default=False),
    **waiting_argument_spec(3600),
    status_settle_seconds=dict(type="int", default=60),
    **LEASE_ARGUMENT_SPEC,
    **REGION_ENDPOINTS_ARGUMENT_SPEC,
)


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    check_durations(module)
    request = GroupsRequest(**{name: module.params[name] for name in GroupsRequest._fields})
    clients = RegionalClients(module, module.params["region_endpoint_urls"])
    exit_holding_the_lease(module, clients, lambda guarded: GlobalDatabaseParameterGroups(
        guarded, request, module.check_mode, clock=time.monotonic, sleep=time.sleep))


if __name__ == "__main__":
    main()
