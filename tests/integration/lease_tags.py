# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The lease tags of a global cluster in the sandbox, read and written with boto3 as another run (or an operator) would."""

from __future__ import annotations

import datetime

PREFIX = "aurora-global-db:lease-"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def _arn(rds, global_cluster_identifier):
    return rds.describe_global_clusters(GlobalClusterIdentifier=global_cluster_identifier)["GlobalClusters"][0]["GlobalClusterArn"]


def lease_tags(sandbox, global_cluster_identifier):
    """The lease tags of the global cluster, without their prefix: {owner, token, started, expires}, or {} when no lease is held."""
    rds = sandbox.aws_client()
    tags = rds.list_tags_for_resource(ResourceName=_arn(rds, global_cluster_identifier))["TagList"]
    return {tag["Key"][len(PREFIX):]: tag["Value"] for tag in tags if tag["Key"].startswith(PREFIX)}


def hold_lease(sandbox, global_cluster_identifier, owner, token, expires_in_seconds, run=None):
    """Write a lease as another run would have written it; a negative expires_in_seconds writes an expired one; ``run``
    is the holding ansible-playbook run as the lease records it (host/pid/start/boot)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    values = {"owner": owner, "token": token, "started": now - datetime.timedelta(hours=3),
              "expires": now + datetime.timedelta(seconds=expires_in_seconds)}
    if run is not None:
        values["run"] = run
    rds = sandbox.aws_client()
    rds.add_tags_to_resource(ResourceName=_arn(rds, global_cluster_identifier), Tags=[
        {"Key": PREFIX + name, "Value": value.strftime(TIME_FORMAT) if isinstance(value, datetime.datetime) else value}
        for name, value in values.items()
    ])
