#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: aurora_global_facts
version_added: 0.1.0
short_description: Describe an Aurora global database, its members in every region and how it can be upgraded
description:
  - Reads an Amazon Aurora global database (one primary cluster and its read-only secondary clusters in other
    AWS regions) with C(DescribeGlobalClusters), then each member cluster with C(DescribeDBClusters) in the
    member's own region.
  - Reports the members in the order AWS requires for a minor upgrade (secondaries first, the primary last),
    whether the recovery point objective (RPO) feature is on, and the valid upgrade targets of the current version.
  - With O(target_engine_version), also returns an upgrade plan that lists every documented restriction the
    upgrade would break (the blockers). M(aurora.global_db.aurora_global_upgrade) refuses to act on the same blockers.
  - The prerequisites of a Blue/Green deployment (V(blue_green_prerequisite) in
    C(blue_green) of RV(ansible_facts.aurora_global.upgrade_plan.methods)) cost no read of their own. The cluster parameter they
    need is read in the same C(DescribeDBClusterParameters) call as C(rds.global_db_rpo), the managed master password
    comes from the C(DescribeDBClusters) answer; only the target parameter groups named in O(db_cluster_parameter_groups)
    and O(db_parameter_groups) are read in addition, one call per region and group.
  - Read only. The region of the connection is only used to find the global cluster; each member is read in the
    region of its ARN, through that region's entry in O(region_endpoint_urls) when it has one.
  - Identifiers are matched as AWS matches them, case-insensitively; AWS stores and reports them in lower case.
  - The valid upgrade targets are looked up with C(DescribeDBEngineVersions) and C(IncludeAll), so a member on a
    deprecated engine version still shows the versions it can move to. A target counts as valid only when AWS lists it
    in C(ValidUpgradeTarget) of the member's current version in the member's region.
options:
  global_cluster_identifier:
    description:
      - The identifier of the global cluster (global database), in any letter case.
    type: str
    required: true
  target_engine_version:
    description:
      - An engine version to plan an upgrade to, for example V(15.4) or V(8.0.mysql_aurora.3.05.2).
      - When set, the result carries RV(ansible_facts.aurora_global.upgrade_plan).
    type: str
  method:
    description:
      - The upgrade method RV(ansible_facts.aurora_global.upgrade_plan) is the plan of (its blockers, its checks).
        Every method's blockers are in RV(ansible_facts.aurora_global.upgrade_plan.methods) whatever this says.
      - V(in_place) upgrades the members themselves (C(ModifyGlobalCluster) for a major version, C(ModifyDBCluster) per member
        for a minor one). V(snapshot_restore) builds a new global database from a snapshot of the primary (Aurora MySQL
        version 2 -> 3). V(rebuild_secondaries) removes every secondary, upgrades the primary and adds the secondaries again
        (Aurora MySQL minor upgrades AWS refuses in place). V(managed_minor) is AWS's managed minor upgrade through
        C(ModifyGlobalCluster) (Aurora PostgreSQL). V(blue_green) is an RDS Blue/Green deployment of the global database.
      - Only read with O(target_engine_version).
    type: str
    default: in_place
    choices: [in_place, snapshot_restore, rebuild_secondaries, managed_minor, blue_green]
  db_cluster_parameter_groups:
    description:
      - The DB cluster parameter group the upgrade would give the members, by region (region name to group name), as the
        role's C(aurora_global_upgrade_db_cluster_parameter_groups).
      - Checked by the V(blue_green) prerequisites (blocker V(blue_green_prerequisite)). AWS gives the green members of every
        region the one name passed to C(CreateBlueGreenDeployment), so the map must name the same group for every member's
        region, and that group must exist in each of them (each looked for with C(DescribeDBClusterParameterGroups)).
      - Only read with O(target_engine_version).
    type: dict
  db_parameter_groups:
    description:
      - The same for the DB (instance) parameter group (C(DescribeDBParameterGroups)).
    type: dict
author:
  - Aurora global_db maintainers (@aurora-global-db)
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - aurora.global_db.region_endpoints
  - aurora.global_db.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.facts
attributes:
  check_mode:
    support: full
    details: The module only reads; it behaves the same in check mode.
  diff_mode:
    support: none
  facts:
    support: full
"""

EXAMPLES = r"""
- name: Describe a global database
  aurora.global_db.aurora_global_facts:
    global_cluster_identifier: orders-global
    region: us-east-1

- name: Show the members in upgrade order
  ansible.builtin.debug:
    msg: "{{ ansible_facts.aurora_global.upgrade_order }}"

- name: Plan an upgrade and stop when something blocks it
  aurora.global_db.aurora_global_facts:
    global_cluster_identifier: orders-global
    target_engine_version: "15.4"
    region: us-east-1

- name: List the methods that can do an upgrade (no blocker)
  aurora.global_db.aurora_global_facts:
    global_cluster_identifier: orders-mysql-global
    target_engine_version: 8.0.mysql_aurora.3.05.2
    method: rebuild_secondaries
    region: us-east-1
  register: orders_mysql

- name: Show them
  ansible.builtin.debug:
    msg: "{{ orders_mysql.ansible_facts.aurora_global.upgrade_plan.methods | dict2items | rejectattr('value') | map(attribute='key') | list }}"

- name: Fail with the reasons when the upgrade cannot start
  ansible.builtin.assert:
    that: ansible_facts.aurora_global.upgrade_plan.blockers | length == 0
    fail_msg: "{{ ansible_facts.aurora_global.upgrade_plan.blockers | map(attribute='message') | list }}"
"""

RETURN = r"""
ansible_facts:
  description: The facts set by the module.
  returned: success
  type: dict
  contains:
    aurora_global:
      description: The global database.
      returned: success
      type: dict
      contains:
        global_cluster_identifier:
          description: The identifier of the global cluster.
          type: str
          returned: success
          sample: orders-global
        global_cluster_arn:
          description: The ARN of the global cluster (global clusters have no region in their ARN).
          type: str
          returned: success
          sample: arn:aws:rds::123456789012:global-cluster:orders-global
        engine:
          description: The engine, V(aurora-mysql) or V(aurora-postgresql).
          type: str
          returned: success
          sample: aurora-postgresql
        engine_version:
          description: The engine version of the global cluster as DescribeGlobalClusters reports it.
          type: str
          returned: success
          sample: "14.6"
        status:
          description: The status of the global cluster.
          type: str
          returned: success
          sample: available
        deletion_protection:
          description: Whether deletion protection is on for the global cluster.
          type: bool
          returned: success
          sample: false
        failover_state:
          description: The switchover or failover recorded on the global cluster, or V(null) when there is none.
          type: dict
          returned: success
          contains:
            status:
              description: V(pending), V(switching-over), V(failing-over) or V(cancelling).
              type: str
              returned: when a switchover or failover is recorded
              sample: switching-over
            from_db_cluster_arn:
              description: The ARN of the cluster that was the primary.
              type: str
              returned: when a switchover or failover is recorded
              sample: arn:aws:rds:us-east-1:123456789012:cluster:orders-use1
            to_db_cluster_arn:
              description: The ARN of the cluster becoming the primary.
              type: str
              returned: when a switchover or failover is recorded
              sample: arn:aws:rds:eu-west-1:123456789012:cluster:orders-euw1
        members:
          description: The member clusters in upgrade order, secondaries first (sorted by region, then identifier), the primary last.
          type: list
          elements: dict
          returned: success
          contains:
            db_cluster_identifier:
              description: The identifier of the member cluster.
              type: str
              returned: success
              sample: orders-euw1
            db_cluster_arn:
              description: The ARN of the member cluster.
              type: str
              returned: success
              sample: arn:aws:rds:eu-west-1:123456789012:cluster:orders-euw1
            region:
              description: The region of the member, taken from its ARN.
              type: str
              returned: success
              sample: eu-west-1
            role:
              description: V(primary) for the writer, V(secondary) otherwise.
              type: str
              returned: success
              sample: secondary
            is_writer:
              description: Whether the member is the writer (primary) of the global database.
              type: bool
              returned: success
              sample: false
            engine_version:
              description: The engine version the member runs now.
              type: str
              returned: success
              sample: "14.6"
            status:
              description: The status of the member cluster.
              type: str
              returned: success
              sample: available
            db_cluster_parameter_group:
              description: The DB cluster parameter group of the member.
              type: str
              returned: success
              sample: orders-params
            instance_count:
              description: How many DB instances the member has.
              type: int
              returned: success
              sample: 1
            headless:
              description: Whether the member has no DB instance at all.
              type: bool
              returned: success
              sample: false
            rpo_seconds:
              description: The value of C(rds.global_db_rpo) in the member's DB cluster parameter group, or V(null) when it is not set.
              type: int
              returned: success
              sample: 60
            synchronization_status:
              description:
                - The replication status DescribeGlobalClusters reports for the member, V(connected) or V(pending-resync)
                  (a secondary resynchronising, for example after a failover), or V(null) when AWS reports none.
              type: str
              returned: success
              sample: connected
            pending_engine_version:
              description:
                - The engine version of a change AWS has accepted but not started yet (C(PendingModifiedValues.EngineVersion)),
                  or V(null). For a while after an upgrade is accepted the member still reads V(available) at its old version.
              type: str
              returned: success
              sample: "14.9"
        primary:
          description: The db_cluster_identifier of the writer member.
          type: str
          returned: success
          sample: orders-use1
        upgrade_order:
          description: The db_cluster_identifier of every member, in the same order as RV(ansible_facts.aurora_global.members).
          type: list
          elements: str
          returned: success
          sample: [orders-apse2, orders-euw1, orders-use1]
        rpo_enabled:
          description: Whether any member's DB cluster parameter group sets C(rds.global_db_rpo).
          type: bool
          returned: success
          sample: false
        valid_upgrade_targets:
          description:
            - The valid upgrade targets of the global cluster's engine version offered in every member's region.
          type: list
          elements: dict
          returned: success
          contains:
            engine_version:
              description: The target version.
              type: str
              returned: success
              sample: "15.4"
            is_major_version_upgrade:
              description: Whether AWS counts the move to this version as a major version upgrade.
              type: bool
              returned: success
              sample: true
            supports_global_databases:
              description: Whether the target version supports global databases.
              type: bool
              returned: success
              sample: true
        upgrade_plan:
          description: The plan of O(method) for upgrading to O(target_engine_version).
          type: dict
          returned: when O(target_engine_version) is set
          contains:
            target_engine_version:
              description: The target, as asked.
              type: str
              returned: success
              sample: "14.9"
            kind:
              description: V(major), V(minor), or V(none) when every member already runs the target.
              type: str
              returned: success
              sample: minor
            method:
              description:
                - V(global) (one C(ModifyGlobalCluster) call for a major upgrade),
                  V(per_cluster) (C(ModifyDBCluster) on each member, secondaries then the primary) or V(none).
                - V(snapshot_restore) for Aurora MySQL version 2 -> 3, which has no in-place path in a global database (blocker
                  C(mysql_v2_to_v3_in_place)), done by building a new global database from a snapshot of the primary with
                  M(aurora.global_db.aurora_global_snapshot_restore).
                - With O(method) other than V(in_place), the method itself (V(snapshot_restore), V(rebuild_secondaries),
                  V(managed_minor), V(blue_green)), or V(none) when every member already runs the target.
              type: str
              returned: success
              sample: per_cluster
            pending:
              description: The members still below the target, in upgrade order.
              type: list
              elements: str
              returned: success
              sample: [orders-apse2, orders-euw1, orders-use1]
            checked:
              description:
                - The code of every restriction that was checked, in the order they are checked; empty when the kind is V(none)
                  (nothing to check). The blockers found are among them.
              type: list
              elements: str
              returned: success
              sample: [mysql_v2_to_v3_in_place, in_place_minor_refused, rpo_enabled, downgrade, invalid_target, target_not_global,
                       global_cluster_not_available, failover_in_progress, member_not_available, headless_member, member_not_synchronized]
            blockers:
              description: Every restriction the upgrade would break; empty when the upgrade may start.
              type: list
              elements: dict
              returned: success
              contains:
                code:
                  description:
                    - One of V(method_not_supported), V(mysql_v2_to_v3_in_place), V(in_place_minor_refused), V(rpo_enabled),
                      V(downgrade), V(invalid_target), V(target_not_global), V(global_cluster_not_available), V(failover_in_progress),
                      V(member_not_available), V(headless_member), V(member_not_synchronized), V(blue_green_prerequisite).
                    - V(method_not_supported) is a method that cannot do this engine or kind of upgrade at all (for example
                      V(managed_minor) for Aurora MySQL or a major target, V(rebuild_secondaries) for a major target or Aurora
                      PostgreSQL, V(snapshot_restore) for anything but Aurora MySQL version 2 -> 3); the message lists the methods that can.
                    - V(in_place_minor_refused) is an Aurora MySQL minor target AWS refuses in place on a global database
                      (rule R10, for 2.12.*, 3.04.* and later, 8.4), predicted from the versions and the community MySQL version AWS
                      names in each version's description; the message names V(rebuild_secondaries) and V(blue_green).
                    - V(member_not_available) also covers a member that reads V(available) with an engine version change
                      accepted and not started yet (RV(ansible_facts.aurora_global.members[].pending_engine_version)).
                    - V(member_not_synchronized) is a member whose synchronization status is reported and is not V(connected).
                    - V(blue_green_prerequisite) is a prerequisite of an RDS Blue/Green deployment (method V(blue_green)) that
                      the global database does not meet, one blocker each, the message saying what to fix - binary logging off
                      (C(binlog_format) unset or C(OFF) in a member's custom cluster parameter group, Aurora MySQL);
                      C(rds.logical_replication) not C(1), or a version below AWS's minimum of its major line (Aurora
                      PostgreSQL); a master password managed in AWS Secrets Manager; a global switchover or failover in
                      progress; target parameter groups (O(db_cluster_parameter_groups), O(db_parameter_groups)) with different
                      names by region, not named for every member's region, or missing in a region.
                  type: str
                  returned: success
                  sample: rpo_enabled
                message:
                  description: The rule, the clusters involved and what to do instead.
                  type: str
                  returned: success
                  sample: Aurora PostgreSQL cannot take a major version upgrade while the recovery point objective (RPO) feature is on
                clusters:
                  description: The db_cluster_identifier of each member the blocker is about (empty when it is about the global cluster).
                  type: list
                  elements: str
                  returned: success
                  sample: [orders-use1]
                in_flight:
                  description:
                    - V(true) when the blocker only says that an upgrade (or another modification) already running has not
                      finished yet, for example after an interrupted run; the members (or the global cluster) are V(upgrading)
                      or V(modifying), or have an engine version change pending. Such a blocker clears on its own;
                      M(aurora.global_db.aurora_global_upgrade) and the role wait for it and then check everything again.
                    - V(false) when the operator has to act.
                  type: bool
                  returned: success
                  sample: false
            methods:
              description:
                - Every upgrade method (V(in_place), V(snapshot_restore), V(rebuild_secondaries), V(managed_minor), V(blue_green))
                  mapped to the list of its blockers for this target, each like the items of
                  RV(ansible_facts.aurora_global.upgrade_plan.blockers); an empty list means that method can do the upgrade.
                - Every list is empty when the kind is V(none).
              type: dict
              returned: success
              sample:
                in_place:
                  - code: in_place_minor_refused
                    message: An in-place upgrade to 8.0.mysql_aurora.3.05.2 (MySQL 8.0.32) would be refused for ...
                    clusters: [orders-usw2, orders-use1]
                    in_flight: false
                snapshot_restore:
                  - code: method_not_supported
                    message: The method snapshot_restore cannot do this upgrade ...
                    clusters: []
                    in_flight: false
                rebuild_secondaries: []
                managed_minor:
                  - code: method_not_supported
                    message: The method managed_minor cannot do this upgrade ...
                    clusters: []
                    in_flight: false
                blue_green: []
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.errors import fail_module
from ansible_collections.aurora.global_db.plugins.module_utils.facts import GlobalDatabaseReader
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import CLUSTER_PARAMETER_GROUP
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_PARAMETER_GROUP
from ansible_collections.aurora.global_db.plugins.module_utils.rds import REGION_ENDPOINTS_ARGUMENT_SPEC
from ansible_collections.aurora.global_db.plugins.module_utils.rds import RegionalClients
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import IN_PLACE
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import UPGRADE_METHODS

ARGUMENT_SPEC = dict(
    global_cluster_identifier=dict(type="str", required=True),
    target_engine_version=dict(type="str"),
    method=dict(type="str", default=IN_PLACE, choices=list(UPGRADE_METHODS)),
    db_cluster_parameter_groups=dict(type="dict"),
    db_parameter_groups=dict(type="dict"),
    **REGION_ENDPOINTS_ARGUMENT_SPEC,
)


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    reader = GlobalDatabaseReader(RegionalClients(module, module.params["region_endpoint_urls"]))
    try:
        facts = reader.facts(module.params["global_cluster_identifier"])
        if module.params["target_engine_version"] is not None:
            target_groups = {kind: module.params[option] for kind, option in (
                (CLUSTER_PARAMETER_GROUP, "db_cluster_parameter_groups"), (DB_PARAMETER_GROUP, "db_parameter_groups")) if module.params[option]}
            facts["upgrade_plan"] = reader.plan(facts, module.params["target_engine_version"], method=module.params["method"], target_groups=target_groups)
    except AuroraGlobalError as error:
        fail_module(module, error)
    module.exit_json(changed=False, ansible_facts={"aurora_global": facts})


if __name__ == "__main__":
    main()
