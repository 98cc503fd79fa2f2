# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The clients of every region from one boto3 Session, made with amazon.aws's connection settings.

AnsibleAWSModule.client() builds a new boto3 Session for every client, and each Session parses botocore's
service models again (about 0.15 s of CPU for RDS, holding the GIL). A global database touches up to six
regions, so the clients share one Session instead. Everything else is amazon.aws's: the credentials, profile,
certificate checks, aws_config and endpoint_url come from get_aws_connection_info() (botocore resolves the
credentials, as it does for amazon.aws), the user agent and placebo hook from the helpers amazon.aws builds
its own clients with, and the clients retry through amazon.aws's RetryingBotoClientWrapper.
"""

try:
    import boto3
    import botocore.config
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import NoRegionError
except ImportError:
    pass  # AnsibleAWSModule reports the missing SDK.

# _get_user_agent_string is the user agent amazon.aws gives every client it builds (its _boto3_conn); no public alias exists.
from ansible_collections.amazon.aws.plugins.module_utils.botocore import _get_user_agent_string
from ansible_collections.amazon.aws.plugins.module_utils.botocore import enable_placebo
from ansible_collections.amazon.aws.plugins.module_utils.botocore import get_aws_connection_info
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError


class SharedSession:
    """AnsibleAWSModule.client() for many regions: same arguments, same clients, one boto3 Session (built on first use)."""

    def __init__(self, module):
        self._module_name = module._name  # pylint: disable=protected-access
        self._region, self._endpoint_url, connection = get_aws_connection_info(module)
        self._profile = connection.pop("profile_name", None)
        self._config = botocore.config.Config(user_agent=_get_user_agent_string())
        aws_config = connection.pop("aws_config", None)
        if aws_config:
            self._config = self._config.merge(aws_config)
        self._connection = connection
        self._session = None

    def client(self, service, retry_decorator=None, region=None, endpoint=None):
        """A client of ``service`` in ``region`` (default: the module's) at ``endpoint`` (default: endpoint_url).

        Not safe to call from several threads at once (boto3 sessions are not); the clients it returns are.
        """
        try:
            if self._session is None:
                session = boto3.session.Session(profile_name=self._profile)
                enable_placebo(session)
                self._session = session
            client = self._session.client(
                service, config=self._config, region_name=region or self._region, endpoint_url=endpoint or self._endpoint_url, **self._connection
            )
            # botocore loads a service's paginator model at a client's first paginated call, into a cache the session's clients
            # share but that has no lock: the first reads, made by several threads at once (_fanout.py), would each load it.
            # Loaded here, where clients are made one at a time, eleven regions' clients and their first reads take 0.11 s of
            # CPU instead of 0.21 s (three regions: 0.08 s instead of 0.12 s).
            client.can_paginate(next(iter(client.meta.method_to_api_mapping)))
        except NoRegionError as error:
            raise AuroraGlobalError(
                message="The %s module requires a region and none was found in configuration, environment variables or module parameters" % self._module_name,
                exception=error,
            ) from error
        except (ValueError, BotoCoreError) as error:
            raise AuroraGlobalError(message="Couldn't connect to AWS", exception=error) from error
        return client if retry_decorator is None else RetryingBotoClientWrapper(client, retry_decorator)
