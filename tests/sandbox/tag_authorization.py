# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tag keys under IAM, as AWS checks them and moto does not.

- Tag on create. AWS RDS User Guide, "Grant permission to tag Amazon RDS resources during creation": "If tags are
  specified in the create action, RDS performs additional authorization on the rds:AddTagsToResource action to verify
  if users have permissions to create tags. Therefore, users must also have explicit permissions to use the
  rds:AddTagsToResource action." The check is made on the resource being created, with its tag keys.
- The aws:TagKeys condition. IAM User Guide, "Condition operators" and "Set operators for multivalued context keys":
  aws:TagKeys holds the tag keys of the request; ForAllValues:<operator> holds when every one of them matches a value
  of the condition. moto evaluates StringEquals conditions only (moto/iam/policy_conditions.py) and passes any other.

So this module evaluates ForAllValues:StringLike / ForAllValues:StringEquals on aws:TagKeys, for the tag actions and
for the tag-on-create check, by handing moto's evaluator the policies with those conditions already decided.
"""

from __future__ import annotations

import copy
import json
import re
from fnmatch import fnmatchcase

from moto.core.exceptions import AccessDeniedError
from moto.iam.access_control import IAMPolicy
from moto.iam.access_control import PermissionResult

ADD_TAGS = "AddTagsToResource"
# Create action -> (request parameter naming the new resource, its resource type, regional).
CREATED_RESOURCE = {
    "CreateDBClusterSnapshot": ("DBClusterSnapshotIdentifier", "cluster-snapshot", True),
    "RestoreDBClusterFromSnapshot": ("DBClusterIdentifier", "cluster", True),
    "CreateDBCluster": ("DBClusterIdentifier", "cluster", True),
    "CreateDBInstance": ("DBInstanceIdentifier", "db", True),
    "CreateGlobalCluster": ("GlobalClusterIdentifier", "global-cluster", False),
}
# The tag keys of a request in the query protocol: Tags.Tag.N.Key (or .member.), TagKeys.member.N.
_TAG_KEY_PARAMETER = re.compile(r"^(?:Tags\.(?:Tag|member)\.\d+\.Key|TagKeys\.member\.\d+)$")
_TAG_KEYS_OPERATORS = {
    "forallvalues:stringlike": fnmatchcase,
    "forallvalues:stringequals": lambda value, expected: value == expected,
}


def request_tag_keys(querystring: dict) -> list[str]:
    return [values[0] for name, values in sorted(querystring.items()) if _TAG_KEY_PARAMETER.match(name) and values]


def created_resource_arn(action: str, querystring: dict, region: str, account_id: str) -> str | None:
    """The ARN of the resource a create action makes, or None for any other action."""
    if action not in CREATED_RESOURCE:
        return None
    parameter, resource_type, regional = CREATED_RESOURCE[action]
    name = (querystring.get(parameter) or ["*"])[0].lower()
    return f"arn:aws:rds:{region if regional else ''}:{account_id}:{resource_type}:{name}"


def _tag_keys_condition_holds(operator: str, expected: list[str] | str, tag_keys: list[str]) -> bool:
    matches = _TAG_KEYS_OPERATORS[operator.lower()]
    expected = [expected] if isinstance(expected, str) else expected
    return all(any(matches(key, value) for value in expected) for key in tag_keys)


def _decided(statement: dict, tag_keys: list[str]) -> dict | None:
    """The statement with its aws:TagKeys conditions evaluated and removed; None when one of them does not hold."""
    decided = copy.deepcopy(statement)
    for operator, keys in list(decided.get("Condition", {}).items()):
        for key in [k for k in keys if k.lower() == "aws:tagkeys" and operator.lower() in _TAG_KEYS_OPERATORS]:
            if not _tag_keys_condition_holds(operator, keys.pop(key), tag_keys):
                return None
        if not keys:
            del decided["Condition"][operator]
    if decided.get("Condition") == {}:
        del decided["Condition"]
    return decided


def tag_keys_permitted(policy_documents: list[dict], action: str, resource: str, tag_keys: list[str]) -> bool:
    """Whether the policies allow ``action`` on ``resource`` for a request with these tag keys."""
    permitted = False
    for document in policy_documents:
        statements = document["Statement"] if isinstance(document["Statement"], list) else [document["Statement"]]
        kept = [s for s in (_decided(statement, tag_keys) for statement in statements) if s is not None]
        if not kept:
            continue
        result = IAMPolicy(json.dumps(dict(document, Statement=kept))).is_action_permitted(action, resource)
        if result == PermissionResult.DENIED:
            return False
        permitted = permitted or result == PermissionResult.PERMITTED
    return permitted


def check_tag_keys(iam_request, action: str, querystring: dict, resource: str, region: str, account_id: str) -> None:
    """After moto permitted ``action`` on ``resource``: AccessDenied when the tag keys of the request are not allowed."""
    tag_keys = request_tag_keys(querystring)
    if not tag_keys:
        return
    created = created_resource_arn(action, querystring, region, account_id)
    if created is None and action not in (ADD_TAGS, "RemoveTagsFromResource"):
        return
    checked_action = "rds:" + (ADD_TAGS if created else action)
    documents = [IAMPolicy(policy)._policy_json for policy in iam_request._access_key.collect_policies()]  # pylint: disable=protected-access
    if not tag_keys_permitted(documents, checked_action, created or resource, tag_keys):
        raise AccessDeniedError(user_arn=iam_request._access_key.arn, action=checked_action)  # pylint: disable=protected-access
