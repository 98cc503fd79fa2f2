# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The name of the manual DB cluster snapshot taken before an upgrade: cluster, versions and UTC time, as AWS allows.

AWS's identifier rule (_identifiers.py) applies. The versions and the time are kept whole and the cluster identifier is
shortened when the whole would be too long, so that two snapshots of one upgrade never differ only in a cut-off part.
"""

import re

from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import MAX_LENGTH

# Aurora MySQL 8.0.mysql_aurora.3.04.0: the Aurora version (3.04.0) says it all and keeps the name short.
_MYSQL_LINE_PREFIX = re.compile(r"^\d+\.\d+\.mysql_aurora\.")
_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")
_UTC_MINUTE = re.compile(r"^\d{12}$")


def _hyphenated(text):
    return _NOT_ALLOWED.sub("-", str(text).lower()).strip("-")


def version_label(engine_version):
    """An engine version as a name allows it: 3-04-0 for 8.0.mysql_aurora.3.04.0, 15-4 for 15.4."""
    return _hyphenated(_MYSQL_LINE_PREFIX.sub("", str(engine_version)))


def pre_upgrade_snapshot_identifier(db_cluster_identifier, from_version, to_version, utc_minute):
    """<cluster>-pre-<from>-to-<to>-<yyyymmddHHMM>, for example pg-primary-use1-pre-14-6-to-15-4-202612011030.

    ``utc_minute`` is the UTC time as yyyymmddHHMM. ValueError when it is not, or when the cluster identifier does
    not start with a letter (AWS cluster identifiers always do).
    """
    if not _UTC_MINUTE.match(str(utc_minute)):
        raise ValueError("the time must be given as yyyymmddHHMM (UTC), not %r" % (utc_minute,))
    head = _hyphenated(db_cluster_identifier)
    if not head[:1].isalpha():
        raise ValueError("%r is not a DB cluster identifier: it must start with a letter" % (db_cluster_identifier,))
    suffix = "-pre-%s-to-%s-%s" % (version_label(from_version), version_label(to_version), utc_minute)
    return head[:MAX_LENGTH - len(suffix)].rstrip("-") + suffix
