# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Command line of the sandbox: python -m sandbox {serve,start,stop,seed,journal,configure,scenarios} (see docs/sandbox.md)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from .client import SandboxClient
from .launcher import SandboxProcess, stop_pidfile
from .scenarios import scenario_descriptions


def serve(args: argparse.Namespace) -> None:
    # Imported here: moto takes a second or two to import, and only this command needs it.
    from .server import SandboxServer

    stop = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stop.set())
    pidfile = Path(args.pidfile) if args.pidfile else None
    with SandboxServer(port=args.port, **_start_settings(args)) as server:
        if pidfile:
            pidfile.write_text(f"{os.getpid()}\n", encoding="utf-8")
        try:
            # The one line a caller waits for: the server answers from now on. Nothing more goes to stdout (its reader
            # may be gone: launcher.SandboxProcess closes the pipe), whatever a library prints later goes to stderr.
            print(server.endpoint_url, flush=True)
            os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
            stop.wait()
        finally:
            if pidfile:
                pidfile.unlink(missing_ok=True)


def start(args: argparse.Namespace) -> None:
    process = SandboxProcess(port=args.port, pidfile=args.pidfile, detached=True, **_start_settings(args))
    print(process.endpoint_url, flush=True)


def stop(args: argparse.Namespace) -> None:
    print("stopped" if stop_pidfile(args.pidfile) else "not running")


def _start_settings(args: argparse.Namespace) -> dict[str, Any]:
    settings = dict(args.settings)
    for name in ("upgrade_seconds", "status_delay_seconds"):
        if getattr(args, name) is not None:
            settings[name] = getattr(args, name)
    return settings


def seed(args: argparse.Namespace) -> None:
    _print_json(SandboxClient(args.endpoint_url).seed(args.scenario))


def journal(args: argparse.Namespace) -> None:
    _print_json(SandboxClient(args.endpoint_url).journal())


def configure(args: argparse.Namespace) -> None:
    _print_json(SandboxClient(args.endpoint_url).configure(**dict(args.settings)))


def scenarios(args: argparse.Namespace) -> None:
    for name, description in scenario_descriptions().items():
        print(f"{name}: {description}")


def _setting(text: str) -> tuple[str, Any]:
    """key=value; the value is read as JSON when it is JSON (numbers, lists, objects), as a string otherwise."""
    key, separator, value = text.partition("=")
    if not separator:
        raise argparse.ArgumentTypeError(f"expected key=value, got {text!r}")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2))


def _add_start_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--port", type=int, default=0, help="0 (the default) picks a free port")
    command.add_argument("--upgrade-seconds", type=float, help="how long a simulated upgrade runs (default 2)")
    command.add_argument("--status-delay-seconds", type=float, help="how long a cluster still says 'available' after an upgrade call (default 0)")
    command.add_argument("--set", dest="settings", action="append", type=_setting, default=[], metavar="key=value",
                         help="a setting it starts with and returns to at each reset (docs/sandbox.md, Settings); repeatable")
    command.add_argument("--pidfile", help="write the server's process id to this file while it runs")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="Local AWS sandbox for Aurora global database upgrades.")
    commands = parser.add_subparsers(dest="command", required=True)

    command = commands.add_parser("serve", help="run the sandbox in the foreground until SIGTERM or SIGINT; prints its endpoint URL once ready")
    _add_start_options(command)
    command.set_defaults(run=serve)

    command = commands.add_parser("start", help="start the sandbox in the background (stop it with stop); prints its endpoint URL once ready")
    _add_start_options(command)
    command.set_defaults(run=start)

    command = commands.add_parser("stop", help="stop the sandbox started with this pidfile")
    command.add_argument("--pidfile", required=True)
    command.set_defaults(run=stop)

    command = commands.add_parser("seed", help="create a scenario's global database")
    command.add_argument("--endpoint-url", required=True)
    command.add_argument("--scenario", required=True, choices=list(scenario_descriptions()))
    command.set_defaults(run=seed)

    command = commands.add_parser("journal", help="print the journal as JSON")
    command.add_argument("--endpoint-url", required=True)
    command.set_defaults(run=journal)

    command = commands.add_parser(
        "configure",
        help="change settings (docs/sandbox.md, Settings), e.g. throttle_fraction=0.2 'fail_upgrade_of=[\"pg-secondary-euw1\"]' regional_endpoints=true",
    )
    command.add_argument("--endpoint-url", required=True)
    command.add_argument("settings", nargs="+", type=_setting, metavar="key=value")
    command.set_defaults(run=configure)

    command = commands.add_parser("scenarios", help="list the scenarios")
    command.set_defaults(run=scenarios)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
