# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fleet playbooks against the sandbox's fleet: aurora.global_db.fleet_report and aurora.global_db.fleet_upgrade."""

from __future__ import annotations

import json
from pathlib import Path

from fleet_inventory import run_fleet_playbook, write_inventory
from html_page import console_errors, parse_page, screenshot
from sandbox.fleet import demo_fleet

FLEET = sorted(definition["global_cluster_identifier"] for definition in demo_fleet())


def _report_files(directory: Path) -> dict[str, Path]:
    files = {path.suffix: path for path in directory.glob("fleet-*")}
    assert sorted(files) == [".html", ".json", ".md"], sorted(directory.iterdir())
    return files


def test_the_fleet_report_plans_every_global_database_and_changes_nothing(sandbox, tmp_path):
    sandbox.seed_fleet()
    sandbox.clear_journal()
    report_dir = tmp_path / "reports"
    run = run_fleet_playbook("fleet_report", write_inventory(tmp_path, sandbox.endpoint_url), sandbox.endpoint_url,
                             "-e", "aurora_global_fleet_report_dir=%s" % report_dir, "--forks", "8")
    assert run.returncode == 0, run.stdout + run.stderr
    assert sandbox.mutating_calls() == []
    files = _report_files(report_dir)
    report = json.loads(files[".json"].read_text(encoding="utf-8"))
    rows = {row["global_cluster_identifier"]: row for row in report["rows"]}
    assert sorted(rows) == FLEET
    assert rows["busy-pg"]["state"] == "blocked" and "global_cluster_not_available" in rows["busy-pg"]["why"]
    assert rows["ledger-pg"]["state"] == "up_to_date"
    assert rows["orders-pg"]["state"] == "upgradable" and rows["orders-pg"]["target_engine_version"] == "14.10"
    assert rows["mixed-pg"]["member_versions"] == ["14.6", "14.9"]
    assert rows["old-mysql"]["in_extended_support"] is True
    assert report["counts"] == {"up_to_date": 3, "upgradable": 7, "blocked": 4, "error": 0}
    markdown = files[".md"].read_text(encoding="utf-8")
    assert all("| %s |" % name in markdown for name in FLEET)
    # The table printed at the end of the run.
    assert "14 global databases: 3 up to date, 7 upgradable, 4 blocked." in run.stdout
    assert str(files[".html"]) in run.stdout

    page = parse_page(files[".html"])
    assert sorted(mark["data-global-cluster"] for mark in page.marks) == FLEET
    assert {mark["data-global-cluster"]: mark["data-state"] for mark in page.marks}["busy-pg"] == "blocked"
    assert len(page.rows) == len(FLEET)
    assert "svg" in page.tags
    assert page.fetching == [], "the page must need no network"
    log = screenshot(files[".html"], report_dir / "fleet.png")
    assert console_errors(log) == []
    assert (report_dir / "fleet.png").stat().st_size > 10_000


def test_a_target_from_the_inventory_wins_and_limit_narrows_the_report(sandbox, tmp_path):
    sandbox.seed_fleet()
    report_dir = tmp_path / "reports"
    inventory = write_inventory(tmp_path, sandbox.endpoint_url, compose={"aurora_global_upgrade_engine_version": "'8.4.7'"})
    run = run_fleet_playbook("fleet_report", inventory, sandbox.endpoint_url, "--limit", "aurora_mysql_8_0",
                             "-e", "aurora_global_fleet_report_dir=%s" % report_dir)
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(_report_files(report_dir)[".json"].read_text(encoding="utf-8"))
    assert sorted(row["global_cluster_identifier"] for row in report["rows"]) == ["crm-mysql", "shop-mysql", "stock-mysql"]
    assert {row["target_engine_version"] for row in report["rows"]} == {"8.4.7"}
    assert len(parse_page(_report_files(report_dir)[".html"]).marks) == 3


def _upgrade_inventory(sandbox, tmp_path):
    """The fleet with each host's target from a group_vars file, as the docs show it."""
    inventory_dir = tmp_path / "inventory"
    (inventory_dir / "group_vars").mkdir(parents=True)
    (inventory_dir / "group_vars" / "all.yml").write_text('aurora_global_upgrade_engine_version: "{{ aurora_global_latest_minor_target }}"\n', encoding="utf-8")
    return write_inventory(inventory_dir, sandbox.endpoint_url)


def _changed_clusters(sandbox):
    return sorted({entry["params"].get("DBClusterIdentifier") for entry in sandbox.mutating_calls() if entry["operation"] == "ModifyDBCluster"})


def test_a_fleet_upgrade_in_two_waves_publishes_every_outcome(sandbox, tmp_path):
    sandbox.seed_fleet()
    run = run_fleet_playbook("fleet_upgrade", _upgrade_inventory(sandbox, tmp_path), sandbox.endpoint_url, "--limit", "aurora_postgresql_16",
                             "-e", "aurora_global_upgrade_poll_interval=1", callback="ansible.posix.json")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    output = json.loads(run.stdout)
    waves = [play["play"]["name"] for play in output["plays"]]
    assert waves.count("Upgrade the fleet's global databases, wave after wave") == 2, waves
    fleet = output["global_custom_stats"]["aurora_global_fleet_upgrade_result"]
    assert {d["global_cluster_identifier"]: d["outcome"] for d in fleet["global_databases"]} == {"metrics-pg": "upgraded", "reports-pg": "upgraded"}
    # The role's own published result, per global database.
    assert all(d["result"]["upgraded"] for d in fleet["global_databases"])
    assert _changed_clusters(sandbox) == ["metrics-pg-as2", "metrics-pg-ew1", "reports-pg-ue1", "reports-pg-uw2"]


def test_a_failed_wave_stops_the_waves_after_it(sandbox, tmp_path):
    sandbox.seed_fleet()
    # metrics-pg sorts first: the first wave; its secondary's upgrade fails (prechecks), so reports-pg must stay untouched.
    sandbox.configure(fail_upgrade_of=["metrics-pg-as2"])
    run = run_fleet_playbook("fleet_upgrade", _upgrade_inventory(sandbox, tmp_path), sandbox.endpoint_url, "--limit", "aurora_postgresql_16",
                             "-e", "aurora_global_upgrade_poll_interval=1")
    assert run.returncode != 0
    assert "The fleet upgrade stopped: metrics-pg failed; not started (the waves after the failure): reports-pg." in " ".join(run.stdout.split())
    assert not any(name.startswith("reports-pg") for name in _changed_clusters(sandbox))
    assert "2 global databases: 0 upgraded, 1 failed, 1 not started." in run.stdout
