# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The aurora_global inventory of 10, 20 and 40 global databases over 4 regions, at 200 ms per call.

Three processes as a user runs them, against the same sandbox and latency:
- ours: ``ansible-inventory -i fleet.aurora_global.yml --list`` (every host's facts, support dates, groups);
- one: ``ansible localhost -m aurora.global_db.aurora_global_facts`` for one global database;
- serial: one playbook that runs aurora_global_facts once per global database, one after another (a loop; one
  ansible-playbook process, so its start is paid once: the strongest form of the serial baseline).
Goals (issue 21): ours at 40 <= 3x one; serial at 40 / ours at 40 >= 10x; the number of calls grows with regions and
distinct versions, not with global databases. Nothing is asserted: the figures are printed beside their goals.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from sandbox.client import CREDENTIALS
from sandbox.launcher import running_sandbox

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BIN = os.path.dirname(sys.executable)
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"]
VERSIONS = [("aurora-postgresql", "14.6"), ("aurora-postgresql", "15.4"), ("aurora-mysql", "8.0.mysql_aurora.3.05.2")]
SIZES = (10, 20, 40)
LATENCY_SECONDS = 0.2
REPEATS = 3
GOALS = "ours at 40 <= 3x one facts call; serial facts at 40 / ours at 40 >= 10x; calls flat in the number of global databases"


def _environment():
    collections = os.path.join(ROOT, ".build", "collections")
    return dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, AWS_DEFAULT_REGION="us-east-1", ANSIBLE_LOCALHOST_WARNING="false",
                ANSIBLE_INVENTORY_UNPARSED_WARNING="false", **CREDENTIALS)


def _timed(command, sandbox):
    """Seconds and RDS calls of one run of ``command``."""
    sandbox.clear_journal()
    started = time.perf_counter()
    finished = subprocess.run(command, env=_environment(), capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if finished.returncode:
        raise RuntimeError("%s failed: %s %s" % (" ".join(command[:3]), finished.stdout[-2000:], finished.stderr[-2000:]))
    return seconds, sum(1 for entry in sandbox.journal() if entry["kind"] == "call")


def _median(samples):
    return {"seconds": round(statistics.median(seconds for seconds, _calls in samples), 2), "calls": max(calls for _seconds, calls in samples)}


def _commands(endpoint_url, directory, identifiers):
    inventory = os.path.join(directory, "bench.aurora_global.yml")
    with open(inventory, "w", encoding="utf-8") as handle:
        json.dump({"plugin": "aurora.global_db.aurora_global", "region": REGIONS[0], "endpoint_url": endpoint_url}, handle)
    facts_arguments = "global_cluster_identifier=%s region=%s endpoint_url=%s" % (identifiers[0], REGIONS[0], endpoint_url)
    playbook = os.path.join(directory, "serial_facts.yml")
    with open(playbook, "w", encoding="utf-8") as handle:
        json.dump([{"hosts": "localhost", "connection": "local", "gather_facts": False,
                    "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
                    "tasks": [{"aurora.global_db.aurora_global_facts": {"global_cluster_identifier": "{{ item }}", "region": REGIONS[0],
                                                                        "endpoint_url": endpoint_url},
                               "loop": identifiers}]}], handle)
    return {
        "ours": [os.path.join(BIN, "ansible-inventory"), "-i", inventory, "--list"],
        "one": [os.path.join(BIN, "ansible"), "localhost", "-c", "local", "-e", "ansible_python_interpreter=%s" % sys.executable,
                "-m", "aurora.global_db.aurora_global_facts", "-a", facts_arguments],
        "serial": [os.path.join(BIN, "ansible-playbook"), playbook],
    }


def measure(endpoint_url, sandbox):
    """Per size: ours (median seconds, calls); at the largest size also one facts call and the serial facts of every global database."""
    from sandbox.fleet import generated_fleet  # pylint: disable=import-outside-toplevel  # moto: only once the sandbox runs

    rows = []
    with tempfile.TemporaryDirectory() as directory:
        for size in SIZES:
            sandbox.reset()
            fleet = generated_fleet(size, REGIONS, VERSIONS)
            sandbox.seed_fleet(fleet)
            sandbox.configure(latency_seconds=LATENCY_SECONDS)
            commands = _commands(endpoint_url, directory, [definition["global_cluster_identifier"] for definition in fleet])
            row = {"global_databases": size, "regions": len(REGIONS), "versions": len(VERSIONS),
                   "ours": _median([_timed(commands["ours"], sandbox) for _repeat in range(REPEATS)])}
            if size == SIZES[-1]:
                row["one"] = _median([_timed(commands["one"], sandbox) for _repeat in range(REPEATS)])
                row["serial"] = _median([_timed(commands["serial"], sandbox)])
                row["ours_over_one"] = round(row["ours"]["seconds"] / row["one"]["seconds"], 2)
                row["serial_over_ours"] = round(row["serial"]["seconds"] / row["ours"]["seconds"], 2)
            rows.append(row)
    sandbox.configure(latency_seconds=0)
    sandbox.reset()
    return rows


def verdict(rows):
    largest = rows[-1]
    return {"ours_at_40_within_3x_of_one": largest["ours_over_one"] <= 3, "10x_faster_than_serial": largest["serial_over_ours"] >= 10,
            "calls_flat": len({row["ours"]["calls"] for row in rows}) == 1}


def table(rows):
    largest = rows[-1]
    lines = ["Inventory over %d regions, %d versions, at %d ms per call (median of %d runs; goal: %s)" % (
        len(REGIONS), len(VERSIONS), LATENCY_SECONDS * 1000, REPEATS, GOALS),
        "| global databases | ours s (calls) |", "|---|---|"]
    lines += ["| %d | %.2f (%d) |" % (row["global_databases"], row["ours"]["seconds"], row["ours"]["calls"]) for row in rows]
    lines.append("one aurora_global_facts call: %.2f s (%d calls); ours / one: %.2fx" % (
        largest["one"]["seconds"], largest["one"]["calls"], largest["ours_over_one"]))
    lines.append("aurora_global_facts once per global database, serially (%d): %.2f s (%d calls); serial / ours: %.2fx" % (
        largest["global_databases"], largest["serial"]["seconds"], largest["serial"]["calls"], largest["serial_over_ours"]))
    lines.append("meets: %s" % ", ".join("%s=%s" % item for item in verdict(rows).items()))
    return lines


def main():
    """Run alone: PYTHONPATH=tests python benchmarks/bench_inventory.py (starts its own sandbox)."""
    with running_sandbox(own_process=True) as sandbox:
        rows = measure(sandbox.endpoint_url, sandbox)
    print("\n".join(table(rows)))
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
