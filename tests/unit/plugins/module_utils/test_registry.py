# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The blocker codes live in one registry (restrictions.BLOCKER_CODES); the docs and the role's list must agree with it."""

import ast
import os
import re

import yaml

from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import BLOCKER_CODES
from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import checked_codes

COLLECTION = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..")


def _documented_codes():
    with open(os.path.join(COLLECTION, "plugins", "modules", "aurora_global_facts.py"), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    text = next(node.value.value for node in tree.body if isinstance(node, ast.Assign) and node.targets[0].id == "RETURN")
    plan = yaml.safe_load(text)["ansible_facts"]["contains"]["aurora_global"]["contains"]["upgrade_plan"]["contains"]
    # The first line of the code's description lists every code: "One of V(a), V(b), ..."
    return re.findall(r"V\(([a-z0-9_]+)\)", plan["blockers"]["contains"]["code"]["description"][0]), plan["checked"]["sample"]


def test_the_facts_module_documents_exactly_the_registered_codes_in_order():
    listed, checked_sample = _documented_codes()
    assert listed == list(BLOCKER_CODES)
    # The sample is the default method's (in_place) list of checks.
    assert checked_sample == checked_codes("in_place")


def test_codes_are_unique():
    assert len(set(BLOCKER_CODES)) == len(BLOCKER_CODES) > 0
