# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""make demo-blue-green: the two methods AWS added, on the 3-region Aurora PostgreSQL global database of make demo.

Starts the sandbox (demo.py's), seeds the postgresql-14 scenario (pg-global, 14.6), upgrades it to 14.9 with AWS's
managed minor upgrade (aurora_global_upgrade_method: managed_minor, one ModifyGlobalCluster: AWS upgrades every
member), turns rds.logical_replication on in every member's cluster parameter group (the Blue/Green prerequisite of
PostgreSQL), shows the Blue/Green plan in check mode, then upgrades to 15.4 with a Blue/Green deployment of the whole
global database (aurora_global_upgrade_method: blue_green): the green copy is created and verified, switched over,
and the old global database is kept as pg-global-old1. Shows both global databases and every call that changed
something. The sandbox is stopped at the end, also on failure or Ctrl-C.
"""

import signal
import sys
import time

import demo
from demo import ANSIBLE_PLAYBOOK
from demo import GLOBAL_CLUSTER
from demo import MEMBER_REGIONS
from demo import POLL_INTERVAL
from demo import PROVISION_SECONDS
from demo import REGION
from demo import SCENARIO
from demo import DemoFailed
from demo import banner
from demo import extra_vars
from demo import run
from demo import show_changes
from sandbox.launcher import SandboxStartError
from sandbox.launcher import running_sandbox

# The seeded members' cluster parameter group (one name in every region).
CLUSTER_PARAMETER_GROUP = "pg-global-params"


def _facts(sandbox, environment, global_cluster):
    run([ANSIBLE_PLAYBOOK, "aurora.global_db.facts"] + extra_vars(
        aurora_global_facts_global_cluster_identifier=global_cluster,
        aurora_global_facts_endpoint_url=sandbox.endpoint_url, aurora_global_facts_region=REGION), environment)


def _turn_on_logical_replication(sandbox):
    """What an operator prepares before a Blue/Green deployment of Aurora PostgreSQL: logical replication in every region."""
    for region in MEMBER_REGIONS:
        rds = sandbox.aws_client("rds", region)
        rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=CLUSTER_PARAMETER_GROUP, Parameters=[
            {"ParameterName": "rds.logical_replication", "ParameterValue": "1", "ApplyMethod": "pending-reboot"}])
        print("  %-15s rds.logical_replication = 1 in %s" % (region, CLUSTER_PARAMETER_GROUP), flush=True)


def demo_methods():
    environment = demo._sandbox_environment()  # pylint: disable=protected-access  # the same environment as make demo
    banner("Starting the local AWS sandbox")
    # A process of its own, as make demo's: Ctrl-C reaches the demo and ansible-playbook, and the demo stops the sandbox itself.
    try:
        with running_sandbox(own_process=True, managed_minor_upgrades=True, provision_seconds=PROVISION_SECONDS) as sandbox:
            sandbox.seed(SCENARIO)
            started_at = time.time()
            print("Sandbox at %s, seeded with scenario %s, in a region with AWS's managed minor upgrade." % (sandbox.endpoint_url, SCENARIO), flush=True)
            upgrade = [ANSIBLE_PLAYBOOK, "aurora.global_db.upgrade"] + extra_vars(
                aurora_global_upgrade_global_cluster_identifier=GLOBAL_CLUSTER, aurora_global_upgrade_poll_interval=POLL_INTERVAL,
                aurora_global_upgrade_endpoint_url=sandbox.endpoint_url, aurora_global_upgrade_region=REGION)

            banner("1/6  The global database (playbook aurora.global_db.facts)")
            _facts(sandbox, environment, GLOBAL_CLUSTER)

            banner("2/6  Managed minor upgrade to 14.9: one ModifyGlobalCluster, AWS upgrades every member (and would roll back)")
            run(upgrade + extra_vars(aurora_global_upgrade_engine_version="14.9", aurora_global_upgrade_method="managed_minor"), environment)

            banner("3/6  Blue/Green prerequisite of PostgreSQL: logical replication on in every member's cluster parameter group")
            _turn_on_logical_replication(sandbox)

            blue_green = upgrade + extra_vars(aurora_global_upgrade_engine_version="15.4", aurora_global_upgrade_method="blue_green")
            banner("4/6  The Blue/Green plan for 15.4, in check mode: nothing is created")
            run(blue_green + ["--check"], environment)

            banner("5/6  Blue/Green to 15.4: create the green copy of every region, verify it, switch over, delete the deployment object")
            run(blue_green, environment)

            banner("6/6  Summary: pg-global at 15.4, the old global database kept as pg-global-old1 for a rollback")
            _facts(sandbox, environment, GLOBAL_CLUSTER)
            _facts(sandbox, environment, GLOBAL_CLUSTER + "-old1")
            show_changes(sandbox, started_at)
    finally:
        print("\nSandbox stopped.", flush=True)


def main():
    signal.signal(signal.SIGTERM, demo._exit_on_sigterm)  # pylint: disable=protected-access  # demo.py's handler
    started = time.monotonic()
    try:
        demo_methods()
    except (DemoFailed, SandboxStartError) as error:
        print("\nmake demo-blue-green failed: %s" % error, file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("\nmake demo-blue-green interrupted.", file=sys.stderr)
        sys.exit(130)
    print("\nmake demo-blue-green: done in %d s." % (time.monotonic() - started))


if __name__ == "__main__":
    main()
