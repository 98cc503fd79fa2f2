# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The sandbox server: moto's ThreadedMotoServer on 127.0.0.1, with the sandbox's RDS extensions and WSGI layer."""

from __future__ import annotations

from typing import Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.rds import urls as rds_urls
from werkzeug.serving import make_server

from . import membership, parameter_groups, restores
from .config import SandboxConfig
from .responses import SandboxRDSResponse
from .state import SANDBOX
from .wsgi import SandboxApp

HOST = "127.0.0.1"


def install_rds_extensions() -> None:
    """Serve RDS through SandboxRDSResponse: moto reads these paths when it builds its RDS app, at the first RDS request."""
    rds_urls.url_paths = {path: SandboxRDSResponse.dispatch for path in rds_urls.url_paths}
    parameter_groups.install()
    restores.install()
    membership.install()


class QuietRequestHandler(MotoRequestHandler):
    """No access log line per request: the journal records the calls that matter."""

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        """Errors are still logged, through log_error."""

    def handle(self) -> None:
        """Serve the connection's requests, then count it finished: every request it brought has been journaled by then."""
        try:
            super().handle()
        finally:
            with SANDBOX.lock:
                SANDBOX.finished_connections[self.client_address[1]] += 1


class SandboxServer(ThreadedMotoServer):
    """One per process: moto's backends and the sandbox's state are process-wide."""

    def __init__(self, port: int = 0, **settings: Any) -> None:
        """``settings``: the settings (docs/sandbox.md, "Settings") the server starts with, and returns to at each reset."""
        super().__init__(ip_address=HOST, port=port, verbose=False)
        # Validated now, so that a wrong value fails here rather than inside the server thread.
        self._config = SandboxConfig().updated(settings)

    @property
    def endpoint_url(self) -> str:
        host, port = self.get_host_and_port()
        return f"http://{host}:{port}"

    def start(self) -> None:
        install_rds_extensions()
        with SANDBOX.lock:
            SANDBOX.reset(self._config)
        super().start()

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def _server_entry(self) -> None:
        # ThreadedMotoServer builds its WSGI app in this method; the override only puts SandboxApp in front of it.
        app = SandboxApp(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self._ip_address, self._port, app, True, request_handler=QuietRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()
