# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One run at a time: a lease on the global cluster, kept in its tags.

A run takes the lease before its first mutating call and releases it at the end, on success and on failure.
The lease is four tags on the global cluster (AWS tags Aurora global clusters; the ARN names no region):
its owner (the AWX job, or the control node and process), a token that tells one lease from another, and
when it started and expires. Tags have no conditional write, so taking a lease is write, wait, read back:
of two runs that write within LEASE_SETTLE_SECONDS of each other, the last writer holds the lease and the
other one refuses. A lease past its expiry is taken over with a warning; a lease left by a run that was
killed can be taken over before its expiry by naming its token.

Entry point of aurora_global_lease, also used by aurora_global_upgrade (its public API: GlobalClusterLease,
run_lease_request, lease_for_run and the helpers the modules import). Internals behind it: _tags (the tag keys).
"""

import datetime
import os
import socket
import uuid
from collections import namedtuple
from contextlib import contextmanager

from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.rds import add_tags
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_global_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.rds import list_tags
from ansible_collections.aurora.global_db.plugins.module_utils.rds import remove_tags
from ansible_collections.aurora.global_db.plugins.module_utils._tags import LEASE_TAG_PREFIX as TAG_PREFIX
from ansible_collections.aurora.global_db.plugins.module_utils._tags import tag_value

OWNER_TAG = TAG_PREFIX + "owner"
TOKEN_TAG = TAG_PREFIX + "token"
STARTED_TAG = TAG_PREFIX + "started"
EXPIRES_TAG = TAG_PREFIX + "expires"
LEASE_TAGS = (OWNER_TAG, TOKEN_TAG, STARTED_TAG, EXPIRES_TAG)
# How long a run waits between writing its lease and reading it back: longer than another run takes from reading
# "no lease" to writing its own.
LEASE_SETTLE_SECONDS = 2
# A lease lasts the run's wait_timeout, and at least this long: the reads around the waits take time too.
MINIMUM_LEASE_SECONDS = 300
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

Lease = namedtuple("Lease", ["owner", "token", "started", "expires"])
Lease.__doc__ = """A lease as its tags record it; started and expires are timezone-aware UTC datetimes."""


class LeaseHeld(AuroraGlobalError):
    """Another run holds the lease (or took it while this run was taking it); nothing was changed."""


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def default_owner():
    """The control node and the process that takes the lease."""
    return "%s/%d" % (socket.gethostname(), os.getpid())


def owner_text(owner):
    """``owner`` as a tag value: characters a tag cannot hold become '-', at most 256 characters."""
    return tag_value(owner)


def lease_seconds(wait_timeout):
    return max(int(wait_timeout), MINIMUM_LEASE_SECONDS)


def new_lease(owner, seconds, now):
    return Lease(owner_text(owner), uuid.uuid4().hex, now, now + datetime.timedelta(seconds=seconds))


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
                 _parse_time(values.get(EXPIRES_TAG)) or expired)


def lease_tags(lease):
    return [
        {"Key": OWNER_TAG, "Value": lease.owner},
        {"Key": TOKEN_TAG, "Value": lease.token},
        {"Key": STARTED_TAG, "Value": lease.started.strftime(_TIME_FORMAT)},
        {"Key": EXPIRES_TAG, "Value": lease.expires.strftime(_TIME_FORMAT)},
    ]


def lease_dict(lease):
    """A lease as the modules return it, or None."""
    if lease is None:
        return None
    return {
        "owner": lease.owner,
        "token": lease.token,
        "started": lease.started.strftime(_TIME_FORMAT) if lease.started else None,
        "expires": lease.expires.strftime(_TIME_FORMAT),
    }


def takeover_warning(replaced):
    return "Took over the lease held by %s." % describe_lease(replaced)


def describe_lease(lease):
    started = lease.started.strftime(_TIME_FORMAT) if lease.started else "an unknown time"
    return "%s (since %s, expires %s, token %s)" % (lease.owner, started, lease.expires.strftime(_TIME_FORMAT), lease.token)


class GlobalClusterLease:
    """The lease of one global cluster. ``now`` and ``sleep`` are injectable for tests."""

    def __init__(self, clients, global_cluster_identifier, now, sleep):
        self._clients = clients
        self._identifier = global_cluster_identifier
        self._now = now
        self._sleep = sleep
        self._arn = None

    def _global_cluster_arn(self):
        if self._arn is None:
            self._arn = describe_global_cluster(self._clients, self._identifier)["GlobalClusterArn"]
        return self._arn

    def read(self):
        return lease_from_tags(list_tags(self._clients, self._clients.home_region, self._global_cluster_arn()))

    def check_free(self, take_over=None):
        """The lease a new one would replace (expired, or named by ``take_over``), or None; raises LeaseHeld while another run holds it."""
        current = self.read()
        if current is None:
            return None
        if current.expires > self._now() and current.token != take_over:
            raise LeaseHeld(message=(
                "Another run is upgrading global cluster %s: its lease is held by %s. Nothing was changed. Wait until that run "
                "has finished (or its lease has expired), then run again. If that run is no longer running (it was killed), "
                "take its lease over by naming its token (the aurora_global_lease module's take_over option, or the role's "
                "aurora_global_upgrade_lease_take_over variable)." % (self._identifier, describe_lease(current))))
        return current

    def acquire(self, owner, seconds, take_over=None):
        """Take the lease; returns (the lease, the expired or named lease it replaced, or None). Raises LeaseHeld."""
        replaced = self.check_free(take_over)
        lease = new_lease(owner, seconds, self._now())
        add_tags(self._clients, self._clients.home_region, self._global_cluster_arn(), lease_tags(lease))
        self._sleep(LEASE_SETTLE_SECONDS)
        holder = self.read()
        if holder is None or holder.token != lease.token:
            raise LeaseHeld(message=(
                "Another run took the lease of global cluster %s at the same time as this one: it is held by %s. "
                "Nothing was changed by this run." % (self._identifier, describe_lease(holder) if holder else "nobody (it was released)")))
        return lease, replaced

    def verify(self, token):
        """Raise LeaseHeld unless the lease named by ``token`` is held and not expired."""
        holder = self.read()
        if holder is not None and holder.token == token and holder.expires > self._now():
            return holder
        state = "it is held by %s" % describe_lease(holder) if holder else "nobody holds it"
        raise LeaseHeld(message=(
            "This run was given lease token %s for global cluster %s, but %s; nothing was changed. Take the lease again "
            "(aurora_global_lease) before upgrading." % (token, self._identifier, state)))

    def release(self, token):
        """Remove the lease if ``token`` still holds it; returns the lease removed, or None."""
        holder = self.read()
        if holder is None or holder.token != token:
            return None
        remove_tags(self._clients, self._clients.home_region, self._global_cluster_arn(), list(LEASE_TAGS))
        return holder


def run_lease_request(lease, state, check_mode, owner, seconds, token=None, take_over=None):
    """What aurora_global_lease does: returns (changed, the lease held or released, the lease replaced)."""
    if state == "absent":
        holder = lease.read()
        if holder is None or holder.token != token:
            return False, None, None
        return True, holder if check_mode else lease.release(token), None
    if check_mode:
        replaced = lease.check_free(take_over)
        return True, None, replaced
    taken, replaced = lease.acquire(owner, seconds, take_over)
    return True, taken, replaced


@contextmanager
def lease_for_run(lease, check_mode, enabled, token, owner, seconds, warn):
    """Hold the lease while the body runs: the caller's (``token``: checked, neither taken nor released) or one of its own.

    Check mode and ``enabled`` false take none. The own lease is released on success and on failure; a failure to
    release it after the body failed is only warned about, so that the body's error is the one reported.
    """
    if check_mode or not enabled:
        yield None
        return
    if token:
        yield lease.verify(token)
        return
    taken, replaced = lease.acquire(owner, seconds)
    if replaced is not None:
        warn(takeover_warning(replaced))
    try:
        yield taken
    except Exception:
        try:
            lease.release(taken.token)
        except AuroraGlobalError as error:
            warn("Could not release the lease (token %s): %s. It expires at %s." % (taken.token, error.message, lease_dict(taken)["expires"]))
        raise
    lease.release(taken.token)
