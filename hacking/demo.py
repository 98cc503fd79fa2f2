# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""make demo: upgrade a 3-region Aurora PostgreSQL global database in the local AWS sandbox.

Starts the sandbox, seeds its postgresql-14 scenario (pg-global, 14.6, primary in us-east-1,
secondaries in eu-west-1 and ap-southeast-2), shows the global database and the plan (the role in
check mode), upgrades it to 14.9 (minor: secondaries first, the primary last) and then to 15.4
(major: a snapshot of the primary, then one call on the global cluster, then the custom parameter
groups of the new family applied to every member and instance, readers rebooted before writers)
with the collection's playbook, and shows the result, the report of the major upgrade and every
call that changed something. The sandbox is stopped at the end, also on failure or Ctrl-C.

make demo-mysql (--mysql): Aurora MySQL instead, in two parts. First a minor upgrade AWS refuses in place on a
global database (rule R10): a 3-region orders-mysql (8.0.mysql_aurora.3.04.0, primary in us-east-1, secondaries in
us-west-2, with a reader, and eu-west-1) to 3.05.2. The plan of the default method in_place is refused
(in_place_minor_refused) and names the methods that can do it; rebuild_secondaries in check mode lists every call it
would make; the run removes both secondaries, upgrades the primary and creates them again at its version, side by
side; the summary shows the detached clusters, kept, with their delete commands, and the time without secondaries.
Then the Aurora MySQL version 2 -> 3 path: the mysql-2 scenario (mysql2-global, 5.7.mysql_aurora.2.11.2, primary in
us-east-1, secondary in us-west-2); what the snapshot restore method would create (check mode); the new global
database mysql3-new-global at 8.0.mysql_aurora.3.04.0 built from a snapshot of the primary; both global databases,
the old one unchanged.
"""

import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time

from sandbox.client import CREDENTIALS
from sandbox.launcher import SandboxStartError, running_sandbox

ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")

SCENARIO = "postgresql-14"
GLOBAL_CLUSTER = "pg-global"
MYSQL_SCENARIO = "mysql-2"
MYSQL_GLOBAL_CLUSTER = "mysql2-global"
MYSQL_NEW_GLOBAL_CLUSTER = "mysql3-new-global"
MYSQL_TARGET = "8.0.mysql_aurora.3.04.0"
# The Aurora MySQL 3 minor upgrade AWS refuses in place (R10): a 3-region global database, rebuilt_secondaries.
MYSQL3_GLOBAL_CLUSTER = "orders-mysql"
MYSQL3_REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
MYSQL3_VERSION = "8.0.mysql_aurora.3.04.0"
MYSQL3_TARGET = "8.0.mysql_aurora.3.05.2"
MYSQL3_READER = ("orders-mysql-uw2-reader", "orders-mysql-uw2", "us-west-2")
# How long a removed secondary reads promoting, and a new secondary pending-resync, in the sandbox.
REBUILD_SECONDS = 2
# How long each new snapshot, cluster, instance and global cluster of the snapshot restore takes in the sandbox.
PROVISION_SECONDS = 2
REGION = "us-east-1"
# The members' regions, and the custom parameter groups of the major target's family the operator made in each.
MEMBER_REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
TARGET_FAMILY = "aurora-postgresql15"
CLUSTER_PARAMETER_GROUP = "pg15-cluster-params"
INSTANCE_PARAMETER_GROUP = "pg15-instance-params"
# Long enough to watch each member's upgrade go by, short enough for a demo.
UPGRADE_SECONDS = 3
POLL_INTERVAL = 1
# Anything that could point boto3 at a real account instead.
REAL_AWS_SETTINGS = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL")


class DemoFailed(Exception):
    """A step of the demo failed; the message says which."""


def banner(text):
    print("\n%s\n%s\n%s" % ("=" * 78, text, "=" * 78), flush=True)


def _sandbox_environment():
    environment = {name: value for name, value in os.environ.items() if name not in REAL_AWS_SETTINGS}
    # The demo never uses real AWS credentials.
    environment.update(CREDENTIALS)
    # The playbooks run on the implicit localhost on purpose: no warning about a missing inventory.
    environment.update(ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    return environment


def run(command, environment, refusal=False):
    """Run a command with its output on the terminal; stop it if the demo is interrupted. ``refusal``: the command is
    expected to refuse (exit code 2, a failed task)."""
    print("\n$ %s" % shlex.join(command), flush=True)
    with subprocess.Popen(command, env=environment) as process:
        try:
            returncode = process.wait()
        except BaseException:
            process.terminate()
            process.wait()
            raise
    if returncode != (2 if refusal else 0):
        raise DemoFailed("%s %s with exit code %s" % (shlex.join(command[:2]), "did not refuse" if refusal else "failed", returncode))
    if refusal:
        print("(refused, as expected: nothing was changed)", flush=True)


def extra_vars(**variables):
    return [argument for name, value in variables.items() for argument in ("-e", "%s=%s" % (name, value))]


def prepare_major_upgrade(sandbox):
    """What an operator prepares before a major upgrade: parameter groups of the new family in every member's region.
    A second instance (a reader) in the primary shows the reboots going readers first."""
    for region in MEMBER_REGIONS:
        rds = sandbox.aws_client("rds", region)
        rds.create_db_cluster_parameter_group(DBClusterParameterGroupName=CLUSTER_PARAMETER_GROUP, DBParameterGroupFamily=TARGET_FAMILY,
                                              Description="pg-global settings for PostgreSQL 15")
        rds.create_db_parameter_group(DBParameterGroupName=INSTANCE_PARAMETER_GROUP, DBParameterGroupFamily=TARGET_FAMILY,
                                      Description="pg-global instance settings for PostgreSQL 15")
        print("  %-15s DB cluster parameter group %s and DB parameter group %s (%s)" % (
            region, CLUSTER_PARAMETER_GROUP, INSTANCE_PARAMETER_GROUP, TARGET_FAMILY), flush=True)
        if region == REGION:
            rds.create_db_instance(DBInstanceIdentifier="pg-primary-use1-2", DBClusterIdentifier="pg-primary-use1",
                                   Engine="aurora-postgresql", DBInstanceClass="db.r6g.large")
            print("  %-15s reader pg-primary-use1-2 beside the writer pg-primary-use1-1" % region, flush=True)


# The parameter naming what a call creates or changes, in the order they are looked for (ResourceName: the ARN the
# lease's tags are written on).
SUBJECTS = ("DBClusterSnapshotIdentifier", "DBInstanceIdentifier", "DBClusterIdentifier", "DbClusterIdentifier", "GlobalClusterIdentifier",
            "DBClusterParameterGroupName", "DBParameterGroupName", "ResourceName", "BlueGreenDeploymentName", "BlueGreenDeploymentIdentifier")
# Calls that only read.
READ_PREFIXES = ("Describe", "List")
# The lease is tags on the global cluster (aurora_global_lease); the collection's other tags are the runs' bookkeeping.
LEASE_CALLS = {"AddTagsToResource": "lease taken", "RemoveTagsFromResource": "lease released"}
LEASE_TAG_PREFIX = "aurora-global-db:lease-"
TAG_CALLS = {"AddTagsToResource": "tags added", "RemoveTagsFromResource": "tags removed"}


def _tag_change(call):
    """What a tag call did: the lease, or other tags (a rebuild's records of what it removed and created)."""
    keys = [tag["Key"] for tag in call["params"].get("Tags", [])] + call["params"].get("TagKeys", [])
    if call["operation"] not in LEASE_CALLS:
        return None
    return LEASE_CALLS[call["operation"]] if any(key.startswith(LEASE_TAG_PREFIX) for key in keys) else TAG_CALLS[call["operation"]]


def show_changes(sandbox, started_at, setup=None):
    """Every call that changed something in the sandbox, in order: every call but the read-only Describe* and List* ones.

    ``setup`` (start, end): the time of the demo's own setup, whose calls are marked as such.
    """
    print("\nEvery call that changed something, as the sandbox recorded it:")
    for call in (entry for entry in sandbox.journal() if entry["kind"] == "call" and not entry["operation"].startswith(READ_PREFIXES)):
        params = call["params"]
        subject = next(params[name] for name in SUBJECTS if name in params).rsplit(":", 1)[-1]
        # What a modify call sets: the engine version, or a parameter group (unless the group is what the call names).
        change = params.get("EngineVersion") or params.get("NewDBClusterIdentifier") or params.get("NewDBInstanceIdentifier") or _tag_change(call) or next(
            (params[name] for name in ("DBClusterParameterGroupName", "DBParameterGroupName") if params.get(name) not in (None, subject)), None)
        print("  +%5.1fs  %-28s %-15s %-44s %s%s%s" % (
            call["time"] - started_at, call["operation"], call["region"], subject,
            "-> %s" % change if change else "",
            "  (AllowMajorVersionUpgrade)" if params.get("AllowMajorVersionUpgrade") else "",
            "  (the demo's setup, not the role)" if setup and setup[0] <= call["time"] <= setup[1] else "",
        ))


def show_report(report_dir):
    for name in sorted(os.listdir(report_dir)):
        if name.endswith(".md"):
            print("\n%s (and the same as .json):\n" % os.path.join(report_dir, name))
            with open(os.path.join(report_dir, name), encoding="utf-8") as report:
                print(report.read(), flush=True)


def demo_postgresql(sandbox, environment, started_at):
    connection = dict(aurora_global_upgrade_endpoint_url=sandbox.endpoint_url, aurora_global_upgrade_region=REGION)
    upgrade = [ANSIBLE_PLAYBOOK, "aurora.global_db.upgrade"] + extra_vars(
        aurora_global_upgrade_global_cluster_identifier=GLOBAL_CLUSTER, aurora_global_upgrade_poll_interval=POLL_INTERVAL, **connection)
    show_facts = [ANSIBLE_PLAYBOOK, "aurora.global_db.facts"] + extra_vars(
        aurora_global_facts_global_cluster_identifier=GLOBAL_CLUSTER,
        aurora_global_facts_endpoint_url=sandbox.endpoint_url, aurora_global_facts_region=REGION)

    banner("1/5  The global database (playbook aurora.global_db.facts)")
    run(show_facts, environment)

    banner("2/5  The plan for 14.9, in check mode: nothing is changed")
    run(upgrade + extra_vars(aurora_global_upgrade_engine_version="14.9") + ["--check"], environment)

    banner("3/5  Minor upgrade to 14.9: secondaries first, the primary last")
    run(upgrade + extra_vars(aurora_global_upgrade_engine_version="14.9"), environment)

    banner("4/5  Major upgrade to 15.4: a snapshot, one call on the global cluster, then the custom parameter groups")
    print("First the demo's own setup, as an operator prepares a major upgrade (these calls are the demo's, not the role's;\n"
          "the list of changes at the end marks them):", flush=True)
    setup_started_at = time.time()
    prepare_major_upgrade(sandbox)
    setup = (setup_started_at, time.time())
    report_dir = tempfile.mkdtemp(prefix="aurora-global-db-demo-")
    run(upgrade + extra_vars(
        aurora_global_upgrade_engine_version="15.4", aurora_global_upgrade_allow_major_version_upgrade="true",
        # As JSON without spaces: -e name=value ends a value at a space.
        aurora_global_upgrade_db_cluster_parameter_groups=json.dumps({region: CLUSTER_PARAMETER_GROUP for region in MEMBER_REGIONS}, separators=(",", ":")),
        aurora_global_upgrade_db_parameter_groups=json.dumps({region: INSTANCE_PARAMETER_GROUP for region in MEMBER_REGIONS}, separators=(",", ":")),
        aurora_global_upgrade_reboot_for_parameter_groups="true", aurora_global_upgrade_report_dir=report_dir,
    ), environment)

    banner("5/5  Summary")
    run(show_facts, environment)
    show_report(report_dir)
    show_changes(sandbox, started_at, setup)


def _show_facts(sandbox, environment, global_cluster):
    run([ANSIBLE_PLAYBOOK, "aurora.global_db.facts"] + extra_vars(
        aurora_global_facts_global_cluster_identifier=global_cluster,
        aurora_global_facts_endpoint_url=sandbox.endpoint_url, aurora_global_facts_region=REGION), environment)


def demo_mysql_minor(sandbox, environment, started_at):
    """Aurora MySQL 3.04.0 -> 3.05.2, which AWS refuses in place on a global database: rebuild_secondaries."""
    sandbox.seed_fleet([{"global_cluster_identifier": MYSQL3_GLOBAL_CLUSTER, "engine": "aurora-mysql", "engine_version": MYSQL3_VERSION,
                         "regions": list(MYSQL3_REGIONS)}])
    reader, cluster, region = MYSQL3_READER
    sandbox.aws_client("rds", region).create_db_instance(DBInstanceIdentifier=reader, DBClusterIdentifier=cluster, Engine="aurora-mysql",
                                                         DBInstanceClass="db.r6g.large", PromotionTier=2)
    sandbox.configure(provision_seconds=REBUILD_SECONDS, promote_seconds=REBUILD_SECONDS, resync_seconds=REBUILD_SECONDS)
    setup = (started_at, time.time())
    upgrade = [ANSIBLE_PLAYBOOK, "aurora.global_db.upgrade"] + extra_vars(
        aurora_global_upgrade_global_cluster_identifier=MYSQL3_GLOBAL_CLUSTER, aurora_global_upgrade_engine_version=MYSQL3_TARGET,
        aurora_global_upgrade_poll_interval=POLL_INTERVAL, aurora_global_upgrade_endpoint_url=sandbox.endpoint_url,
        aurora_global_upgrade_region=REGION)
    rebuild = upgrade + extra_vars(aurora_global_upgrade_method="rebuild_secondaries", aurora_global_upgrade_secondaries_drained="true")

    banner("1/7  An Aurora MySQL 3 global database in three regions (%s, a reader beside the writer in %s)" % (MYSQL3_VERSION, region))
    _show_facts(sandbox, environment, MYSQL3_GLOBAL_CLUSTER)

    banner("2/7  The plan for %s in place: AWS refuses it on a global database (R10), the plan names the methods that can" % MYSQL3_TARGET)
    run(upgrade + ["--check"], environment, refusal=True)

    banner("3/7  rebuild_secondaries in check mode (applications are off the secondaries): every call it would make, in order")
    run(rebuild + ["--check"], environment)

    banner("4/7  rebuild_secondaries: remove both secondaries, upgrade the primary, create them again at its version, side by side")
    report_dir = tempfile.mkdtemp(prefix="aurora-global-db-demo-mysql-")
    run(rebuild + extra_vars(aurora_global_upgrade_report_dir=report_dir), environment)

    banner("5/7  Summary: every member at %s, the removed clusters kept (-detached) with their delete commands" % MYSQL3_TARGET)
    _show_facts(sandbox, environment, MYSQL3_GLOBAL_CLUSTER)
    show_report(report_dir)
    show_changes(sandbox, started_at, setup)


def demo_mysql(sandbox, environment, started_at):
    demo_mysql_minor(sandbox, environment, started_at)
    sandbox.clear_journal()
    started_at = time.time()
    sandbox.seed(MYSQL_SCENARIO)
    sandbox.configure(provision_seconds=PROVISION_SECONDS, snapshot_seconds=PROVISION_SECONDS)
    restore = [ANSIBLE_PLAYBOOK, "aurora.global_db.upgrade"] + extra_vars(
        aurora_global_upgrade_global_cluster_identifier=MYSQL_GLOBAL_CLUSTER, aurora_global_upgrade_engine_version=MYSQL_TARGET,
        aurora_global_upgrade_method="snapshot_restore", aurora_global_upgrade_new_global_cluster_identifier=MYSQL_NEW_GLOBAL_CLUSTER,
        aurora_global_upgrade_writes_stopped="true", aurora_global_upgrade_poll_interval=POLL_INTERVAL,
        aurora_global_upgrade_endpoint_url=sandbox.endpoint_url, aurora_global_upgrade_region=REGION)

    banner("6/7  Aurora MySQL version 2 -> 3 (%s, impossible in place): what the snapshot restore method would create, in check mode"
           % MYSQL_GLOBAL_CLUSTER)
    _show_facts(sandbox, environment, MYSQL_GLOBAL_CLUSTER)
    run(restore + ["--check"], environment)

    banner("7/7  Snapshot restore into the new global database %s (each new resource takes %s s); the old one unchanged for a rollback"
           % (MYSQL_NEW_GLOBAL_CLUSTER, PROVISION_SECONDS))
    run(restore, environment)
    _show_facts(sandbox, environment, MYSQL_NEW_GLOBAL_CLUSTER)
    _show_facts(sandbox, environment, MYSQL_GLOBAL_CLUSTER)
    show_changes(sandbox, started_at)


def demo(mysql):
    environment = _sandbox_environment()
    banner("Starting the local AWS sandbox (each simulated upgrade takes %s s)" % UPGRADE_SECONDS)
    try:
        # A process of its own, in a session of its own: Ctrl-C reaches the demo and ansible-playbook, and the demo stops the sandbox itself.
        # The snapshot before the major upgrade takes as long as an upgrade, long enough to watch it go by too.
        with running_sandbox(own_process=True, upgrade_seconds=UPGRADE_SECONDS, snapshot_seconds=UPGRADE_SECONDS) as sandbox:
            started_at = time.time()
            if not mysql:
                sandbox.seed(SCENARIO)
            print("Sandbox at %s%s." % (sandbox.endpoint_url, "" if mysql else ", seeded with scenario %s" % SCENARIO), flush=True)
            (demo_mysql if mysql else demo_postgresql)(sandbox, environment, started_at)
    finally:
        print("\nSandbox stopped.", flush=True)


def _exit_on_sigterm(signal_number, _frame):
    # SystemExit unwinds through the `with` blocks, which stop ansible-playbook and the sandbox.
    sys.exit(128 + signal_number)


def main():
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    started = time.monotonic()
    mysql = "--mysql" in sys.argv[1:]
    name = "make demo-mysql" if mysql else "make demo"
    try:
        demo(mysql)
    except (DemoFailed, SandboxStartError) as error:
        print("\n%s failed: %s" % (name, error), file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("\n%s interrupted." % name, file=sys.stderr)
        sys.exit(130)
    print("\n%s: done in %d s." % (name, time.monotonic() - started))


if __name__ == "__main__":
    main()
