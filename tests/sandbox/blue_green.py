# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""RDS Blue/Green deployments of an Aurora global database, as AWS runs them over time.

moto cannot show them: it refuses a global cluster's ARN as Source, crashes on a member of a global cluster, and
its deployments jump to their last status at once. Here the green environment copies every member (each in its own
region) and the global cluster, statuses change over time through the sandbox's transitions (so a test holds them
with hold_transition_of), and a switchover renames clusters, instances and the global cluster. Every function runs
with SANDBOX.lock held (see sandbox.wsgi); each behaviour's source is in docs/sandbox.md ("Blue/Green deployments").
"""

from __future__ import annotations

import dataclasses
import datetime
import random
import re
import string
from typing import Any

from moto.core.responses import ActionResult
from moto.rds.exceptions import InvalidParameterValue, RDSClientError
from moto.rds.models import DBCluster, DBInstance, GlobalCluster

from .parameter_groups import DEFAULT_PREFIX, check_family, cluster_parameter_group, db_parameter_group, default_group_name
from .rules import NO_UPGRADE_PATH, TARGET_NOT_GLOBAL
from .state import SANDBOX, SandboxState
from .topology import GLOBAL_CLUSTER_REGION, all_global_clusters, find_global_cluster, rds_backend, writer_of
from .upgrades import AVAILABLE

# BlueGreenDeployment.Status values (botocore BlueGreenDeploymentStatus).
PROVISIONING = "PROVISIONING"
DEPLOYMENT_AVAILABLE = "AVAILABLE"
SWITCHOVER_IN_PROGRESS = "SWITCHOVER_IN_PROGRESS"
SWITCHOVER_COMPLETED = "SWITCHOVER_COMPLETED"
SWITCHOVER_FAILED = "SWITCHOVER_FAILED"
INVALID_CONFIGURATION = "INVALID_CONFIGURATION"
DELETING = "DELETING"
# Statuses in which a change of the blue topology invalidates the deployment (AWS: delete it and create it again).
BEFORE_SWITCHOVER = (PROVISIONING, DEPLOYMENT_AVAILABLE)
CREATING = "creating"
# The two kinds of parameter groups, as AWS names them in its refusals.
CLUSTER_GROUP = "DB Cluster Parameter Group"
INSTANCE_GROUP = "Parameter Group"
# botocore BlueGreenDeploymentName: 1 to 60 characters.
NAME_PATTERN = re.compile(r"[a-zA-Z](?:-?[a-zA-Z0-9]+)*")
NAME_MAX_LENGTH = 60
# Green resources are named <blue name>-green-<6 characters>; after a switchover the blue ones are <name>-old1.
GREEN_INFIX = "-green-"
GREEN_SUFFIX_LENGTH = 6
OLD_SUFFIX = "-old1"
# SwitchoverTimeout: botocore's minimum, the guide's maximum, the API's default (seconds).
SWITCHOVER_TIMEOUT_MIN = 30
SWITCHOVER_TIMEOUT_MAX = 3600
SWITCHOVER_TIMEOUT_DEFAULT = 300
# Journal events of the deployment's changes over time.
PROVISIONED = "BlueGreenDeploymentAvailable"
SWITCHED_OVER = "BlueGreenSwitchoverCompleted"
SWITCHOVER_ROLLED_BACK = "BlueGreenSwitchoverFailed"
# The sandbox's wording (AWS publishes none of these texts).
TOPOLOGY_CHANGED = "The blue global database {global_cluster} changed after the deployment was created ({what}): delete the deployment and create it again."
SWITCHOVER_TIMED_OUT = (
    "Switchover didn't finish within its timeout of {timeout} seconds: every change was rolled back; the blue environment is still production."
)
NOT_IN_PRIMARY_REGION = "Create the blue/green deployment of global cluster {global_cluster} in its primary's region, {region}."
# Where moto would keep them: a reset rebuilds every backend, so the deployments go with it.
REGISTRY_ATTRIBUTE = "sandbox_global_blue_green_deployments"


def _invalid_state(message: str) -> RDSClientError:
    return RDSClientError("InvalidBlueGreenDeploymentStateFault", message)


def _random_suffix(length: int) -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=length))


@dataclasses.dataclass(eq=False)
class GlobalBlueGreenDeployment:
    """One deployment of a global database: the blue and green global clusters, their clusters and instances in pairs."""

    identifier: str
    name: str
    region: str
    blue: GlobalCluster
    green: GlobalCluster
    clusters: list[tuple[DBCluster, DBCluster]]
    instances: list[tuple[DBInstance, DBInstance]]
    blue_writer: DBCluster
    tags: list[dict[str, str]]
    create_time: datetime.datetime
    status: str = PROVISIONING
    status_details: str | None = None
    switchover_timeout: int = SWITCHOVER_TIMEOUT_DEFAULT

    def as_api(self) -> dict[str, Any]:
        """The BlueGreenDeployment shape; Source and Target are the current ARNs of the two global clusters."""
        return {
            "BlueGreenDeploymentIdentifier": self.identifier,
            "BlueGreenDeploymentName": self.name,
            "Source": self.blue.global_cluster_arn,
            "Target": self.green.global_cluster_arn,
            "SwitchoverDetails": [
                {"SourceMember": blue_arn, "TargetMember": green_arn, "Status": self._member_status()}
                for blue_arn, green_arn in self._arn_pairs()
            ],
            "Tasks": [{"Name": "CREATING_READ_REPLICA_OF_SOURCE", "Status": "IN_PROGRESS" if self.status == PROVISIONING else "COMPLETED"},
                      {"Name": "DB_ENGINE_VERSION_UPGRADE", "Status": "IN_PROGRESS" if self.status == PROVISIONING else "COMPLETED"}],
            "Status": self.status,
            "StatusDetails": self.status_details,
            "CreateTime": self.create_time,
            "TagList": self.tags,
        }

    def _arn_pairs(self) -> list[tuple[str, str]]:
        return [(self.blue.global_cluster_arn, self.green.global_cluster_arn)] + [
            (blue.db_cluster_arn, green.db_cluster_arn) for blue, green in self.clusters
        ] + [(blue.db_instance_arn, green.db_instance_arn) for blue, green in self.instances]

    def _member_status(self) -> str:
        """botocore SwitchoverDetailStatus: a member follows its deployment (the statuses share their names)."""
        return self.status if self.status in (PROVISIONING, SWITCHOVER_IN_PROGRESS, SWITCHOVER_COMPLETED, SWITCHOVER_FAILED) else DEPLOYMENT_AVAILABLE

    @property
    def green_clusters(self) -> list[DBCluster]:
        return [pair[1] for pair in self.clusters]

    @property
    def green_instances(self) -> list[DBInstance]:
        return [pair[1] for pair in self.instances]

    @property
    def subject(self) -> dict[str, str]:
        """What journal events name, and hold_transition_of matches: the deployment's identifier and its name."""
        return {"BlueGreenDeploymentIdentifier": self.identifier, "BlueGreenDeploymentName": self.name}

    def check_topology(self, failover_state: dict[str, Any] | None) -> None:
        """Before a switchover: a global switchover or failover, or a member added or removed, invalidates the deployment."""
        if self.status not in BEFORE_SWITCHOVER:
            return
        what = None
        if failover_state:
            what = f"a global {failover_state.get('Status', 'failover')} is under way"
        elif writer_of(self.blue) is not self.blue_writer:
            what = "its primary changed: a global switchover or failover"
        elif {id(member) for member in self.blue.members} != {id(pair[0]) for pair in self.clusters}:
            what = "a member was added or removed"
        if what:
            self.status = INVALID_CONFIGURATION
            self.status_details = TOPOLOGY_CHANGED.format(global_cluster=self.blue.global_cluster_identifier, what=what)


def _registry(backend: Any) -> dict[str, GlobalBlueGreenDeployment]:
    """The deployments of the backend's region, by identifier. Kept on moto's backend, which a reset rebuilds."""
    return backend.__dict__.setdefault(REGISTRY_ATTRIBUTE, {})


def _check_name(name: str, backend: Any) -> None:
    if len(name) > NAME_MAX_LENGTH or not NAME_PATTERN.fullmatch(name):
        raise InvalidParameterValue(
            f"Invalid BlueGreenDeploymentName {name!r}: 1 to {NAME_MAX_LENGTH} letters, digits or single hyphens, starting with a letter."
        )
    if any(existing.name == name for existing in _registry(backend).values()):
        raise RDSClientError("BlueGreenDeploymentAlreadyExistsFault", f"A blue/green deployment named {name} already exists.")


def _check_source(state: SandboxState, global_cluster: GlobalCluster, region: str) -> None:
    """Created in the primary's region, from a quiet global database that is in no other deployment."""
    identifier = global_cluster.global_cluster_identifier
    writer = writer_of(global_cluster)
    if writer is None or writer.region != region:
        raise InvalidParameterValue(NOT_IN_PRIMARY_REGION.format(global_cluster=identifier, region=writer.region if writer else "none"))
    if state.failover_states.get(identifier):
        raise RDSClientError("InvalidDBClusterStateFault", f"Global cluster {identifier} has a switchover or failover under way.")
    busy = [member.db_cluster_identifier for member in global_cluster.members if member.status != AVAILABLE or state.timeline.is_upgrading(member)]
    if global_cluster.status != AVAILABLE or busy:
        raise RDSClientError("InvalidDBClusterStateFault",
                             f"Global cluster {identifier} and all its members must be available (not: {', '.join(busy) or identifier}).")
    in_use = any(deployment.blue is global_cluster and deployment.status != SWITCHOVER_COMPLETED
                 for member in global_cluster.members for deployment in _registry(rds_backend(member.account_id, member.region)).values())
    if in_use:
        raise RDSClientError("InvalidDBClusterStateFault", f"Global cluster {identifier} is already the source of a blue/green deployment.")


def _check_target_version(state: SandboxState, global_cluster: GlobalCluster, target: str) -> None:
    if target == global_cluster.engine_version:
        return
    hidden = frozenset().union(*(state.hidden_versions(member.region) for member in global_cluster.members))
    upgrade_target = state.catalog.upgrade_target(global_cluster.engine, global_cluster.engine_version, target, hidden)
    if upgrade_target is None:
        raise InvalidParameterValue(NO_UPGRADE_PATH.format(current=global_cluster.engine_version, target=target))
    if not upgrade_target["SupportsGlobalDatabases"]:
        raise InvalidParameterValue(TARGET_NOT_GLOBAL.format(target=target))


def _green_group(state: SandboxState, backend: Any, kind: str, wanted: str | None, family: str, keep: str | None, required: bool) -> str | None:
    """One parameter group of a green member, or `keep` when none is asked. A group asked for must exist in the
    primary's region (else its not-found fault, checked first); in a secondary region without a group of that name AWS
    uses the target family's default (its guide); a group of another family is refused."""
    if not wanted:
        return keep
    lookup, family_of, not_found = (
        (cluster_parameter_group, "db_parameter_group_family", "DBClusterParameterGroupNotFound") if kind == CLUSTER_GROUP
        else (db_parameter_group, "family", "DBParameterGroupNotFound")
    )
    try:
        group = lookup(state.catalog, backend, wanted)
    except RDSClientError as error:
        if required:
            # botocore's fault of CreateBlueGreenDeployment for each kind of group.
            raise RDSClientError(not_found, f"{kind} {wanted} not found in {backend.region_name}.") from error
        return DEFAULT_PREFIX + family
    check_family(kind, group.name, getattr(group, family_of), family)
    return group.name


def _green_groups(state: SandboxState, cluster: DBCluster, target: str, params: Any, is_primary: bool) -> tuple[str, str | None]:
    """The green cluster's and instances' parameter groups in the cluster's region; without a target group the blue
    groups stay when the family does not change (None: each instance keeps its own), else the target family's default."""
    backend = rds_backend(cluster.account_id, cluster.region)
    family = state.catalog.parameter_group_family(cluster.engine, target)
    default = default_group_name(state.catalog, cluster.engine, target)
    same_family = family == state.catalog.parameter_group_family(cluster.engine, cluster.engine_version)
    return (
        _green_group(state, backend, CLUSTER_GROUP, params.get("TargetDBClusterParameterGroupName"), family,
                     cluster.parameter_group if same_family else default, is_primary),
        _green_group(state, backend, INSTANCE_GROUP, params.get("TargetDBParameterGroupName"), family, None if same_family else default, is_primary),
    )


def _create_green(state: SandboxState, blue: GlobalCluster, params: Any, suffix: str) -> GlobalBlueGreenDeployment:
    """The green global cluster, then a copy of each member in its region (the primary first, so that it is the writer)."""
    target = params.get("TargetEngineVersion") or blue.engine_version
    blue_writer = writer_of(blue)
    ordered = [blue_writer] + [member for member in blue.members if member is not blue_writer]
    # Groups first, so that a refused group creates nothing.
    groups = [_green_groups(state, member, target, params, member is blue_writer) for member in ordered]
    global_backend = rds_backend(blue.account_id, GLOBAL_CLUSTER_REGION)
    green_identifier = f"{blue.global_cluster_identifier}{GREEN_INFIX}{suffix}"
    green = GlobalCluster(backend=global_backend, global_cluster_identifier=green_identifier, engine=blue.engine, engine_version=target,
                          storage_encrypted=blue.storage_encrypted, deletion_protection=blue.deletion_protection)
    green.status = CREATING
    global_backend.global_clusters[green_identifier] = green
    clusters, instances = [], []
    for member, (cluster_group, instance_group) in zip(ordered, groups):
        backend = rds_backend(member.account_id, member.region)
        copy = backend.create_db_cluster({
            "db_cluster_identifier": f"{member.db_cluster_identifier}{GREEN_INFIX}{suffix}",
            "engine": member.engine,
            "engine_version": target,
            "global_cluster_identifier": green_identifier,
            "db_cluster_parameter_group_name": cluster_group,
            "port": member.port,
        })
        copy.status = CREATING
        clusters.append((member, copy))
        for instance in member.members:
            instance_copy = backend.create_db_instance({
                "db_instance_identifier": f"{instance.db_instance_identifier}{GREEN_INFIX}{suffix}",
                "db_cluster_identifier": copy.db_cluster_identifier,
                "engine": member.engine,
                "db_instance_class": instance.db_instance_class,
                "db_parameter_group_name": instance_group or instance.db_parameter_group_name,
                "promotion_tier": instance.promotion_tier,
            })
            instance_copy.status = CREATING
            instances.append((instance, instance_copy))
    return GlobalBlueGreenDeployment(
        identifier=f"bgd-{_random_suffix(16)}", name=params["BlueGreenDeploymentName"], region=blue_writer.region, blue=blue, green=green,
        clusters=clusters, instances=instances, blue_writer=blue_writer, tags=params.get("Tags") or [],
        create_time=datetime.datetime.now(datetime.timezone.utc),
    )


def create(state: SandboxState, backend: Any, params: Any) -> GlobalBlueGreenDeployment:
    """CreateBlueGreenDeployment from a global cluster's ARN: PROVISIONING, then AVAILABLE after provision_seconds."""
    _check_name(params["BlueGreenDeploymentName"], backend)
    blue = find_global_cluster(backend.account_id, params["Source"])
    _check_source(state, blue, backend.region_name)
    _check_target_version(state, blue, params.get("TargetEngineVersion") or blue.engine_version)
    deployment = _create_green(state, blue, params, _random_suffix(GREEN_SUFFIX_LENGTH))
    _registry(backend)[deployment.identifier] = deployment

    def provisioned() -> None:
        for resource in [deployment.green, *deployment.green_clusters, *deployment.green_instances]:
            resource.status = AVAILABLE
        if deployment.status == PROVISIONING:
            deployment.status = DEPLOYMENT_AVAILABLE

    state.later(state.config.provision_seconds, provisioned, PROVISIONED, deployment.region, deployment.subject)
    return deployment


def _rename_cluster(cluster: DBCluster, new_identifier: str) -> None:
    backend = rds_backend(cluster.account_id, cluster.region)
    # moto finds a cluster's instances by the cluster identifier they hold.
    instances = list(cluster.members)
    backend.clusters.pop(cluster.db_cluster_identifier)
    cluster.db_cluster_identifier = new_identifier
    backend.clusters[new_identifier] = cluster
    for instance in instances:
        instance.db_cluster_identifier = cluster.db_cluster_identifier


def _rename_instance(instance: DBInstance, new_identifier: str) -> None:
    backend = rds_backend(instance.account_id, instance.region)
    backend.databases.pop(instance.db_instance_identifier)
    instance.db_instance_identifier = new_identifier
    backend.databases[new_identifier] = instance


def _rename_global_cluster(global_cluster: GlobalCluster, new_identifier: str) -> None:
    backend = rds_backend(global_cluster.account_id, GLOBAL_CLUSTER_REGION)
    backend.global_clusters.pop(global_cluster.global_cluster_identifier)
    global_cluster.global_cluster_identifier = new_identifier
    backend.global_clusters[global_cluster.global_cluster_identifier] = global_cluster
    for member in global_cluster.members:
        member.global_cluster_identifier = global_cluster.global_cluster_identifier


@dataclasses.dataclass(frozen=True)
class _Rename:
    """A blue resource and its green copy, the function that renames that kind, the attributes of its name and endpoint hash."""

    blue: Any
    green: Any
    apply: Any
    name_attribute: str
    endpoint_attribute: str | None


def _switch_names(deployment: GlobalBlueGreenDeployment) -> None:
    """Blue resources become <name>-old1; green ones take the blue names and endpoints (the endpoints follow the names,
    and the endpoint's hash is swapped, as AWS keeps production's endpoints)."""
    renames = [_Rename(deployment.blue, deployment.green, _rename_global_cluster, "global_cluster_identifier", "unique_identifier")]
    renames += [_Rename(blue, green, _rename_cluster, "db_cluster_identifier", "url_identifier") for blue, green in deployment.clusters]
    renames += [_Rename(blue, green, _rename_instance, "db_instance_identifier", None) for blue, green in deployment.instances]
    # Every blue name is freed before a green resource takes it.
    originals = [getattr(rename.blue, rename.name_attribute) for rename in renames]
    for rename, original in zip(renames, originals):
        rename.apply(rename.blue, original + OLD_SUFFIX)
    for rename, original in zip(renames, originals):
        rename.apply(rename.green, original)
        if rename.endpoint_attribute:
            blue_endpoint, green_endpoint = getattr(rename.blue, rename.endpoint_attribute), getattr(rename.green, rename.endpoint_attribute)
            setattr(rename.green, rename.endpoint_attribute, blue_endpoint)
            setattr(rename.blue, rename.endpoint_attribute, green_endpoint)


def switchover(state: SandboxState, deployment: GlobalBlueGreenDeployment, timeout: int | None) -> None:
    """SwitchoverBlueGreenDeployment: SWITCHOVER_IN_PROGRESS for upgrade_seconds, then SWITCHOVER_COMPLETED with the
    names switched, or, past the timeout (fail_upgrade_of names the deployment or its global cluster), SWITCHOVER_FAILED
    with nothing changed."""
    timeout = SWITCHOVER_TIMEOUT_DEFAULT if timeout is None else timeout
    if not SWITCHOVER_TIMEOUT_MIN <= timeout <= SWITCHOVER_TIMEOUT_MAX:
        raise InvalidParameterValue(f"SwitchoverTimeout must be between {SWITCHOVER_TIMEOUT_MIN} and {SWITCHOVER_TIMEOUT_MAX} seconds, not {timeout}.")
    deployment.check_topology(state.failover_states.get(deployment.blue.global_cluster_identifier))
    if deployment.status != DEPLOYMENT_AVAILABLE:
        raise _invalid_state(f"Blue/green deployment {deployment.identifier} can't be switched over with status {deployment.status}.")
    deployment.status, deployment.switchover_timeout = SWITCHOVER_IN_PROGRESS, timeout
    times_out = not {deployment.identifier, deployment.name.lower(), deployment.blue.global_cluster_identifier}.isdisjoint(state.config.fail_upgrade_of)

    def finished() -> None:
        if times_out:
            deployment.status = SWITCHOVER_FAILED
            deployment.status_details = SWITCHOVER_TIMED_OUT.format(timeout=timeout)
            return
        _switch_names(deployment)
        deployment.status = SWITCHOVER_COMPLETED

    state.later(state.config.upgrade_seconds, finished, SWITCHOVER_ROLLED_BACK if times_out else SWITCHED_OVER, deployment.region, deployment.subject)


def _delete_green(deployment: GlobalBlueGreenDeployment) -> None:
    for instance in deployment.green_instances:
        rds_backend(instance.account_id, instance.region).databases.pop(instance.db_instance_identifier, None)
    for cluster in deployment.green_clusters:
        rds_backend(cluster.account_id, cluster.region).clusters.pop(cluster.db_cluster_identifier, None)
    rds_backend(deployment.green.account_id, GLOBAL_CLUSTER_REGION).global_clusters.pop(deployment.green.global_cluster_identifier, None)


def delete(backend: Any, deployment: GlobalBlueGreenDeployment, delete_target: bool) -> dict[str, Any]:
    """DeleteBlueGreenDeployment: the deployment goes at once (answered DELETING); its resources stay, the green ones
    go only with DeleteTarget, which is refused after a switchover (the green ones are production then)."""
    if deployment.status == SWITCHOVER_IN_PROGRESS:
        raise _invalid_state(f"Blue/green deployment {deployment.identifier} can't be deleted while it switches over.")
    if delete_target and deployment.status == SWITCHOVER_COMPLETED:
        raise _invalid_state(f"DeleteTarget isn't allowed for blue/green deployment {deployment.identifier}: its status is {SWITCHOVER_COMPLETED}.")
    if delete_target:
        _delete_green(deployment)
    del _registry(backend)[deployment.identifier]
    return {**deployment.as_api(), "Status": DELETING, "DeleteTime": datetime.datetime.now(datetime.timezone.utc)}


FILTER_FIELDS = {
    "blue-green-deployment-identifier": lambda deployment: deployment.identifier,
    "blue-green-deployment-name": lambda deployment: deployment.name,
    "source": lambda deployment: deployment.blue.global_cluster_arn,
    "target": lambda deployment: deployment.green.global_cluster_arn,
}


def describe(state: SandboxState, backend: Any, filters: list[dict[str, Any]]) -> list[GlobalBlueGreenDeployment]:
    """The deployments of the region that match every filter (DescribeBlueGreenDeployments' four filter names)."""
    unknown = [item["Name"] for item in filters if item["Name"] not in FILTER_FIELDS]
    if unknown:
        raise InvalidParameterValue(f"Unrecognized filter name: {unknown[0]}")
    deployments = list(_registry(backend).values())
    for deployment in deployments:
        deployment.check_topology(state.failover_states.get(deployment.blue.global_cluster_identifier))
    return [
        deployment for deployment in deployments
        if all(FILTER_FIELDS[item["Name"]](deployment).lower() in {value.lower() for value in item["Values"]} for item in filters)
    ]


def find(backend: Any, identifier: str) -> GlobalBlueGreenDeployment | None:
    """A deployment of the region by identifier, which AWS matches case-insensitively."""
    return _registry(backend).get(identifier.lower())


def _is_global_member_arn(backend: Any, source: str) -> bool:
    return any(member.db_cluster_arn == source for global_cluster in all_global_clusters(backend.account_id) for member in global_cluster.members)


class BlueGreenResponses:
    """Mixed into the sandbox's RDSResponse: deployments whose Source is a global cluster's ARN are the sandbox's; any
    other source (a standalone cluster or instance) is moto's."""

    def create_blue_green_deployment(self) -> ActionResult:
        source = self.params["Source"]
        if _is_global_member_arn(self.backend, source):
            raise RDSClientError("SourceClusterNotSupportedFault", f"{source} is a member of a global database: give the global cluster's ARN as Source.")
        if ":global-cluster:" not in source:
            return super().create_blue_green_deployment()
        deployment = create(SANDBOX, self.backend, self.params)
        return ActionResult({"BlueGreenDeployment": deployment.as_api()})

    def describe_blue_green_deployments(self) -> ActionResult:
        identifier = self.params.get("BlueGreenDeploymentIdentifier")
        filters = list(self.params.get("Filters") or [])
        if identifier:
            if find(self.backend, identifier) is None:
                return super().describe_blue_green_deployments()
            filters.append({"Name": "blue-green-deployment-identifier", "Values": [identifier]})
        deployments = describe(SANDBOX, self.backend, filters)
        return self._paged("BlueGreenDeployments", [deployment.as_api() for deployment in deployments])

    def switchover_blue_green_deployment(self) -> ActionResult:
        deployment = find(self.backend, self.params["BlueGreenDeploymentIdentifier"])
        if deployment is None:
            return super().switchover_blue_green_deployment()
        switchover(SANDBOX, deployment, self.params.get("SwitchoverTimeout"))
        return ActionResult({"BlueGreenDeployment": deployment.as_api()})

    def delete_blue_green_deployment(self) -> ActionResult:
        deployment = find(self.backend, self.params["BlueGreenDeploymentIdentifier"])
        if deployment is None:
            return super().delete_blue_green_deployment()
        return ActionResult({"BlueGreenDeployment": delete(self.backend, deployment, bool(self.params.get("DeleteTarget")))})
