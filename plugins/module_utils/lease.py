# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One run at a time: a lease on the global cluster, kept in its tags.

A run takes the lease before its first mutating call and releases it at the end, on success and on failure.
The lease is four tags on the global cluster (AWS tags Aurora global clusters; the ARN names no region):
its owner (the AWX job, or the control node and playbook run), a token that tells one lease from another,
when it started and expires, and the ansible-playbook run that holds it (module_utils/playbook_run.py).

Tags have no conditional write, so taking a lease is read, write once, wait, read back: of two runs that
write within LEASE_SETTLE_SECONDS of each other, the last writer holds the lease and the other one refuses.
That holds only while no write lands later than LEASE_SETTLE_SECONDS after its run read the lease free: so a
lease write is never resent blindly (no AWSRetry; a throttled write was refused and is tried again from a
fresh read), and a run whose write answered late withdraws it and writes it again from a fresh read. The lease
is read again before every call that changes the database (GuardedClients), so a run whose lease was replaced
stops before its next change.

A lease past its expiry, or left by a run of this control node that no longer exists, is taken over with a
warning; a lease of a run elsewhere can be taken over before its expiry by naming its token. An interrupted
run (Ctrl-C, SIGTERM) releases its lease and tells the operator so (released_on_interrupt).

Entry point of aurora_global_lease, also used by every module that changes a global database (its public API:
GlobalClusterLease, run_lease_request, lease_for_run, LEASE_ARGUMENT_SPEC and exit_holding_the_lease, which those
modules share, and the helpers the modules import). Internals behind it: _tags (the tag keys),
playbook_run (which ansible-playbook run holds the lease).
"""

import datetime
import os
import signal
import socket
import time
import uuid
from collections import namedtuple
from contextlib import contextmanager

# ansible-core's own warn(): AnsibleAWSModule.warn() also passes the warnings to exit_json(), which ansible-core 2.19
# reports as a deprecation on every run that warns.
from ansible.module_utils.common.warnings import warn as module_warning

from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.errors import exit_module
from ansible_collections.aurora.global_db.plugins.module_utils.playbook_run import interrupted_when_run_ends
from ansible_collections.aurora.global_db.plugins.module_utils.playbook_run import local_run
from ansible_collections.aurora.global_db.plugins.module_utils.playbook_run import run_is_gone
from ansible_collections.aurora.global_db.plugins.module_utils.playbook_run import run_stderr
from ansible_collections.aurora.global_db.plugins.module_utils.playbook_run import run_text
from ansible_collections.aurora.global_db.plugins.module_utils.playbook_run import this_run
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import GLOBAL_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.rds import GlobalClusterNotFound
from ansible_collections.aurora.global_db.plugins.module_utils.rds import add_tags
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_global_clusters
from ansible_collections.aurora.global_db.plugins.module_utils.rds import find
from ansible_collections.aurora.global_db.plugins.module_utils.rds import is_throttled
from ansible_collections.aurora.global_db.plugins.module_utils.rds import list_tags
from ansible_collections.aurora.global_db.plugins.module_utils.rds import remove_tags
from ansible_collections.aurora.global_db.plugins.module_utils._tags import LEASE_TAG_PREFIX as TAG_PREFIX
from ansible_collections.aurora.global_db.plugins.module_utils._tags import tag_value

OWNER_TAG = TAG_PREFIX + "owner"
TOKEN_TAG = TAG_PREFIX + "token"
STARTED_TAG = TAG_PREFIX + "started"
EXPIRES_TAG = TAG_PREFIX + "expires"
RUN_TAG = TAG_PREFIX + "run"
LEASE_TAGS = (OWNER_TAG, TOKEN_TAG, STARTED_TAG, EXPIRES_TAG, RUN_TAG)
# How long a run waits between writing its lease and reading it back, and the longest a run may take from reading
# "no lease" to its write's answer (a slower write is withdrawn): so every write another run read "free" before has
# landed when a run reads its lease back. Two RDS calls take well under a second, even throttled once and resent.
LEASE_SETTLE_SECONDS = 3
# How often a run writes a free lease while AWS throttles the write (a throttled call is refused, not applied) or the
# write answers late (withdrawn).
LEASE_WRITE_ATTEMPTS = 4
# RDS calls that only read; every other call changes something and is made only while the run's lease holds.
_READ_PREFIXES = ("Describe", "List")
# A lease lasts the run's wait_timeout, and at least this long: the reads around the waits take time too.
MINIMUM_LEASE_SECONDS = 300
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

Lease = namedtuple("Lease", ["owner", "token", "started", "expires", "run"], defaults=(None,))
Lease.__doc__ = """A lease as its tags record it; started and expires are timezone-aware UTC datetimes; run is run_text or None."""


class LeaseHeld(AuroraGlobalError):
    """Another run holds the lease (or took it while this run was taking it); nothing was changed."""


class RunInterrupted(BaseException):
    """SIGTERM (AWX cancelling a job) ends a module as Ctrl-C does; a BaseException, as KeyboardInterrupt."""


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def default_owner(run=None):
    """The control node and the ansible-playbook run (or, without one, the process) that takes the lease."""
    if run is not None:
        return "%s/ansible-playbook/%d" % (run.host, run.pid)
    return "%s/%d" % (socket.gethostname(), os.getpid())


def owner_text(owner):
    """``owner`` as a tag value: characters a tag cannot hold become '-', at most 256 characters."""
    return tag_value(owner)


def lease_seconds(wait_timeout):
    return max(int(wait_timeout), MINIMUM_LEASE_SECONDS)


def new_lease(owner, seconds, now, run=None):
    return Lease(owner_text(owner), uuid.uuid4().hex, now, now + datetime.timedelta(seconds=seconds), run_text(run) if run else None)


def _parse_time(text):
    try:
        return datetime.datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        return None


def lease_from_tags(tags):
    """The lease recorded in a TagList, or None. A lease with an unreadable expiry counts as expired."""
    values = {tag["Key"]: tag.get("Value", "") for tag in tags if tag.get("Key") in LEASE_TAGS}
    if TOKEN_TAG not in values:
        return None
    expired = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
    return Lease(values.get(OWNER_TAG, "unknown"), values[TOKEN_TAG], _parse_time(values.get(STARTED_TAG)),
                 _parse_time(values.get(EXPIRES_TAG)) or expired, values.get(RUN_TAG))


def lease_tags(lease):
    tags = [
        {"Key": OWNER_TAG, "Value": lease.owner},
        {"Key": TOKEN_TAG, "Value": lease.token},
        {"Key": STARTED_TAG, "Value": lease.started.strftime(_TIME_FORMAT)},
        {"Key": EXPIRES_TAG, "Value": lease.expires.strftime(_TIME_FORMAT)},
    ]
    return tags + ([{"Key": RUN_TAG, "Value": lease.run}] if lease.run else [])


def lease_dict(lease):
    """A lease as the modules return it, or None."""
    if lease is None:
        return None
    return {
        "owner": lease.owner,
        "token": lease.token,
        "started": lease.started.strftime(_TIME_FORMAT) if lease.started else None,
        "expires": lease.expires.strftime(_TIME_FORMAT),
        "run": lease.run,
    }


def takeover_warning(replaced):
    if run_is_gone(replaced.run):
        return "Took over the lease held by %s: that run no longer exists on this control node (it was interrupted or killed)." % (
            describe_lease(replaced))
    return "Took over the lease held by %s." % describe_lease(replaced)


def describe_lease(lease):
    started = lease.started.strftime(_TIME_FORMAT) if lease.started else "an unknown time"
    return "%s (since %s, expires %s, token %s)" % (lease.owner, started, lease.expires.strftime(_TIME_FORMAT), lease.token)


class GlobalClusterLease:
    """The lease of one global cluster. ``now``, ``sleep`` and ``clock`` (monotonic seconds) are injectable for tests.

    ``held`` is the token of the lease this object took or verified last (None before, and after a release): the
    lease GuardedClients checks before every change.

    The lease stays on the global cluster it was written on, which is found by its resource id (``resource_id``: given,
    or read from the global cluster named ``global_cluster_identifier`` when first found). A global cluster keeps its
    resource id when renamed, its ARN follows the name: a Blue/Green switchover renames the leased one <name>-old1 and
    gives its name to the green one (Aurora User Guide, "Considerations and limitations for blue/green deployments":
    "each resource keeps the same resource ID").
    """

    def __init__(self, clients, global_cluster_identifier, now, sleep, clock=time.monotonic, resource_id=None):
        self._clients = clients
        self._identifier = global_cluster_identifier
        self._now = now
        self._sleep = sleep
        self._clock = clock
        self._resource_id = resource_id
        self._arn = None
        self.held = None

    @property
    def identifier(self):
        return self._identifier

    @property
    def resource_id(self):
        """The resource id of the global cluster the lease is on, once found."""
        return self._resource_id

    def _locate(self):
        """Find the leased global cluster again (its ARN, None when it no longer exists); returns the ARN of the global
        cluster named ``global_cluster_identifier`` now (None when none is), which is the leased one unless it was renamed."""
        named = find(self._clients, GLOBAL_CLUSTER, self._clients.home_region, self._identifier)
        if named is None and self._resource_id is None:
            raise GlobalClusterNotFound(message="Global cluster %s does not exist in this account" % self._identifier)
        if self._resource_id is None:
            self._resource_id = named.get("GlobalClusterResourceId")
        leased = named
        if self._resource_id is not None and (named is None or named.get("GlobalClusterResourceId") != self._resource_id):
            leased = next((found for found in describe_global_clusters(self._clients)
                           if found.get("GlobalClusterResourceId") == self._resource_id), None)
        self._arn = leased["GlobalClusterArn"] if leased else None
        return named["GlobalClusterArn"] if named else None

    def _global_cluster_arn(self):
        if self._arn is None:
            self._locate()
        return self._arn

    def _lease_at(self, arn):
        return lease_from_tags(list_tags(self._clients, self._clients.home_region, arn)) if arn else None

    def read(self):
        return self._lease_at(self._global_cluster_arn())

    def read_held(self, token):
        """The lease on the leased global cluster; found again first when the ARN read before does not show ``token``
        (the global cluster was renamed since: the ARN now names another one, or none)."""
        holder = self.read()
        if holder is None or holder.token != token:
            before = self._arn
            self._locate()
            if self._arn != before:
                holder = self.read()
        return holder

    def check_free(self, take_over=None):
        """The lease a new one would replace (expired, left by a run gone from this control node, or named by ``take_over``),
        or None; raises LeaseHeld while another run holds it."""
        current = self.read()
        if current is None or current.expires <= self._now() or current.token == take_over or run_is_gone(current.run):
            return current
        raise LeaseHeld(message=(
            "Another run is upgrading global cluster %s: its lease is held by %s. Nothing was changed. Wait until that run "
            "has finished (or its lease has expired), then run again. If that run is gone (killed, or its control node "
            "lost), take its lease over by naming its token %s (the role's variable aurora_global_upgrade_lease_take_over, "
            "the aurora_global_lease module's option take_over)." % (self._identifier, describe_lease(current), current.token)),
            held_by=lease_dict(current))

    def acquire(self, owner, seconds, take_over=None, run=None):
        """Take the lease for ``run`` (a PlaybookRun, or None); returns (the lease, the lease it replaced, or None). Raises LeaseHeld.

        Read, write once, wait LEASE_SETTLE_SECONDS, read back. A throttled write was refused, so it is written again
        from a fresh read. A write that answered later than LEASE_SETTLE_SECONDS after the read may have replaced the
        lease another run took and confirmed meanwhile: it is withdrawn, so that the other run's next check of the lease
        stops it before its next change, and written again from a fresh read. That is the "run again" an operator would
        do, sooner: no run ever acts on a lease written late, and a run the late write stopped passed its last check of
        the lease before that write landed, at least twice LEASE_SETTLE_SECONDS before this run's first change.
        """
        arn = self._global_cluster_arn()  # first, with the client: only the read and the write count below
        replaced = None
        for attempt in range(LEASE_WRITE_ATTEMPTS):
            if attempt:
                self._sleep(LEASE_SETTLE_SECONDS * attempt)
            read_at = self._clock()
            # A lease a late write replaced is gone once that write is withdrawn: it is still the one this run takes over.
            replaced = self.check_free(take_over) or replaced
            lease = new_lease(owner, seconds, self._now(), run)
            try:
                add_tags(self._clients, self._clients.home_region, arn, lease_tags(lease), retry=False)
            except AuroraGlobalError as error:
                if not is_throttled(error):
                    self._withdraw(lease.token)
                    raise
                continue
            answered_after = self._clock() - read_at
            if answered_after <= LEASE_SETTLE_SECONDS:
                return self._confirm(lease), replaced
            if not self._withdraw(lease.token):
                raise LeaseHeld(message=(
                    "Could not take the lease of global cluster %s: writing it answered %.0f s after the lease was read "
                    "free (more than %d s), so it may have replaced the lease of another run that started meanwhile, and "
                    "withdrawing it failed. Nothing was changed by this run; run again: a run of this control node takes "
                    "this lease over once this run has ended, a run elsewhere by naming its token %s." % (
                        self._identifier, answered_after, LEASE_SETTLE_SECONDS, lease.token)))
        raise LeaseHeld(message=(
            "Could not take the lease of global cluster %s: %d times, AWS throttled its tag write or the write answered "
            "more than %d s after the lease was read free (AWS throttling, a slow network or a loaded control node). "
            "Nothing was changed; run again." % (self._identifier, LEASE_WRITE_ATTEMPTS, LEASE_SETTLE_SECONDS)))

    def _confirm(self, lease):
        self._sleep(LEASE_SETTLE_SECONDS)
        holder = self.read()
        if holder is None or holder.token != lease.token:
            raise LeaseHeld(message=(
                "Another run took the lease of global cluster %s at the same time as this one: it is held by %s. "
                "Nothing was changed by this run." % (self._identifier, describe_lease(holder) if holder else "nobody (it was released)")))
        self.held = lease.token
        return lease

    def _withdraw(self, token):
        """Remove this run's lease after a write that cannot be trusted; another run's is left to its own checks.
        Returns whether AWS answered: a lease left in place stops the other run as well, and expires."""
        try:
            self.release(token)
        except AuroraGlobalError:
            return False
        return True

    def verify(self, token):
        """Raise LeaseHeld unless the lease named by ``token`` is held and not expired."""
        holder = self.read_held(token)
        if holder is not None and holder.token == token and holder.expires > self._now():
            self.held = token
            return holder
        state = "it is held by %s" % describe_lease(holder) if holder else "nobody holds it"
        raise LeaseHeld(message=(
            "This run was given lease token %s for global cluster %s, but %s; nothing more was changed by this run. "
            "Take the lease again (aurora_global_lease) before upgrading." % (token, self._identifier, state)))

    def release(self, token):
        """Remove the lease if ``token`` still holds it; returns the lease removed, or None.

        Where the leased global cluster is now is read first (it may have been renamed since, a Blue/Green switchover's
        <name>-old1). Whether AWS copies the blue global cluster's tags to the green one is unverified: a copy of this
        lease (same token) on the global cluster that carries the name now is removed too.
        """
        named = self._locate()
        released = None
        for arn in sorted({self._arn, named} - {None}):
            holder = self._lease_at(arn)
            if holder is not None and holder.token == token:
                remove_tags(self._clients, self._clients.home_region, arn, list(LEASE_TAGS))
                released = released or holder
        if released is not None and self.held == token:
            self.held = None
        return released


def _is_lease_call(operation, params):
    """The lease's own tag writes: every key written or removed is a lease tag."""
    keys = [tag.get("Key") for tag in params.get("Tags", [])] if operation == "AddTagsToResource" else params.get("TagKeys", [])
    return operation in ("AddTagsToResource", "RemoveTagsFromResource") and bool(keys) and all(key in LEASE_TAGS for key in keys)


class GuardedClients:
    """``clients`` (module_utils/rds.py's RegionalClients) whose calls that change something first check the lease.

    Before each such call the lease is read again and must still be the one ``lease`` holds (token, not expired);
    else LeaseHeld stops the run before that call. Reads, and the lease's own tag writes, go straight through; a
    lease that holds nothing (check mode, no lease asked) checks nothing. The check is a botocore event handler, so
    it covers every call, wherever in module_utils it is made.
    """

    def __init__(self, clients, lease):
        self._clients = clients
        self._lease = lease
        self._guarded = set()

    @property
    def home_region(self):
        return self._clients.home_region

    def rds(self, region):
        client = self._clients.rds(region)
        if region not in self._guarded:
            self.guard(client)
            self._guarded.add(region)
        return client

    def guard(self, client):
        """``client`` (an RDS client made elsewhere, a module's single-attempt one) checks the lease as these clients do; returns it."""
        # RetryingBotoClientWrapper keeps the botocore client as .client.
        getattr(client, "client", client).meta.events.register("before-parameter-build.rds", self._before_call)
        return client

    def _before_call(self, params, model, **kwargs):
        if self._lease.held is None or model.name.startswith(_READ_PREFIXES) or _is_lease_call(model.name, params):
            return
        self._lease.verify(self._lease.held)


# The options of every module that changes a global database (doc fragment aurora.global_db.lease).
LEASE_ARGUMENT_SPEC = dict(
    lease=dict(type="bool", default=True),
    lease_token=dict(type="str", no_log=False),
    lease_owner=dict(type="str"),
)


def exit_holding_the_lease(module, clients, timed_run):
    """End ``module`` (its options include LEASE_ARGUMENT_SPEC, global_cluster_identifier and wait_timeout) with the run
    ``timed_run(guarded_clients)`` builds, run inside the module's lease: the caller's (lease_token) or one of its own.

    Every call of the run that changes something first checks that the lease still holds (GuardedClients); a failure
    around the run (the lease's) carries the run's progress too.
    """
    lease = GlobalClusterLease(clients, module.params["global_cluster_identifier"], utc_now, time.sleep)
    run = timed_run(GuardedClients(clients, lease))
    playbook = this_run()
    exit_module(module, lambda: run.run(within=lease_for_run(
        lease, module.check_mode, module.params["lease"], module.params["lease_token"],
        module.params["lease_owner"] or default_owner(playbook), lease_seconds(module.params["wait_timeout"]), module_warning, playbook)))


def run_lease_request(lease, state, check_mode, owner, seconds, token=None, take_over=None, run=None):
    """What aurora_global_lease does: returns (changed, the lease held or released, the lease replaced)."""
    if state == "absent":
        holder = lease.read_held(token) if check_mode else lease.release(token)
        if holder is None or holder.token != token:
            return False, None, None
        return True, holder, None
    if check_mode:
        replaced = lease.check_free(take_over)
        return True, None, replaced
    taken, replaced = lease.acquire(owner, seconds, take_over, run)
    return True, taken, replaced


def _raise_interrupted(signum, frame):
    raise RunInterrupted()


def interrupted_message(identifier, released, token):
    """What an interrupted run tells the operator."""
    lease = ("Released the lease of global cluster %s (token %s)." % (identifier, token) if released else
             "The lease of global cluster %s (token %s) was not released: the next run from this control node takes it over." % (identifier, token))
    return ("aurora.global_db: the run was interrupted. %s AWS goes on with what it already accepted (an upgrade it "
            "accepted runs to its end). Run the same command again to resume: it waits for what is still running and "
            "skips what is done." % lease)


@contextmanager
def released_on_interrupt(lease, token, run):
    """Release the lease named by ``token`` when Ctrl-C, SIGTERM or the end of ``run`` (its ansible-playbook process)
    ends the body, and say so on the run's standard error: the module's own output has no reader left by then.

    The run's standard error is opened before the body, while the run exists, and closed after it.
    """
    previous = signal.signal(signal.SIGTERM, _raise_interrupted)
    stream = run_stderr(run)
    try:
        with interrupted_when_run_ends(run):
            yield
    except (KeyboardInterrupt, RunInterrupted):
        # A second Ctrl-C (the watcher's, or the operator's) must not stop the release half-way.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            released = lease.release(token) is not None
        except AuroraGlobalError:
            released = False
        if stream is not None:
            try:
                stream.write("\n%s\n" % interrupted_message(lease.identifier, released, token))
            except OSError:
                pass  # Nobody reads the run's output any more.
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass


@contextmanager
def lease_for_run(lease, check_mode, enabled, token, owner, seconds, warn, run=None):
    """Hold the lease while the body runs: the caller's (``token``: checked, neither taken nor released) or one of its own.

    Check mode takes none, nor does ``enabled`` false without a ``token``. The own lease is released on success and on
    failure; a failure to release it after the body failed is only warned about, so that the body's error is the one
    reported. An interrupted body (Ctrl-C, SIGTERM) releases the lease, the caller's included: its run ends with this module.
    """
    if check_mode or not (enabled or token):
        yield None
        return
    if token:
        held = lease.verify(token)
        # The run that took the lease: this module may have started after its ansible-playbook process ended.
        with released_on_interrupt(lease, token, local_run(held.run) or run):
            yield held
        return
    taken, replaced = lease.acquire(owner, seconds, run=run)
    if replaced is not None:
        warn(takeover_warning(replaced))
    try:
        with released_on_interrupt(lease, taken.token, run):
            yield taken
    except Exception:
        try:
            lease.release(taken.token)
        except AuroraGlobalError as error:
            warn("Could not release the lease (token %s): %s. It expires at %s." % (taken.token, error.message, lease_dict(taken)["expires"]))
        raise
    lease.release(taken.token)
