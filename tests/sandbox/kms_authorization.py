# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""KMS permissions of a create that encrypts with a customer managed key, as AWS checks them and moto does not.

- Service Authorization Reference ("Actions, resources, and condition keys for Amazon RDS"), CreateDBCluster,
  CreateDBInstance and RestoreDBClusterFromSnapshot list the dependent actions kms:CreateGrant and kms:DescribeKey;
  the AWS Aurora User Guide ("Amazon Aurora and AWS KMS", "Restoring from a DB cluster snapshot") adds kms:Decrypt and
  kms:GenerateDataKey* for a restore, which reads the snapshot's data with the key. AWS managed keys (alias/aws/rds,
  KeyManager AWS) need no permission of the caller.
- AWS KMS Developer Guide, "kms:ViaService": the condition holds when the request comes through the named service,
  here rds.<region>.amazonaws.com for a request RDS makes in <region>.

moto checks none of this: after moto permitted the RDS action, the caller's policies must allow each KMS action on the
key's ARN with kms:ViaService = rds.<region>.amazonaws.com (StringEquals / StringLike evaluated here, as moto only
evaluates StringEquals).
"""

from __future__ import annotations

import copy
import json
from fnmatch import fnmatchcase
from typing import Any

from moto.core.exceptions import AccessDeniedError
from moto.iam.access_control import IAMPolicy
from moto.iam.access_control import PermissionResult
from moto.kms.models import kms_backends

_GRANT = ("kms:CreateGrant", "kms:DescribeKey")
KMS_ACTIONS = {
    "CreateDBCluster": _GRANT,
    "CreateDBInstance": _GRANT,
    "RestoreDBClusterFromSnapshot": _GRANT + ("kms:Decrypt", "kms:GenerateDataKey"),
}
VIA_SERVICE = "kms:viaservice"
_OPERATORS = {"stringlike": fnmatchcase, "stringequals": lambda value, expected: value == expected}


def via_rds(region: str) -> str:
    return f"rds.{region}.amazonaws.com"


def customer_managed_key_arn(key_id: str | None, region: str, account_id: str) -> str | None:
    """The ARN of a customer managed key (moto's KMS knows it with KeyManager CUSTOMER), else None."""
    if not key_id or "alias/" in key_id:
        return None
    key_region = key_id.split(":")[3] if key_id.startswith("arn:") else region
    key = kms_backends[account_id][key_region].keys.get(key_id.rsplit("/", 1)[-1])
    if key is None or key.key_manager != "CUSTOMER":
        return None
    return key.arn


def _decided(statement: dict[str, Any], via_service: str) -> dict[str, Any] | None:
    """The statement with its kms:ViaService conditions evaluated and removed; None when one of them does not hold."""
    decided = copy.deepcopy(statement)
    for operator, keys in list(decided.get("Condition", {}).items()):
        for key in [k for k in keys if k.lower() == VIA_SERVICE and operator.lower() in _OPERATORS]:
            expected = keys.pop(key)
            expected = [expected] if isinstance(expected, str) else expected
            if not any(_OPERATORS[operator.lower()](via_service, value) for value in expected):
                return None
        if not keys:
            del decided["Condition"][operator]
    if decided.get("Condition") == {}:
        del decided["Condition"]
    return decided


def denied_kms_action(policy_documents: list[dict[str, Any]], rds_action: str, key_arn: str, region: str) -> str | None:
    """The first KMS action ``rds_action`` needs on ``key_arn`` that the policies do not allow through RDS, or None."""
    for action in KMS_ACTIONS.get(rds_action, ()):
        permitted = False
        for document in policy_documents:
            statements = document["Statement"] if isinstance(document["Statement"], list) else [document["Statement"]]
            kept = [s for s in (_decided(statement, via_rds(region)) for statement in statements) if s is not None]
            if not kept:
                continue
            result = IAMPolicy(json.dumps(dict(document, Statement=kept))).is_action_permitted(action, key_arn)
            if result == PermissionResult.DENIED:
                permitted = False
                break
            permitted = permitted or result == PermissionResult.PERMITTED
        if not permitted:
            return action
    return None


def check_kms(iam_request: Any, rds_action: str, key_arn: str | None, region: str) -> None:
    """After moto permitted ``rds_action``: AccessDenied naming the KMS action the caller may not use on a customer managed key."""
    if key_arn is None or rds_action not in KMS_ACTIONS:
        return
    documents = [IAMPolicy(policy)._policy_json for policy in iam_request._access_key.collect_policies()]  # pylint: disable=protected-access
    denied = denied_kms_action(documents, rds_action, key_arn, region)
    if denied:
        raise AccessDeniedError(user_arn=iam_request._access_key.arn, action=denied)  # pylint: disable=protected-access
