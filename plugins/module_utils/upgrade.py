# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Carry out an upgrade of an Aurora global database: refuse what the restrictions forbid, act in AWS's order, wait.

A major upgrade is one ModifyGlobalCluster call; a minor one is a ModifyDBCluster
call per member, secondaries first and the primary last, each awaited before
the next. The plan and the refusals come from plan.py and restrictions.py, so
the module refuses exactly what the facts module reports as blocked.
"""

from collections import namedtuple

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.aurora.global_db.plugins.module_utils.facts import GlobalDatabaseReader
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_db_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_global_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.rds import modify_db_cluster_engine_version
from ansible_collections.aurora.global_db.plugins.module_utils.rds import modify_global_cluster_engine_version
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import IN_FLIGHT_STATES
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import members_in_flight
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import request_refusals
from ansible_collections.aurora.global_db.plugins.module_utils.versions import MAJOR
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import DB_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import GLOBAL_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import Deadline
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import Resource
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import State
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import wait_for_upgrade
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import wait_until_available

UpgradeRequest = namedtuple("UpgradeRequest", [
    "global_cluster_identifier", "engine_version", "allow_major_version_upgrade", "db_cluster_identifier",
    "wait", "wait_timeout", "poll_interval", "status_settle_seconds",
])
UpgradeRequest.__doc__ = """The module's options that say what to upgrade and how long to wait (names as in the module)."""


class UpgradeRefused(Exception):
    """The request breaks a restriction; nothing was changed. The message is every refusal, in order."""

    def __init__(self, refusals):
        super().__init__(" ".join(refusals))


def _versions(facts):
    return {m["db_cluster_identifier"]: m["engine_version"] for m in facts["members"]}


def _member_resource(member):
    return Resource(DB_CLUSTER, member["db_cluster_identifier"], member["region"])


class GlobalDatabaseUpgrade:
    """One run of aurora_global_upgrade.

    ``plan`` and ``upgraded`` stay readable after a failure, so that the module can
    report how far the run got. ``clock`` and ``sleep`` are injectable for tests.
    """

    def __init__(self, clients, request, check_mode, clock, sleep):
        self._clients = clients
        self._request = request
        self._check_mode = check_mode
        self._reader = GlobalDatabaseReader(clients)
        self._clock = clock
        self._sleep = sleep
        self._deadline = None
        self.plan = None
        self.upgraded = []

    def run(self):
        """Upgrade as requested; returns the module result (diff included; the module drops it outside diff mode)."""
        self._deadline = Deadline(self._request.wait_timeout, self._clock)
        facts = self._read_and_plan()
        before = _versions(facts)
        # Blockers that only wait for an earlier run's upgrade are waited for, then everything is checked again.
        self._refuse(facts, dict(self.plan, blockers=[b for b in self.plan["blockers"] if not b["in_flight"]]))
        if any(b["in_flight"] for b in self.plan["blockers"]) and not self._check_mode:
            self._wait_for_in_flight(facts)
            facts = self._read_and_plan()
            self._refuse(facts, self.plan)
        selected = self._select(facts)
        if selected and not self._check_mode:
            self._upgrade(facts, selected)
            facts = self._reader.facts(self._request.global_cluster_identifier)
        # One ModifyGlobalCluster call moves every member.
        started_members = list(before) if self.plan["kind"] == MAJOR else selected
        return {
            "changed": bool(selected),
            "upgrade_plan": self.plan,
            "upgraded": selected,
            "not_started": [m for m in self.plan["pending"] if m not in started_members],
            "global_cluster": facts,
            "diff": {
                "before": before,
                "after": {**_versions(facts), **{member: self.plan["target_engine_version"] for member in started_members}},
            },
        }

    def _read_and_plan(self):
        facts = self._reader.facts(self._request.global_cluster_identifier)
        self.plan = self._reader.plan(facts, self._request.engine_version)
        return facts

    def _refuse(self, facts, plan):
        refusals = request_refusals(facts, plan, self._request.allow_major_version_upgrade, self._request.db_cluster_identifier)
        if refusals:
            raise UpgradeRefused(refusals)

    def _select(self, facts):
        """What this run modifies: the global cluster for a major upgrade, else the pending members in upgrade order.

        Without wait, only the first pending member: the next one may only start once it is done.
        """
        if not self.plan["pending"]:
            return []
        if self.plan["kind"] == MAJOR:
            return [facts["global_cluster_identifier"]]
        members = [m for m in self.plan["pending"] if self._request.db_cluster_identifier in (None, m)]
        return members if self._request.wait else members[:1]

    def _wait_for_in_flight(self, facts):
        resources = [_member_resource(m) for m in members_in_flight(facts)]
        if facts["status"] in IN_FLIGHT_STATES:
            resources.append(Resource(GLOBAL_CLUSTER, facts["global_cluster_identifier"], self._clients.home_region))
        wait_until_available(resources, self._read_state, self._deadline, self._request.poll_interval, self._sleep)

    def _upgrade(self, facts, selected):
        target = self.plan["target_engine_version"]
        members = {m["db_cluster_identifier"]: m for m in facts["members"]}
        if self.plan["kind"] == MAJOR:
            # AWS wants ModifyGlobalCluster in the primary's region; without a writer (mid-failover) the home region is all there is.
            region = members[facts["primary"]]["region"] if facts["primary"] else self._clients.home_region
            self._start(modify_global_cluster_engine_version, region, facts["global_cluster_identifier"], target)
            global_cluster = Resource(GLOBAL_CLUSTER, facts["global_cluster_identifier"], self._clients.home_region)
            self._wait_for_upgrade([global_cluster] + [_member_resource(m) for m in facts["members"]])
            return
        for identifier in selected:
            self._start(modify_db_cluster_engine_version, members[identifier]["region"], identifier, target)
            self._wait_for_upgrade([_member_resource(members[identifier])])

    def _start(self, modify, region, identifier, target):
        """Make one mutating call; an AWS refusal is reported with what this run changed and what to do next."""
        try:
            modify(self._clients, region, identifier, target)
        except AnsibleAWSError as error:
            raise AnsibleAWSError(
                message="%s failed, so this run stopped (upgraded by this run: %s). Fix the cause AWS gives below, then run again; "
                "members already at %s are skipped. AWS said" % (error.message, ", ".join(self.upgraded) or "nothing", target),
                exception=error.exception,
            ) from error
        self.upgraded.append(identifier)

    def _wait_for_upgrade(self, resources):
        if self._request.wait:
            wait_for_upgrade(
                resources, self._read_state, self.plan["target_engine_version"], self._deadline,
                self._request.poll_interval, self._request.status_settle_seconds, self._sleep,
            )

    def _read_state(self, resource):
        if resource.kind == GLOBAL_CLUSTER:
            found = describe_global_cluster(self._clients, resource.identifier)
        else:
            found = describe_db_cluster(self._clients, resource.region, resource.identifier)
        return State(resource, found.get("EngineVersion"), found.get("Status"))
