# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A condition key moto does not evaluate, decided here before moto's evaluator sees the policies.

moto evaluates StringEquals conditions only (moto/iam/policy_conditions.py) and passes any other. For a key the
sandbox must check (kms:ViaService in kms_authorization.py, aws:TagKeys in tag_authorization.py), each statement gets
its conditions on that key evaluated against the request's values and removed (a statement whose condition does not
hold is dropped), then moto decides the rest. IAM User Guide, "Condition operators" and "Set operators for multivalued
context keys": a condition holds when every value of the request matches one of its values (for a single-valued key
such as kms:ViaService, "every" is the one value).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from moto.iam.access_control import IAMPolicy
from moto.iam.access_control import PermissionResult

# Operator (lower case) -> whether a request's value matches one expected value.
Operators = dict[str, Callable[[str, str], bool]]


def caller_policy_documents(iam_request: Any) -> list[dict[str, Any]]:
    """The policy documents of the caller of a request moto's IAM enforcement is checking."""
    return [IAMPolicy(policy)._policy_json for policy in iam_request._access_key.collect_policies()]  # pylint: disable=protected-access


def string_equals(value: str, expected: str) -> bool:
    return value == expected


def _decided(statement: dict[str, Any], condition_key: str, operators: Operators, values: list[str]) -> dict[str, Any] | None:
    """The statement with its ``condition_key`` conditions evaluated and removed; None when one of them does not hold."""
    decided = copy.deepcopy(statement)
    for operator, keys in list(decided.get("Condition", {}).items()):
        matches = operators.get(operator.lower())
        for key in [k for k in keys if matches and k.lower() == condition_key]:
            expected = keys.pop(key)
            expected = [expected] if isinstance(expected, str) else expected
            if not all(any(matches(value, one) for one in expected) for value in values):
                return None
        if not keys:
            del decided["Condition"][operator]
    if decided.get("Condition") == {}:
        del decided["Condition"]
    return decided


def permitted_with(policy_documents: list[dict[str, Any]], action: str, resource: str, condition_key: str, operators: Operators,
                   values: list[str]) -> bool:
    """Whether the policies allow ``action`` on ``resource`` for a request whose ``condition_key`` (lower case) holds ``values``."""
    permitted = False
    for document in policy_documents:
        statements = document["Statement"] if isinstance(document["Statement"], list) else [document["Statement"]]
        kept = [s for s in (_decided(statement, condition_key, operators, values) for statement in statements) if s is not None]
        if not kept:
            continue
        result = IAMPolicy(json.dumps(dict(document, Statement=kept))).is_action_permitted(action, resource)
        if result == PermissionResult.DENIED:
            return False
        permitted = permitted or result == PermissionResult.PERMITTED
    return permitted
