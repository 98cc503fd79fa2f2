# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The WSGI layer in front of moto: control API, journal of RDS calls, throttling, and reset of the sandbox's state."""

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
from .state import SANDBOX, SandboxState

MOTO_RESET_PATH = "/moto-api/reset"
# Request parameters that say nothing about what was asked, or must not be kept.
UNJOURNALED_PARAMETERS = frozenset({"Action", "Version", "MasterUserPassword"})
# SigV4: Credential=<key id>/<date>/<region>/<service>/aws4_request
CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,]+/[^/,]+/(?P<region>[^/,]+)/(?P<service>[^/,]+)/aws4_request")
ERROR_CODE = re.compile(rb"<Code>([^<]+)</Code>")
THROTTLING_BODY = (
    '<ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">'
    "<Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
    "<RequestId>{request_id}</RequestId></ErrorResponse>"
)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclasses.dataclass
class RdsCall:
    operation: str
    region: str | None
    params: dict[str, Any]


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
        path = environ.get("PATH_INFO", "")
        if path.startswith(control.PREFIX):
            return self._control(environ, start_response)
        if path == MOTO_RESET_PATH and environ.get("REQUEST_METHOD") == "POST":
            return self._reset(environ, start_response)
        call = rds_call_from(environ)
        if call is None:
            return self._moto_app(environ, start_response)
        return self._rds(call, environ, start_response)

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

    def _rds(self, call: RdsCall, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        # Outside the lock: calls to several regions wait out their latency at the same time, as they do in AWS.
        time.sleep(self._state.config.latency_seconds)
        with self._state.lock:
            entry = self._state.record_call(call.operation, call.region, call.params)
            if self._state.should_throttle():
                entry["error"] = "Throttling"
                throttled = Response(THROTTLING_BODY.format(request_id=uuid.uuid4()), status=400, content_type="text/xml")
                return throttled(environ, start_response)
            status, body = self._forward(environ, start_response)
            entry["error"] = _error_code(status, body)
        return [body]

    def _forward(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> tuple[str, bytes]:
        """Let moto answer; returns its status line and whole body, which tell whether the call failed."""
        statuses = []

        def recording_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            statuses.append(status)
            return start_response(status, headers, exc_info)

        body = _drain(self._moto_app(environ, recording_start_response))
        return statuses[-1], body


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
