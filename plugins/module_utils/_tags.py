# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The tags the collection writes on AWS resources: one prefix for every key, values AWS accepts.

Keys: the lease (``aurora-global-db:lease-*``, on the global cluster), the global database and the upgrade a
snapshot was taken before (``aurora-global-db:global-cluster``, ``aurora-global-db:upgrade``), and the mark of what a snapshot restore
created (``aurora-global-db:snapshot-restore``, on each new resource). Earlier versions of the collection wrote the restore
mark as ``aurora-global-db-snapshot-restore``: resources tagged so are still recognised, so that a run begun by
such a version resumes. The method rebuild_secondaries writes its journal on the global cluster (``aurora-global-db:rebuild-*``:
when it began, and the region and original identifier of each secondary it rebuilds), marks what it creates
(``aurora-global-db:rebuilt-secondary``) and says on each removed cluster what it was (``aurora-global-db:detached-from``).
"""

import re

PREFIX = "aurora-global-db:"
LEASE_TAG_PREFIX = PREFIX + "lease-"
RESTORE_TAG = PREFIX + "snapshot-restore"
# On a snapshot taken before an upgrade: the global database it belongs to, and the upgrade ("14.6 to 15.4").
SNAPSHOT_GLOBAL_CLUSTER_TAG = PREFIX + "global-cluster"
SNAPSHOT_UPGRADE_TAG = PREFIX + "upgrade"
# The rebuild_secondaries journal, on the global cluster: when the run began, and one key per secondary region rebuilt.
REBUILD_STARTED_TAG = PREFIX + "rebuild-started"
REBUILD_SECONDARY_TAG_PREFIX = PREFIX + "rebuild-secondary:"
# On what rebuild_secondaries creates ("<global cluster> <started>") and on what it removed (what it was).
REBUILT_TAG = PREFIX + "rebuilt-secondary"
DETACHED_TAG = PREFIX + "detached-from"
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


def is_collection_tag(key):
    """Whether a tag key is one the collection writes (its bookkeeping, never copied to a new resource)."""
    return key.startswith(PREFIX)


def rebuild_journal_tags(started, secondaries):
    """The journal of a rebuild_secondaries run: ``started`` (tag-safe text) and {region: original identifier}."""
    tags = {REBUILD_STARTED_TAG: started}
    tags.update((REBUILD_SECONDARY_TAG_PREFIX + region, identifier) for region, identifier in secondaries.items())
    return tag_list(tags)


def rebuild_journal(tag_list_read):
    """(started, {region: original identifier}) from the global cluster's TagList; (None, {}) when no rebuild is under way."""
    tags = {tag["Key"]: tag.get("Value", "") for tag in tag_list_read or []}
    secondaries = {key[len(REBUILD_SECONDARY_TAG_PREFIX):]: value for key, value in tags.items() if key.startswith(REBUILD_SECONDARY_TAG_PREFIX)}
    return tags.get(REBUILD_STARTED_TAG), secondaries


def rebuild_journal_keys(tag_list_read):
    """The journal's keys in a TagList, to remove them once the rebuild is over."""
    return [tag["Key"] for tag in tag_list_read or [] if tag["Key"] == REBUILD_STARTED_TAG or tag["Key"].startswith(REBUILD_SECONDARY_TAG_PREFIX)]


def rebuilt_mark(global_cluster_identifier, started):
    """The value of REBUILT_TAG on what one rebuild creates: the global database and when that rebuild began."""
    return tag_value("%s %s" % (global_cluster_identifier, started))


def has_tag(description, key, value):
    """Whether a description's TagList carries ``key`` with ``value``."""
    return any(tag.get("Key") == key and tag.get("Value") == value for tag in description.get("TagList") or [])
