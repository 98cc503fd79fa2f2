# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Stand-ins for botocore and time shared by the unit tests."""

from botocore.exceptions import ClientError


def client_error(code, message, operation):
    """A ClientError as botocore raises it for an AWS error answer."""
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


class Pages:
    """A botocore paginator that returns one canned full result."""

    def __init__(self, answer):
        self._answer = answer

    def paginate(self, **params):
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


def db_cluster(identifier, parameter_group, engine_version="14.6"):
    """A DBClusters entry of DescribeDBClusters: an available Aurora PostgreSQL cluster with one DB instance."""
    return {
        "DBClusterIdentifier": identifier,
        "EngineVersion": engine_version,
        "Status": "available",
        "DBClusterParameterGroup": parameter_group,
        "DBClusterMembers": [{"DBInstanceIdentifier": identifier + "-1"}],
    }
