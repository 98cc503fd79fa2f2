# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""make demo-fleet: a fleet of global databases in the local AWS sandbox, seen and upgraded through the inventory plugin.

Starts the sandbox and seeds the fleet of tests/sandbox/fleet.json (14 global databases: both engines, four regions,
two in extended support, one with members at mixed versions, one blocked), then runs as a user would:
ansible-inventory --graph with the aurora.global_db.aurora_global plugin, the fleet report (its HTML page's path is
printed, and a headless Chromium screenshot is left beside it), and a fleet upgrade of the group aurora_postgresql_16
in two waves of one global database. Everything is written under .build/demo-fleet/. The sandbox is stopped at the
end, also on failure or Ctrl-C.
"""

import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import demo
from demo import UPGRADE_SECONDS, DemoFailed, banner, run
from sandbox.launcher import SandboxStartError, running_sandbox

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
OUTPUT = os.path.join(REPOSITORY, ".build", "demo-fleet")
UPGRADE_GROUP = "aurora_postgresql_16"
POLL_INTERVAL = 1
CHROMIUM_NAMES = ("chromium", "chromium-browser")


def write_inventory(endpoint_url):
    """The inventory a user writes: the plugin's file, and a group_vars file giving every host its target."""
    os.makedirs(os.path.join(OUTPUT, "inventory", "group_vars"), exist_ok=True)
    inventory = os.path.join(OUTPUT, "inventory", "fleet.aurora_global.yml")
    with open(inventory, "w", encoding="utf-8") as handle:
        json.dump({"plugin": "aurora.global_db.aurora_global", "region": "us-east-1", "endpoint_url": endpoint_url,
                   "keyed_groups": [{"key": "aurora_global_tags.team", "prefix": "team"}]}, handle, indent=2)
    with open(os.path.join(OUTPUT, "inventory", "group_vars", "all.yml"), "w", encoding="utf-8") as handle:
        handle.write("---\n# Every global database's target: its latest minor version that supports global databases.\n"
                     'aurora_global_upgrade_engine_version: "{{ aurora_global_latest_minor_target }}"\n'
                     "aurora_global_upgrade_endpoint_url: %s\naurora_global_upgrade_poll_interval: %d\n" % (endpoint_url, POLL_INTERVAL))
    return inventory


def screenshot(page):
    """A picture of the report as a browser shows it, beside the report (headless Chromium, no network)."""
    browser = next((shutil.which(name) for name in CHROMIUM_NAMES if shutil.which(name)), None)
    if browser is None:
        raise DemoFailed("headless Chromium is missing: make chromium installs it")
    picture = page[:-len(".html")] + ".png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                    "--proxy-server=http://127.0.0.1:9", "--window-size=1300,1100", "--screenshot=%s" % picture, "file://" + page],
                   capture_output=True, check=False, timeout=120)
    if not os.path.exists(picture):
        raise DemoFailed("Chromium left no screenshot of %s" % page)
    return picture


def demo_fleet(sandbox, environment):
    seeded = sandbox.seed_fleet()
    print("Sandbox at %s, seeded with %d global databases." % (sandbox.endpoint_url, len(seeded)), flush=True)
    inventory = write_inventory(sandbox.endpoint_url)
    reports = os.path.join(OUTPUT, "reports")

    banner("1/3  The fleet as an inventory: one host per global database (ansible-inventory --graph)")
    run([os.path.join(BIN, "ansible-inventory"), "-i", inventory, "--graph"], environment)

    banner("2/3  The fleet report: every global database planned, nothing changed")
    run([os.path.join(BIN, "ansible-playbook"), "-i", inventory, "aurora.global_db.fleet_report", "--forks", "8",
         "-e", "aurora_global_fleet_report_dir=%s" % reports], environment)
    page = max(glob.glob(os.path.join(reports, "fleet-*.html")))
    print("\nThe fleet report: %s\nIts screenshot (headless Chromium): %s" % (page, screenshot(page)), flush=True)

    banner("3/3  Fleet upgrade of the group %s, in two waves of one global database" % UPGRADE_GROUP)
    run([os.path.join(BIN, "ansible-playbook"), "-i", inventory, "aurora.global_db.fleet_upgrade", "--limit", UPGRADE_GROUP,
         "-e", "aurora_global_fleet_wave_size=1"], environment)


def demo_fleet_in_sandbox(environment):
    """The demo in a sandbox of its own, stopped at the end however the demo ends."""
    try:
        # A process of its own, in a session of its own: Ctrl-C reaches the demo and ansible-playbook, and the demo stops the sandbox itself.
        with running_sandbox(own_process=True, upgrade_seconds=UPGRADE_SECONDS) as sandbox:
            demo_fleet(sandbox, environment)
    finally:
        print("\nSandbox stopped.", flush=True)


def main():
    signal.signal(signal.SIGTERM, lambda _number, _frame: sys.exit(128 + signal.SIGTERM))
    started_at = time.monotonic()
    environment = demo._sandbox_environment()  # pylint: disable=protected-access  # the demo's own environment, shared
    try:
        demo_fleet_in_sandbox(environment)
    except (DemoFailed, SandboxStartError) as error:
        print("\nmake demo-fleet failed: %s" % error, file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    print("\nmake demo-fleet took %.0f s; everything it wrote is under %s" % (time.monotonic() - started_at, OUTPUT))


if __name__ == "__main__":
    main()
