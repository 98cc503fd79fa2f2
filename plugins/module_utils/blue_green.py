# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An RDS Blue/Green deployment of a whole Aurora global database (the method ``blue_green``).

In the primary's region, from the global cluster's ARN: create the deployment at the target version, wait until it is
AVAILABLE, verify every green member, then (unless asked to stop there) switch over, wait until SWITCHOVER_COMPLETED,
verify the global database under its own name, and delete the deployment object, never its resources: AWS keeps the
old global database as <name>-old1. A run finds its deployment by name and continues from its status, so a re-run
resumes, and a run stopped before the switchover never switches over unless asked to. Every prerequisite is checked
before the first call that changes something (blue_green_preflight.py).
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import is_ansible_aws_error_code

from ansible_collections.aurora.global_db.plugins.module_utils import _blue_green_run as run_rules
from ansible_collections.aurora.global_db.plugins.module_utils.blue_green_preflight import CLUSTER_PARAMETER_GROUP
from ansible_collections.aurora.global_db.plugins.module_utils.blue_green_preflight import DB_PARAMETER_GROUP
from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.facts import GlobalDatabaseReader
from ansible_collections.aurora.global_db.plugins.module_utils._fanout import fan_out
from ansible_collections.aurora.global_db.plugins.module_utils._members import region_from_arn
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import MemberTimes
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import members_upgraded_together
from ansible_collections.aurora.global_db.plugins.module_utils.outcomes import utc_timestamp
from ansible_collections.aurora.global_db.plugins.module_utils._progress_file import ProgressFile
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import BLUE_GREEN_DEPLOYMENT
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import kind_words
from ansible_collections.aurora.global_db.plugins.module_utils.rds import aws_step
from ansible_collections.aurora.global_db.plugins.module_utils.rds import cluster_identifier_from_arn
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_db_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_global_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import DEPLOYMENT_AVAILABLE
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import DEPLOYMENT_SWITCHOVER_COMPLETED
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import DEPLOYMENT_SWITCHOVER_FAILED
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import DEPLOYMENT_SWITCHOVER_IN_PROGRESS
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_stuck
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import Resource
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import State
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import TimedRun
from ansible_collections.aurora.global_db.plugins.module_utils.waiting import wait_until_settled


def check_switchover_timeout(module):
    """Fail the module, before any call, when switchover_timeout is outside AWS's range."""
    problem = run_rules.switchover_timeout_problem(module.params["switchover_timeout"])
    if problem:
        module.fail_json(msg=problem)


class BlueGreenRefused(AuroraGlobalError):
    """A prerequisite fails; nothing was changed."""


def find_deployment(clients, region, name):
    """The deployment of that name in the region, or None."""
    with aws_step(region, "Looking for blue/green deployment %s in %s (DescribeBlueGreenDeployments)" % (name, region)):
        found = clients.rds(region).describe_blue_green_deployments(
            Filters=[{"Name": "blue-green-deployment-name", "Values": [name]}], aws_retry=True)["BlueGreenDeployments"]
    return found[0] if found else None


class BlueGreenRun(TimedRun):
    """One run of aurora_global_blue_green. ``request`` has the module's options (see BlueGreenRequest in the module)."""

    def __init__(self, clients, request, check_mode, clock, sleep, progress_file=None):
        super().__init__(clients, request, check_mode, clock, sleep)
        self._progress_file = ProgressFile(progress_file, request.global_cluster_identifier)
        self._reader = GlobalDatabaseReader(clients)
        self._name = request.blue_green_deployment_name or run_rules.default_deployment_name(request.global_cluster_identifier, request.engine_version)
        self._deployment = None
        self._done = []
        self._planned = []
        self._green_members = []
        self._region = None
        self._run_started_at = None
        self._times = MemberTimes()
        self._before_members = []
        self._after_members = None

    def progress(self):
        deployment = self._deployment or {}
        status = deployment.get("Status")
        every_member = [m["db_cluster_identifier"] for m in self._before_members]
        switched = status == DEPLOYMENT_SWITCHOVER_COMPLETED or run_rules.DELETE_DEPLOYMENT in self._done
        return {
            "method": run_rules.METHOD,
            "changed": any(step in self._done for step in (run_rules.CREATE, run_rules.SWITCHOVER, run_rules.DELETE_DEPLOYMENT)),
            "blue_green_deployment_name": self._name,
            "blue_green_deployment_identifier": deployment.get("BlueGreenDeploymentIdentifier"),
            "blue_green_deployment_status": deployment.get("Status"),
            "steps_done": list(self._done),
            "steps_planned": list(self._planned),
            "switched_over": switched,
            "green_members": list(self._green_members),
            "old_global_cluster_identifier": run_rules.old_global_cluster_identifier(self._request.global_cluster_identifier.lower()) if switched else None,
            "started_at": self._run_started_at,
            "finished_at": utc_timestamp(),
            "members": members_upgraded_together(self._before_members, self._after_members, self._request.engine_version, self._times,
                                                 failed=every_member if status == DEPLOYMENT_SWITCHOVER_FAILED else (),
                                                 still_upgrading=every_member if status == DEPLOYMENT_SWITCHOVER_IN_PROGRESS else ()),
        }

    def _run(self):
        self._run_started_at = utc_timestamp()
        problem = run_rules.name_problem(self._name)
        if problem:
            raise BlueGreenRefused(problem + " Nothing was read or changed.")
        facts = self._reader.facts(self._request.global_cluster_identifier)
        self._before_members = facts["members"]
        primary = next((m for m in facts["members"] if m["is_writer"]), None)
        self._region = primary["region"] if primary else self._clients.home_region
        self._deployment = find_deployment(self._clients, self._region, self._name)
        if self._deployment is None:
            plan = self._reader.plan(facts, self._request.engine_version, "engine_version", run_rules.METHOD, self._target_groups(facts))
            if not plan["pending"]:
                self._after_versions = {m["db_cluster_identifier"]: m["engine_version"] for m in facts["members"]}
                return dict(self.progress(), message="Every member of %s already runs %s." % (
                    facts["global_cluster_identifier"], plan["target_engine_version"]))
            self._refuse_unless_ready(facts, plan)
        if self._deployment is not None and self._deployment["Status"] in (DEPLOYMENT_SWITCHOVER_IN_PROGRESS, DEPLOYMENT_SWITCHOVER_COMPLETED):
            # An earlier run switched over; production changes count from this run's start.
            self._times.started(self._members_below_target())
        try:
            steps = run_rules.remaining_steps(self._deployment and self._deployment["Status"], self._request.switchover)
        except run_rules.DeploymentStopped as stopped:
            raise AuroraGlobalError("Blue/green deployment %s (%s) %s" % (self._name, self._deployment["BlueGreenDeploymentIdentifier"], stopped)) from stopped
        if self._check_mode:
            self._planned = steps
            return dict(self.progress(), message="Check mode: would %s." % ", then ".join(steps))
        for step in steps:
            getattr(self, "_" + step)(facts)
            self._done.append(step)
        return dict(self.progress(), message=self._summary())

    def _target_groups(self, facts):
        """The target parameter groups, under their one name in every member's region (AWS uses that name everywhere)."""
        return {kind: {m["region"]: name for m in facts["members"]} for kind, name in (
            (CLUSTER_PARAMETER_GROUP, self._request.target_db_cluster_parameter_group),
            (DB_PARAMETER_GROUP, self._request.target_db_parameter_group)) if name}

    def _refuse_unless_ready(self, facts, plan):
        # The plan's blockers of this method (restrictions.py), its prerequisites (code blue_green_prerequisite) included.
        blockers = plan["blockers"]
        if blockers:
            raise BlueGreenRefused("Refusing the Blue/Green deployment of %s; nothing was changed. %s" % (
                facts["global_cluster_identifier"], " ".join(b["message"] for b in blockers)), blockers=blockers)

    def _create(self, facts):
        request = self._request
        params = dict(BlueGreenDeploymentName=self._name, Source=facts["global_cluster_arn"], TargetEngineVersion=request.engine_version)
        if request.target_db_cluster_parameter_group:
            params["TargetDBClusterParameterGroupName"] = request.target_db_cluster_parameter_group
        if request.target_db_parameter_group:
            params["TargetDBParameterGroupName"] = request.target_db_parameter_group
        try:
            with aws_step(self._region, "Creating blue/green deployment %s of %s in %s (CreateBlueGreenDeployment)" % (
                    self._name, facts["global_cluster_identifier"], self._region)):
                self._deployment = self._clients.rds(self._region).create_blue_green_deployment(aws_retry=True, **params)["BlueGreenDeployment"]
        except is_ansible_aws_error_code("BlueGreenDeploymentAlreadyExistsFault"):
            # A retry after an answer lost on the way: the first call created it.
            self._deployment = find_deployment(self._clients, self._region, self._name)
            if self._deployment is None:
                raise

    def _wait_available(self, facts):
        self._wait_for(DEPLOYMENT_AVAILABLE)

    def _verify_green(self, facts):
        green = describe_global_cluster(self._clients, cluster_identifier_from_arn(self._deployment["Target"]))
        self._green_members = fan_out(self._green_member, green.get("GlobalClusterMembers", []))
        problems = run_rules.green_problems(self._green_members, self._request.engine_version)
        if problems:
            raise AuroraGlobalError("The green environment of blue/green deployment %s is not ready: %s. Nothing was switched over; "
                                    "run again once it is." % (self._name, "; ".join(problems)))

    def _green_member(self, global_member):
        region = region_from_arn(global_member["DBClusterArn"])
        cluster = describe_db_cluster(self._clients, region, cluster_identifier_from_arn(global_member["DBClusterArn"]))
        return {
            "db_cluster_identifier": cluster["DBClusterIdentifier"], "region": region, "is_writer": bool(global_member.get("IsWriter")),
            "engine_version": cluster.get("EngineVersion"), "status": cluster.get("Status"),
            "synchronization_status": global_member.get("SynchronizationStatus"), "endpoint": cluster.get("Endpoint"),
            "reader_endpoint": cluster.get("ReaderEndpoint"),
        }

    def _switchover(self, facts):
        identifier = self._deployment["BlueGreenDeploymentIdentifier"]
        self._times.started(self._members_below_target())
        try:
            with aws_step(self._region, "Switching over blue/green deployment %s (SwitchoverBlueGreenDeployment in %s, timeout %d s)" % (
                    identifier, self._region, self._request.switchover_timeout)):
                self._clients.rds(self._region).switchover_blue_green_deployment(
                    BlueGreenDeploymentIdentifier=identifier, SwitchoverTimeout=self._request.switchover_timeout, aws_retry=True)
        except is_ansible_aws_error_code("InvalidBlueGreenDeploymentStateFault"):
            # A retry after an answer lost on the way: the first call started it.
            self._deployment = describe(self._clients, BLUE_GREEN_DEPLOYMENT, self._region, identifier)
            if self._deployment["Status"] not in (DEPLOYMENT_SWITCHOVER_IN_PROGRESS, DEPLOYMENT_SWITCHOVER_COMPLETED):
                raise

    def _wait_switchover(self, facts):
        try:
            self._wait_for(DEPLOYMENT_SWITCHOVER_COMPLETED)
        finally:
            if self._deployment["Status"] in (DEPLOYMENT_SWITCHOVER_COMPLETED, DEPLOYMENT_SWITCHOVER_FAILED):
                self._times.finished(self._members_below_target())

    def _verify_production(self, facts):
        after = self._reader.facts(self._request.global_cluster_identifier)
        self._after_members = after["members"]
        problems = run_rules.green_problems(after["members"], self._request.engine_version)
        if problems:
            raise AuroraGlobalError("After the switchover, global database %s is not at %s everywhere: %s." % (
                after["global_cluster_identifier"], self._request.engine_version, "; ".join(problems)))

    def _delete_deployment(self, facts):
        identifier = self._deployment["BlueGreenDeploymentIdentifier"]
        try:
            description = "Deleting blue/green deployment %s, keeping every resource (DeleteBlueGreenDeployment in %s)" % (identifier, self._region)
            with aws_step(self._region, description):
                self._clients.rds(self._region).delete_blue_green_deployment(BlueGreenDeploymentIdentifier=identifier, aws_retry=True)
        except is_ansible_aws_error_code("BlueGreenDeploymentNotFoundFault"):
            pass  # A retry after an answer lost on the way: the first call deleted it.

    def _members_below_target(self):
        return [m["db_cluster_identifier"] for m in self._before_members if m["engine_version"] != self._request.engine_version]

    def _wait_for(self, wanted):
        """Wait until the deployment is ``wanted``; a deployment no run can continue (statuses.py: stuck) fails the run."""
        deployment = Resource(BLUE_GREEN_DEPLOYMENT, self._deployment["BlueGreenDeploymentIdentifier"], self._region)
        wait_until_settled([deployment], self._read_deployment, self._deadline, self._request.poll_interval, self._sleep,
                           "blue/green deployment %s to be %s" % (self._name, wanted), settled=lambda state: state.status == wanted)

    def _read_deployment(self, resource):
        self._deployment = describe(self._clients, BLUE_GREEN_DEPLOYMENT, resource.region, resource.identifier)
        status = self._deployment["Status"]
        # The progress line reads "blue/green deployment <name> (<region>) <Status> at <target>".
        self._progress_file.record(State(Resource(BLUE_GREEN_DEPLOYMENT, "%s %s" % (kind_words(BLUE_GREEN_DEPLOYMENT), self._name), resource.region),
                                         self._request.engine_version, status))
        if is_stuck(BLUE_GREEN_DEPLOYMENT, status):
            try:
                run_rules.remaining_steps(status, True)
            except run_rules.DeploymentStopped as stopped:
                raise AuroraGlobalError("Blue/green deployment %s (%s) %s AWS says: %s" % (
                    self._name, resource.identifier, stopped, self._deployment.get("StatusDetails") or "nothing more")) from stopped
        return State(resource, self._request.engine_version, status)

    def _summary(self):
        if run_rules.DELETE_DEPLOYMENT in self._done:
            return "Switched over: %s runs %s in every region. %s" % (
                self._request.global_cluster_identifier, self._request.engine_version,
                run_rules.cleanup_hint(run_rules.old_global_cluster_identifier(self._request.global_cluster_identifier.lower())))
        return "The green environment is ready and verified; production is unchanged. Green endpoints: %s. Run again with switchover to switch over." % (
            ", ".join("%s (%s): %s" % (m["db_cluster_identifier"], m["region"], m["endpoint"]) for m in self._green_members))
