# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The resource an RDS request acts on, for moto's IAM enforcement (on when the server runs with INITIAL_NO_AUTH_ACTION_COUNT).

moto checks every RDS action against the resource "*" only, so a policy that grants an action on resource ARNs
(as least privilege wants) would be refused. AWS checks the action against the ARN of the resource it names; the
resource type of each action is the one the Service Authorization Reference ("Actions, resources, and condition
keys for Amazon RDS") marks as required: global-cluster, cluster, cluster-pg, pg, db, cluster-snapshot, or none
(DescribeDBEngineVersions, DescribeEvents: "*"). moto checks one resource per request; where AWS checks several
(ModifyDBCluster with a parameter group), the sandbox checks the required one. Conditions other than StringEquals
are not evaluated by moto.
"""

from __future__ import annotations

from urllib.parse import urlparse

from moto import settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.iam.access_control import IAMRequest

from .kms_authorization import check_kms, customer_managed_key_arn
from .tag_authorization import check_tag_keys

# Action -> (request parameter naming the resource, resource type, regional).
RESOURCE_OF_ACTION = {
    "DescribeGlobalClusters": ("GlobalClusterIdentifier", "global-cluster", False),
    "ModifyGlobalCluster": ("GlobalClusterIdentifier", "global-cluster", False),
    "DescribeDBClusters": ("DBClusterIdentifier", "cluster", True),
    "ModifyDBCluster": ("DBClusterIdentifier", "cluster", True),
    "CreateDBClusterSnapshot": ("DBClusterIdentifier", "cluster", True),
    "DescribeDBClusterParameters": ("DBClusterParameterGroupName", "cluster-pg", True),
    "DescribeDBClusterParameterGroups": ("DBClusterParameterGroupName", "cluster-pg", True),
    "DescribeDBParameterGroups": ("DBParameterGroupName", "pg", True),
    "DescribeDBInstances": ("DBInstanceIdentifier", "db", True),
    "ModifyDBInstance": ("DBInstanceIdentifier", "db", True),
    "RebootDBInstance": ("DBInstanceIdentifier", "db", True),
    "DescribeDBClusterSnapshots": ("DBClusterSnapshotIdentifier", "cluster-snapshot", True),
    "RestoreDBClusterFromSnapshot": ("DBClusterIdentifier", "cluster", True),
    "CreateDBCluster": ("DBClusterIdentifier", "cluster", True),
    "CreateDBInstance": ("DBInstanceIdentifier", "db", True),
    "CreateGlobalCluster": ("GlobalClusterIdentifier", "global-cluster", False),
    # Named by the member's ARN; AWS also checks the global-cluster, the sandbox the required cluster only.
    "RemoveFromGlobalCluster": ("DbClusterIdentifier", "cluster", True),
    # A Blue/Green deployment of a global database is created from the global cluster's ARN (Source).
    "CreateBlueGreenDeployment": ("Source", "cluster", True),
    "DescribeBlueGreenDeployments": ("BlueGreenDeploymentIdentifier", "deployment", True),
    "SwitchoverBlueGreenDeployment": ("BlueGreenDeploymentIdentifier", "deployment", True),
    "DeleteBlueGreenDeployment": ("BlueGreenDeploymentIdentifier", "deployment", True),
}
# Tag actions name their resource by ARN.
ARN_PARAMETER_OF_ACTION = {"AddTagsToResource": "ResourceName", "RemoveTagsFromResource": "ResourceName", "ListTagsForResource": "ResourceName"}


def resource_arn(action: str, params: dict, region: str, account_id: str) -> str:
    """The ARN IAM checks ``action`` against: "*" for actions without resource-level permissions; every resource of the
    type in the region (``...:db:*``) for a describe that names none (a list, or a filter)."""
    if action in ARN_PARAMETER_OF_ACTION:
        return params.get(ARN_PARAMETER_OF_ACTION[action]) or "*"
    if action not in RESOURCE_OF_ACTION:
        return "*"
    parameter, resource_type, regional = RESOURCE_OF_ACTION[action]
    name = params.get(parameter) or "*"
    if name.startswith("arn:"):
        return name
    return f"arn:aws:rds:{region if regional else ''}:{account_id}:{resource_type}:{name.lower()}"


class ResourceAuthorization:
    """Mixed into the sandbox's RDSResponse: moto calls _determine_resource before it checks the caller's policies."""

    def _determine_resource(self) -> str:
        return resource_arn(self._get_action(), self._named_params(), self.region, self.current_account)

    def _named_params(self) -> dict:
        return {name: values[0] for name, values in self.querystring.items() if values}

    def _authenticate_and_authorize_normal_action(self, resource: str = "*") -> None:
        """moto's check, then the tag keys of the request (tag_authorization.py), once moto enforces IAM."""
        enforced = ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT
        super()._authenticate_and_authorize_normal_action(resource)
        if enforced:
            check_tag_keys(self._iam_request(), self._get_action(), self.querystring, resource, self.region, self.current_account)
            key = customer_managed_key_arn(self._kms_key_id(), self.region, self.current_account)
            check_kms(self._iam_request(), self._get_action(), key, self.region)

    def _kms_key_id(self) -> str | None:
        """The KMS key a create encrypts with: the one it names, else its snapshot's (a restore) or its cluster's (an instance)."""
        params = self._named_params()
        if params.get("KmsKeyId"):
            return params["KmsKeyId"]
        backend = self.backend  # type: ignore[attr-defined]
        action = self._get_action()
        if action == "RestoreDBClusterFromSnapshot" and params.get("SnapshotIdentifier"):
            snapshots = backend.describe_db_cluster_snapshots(None, params["SnapshotIdentifier"])
            return snapshots[0].cluster.kms_key_id if snapshots else None
        if action == "CreateDBInstance" and params.get("DBClusterIdentifier"):
            cluster = backend.clusters.get(params["DBClusterIdentifier"].lower())
            return cluster.kms_key_id if cluster is not None else None
        return None

    def _iam_request(self) -> IAMRequest:
        """The caller's request as moto's IAM check sees it (moto.core.authorization builds it the same way)."""
        query = urlparse(self.uri).query
        path = self.raw_path + ("?" + query if query else "")
        return IAMRequest(account_id=self.current_account, method=self.method, path=path, data=self.data, body=self.raw_body,
                          headers=self.headers, action=self._get_action())
