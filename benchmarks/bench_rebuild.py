# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""rebuild_secondaries: the time without secondaries of a global database with three secondaries against one with one.

Two Aurora MySQL 3.04.0 global databases in the same sandbox, one with a secondary (us-west-2), one with three
(us-west-2, eu-west-1, ap-southeast-2), each upgraded to 3.05.2 (refused in place, rule R10) by one
aurora_global_rebuild_secondaries task, as ansible-playbook runs it. Every secondary takes the same simulated time in
every region: PROMOTE_SECONDS reading promoting once removed, PROVISION_SECONDS creating (the new cluster, then each
instance), RESYNC_SECONDS pending-resync; the primary's upgrade UPGRADE_SECONDS. The figure is the module's own
secondaries_gap_seconds (from the first removal until every new secondary is connected), checked against the sandbox's
journal (from the first RemoveFromGlobalCluster to the last secondary synchronised). The goal: three secondaries
removed and rebuilt side by side, so their gap is at most 1.3x that of one. A ratio of one run, asserted by no test.
"""

import os
import tempfile

import yaml

from playbook_runner import run_playbook

ENGINE, VERSION, TARGET = "aurora-mysql", "8.0.mysql_aurora.3.04.0", "8.0.mysql_aurora.3.05.2"
PRIMARY_REGION = "us-east-1"
GLOBAL_DATABASES = {1: ("rebuild-one", ["us-west-2"]), 3: ("rebuild-three", ["us-west-2", "eu-west-1", "ap-southeast-2"])}
PROMOTE_SECONDS = 2.0
PROVISION_SECONDS = 3.0
RESYNC_SECONDS = 3.0
UPGRADE_SECONDS = 3.0
GOAL_RATIO = 1.3
# One task of the module, as ansible-playbook runs it (written as YAML by measure()).
PLAY = {
    "name": "Rebuild the secondaries, the module alone", "hosts": "localhost", "connection": "local", "gather_facts": False,
    "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
    "tasks": [{"name": "Rebuild", "aurora.global_db.aurora_global_rebuild_secondaries": {
        "global_cluster_identifier": "{{ global_cluster_identifier }}", "engine_version": TARGET, "secondaries_drained": True,
        "poll_interval": 1, "endpoint_url": "{{ sandbox_endpoint_url }}", "region": PRIMARY_REGION}}],
}


def _journal_gap(journal, global_cluster_identifier, secondaries):
    """From the first RemoveFromGlobalCluster of this global database to the last of its secondaries synchronised."""
    removed = [entry["time"] for entry in journal if entry["kind"] == "call" and entry["operation"] == "RemoveFromGlobalCluster"
               and entry["params"].get("GlobalClusterIdentifier") == global_cluster_identifier and not entry["error"]]
    synchronised = [entry["time"] for entry in journal if entry["kind"] == "event" and entry["operation"] == "SecondarySynchronized"
                    and any(secondary in str(entry["params"]) for secondary in secondaries)]
    if len(removed) != len(secondaries) or len(synchronised) < len(secondaries):
        raise RuntimeError("%s: the journal shows %d removals and %d secondaries synchronised, not %d" % (
            global_cluster_identifier, len(removed), len(synchronised), len(secondaries)))
    return max(synchronised) - min(removed)


def _rebuild(endpoint_url, sandbox, playbook, count):
    identifier, regions = GLOBAL_DATABASES[count]
    secondaries = ["%s-%s" % (identifier, "".join(part[0] if part.isalpha() else part for part in region.split("-"))) for region in regions]
    run = run_playbook(playbook, endpoint_url, {"global_cluster_identifier": identifier})
    result = run.result("Rebuild")
    if result.get("failed"):
        raise RuntimeError("%s: %s" % (identifier, result.get("msg")))
    return {
        "secondaries": count,
        "gap_seconds": round(result["secondaries_gap_seconds"], 2),
        "journal_gap_seconds": round(_journal_gap(sandbox.journal(), identifier, secondaries), 2),
        "calls": sum(1 for entry in sandbox.journal() if entry["kind"] == "call"),
    }


def measure(endpoint_url, sandbox):
    sandbox.reset()
    sandbox.configure(promote_seconds=PROMOTE_SECONDS, provision_seconds=PROVISION_SECONDS, resync_seconds=RESYNC_SECONDS,
                      upgrade_seconds=UPGRADE_SECONDS)
    sandbox.seed_fleet([{"global_cluster_identifier": identifier, "engine": ENGINE, "engine_version": VERSION, "regions": [PRIMARY_REGION] + regions}
                        for identifier, regions in GLOBAL_DATABASES.values()])
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        playbook = os.path.join(directory, "rebuild.yml")
        with open(playbook, "w", encoding="utf-8") as handle:
            yaml.safe_dump([PLAY], handle, sort_keys=False)
        for count in sorted(GLOBAL_DATABASES):
            sandbox.clear_journal()
            rows.append(_rebuild(endpoint_url, sandbox, playbook, count))
    one, three = rows[0], rows[-1]
    return {"rows": rows, "ratio": round(three["gap_seconds"] / one["gap_seconds"], 2),
            "journal_ratio": round(three["journal_gap_seconds"] / one["journal_gap_seconds"], 2)}


def table(result):
    lines = [
        "rebuild_secondaries: time without secondaries (sandbox: promoting %.0f s, creating %.0f s per cluster and instance, pending-resync %.0f s, "
        "the primary's upgrade %.0f s; goal: 3 secondaries <= %.1fx 1)" % (PROMOTE_SECONDS, PROVISION_SECONDS, RESYNC_SECONDS, UPGRADE_SECONDS, GOAL_RATIO),
        "| secondaries | secondaries_gap_seconds | journal: first removal to last connected s | RDS calls |",
        "|---|---|---|---|",
    ]
    lines += ["| %(secondaries)d | %(gap_seconds).2f | %(journal_gap_seconds).2f | %(calls)d |" % row for row in result["rows"]]
    lines.append("3 / 1: x%.2f (journal x%.2f); meets: gap_3_secondaries_at_most_%.1fx_1=%s" % (
        result["ratio"], result["journal_ratio"], GOAL_RATIO, result["ratio"] <= GOAL_RATIO))
    return lines


if __name__ == "__main__":
    from sandbox.launcher import running_sandbox

    with running_sandbox(own_process=True) as server:
        print("\n".join(table(measure(server.endpoint_url, server))))
