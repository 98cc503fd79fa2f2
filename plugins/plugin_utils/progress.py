# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Progress lines for an upgrade that AWS carries out for minutes to hours: what they say and when one is due.

Pure functions of the progress file the upgrade module rewrites after each of its reads (shaped like the
aurora_global facts); the action plugin aurora_global_upgrade reads it and prints, these decide.
"""

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.aurora.global_db.plugins.module_utils.kinds import GLOBAL_CLUSTER
from ansible_collections.aurora.global_db.plugins.module_utils.statuses import is_ready

# A line at least this often, even when nothing changed, so that a long wait never looks hung.
# A line at least every QUIET_SECONDS, so at least one a minute even when a read takes a while.
QUIET_SECONDS = 30
# The modules run on the control node only with these; the module writes the progress file there.
LOCAL_CONNECTIONS = ("local", "ansible.builtin.local")
# The progress file is read at least this often (a local file read), so a change shows within seconds of the module's read.
FILE_READ_SECONDS = 5


def _elapsed(seconds):
    minutes, seconds = divmod(int(seconds), 60)
    return "%d min %02d s" % (minutes, seconds)


def member_states(facts, db_cluster_identifier=None):
    """What the line reports: each member (only ``db_cluster_identifier``'s when given) with status and version.

    For the whole global database the global cluster's own status comes first while it is not available (when the
    module waits for the global cluster: a file without its status says nothing of it).
    """
    wanted = (db_cluster_identifier or "").lower()
    states = []
    if not wanted and facts.get("status") is not None and not is_ready(GLOBAL_CLUSTER, facts["status"]):
        states.append("global cluster %s %s" % (facts["global_cluster_identifier"], facts.get("status")))
    states.extend(
        "%s (%s) %s at %s" % (m["db_cluster_identifier"], m["region"], m["status"], m["engine_version"])
        for m in facts["members"] if not wanted or m["db_cluster_identifier"].lower() == wanted
    )
    return "; ".join(states)


def progress_line(global_cluster_identifier, states, elapsed_seconds):
    return "[%s] %s elapsed: %s" % (global_cluster_identifier, _elapsed(elapsed_seconds), states or "no member found")


def unreadable_line(global_cluster_identifier, message, elapsed_seconds):
    return "[%s] %s elapsed: the status could not be read this time (%s); the upgrade module keeps waiting" % (
        global_cluster_identifier, _elapsed(elapsed_seconds), message)


def line_due(states, last_states, now, last_printed_at):
    """A line is due when what it reports changed, or when none was printed for QUIET_SECONDS."""
    return last_printed_at is None or states != last_states or now - last_printed_at >= QUIET_SECONDS


def read_interval(poll_interval):
    """How often to read the progress file while waiting: the module's pace, at least every FILE_READ_SECONDS
    (a file read on the control node, no AWS call). None, the option left out, is the module's default
    (waiting.POLL_INTERVAL_SECONDS), which is longer: not imported here, as waiting.py loads the SDK."""
    if poll_interval is None:
        return FILE_READ_SECONDS
    return min(max(int(poll_interval), 1), FILE_READ_SECONDS)


def reports_progress(args, check_mode, async_seconds, transport):
    """Whether a call of the upgrade module with these arguments waits for AWS, so that progress lines are due."""
    return (boolean(args.get("wait", True), strict=False) and not check_mode and not async_seconds
            and transport in LOCAL_CONNECTIONS and bool(args.get("global_cluster_identifier")))
