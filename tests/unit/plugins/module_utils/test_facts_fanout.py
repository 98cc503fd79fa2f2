# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The facts read every region at once: same facts whichever region answers first, one client per region."""

import threading
import time

from ansible_collections.aurora.global_db.plugins.module_utils.facts import GlobalDatabaseReader
from ansible_collections.aurora.global_db.plugins.module_utils.rds import RegionalClients
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import FakeRds
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import FakeWorld
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import db_cluster
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import global_cluster

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1", "ap-northeast-1"]
ENGINE_VERSION = {
    "Engine": "aurora-postgresql", "EngineVersion": "14.6",
    "ValidUpgradeTarget": [{"EngineVersion": "14.9", "IsMajorVersionUpgrade": False, "SupportsGlobalDatabases": True}],
}


def _identifier(region):
    return "pg-%s" % region


class SlowRegions(FakeWorld):
    """A global database in six regions where each region answers after its own delay, and every answer is recorded with its thread."""

    def __init__(self, delays):
        super().__init__()
        self._delays = delays
        self.answered = []
        self.threads = set()
        self._lock = threading.Lock()
        members = {_identifier(region): region for region in REGIONS}
        self.global_clusters["pg-global"] = global_cluster("pg-global", members, _identifier("us-east-1"))
        self.clusters = {identifier: db_cluster(identifier, "pg-params", region=region) for identifier, region in members.items()}
        self.engine_versions = {"*": [ENGINE_VERSION]}

    def rds(self, region):
        return _SlowRegion(self, region)

    def answer(self, region):
        time.sleep(self._delays.get(region, 0))
        with self._lock:
            self.answered.append(region)
            self.threads.add(threading.current_thread().name)


class _SlowRegion(FakeRds):
    def __init__(self, regions, region):
        super().__init__(regions, region)
        self._regions = regions
        self._region_name = region

    def describe_db_clusters(self, DBClusterIdentifier, aws_retry=False):
        self._regions.answer(self._region_name)
        return super().describe_db_clusters(DBClusterIdentifier)

    def get_paginator(self, operation):
        self._regions.answer(self._region_name)
        return super().get_paginator(operation)


def _facts_and_plan(regions):
    reader = GlobalDatabaseReader(regions)
    facts = reader.facts("pg-global")
    return facts, reader.plan(facts, "14.9")


def test_the_facts_do_not_depend_on_which_region_answers_first():
    in_order = SlowRegions({region: 0.05 * number for number, region in enumerate(REGIONS)})
    reversed_order = SlowRegions({region: 0.05 * number for number, region in enumerate(reversed(REGIONS))})
    assert _facts_and_plan(in_order) == _facts_and_plan(reversed_order)
    # The regions did answer in opposite orders, from several threads.
    first_answers = [[region for region in regions.answered if region in REGIONS][:1] for regions in (in_order, reversed_order)]
    assert first_answers == [["us-east-1"], ["ap-northeast-1"]]
    assert len(reversed_order.threads) > 1


class _CountingModule:
    """A connection's client() as RegionalClients uses it, slow enough for threads to ask at the same time."""

    region = "us-east-1"

    def __init__(self):
        self.created = []

    def client(self, service, retry_decorator=None, region=None):
        time.sleep(0.01)
        self.created.append(region)
        return object()


def test_each_regions_client_is_created_once_when_threads_ask_at_the_same_time():
    module = _CountingModule()
    clients = RegionalClients(module, connect=lambda made_by: made_by)
    got, barrier = [], threading.Barrier(8)

    def ask(region):
        barrier.wait()
        got.append((region, clients.rds(region)))

    threads = [threading.Thread(target=ask, args=(REGIONS[number % 2],)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(module.created) == sorted(REGIONS[:2])
    assert len(got) == 8 and dict(got) == {region: clients.rds(region) for region in REGIONS[:2]}
    assert len({id(client) for _region, client in got}) == 2
