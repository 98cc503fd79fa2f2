# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one error type at the root of the collection's errors, and how a module reports it.

Every failure the collection foresees (a refusal, an AWS error, a wait that
ended badly, a bad version string) is an AuroraGlobalError, so each module's
main() has one ``except``. The error carries the progress of the run so far
(amazon.aws's AnsibleAWSError keeps such extra result keys in ``kwargs``).
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError


class AuroraGlobalError(AnsibleAWSError):
    """A failure to report to the user: ``message``, the SDK ``exception`` if any, ``progress`` (extra result keys)."""

    def __init__(self, message, exception=None, **progress):
        super().__init__(message=message, exception=exception, **progress)

    @property
    def progress(self):
        """The result keys that say how far the run got (``upgraded``, ``failed_members``, ...); empty when nothing ran."""
        return self.kwargs


def fail_module(module, error):
    """End the module with ``error``: its message, AWS's error details when it has them, and its progress."""
    if error.exception is not None:
        module.fail_json_aws(error.exception, msg=error.message, **error.progress)
    module.fail_json(msg=error.message, **error.progress)


def exit_module(module, run):
    """End the module with what ``run()`` returns (its ``diff`` only in diff mode), or with its AuroraGlobalError."""
    try:
        result = run()
    except AuroraGlobalError as error:
        fail_module(module, error)
    if not module._diff:  # pylint: disable=protected-access
        result.pop("diff", None)
    module.exit_json(**result)
