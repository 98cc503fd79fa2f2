# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The baseline of the fan-out benchmark: a plain boto3 script making the facts module's reads one after another.

usage: serial_reads.py ENDPOINT_URL GLOBAL_CLUSTER_IDENTIFIER

DescribeGlobalClusters, then for each member DescribeDBClusters and
DescribeDBClusterParameters (rds.global_db_rpo) in its region, then
DescribeDBEngineVersions of the current version in each member's region: the
reads aurora_global_facts makes, as a person would script them.
"""

import sys

from sandbox.client import SandboxClient


def main(endpoint_url, identifier):
    clients = {}

    def rds(region):
        if region not in clients:
            clients[region] = SandboxClient(endpoint_url).aws_client("rds", region)
        return clients[region]

    global_cluster = rds("us-east-1").describe_global_clusters(GlobalClusterIdentifier=identifier)["GlobalClusters"][0]
    regions = []
    for member in global_cluster["GlobalClusterMembers"]:
        region, cluster_identifier = member["DBClusterArn"].split(":")[3], member["DBClusterArn"].split(":")[-1]
        regions.append(region)
        cluster = rds(region).describe_db_clusters(DBClusterIdentifier=cluster_identifier)["DBClusters"][0]
        rds(region).describe_db_cluster_parameters(
            DBClusterParameterGroupName=cluster["DBClusterParameterGroup"], Source="user",
            Filters=[{"Name": "parameter-name", "Values": ["rds.global_db_rpo"]}],
        )
    for region in sorted(set(regions)):
        rds(region).describe_db_engine_versions(Engine=global_cluster["Engine"], EngineVersion=global_cluster["EngineVersion"])


if __name__ == "__main__":
    main(*sys.argv[1:3])
