# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.aurora.global_db.plugins.module_utils.waiting import POLL_INTERVAL_SECONDS
from ansible_collections.aurora.global_db.plugins.plugin_utils.progress import FILE_READ_SECONDS
from ansible_collections.aurora.global_db.plugins.plugin_utils.progress import QUIET_SECONDS
from ansible_collections.aurora.global_db.plugins.plugin_utils.progress import line_due
from ansible_collections.aurora.global_db.plugins.plugin_utils.progress import member_states
from ansible_collections.aurora.global_db.plugins.plugin_utils.progress import progress_line
from ansible_collections.aurora.global_db.plugins.plugin_utils.progress import read_interval
from ansible_collections.aurora.global_db.plugins.plugin_utils.progress import reports_progress
from ansible_collections.aurora.global_db.plugins.plugin_utils.progress import unreadable_line


def _facts(status="available"):
    return {
        "global_cluster_identifier": "pg-global",
        "status": status,
        "members": [
            {"db_cluster_identifier": "pg-secondary-euw1", "region": "eu-west-1", "status": "upgrading", "engine_version": "14.6"},
            {"db_cluster_identifier": "pg-primary-use1", "region": "us-east-1", "status": "available", "engine_version": "14.6"},
        ],
    }


def test_one_member_is_reported_alone_whatever_the_case_of_its_identifier():
    assert member_states(_facts(), "PG-Secondary-EUW1") == "pg-secondary-euw1 (eu-west-1) upgrading at 14.6"


def test_the_whole_global_database_starts_with_a_busy_global_cluster():
    states = member_states(_facts(status="upgrading"))
    assert states == ("global cluster pg-global upgrading; pg-secondary-euw1 (eu-west-1) upgrading at 14.6; "
                      "pg-primary-use1 (us-east-1) available at 14.6")


def test_an_available_global_cluster_is_not_mentioned():
    assert not member_states(_facts()).startswith("global cluster")


def test_a_file_without_the_global_clusters_status_reports_only_what_was_waited_for():
    facts = _facts()
    del facts["status"]
    assert member_states(facts) == "pg-secondary-euw1 (eu-west-1) upgrading at 14.6; pg-primary-use1 (us-east-1) available at 14.6"


def test_the_line_names_the_global_database_and_the_minutes_elapsed():
    assert progress_line("pg-global", "pg-primary-use1 (us-east-1) upgrading at 14.6", 185.7) == (
        "[pg-global] 3 min 05 s elapsed: pg-primary-use1 (us-east-1) upgrading at 14.6")
    assert progress_line("pg-global", "", 0) == "[pg-global] 0 min 00 s elapsed: no member found"


def test_an_unreadable_status_is_no_failure():
    line = unreadable_line("pg-global", "Rate exceeded", 61)
    assert "1 min 01 s" in line and "Rate exceeded" in line and "fail" not in line.lower()


def test_a_line_is_due_first_on_change_and_after_a_quiet_minute():
    assert line_due("a", None, 0, None)
    assert line_due("b", "a", 10, 5)
    assert not line_due("a", "a", 5 + QUIET_SECONDS - 1, 5)
    assert line_due("a", "a", 5 + QUIET_SECONDS, 5)


def test_file_reads_follow_the_poll_interval_at_least_every_few_seconds():
    assert read_interval(3) == 3
    assert read_interval(0) == 1
    assert read_interval(15) == FILE_READ_SECONDS
    assert read_interval("600") == FILE_READ_SECONDS
    # Left out, poll_interval is the module's default; the action plugin cannot import it (waiting.py loads the SDK).
    assert read_interval(None) == read_interval(POLL_INTERVAL_SECONDS) == FILE_READ_SECONDS


def test_progress_only_for_a_call_that_waits_on_the_control_node():
    args = {"global_cluster_identifier": "pg-global", "engine_version": "14.9"}
    assert reports_progress(args, False, 0, "ansible.builtin.local")
    assert reports_progress(dict(args, wait="yes"), False, None, "local")
    assert not reports_progress(dict(args, wait=False), False, 0, "local")
    assert not reports_progress(dict(args, wait="no"), False, 0, "local")
    assert not reports_progress(args, True, 0, "local")
    assert not reports_progress(args, False, 3600, "local")
    assert not reports_progress(args, False, 0, "ssh")
    assert not reports_progress({"engine_version": "14.9"}, False, 0, "local")
