# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one fake AWS world of the unit tests, and stand-ins for botocore and time.

FakeWorld is an account whose RDS answers in every region as botocore does, from what a test puts in it; a test
that needs resources changing over time subclasses it (test_upgrade's upgrades on a virtual clock). Integration
tests use the moto sandbox instead (tests/sandbox).
"""

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"


def client_error(code, message, operation):
    """A ClientError as botocore raises it for an AWS error answer."""
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


class Pages:
    """A botocore paginator that returns one canned full result; ``params`` gets the parameters it was called with."""

    def __init__(self, answer, params=None):
        self._answer = answer
        self._params = {} if params is None else params

    def paginate(self, **params):
        self._params.update(params)
        return self

    def build_full_result(self):
        return self._answer


class VirtualClock:
    """time.monotonic and time.sleep for tests: sleeping moves the clock, and every sleep is recorded."""

    def __init__(self, now=0.0):
        self.now = now
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds > 0, "slept %r seconds" % seconds
        self.sleeps.append(seconds)
        self.now += seconds


def cluster_arn(identifier, region):
    return "arn:aws:rds:%s:%s:cluster:%s" % (region, ACCOUNT, identifier)


def db_cluster(identifier, parameter_group, engine_version="14.6", region=None):
    """A DBClusters entry of DescribeDBClusters: an available Aurora PostgreSQL cluster with one DB instance."""
    cluster = {
        "DBClusterIdentifier": identifier,
        "EngineVersion": engine_version,
        "Status": "available",
        "DBClusterParameterGroup": parameter_group,
        "DBClusterMembers": [{"DBInstanceIdentifier": identifier + "-1"}],
    }
    if region:
        cluster["DBClusterArn"] = cluster_arn(identifier, region)
    return cluster


def global_cluster(identifier, members, writer, engine="aurora-postgresql", engine_version="14.6", **extra):
    """A GlobalClusters entry of DescribeGlobalClusters; ``members`` maps each member's identifier to its region."""
    description = {
        "GlobalClusterIdentifier": identifier,
        "GlobalClusterArn": "arn:aws:rds::%s:global-cluster:%s" % (ACCOUNT, identifier),
        "Engine": engine,
        "EngineVersion": engine_version,
        "Status": "available",
        "GlobalClusterMembers": [
            {"DBClusterArn": cluster_arn(member, region), "IsWriter": member == writer, "SynchronizationStatus": "connected"}
            for member, region in members.items()
        ],
    }
    description.update(extra)
    return description


def _region_of(description, arn_key):
    return parse_aws_arn(description[arn_key])["region"] if description.get(arn_key) else None


class FakeWorld:
    """One AWS account: its global clusters, DB clusters, snapshots, tags, engine versions and RDS events.

    Every call is recorded in ``calls`` as (operation, region, params); ``refusals`` maps (operation, identifier)
    to the ClientError every such call raises. A DB cluster with an ARN must be asked for in its own region. The
    methods below the client's (``global_cluster``, ``cluster``, ``modify_db_cluster``, ``add_tags_to_resource``, ...)
    are what a subclass overrides to make the world change.
    """

    home_region = "us-east-1"

    def __init__(self):
        self.calls = []
        self.refusals = {}
        self.global_clusters = {}
        self.clusters = {}
        self.snapshots = {}
        self.tags = {}
        self.engine_versions = {"*": []}
        self.rpo_parameters = {}
        self.events = {}

    def rds(self, region):
        return FakeRds(self, region)

    def calls_of(self, operation):
        return [call for call in self.calls if call[0] == operation]

    def global_cluster(self, identifier):
        return next((found for name, found in self.global_clusters.items() if name.lower() == identifier.lower()), None)

    def cluster(self, identifier):
        return self.clusters.get(identifier)

    def snapshot(self, identifier):
        return self.snapshots.get(identifier.lower())

    def create_db_cluster_snapshot(self, region, params):
        raise AssertionError("unexpected CreateDBClusterSnapshot in %s" % region)

    def restore_db_cluster_from_snapshot(self, region, params):
        raise AssertionError("unexpected RestoreDBClusterFromSnapshot in %s" % region)

    def modify_db_cluster(self, region, params):
        raise AssertionError("unexpected ModifyDBCluster in %s" % region)

    def modify_global_cluster(self, region, params):
        raise AssertionError("unexpected ModifyGlobalCluster in %s" % region)

    def add_tags_to_resource(self, region, params, aws_retry):
        """AddTagsToResource; ``aws_retry``: whether the caller let the SDK retry it (a subclass may refuse or delay it)."""
        self.tags.setdefault(params["ResourceName"], {}).update({tag["Key"]: tag["Value"] for tag in params["Tags"]})


class FakeRds:
    """One region's RDS client of a FakeWorld."""

    def __init__(self, world, region):
        self._world = world
        self._region = region

    def _call(self, operation, identifier, params):
        self._world.calls.append((operation, self._region, params))
        refusal = self._world.refusals.get((operation, identifier))
        if refusal:
            raise refusal

    def describe_global_clusters(self, GlobalClusterIdentifier, aws_retry=False):
        self._call("describe_global_clusters", GlobalClusterIdentifier, {"GlobalClusterIdentifier": GlobalClusterIdentifier})
        found = self._world.global_cluster(GlobalClusterIdentifier)
        if found is None:
            raise client_error("GlobalClusterNotFoundFault", "Global cluster %s not found" % GlobalClusterIdentifier, "DescribeGlobalClusters")
        return {"GlobalClusters": [found]}

    def describe_db_clusters(self, DBClusterIdentifier, aws_retry=False):
        self._call("describe_db_clusters", DBClusterIdentifier, {"DBClusterIdentifier": DBClusterIdentifier})
        found = self._world.cluster(DBClusterIdentifier)
        if found is None:
            raise client_error("DBClusterNotFoundFault", "DBCluster %s not found" % DBClusterIdentifier, "DescribeDBClusters")
        assert _region_of(found, "DBClusterArn") in (None, self._region), "a DB cluster is read in its own region"
        return {"DBClusters": [found]}

    def describe_db_cluster_snapshots(self, DBClusterSnapshotIdentifier, aws_retry=False):
        self._call("describe_db_cluster_snapshots", DBClusterSnapshotIdentifier, {"DBClusterSnapshotIdentifier": DBClusterSnapshotIdentifier})
        found = self._world.snapshot(DBClusterSnapshotIdentifier)
        if found is None:
            raise client_error("DBClusterSnapshotNotFoundFault", "not found", "DescribeDBClusterSnapshots")
        return {"DBClusterSnapshots": [found]}

    def get_paginator(self, operation):
        params = {}
        self._call(operation, None, params)
        if operation == "describe_db_cluster_parameters":
            return Pages({"Parameters": self._world.rpo_parameters.get(self._region, [])}, params)
        if operation == "describe_db_engine_versions":
            return Pages({"DBEngineVersions": self._world.engine_versions.get(self._region, self._world.engine_versions["*"])}, params)
        if operation == "describe_events":
            return _EventPages(self._world, self._region)
        if operation == "describe_global_clusters":
            return Pages({"GlobalClusters": list(self._world.global_clusters.values())}, params)
        raise AssertionError("unexpected paginated call %s" % operation)

    def create_db_cluster_snapshot(self, aws_retry=False, **params):
        self._call("create_db_cluster_snapshot", params["DBClusterSnapshotIdentifier"], params)
        return {"DBClusterSnapshot": self._world.create_db_cluster_snapshot(self._region, params)}

    def restore_db_cluster_from_snapshot(self, aws_retry=False, **params):
        self._call("restore_db_cluster_from_snapshot", params["DBClusterIdentifier"], params)
        return {"DBCluster": self._world.restore_db_cluster_from_snapshot(self._region, params)}

    def modify_db_cluster(self, aws_retry=False, **params):
        self._call("modify_db_cluster", params["DBClusterIdentifier"], params)
        return self._world.modify_db_cluster(self._region, params)

    def modify_global_cluster(self, aws_retry=False, **params):
        self._call("modify_global_cluster", params["GlobalClusterIdentifier"], params)
        return self._world.modify_global_cluster(self._region, params)

    def list_tags_for_resource(self, ResourceName, aws_retry=False):
        self._call("list_tags_for_resource", ResourceName, {"ResourceName": ResourceName})
        return {"TagList": [{"Key": key, "Value": value} for key, value in self._world.tags.get(ResourceName, {}).items()]}

    def add_tags_to_resource(self, ResourceName, Tags, aws_retry=False):
        params = {"ResourceName": ResourceName, "Tags": Tags}
        self._call("add_tags_to_resource", ResourceName, params)
        self._world.add_tags_to_resource(self._region, params, aws_retry)

    def remove_tags_from_resource(self, ResourceName, TagKeys, aws_retry=False):
        self._call("remove_tags_from_resource", ResourceName, {"ResourceName": ResourceName, "TagKeys": TagKeys})
        for key in TagKeys:
            self._world.tags.get(ResourceName, {}).pop(key, None)


class _EventPages(Pages):
    """DescribeEvents of one region: the events of the DB cluster asked for, which must live in that region."""

    def __init__(self, world, region):
        super().__init__(None)
        self._world = world
        self._region = region

    def paginate(self, SourceType, SourceIdentifier, Duration):
        cluster = self._world.cluster(SourceIdentifier) or {}
        assert SourceType == "db-cluster" and _region_of(cluster, "DBClusterArn") in (None, self._region)
        self._answer = {"Events": self._world.events.get(SourceIdentifier, [])}
        return self
