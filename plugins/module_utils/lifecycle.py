# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where a global database stands in AWS's support calendar, and the minor version it can move to next.

The support dates come from DescribeDBMajorEngineVersions: per major version, a standard support
lifecycle and an RDS Extended Support one (paid), each with a start and an end date.
"""

from ansible_collections.aurora.global_db.plugins.module_utils._versions import parse_engine_version

STANDARD_SUPPORT = "open-source-rds-standard-support"
EXTENDED_SUPPORT = "open-source-rds-extended-support"


def major_engine_version(engine, engine_version):
    """The MajorEngineVersion AWS files a version under: "14" for 14.9, "8.0" for 8.0.mysql_aurora.3.05.2."""
    return parse_engine_version(engine, engine_version).major_line


def _end_date(lifecycles, name):
    """The end date of one lifecycle (a date: AWS gives midnight UTC), or None when AWS lists no such lifecycle."""
    end = next((lifecycle.get("LifecycleSupportEndDate") for lifecycle in lifecycles if lifecycle.get("LifecycleSupportName") == name), None)
    return end.date() if end is not None else None


def lifecycle_facts(major_engine_versions, major, today):
    """aurora_global_lifecycle from a DescribeDBMajorEngineVersions answer for ``major`` on the day ``today`` (a date).

    in_extended_support: the end of standard support is past (AWS bills Extended Support from the next day).
    """
    lifecycles = [lifecycle for entry in major_engine_versions for lifecycle in entry.get("SupportedEngineLifecycles", [])]
    standard_end, extended_end = _end_date(lifecycles, STANDARD_SUPPORT), _end_date(lifecycles, EXTENDED_SUPPORT)
    return {
        "major_engine_version": major,
        "standard_support_end": standard_end.isoformat() if standard_end else None,
        "extended_support_end": extended_end.isoformat() if extended_end else None,
        "in_extended_support": bool(standard_end and today > standard_end),
        "days_until_standard_support_end": (standard_end - today).days if standard_end else None,
    }


def latest_minor_target(valid_upgrade_targets):
    """The highest minor target that supports global databases (valid_upgrade_targets is sorted by version), or None."""
    minors = [t["engine_version"] for t in valid_upgrade_targets if not t["is_major_version_upgrade"] and t["supports_global_databases"]]
    return minors[-1] if minors else None
