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
for the tag-on-create check, by handing moto's evaluator the policies with those conditions already decided
(policy_conditions.py).
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

from moto.core.exceptions import AccessDeniedError

from .policy_conditions import caller_policy_documents
from .policy_conditions import permitted_with
from .policy_conditions import string_equals

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
    "forallvalues:stringequals": string_equals,
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


def tag_keys_permitted(policy_documents: list[dict], action: str, resource: str, tag_keys: list[str]) -> bool:
    """Whether the policies allow ``action`` on ``resource`` for a request with these tag keys."""
    return permitted_with(policy_documents, action, resource, "aws:tagkeys", _TAG_KEYS_OPERATORS, tag_keys)


def check_tag_keys(iam_request, action: str, querystring: dict, resource: str, region: str, account_id: str) -> None:
    """After moto permitted ``action`` on ``resource``: AccessDenied when the tag keys of the request are not allowed."""
    tag_keys = request_tag_keys(querystring)
    if not tag_keys:
        return
    created = created_resource_arn(action, querystring, region, account_id)
    if created is None and action not in (ADD_TAGS, "RemoveTagsFromResource"):
        return
    checked_action = "rds:" + (ADD_TAGS if created else action)
    documents = caller_policy_documents(iam_request)
    if not tag_keys_permitted(documents, checked_action, created or resource, tag_keys):
        raise AccessDeniedError(user_arn=iam_request._access_key.arn, action=checked_action)  # pylint: disable=protected-access
