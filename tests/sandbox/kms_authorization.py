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
key's ARN with kms:ViaService = rds.<region>.amazonaws.com (StringEquals / StringLike evaluated by policy_conditions.py,
as moto only evaluates StringEquals).
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from moto.core.exceptions import AccessDeniedError
from moto.kms.models import kms_backends

from .policy_conditions import caller_policy_documents
from .policy_conditions import permitted_with
from .policy_conditions import string_equals

_GRANT = ("kms:CreateGrant", "kms:DescribeKey")
KMS_ACTIONS = {
    "CreateDBCluster": _GRANT,
    "CreateDBInstance": _GRANT,
    "RestoreDBClusterFromSnapshot": _GRANT + ("kms:Decrypt", "kms:GenerateDataKey"),
}
VIA_SERVICE = "kms:viaservice"
_OPERATORS = {"stringlike": fnmatchcase, "stringequals": string_equals}


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


def denied_kms_action(policy_documents: list[dict[str, Any]], rds_action: str, key_arn: str, region: str) -> str | None:
    """The first KMS action ``rds_action`` needs on ``key_arn`` that the policies do not allow through RDS, or None."""
    return next((action for action in KMS_ACTIONS.get(rds_action, ())
                 if not permitted_with(policy_documents, action, key_arn, VIA_SERVICE, _OPERATORS, [via_rds(region)])), None)


def check_kms(iam_request: Any, rds_action: str, key_arn: str | None, region: str) -> None:
    """After moto permitted ``rds_action``: AccessDenied naming the KMS action the caller may not use on a customer managed key."""
    if key_arn is None or rds_action not in KMS_ACTIONS:
        return
    documents = caller_policy_documents(iam_request)
    denied = denied_kms_action(documents, rds_action, key_arn, region)
    if denied:
        raise AccessDeniedError(user_arn=iam_request._access_key.arn, action=denied)  # pylint: disable=protected-access
