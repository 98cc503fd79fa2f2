# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The role through ansible-playbook against the sandbox: connection settings, refused variables and values,
failures, progress while waiting, and a run after an interrupted one.

Whole upgrades and the restriction refusals of the role are the molecule scenarios (extensions/molecule).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import pytest

from module_docs import documented_return
from playbook_runner import SANDBOX_ENVIRONMENT
from playbook_runner import run_playbook
from readme_blocks import readme_block
from sandbox_journal import PG_ORDER
from sandbox_journal import PG_REGIONS
from sandbox_journal import events
from sandbox_journal import member_modifications
from sandbox_journal import modified_members

# The json callback names a role's task "<role> : <task name>".
ROLE = "aurora.global_db.aurora_global_upgrade : "
REFUSALS = ROLE + "Refuse the upgrade for each restriction it breaks"
VARIABLES_CHECK = ROLE + "Check the role's variables before any AWS call"
MEMBER_TABLE = ROLE + "Show every member"
FAILURE = ROLE + "Stop, saying what failed and what will work"
UPGRADE = ROLE + "Upgrade every pending member, secondaries first and the primary last, to 14.9"
# The json callback shows what set_stats published only when asked to.
SHOW_STATS = {"ANSIBLE_SHOW_CUSTOM_STATS": "true"}


def _role_vars(sandbox, **overrides):
    role_vars = {
        "aurora_global_upgrade_global_cluster_identifier": "pg-global",
        "aurora_global_upgrade_engine_version": "14.9",
        "aurora_global_upgrade_endpoint_url": sandbox.endpoint_url,
        "aurora_global_upgrade_region": "us-east-1",
        "aurora_global_upgrade_poll_interval": 1,
        "aurora_global_upgrade_wait_timeout": 600,
    }
    role_vars.update(overrides)
    return role_vars


def _run_role(sandbox, check=False, **overrides):
    return run_playbook("role_upgrade.yml", sandbox.endpoint_url, _role_vars(sandbox, **overrides), check=check, environment=SHOW_STATS)


def _run_role_default_output(sandbox, on_line=None, **overrides):
    """The collection's playbook with Ansible's default output, as an operator sees it: (return code, stdout and stderr interleaved).

    ``on_line(line)`` is called with each line as it is printed, while the playbook runs.
    """
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "aurora.global_db.upgrade",
               "-e", json.dumps(_role_vars(sandbox, **overrides))]
    environment = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default", ANSIBLE_NOCOLOR="1", **SANDBOX_ENVIRONMENT)
    lines = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment) as playbook:
        try:
            for line in playbook.stdout:
                lines.append(line)
                if on_line is not None:
                    on_line(line)
            returncode = playbook.wait(timeout=600)
        finally:
            if playbook.poll() is None:
                playbook.kill()
    return returncode, "".join(lines)


def assert_aligned(lines):
    """Every cell of every line starts where its column's heading (the first line) starts."""
    starts = [match.start() for match in re.finditer(r"(?:(?<=  )|^)\S", lines[0])]
    for line in lines[1:]:
        assert all(line[start] != " " and (start == 0 or line[start - 2:start] == "  ") for start in starts), (lines[0], line)


def _recorded_result(run):
    """aurora_global_upgrade_result as the role published it with set_stats."""
    return run.output["global_custom_stats"]["aurora_global_upgrade_result"]


def member_keys_documented(module):
    return set(documented_return(module)["members"]["contains"])


ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _interrupt_after_the_first_member(sandbox):
    """Leave what a run stopped right after its first ModifyDBCluster leaves: the first secondary upgrading to 14.9,
    held upgrading by the sandbox until the test releases it (configure(hold_upgrade_of=[])), however slow the machine."""
    sandbox.seed("postgresql-14")
    sandbox.configure(hold_upgrade_of=PG_ORDER[:1])
    request = {"global_cluster_identifier": "pg-global", "engine_version": "14.9", "upgrade_wait": False}
    started = run_playbook("upgrade_once.yml", sandbox.endpoint_url, request)
    assert started.result("Upgrade")["upgraded"] == ["pg-secondary-apse2"]


# --- connection settings --------------------------------------------------------------------------------------


def test_the_readme_example_upgrades_with_module_defaults_and_the_environment(sandbox, tmp_path):
    """The README's playbook exactly as written: region from module_defaults, endpoint from the environment as `make sandbox` exports it."""
    sandbox.seed("postgresql-14")
    playbook = tmp_path / "readme_example.yml"
    playbook.write_text(readme_block("## Use the role in your playbook", "yaml"), encoding="utf-8")
    run = run_playbook(str(playbook), sandbox.endpoint_url, {"aurora_global_upgrade_poll_interval": 1},
                       environment=dict(SHOW_STATS, AWS_ENDPOINT_URL=sandbox.endpoint_url, AWS_DEFAULT_REGION=None))
    assert run.returncode == 0, (run.failed_tasks, run.stderr)
    changes = sandbox.mutating_calls()
    # A major upgrade: the snapshot of the primary first (aurora_global_upgrade_snapshot_before defaults to true), then the upgrade.
    assert [(c["operation"], c["region"]) for c in changes] == [("CreateDBClusterSnapshot", "us-east-1"), ("ModifyGlobalCluster", "us-east-1")]
    assert changes[1]["params"]["EngineVersion"] == "15.4"
    assert _recorded_result(run)["upgraded"] == ["pg-global"]


def test_a_profile_from_module_defaults_supplies_region_and_credentials(sandbox, tmp_path):
    """Neither the environment nor the role gives a region or credentials: only the profile named in module_defaults does."""
    sandbox.seed("postgresql-14")
    (tmp_path / "config").write_text("[profile sandbox]\nregion = us-east-1\n", encoding="utf-8")
    (tmp_path / "credentials").write_text("[sandbox]\naws_access_key_id = testing\naws_secret_access_key = testing\n", encoding="utf-8")
    playbook = tmp_path / "profile.yml"
    playbook.write_text(
        "- name: Upgrade with the connection from module_defaults\n"
        "  hosts: localhost\n  connection: local\n  gather_facts: false\n"
        "  vars:\n    ansible_python_interpreter: \"{{ ansible_playbook_python }}\"\n"
        "  module_defaults:\n    group/aurora.global_db.aws:\n      profile: sandbox\n"
        "  roles:\n    - role: aurora.global_db.aurora_global_upgrade\n", encoding="utf-8")
    environment = {"AWS_URL": sandbox.endpoint_url, "AWS_CONFIG_FILE": str(tmp_path / "config"),
                   "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
                   "AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None, "AWS_DEFAULT_REGION": None}
    role_vars = {"aurora_global_upgrade_global_cluster_identifier": "pg-global", "aurora_global_upgrade_engine_version": "14.9",
                 "aurora_global_upgrade_poll_interval": 1}
    run = run_playbook(str(playbook), sandbox.endpoint_url, role_vars, environment=environment)
    assert run.returncode == 0, (run.failed_tasks, run.stderr)
    assert modified_members(sandbox) == PG_ORDER


def test_role_connection_variables_win_over_module_defaults_and_the_run_relays_each_members_versions_times_and_outcome(sandbox):
    """module_defaults_role.yml sets a wrong endpoint and region for the group; the role's variables replace them."""
    sandbox.seed("postgresql-14")
    run = run_playbook("module_defaults_role.yml", sandbox.endpoint_url, _role_vars(sandbox), environment=SHOW_STATS)
    assert run.returncode == 0, (run.failed_tasks, run.stderr)
    assert modified_members(sandbox) == PG_ORDER
    result = _recorded_result(run)
    assert (result["method"], result["failed"]) == ("in_place", False)
    assert ISO_UTC.match(result["started_at"]) and ISO_UTC.match(result["finished_at"])
    # Exactly the keys the module documents, as it returned them, in upgrade order.
    assert all(set(member) == member_keys_documented("aurora_global_upgrade") for member in result["members"])
    assert [(m["db_cluster_identifier"], m["engine_version_before"], m["engine_version_after"], m["outcome"]) for m in result["members"]] == [
        (member, "14.6", "14.9", "upgraded") for member in PG_ORDER]
    times = [(m["started_at"], m["finished_at"]) for m in result["members"]]
    assert all(ISO_UTC.match(started) and ISO_UTC.match(finished) for started, finished in times)
    # One member at a time: each starts once the one before it finished.
    assert all(times[i][1] <= times[i + 1][0] for i in range(len(times) - 1)), times
    assert result["started_at"] <= times[0][0] and times[-1][1] <= result["finished_at"]


def test_region_endpoint_urls_serve_each_members_region(sandbox):
    """With one endpoint per region, as VPC or FIPS endpoints are: every member is read and upgraded through its own."""
    sandbox.seed("postgresql-14")
    sandbox.configure(regional_endpoints=True)
    regional = {region: "%s/region/%s" % (sandbox.endpoint_url, region) for region in ("eu-west-1", "ap-southeast-2")}
    run = _run_role(sandbox, aurora_global_upgrade_region_endpoint_urls=regional)
    assert run.returncode == 0, (run.failed_tasks, run.stderr)
    assert [(entry["params"]["DBClusterIdentifier"], entry["region"]) for entry in member_modifications(sandbox)] == [
        (member, PG_REGIONS[member]) for member in PG_ORDER]


# --- variables and values refused before any AWS call -----------------------------------------------------------------


@pytest.mark.parametrize("variable, value, expected", [
    ("aurora_global_upgrade_wait_timout", 60, "aurora_global_upgrade_wait_timout is not a variable of role aurora.global_db.aurora_global_upgrade: "
     "did you mean aurora_global_upgrade_wait_timeout?"),
    ("aurora_global_upgrade_dry_run", True, "for a dry run use --check"),
])
def test_an_unknown_variable_is_refused_before_any_aws_call(sandbox, variable, value, expected):
    sandbox.seed("postgresql-14")
    sandbox.clear_journal()
    run = _run_role(sandbox, **{variable: value})
    assert run.returncode != 0
    assert run.failed_tasks == [VARIABLES_CHECK]
    assert expected in run.result(VARIABLES_CHECK)["msg"]
    assert sandbox.journal() == []


@pytest.mark.parametrize("overrides, expected", [
    ({"aurora_global_upgrade_engine_version": 14.10}, ["quote it"]),
    ({"aurora_global_upgrade_engine_version": "15"}, ["aurora_global_upgrade_engine_version '15' is not an Aurora engine version"]),
    ({"aurora_global_upgrade_wait_timeout": 0}, ["aurora_global_upgrade_wait_timeout at least"]),
    ({"aurora_global_upgrade_poll_interval": 0}, ["aurora_global_upgrade_poll_interval must be at least 1"]),
    ({"aurora_global_upgrade_wait_timeout": 5, "aurora_global_upgrade_poll_interval": 10}, ["got poll_interval 10, wait_timeout 5"]),
    # Every problem at once, in one failure: a misspelt name, a number for a version and a wait that cannot work.
    ({"aurora_global_upgrade_wait_timout": 60, "aurora_global_upgrade_engine_version": 14.10, "aurora_global_upgrade_wait_timeout": 0},
     ["did you mean aurora_global_upgrade_wait_timeout?", "quote it", "aurora_global_upgrade_wait_timeout at least", "Nothing was read or changed."]),
])
def test_a_value_that_cannot_work_is_refused_before_any_aws_call(sandbox, overrides, expected):
    sandbox.seed("postgresql-14")
    sandbox.clear_journal()
    run = _run_role(sandbox, **overrides)
    assert run.returncode != 0
    assert run.failed_tasks == [VARIABLES_CHECK]
    message = run.result(VARIABLES_CHECK)["msg"]
    assert len(expected) > 0 and [text for text in expected if text not in message] == [], message
    assert sandbox.journal() == []


@pytest.mark.parametrize("short, full", [("3.05.2", "8.0.mysql_aurora.3.05.2"), ("8.4.7", "8.4.mysql_aurora.8.4.7")])
def test_an_aurora_mysql_short_version_is_answered_with_the_full_target(sandbox, short, full):
    sandbox.seed("mysql-3")
    run = _run_role(sandbox, aurora_global_upgrade_global_cluster_identifier="mysql3-global", aurora_global_upgrade_engine_version=short)
    task = ROLE + "Assert an Aurora MySQL target is a full engine version"
    assert run.returncode != 0
    assert run.failed_tasks == [task]
    assert 'set aurora_global_upgrade_engine_version to "%s"' % full in run.result(task)["msg"]
    assert sandbox.mutating_calls() == []


# --- honest failures ----------------------------------------------------------------------------------------


def test_a_failed_member_stops_the_role_before_the_primary_and_reports_every_member(sandbox):
    sandbox.seed("postgresql-14")
    sandbox.configure(fail_upgrade_of=["pg-secondary-euw1"])
    run = _run_role(sandbox)
    assert run.returncode != 0
    # The primary was never touched: the failed secondary stopped the run.
    assert modified_members(sandbox) == PG_ORDER[:2]
    table = run.result(MEMBER_TABLE)["msg"]
    assert len(table) == 2 + len(PG_ORDER)
    rows = {line.split()[0]: line.split() for line in table[2:]}
    assert rows["pg-secondary-apse2"][3:7] == ["14.6", "14.9", "available", "upgraded"]
    assert rows["pg-secondary-euw1"][3:7] == ["14.6", "14.6", "available", "failed"]
    assert rows["pg-primary-use1"][3:7] == ["14.6", "14.6", "available", "not_started"]
    # The table is aligned: every column starts at the same place on every line.
    assert_aligned(table[1:])
    result = _recorded_result(run)
    assert result["failed"] is True and result["upgraded"] == ["pg-secondary-apse2"] and result["failed_members"] == ["pg-secondary-euw1"]
    # What the module returned, relayed: each member's outcome, times and, for the failed one, its events.
    members = {m["db_cluster_identifier"]: m for m in result["members"]}
    assert {name: m["outcome"] for name, m in members.items()} == {
        "pg-secondary-apse2": "upgraded", "pg-secondary-euw1": "failed", "pg-primary-use1": "not_started"}
    assert members["pg-secondary-euw1"]["events"] and members["pg-primary-use1"]["events"] == []
    assert members["pg-secondary-apse2"]["started_at"] <= members["pg-secondary-apse2"]["finished_at"] <= members["pg-secondary-euw1"]["finished_at"]
    assert members["pg-primary-use1"]["started_at"] is None
    message = run.result(FAILURE)["msg"]
    assert "The upgrade of DB cluster pg-secondary-euw1 (eu-west-1) to 14.9 did not complete" in message
    assert "run the same ansible-playbook command again" in message
    # The upgrade call itself stays quiet: the failure is printed once, by the last task.
    assert run.failed_tasks == [FAILURE]


def test_a_timeout_says_so_and_names_what_is_still_upgrading(sandbox):
    sandbox.seed("postgresql-14")
    # Still upgrading when the 3 seconds are over, however slow the machine: the sandbox holds it until the reset after the test.
    sandbox.configure(hold_upgrade_of=PG_ORDER[:1])
    run = _run_role(sandbox, aurora_global_upgrade_wait_timeout=3)
    assert run.returncode != 0
    result = _recorded_result(run)
    assert result["failed"] is True and result["timed_out"] is True
    # As the module returned it: started by this run, not finished.
    assert result["upgraded"] == PG_ORDER[:1] and result["still_upgrading"] == PG_ORDER[:1]
    assert [m["outcome"] for m in result["members"]] == ["still_upgrading", "not_started", "not_started"]
    assert result["members"][0]["started_at"] and result["members"][0]["finished_at"] is None
    message = run.result(FAILURE)["msg"]
    # Each pending member gets aurora_global_upgrade_wait_timeout: 3 seconds each for three members.
    assert "Gave up after wait_timeout (9 seconds for the whole run)" in message
    assert "pg-secondary-apse2 (ap-southeast-2) is 'upgrading'" in message
    assert "run the same ansible-playbook command again" in message
    assert modified_members(sandbox) == PG_ORDER[:1]


def test_a_refused_in_place_mysql_minor_upgrade_prints_awss_sentence_at_most_twice_and_names_what_will_work(sandbox):
    sandbox.seed("mysql-3")
    sandbox.configure(refuse_in_place_mysql_minor=True)
    returncode, output = _run_role_default_output(sandbox, aurora_global_upgrade_global_cluster_identifier="mysql3-global",
                                                  aurora_global_upgrade_engine_version="8.0.mysql_aurora.3.04.1")
    # 3.04.0 -> 3.04.1 keeps the community MySQL version, so the plan does not predict R10 (unverified): AWS's refusal
    # (the sandbox refuses every in-place Aurora MySQL minor target from 3.04 on) is what the module meets.
    assert returncode != 0
    assert 1 <= output.count("In-place minor version upgrade of Aurora MySQL global database cluster") <= 2, output
    # One failure message, one member table.
    assert output.count("fatal: [localhost]: FAILED!") == 1, output
    assert len(re.findall(r"^ *\"MEMBER +REGION", output, flags=re.MULTILINE)) == 1, output
    # No re-run can cure it: the message names the methods that can do it, and does not ask to run again.
    assert "rebuild_secondaries" in output and "blue_green" in output
    assert "To resume" not in output and "Fix the cause" not in output
    assert re.search(r"mysql3-secondary-usw2 +us-west-2 +secondary +8\.0\.mysql_aurora\.3\.04\.0 +8\.0\.mysql_aurora\.3\.04\.0 +available +failed",
                     output), output


def test_the_plan_of_a_downgrade_says_no_member_is_at_the_target(sandbox):
    sandbox.seed("postgresql-14")
    sandbox.clear_journal()
    run = _run_role(sandbox, aurora_global_upgrade_engine_version="13.12")
    assert run.returncode != 0
    plan = run.result(ROLE + "Show the upgrade plan")["msg"]
    assert plan[1] == "Target 13.12: refused, nothing will be changed (the restrictions below).", plan
    members = [line for line in plan if line.startswith("  pg-")]
    assert len(members) == 3 and all(line.endswith("14.6 (not at the target, not upgraded)") for line in members), plan
    assert "(at the target)" not in " ".join(plan)
    refusal = run.result(REFUSALS)["msg"]
    assert refusal.startswith("Refusing to upgrade global database pg-global (aurora-postgresql 14.6) to 13.12; nothing was changed. [downgrade]")
    assert sandbox.mutating_calls() == []


# --- waits ----------------------------------------------------------------------------------------------------


def test_the_upgrade_left_running_is_reported_by_check_mode_then_waited_for_visibly_by_a_rerun_that_upgrades_the_rest(sandbox):
    """After an interrupted run: check mode refuses without waiting and changes nothing; a rerun, in Ansible's default output,
    shows progress lines while it waits, never "FAILED"."""
    _interrupt_after_the_first_member(sandbox)
    left_by_the_interrupted_run = sandbox.mutating_calls()
    checked = _run_role(sandbox, check=True)
    assert checked.returncode != 0
    assert checked.failed_tasks == [REFUSALS]
    refusal = checked.result(REFUSALS)["msg"]
    assert refusal.count("[") == 1 and "[member_not_available]" in refusal
    assert "pg-secondary-apse2 (ap-southeast-2) is 'upgrading'" in refusal
    assert modified_members(sandbox) == PG_ORDER[:1]
    assert sandbox.mutating_calls() == left_by_the_interrupted_run

    # Every member's upgrade (the interrupted run's too) ends only once the rerun has shown it upgrading, however slow the
    # machine: until then the sandbox holds it.
    sandbox.configure(hold_upgrade_of=PG_ORDER)
    progress = r"\[pg-global\] \d+ min \d\d s elapsed: %s \(%s\) (\S+) at (\S+)"
    # One module call waits for every member in turn: a line names each member read so far, the one waited for last.
    any_member = r"\[pg-global\] \d+ min \d\d s elapsed: (?:.*; )?%s \(%s\) (\S+) at (\S+)"
    waiting_lines = {member: re.compile(any_member % (member, PG_REGIONS[member])) for member in PG_ORDER}

    def release_once_the_wait_shows(line):
        for member, waiting_line in waiting_lines.items():
            shown = waiting_line.search(line)
            if shown and shown.groups() == ("upgrading", "14.6"):
                sandbox.configure(hold_upgrade_of=[held for held in sandbox.configure()["hold_upgrade_of"] if held != member])

    returncode, output = _run_role_default_output(sandbox, on_line=release_once_the_wait_shows)
    assert returncode == 0, output
    assert "FAILED" not in output
    # The wait for the interrupted run's upgrade, first under the upgrade's task name.
    first = "TASK [%s]" % UPGRADE
    assert re.search(re.escape(first) + r"[^\n]*\n" + progress % ("pg-secondary-apse2", "ap-southeast-2"), output), output
    assert ("upgrading", "14.6") in re.findall(progress % ("pg-secondary-apse2", "ap-southeast-2"), output)
    for member in PG_ORDER[1:]:
        assert re.search(r"\[pg-global\] \d+ min \d\d s elapsed: .*%s \(%s\) upgrading" % (member, PG_REGIONS[member]), output), output
    # The member the interrupted run started is not modified again, and the next one starts only after it finished.
    assert modified_members(sandbox) == PG_ORDER
    assert events(sandbox, "UpgradeCompleted")[PG_ORDER[0]]["seq"] < member_modifications(sandbox)[1]["seq"]
    # The summary does not count it as upgraded by the rerun.
    assert re.search(r"pg-secondary-apse2 +ap-southeast-2 +secondary +14\.6 +14\.9 +available +upgraded_by_earlier_run", output), output
    assert re.search(r"pg-secondary-euw1 +eu-west-1 +secondary +14\.6 +14\.9 +available +upgraded ", output), output


def test_an_unknown_global_cluster_fails_at_the_first_read_with_the_module_message(sandbox):
    run = _run_role(sandbox, aurora_global_upgrade_global_cluster_identifier="no-such-global")
    assert run.returncode != 0
    read = [name for name in run.failed_tasks if name.startswith(ROLE + "Read the global database and plan the upgrade to")]
    assert run.failed_tasks == read and len(read) == 1
    assert "Global cluster no-such-global does not exist" in run.result(read[0])["msg"]
