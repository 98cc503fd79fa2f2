# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The RETURN documentation of the collection's modules, read from their files, for the tests that compare it with results."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

MODULES = Path(__file__).parents[2] / "plugins" / "modules"


def documented_return(module):
    """The parsed RETURN block of plugins/modules/<module>.py."""
    tree = ast.parse((MODULES / (module + ".py")).read_text(encoding="utf-8"))
    return yaml.safe_load(next(node.value.value for node in tree.body if isinstance(node, ast.Assign) and node.targets[0].id == "RETURN"))
