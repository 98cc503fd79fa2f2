# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Aurora engine version strings: parsing, numeric ordering and upgrade kinds.

Versions are compared part by part as numbers, never as strings, so that
``3.10.0`` sorts above ``3.9.1``.
"""

import re
from collections import namedtuple

from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError

AURORA_MYSQL = "aurora-mysql"
AURORA_POSTGRESQL = "aurora-postgresql"

MAJOR = "major"
MINOR = "minor"
NONE = "none"
DOWNGRADE = "downgrade"

# A part is ASCII digits only (\d would take other scripts' digits), and short: int() refuses more than 4300 digits.
_PART = r"[0-9]{1,30}"
# 5.7.mysql_aurora.2.11.2, 8.0.mysql_aurora.3.04.0 and, from MySQL 8.4 on, 8.4.mysql_aurora.8.4.7 (family aurora-mysql8.4;
# the Aurora version repeats the MySQL line). A plain 8.4.7 is still parsed, in case AWS ever lists one.
_MYSQL_AURORA = re.compile(r"^(?P<line>{0}\.{0})\.mysql_aurora\.(?P<aurora>{0}(?:\.{0})*)\Z".format(_PART))
_DOTTED = re.compile(r"^{0}(?:\.{0})*\Z".format(_PART))

EngineVersion = namedtuple("EngineVersion", ["engine", "text", "key", "major_line"])
EngineVersion.__doc__ = """A parsed engine version.

key: the tuple of numbers used for ordering.
major_line: what stays the same across a minor upgrade ("14", "9.6", "5.7", "8.0", "8.4").
"""


class InvalidEngineVersion(AuroraGlobalError):
    """The text is not an engine version of the given Aurora engine."""


def _numbers(text):
    return tuple(int(part) for part in text.split("."))


def _parse_mysql(text):
    match = _MYSQL_AURORA.match(text)
    if match:
        line = match.group("line")
        return _numbers(line) + _numbers(match.group("aurora")), line
    if _DOTTED.match(text) and text.count(".") == 2:
        key = _numbers(text)
        return key, "%d.%d" % key[:2]
    raise InvalidEngineVersion(
        "'%s' is not an Aurora MySQL engine version (expected e.g. 8.0.mysql_aurora.3.04.0, 5.7.mysql_aurora.2.11.2 or 8.4.mysql_aurora.8.4.7)" % text
    )


def _parse_postgresql(text):
    if not _DOTTED.match(text) or "." not in text:
        raise InvalidEngineVersion("'%s' is not an Aurora PostgreSQL engine version (expected e.g. 14.9 or 9.6.22)" % text)
    key = _numbers(text)
    # Before PostgreSQL 10 the major version had two parts (9.6).
    major_line = str(key[0]) if key[0] >= 10 else "%d.%d" % key[:2]
    return key, major_line


_PARSERS = {AURORA_MYSQL: _parse_mysql, AURORA_POSTGRESQL: _parse_postgresql}


def parse_engine_version(engine, text):
    """Parse ``text`` as a version of ``engine``; raise InvalidEngineVersion when it is not one."""
    parser = _PARSERS.get(engine)
    if parser is None:
        raise InvalidEngineVersion("engine '%s' is not supported: expected one of %s" % (engine, ", ".join(sorted(_PARSERS))))
    key, major_line = parser(str(text).strip())
    return EngineVersion(engine, str(text).strip(), key, major_line)


def compare_versions(engine, left, right):
    """Return -1, 0 or 1 as version ``left`` is below, equal to or above ``right``."""
    left_key = parse_engine_version(engine, left).key
    right_key = parse_engine_version(engine, right).key
    return (left_key > right_key) - (left_key < right_key)


def aurora_mysql_generation(engine_version):
    """Aurora MySQL version 2 runs MySQL 5.7, version 3 runs MySQL 8.0; 8.4 (8.4.mysql_aurora.8.4.N) and later are named
    by their MySQL line and have no generation number (None)."""
    if engine_version.engine != AURORA_MYSQL:
        return None
    return {"5.7": 2, "8.0": 3}.get(engine_version.major_line)


def find_upgrade_target(valid_targets, target):
    """The entry of ``valid_targets`` (as returned by upgrade_targets) for ``target``, or None."""
    for candidate in valid_targets:
        if candidate["engine_version"] == target:
            return candidate
    return None


def upgrade_kind(engine, current, target, valid_targets=None):
    """Classify the step from ``current`` to ``target``: major, minor, none or downgrade.

    AWS's own ``IsMajorVersionUpgrade`` (from ``valid_targets``) wins; the
    version strings are only parsed when AWS does not list the target.
    """
    current_version = parse_engine_version(engine, current)
    target_version = parse_engine_version(engine, target)
    if target_version.key == current_version.key:
        return NONE
    if target_version.key < current_version.key:
        return DOWNGRADE
    listed = find_upgrade_target(valid_targets or [], target_version.text)
    if listed is not None:
        return MAJOR if listed["is_major_version_upgrade"] else MINOR
    return MAJOR if target_version.major_line != current_version.major_line else MINOR


def upgrade_targets(engine_versions):
    """Snake-case ValidUpgradeTarget entries from a DescribeDBEngineVersions answer, sorted by version."""
    targets = {}
    for engine_version in engine_versions:
        for target in engine_version.get("ValidUpgradeTarget", []):
            targets[target["EngineVersion"]] = {
                "engine_version": target["EngineVersion"],
                "is_major_version_upgrade": bool(target.get("IsMajorVersionUpgrade", False)),
                "supports_global_databases": bool(target.get("SupportsGlobalDatabases", False)),
            }
    return sorted(targets.values(), key=lambda item: _sort_key(engine_versions, item["engine_version"]))


def _sort_key(engine_versions, text):
    engine = engine_versions[0]["Engine"] if engine_versions else AURORA_POSTGRESQL
    try:
        return (0, parse_engine_version(engine, text).key)
    except InvalidEngineVersion:
        # Versions AWS lists in a format we do not know still sort, after the known ones.
        return (1, text)


# "Aurora MySQL 3.04.0 (compatible with MySQL 8.0.28)": AWS names the community MySQL version in each version's
# DBEngineVersionDescription and in each ValidUpgradeTarget's Description.
_COMMUNITY_MYSQL = re.compile(r"compatible with MySQL ({0}(?:\.{0})*)".format(_PART))


def community_mysql_version(description):
    """The community MySQL version an Aurora MySQL version description names, as a tuple of numbers, or None."""
    match = _COMMUNITY_MYSQL.search(description or "")
    return _numbers(match.group(1)) if match else None


def community_versions(engine_versions):
    """Engine version text -> community MySQL version (tuple), from every description of a DescribeDBEngineVersions answer."""
    found = {}
    for engine_version in engine_versions:
        described = [(engine_version.get("EngineVersion"), engine_version.get("DBEngineVersionDescription"))]
        described.extend((target.get("EngineVersion"), target.get("Description")) for target in engine_version.get("ValidUpgradeTarget", []))
        for text, description in described:
            community = community_mysql_version(description)
            if text and community:
                found[text] = community
    return found
