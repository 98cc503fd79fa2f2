# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils._versions import AURORA_MYSQL
from ansible_collections.aurora.global_db.plugins.module_utils._versions import AURORA_POSTGRESQL
from ansible_collections.aurora.global_db.plugins.module_utils._versions import InvalidEngineVersion
from ansible_collections.aurora.global_db.plugins.module_utils._versions import aurora_mysql_generation
from ansible_collections.aurora.global_db.plugins.module_utils._versions import community_mysql_version
from ansible_collections.aurora.global_db.plugins.module_utils._versions import community_versions
from ansible_collections.aurora.global_db.plugins.module_utils._versions import compare_versions
from ansible_collections.aurora.global_db.plugins.module_utils._versions import parse_engine_version
from ansible_collections.aurora.global_db.plugins.module_utils._versions import upgrade_kind
from ansible_collections.aurora.global_db.plugins.module_utils._versions import upgrade_targets


@pytest.mark.parametrize(
    "engine, text, key, major_line",
    [
        (AURORA_MYSQL, "5.7.mysql_aurora.2.11.2", (5, 7, 2, 11, 2), "5.7"),
        (AURORA_MYSQL, "8.0.mysql_aurora.3.04.0", (8, 0, 3, 4, 0), "8.0"),
        (AURORA_MYSQL, "8.4.7", (8, 4, 7), "8.4"),
        (AURORA_MYSQL, "8.4.mysql_aurora.8.4.7", (8, 4, 8, 4, 7), "8.4"),
        (AURORA_POSTGRESQL, "14.9", (14, 9), "14"),
        (AURORA_POSTGRESQL, "16.1", (16, 1), "16"),
        (AURORA_POSTGRESQL, "9.6.22", (9, 6, 22), "9.6"),
        (AURORA_POSTGRESQL, " 13.12 ", (13, 12), "13"),
    ],
)
def test_parse_engine_version(engine, text, key, major_line):
    version = parse_engine_version(engine, text)
    assert version.key == key
    assert version.major_line == major_line
    assert version.text == text.strip()


@pytest.mark.parametrize(
    "engine, text",
    [
        (AURORA_MYSQL, "14.9"),
        (AURORA_MYSQL, "8.0.mysql_aurora"),
        (AURORA_MYSQL, "latest"),
        (AURORA_POSTGRESQL, "8.0.mysql_aurora.3.04.0"),
        (AURORA_POSTGRESQL, "14"),
        (AURORA_POSTGRESQL, "14.x"),
        (AURORA_POSTGRESQL, ""),
        ("mysql", "8.0.35"),
    ],
)
def test_parse_rejects_what_is_not_a_version_of_the_engine(engine, text):
    with pytest.raises(InvalidEngineVersion):
        parse_engine_version(engine, text)


@pytest.mark.parametrize(
    "engine, left, right, expected",
    [
        (AURORA_MYSQL, "8.0.mysql_aurora.3.10.0", "8.0.mysql_aurora.3.9.1", 1),
        (AURORA_MYSQL, "8.0.mysql_aurora.3.04.0", "8.0.mysql_aurora.3.4.0", 0),
        (AURORA_MYSQL, "5.7.mysql_aurora.2.12.0", "8.0.mysql_aurora.3.04.0", -1),
        (AURORA_MYSQL, "8.0.mysql_aurora.3.10.0", "8.4.7", -1),
        (AURORA_MYSQL, "8.4.mysql_aurora.8.4.10", "8.4.mysql_aurora.8.4.9", 1),
        (AURORA_POSTGRESQL, "14.10", "14.9", 1),
        (AURORA_POSTGRESQL, "9.6.22", "10.4", -1),
        (AURORA_POSTGRESQL, "15.4", "15.4", 0),
    ],
)
def test_compare_versions_is_numeric(engine, left, right, expected):
    assert compare_versions(engine, left, right) == expected


def test_aurora_mysql_generation():
    assert aurora_mysql_generation(parse_engine_version(AURORA_MYSQL, "5.7.mysql_aurora.2.11.2")) == 2
    assert aurora_mysql_generation(parse_engine_version(AURORA_MYSQL, "8.0.mysql_aurora.3.04.0")) == 3
    assert aurora_mysql_generation(parse_engine_version(AURORA_MYSQL, "8.4.7")) is None
    assert aurora_mysql_generation(parse_engine_version(AURORA_POSTGRESQL, "14.9")) is None


def _target(version, major, global_db=True):
    return {"engine_version": version, "is_major_version_upgrade": major, "supports_global_databases": global_db}


def test_upgrade_kind_prefers_what_aws_says():
    # AWS is the authority: a listed target's flag wins over what parsing would say.
    assert upgrade_kind(AURORA_POSTGRESQL, "14.6", "14.9", [_target("14.9", True)]) == "major"
    assert upgrade_kind(AURORA_POSTGRESQL, "14.6", "15.4", [_target("15.4", False)]) == "minor"


@pytest.mark.parametrize(
    "engine, current, target, expected",
    [
        (AURORA_POSTGRESQL, "14.6", "14.9", "minor"),
        (AURORA_POSTGRESQL, "14.6", "15.4", "major"),
        (AURORA_POSTGRESQL, "9.6.22", "9.6.23", "minor"),
        (AURORA_POSTGRESQL, "14.9", "14.9", "none"),
        (AURORA_POSTGRESQL, "14.9", "14.6", "downgrade"),
        (AURORA_MYSQL, "8.0.mysql_aurora.3.04.0", "8.0.mysql_aurora.3.10.0", "minor"),
        (AURORA_MYSQL, "5.7.mysql_aurora.2.11.2", "8.0.mysql_aurora.3.04.0", "major"),
        (AURORA_MYSQL, "8.0.mysql_aurora.3.04.0", "8.4.7", "major"),
        (AURORA_MYSQL, "8.0.mysql_aurora.3.10.0", "8.4.mysql_aurora.8.4.7", "major"),
        (AURORA_MYSQL, "8.4.mysql_aurora.8.4.7", "8.4.mysql_aurora.8.4.10", "minor"),
    ],
)
def test_upgrade_kind_falls_back_to_parsing(engine, current, target, expected):
    assert upgrade_kind(engine, current, target) == expected


def test_upgrade_targets_are_snake_case_sorted_numerically_and_deduplicated():
    answer = [{
        "Engine": AURORA_MYSQL,
        "EngineVersion": "8.0.mysql_aurora.3.04.0",
        "ValidUpgradeTarget": [
            {"EngineVersion": "8.0.mysql_aurora.3.10.0", "IsMajorVersionUpgrade": False, "SupportsGlobalDatabases": True},
            {"EngineVersion": "8.0.mysql_aurora.3.05.2", "IsMajorVersionUpgrade": False, "SupportsGlobalDatabases": True},
            {"EngineVersion": "8.0.mysql_aurora.3.05.2", "IsMajorVersionUpgrade": False, "SupportsGlobalDatabases": True},
            {"EngineVersion": "8.4.7", "IsMajorVersionUpgrade": True},
        ],
    }]
    assert upgrade_targets(answer) == [
        _target("8.0.mysql_aurora.3.05.2", False),
        _target("8.0.mysql_aurora.3.10.0", False),
        _target("8.4.7", True, global_db=False),
    ]


def test_upgrade_targets_of_nothing():
    assert upgrade_targets([]) == []


def test_community_mysql_version_from_aws_descriptions():
    assert community_mysql_version("Aurora MySQL 3.04.0 (compatible with MySQL 8.0.28)") == (8, 0, 28)
    assert community_mysql_version("Aurora MySQL 4.0 (compatible with MySQL 8.4.7)") == (8, 4, 7)
    assert community_mysql_version("Aurora PostgreSQL (Compatible with PostgreSQL 14.6)") is None
    assert community_mysql_version(None) is None


def test_community_versions_of_an_answer_cover_the_version_and_its_targets():
    answer = [{
        "Engine": "aurora-mysql", "EngineVersion": "8.0.mysql_aurora.3.04.0",
        "DBEngineVersionDescription": "Aurora MySQL 3.04.0 (compatible with MySQL 8.0.28)",
        "ValidUpgradeTarget": [
            {"EngineVersion": "8.0.mysql_aurora.3.05.2", "Description": "Aurora MySQL 3.05.2 (compatible with MySQL 8.0.32)"},
            {"EngineVersion": "8.0.mysql_aurora.3.06.0"},
        ],
    }]
    assert community_versions(answer) == {"8.0.mysql_aurora.3.04.0": (8, 0, 28), "8.0.mysql_aurora.3.05.2": (8, 0, 32)}
