# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS's rule for the names of DB clusters, DB instances and DB cluster snapshots, and how AWS matches names.

botocore CreateDBClusterMessage, CreateDBInstanceMessage, CreateDBClusterSnapshotMessage: 1 to 63 letters, digits
or hyphens, the first a letter, no hyphen at the end and never two in a row. AWS stores identifiers (and parameter
group names) in lower case and matches them case-insensitively.
"""

import re

MAX_LENGTH = 63
_RDS_IDENTIFIER = re.compile(r"^[a-z](?:-?[a-z0-9])*$", re.IGNORECASE)
# The rule in the words of the refusals.
IDENTIFIER_RULE = "1 to %d letters, digits or hyphens, the first a letter, no hyphen at the end or two in a row" % MAX_LENGTH


def is_rds_identifier(identifier):
    """Whether AWS accepts ``identifier`` as the name of a new DB cluster, DB instance or DB cluster snapshot."""
    return len(identifier) <= MAX_LENGTH and bool(_RDS_IDENTIFIER.match(identifier))


def same_identifier(left, right):
    """Whether two identifiers name the same resource: AWS matches them case-insensitively and stores them in lower case."""
    return left.lower() == right.lower()


def stored_form(identifier):
    """The identifier as AWS stores it (lower case)."""
    return identifier.lower()
