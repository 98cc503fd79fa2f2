#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: aurora_global_blue_green
version_added: 0.1.0
short_description: Upgrade an Aurora global database through an RDS Blue/Green deployment of the whole global database
description:
  - Creates an RDS Blue/Green deployment of the global database in the primary's region, with the global cluster's ARN
    as C(Source) and O(engine_version) as the target (major or minor, both engines). AWS copies every member, in its own
    region, into a green environment named C(<name>-green-<6 characters>), kept in sync with production.
  - Waits until the deployment is C(AVAILABLE) (fails with AWS's C(StatusDetails) on C(INVALID_CONFIGURATION)), then checks
    every green member (target version, V(available), replication V(connected)).
  - With O(switchover=true), switches over (O(switchover_timeout); past it AWS rolls everything back and the module fails
    saying that the blue database is still production), waits until C(SWITCHOVER_COMPLETED), checks that the global
    database under its own name runs the target in every region, and deletes the deployment object only. AWS keeps the
    old global database, renamed C(<name>-old1); the module never deletes it.
  - With O(switchover=false), stops once the green environment is verified and returns its endpoints; a later run with
    O(switchover=true) finds the deployment by its name and switches over. A run stopped before the switchover never
    switches over on its own.
  - Before any change it refuses, naming what to fix, when a Blue/Green prerequisite fails (code C(blue_green_prerequisite)) -
    binary logging off in a member's cluster parameter group (Aurora MySQL), C(rds.logical_replication) off or a version
    below AWS's minimum (Aurora PostgreSQL 11.21, 12.16, 13.12, 14.9, 15.4, 16.1, 17.4), a master password managed in
    Secrets Manager, a failover or switchover in progress, a target parameter group missing in a member's region; and
    when the upgrade plan has a blocker that also stops a deployment (an invalid or downgrade target, members not available).
  - Resumes. A run finds its deployment by name and continues from its status; a call whose answer was lost is recognised
    (the deployment exists, the switchover runs) instead of failing.
options:
  global_cluster_identifier:
    description:
      - The identifier of the global cluster (global database), in any letter case.
    type: str
    required: true
  engine_version:
    description:
      - The engine version of the green environment, for example V(15.4) or V(8.0.mysql_aurora.3.05.2).
    type: str
    required: true
  blue_green_deployment_name:
    description:
      - The deployment's name, by which a later run finds it. AWS's rule - 1 to 60 letters, digits and single hyphens,
        starting with a letter.
      - Default - C(<global cluster>-to-<engine version with hyphens>), for example C(pg-global-to-15-4).
    type: str
  target_db_cluster_parameter_group:
    description:
      - The DB cluster parameter group of the green members. AWS uses this one name in every region; it must exist in every
        member's region, with the family of O(engine_version).
    type: str
  target_db_parameter_group:
    description:
      - The DB parameter group of the green instances; the same rule as O(target_db_cluster_parameter_group).
    type: str
  switchover:
    description:
      - Switch over once the green environment is verified. V(false) stops before the switchover.
    type: bool
    default: true
  switchover_timeout:
    description:
      - Seconds the switchover may take, 30 to 3600 (AWS's range); past it AWS rolls the switchover back.
    type: int
    default: 300
  wait_timeout:
    default: 7200
  progress_file:
    description:
      - A file the module rewrites with the deployment's status after each of its reads while it waits, for the
        collection's action plugin, which prints progress lines from it.
      - Set by the action plugin, not by users. Failures to write it are ignored.
    type: path
notes:
  - The deployment itself keeps two runs from acting at once - AWS refuses a second deployment of the same name, or of a
    global database that already is the source of one.
  - Whether AWS also accepts the primary cluster's ARN as C(Source) is not documented; the module gives the global cluster's ARN.
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
    details: Reads and checks every prerequisite, makes no change, and returns the steps a run would take in RV(steps_planned).
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Major upgrade of a global database through a Blue/Green deployment, switched over at the end
  aurora.global_db.aurora_global_blue_green:
    global_cluster_identifier: orders-global
    engine_version: "15.4"
    target_db_cluster_parameter_group: orders-pg15
    region: us-east-1

- name: Build and verify the green environment only (switch over later with switchover true)
  aurora.global_db.aurora_global_blue_green:
    global_cluster_identifier: orders-global
    engine_version: "15.4"
    switchover: false
    region: us-east-1
  register: green

- name: Show the green endpoints to test against
  ansible.builtin.debug:
    msg: "{{ green.green_members | map(attribute='endpoint') | list }}"
"""

RETURN = r"""
method:
  description: Always V(blue_green).
  returned: always
  type: str
  sample: blue_green
started_at:
  description: When the run began (UTC, ISO 8601).
  returned: always
  type: str
  sample: "2026-03-01T10:00:00Z"
finished_at:
  description: When the run ended (UTC, ISO 8601), also on failure.
  returned: always
  type: str
  sample: "2026-03-01T10:20:00Z"
members:
  description:
    - Each member of the global database as the run found it, with what the run did to it.
    - A switchover changes every member at once, so they share one start and one end.
  returned: when the global cluster was read, also on failure
  type: list
  elements: dict
  contains:
    db_cluster_identifier:
      description: The member's DB cluster identifier.
      type: str
    region:
      description: The member's region.
      type: str
    engine_version_before:
      description: Its engine version when the run began.
      type: str
    engine_version_after:
      description: Its engine version read at the end of the run, or null when the run did not read it (failure, check mode).
      type: str
    role:
      description: V(primary) or V(secondary), before the run.
      type: str
    status:
      description: Its status read at the end of the run, or null when the run did not read it.
      type: str
    db_cluster_parameter_group_before:
      description: Its DB cluster parameter group when the run began.
      type: str
    db_cluster_parameter_group_after:
      description: Its DB cluster parameter group read at the end of the run, or null when the run did not read it.
      type: str
    started_at:
      description:
        - When the switchover was started (UTC, ISO 8601), or the run's start when it found the switchover running.
        - Null for a member the upgrade did not reach.
      type: str
    finished_at:
      description: When the run saw the upgrade end (succeeded or failed); null when it did not see the end.
      type: str
    outcome:
      description:
        - V(upgraded) (at the target now), V(already_at_target) (before the run), V(failed) (the switchover failed and
          the blue database is still production), V(still_upgrading) (the wait ended first; AWS carries on),
          V(not_started) (check mode, refused, or stopped before the switchover, production unchanged).
      type: str
      choices: [upgraded, already_at_target, failed, still_upgrading, not_started]
    events:
      description:
        - Always empty; AWS's C(StatusDetails) of the deployment is in the message of a failure.
      type: list
      elements: dict
      contains:
        date:
          description: When (ISO 8601).
          type: str
        message:
          description: AWS's text.
          type: str
  sample:
    - {db_cluster_identifier: pg-primary-use1, region: us-east-1, engine_version_before: "14.6", engine_version_after: "14.9",
       started_at: "2026-03-01T10:00:05Z", finished_at: "2026-03-01T10:19:50Z", outcome: upgraded}
blue_green_deployment_name:
  description: The deployment's name (given or derived).
  returned: always
  type: str
  sample: pg-global-to-15-4
blue_green_deployment_identifier:
  description: AWS's identifier of the deployment, or null when none exists (yet).
  returned: always
  type: str
  sample: bgd-0123456789abcdef
blue_green_deployment_status:
  description: The deployment's status when last read (C(PROVISIONING), C(AVAILABLE), C(SWITCHOVER_COMPLETED), ...), or null.
  returned: always
  type: str
  sample: SWITCHOVER_COMPLETED
steps_done:
  description:
    - The steps this run did, in order - V(create), V(wait_available), V(verify_green), V(switchover), V(wait_switchover),
      V(verify_production), V(delete_deployment).
  returned: always
  type: list
  elements: str
  sample: [create, wait_available, verify_green, switchover, wait_switchover, verify_production, delete_deployment]
steps_planned:
  description: In check mode, the steps a run would take from the deployment's current status; else empty.
  returned: always
  type: list
  elements: str
  sample: [create, wait_available, verify_green]
switched_over:
  description: Whether the deployment is switched over (this run or an earlier one).
  returned: always
  type: bool
  sample: true
green_members:
  description: The green members as verified before the switchover (empty when this run did not verify them).
  returned: always
  type: list
  elements: dict
  sample:
    - {db_cluster_identifier: pg-primary-use1-green-abc123, region: us-east-1, is_writer: true, engine_version: "15.4",
       status: available, synchronization_status: connected, endpoint: pg-primary-use1-green-abc123.cluster-x.us-east-1.rds.amazonaws.com,
       reader_endpoint: pg-primary-use1-green-abc123.cluster-ro-x.us-east-1.rds.amazonaws.com}
old_global_cluster_identifier:
  description: After a switchover, the old global database AWS kept (C(<name>-old1)); null before.
  returned: always
  type: str
  sample: pg-global-old1
blockers:
  description: The prerequisites that failed, as blockers ({code, message, clusters, in_flight}), when the module refused.
  returned: on refusal
  type: list
  elements: dict
  sample: [{code: blue_green_prerequisite, message: "Blue/Green: logical replication is off for ...", clusters: [pg-primary-use1], in_flight: false}]
message:
  description: What the run did or would do, and, after a switchover, how to delete the old global database.
  returned: success
  type: str
  sample: "Switched over: pg-global runs 15.4 in every region. The old global database is kept as pg-global-old1 ..."
"""

import time
from collections import namedtuple

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aurora.global_db.plugins.module_utils.blue_green import BlueGreenRun
from ansible_collections.aurora.global_db.plugins.module_utils.blue_green import check_switchover_timeout
from ansible_collections.aurora.global_db.plugins.module_utils.lease import LEASE_ARGUMENT_SPEC
from ansible_collections.aurora.global_db.plugins.module_utils.lease import exit_holding_the_lease
from ansible_collections.aurora.global_db.plugins.module_utils.rds import REGION_ENDPOINTS_ARGUMENT_SPEC
from ansible_collections.aurora.global_db.plugins.module_utils.rds import RegionalClients
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import check_durations
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import waiting_argument_spec

ARGUMENT_SPEC = dict(
    global_cluster_identifier=dict(type="str", required=True),
    engine_version=dict(type="str", required=True),
    blue_green_deployment_name=dict(type="str"),
    target_db_cluster_parameter_group=dict(type="str"),
    target_db_parameter_group=dict(type="str"),
    switchover=dict(type="bool", default=True),
    switchover_timeout=dict(type="int", default=300),
    **waiting_argument_spec(7200),
    progress_file=dict(type="path"),
    **LEASE_ARGUMENT_SPEC,
    **REGION_ENDPOINTS_ARGUMENT_SPEC,
)
BlueGreenRequest = namedtuple("BlueGreenRequest", [
    name for name in ARGUMENT_SPEC if name not in REGION_ENDPOINTS_ARGUMENT_SPEC and name not in LEASE_ARGUMENT_SPEC])


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    check_durations(module)
    check_switchover_timeout(module)
    request = BlueGreenRequest(**{name: module.params[name] for name in BlueGreenRequest._fields})
    clients = RegionalClients(module, module.params["region_endpoint_urls"])
    exit_holding_the_lease(module, clients, lambda guarded: BlueGreenRun(
        guarded, request, module.check_mode, clock=time.monotonic, sleep=time.sleep, progress_file=module.params["progress_file"]))


if __name__ == "__main__":
    main()
