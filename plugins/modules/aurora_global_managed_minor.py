#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: aurora_global_managed_minor
version_added: 0.1.0
short_description: Upgrade an Aurora PostgreSQL global database to a minor version with AWS's managed minor upgrade
description:
  - Sends one C(ModifyGlobalCluster) with C(EngineVersion) and without C(AllowMajorVersionUpgrade), in the primary's
    region. AWS then upgrades the primary and every secondary, and rolls every member back to the old version if the
    upgrade fails (AWS's managed minor upgrade of Aurora PostgreSQL global databases, 2026).
  - Waits until the global cluster and every member report O(engine_version) and V(available). A member back at its old
    version after it was seen upgrading is a rollback, and the module fails with every member's recent RDS events
    (C(DescribeEvents)), where AWS says why.
  - Aurora PostgreSQL minor targets only. An Aurora MySQL global database or a major target is refused before any call
    that changes something (V(method_not_supported) in the message), as is any blocker that
    M(aurora.global_db.aurora_global_facts) reports in its upgrade plan, except an upgrade already running.
  - Where AWS does not offer the feature (a region or an engine version without it), AWS refuses the call; the module
    fails saying that nothing was changed and that the method V(in_place) (member by member) does this upgrade.
  - The call is sent once, by a client that does not retry, and sent again only when AWS throttled it. When its answer
    is lost (a server error or a broken connection, which AWS may have accepted), the module does not send it again but
    waits for the upgrade to show, at most O(status_settle_seconds). A run that finds the global cluster or a member
    upgrading (an earlier run's upgrade) sends nothing and waits for the target.
  - Identifiers are matched as AWS matches them, case-insensitively.
options:
  global_cluster_identifier:
    description:
      - The identifier of the global cluster (global database), in any letter case.
    type: str
    required: true
  engine_version:
    description:
      - The minor version to upgrade to, for example V(14.9).
    type: str
    required: true
  wait_timeout:
    default: 7200
  status_settle_seconds:
    description:
      - How many seconds the global cluster and its members may keep reporting V(available) at the old version after the
        call before the module concludes that the upgrade did not start and fails.
    type: int
    default: 300
  progress_file:
    description:
      - A file the module rewrites with the status and version of the global cluster and every member after each of its
        reads while it waits, for the collection's action plugin, which prints progress lines from it.
      - Set by the action plugin, not by users. Failures to write it are ignored.
    type: path
notes:
  - AWS documents no event text for a rollback, and whether the global cluster and members read V(upgrading) during this
    upgrade; the module judges by the engine version and status it reads, whatever the words.
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
    details: Reads and checks, makes no change, and reports whether the upgrade would be started.
  diff_mode:
    support: full
    details: Reports the engine version of every member before and after the run.
"""

EXAMPLES = r"""
- name: Managed minor upgrade of an Aurora PostgreSQL global database
  aurora.global_db.aurora_global_managed_minor:
    global_cluster_identifier: orders-global
    engine_version: "14.9"
    region: us-east-1
  register: upgrade

- name: Show the members at the target
  ansible.builtin.debug:
    msg: "{{ upgrade.upgraded }} now run 14.9"
"""

RETURN = r"""
method:
  description: Always V(managed_minor).
  returned: always
  type: str
  sample: managed_minor
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
    - AWS upgrades every member at once, so they share one start and one end.
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
        - When C(ModifyGlobalCluster) was sent (UTC, ISO 8601), or the run's start when it found the upgrade running.
        - Null for a member the upgrade did not reach.
      type: str
    finished_at:
      description: When the run saw the upgrade end (succeeded or failed); null when it did not see the end.
      type: str
    outcome:
      description:
        - V(upgraded) (at the target now), V(already_at_target) (before the run), V(failed) (rolled back by AWS), V(still_upgrading) (the
          wait ended first; AWS carries on), V(not_started) (check mode, refused, or stopped before the call).
      type: str
      choices: [upgraded, already_at_target, failed, still_upgrading, not_started]
    events:
      description:
        - Its recent RDS events, oldest first (at most 10), read when AWS rolled the upgrade back, where AWS says why. Empty otherwise.
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
upgrade_plan:
  description:
    - The plan computed before acting, as M(aurora.global_db.aurora_global_facts) returns it in
      RV(aurora.global_db.aurora_global_facts#module:ansible_facts.aurora_global.upgrade_plan).
  returned: when the global cluster was found and O(engine_version) is a version of its engine, also on failure
  type: dict
  sample: {target_engine_version: "14.9", kind: minor, method: per_cluster, pending: [pg-secondary-euw1, pg-primary-use1], blockers: []}
call_sent:
  description:
    - Whether this run sent C(ModifyGlobalCluster). Also V(true) when its answer was lost, since AWS may have applied it.
    - V(false) in check mode, when nothing was pending, and when the run found an upgrade under way and only waited for it.
  returned: always
  type: bool
  sample: true
resumed:
  description: Whether the run found an upgrade under way (the global cluster or a member busy) and waited for it instead of calling.
  returned: always
  type: bool
  sample: false
upgraded:
  description:
    - The members below the target before the run that are V(available) at the target after it, in upgrade order.
    - In check mode, the members the upgrade would move.
  returned: success
  type: list
  elements: str
  sample: [pg-secondary-apse2, pg-secondary-euw1, pg-primary-use1]
rolled_back:
  description: Whether AWS rolled the upgrade back (members V(available) at the old version after it started).
  returned: always
  type: bool
  sample: false
failed_members:
  description: The members whose upgrade was rolled back, or that showed no sign of it within O(status_settle_seconds).
  returned: always
  type: list
  elements: str
  sample: []
still_upgrading:
  description: What was still upgrading, or not yet at the target, when the wait ended without success.
  returned: always
  type: list
  elements: str
  sample: []
timed_out:
  description: Whether the run stopped because O(wait_timeout) ran out.
  returned: always
  type: bool
  sample: false
global_cluster:
  description:
    - The global database read after the run (in check mode, before), with the keys
      RV(aurora.global_db.aurora_global_facts#module:ansible_facts.aurora_global) has (without C(upgrade_plan)).
  returned: success
  type: dict
  sample: {global_cluster_identifier: pg-global, engine: aurora-postgresql, engine_version: "14.9", status: available}
diff:
  description: The engine version of every member before and after the run (in check mode, the target for every member).
  returned: in diff mode, on success
  type: dict
  contains:
    before:
      description: The db_cluster_identifier of every member, mapped to its engine version before the run.
      type: dict
      returned: in diff mode, on success
      sample: {pg-primary-use1: "14.6"}
    after:
      description: The same after the run.
      type: dict
      returned: in diff mode, on success
      sample: {pg-primary-use1: "14.9"}
"""

import time

try:
    import botocore.config
except ImportError:
    pass  # AnsibleAWSModule reports the missing SDK.

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aurora.global_db.plugins.module_utils.lease import LEASE_ARGUMENT_SPEC
from ansible_collections.aurora.global_db.plugins.module_utils.lease import exit_holding_the_lease
from ansible_collections.aurora.global_db.plugins.module_utils.managed_minor import ManagedMinorRequest
from ansible_collections.aurora.global_db.plugins.module_utils.managed_minor import ManagedMinorUpgrade
from ansible_collections.aurora.global_db.plugins.module_utils.rds import REGION_ENDPOINTS_ARGUMENT_SPEC
from ansible_collections.aurora.global_db.plugins.module_utils.rds import RegionalClients
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import check_durations
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import waiting_argument_spec

ARGUMENT_SPEC = dict(
    global_cluster_identifier=dict(type="str", required=True),
    engine_version=dict(type="str", required=True),
    **waiting_argument_spec(7200),
    status_settle_seconds=dict(type="int", default=300),
    progress_file=dict(type="path"),
    **LEASE_ARGUMENT_SPEC,
    **REGION_ENDPOINTS_ARGUMENT_SPEC,
)


def _single_attempt_rds(module):
    """RDS clients that send each call once: botocore would resend a call whose answer was lost (HTTP 500)."""
    endpoints = module.params["region_endpoint_urls"] or {}
    once = botocore.config.Config(retries={"total_max_attempts": 1})
    return lambda region: module.client("rds", region=region, config=once, **({"endpoint": endpoints[region]} if region in endpoints else {}))


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    check_durations(module)
    request = ManagedMinorRequest(**{name: module.params[name] for name in ManagedMinorRequest._fields})
    clients = RegionalClients(module, module.params["region_endpoint_urls"])
    single_attempt_rds = _single_attempt_rds(module)
    # Every call that changes something checks first that the run's lease still holds, the one ModifyGlobalCluster too.
    exit_holding_the_lease(module, clients, lambda guarded: ManagedMinorUpgrade(
        guarded, lambda region: guarded.guard(single_attempt_rds(region)), request, module.check_mode, clock=time.monotonic,
        sleep=time.sleep, progress_file=module.params["progress_file"]))


if __name__ == "__main__":
    main()
