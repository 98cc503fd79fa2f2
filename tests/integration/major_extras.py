# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the tests of the major-upgrade extras set up in the sandbox through the RDS API, as an operator would:
parameter groups of the target's family in every region, and a second (reader) instance per member."""

from __future__ import annotations

PG_REGIONS = {"pg-primary-use1": "us-east-1", "pg-secondary-euw1": "eu-west-1", "pg-secondary-apse2": "ap-southeast-2"}
CLUSTER_GROUP = "pg15-cluster-params"
INSTANCE_GROUP = "pg15-instance-params"


def create_groups(sandbox, regions, family="aurora-postgresql15", cluster_group=CLUSTER_GROUP, instance_group=INSTANCE_GROUP):
    """A DB cluster parameter group and a DB parameter group of `family` in each region."""
    for region in regions:
        client = sandbox.aws_client("rds", region)
        client.create_db_cluster_parameter_group(DBClusterParameterGroupName=cluster_group, DBParameterGroupFamily=family, Description="custom")
        client.create_db_parameter_group(DBParameterGroupName=instance_group, DBParameterGroupFamily=family, Description="custom")


def add_reader(sandbox, cluster_identifier, region, engine="aurora-postgresql"):
    """A second DB instance in the member (the seeded one, -1, stays the writer); returns its identifier."""
    identifier = cluster_identifier + "-2"
    sandbox.aws_client("rds", region).create_db_instance(DBInstanceIdentifier=identifier, DBClusterIdentifier=cluster_identifier, Engine=engine,
                                                         DBInstanceClass="db.r6g.large")
    return identifier


def every_region(value, regions=PG_REGIONS.values()):
    return {region: value for region in regions}


def groups_in_sandbox(sandbox):
    """Member -> (its cluster group, {instance: (group, apply status)}), read through the RDS API."""
    found = {}
    for cluster_identifier, region in PG_REGIONS.items():
        client = sandbox.aws_client("rds", region)
        cluster = client.describe_db_clusters(DBClusterIdentifier=cluster_identifier)["DBClusters"][0]
        instances = client.describe_db_instances(Filters=[{"Name": "db-cluster-id", "Values": [cluster_identifier]}])["DBInstances"]
        found[cluster_identifier] = (cluster["DBClusterParameterGroup"], {
            i["DBInstanceIdentifier"]: (i["DBParameterGroups"][0]["DBParameterGroupName"], i["DBParameterGroups"][0]["ParameterApplyStatus"])
            for i in instances
        })
    return found
