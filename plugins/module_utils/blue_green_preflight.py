# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Can an RDS Blue/Green deployment of this global database be created? What the ``blue_green_prerequisite`` checks read.

The facts reader (facts.py) keeps a MemberReading of each member it reads: the cluster parameter the checks need, read
in the same DescribeDBClusterParameters call as rds.global_db_rpo, and whether the master password is managed in
Secrets Manager, from the DescribeDBClusters answer it already has. So the plan's checks cost no read of their own but
those of the target parameter groups a run names (prerequisite_readings). The checks are pure functions
(_blue_green_checks.py); the blocker registry (restrictions.py) runs them for the method blue_green.
"""

from collections import namedtuple

from ansible_collections.aurora.global_db.plugins.module_utils._blue_green_checks import BLOCKER_CODE
from ansible_collections.aurora.global_db.plugins.module_utils._blue_green_checks import REQUIRED_PARAMETERS
from ansible_collections.aurora.global_db.plugins.module_utils._blue_green_checks import BlueGreenReadings
from ansible_collections.aurora.global_db.plugins.module_utils._blue_green_checks import blue_green_blockers
from ansible_collections.aurora.global_db.plugins.module_utils._fanout import fan_out
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import CLUSTER_PARAMETER_GROUP
from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_PARAMETER_GROUP
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_db_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.rds import parameter_group_family
from ansible_collections.aurora.global_db.plugins.module_utils.rds import user_cluster_parameters

__all__ = ("BLOCKER_CODE", "CLUSTER_PARAMETER_GROUP", "DB_PARAMETER_GROUP", "blue_green_blockers", "member_reading", "parameters_read_with",
           "prerequisite_readings")

MemberReading = namedtuple("MemberReading", ["parameters", "secret_managed"])
MemberReading.__doc__ = """What the checks need of one member: {parameter: value} set in its cluster parameter group, whether
AWS Secrets Manager manages its master password."""


def parameters_read_with(engine):
    """The cluster parameters the Blue/Green checks need for ``engine`` (the facts reader reads them with its own)."""
    name = REQUIRED_PARAMETERS.get(engine)
    return (name,) if name else ()


def member_reading(engine, cluster, parameters):
    """The MemberReading of a member from its DescribeDBClusters answer and the user parameters read of its group."""
    return MemberReading({name: parameters[name] for name in parameters_read_with(engine) if name in parameters}, bool(cluster.get("MasterUserSecret")))


def _read_member(clients, engine, member):
    cluster = describe_db_cluster(clients, member["region"], member["db_cluster_identifier"])
    return member_reading(engine, cluster, user_cluster_parameters(
        clients, member["region"], cluster.get("DBClusterParameterGroup"), parameters_read_with(engine)))


def prerequisite_readings(clients, facts, member_readings, target_groups=None):
    """The BlueGreenReadings of the global database ``facts`` describes (aurora_global facts).

    ``member_readings``: DB cluster ARN -> MemberReading, kept by the reader of ``facts``; a member without one is read here.
    ``target_groups``: {CLUSTER_PARAMETER_GROUP or DB_PARAMETER_GROUP: {region: name}}, the target parameter groups the
    run would give CreateBlueGreenDeployment (None or empty: none), each looked for in its region. Raises
    AuroraGlobalError when a read fails.
    """
    unread = [m for m in facts["members"] if m["db_cluster_arn"] not in member_readings]
    readings = dict(member_readings)
    readings.update(zip([m["db_cluster_arn"] for m in unread], fan_out(lambda member: _read_member(clients, facts["engine"], member), unread)))
    by_member = {m["db_cluster_identifier"]: readings[m["db_cluster_arn"]] for m in facts["members"]}
    wanted = [(kind, region, name) for kind, by_region in sorted((target_groups or {}).items()) for region, name in sorted(by_region.items())]
    found = fan_out(lambda item: parameter_group_family(clients, item[1], item[0], item[2]) is not None, wanted)
    return BlueGreenReadings(
        {identifier: reading.parameters for identifier, reading in by_member.items()},
        [identifier for identifier, reading in by_member.items() if reading.secret_managed],
        target_groups or {},
        [item for item, exists in zip(wanted, found) if not exists],
    )
