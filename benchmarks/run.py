# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmarks of the collection's own work, each against a baseline measured in the same run.

Every side runs against the same sandbox (its own process, so only the client's
memory is counted):
- facts: GlobalDatabaseReader.facts + plan versus the bare describe calls a
  person would make by hand (global cluster, each member, one engine version).
- minor upgrade: the module's orchestration and waiting (poll_interval 1 s)
  versus a bare boto3 loop that modifies each member in order and polls every
  50 ms: the waiting overhead a user pays.
- fan-out (bench_fanout.py): the facts module on 1-, 3- and 6-region global
  databases at 200 ms per call versus a serial boto3 script.
- waiting policies (bench_waiting.py): ours and the peers' on the same simulated
  timelines, on a virtual clock (no sandbox).
- fleet inventory (bench_inventory.py): the aurora_global inventory of 10, 20
  and 40 global databases at 200 ms per call versus one facts call and the
  facts of every global database one after another.
- role overhead (bench_role.py): the playbook's wall time for a 3-member minor
  upgrade against the time the sandbox's upgrades took.
- rebuild_secondaries (bench_rebuild.py): the time without secondaries of a
  global database with three secondaries against one with one, each
  secondary taking the same simulated time.
Figures are printed beside their goals and written to benchmarks/results/latest.json;
benchmarks/README.md records them. Nothing here is asserted: timings belong to no test.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
import tracemalloc

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.aurora.global_db.plugins.module_utils.facts import GlobalDatabaseReader
from ansible_collections.aurora.global_db.plugins.module_utils.rds import RegionalClients
from ansible_collections.aurora.global_db.plugins.module_utils.upgrade import GlobalDatabaseUpgrade
from ansible_collections.aurora.global_db.plugins.module_utils.upgrade import UpgradeRequest
from sandbox.client import SandboxClient
from sandbox.launcher import running_sandbox

import bench_fanout
import bench_inventory
import bench_rebuild
import bench_role
import bench_waiting

HERE = os.path.dirname(os.path.abspath(__file__))

REPEATS = 15
# The most each ratio to its baseline may be (benchmarks/README.md).
RATIO_GOALS = {"facts": {"seconds": 2.5, "calls": 2.0, "peak_bytes": 3.0}, "minor_upgrade": {"seconds": 1.25}}
UPGRADE_SECONDS = 1.0
TARGET = "14.9"


class _Boto3Module:
    """What RegionalClients asks of its connector (AnsibleAWSModule's region and client()), served by plain boto3 clients."""

    region = "us-east-1"

    def __init__(self, endpoint_url):
        self._endpoint_url = endpoint_url

    def client(self, service, retry_decorator=None, region=None):
        client = SandboxClient(self._endpoint_url).aws_client(service, region or self.region)
        return RetryingBotoClientWrapper(client, retry_decorator)


def _regional_clients(endpoint_url):
    """The collection's RegionalClients, connecting through plain boto3 instead of a module's shared Session."""
    module = _Boto3Module(endpoint_url)
    return RegionalClients(module, connect=lambda _module: module)


def _bare_client(endpoint_url, region):
    return SandboxClient(endpoint_url).aws_client("rds", region)


def _bare_facts(endpoint_url):
    # A module run is a new process: both sides create their clients every time.
    clients = {"us-east-1": _bare_client(endpoint_url, "us-east-1")}
    global_cluster = clients["us-east-1"].describe_global_clusters(GlobalClusterIdentifier="pg-global")["GlobalClusters"][0]
    for member in global_cluster["GlobalClusterMembers"]:
        region, identifier = member["DBClusterArn"].split(":")[3], member["DBClusterArn"].split(":")[-1]
        clients.setdefault(region, _bare_client(endpoint_url, region)).describe_db_clusters(DBClusterIdentifier=identifier)
    clients["us-east-1"].describe_db_engine_versions(Engine=global_cluster["Engine"], EngineVersion=global_cluster["EngineVersion"])


def _collection_facts(endpoint_url):
    reader = GlobalDatabaseReader(_regional_clients(endpoint_url))
    reader.plan(reader.facts("pg-global"), TARGET)


def _measure(action, sandbox):
    """Median seconds, RDS calls per run and peak traced memory (bytes) of ``action``."""
    action()  # warm-up: client creation and imports are not what is compared
    sandbox.clear_journal()
    seconds = []
    tracemalloc.start()
    for _repeat in range(REPEATS):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    calls = sum(1 for entry in sandbox.journal() if entry["kind"] == "call") / REPEATS
    return {"seconds": statistics.median(seconds), "calls": calls, "peak_bytes": peak}


def _bare_minor_upgrade(endpoint_url, order):
    for region, identifier in order:
        client = _bare_client(endpoint_url, region)
        client.modify_db_cluster(DBClusterIdentifier=identifier, EngineVersion=TARGET, ApplyImmediately=True)
        while True:
            cluster = client.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]
            if cluster["EngineVersion"] == TARGET and cluster["Status"] == "available":
                break
            time.sleep(0.05)


def _collection_minor_upgrade(endpoint_url):
    request = UpgradeRequest("pg-global", TARGET, False, None, True, 600, 1, 60)
    GlobalDatabaseUpgrade(_regional_clients(endpoint_url), request, False, time.monotonic, time.sleep).run()


def _timed_upgrade(action, sandbox):
    sandbox.reset()
    sandbox.seed("postgresql-14")
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "calls": sum(1 for entry in sandbox.journal() if entry["kind"] == "call")}


def _ratios(measured, baseline):
    return {key: round(measured[key] / baseline[key], 2) for key in baseline if baseline[key]}


def _machine():
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        models = [line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")]
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "nproc": os.cpu_count(), "cpu": models[0] if models else platform.processor(),
        "load_average": [round(load, 2) for load in os.getloadavg()], "python": platform.python_version(),
    }


def main():
    machine = _machine()
    print("%(date)s, %(nproc)d CPUs (%(cpu)s), load average %(load_average)s at the start" % machine)
    waiting_rows = bench_waiting.measure()
    print("\n".join(bench_waiting.table(waiting_rows)), end="\n\n", flush=True)
    # A process of its own: only the client's memory is measured.
    with running_sandbox(own_process=True, upgrade_seconds=UPGRADE_SECONDS) as sandbox:
        endpoint_url = sandbox.endpoint_url
        sandbox.seed("postgresql-14")
        facts_baseline = _measure(lambda: _bare_facts(endpoint_url), sandbox)
        facts_measured = _measure(lambda: _collection_facts(endpoint_url), sandbox)
        order = [("ap-southeast-2", "pg-secondary-apse2"), ("eu-west-1", "pg-secondary-euw1"), ("us-east-1", "pg-primary-use1")]
        upgrade_baseline = _timed_upgrade(lambda: _bare_minor_upgrade(endpoint_url, order), sandbox)
        upgrade_measured = _timed_upgrade(lambda: _collection_minor_upgrade(endpoint_url), sandbox)
        for name, measured, baseline in (("facts", facts_measured, facts_baseline), ("minor_upgrade", upgrade_measured, upgrade_baseline)):
            print("%-14s ratio to baseline (goal): %s" % (name, ", ".join(
                "%s x%.2f (<= %s)" % (key, ratio, RATIO_GOALS[name][key]) if key in RATIO_GOALS[name] else "%s x%.2f" % (key, ratio)
                for key, ratio in _ratios(measured, baseline).items())))
        print(flush=True)
        fanout_rows = bench_fanout.measure(endpoint_url, sandbox)
        print("\n".join(bench_fanout.table(fanout_rows)), end="\n\n", flush=True)
        inventory_rows = bench_inventory.measure(endpoint_url, sandbox)
        print("\n".join(bench_inventory.table(inventory_rows)), end="\n\n", flush=True)
        role = bench_role.measure(endpoint_url, sandbox)
        print("\n".join(bench_role.table(role)), end="\n\n", flush=True)
        rebuild = bench_rebuild.measure(endpoint_url, sandbox)
        print("\n".join(bench_rebuild.table(rebuild)))
    report = {
        "machine": machine,
        "facts": {"baseline": facts_baseline, "measured": facts_measured, "ratio": _ratios(facts_measured, facts_baseline)},
        "minor_upgrade": {"baseline": upgrade_baseline, "measured": upgrade_measured, "ratio": _ratios(upgrade_measured, upgrade_baseline)},
        "fanout": fanout_rows,
        "inventory": inventory_rows,
        "waiting_policies": {"rows": waiting_rows, "adopted_meets": bench_waiting.verdict(waiting_rows)},
        "role_overhead": role,
        "rebuild_secondaries_gap": rebuild,
    }
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "latest.json"), "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)


if __name__ == "__main__":
    main()
