# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The WSGI layer in front of moto: control API, regional endpoints, journal of RDS calls, latency, throttling, lost
responses, and reset of the sandbox's state."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import time
import uuid
from typing import Any, Callable, Iterable
from urllib.parse import parse_qsl

from werkzeug.wrappers import Request, Response

from . import control
from .client import IDENTIFIER_PARAMETERS
from .state import SANDBOX, SandboxState

MOTO_RESET_PATH = "/moto-api/reset"
# Request parameters that say nothing about what was asked, or must not be kept.
UNJOURNALED_PARAMETERS = frozenset({"Action", "Version", "MasterUserPassword"})
# SigV4: Credential=<key id>/<date>/<region>/<service>/aws4_request
CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,]+/[^/,]+/(?P<region>[^/,]+)/(?P<service>[^/,]+)/aws4_request")
ERROR_CODE = re.compile(rb"<Code>([^<]+)</Code>")
# A region's own endpoint: <endpoint_url>/region/<region-name>
REGION_PREFIX = re.compile(r"^/region/(?P<region>[^/]+)(?P<rest>/.*)?$")
# The region of the bare endpoint when every region has its own (regional_endpoints).
BARE_ENDPOINT_REGION = "us-east-1"
# AWS's answer to a request signed for another region than the endpoint's (HTTP 403; the trailing space is AWS's).
SCOPE_MISMATCH = "Credential should be scoped to a valid region, not '{region}'. "
ERROR_BODY = (
    '<ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">'
    "<Error><Type>{type}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
    "<RequestId>{request_id}</RequestId></ErrorResponse>"
)
# AWS's common error for a failure on its side (RDS API reference, "Common Errors"): clients retry it.
INTERNAL_FAILURE_MESSAGE = "The request processing has failed because of an unknown error, exception or failure."

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclasses.dataclass
class RdsCall:
    operation: str
    region: str | None
    params: dict[str, Any]

    def identifiers(self) -> frozenset[str]:
        """The identifiers (lower case; an ARN's last part) of what the call names."""
        return frozenset(str(self.params[name]).rsplit(":", 1)[-1].lower() for name in IDENTIFIER_PARAMETERS if name in self.params)


def _read_body(environ: dict[str, Any]) -> bytes:
    """The request body, put back so that moto can read it again."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _journaled_value(value: str) -> Any:
    return {"true": True, "false": False}.get(value, value)


def rds_call_from(environ: dict[str, Any]) -> RdsCall | None:
    """The RDS API call a request makes (region from its SigV4 credential scope), or None for anything else."""
    scope = CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if scope is None or scope["service"] != "rds":
        return None
    query = environ.get("QUERY_STRING", "")
    pairs = parse_qsl(query, keep_blank_values=True) + parse_qsl(_read_body(environ).decode("utf-8"), keep_blank_values=True)
    params = dict(pairs)
    if "Action" not in params:
        return None
    # Flattened lists and structures (Filters.Filter.1.Name ...) are left out: the key parameters are scalars.
    key_params = {name: _journaled_value(value) for name, value in params.items() if "." not in name and name not in UNJOURNALED_PARAMETERS}
    return RdsCall(params["Action"], scope["region"], key_params)


class SandboxApp:
    """Wraps moto's WSGI application (DomainDispatcherApplication)."""

    def __init__(self, moto_app: WsgiApp, state: SandboxState = SANDBOX) -> None:
        self._moto_app = moto_app
        self._state = state

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        endpoint_region = _mount_region_prefix(environ)
        path = environ.get("PATH_INFO", "")
        if path.startswith(control.PREFIX):
            return self._control(environ, start_response)
        if path == MOTO_RESET_PATH and environ.get("REQUEST_METHOD") == "POST":
            return self._reset(environ, start_response)
        call = rds_call_from(environ)
        if call is None:
            return self._moto_app(environ, start_response)
        return self._rds(call, endpoint_region, environ, start_response)

    def _control(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        payload = request.get_json(silent=True) if request.content_length else None
        status, body = control.handle(self._state, request.method, request.path, payload)
        return Response(json.dumps(body), status=status, content_type="application/json")(environ, start_response)

    def _reset(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with self._state.lock:
            response = self._moto_app(environ, start_response)
            self._state.reset()
        return response

    def _rds(self, call: RdsCall, endpoint_region: str | None, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        # Outside the lock: calls in parallel wait in parallel, as over a network.
        time.sleep(self._state.config.latency_seconds)
        late_seconds = 0.0
        with self._state.lock:
            entry = self._state.record_call(call.operation, call.region, call.params)
            if self._state.config.regional_endpoints and call.region != (endpoint_region or BARE_ENDPOINT_REGION):
                entry["error"] = "SignatureDoesNotMatch"
                return _error_response(403, "Sender", "SignatureDoesNotMatch", SCOPE_MISMATCH.format(region=call.region))(environ, start_response)
            if self._state.should_throttle():
                entry["error"] = "Throttling"
                return _error_response(400, "Sender", "Throttling", "Rate exceeded")(environ, start_response)
            status, headers, body = self._forward(environ)
            entry["error"] = _error_code(status, body)
            if entry["error"] is None:
                self._state.note_read(call.operation, call.identifiers())
            if entry["error"] is None and self._state.take_lost_response(call.operation):
                # The lost-response fault: the call took effect, its answer never arrives.
                entry.update(error="InternalFailure", applied=True)
                return _error_response(500, "Receiver", "InternalFailure", INTERNAL_FAILURE_MESSAGE)(environ, start_response)
            if entry["error"] is None and self._state.take_late_response(call.operation):
                # The late-response fault: the call took effect at once, its answer arrives late (a slow network).
                entry["late"] = True
                late_seconds = self._state.config.late_response_seconds
        time.sleep(late_seconds)
        start_response(status, headers)
        return [body]

    def _forward(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        """Let moto answer; returns its status line, headers and whole body, so that the answer can still be replaced."""
        answers = []

        def recording_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            answers.append((status, headers))

        body = _drain(self._moto_app(environ, recording_start_response))
        status, headers = answers[-1]
        return status, headers, body


def _error_response(status: int, error_type: str, code: str, message: str) -> Response:
    """An error as AWS's query API answers it."""
    body = ERROR_BODY.format(type=error_type, code=code, message=message, request_id=uuid.uuid4())
    return Response(body, status=status, content_type="text/xml")


def _mount_region_prefix(environ: dict[str, Any]) -> str | None:
    """The region of a /region/<name> endpoint, or None for the bare one.

    The prefix moves from PATH_INFO to SCRIPT_NAME, as for an application mounted there: moto routes the rest of
    the path, and the request's URL (which a signature check reads) stays whole.
    """
    match = REGION_PREFIX.match(environ.get("PATH_INFO", ""))
    if match is None:
        return None
    environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + f"/region/{match['region']}"
    environ["PATH_INFO"] = match["rest"] or "/"
    return match["region"]


def _drain(response: Iterable[bytes]) -> bytes:
    """The whole body; closing the iterable as a WSGI server would, since the caller only sees the copy."""
    try:
        return b"".join(response)
    finally:
        close = getattr(response, "close", None)
        if close is not None:
            close()


def _error_code(status: str, body: bytes) -> str | None:
    if int(status.split()[0]) < 400:
        return None
    match = ERROR_CODE.search(body)
    return match.group(1).decode("utf-8") if match else f"HTTP {status}"
