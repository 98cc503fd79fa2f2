# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One run at a time: the lease on the global cluster, through the role and the upgrade module.

Two runs at once: one upgrades, the other refuses before any change, naming the owner. An expired lease is taken over
with a warning. A failure releases the lease. Ctrl-C releases it and says so; a lease left by a run of this control
node that no longer exists is taken over without any variable; one of another node is refused with the exact command
that takes it over. A lease write answered late is withdrawn and written again. Two runs whose tag writes are throttled
and delayed never both change the database. (Check mode taking none is in test_check_mode.py: no tag is written.)
"""

from __future__ import annotations

import datetime
import os
import signal
import socket
import subprocess
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait

from lease_tags import hold_lease
from lease_tags import lease_tags
from playbook_runner import playbook_command
from playbook_runner import run_playbook
from process_kills import RUN_DEADLINE_SECONDS
from process_kills import command_line
from process_kills import kill_tree
from process_kills import process_tree
from process_kills import signal_all
from role_runs import changing_calls
from role_runs import role_vars
from role_runs import run_role
from sandbox_journal import PG_ORDER
from sandbox_journal import events
from sandbox_journal import modified_members

ROLE = "aurora.global_db.aurora_global_upgrade : "
TAKE = ROLE + "Take the lease of the global database, so that no other run acts on it meanwhile"
REFUSED = ROLE + "Stop, the lease of the global database was not taken"
RELEASE = ROLE + "Release the lease of the global database"
TAG_CALLS = ("AddTagsToResource", "RemoveTagsFromResource")


def _minor(sandbox, **role_vars):
    return run_role(sandbox, "pg-global", "14.9", **role_vars)


def test_two_runs_at_once_one_upgrades_the_other_refuses_naming_the_owner(sandbox):
    sandbox.seed("postgresql-14")
    # Whichever run takes the lease first cannot finish before the other has tried, however slow the machine: the sandbox
    # holds its first upgrade until one run has ended (the other, when the lease works).
    sandbox.configure(hold_upgrade_of=PG_ORDER[:1])
    with ThreadPoolExecutor(max_workers=2) as pool:
        awx_run = pool.submit(_minor, sandbox, awx_job_id=4711)
        operator_run = pool.submit(_minor, sandbox, aurora_global_upgrade_lease_owner="operator-b")
        wait([awx_run, operator_run], return_when=FIRST_COMPLETED)
        sandbox.configure(hold_upgrade_of=[])
        runs = {"awx-job-4711": awx_run.result(), "operator-b": operator_run.result()}
    winners = [owner for owner, run in runs.items() if run.returncode == 0]
    assert len(winners) == 1, {owner: (run.failed_tasks, run.stderr[-2000:]) for owner, run in runs.items()}
    loser = runs[next(owner for owner in runs if owner not in winners)]
    assert loser.failed_tasks[0] == REFUSED
    assert "held by %s" % winners[0] in loser.result(REFUSED)["msg"]
    assert "Nothing was changed" in loser.result(REFUSED)["msg"]
    # Only the winner modified anything, once per member in order; the lease is gone at the end.
    assert modified_members(sandbox) == PG_ORDER
    assert lease_tags(sandbox, "pg-global") == {}


def test_a_lease_write_answered_late_is_withdrawn_and_written_again_and_the_run_goes_on(sandbox):
    """A slow network or a loaded control node: the lease's first write answers later than the lease's settle time
    (3 s, lease.LEASE_SETTLE_SECONDS) after the lease was read free. It may have replaced another run's lease, so the run
    withdraws it, reads the lease again and writes it again, then upgrades; no other run is there to be stopped."""
    sandbox.seed("postgresql-14")
    sandbox.configure(late_response_of=["AddTagsToResource"], late_response_seconds=5)
    run = _minor(sandbox)
    assert run.returncode == 0, (run.failed_tasks, run.stderr[-2000:])
    tag_calls = [(entry["operation"], entry.get("late")) for entry in changing_calls(sandbox) if entry["operation"] in TAG_CALLS]
    # The late write, its withdrawal, the write again, and the release at the end.
    assert tag_calls == [("AddTagsToResource", True), ("RemoveTagsFromResource", None), ("AddTagsToResource", None),
                         ("RemoveTagsFromResource", None)], tag_calls
    assert run.result(TAKE)["lease"]["token"] == run.result(RELEASE)["lease"]["token"]
    assert modified_members(sandbox) == PG_ORDER
    assert lease_tags(sandbox, "pg-global") == {}


def test_an_expired_lease_is_taken_over_with_a_warning(sandbox):
    sandbox.seed("postgresql-14")
    hold_lease(sandbox, "pg-global", "awx-job-1", "0123456789abcdef0123456789abcdef", expires_in_seconds=-60)
    run = _minor(sandbox)
    assert run.returncode == 0, (run.failed_tasks, run.stderr)
    taken = run.result(TAKE)
    assert taken["replaced"]["owner"] == "awx-job-1"
    assert any("Took over the lease held by awx-job-1" in warning for warning in taken.get("warnings", []))
    assert modified_members(sandbox) == PG_ORDER
    assert lease_tags(sandbox, "pg-global") == {}


def test_a_held_lease_refuses_the_role_and_the_module_before_any_change(sandbox):
    sandbox.seed("postgresql-14")
    hold_lease(sandbox, "pg-global", "operator-x", "fedcba9876543210fedcba9876543210", expires_in_seconds=3600)
    sandbox.clear_journal()
    run = _minor(sandbox)
    assert run.failed_tasks[0] == REFUSED
    assert "held by operator-x" in run.result(REFUSED)["msg"]
    module_run = run_playbook("upgrade_once.yml", sandbox.endpoint_url, {
        "global_cluster_identifier": "pg-global", "engine_version": "14.9", "expect_failure": True})
    assert "held by operator-x" in module_run.result("Upgrade")["msg"]
    assert module_run.result("Upgrade")["upgraded"] == []
    assert changing_calls(sandbox) == []
    assert lease_tags(sandbox, "pg-global")["owner"] == "operator-x"


def test_a_killed_run_s_lease_is_taken_over_by_naming_its_token(sandbox):
    sandbox.seed("postgresql-14")
    token = "fedcba9876543210fedcba9876543210"
    hold_lease(sandbox, "pg-global", "operator-x", token, expires_in_seconds=3600)
    run = _minor(sandbox, aurora_global_upgrade_lease_take_over=token)
    assert run.returncode == 0, (run.failed_tasks, run.stderr)
    assert run.result(TAKE)["replaced"]["token"] == token
    assert modified_members(sandbox) == PG_ORDER
    assert lease_tags(sandbox, "pg-global") == {}


def test_a_failed_upgrade_releases_the_lease_of_the_role_and_of_the_module(sandbox):
    sandbox.seed("postgresql-14")
    sandbox.configure(fail_upgrade_of=["pg-secondary-apse2"])
    run = _minor(sandbox)
    assert run.returncode != 0
    assert run.result(RELEASE)["lease"]["token"], "the release did not find the lease to release"
    assert lease_tags(sandbox, "pg-global") == {}
    sandbox.clear_journal()
    module_run = run_playbook("upgrade_once.yml", sandbox.endpoint_url, {
        "global_cluster_identifier": "pg-global", "engine_version": "14.9", "expect_failure": True})
    assert module_run.result("Upgrade")["failed"] is True
    assert [entry["operation"] for entry in changing_calls(sandbox) if entry["operation"] in TAG_CALLS] == list(TAG_CALLS)
    assert lease_tags(sandbox, "pg-global") == {}


# The module's own lease around its changes: test_upgrade_module.py::test_single_member_upgrade_in_a_lease_of_its_own_then_the_primary_is_refused


def _lease_seconds(taken):
    started, expires = (datetime.datetime.strptime(taken["lease"][key], "%Y-%m-%dT%H:%M:%SZ") for key in ("started", "expires"))
    return (expires - started).total_seconds()


def test_the_lease_lasts_for_every_wait_of_the_run(sandbox):
    """wait_timeout for each member to upgrade, plus one for the snapshot when one is taken."""
    sandbox.seed("postgresql-14")
    run = _minor(sandbox, aurora_global_upgrade_wait_timeout=200, aurora_global_upgrade_snapshot_before=True)
    assert run.returncode == 0, (run.failed_tasks, run.stderr)
    assert _lease_seconds(run.result(TAKE)) == 200 * (len(PG_ORDER) + 1)


def _ended_process_id():
    """The process id of a process that has ended."""
    with subprocess.Popen(["true"]) as ended:
        ended.wait()
    return ended.pid


def _boot_id():
    with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as handle:
        return handle.read().strip()


def _wait_until(condition, what, timeout=300):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within %d s: %s" % (timeout, what)
        time.sleep(0.05)


def _workers(run):
    """The forks of ``run`` (its ansible-playbook workers), each in a session of its own."""
    return [pid for pid in process_tree(run.pid) if pid != run.pid and "ansible-playbook" in command_line(pid)]


def _ctrl_c_during_a_member_upgrade(sandbox, interrupt):
    """Start a minor upgrade whose first member's upgrade AWS holds, call ``interrupt(run)`` once the module waits for it,
    and return what the run printed on its standard error once the module has said it released the lease. The run is
    ended for good (its process tree killed) should it not end by itself."""
    sandbox.seed("postgresql-14")
    # The first member's upgrade stays running until the interrupted run has ended: Ctrl-C comes while the module waits.
    sandbox.configure(hold_upgrade_of=PG_ORDER[:1])
    command, environment = playbook_command("role_upgrade.yml", sandbox.endpoint_url, role_vars(sandbox, "pg-global", "14.9"))
    with tempfile.TemporaryFile(mode="w+") as stderr:
        def said():
            stderr.seek(0)
            return stderr.read()

        with subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True) as run:
            try:
                _wait_until(lambda: run.poll() is not None or PG_ORDER[0] in events(sandbox, "UpgradeStarted"), "the first member's upgrade")
                started = events(sandbox, "UpgradeStarted").get(PG_ORDER[0], {}).get("seq", 0)
                # Ctrl-C while the module waits for the held upgrade: once it has read it twice since it started, whatever the
                # sandbox's timings.
                _wait_until(lambda: run.poll() is not None or sandbox.reads_of(PG_ORDER[0], started) >= 2, "the module waiting for the upgrade")
                assert run.poll() is None, "the run ended before the first member's upgrade started"
                interrupt(run)
                # The module tells the operator once it has released the lease, on ansible-playbook's standard error.
                _wait_until(lambda: "Run the same command again to resume" in said(), "the interrupted run's message")
                assert run.wait(timeout=RUN_DEADLINE_SECONDS) != 0
            except BaseException:
                # Leaving Popen waits for the run: a failed test must neither leave it running nor wait for it.
                kill_tree(run.pid)
                raise
        return said()


def _assert_released_and_resumed(sandbox, message):
    assert "Released the lease of global cluster pg-global" in message, message
    assert "AWS goes on with what it already accepted" in message
    assert lease_tags(sandbox, "pg-global") == {}
    sandbox.configure(hold_upgrade_of=[])
    rerun = _minor(sandbox)
    assert rerun.returncode == 0, (rerun.failed_tasks, rerun.stderr[-3000:])
    assert modified_members(sandbox) == PG_ORDER
    assert lease_tags(sandbox, "pg-global") == {}


def test_ctrl_c_during_a_member_upgrade_releases_the_lease_and_the_same_command_finishes(sandbox):
    # A terminal sends Ctrl-C to its foreground process group: ansible-playbook, whose workers have sessions of their own.
    message = _ctrl_c_during_a_member_upgrade(sandbox, lambda run: os.killpg(run.pid, signal.SIGINT))
    _assert_released_and_resumed(sandbox, message)


def test_ctrl_c_that_ansible_playbook_does_not_pass_on_still_releases_the_lease(sandbox):
    """ansible-playbook passes Ctrl-C on to its workers, which pass it to their modules; under load it was seen to miss the
    worker of the module in flight, and then to wait for that worker at its exit. The module sees the run stop catching
    Ctrl-C and stops all the same. Here the worker is stopped (SIGSTOP), so that it takes nothing until the module is done."""
    def interrupt_with_the_workers_stopped_until_the_lease_is_released(run):
        workers = _workers(run)
        assert workers, "no worker of the run was found"
        signal_all(workers, signal.SIGSTOP)
        os.kill(run.pid, signal.SIGINT)
        _wait_until(lambda: lease_tags(sandbox, "pg-global") == {}, "the lease released by the module while its worker is stopped")
        signal_all(workers, signal.SIGCONT)

    message = _ctrl_c_during_a_member_upgrade(sandbox, interrupt_with_the_workers_stopped_until_the_lease_is_released)
    _assert_released_and_resumed(sandbox, message)


def test_a_lease_left_by_a_run_gone_from_this_control_node_is_taken_over_without_a_variable(sandbox):
    sandbox.seed("postgresql-14")
    gone = "%s/%d/1/%s" % (socket.gethostname(), _ended_process_id(), _boot_id())
    hold_lease(sandbox, "pg-global", "vm/ansible-playbook/1", "fedcba9876543210fedcba9876543210", expires_in_seconds=3600, run=gone)
    run = _minor(sandbox)
    assert run.returncode == 0, (run.failed_tasks, run.stderr[-3000:])
    taken = run.result(TAKE)
    assert taken["replaced"]["run"] == gone
    assert any("no longer exists on this control node" in warning for warning in taken.get("warnings", []))
    assert taken["lease"]["run"].startswith(socket.gethostname() + "/")
    assert modified_members(sandbox) == PG_ORDER
    assert lease_tags(sandbox, "pg-global") == {}


def test_a_lease_of_a_run_on_another_control_node_is_refused_with_the_command_that_takes_it_over(sandbox):
    sandbox.seed("postgresql-14")
    token = "fedcba9876543210fedcba9876543210"
    hold_lease(sandbox, "pg-global", "other-node/ansible-playbook/4242", token, expires_in_seconds=3600, run="other-node/4242/77/some-boot")
    sandbox.clear_journal()
    run = _minor(sandbox)
    assert run.failed_tasks[0] == REFUSED, run.failed_tasks
    message = run.result(REFUSED)["msg"]
    assert "held by other-node/ansible-playbook/4242" in message
    rerun_command = run.result(TAKE)["rerun_command"]
    assert rerun_command.startswith("ansible-playbook ") and "role_upgrade.yml" in rerun_command
    assert "%s -e aurora_global_upgrade_lease_take_over=%s" % (rerun_command, token) in message
    assert changing_calls(sandbox) == []


def test_two_runs_with_throttled_delayed_tag_writes_never_both_change_the_database(sandbox):
    """Issue 18 item 6: a throttled or late lease write is never resent blindly, and the lease is read again before every change."""
    sandbox.seed("postgresql-14")
    sandbox.configure(hold_upgrade_of=PG_ORDER[:1], throttle_fraction=0.3, throttle_seed=18, latency_seconds=0.3)
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(_minor, sandbox, aurora_global_upgrade_lease_owner="run-a")
        second = pool.submit(_minor, sandbox, aurora_global_upgrade_lease_owner="run-b")
        wait([first, second], return_when=FIRST_COMPLETED)
        sandbox.configure(hold_upgrade_of=[], throttle_fraction=0, latency_seconds=0)
        runs = [first.result(), second.result()]
    changed = [run for run in runs if any(result.get("upgraded") for results in run.tasks.values() for result in results)]
    assert len(changed) <= 1, [(run.returncode, run.failed_tasks) for run in runs]
    members = modified_members(sandbox)
    assert len(members) == len(set(members)), members
    for run in runs:
        if run not in changed:
            assert run.returncode != 0 or not members, run.failed_tasks


def test_the_module_reads_its_lease_again_before_each_change_and_stops_when_another_run_took_it(sandbox):
    """Issue 18 item 6: the lease is verified (token and expiry) before every mutating call, not only once at the start."""
    sandbox.seed("postgresql-14")
    sandbox.configure(hold_upgrade_of=PG_ORDER[:1])
    with ThreadPoolExecutor(max_workers=1) as pool:
        module_run = pool.submit(run_playbook, "upgrade_once.yml", sandbox.endpoint_url, {
            "global_cluster_identifier": "pg-global", "engine_version": "14.9", "expect_failure": True})
        _wait_until(lambda: module_run.done() or PG_ORDER[0] in events(sandbox, "UpgradeStarted"), "the first member's upgrade")
        # While the first member upgrades, another run's lease replaces this run's (a late write of that run, say).
        hold_lease(sandbox, "pg-global", "operator-y", "0123456789abcdef0123456789abcdef", expires_in_seconds=3600)
        sandbox.configure(hold_upgrade_of=[])
        result = module_run.result().result("Upgrade")
    assert result["failed"] is True
    assert "held by operator-y" in result["msg"], result["msg"]
    assert modified_members(sandbox) == PG_ORDER[:1]
    assert lease_tags(sandbox, "pg-global")["owner"] == "operator-y"
