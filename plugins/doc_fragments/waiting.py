# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """wait_timeout and poll_interval of the modules that wait for AWS, all through module_utils/waiting.py (one deadline
    per run, the same growing wait between reads). Each module gives its own wait_timeout default (an option of the
    module merges with the fragment's)."""

    DOCUMENTATION = r"""
options:
  wait_timeout:
    description:
      - How many seconds the whole run may wait, for everything it waits for together (one deadline, not one per resource).
      - On a timeout AWS carries on with what it accepted; running the module again with the same options resumes (it
        waits for what is still running instead of asking again).
    type: int
  poll_interval:
    description:
      - How many seconds to wait between the first reads of the status while waiting.
      - The wait between two reads then grows to 5% of the time already waited, at most 60 seconds (or O(poll_interval)
        when that is longer). The end of an upgrade is so noticed at most a minute late (and within 5% of the upgrade's
        length), while a two-hour upgrade costs about 150 status reads instead of 480 at a fixed 15 seconds. The policy
        was chosen by replaying simulated upgrades against the policies of Terraform, the AWS CLI and amazon.aws
        (C(benchmarks/README.md) in the collection's repository).
    type: int
    default: 15
"""
