#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: aurora_global_lease
version_added: 0.1.0
short_description: Take or release the lease that lets one run at a time change an Aurora global database
description:
  - Two runs against the same global database at once (two AWX jobs, two operators) must not both act. A run takes
    the lease before its first change and releases it at the end, on success and on failure; a second run refuses,
    naming the owner of the lease, before it changes anything.
  - The lease is tags on the global cluster, C(aurora-global-db:lease-owner), C(aurora-global-db:lease-token),
    C(aurora-global-db:lease-started), C(aurora-global-db:lease-expires) (UTC) and C(aurora-global-db:lease-run),
    written with C(AddTagsToResource)
    and read with C(ListTagsForResource) on the global cluster's ARN, in the region the global cluster is asked in.
  - C(aurora-global-db:lease-run) records the ansible-playbook run that holds the lease, with the control node (host
    name, boot), the process id of C(ansible-playbook) and its start time. A module process ends with its task; the
    playbook run outlives its tasks, so a later run can tell whether it still exists.
  - Tags cannot be written conditionally, so taking the lease is read, write once, wait three seconds, read back. Of two
    runs that take it within that time the last writer holds it and the other one fails. A lease write is never resent
    blindly. A throttled write (refused by AWS) is written again after a fresh read; a write that answered more than
    three seconds after the lease was read free may have replaced another run's lease, so it is withdrawn (that run
    stops before its next change) and written again after a fresh read. After four such writes the module fails,
    having changed nothing.
  - The modules that change a global database (M(aurora.global_db.aurora_global_upgrade), and those with the option
    O(aurora.global_db.aurora_global_upgrade#module:lease_token)) read the lease again before each call that changes it,
    and stop when it no longer holds.
  - A lease past its expiry is taken over, with a warning naming its owner; so is a lease left by a run of this control
    node that no longer exists (interrupted or killed), without any option. A lease of a run on another control node
    can be taken over before its expiry by naming its token in O(take_over); the refusal names the token and returns
    RV(rerun_command).
  - M(aurora.global_db.aurora_global_upgrade) takes a lease of its own for its run unless it is given the token of
    one (O(aurora.global_db.aurora_global_upgrade#module:lease_token)); the role C(aurora.global_db.aurora_global_upgrade)
    takes one lease for its whole run with this module and releases it at the end.
options:
  global_cluster_identifier:
    description:
      - The identifier of the global cluster (global database).
    type: str
    required: true
  state:
    description:
      - V(present) takes the lease; V(absent) releases the lease named by O(token).
    type: str
    choices: [present, absent]
    default: present
  owner:
    description:
      - Who holds the lease, as other runs are told, for example V(awx-job-4711). Characters a tag value cannot hold
        become C(-).
      - Defaults to the control node's host name and the process id of C(ansible-playbook) (of the module when no
        C(ansible-playbook) is found).
    type: str
  duration:
    description:
      - How many seconds the lease lasts before another run may take it over. Give at least as long as the run may take.
    type: int
    default: 7200
  token:
    description:
      - The token of the lease to release (RV(lease.token) of the run that took it). Required with O(state=absent).
      - A lease with another token is left alone.
    type: str
  global_cluster_resource_id:
    description:
      - With O(state=absent), the resource id of the global cluster the lease was taken on
        (RV(lease.global_cluster_resource_id) of the run that took it). A global cluster keeps its resource id when it is
        renamed, its identifier and ARN change. After a Blue/Green switchover the global cluster the lease was taken on
        is O(global_cluster_identifier)C(-old1), and another global cluster carries O(global_cluster_identifier). The lease
        is released on the global cluster with this resource id, wherever its name went.
      - Without it, the lease is released on the global cluster named O(global_cluster_identifier).
      - Either way, a copy of the lease (same O(token)) on the global cluster named O(global_cluster_identifier) is removed
        too, since whether AWS copies the tags of a blue global cluster to its green one is not documented.
    type: str
  take_over:
    description:
      - The token of a lease that has not expired yet to take over anyway, because the run that holds it is known to
        be gone (it was killed). The refusal message of a held lease names its token.
    type: str
author:
  - Aurora global_db maintainers (@aurora-global-db)
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - aurora.global_db.region_endpoints
  - aurora.global_db.attributes
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads the lease and reports whether it could be taken or released; writes no tag.
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Take the lease for this AWX job
  aurora.global_db.aurora_global_lease:
    global_cluster_identifier: orders-global
    owner: "awx-job-{{ awx_job_id }}"
    duration: 14400
    region: us-east-1
  register: lease

- name: Release it
  aurora.global_db.aurora_global_lease:
    global_cluster_identifier: orders-global
    state: absent
    token: "{{ lease.lease.token }}"
    region: us-east-1
"""

RETURN = r"""
lease:
  description:
    - With O(state=present), the lease this run now holds (in check mode, the lease held before, or null).
    - With O(state=absent), the lease released, or null when O(token) did not hold the lease.
  returned: success
  type: dict
  contains:
    owner:
      description: Who holds the lease.
      type: str
      returned: success
      sample: awx-job-4711
    token:
      description: Tells this lease from any other; give it to O(token) to release the lease.
      type: str
      returned: success
      sample: 6f1c0e4f1b1d4c8e9a3b2d7c5e0f9a1b
    started:
      description: When the lease was taken (UTC).
      type: str
      returned: success
      sample: "2026-12-01T10:00:00Z"
    expires:
      description: When another run may take the lease over (UTC).
      type: str
      returned: success
      sample: "2026-12-01T12:00:00Z"
    run:
      description:
        - The ansible-playbook run that holds the lease, as C(host/pid/start/boot) (start in clock ticks since boot,
          boot the kernel's boot id); null when the lease was taken outside ansible-playbook.
      type: str
      returned: success
      sample: vm/20659/4411300/6c3e8a52-0f4e-4b1e-9d0a-6a1f4e3b2c10
    global_cluster_resource_id:
      description:
        - The resource id of the global cluster the lease is on (C(GlobalClusterResourceId)), which a rename keeps; give it to
          O(global_cluster_resource_id) to release the lease.
      type: str
      returned: success
      sample: cluster-f724ad0b
replaced:
  description:
    - The expired (or O(take_over)) lease this run took over, with the keys of RV(lease) but
      RV(lease.global_cluster_resource_id); null otherwise.
  returned: success
  type: dict
  sample:
    owner: awx-job-4710
    token: 0a1b2c3d4e5f60718293a4b5c6d7e8f9
    started: "2026-12-01T06:00:00Z"
    expires: "2026-12-01T08:00:00Z"
    run: null
held_by:
  description: When another run holds the lease (the module failed), that lease, with the keys of RV(lease) but RV(lease.global_cluster_resource_id).
  returned: failure
  type: dict
rerun_command:
  description:
    - When another run holds the lease (the module failed), the command line of this run's C(ansible-playbook), to run
      again with the take-over once that run is known to be gone; null when this run is not an C(ansible-playbook) run.
  returned: failure
  type: str
  sample: ansible-playbook aurora.global_db.upgrade -e aurora_global_upgrade_global_cluster_identifier=pg-global
"""

import time

# ansible-core's own warn(): AnsibleAWSModule.warn() also passes the warnings to exit_json(), which ansible-core 2.19
# reports as a deprecation on every run that warns.
from ansible.module_utils.common.warnings import warn
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.errors import fail_module
from ansible_collections.aurora.global_db.plugins.module_utils.lease import GlobalClusterLease
from ansible_collections.aurora.global_db.plugins.module_utils.lease import LeaseHeld
from ansible_collections.aurora.global_db.plugins.module_utils.lease import default_owner
from ansible_collections.aurora.global_db.plugins.module_utils.lease import lease_dict
from ansible_collections.aurora.global_db.plugins.module_utils.lease import run_lease_request
from ansible_collections.aurora.global_db.plugins.module_utils.lease import takeover_warning
from ansible_collections.aurora.global_db.plugins.module_utils.lease import utc_now
from ansible_collections.aurora.global_db.plugins.module_utils.playbook_run import run_command
from ansible_collections.aurora.global_db.plugins.module_utils.playbook_run import this_run
from ansible_collections.aurora.global_db.plugins.module_utils.rds import REGION_ENDPOINTS_ARGUMENT_SPEC
from ansible_collections.aurora.global_db.plugins.module_utils.rds import RegionalClients

ARGUMENT_SPEC = dict(
    global_cluster_identifier=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    owner=dict(type="str"),
    duration=dict(type="int", default=7200),
    token=dict(type="str", no_log=False),
    take_over=dict(type="str", no_log=False),
    global_cluster_resource_id=dict(type="str"),
    **REGION_ENDPOINTS_ARGUMENT_SPEC,
)


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, required_if=[("state", "absent", ["token"])])
    if module.params["duration"] < 1:
        module.fail_json(msg="duration must be at least 1, not %d" % module.params["duration"])
    lease = GlobalClusterLease(RegionalClients(module, module.params["region_endpoint_urls"]), module.params["global_cluster_identifier"], utc_now, time.sleep,
                               resource_id=module.params["global_cluster_resource_id"])
    run = this_run()
    try:
        changed, held, replaced = run_lease_request(
            lease, module.params["state"], module.check_mode, module.params["owner"] or default_owner(run),
            module.params["duration"], module.params["token"], module.params["take_over"], run,
        )
    except LeaseHeld as error:
        error.progress.update(rerun_command=run_command(run))
        fail_module(module, error)
    except AuroraGlobalError as error:
        fail_module(module, error)
    if replaced is not None:
        warn(takeover_warning(replaced))
    taken_or_released = lease_dict(held)
    if taken_or_released is not None:
        taken_or_released["global_cluster_resource_id"] = lease.resource_id
    module.exit_json(changed=changed, lease=taken_or_released, replaced=lease_dict(replaced))


if __name__ == "__main__":
    main()
