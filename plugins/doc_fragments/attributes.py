# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """Attributes every module of the collection shares: where it runs and its action group."""

    DOCUMENTATION = r"""
attributes:
  platform:
    support: full
    platforms: all
    details: Runs wherever boto3 reaches the AWS API, usually the control node with a local connection.
  action_group:
    description:
      - Use C(group/aurora.global_db.aws) in C(module_defaults) to set the connection options. The group extends
        C(amazon.aws.aws), so the same entry also configures the amazon.aws modules of a play.
    support: full
    membership:
      - aurora.global_db.aws
"""
