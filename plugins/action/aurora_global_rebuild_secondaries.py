# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Runs the module aurora_global_rebuild_secondaries and prints progress lines while it waits (see plugin_utils/progress_action.py)."""

from ansible_collections.aurora.global_db.plugins.plugin_utils.progress_action import ProgressActionModule


class ActionModule(ProgressActionModule):
    pass
