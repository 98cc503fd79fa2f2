#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: aurora_global_upgrade
version_added: 0.1.0
short_description: Upgrade the engine version of an Aurora global database, in the order AWS requires
description:
  - Upgrades every member cluster of an Amazon Aurora global database to O(engine_version).
  - A major version upgrade is one C(ModifyGlobalCluster) call on the global cluster (in the primary's region),
    which upgrades every member; the module then waits until the global cluster and every member report the target.
  - A minor version upgrade is one C(ModifyDBCluster) call per member still below the target, in the member's own
    region and applied immediately, every secondary first and the primary last; each member must report the target
    and V(available) before the next one starts.
  - Before any change, the module checks the same restrictions as M(aurora.global_db.aurora_global_facts) reports in
    RV(aurora.global_db.aurora_global_facts#module:ansible_facts.aurora_global.upgrade_plan.blockers), and fails
    without changing anything when one of them applies.
  - A member counts as upgraded only when it reports the target version B(and) V(available), because AWS keeps reporting
    V(available) at the old version for a few moments after accepting an upgrade, and changes the version only at the
    end. A member that is V(available) at the old version again after it was seen upgrading or with the target pending
    (an upgrade that rolls back between two reads shows only the latter), or that shows no sign of the upgrade after
    O(status_settle_seconds), fails the run, which then stops before the next member.
  - After AWS accepts C(ModifyDBCluster), a member may keep reading V(available) at its old version for a while with the
    target in C(PendingModifiedValues.EngineVersion). The module counts that upgrade as under way and never sends a second
    modify for it.
  - Just after a member finishes, the global cluster may still be settling. Before each next member the module waits for
    the global cluster to be V(available), and a C(ModifyDBCluster) that AWS refuses while it settles
    (C(InvalidGlobalClusterStateFault), C(InvalidDBClusterStateFault), C(InvalidParameterValue) "upgrade global replicas
    first") is sent again every O(poll_interval) seconds within O(wait_timeout), as Terraform's AWS provider does. Other
    refusals, and C(InvalidDBClusterStateFault) for a cluster without a DB instance, stop the run at once.
  - When the answer to an accepted modify is lost (AWS answered with a server error and the retry was refused because the
    upgrade is already under way), the module reads the member again; a member that was settled before the call and now
    shows an upgrade to the target is counted as upgraded by this run, and the wait goes on.
  - An Aurora MySQL minor target that AWS refuses in place on a global database (rule R10, blocker C(in_place_minor_refused))
    is refused before any change. When AWS refuses one the plan did not predict (C(InvalidParameterCombination) "In-place
    minor version upgrade of Aurora MySQL global database cluster ..."), the run stops at that first refused C(ModifyDBCluster),
    before any member changed, and the message names the methods that can do it (V(rebuild_secondaries), V(blue_green)).
  - When an upgrade fails or AWS refuses a modify, the message carries the member's recent RDS events
    (C(DescribeEvents) in its region), where AWS says why, for example the Aurora MySQL pre-check log C(upgrade-prechecks.log).
  - Idempotent and resumable. Members already at the target are skipped. When the only blockers are members (or the
    global cluster) still V(upgrading) or V(modifying), or members with an engine version change pending, for example
    after an interrupted run, the module first waits for them to become V(available) with nothing pending, then plans
    again, so a member already upgrading is never modified twice.
  - Identifiers are matched as AWS matches them, case-insensitively; AWS stores and reports them in lower case.
options:
  wait_timeout:
    default: 7200
  global_cluster_identifier:
    description:
      - The identifier of the global cluster (global database), in any letter case.
    type: str
    required: true
  engine_version:
    description:
      - The engine version to upgrade to, for example V(14.9), V(15.4) or V(8.0.mysql_aurora.3.05.2).
    type: str
    required: true
  allow_major_version_upgrade:
    description:
      - Confirms a major version upgrade. Without it the module refuses a major target before changing anything.
    type: bool
    default: false
  db_cluster_identifier:
    description:
      - Upgrade only this member cluster (minor upgrades only; a major upgrade always covers the whole global cluster),
        in any letter case.
      - Refused for the primary while any secondary is still below O(engine_version), and for a cluster that is not
        a member of the global cluster.
    type: str
  wait:
    description:
      - Wait until every upgraded member reports O(engine_version) and V(available).
      - When V(false), the module returns as soon as AWS has accepted the call. For a minor upgrade this means only
        the B(first) pending member is started, because the next one may only start once it has finished; the others
        are returned in RV(not_started). Running the module again waits for that member and starts the next one.
    type: bool
    default: true
  status_settle_seconds:
    description:
      - How many seconds a member may keep reporting V(available) at its old version, with no engine version change
        pending, after AWS accepted its upgrade before the module concludes that the upgrade did not start and fails.
        A member that shows the target in C(PendingModifiedValues.EngineVersion) is waited for however long it takes
        (within O(wait_timeout)).
      - AWS promises no time for the status to change; raise this value if it is slow in your account.
    type: int
    default: 300
  progress_file:
    description:
      - A file the module rewrites with the status of what it waits for after each of its reads (JSON, replaced
        whole), for the collection's action plugin, which prints progress lines from it, so progress costs no RDS
        call of its own.
      - Set by the action plugin, not by users. Failures to write it are ignored.
    type: path
notes:
  - Upgrades take from minutes to hours. Set O(wait_timeout) accordingly, or use O(wait=false) and run the module again.
  - After a major version upgrade AWS puts every member on the default parameter groups of the new version;
    re-apply custom parameter groups afterwards.
  - In check mode a member that is still upgrading from an earlier run counts as pending.
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
    details: Makes no change and reports the plan, what would be upgraded and whether anything would change.
  diff_mode:
    support: full
    details: Reports the engine version of every member before and after the run.
"""

EXAMPLES = r"""
- name: Major version upgrade of the whole global database (one ModifyGlobalCluster call)
  aurora.global_db.aurora_global_upgrade:
    global_cluster_identifier: orders-global
    engine_version: "15.4"
    allow_major_version_upgrade: true
    wait_timeout: 14400
    region: us-east-1

- name: Minor version upgrade of every member, secondaries first and the primary last
  aurora.global_db.aurora_global_upgrade:
    global_cluster_identifier: orders-global
    engine_version: "14.9"
    region: us-east-1
  register: upgrade

- name: Show what was upgraded
  ansible.builtin.debug:
    msg: "{{ upgrade.upgraded }} now run {{ upgrade.upgrade_plan.target_engine_version }}"

- name: Minor version upgrade of one secondary only
  aurora.global_db.aurora_global_upgrade:
    global_cluster_identifier: orders-global
    engine_version: "14.9"
    db_cluster_identifier: orders-euw1
    region: us-east-1

- name: Minor version upgrade through VPC endpoints, one per member region
  aurora.global_db.aurora_global_upgrade:
    global_cluster_identifier: orders-global
    engine_version: "14.9"
    region: us-east-1
    region_endpoint_urls:
      us-east-1: https://vpce-0a1b2c3d-use1.rds.us-east-1.vpce.amazonaws.com
      eu-west-1: https://vpce-0a1b2c3d-euw1.rds.eu-west-1.vpce.amazonaws.com
      ap-southeast-2: https://vpce-0a1b2c3d-apse2.rds.ap-southeast-2.vpce.amazonaws.com

- name: Start the next pending member without waiting for it (run again to continue)
  aurora.global_db.aurora_global_upgrade:
    global_cluster_identifier: orders-global
    engine_version: "14.9"
    wait: false
    region: us-east-1
"""

RETURN = r"""
upgrade_plan:
  description:
    - The plan computed before acting, as M(aurora.global_db.aurora_global_facts) returns it in
      RV(aurora.global_db.aurora_global_facts#module:ansible_facts.aurora_global.upgrade_plan).
    - When the run waited for upgrades of an earlier run first, the plan made after that wait.
  returned: when the global cluster was found and O(engine_version) is a version of its engine, also on failure
  type: dict
  sample:
    target_engine_version: "14.9"
    kind: minor
    method: per_cluster
    pending: [orders-apse2, orders-euw1, orders-use1]
    blockers: []
    checked: [mysql_v2_to_v3_in_place, in_place_minor_refused, rpo_enabled, downgrade, invalid_target, target_not_global,
              global_cluster_not_available, failover_in_progress, member_not_available, headless_member, member_not_synchronized]
upgraded:
  description:
    - The db_cluster_identifier of each member this run started upgrading, in order, or the global_cluster_identifier
      alone for a major upgrade. Empty when nothing was pending.
    - On failure, only those whose upgrade did not fail (see RV(failed_members)); a major upgrade that failed on any member
      upgraded nothing.
    - A member whose modify AWS accepted but whose answer was lost counts as started when it shows the upgrade.
    - In check mode, what the run would upgrade.
  returned: always
  type: list
  elements: str
  sample: [orders-apse2, orders-euw1, orders-use1]
failed_members:
  description:
    - The members (the global cluster for a refused major upgrade) whose upgrade failed in this run, because AWS refused the
      modify with a refusal that cannot pass on its own, the member rolled back (V(available) at its old version after
      upgrading), or no sign of the accepted upgrade showed within O(status_settle_seconds).
    - Their recent RDS events are in the message.
  returned: always
  type: list
  elements: str
  sample: [orders-euw1]
still_upgrading:
  description:
    - The members (or the global cluster) still upgrading, or not yet showing the target, when the run stopped, after
      O(wait=false) or when O(wait_timeout) ran out. AWS carries on with them; running the module again waits for them.
  returned: always
  type: list
  elements: str
  sample: [orders-euw1]
timed_out:
  description: Whether the run stopped because O(wait_timeout) ran out.
  returned: always
  type: bool
  sample: false
resumable:
  description:
    - Whether running the module again, once the cause given in the message is fixed, can complete the upgrade.
    - False when AWS refused the request itself (for example an in-place Aurora MySQL minor upgrade it does not allow on
      a global database); the message then names what can do it instead.
  returned: always
  type: bool
  sample: true
not_started:
  description:
    - The members still below the target that this run did not start upgrading, in upgrade order; run the module again
      to continue. Not empty after O(wait=false) with several pending members, or with O(db_cluster_identifier).
  returned: success
  type: list
  elements: str
  sample: [orders-euw1, orders-use1]
method:
  description: Always V(in_place).
  returned: always
  type: str
  sample: in_place
started_at:
  description: When the run started (UTC, ISO 8601).
  returned: always
  type: str
  sample: "2026-12-06T22:05:00Z"
finished_at:
  description: When the run ended, also after a failure (UTC, ISO 8601).
  returned: always
  type: str
  sample: "2026-12-06T22:41:13Z"
members:
  description:
    - Every member of the global database, in upgrade order, with what this run did to it; read again after a failure
      (then, when that read failed too, RV(members[].status) and RV(members[].engine_version_after) are null).
  returned: once the global cluster was read and O(engine_version) planned, also on failure
  type: list
  elements: dict
  contains:
    db_cluster_identifier:
      description: The member cluster.
      type: str
      returned: always
      sample: orders-euw1
    region:
      description: Its region.
      type: str
      returned: always
      sample: eu-west-1
    role:
      description: V(primary) or V(secondary), before the run.
      type: str
      returned: always
      sample: secondary
    engine_version_before:
      description: Its engine version when the run started.
      type: str
      returned: always
      sample: "14.6"
    engine_version_after:
      description: Its engine version read after the run (in check mode, unchanged); null when it could not be read.
      type: str
      returned: always
      sample: "14.9"
    status:
      description: Its status read after the run; null when it could not be read.
      type: str
      returned: always
      sample: available
    db_cluster_parameter_group_before:
      description:
        - Its DB cluster parameter group when the run started. After a major upgrade AWS puts the member on the new
          version's default group, so this is the custom group to re-apply (in the new family).
      type: str
      returned: always
      sample: orders-pg14
    db_cluster_parameter_group_after:
      description: Its DB cluster parameter group read after the run; null when it could not be read.
      type: str
      returned: always
      sample: default.aurora-postgresql15
    started_at:
      description:
        - When this run started its upgrade (UTC, ISO 8601); for a major upgrade, the ModifyGlobalCluster call. Null when
          this run did not start one.
      type: str
      returned: always
      sample: "2026-12-06T22:05:03Z"
    finished_at:
      description:
        - When this run saw its upgrade end, done or failed (UTC, ISO 8601), also for an upgrade an earlier run started.
          Null when it did not end during the run.
      type: str
      returned: always
      sample: "2026-12-06T22:19:40Z"
    started_by_this_run:
      description: Whether this run started its upgrade (false for an upgrade an earlier run left running).
      type: bool
      returned: always
      sample: true
    outcome:
      description:
        - V(upgraded) (runs the target now), V(already_at_target) (ran it before the run), V(failed) (AWS refused or
          rolled back its upgrade), V(still_upgrading) (AWS carries on with it; a re-run waits for it) or V(not_started).
        - In check mode, what the run found (a member it would upgrade is V(not_started)).
      type: str
      returned: always
      sample: upgraded
    events:
      description:
        - Its recent RDS events, oldest first (at most 10), read when its upgrade failed or was refused, where AWS says
          why. Empty otherwise.
      type: list
      elements: dict
      returned: always
      contains:
        date:
          description: When (ISO 8601).
          type: str
          returned: always
          sample: "2026-12-06T22:07:12+00:00"
        message:
          description: AWS's text.
          type: str
          returned: always
          sample: Database cluster engine version upgrade failed.
global_cluster:
  description:
    - The global database read after the run (in check mode, before), with the keys
      RV(aurora.global_db.aurora_global_facts#module:ansible_facts.aurora_global) has (without C(upgrade_plan)).
  returned: success
  type: dict
  sample:
    global_cluster_identifier: orders-global
    engine: aurora-postgresql
    engine_version: "14.9"
    status: available
    primary: orders-use1
    upgrade_order: [orders-apse2, orders-euw1, orders-use1]
diff:
  description: The engine version of every member before and after the run.
  returned: in diff mode, on success
  type: dict
  contains:
    before:
      description: The db_cluster_identifier of every member, mapped to its engine version before the run.
      type: dict
      returned: in diff mode, on success
      sample: {orders-apse2: "14.6", orders-euw1: "14.6", orders-use1: "14.6"}
    after:
      description:
        - The db_cluster_identifier of every member, mapped to its engine version after the run, or the target for
          a member whose upgrade was started but not awaited (O(wait=false), check mode).
      type: dict
      returned: in diff mode, on success
      sample: {orders-apse2: "14.9", orders-euw1: "14.9", orders-use1: "14.9"}
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aurora.global_db.plugins.module_utils.lease import LEASE_ARGUMENT_SPEC
from ansible_collections.aurora.global_db.plugins.module_utils.lease import exit_holding_the_lease
from ansible_collections.aurora.global_db.plugins.module_utils.rds import REGION_ENDPOINTS_ARGUMENT_SPEC
from ansible_collections.aurora.global_db.plugins.module_utils.rds import RegionalClients
from ansible_collections.aurora.global_db.plugins.module_utils.upgrade import GlobalDatabaseUpgrade
from ansible_collections.aurora.global_db.plugins.module_utils.upgrade import UpgradeRequest
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import check_durations
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import waiting_argument_spec

ARGUMENT_SPEC = dict(
    global_cluster_identifier=dict(type="str", required=True),
    engine_version=dict(type="str", required=True),
    allow_major_version_upgrade=dict(type="bool", default=False),
    db_cluster_identifier=dict(type="str"),
    wait=dict(type="bool", default=True),
    **waiting_argument_spec(7200),
    status_settle_seconds=dict(type="int", default=300),
    progress_file=dict(type="path"),
    **LEASE_ARGUMENT_SPEC,
    **REGION_ENDPOINTS_ARGUMENT_SPEC,
)


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    check_durations(module)
    request = UpgradeRequest(**{name: module.params[name] for name in UpgradeRequest._fields})
    clients = RegionalClients(module, module.params["region_endpoint_urls"])
    # Every call that changes something checks first that the run's lease still holds.
    exit_holding_the_lease(module, clients, lambda guarded: GlobalDatabaseUpgrade(
        guarded, request, module.check_mode, clock=time.monotonic, sleep=time.sleep, progress_file=module.params["progress_file"]))


if __name__ == "__main__":
    main()
