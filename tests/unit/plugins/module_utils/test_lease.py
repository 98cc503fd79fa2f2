# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The lease on a global cluster's tags, against the unit tests' fake AWS world (fakes.FakeWorld)."""

import datetime
import os
import signal
import socket
from types import SimpleNamespace

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils.lease import LEASE_SETTLE_SECONDS
from ansible_collections.aurora.global_db.plugins.module_utils.lease import LEASE_WRITE_ATTEMPTS
from ansible_collections.aurora.global_db.plugins.module_utils.lease import GlobalClusterLease
from ansible_collections.aurora.global_db.plugins.module_utils.lease import GuardedClients
from ansible_collections.aurora.global_db.plugins.module_utils.lease import LeaseHeld
from ansible_collections.aurora.global_db.plugins.module_utils.lease import lease_for_run
from ansible_collections.aurora.global_db.plugins.module_utils.lease import lease_from_tags
from ansible_collections.aurora.global_db.plugins.module_utils.lease import lease_seconds
from ansible_collections.aurora.global_db.plugins.module_utils.lease import lease_tags
from ansible_collections.aurora.global_db.plugins.module_utils.lease import new_lease
from ansible_collections.aurora.global_db.plugins.module_utils.lease import owner_text
from ansible_collections.aurora.global_db.plugins.module_utils.lease import run_lease_request

from ansible_collections.aurora.global_db.plugins.module_utils.playbook_run import PlaybookRun
from ansible_collections.aurora.global_db.plugins.module_utils.playbook_run import run_command
from ansible_collections.aurora.global_db.plugins.module_utils.playbook_run import run_is_ending
from ansible_collections.aurora.global_db.plugins.module_utils.playbook_run import run_is_gone
from ansible_collections.aurora.global_db.plugins.module_utils.playbook_run import run_text

from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import FakeWorld
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import VirtualClock
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import client_error
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import global_cluster

ARN = "arn:aws:rds::123456789012:global-cluster:pg-global"
NOW = datetime.datetime(2026, 12, 1, 10, 0, 0, tzinfo=datetime.timezone.utc)


class TaggedGlobalCluster(FakeWorld):
    """The account of the global cluster pg-global; ``rival`` writes another run's lease when this run sleeps."""

    def __init__(self):
        super().__init__()
        self.global_clusters["pg-global"] = global_cluster("pg-global", {"pg-primary-use1": "us-east-1"}, "pg-primary-use1",
                                                           GlobalClusterResourceId="cluster-blue")
        self.rival = None
        # Called instead of a tag write, once each, in order: raise to refuse it, or act meanwhile (a delayed write).
        self.before_writes = []

    def add_tags_to_resource(self, region, params, aws_retry):
        assert not aws_retry, "a lease write is never resent blindly"
        if self.before_writes:
            self.before_writes.pop(0)()
        super().add_tags_to_resource(region, params, aws_retry)

    def sleep(self, seconds):
        assert seconds == LEASE_SETTLE_SECONDS
        if self.rival is not None:
            self.rds(self.home_region).add_tags_to_resource(ResourceName=ARN, Tags=lease_tags(self.rival), aws_retry=False)


@pytest.fixture
def cluster():
    return TaggedGlobalCluster()


def _lease(cluster):
    return GlobalClusterLease(cluster, "pg-global", lambda: NOW, cluster.sleep)


def _hold(cluster, owner, expires_in):
    held = new_lease(owner, 3600, NOW - datetime.timedelta(hours=1))._replace(expires=NOW + datetime.timedelta(seconds=expires_in))
    tags_of(cluster).update({tag["Key"]: tag["Value"] for tag in lease_tags(held)})
    return held


def tags_of(cluster):
    """The global cluster's tags, as the world keeps them (a dict a test may change)."""
    return cluster.tags.setdefault(ARN, {})


def tag_writes(cluster):
    return [operation for operation, _region, _params in cluster.calls if operation in ("add_tags_to_resource", "remove_tags_from_resource")]


def list_tags(cluster):
    return cluster.rds(cluster.home_region).list_tags_for_resource(ResourceName=ARN)["TagList"]


def test_owner_text_keeps_what_a_tag_value_can_hold():
    assert owner_text("awx-job-4711") == "awx-job-4711"
    assert owner_text("ops;host (pid 12)") == "ops-host -pid 12-"
    assert len(owner_text("x" * 400)) == 256


def test_tags_round_trip_and_an_unreadable_expiry_counts_as_expired():
    lease = new_lease("me", 60, NOW)
    assert lease_from_tags(lease_tags(lease)) == lease
    broken = [tag if not tag["Key"].endswith("expires") else dict(tag, Value="soon") for tag in lease_tags(lease)]
    assert lease_from_tags(broken).expires < NOW
    assert lease_from_tags([{"Key": "team", "Value": "db"}]) is None


def test_a_free_lease_is_taken_and_released(cluster):
    lease = _lease(cluster)
    taken, replaced = lease.acquire("me", 600)
    assert (taken.owner, taken.expires - taken.started, replaced) == ("me", datetime.timedelta(seconds=600), None)
    assert lease.read() == taken
    assert lease.release(taken.token) == taken
    assert tags_of(cluster) == {}


def test_a_held_lease_is_refused_naming_its_owner_and_nothing_is_written(cluster):
    _hold(cluster, "awx-job-1", expires_in=60)
    with pytest.raises(LeaseHeld, match="held by awx-job-1"):
        _lease(cluster).acquire("me", 600)
    assert tag_writes(cluster) == []


def test_an_expired_lease_or_one_named_by_its_token_is_taken_over(cluster):
    expired = _hold(cluster, "awx-job-1", expires_in=-1)
    assert _lease(cluster).acquire("me", 600)[1] == expired
    held = _hold(cluster, "awx-job-2", expires_in=600)
    assert _lease(cluster).acquire("me", 600, take_over=held.token)[1] == held


def test_of_two_runs_taking_the_lease_at_once_the_last_writer_holds_it(cluster):
    cluster.rival = new_lease("rival", 600, NOW)
    with pytest.raises(LeaseHeld, match="at the same time.*held by rival"):
        _lease(cluster).acquire("me", 600)
    assert lease_from_tags(list_tags(cluster)).owner == "rival"


def test_release_leaves_another_run_s_lease_alone(cluster):
    _hold(cluster, "awx-job-1", expires_in=60)
    assert _lease(cluster).release("not-its-token") is None
    assert lease_from_tags(list_tags(cluster)).owner == "awx-job-1"


def test_a_run_releases_its_lease_when_it_fails(cluster):
    warnings = []
    with pytest.raises(RuntimeError):
        with lease_for_run(_lease(cluster), False, True, None, "me", 600, warnings.append):
            assert lease_from_tags(list_tags(cluster)).owner == "me"
            raise RuntimeError("the upgrade failed")
    assert tags_of(cluster) == {} and warnings == []


def test_check_mode_and_a_disabled_lease_take_none(cluster):
    for check_mode, enabled in ((True, True), (False, False)):
        with lease_for_run(_lease(cluster), check_mode, enabled, None, "me", 600, None) as held:
            assert held is None
    assert tag_writes(cluster) == []


def test_a_caller_s_token_is_checked_neither_taken_nor_released(cluster):
    held = _hold(cluster, "role", expires_in=600)
    with lease_for_run(_lease(cluster), False, True, held.token, "me", 600, None) as checked:
        assert checked == held
    assert tag_writes(cluster) == []
    with pytest.raises(LeaseHeld, match="given lease token other"):
        with lease_for_run(_lease(cluster), False, True, "other", "me", 600, None):
            pass


def test_check_mode_of_the_lease_module_reads_only(cluster):
    _hold(cluster, "awx-job-1", expires_in=60)
    with pytest.raises(LeaseHeld):
        run_lease_request(_lease(cluster), "present", True, "me", 600)
    assert run_lease_request(_lease(cluster), "absent", True, "me", 600, token="other") == (False, None, None)
    assert tag_writes(cluster) == []


def test_the_modules_lease_lasts_wait_timeout_but_never_less_than_five_minutes():
    assert [lease_seconds(seconds) for seconds in (0, 60, 300, 7200)] == [300, 300, 300, 7200]


def test_a_throttled_lease_write_is_written_again_after_a_fresh_read(cluster):
    def throttled():
        raise client_error("Throttling", "Rate exceeded", "AddTagsToResource")
    cluster.before_writes = [throttled]
    clock = VirtualClock()
    taken, _replaced = GlobalClusterLease(cluster, "pg-global", lambda: NOW, clock.sleep, clock).acquire("me", 600)
    assert tag_writes(cluster) == ["add_tags_to_resource", "add_tags_to_resource"]
    assert lease_from_tags(list_tags(cluster)) == taken


def test_a_late_lease_write_is_withdrawn_and_written_again_and_the_run_it_replaced_stops_before_its_next_change(cluster):
    """Run A's write answers 3 s after A read the lease free (throttled and resent by the SDK, or slow); meanwhile run B
    takes the lease and makes its first change. A's write then lands over B's lease: A withdraws it and, from a fresh
    read, writes it again; B's check before its next change stops B. B's one change came before A's lease, A's after."""
    clock = VirtualClock()
    changes = []
    run_b = GlobalClusterLease(cluster, "pg-global", lambda: NOW, clock.sleep, clock)
    guarded_b = GuardedClients(_GuardedRegion(cluster), run_b)

    def run_b_meanwhile():
        clock.now += 3
        run_b.acquire("run-b", 600)
        guarded_b.rds("us-east-1").modify_db_cluster(changes, "run-b")
    cluster.before_writes = [run_b_meanwhile]
    run_a = GlobalClusterLease(cluster, "pg-global", lambda: NOW, clock.sleep, clock)
    taken, _replaced = run_a.acquire("run-a", 600)
    # B's write, A's late write over it, A's withdrawal, A's write from the fresh read.
    assert tag_writes(cluster) == ["add_tags_to_resource", "add_tags_to_resource", "remove_tags_from_resource", "add_tags_to_resource"]
    assert run_a.held == taken.token and lease_from_tags(list_tags(cluster)) == taken
    with pytest.raises(LeaseHeld, match="it is held by run-a"):
        guarded_b.rds("us-east-1").modify_db_cluster(changes, "run-b")
    GuardedClients(_GuardedRegion(cluster), run_a).rds("us-east-1").modify_db_cluster(changes, "run-a")
    assert changes == ["run-b", "run-a"]


def test_a_lease_a_late_write_replaced_is_still_reported_as_the_one_taken_over(cluster):
    expired = _hold(cluster, "awx-job-1", expires_in=-60)
    clock = VirtualClock()

    def late():
        clock.now += LEASE_SETTLE_SECONDS + 1
    cluster.before_writes = [late]
    taken, replaced = GlobalClusterLease(cluster, "pg-global", lambda: NOW, clock.sleep, clock).acquire("run-a", 600)
    assert replaced == expired
    assert lease_from_tags(list_tags(cluster)) == taken
    assert tag_writes(cluster) == ["add_tags_to_resource", "remove_tags_from_resource", "add_tags_to_resource"]


def test_a_lease_write_late_every_time_is_withdrawn_each_time_and_the_run_stops_having_changed_nothing(cluster):
    clock = VirtualClock()

    def late():
        clock.now += LEASE_SETTLE_SECONDS + 1
    cluster.before_writes = [late] * LEASE_WRITE_ATTEMPTS
    with pytest.raises(LeaseHeld, match=r"4 times, AWS throttled its tag write or the write answered more than 3 s after"):
        GlobalClusterLease(cluster, "pg-global", lambda: NOW, clock.sleep, clock).acquire("run-a", 600)
    assert tag_writes(cluster) == ["add_tags_to_resource", "remove_tags_from_resource"] * LEASE_WRITE_ATTEMPTS
    assert tags_of(cluster) == {}


def test_a_late_lease_write_that_cannot_be_withdrawn_stops_the_run_naming_the_token_left(cluster):
    clock = VirtualClock()

    def late():
        clock.now += LEASE_SETTLE_SECONDS + 1
    cluster.before_writes = [late]
    cluster.refusals[("remove_tags_from_resource", ARN)] = client_error("InternalFailure", "try again", "RemoveTagsFromResource")
    with pytest.raises(LeaseHeld, match="withdrawing it failed") as refused:
        GlobalClusterLease(cluster, "pg-global", lambda: NOW, clock.sleep, clock).acquire("run-a", 600)
    left = lease_from_tags(list_tags(cluster))
    assert left.owner == "run-a" and "naming its token %s" % left.token in str(refused.value)
    assert tag_writes(cluster) == ["add_tags_to_resource", "remove_tags_from_resource"]


class _GuardedRegion:
    """A botocore client as far as GuardedClients and the lease need it: events, tags, one changing call."""

    home_region = "us-east-1"

    def __init__(self, cluster):
        self._cluster = cluster
        self._handlers = []
        self.meta = SimpleNamespace(events=SimpleNamespace(register=lambda event, handler: self._handlers.append(handler)))

    def rds(self, region):
        return self

    def modify_db_cluster(self, changes, who):
        for handler in self._handlers:
            handler(params={"DBClusterIdentifier": "pg-primary-use1"}, model=SimpleNamespace(name="ModifyDBCluster"))
        changes.append(who)

    def describe_db_clusters(self):
        for handler in self._handlers:
            handler(params={}, model=SimpleNamespace(name="DescribeDBClusters"))


def test_guarded_clients_read_the_lease_again_before_every_change_only(cluster):
    lease = _lease(cluster)
    guarded = GuardedClients(_GuardedRegion(cluster), lease)
    changes = []
    guarded.rds("us-east-1").modify_db_cluster(changes, "no lease held: nothing checked")
    taken, _replaced = lease.acquire("me", 600)
    guarded.rds("us-east-1").modify_db_cluster(changes, "held")
    _hold(cluster, "another-run", expires_in=600)
    guarded.rds("us-east-1").describe_db_clusters()
    with pytest.raises(LeaseHeld, match="given lease token %s.*held by another-run" % taken.token):
        guarded.rds("us-east-1").modify_db_cluster(changes, "replaced")
    assert changes == ["no lease held: nothing checked", "held"]


def test_a_lease_left_by_a_run_gone_from_this_control_node_is_taken_over(cluster, tmp_path):
    gone = PlaybookRun(socket.gethostname(), _boot_id(), 999999, "12345", [])
    held = new_lease("vm/ansible-playbook/999999", 3600, NOW, gone)
    tags_of(cluster).update({tag["Key"]: tag["Value"] for tag in lease_tags(held)})
    assert _lease(cluster).acquire("me", 600)[1] == held


def _boot_id():
    with open("/proc/sys/kernel/random/boot_id") as handle:
        return handle.read().strip()


def test_only_a_run_of_this_control_node_and_boot_can_be_gone():
    this = PlaybookRun(socket.gethostname(), _boot_id(), os.getpid(), _start_of(os.getpid()), [])
    assert not run_is_gone(run_text(this))
    assert run_is_gone(run_text(this._replace(started="1")))  # the process id now names another process
    assert not run_is_gone(run_text(this._replace(host="another-node", pid=999999)))
    assert not run_is_gone(run_text(this._replace(boot="another-boot", pid=999999)))
    assert not run_is_gone(None) and not run_is_gone("awx-job-4711")


def _start_of(pid):
    with open("/proc/%d/stat" % pid) as handle:
        return handle.read().rsplit(")", 1)[1].split()[19]


def test_the_run_s_command_is_ansible_playbook_and_its_arguments_quoted():
    run = PlaybookRun("vm", "boot", 1, "1", ["/venv/bin/python3.11", "/venv/bin/ansible-playbook", "site.yml", "-e", "a=b c"])
    assert run_command(run) == "ansible-playbook site.yml -e 'a=b c'"
    assert run_command(None) is None


def _switch_over(cluster):
    """A Blue/Green switchover: pg-global renamed pg-global-old1, keeping its resource id and tags (its ARN follows the
    name); the green global cluster takes the name pg-global. Returns the renamed one's ARN."""
    blue = cluster.global_clusters.pop("pg-global")
    old_arn = ARN + "-old1"
    cluster.global_clusters["pg-global-old1"] = dict(blue, GlobalClusterIdentifier="pg-global-old1", GlobalClusterArn=old_arn)
    cluster.tags[old_arn] = cluster.tags.pop(ARN, {})
    cluster.global_clusters["pg-global"] = dict(blue, GlobalClusterResourceId="cluster-green")
    return old_arn


def test_the_lease_follows_its_global_cluster_renamed_by_a_switchover_and_its_copy_is_released_too(cluster):
    lease = _lease(cluster)
    taken, _replaced = lease.acquire("run-a", 600)
    old_arn = _switch_over(cluster)
    # The run reads its lease again before its next change: no longer at the name's ARN, found by the resource id.
    assert lease.verify(taken.token).token == taken.token and lease.resource_id == "cluster-blue"
    # Should AWS have copied the tags to the green global cluster (unverified), that copy goes too. The role releases
    # from a new process, given the resource id the lease was taken on.
    cluster.tags[ARN] = dict(cluster.tags[old_arn])
    releasing = GlobalClusterLease(cluster, "pg-global", lambda: NOW, cluster.sleep, resource_id=lease.resource_id)
    assert releasing.release(taken.token).token == taken.token
    assert cluster.tags[old_arn] == {} and cluster.tags[ARN] == {}


def test_without_the_resource_id_the_release_finds_the_global_cluster_under_its_name(cluster):
    lease = _lease(cluster)
    taken, _replaced = lease.acquire("run-a", 600)
    old_arn = _switch_over(cluster)
    assert GlobalClusterLease(cluster, "pg-global", lambda: NOW, cluster.sleep).release(taken.token) is None
    assert lease_from_tags([{"Key": key, "Value": value} for key, value in cluster.tags[old_arn].items()]).token == taken.token


def _fake_proc(tmp_path, pid, started, caught_mask):
    """A /proc holding one process: its stat (start time in field 22) and its status (SigCgt, the caught signals)."""
    folder = tmp_path / str(pid)
    folder.mkdir(exist_ok=True)
    (folder / "stat").write_text("%d (ansible-playboo) S 1 %s\n" % (pid, " ".join(["0"] * 17 + [started, "0"])))
    (folder / "status").write_text("Name:\tansible-playboo\nSigBlk:\t0000000000000000\nSigCgt:\t%016x\n" % caught_mask)
    return str(tmp_path)


SIGINT_AND_SIGTERM = (1 << (signal.SIGINT - 1)) | (1 << (signal.SIGTERM - 1))


@pytest.mark.parametrize("caught_when_watched, caught_now, ending", [
    (True, SIGINT_AND_SIGTERM | 0x4000, False),  # the run goes on, catching Ctrl-C as ansible-core does
    (True, 1 << (signal.SIGTERM - 1), True),  # ansible-core took a Ctrl-C: SIGINT is back to the default
    (True, 0, True),
    (False, 0, False),  # never caught (another ansible-core): only its end counts
    (None, 0, False),  # unknown at the start
])
def test_a_run_that_stops_catching_ctrl_c_is_ending(tmp_path, caught_when_watched, caught_now, ending):
    proc = _fake_proc(tmp_path, 4242, "777", caught_now)
    run = PlaybookRun("vm", "boot", 4242, "777", [])
    assert run_is_ending(run, caught_when_watched, proc) is ending


def test_a_run_whose_process_is_gone_or_replaced_is_ending_whatever_it_caught(tmp_path):
    proc = _fake_proc(tmp_path, 4242, "777", SIGINT_AND_SIGTERM)
    assert run_is_ending(PlaybookRun("vm", "boot", 4242, "1", []), True, proc)  # the process id names another process now
    assert run_is_ending(PlaybookRun("vm", "boot", 4243, "777", []), True, proc)


def test_this_process_catches_ctrl_c_only_while_it_has_handlers_for_sigint_and_sigterm():
    this = PlaybookRun("vm", "boot", os.getpid(), _start_of(os.getpid()), [])
    previous = signal.signal(signal.SIGTERM, lambda *_: None), signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        assert not run_is_ending(this, True)  # as ansible-core's TaskQueueManager runs
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        assert run_is_ending(this, True)  # it took a SIGTERM
        signal.signal(signal.SIGTERM, lambda *_: None)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        assert run_is_ending(this, True)  # it took a Ctrl-C
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])
