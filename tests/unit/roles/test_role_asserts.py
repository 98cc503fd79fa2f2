# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The role asserts on every blocker code of the registry, each with an assert of its own (its list of known codes
is checked against the registry in tests/unit/plugins/module_utils/test_registry.py)."""

from pathlib import Path

import yaml

from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import BLOCKER_CODES

ROLE = Path(__file__).resolve().parents[3] / "roles" / "aurora_global_upgrade"


def _load(name):
    return yaml.safe_load((ROLE / name).read_text(encoding="utf-8"))


def test_each_blocker_code_has_its_own_assert():
    conditions = [task["ansible.builtin.assert"]["that"] for task in _load("tasks/preflight.yml") if "ansible.builtin.assert" in task]
    for code in BLOCKER_CODES:
        assert ["'%s' not in __aurora_global_upgrade_blocker_messages" % code] == [c for c in conditions if "'%s'" % code in str(c)], code
