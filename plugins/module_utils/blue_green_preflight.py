# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Can an RDS Blue/Green deployment of this global database be created? The blockers of the method ``blue_green``.

blue_green_prerequisite_blockers() reads what the checks need (each member's cluster parameter group setting, its
MasterUserSecret, the target parameter groups in every region), each read in the member's own region, all at once,
and returns the blockers of upgrade_plan.methods.blue_green (code ``blue_green_prerequisite``). The checks are
pure functions (_blue_green_checks.py); blue_green_blockers() runs them on readings taken elsewhere.
"""

from ansible_collections.aurora.global_db.plugins.module_utils._blue_green_checks import BLOCKER_CODE
from ansible_collections.aurora.global_db.plugins.module_utils._blue_green_checks import REQUIRED_PARAMETERS
from ansible_collections.aurora.global_db.plugins.module_utils._blue_green_checks import blue_green_blockers
from ansible_collections.aurora.global_db.plugins.module_utils._fanout import fan_out
from ansible_collections.aurora.global_db.plugins.module_utils.rds import CLUSTER_PARAMETER_GROUP
from ansible_collections.aurora.global_db.plugins.module_utils.rds import DB_PARAMETER_GROUP
from ansible_collections.aurora.global_db.plugins.module_utils.rds import aws_step
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_db_cluster
from ansible_collections.aurora.global_db.plugins.module_utils.rds import parameter_group_family

__all__ = ("BLOCKER_CODE", "CLUSTER_PARAMETER_GROUP", "DB_PARAMETER_GROUP", "blue_green_blockers", "blue_green_prerequisite_blockers")

# AWS's default groups cannot be modified: a member on one has every parameter at the engine's default.
_DEFAULT_GROUP_PREFIX = "default."


def _parameter_setting(clients, member, name):
    """{name: value} when the member's cluster parameter group sets ``name`` (Source user), else {}."""
    group = member.get("db_cluster_parameter_group")
    if not group or group.startswith(_DEFAULT_GROUP_PREFIX):
        return {}
    region = member["region"]
    with aws_step(region, "Reading %s from DB cluster parameter group %s in %s" % (name, group, region)):
        parameters = clients.rds(region).describe_db_cluster_parameters(
            DBClusterParameterGroupName=group, Source="user", Filters=[{"Name": "parameter-name", "Values": [name]}], aws_retry=True,
        ).get("Parameters", [])
    return {p["ParameterName"]: p.get("ParameterValue") for p in parameters if p.get("ParameterName") == name}


def _member_readings(clients, engine, member):
    identifier = member["db_cluster_identifier"]
    cluster = describe_db_cluster(clients, member["region"], identifier)
    name = REQUIRED_PARAMETERS.get(engine)
    return identifier, (_parameter_setting(clients, member, name) if name else {}), bool(cluster.get("MasterUserSecret"))


def blue_green_prerequisite_blockers(clients, facts, target_groups=None):
    """The blue_green_prerequisite blockers of the global database ``facts`` describes (aurora_global facts).

    ``target_groups``: {CLUSTER_PARAMETER_GROUP or DB_PARAMETER_GROUP: {region: name}}, the target parameter groups
    the run would give CreateBlueGreenDeployment (None or empty: none). Raises AuroraGlobalError when a read fails.
    """
    readings = fan_out(lambda member: _member_readings(clients, facts["engine"], member), facts["members"])
    wanted = [(kind, region, name) for kind, by_region in sorted((target_groups or {}).items()) for region, name in sorted(by_region.items())]
    found = fan_out(lambda item: parameter_group_family(clients, item[1], item[0], item[2]) is not None, wanted)
    return blue_green_blockers(
        facts,
        {identifier: parameters for identifier, parameters, _secret in readings},
        [identifier for identifier, _parameters, secret in readings if secret],
        target_groups,
        [item for item, exists in zip(wanted, found) if not exists],
    )
