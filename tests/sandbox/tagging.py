# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tags on global clusters: AddTagsToResource, RemoveTagsFromResource and ListTagsForResource with a global cluster's ARN.

AWS tags Aurora global clusters (Aurora User Guide, "Tagging Amazon Aurora and Amazon RDS resources"; botocore's
GlobalCluster shape carries a TagList); moto's tagging knows no global-cluster ARN and refuses it as an invalid
resource name. A global cluster's ARN names no region (arn:aws:rds::ACCOUNT:global-cluster:ID), so every region's
endpoint serves it. Keys and values are checked as the RDS API's Tag data type documents them.
"""

from __future__ import annotations

import re
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.rds.exceptions import InvalidParameterValue
from moto.rds.models import GlobalCluster

from .topology import find_global_cluster

GLOBAL_CLUSTER_ARN = re.compile(r"^arn:aws[a-z-]*:rds::[0-9]{12}:global-cluster:.+$")
# API_Tag: Unicode letters, digits, white space and _ . : / = + - @; keys 1-128, values 0-256 characters; no aws: or rds: prefix.
TAG_TEXT = re.compile(r"^[\w\s.:/=+\-@]*$")
RESERVED_PREFIXES = ("aws:", "rds:")


def _check_tag(tag: dict[str, Any]) -> None:
    key, value = tag.get("Key", ""), tag.get("Value", "")
    for name, text, longest in (("key", key, 128), ("value", value, 256)):
        if len(text) > longest or not TAG_TEXT.match(text) or text.lower().startswith(RESERVED_PREFIXES):
            raise InvalidParameterValue(f"Invalid tag {name} {text!r}: at most {longest} letters, digits, spaces and _.:/=+-@, "
                                        "not starting with aws: or rds:")
    if not key:
        raise InvalidParameterValue("A tag key must not be empty")


class GlobalClusterTagging:
    """Mixed into the sandbox's RDSResponse: global-cluster ARNs are served here, every other ARN by moto."""

    def _tagged_global_cluster(self) -> GlobalCluster | None:
        arn = self.params.get("ResourceName", "")
        return find_global_cluster(self.current_account, arn) if GLOBAL_CLUSTER_ARN.match(arn) else None

    def list_tags_for_resource(self) -> ActionResult:
        global_cluster = self._tagged_global_cluster()
        if global_cluster is None:
            return super().list_tags_for_resource()
        return ActionResult({"TagList": global_cluster.get_tags()})

    def add_tags_to_resource(self) -> ActionResult:
        global_cluster = self._tagged_global_cluster()
        if global_cluster is None:
            return super().add_tags_to_resource()
        tags = self.params.get("Tags", [])
        for tag in tags:
            _check_tag(tag)
        global_cluster.add_tags(tags)
        return EmptyResult()

    def remove_tags_from_resource(self) -> ActionResult:
        global_cluster = self._tagged_global_cluster()
        if global_cluster is None:
            return super().remove_tags_from_resource()
        global_cluster.remove_tags(self.params.get("TagKeys", []))
        return EmptyResult()
