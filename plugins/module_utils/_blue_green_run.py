# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The blue_green method's pure decisions: the deployment's name, which steps remain from a deployment's status, what
a verified green environment is, and the texts. Private to blue_green.py (the facade)."""

import re

from ansible_collections.aurora.global_db.plugins.module_utils.kinds import DB_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import DEPLOYMENT_AVAILABLE
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import DEPLOYMENT_INVALID_CONFIGURATION
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import DEPLOYMENT_PROVISIONING
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import DEPLOYMENT_SWITCHOVER_COMPLETED
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import DEPLOYMENT_SWITCHOVER_FAILED
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import DEPLOYMENT_SWITCHOVER_IN_PROGRESS
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_ready
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_synchronized

METHOD = "blue_green"
# The steps of a run, in order.
CREATE = "create"
WAIT_AVAILABLE = "wait_available"
VERIFY_GREEN = "verify_green"
SWITCHOVER = "switchover"
WAIT_SWITCHOVER = "wait_switchover"
VERIFY_PRODUCTION = "verify_production"
DELETE_DEPLOYMENT = "delete_deployment"
STEPS = (CREATE, WAIT_AVAILABLE, VERIFY_GREEN, SWITCHOVER, WAIT_SWITCHOVER, VERIFY_PRODUCTION, DELETE_DEPLOYMENT)
# Where a run picks up from the status of the deployment it finds (None: none found).
_FIRST_STEP = {None: CREATE, DEPLOYMENT_PROVISIONING: WAIT_AVAILABLE, DEPLOYMENT_AVAILABLE: VERIFY_GREEN,
               DEPLOYMENT_SWITCHOVER_IN_PROGRESS: WAIT_SWITCHOVER, DEPLOYMENT_SWITCHOVER_COMPLETED: VERIFY_PRODUCTION}
# botocore BlueGreenDeploymentName: 1 to 60 characters, letters, digits and single hyphens, starting with a letter.
NAME_RULE = re.compile(r"[a-zA-Z](?:-?[a-zA-Z0-9]+)*\Z")
NAME_MAX_LENGTH = 60
# AWS renames the blue resources <name>-old1 at the switchover.
OLD_SUFFIX = "-old1"
SWITCHOVER_TIMEOUT_RANGE = (30, 3600)


class DeploymentStopped(Exception):
    """Raised by remaining_steps for a deployment no run can continue; the message says what to do."""


def default_deployment_name(global_cluster_identifier, target):
    """<global cluster>-to-<target with hyphens>, cut to AWS's 60 characters without a trailing or doubled hyphen."""
    name = re.sub(r"-+", "-", re.sub(r"[^a-zA-Z0-9]", "-", "%s-to-%s" % (global_cluster_identifier, target)))
    return name[:NAME_MAX_LENGTH].rstrip("-")


def name_problem(name):
    """Why AWS would refuse ``name`` as a BlueGreenDeploymentName, or None."""
    if len(name) > NAME_MAX_LENGTH or not NAME_RULE.match(name):
        return ("blue_green_deployment_name %r: AWS wants 1 to %d letters, digits and single hyphens, starting with a letter "
                "(no hyphen at the end)." % (name, NAME_MAX_LENGTH))
    return None


def switchover_timeout_problem(seconds):
    """Why AWS would refuse ``seconds`` as a SwitchoverTimeout, or None."""
    low, high = SWITCHOVER_TIMEOUT_RANGE
    return None if low <= seconds <= high else "switchover_timeout must be %d to %d seconds (AWS's range), not %d" % (low, high, seconds)


def remaining_steps(status, switchover):
    """The steps left for a deployment in ``status`` (None: no deployment yet); without ``switchover`` the run stops once
    the green environment is verified, and a deployment found switching over or switched over is still finished."""
    if status == DEPLOYMENT_INVALID_CONFIGURATION:
        raise DeploymentStopped(
            "is INVALID_CONFIGURATION (a global switchover or failover, or a change of the blue topology, after it was created): "
            "delete it (aws rds delete-blue-green-deployment --blue-green-deployment-identifier ID, without --delete-target "
            "it keeps the green resources for you to delete) and run again to create a new one.")
    if status == DEPLOYMENT_SWITCHOVER_FAILED:
        raise DeploymentStopped(
            "is SWITCHOVER_FAILED: the switchover did not finish within its timeout and AWS rolled it back; the blue database is "
            "still production and nothing was renamed. Find the cause (replica lag, long transactions), then switch over again "
            "(aws rds switchover-blue-green-deployment) or delete the deployment and run again.")
    if status not in _FIRST_STEP:
        raise DeploymentStopped("has status %s, which this run cannot continue from; run again once AWS has moved it on." % status)
    steps = list(STEPS[STEPS.index(_FIRST_STEP[status]):])
    if not switchover and status in (None, DEPLOYMENT_PROVISIONING, DEPLOYMENT_AVAILABLE):
        steps = steps[:steps.index(SWITCHOVER)]
    return steps


def green_problems(green_members, target):
    """What is wrong with the green members, each {db_cluster_identifier, region, engine_version, status, synchronization_status}."""
    problems = []
    for member in green_members:
        wrong = []
        if member["engine_version"] != target:
            wrong.append("runs %s, not %s" % (member["engine_version"], target))
        if not is_ready(DB_CLUSTER, member["status"]):
            wrong.append("is '%s'" % member["status"])
        if not is_synchronized(member.get("synchronization_status")):
            wrong.append("replication is '%s'" % member["synchronization_status"])
        if wrong:
            problems.append("%s (%s) %s" % (member["db_cluster_identifier"], member["region"], " and ".join(wrong)))
    return problems


def old_global_cluster_identifier(global_cluster_identifier):
    return global_cluster_identifier + OLD_SUFFIX


def cleanup_hint(old_identifier):
    return ("The old global database is kept as %s (its clusters and instances end in %s): delete it once you no longer need a "
            "way back (remove each member from it, then delete its instances, clusters and the global cluster)." % (old_identifier, OLD_SUFFIX))
