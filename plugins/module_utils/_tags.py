# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The tags the collection writes on AWS resources: one prefix for every key, values AWS accepts.

Keys: the lease (``aurora-global-db:lease-*``, on the global cluster), the global database and the upgrade a
snapshot was taken before (``aurora-global-db:global-cluster``, ``aurora-global-db:upgrade``), and the mark of what a snapshot restore
created (``aurora-global-db:snapshot-restore``, on each new resource). Earlier versions of the collection wrote the restore
mark as ``aurora-global-db-snapshot-restore``: resources tagged so are still recognised, so that a run begun by
such a version resumes.
"""

import re

PREFIX = "aurora-global-db:"
LEASE_TAG_PREFIX = PREFIX + "lease-"
RESTORE_TAG = PREFIX + "snapshot-restore"
# On a snapshot taken before an upgrade: the global database it belongs to, and the upgrade ("14.6 to 15.4").
SNAPSHOT_GLOBAL_CLUSTER_TAG = PREFIX + "global-cluster"
SNAPSHOT_UPGRADE_TAG = PREFIX + "upgrade"
# The restore mark as earlier versions wrote it, read but never written.
_LEGACY_RESTORE_TAGS = ("aurora-global-db-snapshot-restore",)
# An RDS tag value holds letters, digits, white space and _ . : / = + - @ (AWS Tag data type), at most 256 characters.
_NOT_IN_TAG_VALUE = re.compile(r"[^\w\s.:/=+\-@]")
_TAG_VALUE_LENGTH = 256


def tag_value(text):
    """``text`` as a tag value: characters a tag cannot hold become '-', at most 256 characters, never empty."""
    return _NOT_IN_TAG_VALUE.sub("-", text)[:_TAG_VALUE_LENGTH] or "-"


def tag_list(tags):
    """A {key: value} dict as the TagList that AWS's calls take."""
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def pre_upgrade_snapshot_tags(global_cluster_identifier, upgrade):
    """The tags of a snapshot taken before ``upgrade`` of a global database, as a {key: value} dict."""
    return {SNAPSHOT_GLOBAL_CLUSTER_TAG: tag_value(global_cluster_identifier), SNAPSHOT_UPGRADE_TAG: tag_value(upgrade)}


def restore_tags(value):
    """The TagList that marks a resource created by a snapshot restore."""
    return tag_list({RESTORE_TAG: value})


def has_restore_mark(description, value):
    """Whether a description's TagList carries the restore mark ``value``, under its key or an earlier version's."""
    keys = (RESTORE_TAG,) + _LEGACY_RESTORE_TAGS
    return any(tag.get("Key") in keys and tag.get("Value") == value for tag in description.get("TagList") or [])
