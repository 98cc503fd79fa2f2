# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: closest_name
version_added: 0.1.0
short_description: The known name closest to a misspelt one
description:
  - Returns the name of O(names) most similar to the input (Python's C(difflib) ratio), or V(None) when none is
    similar enough (ratio below O(cutoff)).
  - The prefix every known name shares (such as C(aurora_global_upgrade_)) is left out of the comparison, so that
    it does not make every name look similar.
  - The role P(aurora.global_db.aurora_global_upgrade#role) uses it to name the variable an unknown
    C(aurora_global_upgrade_*) variable was probably meant to be.
positional: names
options:
  _input:
    description: The unknown name.
    type: str
    required: true
  names:
    description: The known names.
    type: list
    elements: str
    required: true
  cutoff:
    description: The smallest similarity (0 to 1) a suggestion needs.
    type: float
    default: 0.6
author:
  - aurora.global_db maintainers
"""

EXAMPLES = r"""
- name: Suggest a variable name
  ansible.builtin.debug:
    msg: "{{ 'aurora_global_upgrade_wait_timout' | aurora.global_db.closest_name(['aurora_global_upgrade_wait_timeout']) }}"
"""

RETURN = r"""
_value:
  description: The closest known name, or V(None).
  type: str
"""

import difflib
import os.path

from ansible.errors import AnsibleFilterError


def closest_name(name, names, cutoff=0.6):
    if not isinstance(name, str) or not all(isinstance(known, str) for known in names):
        raise AnsibleFilterError("closest_name expects a name and a list of names")
    names = list(names)
    prefix = os.path.commonprefix(names) if len(names) > 1 else ""
    if not name.startswith(prefix):
        prefix = ""  # a typo in the prefix itself: the whole names are compared
    rests = {known[len(prefix):]: known for known in names}
    matches = difflib.get_close_matches(name[len(prefix):], list(rests), n=1, cutoff=cutoff)
    return rests[matches[0]] if matches else None


class FilterModule:
    def filters(self):
        return {"closest_name": closest_name}
