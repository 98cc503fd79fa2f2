# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The progress file: the status of what a waiting module (upgrade, snapshot) waits for, rewritten after each of its own reads.

The collection's action plugin prints progress lines from it, so progress costs no RDS call of its own
(the account's RDS API budget is shared). Its JSON has the shape of the aurora_global facts that
plugin_utils/progress.member_states reads.
"""

import json
import os
import tempfile

from ansible_collections.aurora.global_db.plugins.module_utils.kinds import GLOBAL_CLUSTER


class ProgressFile:
    """Keeps the last state read of each resource and rewrites the file with all of them; without a path it does nothing."""

    def __init__(self, path, global_cluster_identifier):
        self._path = path
        self._global_cluster_identifier = global_cluster_identifier
        self._states = {}

    def record(self, state):
        """Remember ``state`` (a waiting.State) and rewrite the file; a file that cannot be written never stops the run."""
        if not self._path:
            return
        self._states[state.resource] = state
        try:
            write_atomically(self._path, json.dumps(self.content()))
        except OSError:
            pass

    def content(self):
        content = {"global_cluster_identifier": self._global_cluster_identifier, "members": []}
        for resource, state in self._states.items():
            if resource.kind == GLOBAL_CLUSTER:
                content["status"] = state.status
            else:
                content["members"].append({"db_cluster_identifier": resource.identifier, "region": resource.region,
                                           "status": state.status, "engine_version": state.engine_version})
        return content


def write_atomically(path, text):
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``: a reader sees the old or the new file whole."""
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".progress-")
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except OSError:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
