# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The kinds of resource the collection reads and changes, and how AWS names and reads each one (KINDS).

The calls that use this table are in rds.py. The table is kept apart from them, and from the SDK, because plugins
that run on the controller need the names too: the progress lines of the action plugins (plugin_utils/progress.py)
and the report filter, through statuses.py and outcomes.py. Importing rds.py would load boto3 in every
ansible-playbook that runs one of them, about 0.1 s of CPU for nothing.
"""

from collections import namedtuple

# The resource kinds, named so across the collection (the snapshot restore returns them as ``resources[].kind``).
GLOBAL_CLUSTER = "global_cluster"
DB_CLUSTER = "db_cluster"
DB_INSTANCE = "db_instance"
DB_CLUSTER_SNAPSHOT = "db_cluster_snapshot"
CLUSTER_PARAMETER_GROUP = "db_cluster_parameter_group"
DB_PARAMETER_GROUP = "db_parameter_group"
BLUE_GREEN_DEPLOYMENT = "blue_green_deployment"

Kind = namedtuple("Kind", ["words", "describe", "id_parameter", "result_key", "not_found", "create", "created_key", "already_exists"])
Kind.__doc__ = """How AWS names and reads one kind of resource; create is None for the kinds the collection never creates."""

# AWS answers either code for a missing parameter group of either kind (botocore's model lists DBParameterGroupNotFound for both).
_GROUP_NOT_FOUND = ("DBParameterGroupNotFound", "DBClusterParameterGroupNotFound")
KINDS = {
    GLOBAL_CLUSTER: Kind("global cluster", "describe_global_clusters", "GlobalClusterIdentifier", "GlobalClusters",
                         ("GlobalClusterNotFoundFault",), "create_global_cluster", "GlobalCluster", ("GlobalClusterAlreadyExistsFault",)),
    DB_CLUSTER: Kind("DB cluster", "describe_db_clusters", "DBClusterIdentifier", "DBClusters",
                     ("DBClusterNotFoundFault",), "create_db_cluster", "DBCluster", ("DBClusterAlreadyExistsFault",)),
    DB_INSTANCE: Kind("DB instance", "describe_db_instances", "DBInstanceIdentifier", "DBInstances",
                      ("DBInstanceNotFound",), "create_db_instance", "DBInstance", ("DBInstanceAlreadyExists",)),
    DB_CLUSTER_SNAPSHOT: Kind("DB cluster snapshot", "describe_db_cluster_snapshots", "DBClusterSnapshotIdentifier", "DBClusterSnapshots",
                              ("DBClusterSnapshotNotFoundFault",), "create_db_cluster_snapshot", "DBClusterSnapshot", ("DBClusterSnapshotAlreadyExistsFault",)),
    CLUSTER_PARAMETER_GROUP: Kind("DB cluster parameter group", "describe_db_cluster_parameter_groups", "DBClusterParameterGroupName",
                                  "DBClusterParameterGroups", _GROUP_NOT_FOUND, None, None, ()),
    DB_PARAMETER_GROUP: Kind("DB parameter group", "describe_db_parameter_groups", "DBParameterGroupName", "DBParameterGroups",
                             _GROUP_NOT_FOUND, None, None, ()),
    # Created by its own call (blue_green.py): CreateBlueGreenDeployment takes a name, AWS gives the identifier.
    BLUE_GREEN_DEPLOYMENT: Kind("blue/green deployment", "describe_blue_green_deployments", "BlueGreenDeploymentIdentifier",
                                "BlueGreenDeployments", ("BlueGreenDeploymentNotFoundFault",), None, None, ()),
}
# The create call of a DB cluster made from a snapshot (same answer key as CreateDBCluster).
RESTORE_FROM_SNAPSHOT = "restore_db_cluster_from_snapshot"


def kind_words(kind):
    """The kind as AWS's documentation writes it: "DB cluster", "global cluster", ..."""
    return KINDS[kind].words
