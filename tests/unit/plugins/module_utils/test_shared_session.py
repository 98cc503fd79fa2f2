# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One boto3 Session for every region's client, with the settings amazon.aws would give each client (no AWS call made)."""

import threading

import botocore.loaders
import pytest

from ansible_collections.amazon.aws.plugins.module_utils.botocore import _get_user_agent_string
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.module_utils.rds import RegionalClients
from ansible_collections.aurora.global_db.plugins.module_utils._shared_session import SharedSession

_AMAZON_AWS_OPTIONS = dict(
    access_key=None, secret_key=None, session_token=None, profile=None, region=None, endpoint_url=None,
    validate_certs=True, aws_ca_bundle=None, aws_config=None,
)


class _Module:
    """The options of amazon.aws's module_utils that get_aws_connection_info reads."""

    _name = "aurora_global_facts"

    def __init__(self, **options):
        self.params = dict(_AMAZON_AWS_OPTIONS, **options)


@pytest.fixture(autouse=True)
def _no_local_aws_settings(monkeypatch, tmp_path):
    for variable in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))


def _keys(**options):
    return _Module(access_key="AKIDEXAMPLE", secret_key="secret", region="us-east-1", **options)


def test_every_regions_client_comes_from_one_session_with_its_own_region_and_endpoint():
    clients = RegionalClients(_keys(endpoint_url="http://127.0.0.1:1"), {"eu-west-1": "http://127.0.0.1:2/region/eu-west-1"})
    home, other, own = clients.rds("us-east-1"), clients.rds("ap-southeast-2"), clients.rds("eu-west-1")
    assert [c.client.meta.region_name for c in (home, other, own)] == ["us-east-1", "ap-southeast-2", "eu-west-1"]
    assert [c.client.meta.endpoint_url for c in (home, other, own)] == ["http://127.0.0.1:1", "http://127.0.0.1:1", "http://127.0.0.1:2/region/eu-west-1"]
    # The parsed service model is the one botocore's loader of the shared session cached: read once, not once per region.
    assert home.client.meta.service_model is not None
    assert home.client._loader is other.client._loader is own.client._loader  # pylint: disable=protected-access


def test_the_clients_carry_the_credentials_user_agent_config_and_certificate_settings_amazon_aws_gives():
    module = _keys(session_token="token", aws_ca_bundle="/etc/ssl/certs/ca-certificates.crt", aws_config={"connect_timeout": 7})
    client = SharedSession(module).client("rds", region="eu-west-1")
    credentials = client._request_signer._credentials  # pylint: disable=protected-access
    assert (credentials.access_key, credentials.secret_key, credentials.token) == ("AKIDEXAMPLE", "secret", "token")
    assert client.meta.config.user_agent.startswith(_get_user_agent_string())
    assert client.meta.config.connect_timeout == 7
    assert client._endpoint.http_session._verify == "/etc/ssl/certs/ca-certificates.crt"  # pylint: disable=protected-access


def test_a_profile_is_resolved_by_botocore_from_the_shared_files(tmp_path):
    (tmp_path / "credentials").write_text("[ops]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n")
    client = SharedSession(_Module(profile="ops", region="us-east-1")).client("rds", region="eu-west-1")
    assert client._request_signer._credentials.access_key == "AKIDPROFILE"  # pylint: disable=protected-access


def test_calls_with_aws_retry_retry_as_amazon_aws_clients_do():
    client = SharedSession(_keys()).client("rds", retry_decorator=AWSRetry.jittered_backoff(retries=2), region="eu-west-1")
    assert client.describe_db_clusters.__name__ == "describe_db_clusters"
    assert client.client.meta.region_name == "eu-west-1"


def test_an_unknown_profile_is_a_clear_error():
    with pytest.raises(AuroraGlobalError) as failed:
        SharedSession(_Module(profile="missing", region="us-east-1")).client("rds", region="us-east-1")
    assert failed.value.message == "Couldn't connect to AWS"
    assert "missing" in str(failed.value.exception)


def test_no_region_anywhere_is_a_clear_error():
    with pytest.raises(AuroraGlobalError) as failed:
        SharedSession(_Module(access_key="AKIDEXAMPLE", secret_key="secret")).client("rds")
    assert failed.value.message.startswith("The aurora_global_facts module requires a region")


def test_the_paginator_model_is_read_once_when_the_clients_are_made_not_by_each_thread_s_first_read(monkeypatch):
    read = []
    load_file = botocore.loaders.JSONFileLoader.load_file

    def recording_load_file(loader, file_path):
        read.append(file_path)
        return load_file(loader, file_path)

    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", recording_load_file)
    regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1", "ap-northeast-1"]
    clients = RegionalClients(_keys(), {})
    made = [clients.rds(region) for region in regions]
    assert len([path for path in read if path.endswith("paginators-1")]) == 1
    barrier = threading.Barrier(len(made))
    paginators = []

    def first_paginated_read(client):
        barrier.wait()
        paginators.append(client.get_paginator("describe_db_clusters"))

    threads = [threading.Thread(target=first_paginated_read, args=(client,)) for client in made]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # A thread whose read raised would append nothing (threads swallow their exceptions).
    assert len(paginators) == len(made)
    assert len([path for path in read if path.endswith("paginators-1")]) == 1
