# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The RETURN documentation of the collection's modules, read from their files, for the tests that compare it with results."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

MODULES = Path(__file__).parents[2] / "plugins" / "modules"
# The keys of a module's result that are not its own RETURN: what ansible-core, the callback and amazon.aws's module base
# add to every result, success or failure.
STANDARD_KEYS = {"action", "changed", "failed", "msg", "invocation", "exception", "warnings", "deprecations", "error", "response_metadata",
                 "boto3_version", "botocore_version", "_ansible_no_log", "_ansible_verbose_always"}


def documented_return(module):
    """The parsed RETURN block of plugins/modules/<module>.py."""
    tree = ast.parse((MODULES / (module + ".py")).read_text(encoding="utf-8"))
    return yaml.safe_load(next(node.value.value for node in tree.body if isinstance(node, ast.Assign) and node.targets[0].id == "RETURN"))
