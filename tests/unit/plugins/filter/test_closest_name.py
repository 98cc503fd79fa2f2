# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.aurora.global_db.plugins.filter.closest_name import closest_name

KNOWN = [
    "aurora_global_upgrade_global_cluster_identifier",
    "aurora_global_upgrade_engine_version",
    "aurora_global_upgrade_wait_timeout",
    "aurora_global_upgrade_poll_interval",
    "aurora_global_upgrade_region",
]


@pytest.mark.parametrize("typo, meant", [
    ("aurora_global_upgrade_wait_timout", "aurora_global_upgrade_wait_timeout"),
    ("aurora_global_upgrade_engine_versions", "aurora_global_upgrade_engine_version"),
    ("aurora_global_upgrade_poll_intervall", "aurora_global_upgrade_poll_interval"),
    ("aurora_global_upgrade_regions", "aurora_global_upgrade_region"),
])
def test_a_misspelt_name_gets_the_known_one(typo, meant):
    assert closest_name(typo, KNOWN) == meant


def test_nothing_similar_enough_gives_none():
    assert closest_name("something_else_entirely", KNOWN) is None


def test_the_prefix_all_names_share_makes_no_name_similar():
    assert closest_name("aurora_global_upgrade_xyzzy", KNOWN) is None


def test_a_typo_in_the_prefix_still_finds_the_name():
    assert closest_name("aurora_global_upgarde_wait_timeout", KNOWN) == "aurora_global_upgrade_wait_timeout"


def test_the_cutoff_is_honoured():
    assert closest_name("aurora_global_upgrade_dry_run", KNOWN, cutoff=0.99) is None


def test_non_text_is_refused():
    with pytest.raises(AnsibleFilterError):
        closest_name(42, KNOWN)
