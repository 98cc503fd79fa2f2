# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Support dates and the latest minor target."""

import datetime

from ansible_collections.aurora.global_db.plugins.module_utils.lifecycle import latest_minor_target
from ansible_collections.aurora.global_db.plugins.module_utils.lifecycle import lifecycle_facts
from ansible_collections.aurora.global_db.plugins.module_utils.lifecycle import major_engine_version


def _target(version, major=False, supports_global=True):
    return {"engine_version": version, "is_major_version_upgrade": major, "supports_global_databases": supports_global}


def test_major_engine_version_is_what_aws_files_versions_under():
    assert major_engine_version("aurora-postgresql", "14.9") == "14"
    assert major_engine_version("aurora-mysql", "8.0.mysql_aurora.3.05.2") == "8.0"
    assert major_engine_version("aurora-mysql", "8.4.7") == "8.4"


def test_latest_minor_target_skips_majors_and_versions_without_global_databases():
    assert latest_minor_target([_target("14.7", supports_global=False), _target("14.9"), _target("14.10"), _target("15.4", major=True)]) == "14.10"
    assert latest_minor_target([_target("15.4", major=True)]) is None
    assert latest_minor_target([]) is None


def test_the_last_day_of_standard_support_is_not_yet_extended_support():
    answer = [{"SupportedEngineLifecycles": [{"LifecycleSupportName": "open-source-rds-standard-support",
                                              "LifecycleSupportEndDate": datetime.datetime(2027, 2, 28, tzinfo=datetime.timezone.utc)}]}]
    on_the_day = lifecycle_facts(answer, "14", datetime.date(2027, 2, 28))
    assert on_the_day["in_extended_support"] is False and on_the_day["days_until_standard_support_end"] == 0
    assert on_the_day["extended_support_end"] is None
    assert lifecycle_facts(answer, "14", datetime.date(2027, 3, 1))["in_extended_support"] is True


def test_no_dates_from_aws_means_no_dates():
    facts = lifecycle_facts([], "9.6", datetime.date(2026, 1, 1))
    assert facts == {"major_engine_version": "9.6", "standard_support_end": None, "extended_support_end": None,
                     "in_extended_support": False, "days_until_standard_support_end": None}
