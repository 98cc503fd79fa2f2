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
DOCS = [REPOSITORY / name for name in (
    "README.md", "docs/upgrading.md", "docs/awx.md", "docs/fleet.md", "docs/sandbox.md", "roles/aurora_global_upgrade/README.md")]
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
    named = set(re.findall(r"`((?:rds|kms|secretsmanager):[A-Za-z*]+)`", GUIDE))
    assert named == _policy_actions(), {"only in the guide": sorted(named - _policy_actions()), "only in the policy": sorted(_policy_actions() - named)}


def test_the_action_counts_the_docs_state_are_the_policy_s():
    actions = _policy_actions()
    by_service = {service: len([action for action in actions if action.startswith(service + ":")]) for service in ("rds", "kms", "secretsmanager")}
    assert "That is %d actions: %d of RDS, %d of KMS, %d of Secrets Manager." % (
        len(actions), by_service["rds"], by_service["kms"], by_service["secretsmanager"]) in " ".join(GUIDE.split())
    readme = " ".join((REPOSITORY / "README.md").read_text(encoding="utf-8").split())
    stated = re.findall(r"grants exactly the RDS actions the collection calls \((\d+)", readme)
    assert stated == [str(by_service["rds"])], stated


def _role_task_names():
    names = []
    for tasks in sorted((REPOSITORY / "roles" / "aurora_global_upgrade" / "tasks").glob("*.yml")):
        names += re.findall(r"^\s*- name: (.+)$", tasks.read_text(encoding="utf-8"), re.MULTILINE)
    return names


def test_every_role_task_and_task_file_the_docs_name_exists():
    """A task shown in a sample output (TASK [...]) is one of the role's, its templated parts aside; a task file named exists."""
    patterns = [re.compile("^%s$" % ".*".join(re.escape(part) for part in re.split(r"\{\{.*?\}\}", name.strip("'\""))))
                for name in _role_task_names()]
    shown = re.findall(r"TASK \[aurora\.global_db\.aurora_global_upgrade : (.+?)\]", GUIDE)
    assert shown, "the guide shows no task of the role any more: this test checks nothing"
    unknown = [task for task in shown if not any(pattern.match(task) for pattern in patterns)]
    assert not unknown, unknown
    for doc in DOCS:
        for path in re.findall(r"roles/aurora_global_upgrade/tasks/[\w.]+\.yml", doc.read_text(encoding="utf-8")):
            assert (REPOSITORY / path).is_file(), (doc.name, path)


def test_the_guide_s_limits_are_the_code_s():
    secondaries = _constant("_fanout", "MAX_WORKERS") - 1  # the primary's region and one per secondary
    assert "up to\n%s read-only secondary clusters" % NUMBERS[secondaries] in GUIDE or "up to %s read-only secondary" % NUMBERS[secondaries] in GUIDE
    assert not re.search(r"up to\s+(?!%s\b)(%s) read-only secondary" % (NUMBERS[secondaries], "|".join(NUMBERS.values())), GUIDE)
    assert "at least %d seconds" % _constant("lease", "MINIMUM_LEASE_SECONDS") in GUIDE
    assert "answered more than %d s after" % _constant("lease", "LEASE_SETTLE_SECONDS") in GUIDE
    assert "within %d seconds of the read" % _constant("lease", "LEASE_SETTLE_SECONDS") in GUIDE
    assert "gives up after %d writes" % _constant("lease", "LEASE_WRITE_ATTEMPTS") in GUIDE


def test_every_default_the_guide_states_is_the_role_s():
    stated = re.findall(r"`(aurora_global_upgrade_\w+)`,? (\d+) seconds by default", GUIDE)
    stated += re.findall(r"`(aurora_global_upgrade_\w+)` \(default `([^`]+)`\)", GUIDE)
    assert stated, "the guide states no default any more: this test checks nothing"
    for name, value in stated:
        assert str(OPTIONS[name]["default"]) == value, (name, value, OPTIONS[name].get("default"))


METHOD_COLUMNS = ["method", "what it does", "downtime", "kept for a rollback", "prerequisites", "choose it when", "in this version"]


def _method_table():
    section = GUIDE.split("## Which method when", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[re.match(r"`(\w+)`", cells[0]).group(1)] = cells
    return header, rows


def test_the_method_table_answers_every_question_for_every_method():
    header, rows = _method_table()
    assert header == METHOD_COLUMNS
    assert set(rows) == {"in_place", "snapshot_restore", "rebuild_secondaries", "managed_minor", "blue_green"}
    for method, cells in rows.items():
        assert len(cells) == len(METHOD_COLUMNS) and all(cells), (method, cells)


def test_the_method_table_marks_exactly_the_methods_the_role_does_not_accept_yet():
    _header, rows = _method_table()
    choices = set(OPTIONS["aurora_global_upgrade_method"]["choices"])
    availability = {method: cells[-1] for method, cells in rows.items()}
    assert {method for method, state in availability.items() if state == "yes"} == choices, availability
    assert {method for method, state in availability.items() if state == "not yet in this version"} == set(rows) - choices, availability
    # A method the role accepts is never called unavailable anywhere in the docs.
    for doc in DOCS:
        text = " ".join(doc.read_text(encoding="utf-8").split())
        for method in choices:
            assert not re.search(r"`%s`[^.|]*(?:not yet|arrives with its issue)" % method, text), (doc.name, method)
