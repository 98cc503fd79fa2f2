# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.aurora.global_db.plugins.filter.failure_message import failure_message
from ansible_collections.aurora.global_db.plugins.filter.module_result import module_result


def test_module_result_keeps_only_what_the_module_returned():
    registered = {"changed": True, "failed": False, "failed_when_result": False, "invocation": {}, "warnings": [], "_ansible_no_log": False,
                  "boto3_version": "1", "response_metadata": {}, "members": [1], "msg": "why"}
    assert module_result(registered) == {"members": [1], "msg": "why"}
    assert module_result(None) == {} and module_result({"skipped": True, "skip_reason": "x"}) == {}
    with pytest.raises(AnsibleFilterError):
        module_result("text")


def test_failure_message_is_the_first_failed_results():
    loop = {"failed": True, "msg": "One or more items failed", "results": [{"failed": False}, {"failed": True, "msg": "[downgrade] no"}]}
    assert failure_message([None, {"failed": False, "msg": "ok"}, loop, {"failed": True, "msg": "later"}]) == "[downgrade] no"
    assert failure_message([{"failed": True, "msg": "lease held"}]) == "lease held"
    assert failure_message([None, {"changed": False}]) is None
