#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: aurora_global_rebuild_secondaries
version_added: 0.1.0
short_description: Upgrade an Aurora MySQL global database to a minor version AWS refuses in place, by rebuilding its secondaries
description:
  - The AWS guide's procedure for the Aurora MySQL minor upgrades AWS refuses in place on a global database (targets
    2.12.*, 3.04.* and later, 8.4; the collection's rule R10) - remove every secondary from the global cluster, upgrade
    the primary, and create a secondary of the same shape at the primary's exact new version in each of those regions.
  - In order, each step awaited - record every secondary's shape (region, instances with class, promotion tier and
    writer, subnet group, security groups, parameter groups, KMS key, port, backup settings, storage type, write
    forwarding, deletion protection, tags); remove every secondary (C(RemoveFromGlobalCluster) with its ARN, in its own
    region, all regions at once) and wait until each is a standalone V(available) cluster no longer listed as a member;
    with O(keep_identifiers), rename each removed cluster and its instances with O(detached_suffix); upgrade the primary
    (C(ModifyDBCluster) with C(EngineVersion)); read its exact new version; create the new secondaries at that version in
    every region at once (C(CreateDBCluster) without master user; the writer's counterpart first, then the readers); wait
    until each is V(available) and the global cluster reports it V(connected); check every version; put back the recorded
    parameter groups where the new members lack them.
  - Nothing is ever deleted. The removed clusters stay, writable and no longer replicated, tagged with what they were
    (C(aurora-global-db:detached-from)), and are returned in RV(detached_clusters) with the command that deletes each once
    the operator is satisfied; the module never runs it.
  - Refuses, before any call that changes something - unless O(secondaries_drained=true) (once removed, the secondaries are
    standalone and writable and their data no longer follows the primary, so applications must no longer use them); a
    major target or an engine other than Aurora MySQL (V(method_not_supported) in the message); any other blocker of the
    plan M(aurora.global_db.aurora_global_facts) reports for the method V(rebuild_secondaries); a name AWS would refuse
    or a detached name already taken; an instance class the target does not offer for global databases in a secondary's
    region.
  - If anything fails after the first removal (the primary's upgrade included - refused by AWS or rolled back), the module
    still creates the secondaries, at the version the primary actually runs, and then fails saying what happened. The
    global database is never left without its secondaries silently.
  - Resumes. Before the first removal the run writes on the global cluster which secondaries it rebuilds (tags
    C(aurora-global-db:rebuild-*)), and it tags what it creates; a run interrupted after any call finds where it stopped
    and finishes without a second removal, rename or create. The tags on the global cluster are removed once every new
    secondary is connected.
  - The lease of the global cluster (M(aurora.global_db.aurora_global_lease)) is held for the whole run and checked again
    before every call that changes something.
  - Identifiers are matched as AWS matches them, case-insensitively.
options:
  global_cluster_identifier:
    description:
      - The identifier of the global cluster (global database), in any letter case.
    type: str
    required: true
  engine_version:
    description:
      - The Aurora MySQL minor version to upgrade to, for example V(8.0.mysql_aurora.3.05.2).
    type: str
    required: true
  secondaries_drained:
    description:
      - Confirms that applications no longer use the secondary clusters. Once removed from the global cluster they are
        standalone and writable, and their data no longer follows the primary; the new secondaries are read-only replicas
        again only once V(connected).
      - The module refuses to run (check mode included) unless V(true).
    type: bool
    default: false
  keep_identifiers:
    description:
      - V(true) - each removed cluster and its instances are renamed with O(detached_suffix), and the new secondaries take the
        original identifiers, so their endpoint names come back unchanged (the endpoint's hash is fixed per account and
        region).
      - V(false) - the removed clusters keep their names, and the new secondaries are named after the target (for example
        C(orders-usw2-3-05-2)).
    type: bool
    default: true
  detached_suffix:
    description:
      - Appended to the identifiers of each removed cluster and its instances when O(keep_identifiers=true). An original
        identifier that already ends with it is refused (a later run could not tell the two apart).
    type: str
    default: -detached
  wait_timeout:
    default: 7200
  status_settle_seconds:
    description:
      - How many seconds the primary may keep reporting V(available) at the old version after its upgrade was accepted
        before the module concludes that the upgrade did not start.
    type: int
    default: 300
  progress_file:
    description:
      - A file the module rewrites with the status and version of what it waits for after each of its reads, for the
        collection's action plugin, which prints progress lines from it.
      - Set by the action plugin, not by users. Failures to write it are ignored.
    type: path
notes:
  - Whether AWS clears C(GlobalClusterIdentifier) of a removed cluster, and whether AWS refuses a patch upgrade that keeps
    the community MySQL version, are not documented; the module judges a removal by the global cluster's member list and
    the cluster's status, and runs this procedure only when asked.
  - The secondaries are rebuilt side by side, so the time without secondaries (RV(secondaries_gap_seconds)) is about that of
    the slowest region, not the sum.
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
    details: Reads and checks, makes no change, and returns every call it would make, in order (RV(planned_calls)).
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Upgrade an Aurora MySQL global database to 3.05.2 by rebuilding its secondaries
  aurora.global_db.aurora_global_rebuild_secondaries:
    global_cluster_identifier: orders-global
    engine_version: "8.0.mysql_aurora.3.05.2"
    secondaries_drained: true
    region: us-east-1
  register: rebuild

- name: Say how to delete the removed clusters once satisfied
  ansible.builtin.debug:
    msg: "{{ rebuild.detached_clusters | map(attribute='delete_command') | list }}"
"""

RETURN = r"""
changed:
  description: Whether the run made any change (in check mode, whether it would).
  returned: always
  type: bool
  sample: true
method:
  description: Always V(rebuild_secondaries).
  returned: always
  type: str
  sample: rebuild_secondaries
started_at:
  description: When the run began (UTC, ISO 8601).
  returned: always
  type: str
  sample: "2026-03-01T10:00:00Z"
finished_at:
  description: When the run ended (UTC, ISO 8601), also on failure.
  returned: always
  type: str
  sample: "2026-03-01T10:40:00Z"
members:
  description:
    - Each member of the global database as the run found it (a secondary under its original identifier), with what the run
      did to it. A secondary's V(engine_version_after) is that of the new secondary in its region.
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
    role:
      description: V(primary) or V(secondary), before the run.
      type: str
    engine_version_before:
      description: Its engine version when the run began.
      type: str
    engine_version_after:
      description: Its engine version at the end of the run (a secondary's - its new secondary's), or null when not read.
      type: str
    status:
      description: Its status read at the end of the run (a secondary's - its new secondary's), or null when not read.
      type: str
    db_cluster_parameter_group_before:
      description: Its DB cluster parameter group when the run began.
      type: str
    db_cluster_parameter_group_after:
      description: Its DB cluster parameter group at the end of the run (a secondary's - its new secondary's), or null when not read.
      type: str
    started_at:
      description: When the run started to change it (UTC, ISO 8601); null when it did not.
      type: str
    finished_at:
      description: When the run saw it done (succeeded or failed); null when it did not see the end.
      type: str
    outcome:
      description:
        - V(upgraded), V(already_at_target), V(failed), V(still_upgrading) (the run stopped first; a re-run resumes), or
          V(not_started) (check mode, refused, or stopped before it).
      type: str
      choices: [upgraded, already_at_target, failed, still_upgrading, not_started]
    events:
      description: Its recent RDS events, oldest first, read when its upgrade failed. Empty otherwise.
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
    - {db_cluster_identifier: orders-usw2, region: us-west-2, role: secondary, engine_version_before: "8.0.mysql_aurora.3.04.0",
       engine_version_after: "8.0.mysql_aurora.3.05.2", started_at: "2026-03-01T10:00:05Z", finished_at: "2026-03-01T10:39:50Z",
       outcome: upgraded, events: []}
detached_clusters:
  description:
    - The clusters removed from the global database (by this run or the run it resumed), kept as they are, writable and no
      longer replicated. In check mode, those it would remove.
  returned: always
  type: list
  elements: dict
  contains:
    db_cluster_identifier:
      description: Its identifier now (with O(detached_suffix) when O(keep_identifiers=true)).
      type: str
    region:
      description: Its region.
      type: str
    was:
      description: What it was - its original identifier and the global cluster it was a secondary of.
      type: str
    db_instance_identifiers:
      description: Its DB instances, by their identifiers now.
      type: list
      elements: str
    delete_command:
      description:
        - The AWS CLI commands that delete it and its instances, for the operator once satisfied (never run by the module;
          a cluster with deletion protection needs it turned off first).
      type: str
  sample:
    - {db_cluster_identifier: orders-usw2-detached, region: us-west-2, was: "orders-usw2: secondary of global cluster orders-global",
       db_instance_identifiers: [orders-usw2-1-detached],
       delete_command: "aws rds delete-db-instance --region us-west-2 --db-instance-identifier orders-usw2-1-detached && ..."}
new_members:
  description: The secondaries this run created (or would create, in check mode), each in the region of a removed one.
  returned: always
  type: list
  elements: dict
  contains:
    db_cluster_identifier:
      description: Its identifier (the original one when O(keep_identifiers=true)).
      type: str
    region:
      description: Its region.
      type: str
    role:
      description: Always V(secondary).
      type: str
    engine_version:
      description: The engine version it was created at (in check mode, the target).
      type: str
  sample:
    - {db_cluster_identifier: orders-usw2, region: us-west-2, role: secondary, engine_version: "8.0.mysql_aurora.3.05.2"}
secondaries_gap_seconds:
  description:
    - How long the global database had no secondary - from the first removal until every new secondary was V(connected),
      counted from the time recorded before the first removal (also across an interrupted run and its re-run).
    - Null when no secondary was removed, in check mode, and when the run stopped before every new secondary was connected.
  returned: always
  type: float
  sample: 1830.5
planned_calls:
  description:
    - Every call that changes the global database, in order, as the run makes them (in check mode, would make them),
      C({step, operation, region, params}); C(step) is one of V(remove), V(rename), V(upgrade_primary), V(create_clusters),
      V(create_instances). Calls of one step go to every region at once.
    - The new secondaries are listed at the target; the run creates them at the version the primary reports once
      upgraded (RV(rebuilt_at_version)). The run's bookkeeping tags and the lease are not listed.
  returned: when the global cluster was read
  type: list
  elements: dict
  sample:
    - {step: remove, operation: RemoveFromGlobalCluster, region: us-west-2,
       params: {GlobalClusterIdentifier: orders-global, DbClusterIdentifier: "arn:aws:rds:us-west-2:123456789012:cluster:orders-usw2"}}
rebuilt_at_version:
  description: The primary's exact engine version, read after its upgrade, at which the new secondaries were created; null before.
  returned: always
  type: str
  sample: "8.0.mysql_aurora.3.05.2"
upgrade_plan:
  description:
    - The plan computed before acting, as M(aurora.global_db.aurora_global_facts) returns it for the method
      V(rebuild_secondaries).
  returned: when the global cluster was found and O(engine_version) is a version of its engine, also on failure
  type: dict
  sample: {target_engine_version: "8.0.mysql_aurora.3.05.2", kind: minor, method: rebuild_secondaries, blockers: []}
message:
  description: What the run did or would do, with the time without secondaries it opens.
  returned: success
  type: str
  sample: "Rebuilt 2 secondaries at 8.0.mysql_aurora.3.05.2; the global database had no secondary for 1830 seconds ..."
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aurora.global_db.plugins.module_utils.lease import LEASE_ARGUMENT_SPEC
from ansible_collections.aurora.global_db.plugins.module_utils.lease import exit_holding_the_lease
from ansible_collections.aurora.global_db.plugins.module_utils.rds import REGION_ENDPOINTS_ARGUMENT_SPEC
from ansible_collections.aurora.global_db.plugins.module_utils.rds import RegionalClients
from ansible_collections.aurora.global_db.plugins.module_utils.rebuild_secondaries import RebuildRequest
from ansible_collections.aurora.global_db.plugins.module_utils.rebuild_secondaries import RebuildSecondaries
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import check_durations
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import waiting_argument_spec

ARGUMENT_SPEC = dict(
    global_cluster_identifier=dict(type="str", required=True),
    engine_version=dict(type="str", required=True),
    secondaries_drained=dict(type="bool", default=False),
    keep_identifiers=dict(type="bool", default=True),
    detached_suffix=dict(type="str", default="-detached"),
    **waiting_argument_spec(7200),
    status_settle_seconds=dict(type="int", default=300),
    **LEASE_ARGUMENT_SPEC,
    progress_file=dict(type="path"),
    **REGION_ENDPOINTS_ARGUMENT_SPEC,
)


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    check_durations(module)
    request = RebuildRequest(**{name: module.params[name] for name in RebuildRequest._fields})
    clients = RegionalClients(module, module.params["region_endpoint_urls"])
    # Every call that changes something checks first that the run's lease still holds.
    exit_holding_the_lease(module, clients, lambda guarded: RebuildSecondaries(
        guarded, request, module.check_mode, clock=time.monotonic, sleep=time.sleep, progress_file=module.params["progress_file"]))


if __name__ == "__main__":
    main()
