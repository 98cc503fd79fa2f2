# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one root error: it carries the run's progress, and fail_module reports it with AWS's details when there are any."""

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.errors import fail_module
from ansible_collections.aurora.global_db.tests.unit.plugins.module_utils.fakes import client_error


class _Failed(Exception):
    pass


class FakeModule:
    def __init__(self):
        self.failure = None

    def fail_json(self, **result):
        self.failure = ("fail_json", None, result)
        raise _Failed()

    def fail_json_aws(self, exception, **result):
        self.failure = ("fail_json_aws", exception, result)
        raise _Failed()


def test_an_error_without_aws_details_fails_with_its_message_and_progress():
    module = FakeModule()
    with pytest.raises(_Failed):
        fail_module(module, AuroraGlobalError("refused", upgraded=[], timed_out=False))
    assert module.failure == ("fail_json", None, {"msg": "refused", "upgraded": [], "timed_out": False})


def test_an_aws_error_keeps_its_details():
    module = FakeModule()
    aws_error = client_error("InvalidParameterValue", "no", "ModifyDBCluster")
    error = AuroraGlobalError("Starting the minor version upgrade", exception=aws_error)
    error.progress.update(failed_members=["pg-secondary-euw1"])
    with pytest.raises(_Failed):
        fail_module(module, error)
    assert module.failure == ("fail_json_aws", aws_error, {"msg": "Starting the minor version upgrade", "failed_members": ["pg-secondary-euw1"]})
    assert str(error) == "Starting the minor version upgrade: An error occurred (InvalidParameterValue) when calling the ModifyDBCluster operation: no"
