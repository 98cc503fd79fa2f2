# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""docs/upgrading.md's claims that can be checked, against the code they describe: the IAM actions (docs/iam-policy.json),
the limits (constants of module_utils), the defaults (the role's meta/argument_specs.yml) and the methods (its choices).

The constants are read from the source (ast), so that the test needs no installed collection.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import yaml

REPOSITORY = Path(__file__).resolve().parents[2]
GUIDE = (REPOSITORY / "docs" / "upgrading.md").read_text(encoding="utf-8")
OPTIONS = yaml.safe_load((REPOSITORY / "roles" / "aurora_global_upgrade" / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))[
    "argument_specs"]["main"]["options"]
NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}


def _constant(module, name):
    tree = ast.parse((REPOSITORY / "plugins" / "module_utils" / ("%s.py" % module)).read_text(encoding="utf-8"))
    return next(ast.literal_eval(node.value) for node in tree.body
                if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == name for target in node.targets))


def _policy_actions():
    statements = json.loads((REPOSITORY / "docs" / "iam-policy.json").read_text(encoding="utf-8"))["Statement"]
    actions = set()
    for statement in statements:
        action = statement["Action"]
        actions.update([action] if isinstance(action, str) else action)
    return actions


def test_the_guide_names_exactly_the_iam_actions_of_the_policy():
    named = set(re.findall(r"`((?:rds|kms):[A-Za-z*]+)`", GUIDE))
    assert named == _policy_actions(), {"only in the guide": sorted(named - _policy_actions()), "only in the policy": sorted(_policy_actions() - named)}


def test_the_guide_s_limits_are_the_code_s():
    secondaries = _constant("fanout", "MAX_WORKERS") - 1  # the primary's region and one per secondary
    assert "up to\n%s read-only secondary clusters" % NUMBERS[secondaries] in GUIDE or "up to %s read-only secondary" % NUMBERS[secondaries] in GUIDE
    assert not re.search(r"up to\s+(?!%s\b)(%s) read-only secondary" % (NUMBERS[secondaries], "|".join(NUMBERS.values())), GUIDE)
    assert "at least %d seconds" % _constant("lease", "MINIMUM_LEASE_SECONDS") in GUIDE


def test_every_default_the_guide_states_is_the_role_s():
    stated = re.findall(r"`(aurora_global_upgrade_\w+)`,? (\d+) seconds by default", GUIDE)
    stated += re.findall(r"`(aurora_global_upgrade_\w+)` \(default `([^`]+)`\)", GUIDE)
    assert stated, "the guide states no default any more: this test checks nothing"
    for name, value in stated:
        assert str(OPTIONS[name]["default"]) == value, (name, value, OPTIONS[name].get("default"))


def test_the_method_table_marks_exactly_the_methods_the_role_does_not_accept_yet():
    section = GUIDE.split("## Which method when", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)`[^|]*\|.*\| ([^|]+) \|$", section, re.MULTILINE)
    methods = {method: last_column.strip() for method, last_column in rows}
    choices = set(OPTIONS["aurora_global_upgrade_method"]["choices"])
    assert choices <= set(methods), "methods the role accepts and the table leaves out: %s" % sorted(choices - set(methods))
    not_yet = {method for method, last_column in methods.items() if last_column == "not yet in this version"}
    assert not_yet == set(methods) - choices, methods
    assert {"in_place", "snapshot_restore", "rebuild_secondaries", "managed_minor", "blue_green"} <= set(methods)
