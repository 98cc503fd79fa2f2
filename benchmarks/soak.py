# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Soak: the role upgrades the largest global database AWS allows three times in a row, under throttling and latency.

An Aurora PostgreSQL global database with a primary and 10 secondaries, in the regions of the sandbox's
mysql-3-max-regions scenario (AWS's limit: "up to 10 secondary AWS Regions", Aurora User Guide, "Configuration
requirements of an Amazon Aurora global database"), seeded as a fleet definition. The role runs through ansible-playbook
three times, 16.1 -> 16.2 -> 16.3 -> 16.4, minor upgrades AWS does in place on an Aurora PostgreSQL global database
(Aurora MySQL's from 3.04 on it refuses in place on a global database: rule R10, blocker in_place_minor_refused), while
the sandbox throttles 10% of the RDS calls (throttle_fraction) and a thread changes its latency_seconds to a random
value every 0.3 s.

Checked after each upgrade: the run completed, every member was modified exactly once (no duplicate accepted
ModifyDBCluster, no modify refused as already upgrading), secondaries in upgrade order and the primary last.
Prints one line per upgrade and exits non-zero on the first broken promise. Run by `make bench`; takes a few minutes.
"""

from __future__ import annotations

import random
import sys
import threading
import time

# tests/ and tests/integration are on PYTHONPATH (make bench).
from role_runs import run_role
from role_runs import scenario
from sandbox.launcher import running_sandbox

# The regions of the largest global database AWS allows, the primary's first.
REGIONS_OF = "mysql-3-max-regions"
GLOBAL_DATABASE = {"global_cluster_identifier": "pg16-max-global", "engine": "aurora-postgresql", "engine_version": "16.1",
                   "regions": [member["region"] for member in [scenario(REGIONS_OF)["primary"], *scenario(REGIONS_OF)["secondaries"]]]}
TARGETS = ["16.2", "16.3", "16.4"]
THROTTLE_FRACTION = 0.1
LATENCY_RANGE_SECONDS = (0.0, 0.15)
LATENCY_CHANGE_SECONDS = 0.3
SEED = 20261201


class SoakFailed(AssertionError):
    """A promise of the collection did not hold under load."""


def _upgrade_order(seeded):
    """The role's order: the secondaries by region, then the primary."""
    secondaries = sorted((member for member in seeded["members"] if member["role"] == "secondary"),
                         key=lambda member: (member["region"], member["db_cluster_identifier"]))
    primary = next(member for member in seeded["members"] if member["role"] == "primary")
    return [member["db_cluster_identifier"] for member in secondaries] + [primary["db_cluster_identifier"]]


def _random_latency(sandbox, stop, rng):
    while not stop.wait(LATENCY_CHANGE_SECONDS):
        sandbox.configure(latency_seconds=round(rng.uniform(*LATENCY_RANGE_SECONDS), 3))


def _modifies(sandbox, target):
    calls = [entry for entry in sandbox.journal() if entry["kind"] == "call" and entry["operation"] == "ModifyDBCluster"
             and entry["params"].get("EngineVersion") == target]
    accepted = [entry["params"]["DBClusterIdentifier"] for entry in calls if entry["error"] is None]
    refused = [entry for entry in calls if entry["error"] not in (None, "Throttling")]
    return accepted, refused


def _soak(sandbox, order):
    for target in TARGETS:
        started = time.monotonic()
        run = run_role(sandbox, GLOBAL_DATABASE["global_cluster_identifier"], target, timeout=1800, aurora_global_upgrade_wait_timeout=600)
        seconds = time.monotonic() - started
        if run.returncode != 0:
            raise SoakFailed("the upgrade to %s failed: %s" % (target, [(task, run.result(task).get("msg")) for task in run.failed_tasks]))
        accepted, refused = _modifies(sandbox, target)
        if accepted != order:
            raise SoakFailed("upgrade to %s: members modified %s, expected each once in the order %s" % (target, accepted, order))
        if refused:
            raise SoakFailed("upgrade to %s: modifies refused %s" % (target, [(entry["params"]["DBClusterIdentifier"], entry["error"]) for entry in refused]))
        calls = [entry for entry in sandbox.journal() if entry["kind"] == "call"]
        throttled = sum(1 for entry in calls if entry["error"] == "Throttling")
        print("%-26s %2d members upgraded once each, in order, primary last; %4d RDS calls so far, %3d throttled; %5.1f s" % (
            target, len(accepted), len(calls), throttled, seconds), flush=True)


def main():
    stop = threading.Event()
    with running_sandbox(own_process=True, upgrade_seconds=0.5, status_delay_seconds=0.2) as sandbox:
        try:
            order = _upgrade_order(sandbox.seed_fleet([GLOBAL_DATABASE])[0])
            sandbox.configure(throttle_fraction=THROTTLE_FRACTION, throttle_seed=SEED)
            print("soak: %s (%s %s), %d members, throttle %.0f%%, latency %s s changing every %s s" % (
                GLOBAL_DATABASE["global_cluster_identifier"], GLOBAL_DATABASE["engine"], GLOBAL_DATABASE["engine_version"], len(order),
                THROTTLE_FRACTION * 100, LATENCY_RANGE_SECONDS, LATENCY_CHANGE_SECONDS), flush=True)
            latency = threading.Thread(target=_random_latency, args=(sandbox, stop, random.Random(SEED)), daemon=True)
            latency.start()
            _soak(sandbox, order)
        except SoakFailed as failure:
            print("soak FAILED: %s" % failure, flush=True)
            return 1
        finally:
            stop.set()
    print("soak passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
