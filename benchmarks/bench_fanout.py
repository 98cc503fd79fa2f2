# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Facts of 1-, 3- and 6-region global databases at 200 ms per call: aurora_global_facts against a serial boto3 script.

Both sides are a process of their own, as a user runs them: the facts module
(with a target, so it plans too) run the way Ansible runs it on the host, and
serial_reads.py, which makes the same reads one after another. The sandbox
answers every RDS call LATENCY_SECONDS late (setting latency_seconds), as a
distant region does. The global databases are built with boto3 calls.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from sandbox.client import CREDENTIALS
from sandbox.client import SandboxClient
from sandbox.launcher import python_path

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1", "ap-northeast-1"]
SIZES = (1, 3, 6)
LATENCY_SECONDS = 0.2
REPEATS = 7
ENGINE, VERSION, TARGET = "aurora-postgresql", "14.6", "14.9"
GOALS = "6 regions <= 1.3x 1 region; serial script / ours >= 2x at 6 regions"


def build_global_database(endpoint_url, identifier, regions):
    """A global database with a member (one instance, its own parameter group) in each region, the first one primary."""
    clients = {region: SandboxClient(endpoint_url).aws_client("rds", region) for region in regions}
    clients[regions[0]].create_global_cluster(GlobalClusterIdentifier=identifier, Engine=ENGINE, EngineVersion=VERSION)
    for number, region in enumerate(regions):
        cluster = "%s-%s" % (identifier, region)
        clients[region].create_db_cluster_parameter_group(
            DBClusterParameterGroupName="%s-params" % identifier, DBParameterGroupFamily="aurora-postgresql14", Description="benchmark",
        )
        credentials = {} if number else {"MasterUsername": "bench", "MasterUserPassword": "bench-password"}
        clients[region].create_db_cluster(
            DBClusterIdentifier=cluster, Engine=ENGINE, EngineVersion=VERSION, GlobalClusterIdentifier=identifier,
            DBClusterParameterGroupName="%s-params" % identifier, **credentials
        )
        clients[region].create_db_instance(DBInstanceIdentifier=cluster + "-1", DBClusterIdentifier=cluster, Engine=ENGINE, DBInstanceClass="db.r6g.large")


def _environment():
    collections = os.path.join(ROOT, ".build", "collections")
    # The collection for the module; the sandbox package for serial_reads.py's client.
    return dict(os.environ, PYTHONPATH=python_path(collections), ANSIBLE_COLLECTIONS_PATH=collections, **CREDENTIALS)


def _module_command(endpoint_url, identifier, directory):
    arguments = os.path.join(directory, "%s.json" % identifier)
    with open(arguments, "w", encoding="utf-8") as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": {
            "global_cluster_identifier": identifier, "target_engine_version": TARGET, "region": REGIONS[0], "endpoint_url": endpoint_url,
        }}, handle)
    return [sys.executable, os.path.join(ROOT, "plugins", "modules", "aurora_global_facts.py"), arguments]


def _timed(command, sandbox):
    """Seconds and RDS calls of one run of ``command``."""
    sandbox.clear_journal()
    started = time.perf_counter()
    finished = subprocess.run(command, env=_environment(), capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if finished.returncode or '"failed": true' in finished.stdout:
        raise RuntimeError("%s failed: %s %s" % (command[1], finished.stdout[-2000:], finished.stderr[-2000:]))
    return seconds, sum(1 for entry in sandbox.journal() if entry["kind"] == "call")


def measure(endpoint_url, sandbox):
    """One row per size: median seconds and RDS calls of ours and of the serial script, and the ratios the goals speak of.

    The runs are interleaved (each round runs every size and side once), so that a change in the
    machine's load during the benchmark falls on every figure alike.
    """
    for size in SIZES:
        build_global_database(endpoint_url, "bench-%d" % size, REGIONS[:size])
    sandbox.configure(latency_seconds=LATENCY_SECONDS)
    samples = {(size, side): [] for size in SIZES for side in ("ours", "serial")}
    with tempfile.TemporaryDirectory() as directory:
        commands = {}
        for size in SIZES:
            identifier = "bench-%d" % size
            commands[(size, "ours")] = _module_command(endpoint_url, identifier, directory)
            commands[(size, "serial")] = [sys.executable, os.path.join(HERE, "serial_reads.py"), endpoint_url, identifier]
        for _round in range(REPEATS):
            for key, command in commands.items():
                samples[key].append(_timed(command, sandbox))
    sandbox.configure(latency_seconds=0)
    rows = []
    for size in SIZES:
        ours, serial = (_summary(samples[(size, side)]) for side in ("ours", "serial"))
        rows.append({"regions": size, "ours": ours, "serial": serial, "serial_over_ours": round(serial["seconds"] / ours["seconds"], 2)})
    for row in rows:
        row["ours_over_1_region"] = round(row["ours"]["seconds"] / rows[0]["ours"]["seconds"], 2)
    return rows


def _summary(samples):
    return {"seconds": round(statistics.median(seconds for seconds, _calls in samples), 3), "calls": max(calls for _seconds, calls in samples)}


def verdict(rows):
    six = rows[-1]
    return {"6_regions_within_1.3x_of_1": six["ours_over_1_region"] <= 1.3, "2x_faster_than_serial_at_6": six["serial_over_ours"] >= 2}


def table(rows):
    lines = ["Facts at %d ms per call (median of %d runs; goal: %s)" % (LATENCY_SECONDS * 1000, REPEATS, GOALS),
             "| regions | ours s (calls) | serial boto3 s (calls) | serial / ours | ours / ours at 1 region |", "|---|---|---|---|---|"]
    for row in rows:
        lines.append("| %d | %.2f (%g) | %.2f (%g) | %.2fx | %.2fx |" % (
            row["regions"], row["ours"]["seconds"], row["ours"]["calls"], row["serial"]["seconds"], row["serial"]["calls"],
            row["serial_over_ours"], row["ours_over_1_region"]))
    lines.append("meets: %s" % ", ".join("%s=%s" % item for item in verdict(rows).items()))
    return lines
