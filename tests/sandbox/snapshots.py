# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Manual DB cluster snapshots as AWS makes them: identifiers checked and stored in lower case, `creating` then `available`."""

from __future__ import annotations

import re

from moto.rds.exceptions import InvalidParameterValue
from moto.rds.models import DBClusterSnapshot

CREATING = "creating"
AVAILABLE = "available"
# botocore CreateDBClusterSnapshotMessage.DBClusterSnapshotIdentifier: 1 to 63 letters, numbers or hyphens; the first a
# letter; no hyphen at the end, no two in a row.
MAX_IDENTIFIER_LENGTH = 63
_IDENTIFIER = re.compile(r"[a-z](?:-?[a-z0-9])*")


def checked_identifier(identifier: str) -> str:
    """The identifier as AWS stores it (lower case), or InvalidParameterValue as AWS words it."""
    lowered = identifier.lower()
    if len(lowered) > MAX_IDENTIFIER_LENGTH or not _IDENTIFIER.fullmatch(lowered):
        raise InvalidParameterValue(
            "The parameter DBClusterSnapshotIdentifier is not a valid identifier. Identifiers must begin with a letter; "
            "must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens."
        )
    return lowered


def start_creating(snapshot: DBClusterSnapshot) -> None:
    snapshot.status = CREATING
    snapshot.percent_progress = 0


def finish_creating(snapshot: DBClusterSnapshot) -> None:
    snapshot.status = AVAILABLE
    snapshot.percent_progress = 100
