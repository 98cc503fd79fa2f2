# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import json
import os

from ansible_collections.aurora.global_db.plugins.module_utils._progress_file import ProgressFile
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import GLOBAL_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import Resource
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import State
from ansible_collections.aurora.global_db.plugins.plugin_utils.progress import member_states

SECONDARY = Resource(DB_CLUSTER, "app-eu", "eu-west-1")
PRIMARY = Resource(DB_CLUSTER, "app-us", "us-east-1")


def test_the_file_keeps_the_last_read_of_each_member_in_the_shape_member_states_reads(tmp_path):
    path = str(tmp_path / "progress.json")
    progress = ProgressFile(path, "app")
    progress.record(State(SECONDARY, "8.0.mysql_aurora.3.04.0", "upgrading"))
    progress.record(State(PRIMARY, "8.0.mysql_aurora.3.04.0", "available"))
    progress.record(State(SECONDARY, "8.0.mysql_aurora.3.05.2", "available"))
    progress.record(State(Resource(GLOBAL_CLUSTER, "app", "us-east-1"), "8.0.mysql_aurora.3.05.2", "modifying"))
    with open(path) as handle:
        content = json.load(handle)
    assert len(content["members"]) == 2
    assert content["members"][0] == {"db_cluster_identifier": "app-eu", "region": "eu-west-1", "status": "available",
                                     "engine_version": "8.0.mysql_aurora.3.05.2"}
    assert content["status"] == "modifying"
    assert member_states(content, "APP-EU") == "app-eu (eu-west-1) available at 8.0.mysql_aurora.3.05.2"
    assert os.listdir(str(tmp_path)) == ["progress.json"]


def test_an_unwritable_file_never_stops_the_upgrade(tmp_path):
    path = str(tmp_path / "missing-directory" / "progress.json")
    ProgressFile(path, "app").record(State(PRIMARY, "8.0.mysql_aurora.3.04.0", "upgrading"))
    assert not os.path.exists(path)


def test_without_a_path_nothing_is_written(tmp_path):
    ProgressFile(None, "app").record(State(PRIMARY, "8.0.mysql_aurora.3.04.0", "upgrading"))
    assert os.listdir(str(tmp_path)) == []
