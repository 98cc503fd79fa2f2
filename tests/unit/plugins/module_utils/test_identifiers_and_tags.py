# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The homes of AWS's identifier rule and of the tags the collection writes."""

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import MAX_LENGTH
from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import is_rds_identifier
from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import same_identifier
from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import stored_form
from ansible_collections.aurora.global_db.plugins.module_utils._tags import LEASE_TAG_PREFIX
from ansible_collections.aurora.global_db.plugins.module_utils._tags import PREFIX
from ansible_collections.aurora.global_db.plugins.module_utils._tags import RESTORE_TAG
from ansible_collections.aurora.global_db.plugins.module_utils._tags import has_restore_mark
from ansible_collections.aurora.global_db.plugins.module_utils._tags import restore_tags
from ansible_collections.aurora.global_db.plugins.module_utils._tags import tag_list
from ansible_collections.aurora.global_db.plugins.module_utils._tags import tag_value
from ansible_collections.aurora.global_db.plugins.module_utils.lease import LEASE_TAGS


@pytest.mark.parametrize("identifier, accepted", [
    ("a", True), ("orders-use1-v3", True), ("A1-b2", True), ("x" * MAX_LENGTH, True),
    ("x" * (MAX_LENGTH + 1), False), ("1abc", False), ("abc-", False), ("a--b", False), ("a_b", False), ("", False),
])
def test_aws_identifier_rule(identifier, accepted):
    assert is_rds_identifier(identifier) is accepted


def test_identifiers_match_as_aws_matches_them():
    assert same_identifier("Orders-Global", "orders-global")
    assert not same_identifier("orders-global", "orders-global-2")
    assert stored_form("Orders-V3") == "orders-v3"


def test_every_key_the_collection_writes_has_the_one_prefix():
    assert all(key.startswith(PREFIX) for key in LEASE_TAGS + (RESTORE_TAG,))
    assert LEASE_TAG_PREFIX.startswith(PREFIX)


def test_tag_values_are_ones_aws_accepts():
    assert tag_value("host!/123 (pid)") == "host-/123 -pid-"
    assert len(tag_value("x" * 300)) == 256
    assert tag_value("") == "-"
    assert tag_list({"change": "CHG-1"}) == [{"Key": "change", "Value": "CHG-1"}]


def test_the_restore_mark_is_read_under_its_key_and_the_key_of_earlier_releases():
    assert has_restore_mark({"TagList": restore_tags("old/new")}, "old/new")
    assert has_restore_mark({"TagList": [{"Key": "aurora-global-db-snapshot-restore", "Value": "old/new"}]}, "old/new")
    assert not has_restore_mark({"TagList": restore_tags("old/other")}, "old/new")
    assert not has_restore_mark({}, "old/new")
