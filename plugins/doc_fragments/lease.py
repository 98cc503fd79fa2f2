# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """lease, lease_token and lease_owner of the modules that change a global database under its lease (module_utils/lease.py,
    lease.LEASE_ARGUMENT_SPEC)."""

    DOCUMENTATION = r"""
options:
  lease:
    description:
      - Take the lease of the global cluster (see M(aurora.global_db.aurora_global_lease)) before the first change and
        release it at the end, on success and on failure, so that no other run acts on the global database meanwhile.
        A run that finds the lease held by another run fails before any change, naming the owner; an expired lease is
        taken over with a warning. The lease lasts O(wait_timeout) seconds, at least five minutes.
      - Check mode takes no lease. V(false) takes none either, for callers that coordinate runs themselves.
      - Needs C(rds:AddTagsToResource), C(rds:RemoveTagsFromResource) and C(rds:ListTagsForResource) on the global cluster.
    type: bool
    default: true
  lease_token:
    description:
      - The token of a lease the caller already holds (RV(aurora.global_db.aurora_global_lease#module:lease.token)), as the
        role does for its whole run. The module checks that this lease still holds the global cluster before acting,
        and neither takes nor releases a lease. Wins over O(lease).
    type: str
  lease_owner:
    description:
      - The owner recorded in the lease this run takes, for example V(awx-job-4711). Defaults to the control node's
        host name and the module's process id.
    type: str
"""
