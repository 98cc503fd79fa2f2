# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""make sandbox / make sandbox-stop: the local AWS sandbox in the background, for trying the playbooks by hand.

`start` starts the sandbox in the background (sandbox.launcher, its pid in .build/sandbox.pid), seeds the
postgresql-14 scenario (pg-global: Aurora PostgreSQL 14.6, primary in us-east-1, secondaries in eu-west-1 and
ap-southeast-2) and prints on stdout the shell lines that point boto3 and Ansible at it and make `python -m sandbox`
work, so that `eval "$(make -s sandbox)"` exports them; what it did goes to stderr. `stop` stops that process.
The Makefile puts tests/ on PYTHONPATH, where the sandbox package lives.
"""

import os
import shlex
import sys

from sandbox.client import CREDENTIALS, DEFAULT_REGION, SandboxClient
from sandbox.launcher import PACKAGE_PARENT, SandboxProcess, SandboxStartError, running_pid, stop_pidfile

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(REPOSITORY, ".build")
PIDFILE = os.path.join(BUILD, "sandbox.pid")
URLFILE = os.path.join(BUILD, "sandbox.url")
SCENARIO = "postgresql-14"


def _say(text):
    print(text, file=sys.stderr, flush=True)


def _exports(endpoint_url):
    """Shell lines for boto3 and Ansible (the sandbox's endpoint, the credentials it accepts, a region, the venv's
    tools) and for `python -m sandbox` (the package's directory first on PYTHONPATH, the caller's entries kept)."""
    variables = dict(CREDENTIALS, AWS_ENDPOINT_URL=endpoint_url, AWS_REGION=DEFAULT_REGION,
                     PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
                     # ansible-core imports DSA from cryptography >= 48 at every start, which warns of its deprecation.
                     PYTHONWARNINGS="ignore:DSA is deprecated")
    lines = ["export %s=%s" % (name, shlex.quote(value)) for name, value in variables.items()]
    # Expanded by the shell that evaluates it: make's own PYTHONPATH is not the caller's.
    lines.append('export PYTHONPATH=%s"${PYTHONPATH:+:$PYTHONPATH}"' % shlex.quote(PACKAGE_PARENT))
    return "\n".join(lines)


def start():
    if running_pid(PIDFILE):
        with open(URLFILE, encoding="utf-8") as handle:
            endpoint_url = handle.read().strip()
        _say("The sandbox already runs at %s (make sandbox-stop stops it)." % endpoint_url)
    else:
        os.makedirs(BUILD, exist_ok=True)
        try:
            endpoint_url = SandboxProcess(pidfile=PIDFILE, detached=True).endpoint_url
        except SandboxStartError as error:
            sys.exit(str(error))
        with open(URLFILE, "w", encoding="utf-8") as handle:
            handle.write(endpoint_url + "\n")
        SandboxClient(endpoint_url).seed(SCENARIO)
        _say("Sandbox started at %s with global database pg-global (Aurora PostgreSQL 14.6: primary pg-primary-use1 in us-east-1, "
             "secondaries in eu-west-1 and ap-southeast-2). Stop it with: make sandbox-stop" % endpoint_url)
        _say("Export these (eval \"$(make -s sandbox)\" does it for you):")
    print(_exports(endpoint_url), flush=True)


def stop():
    _say("Sandbox stopped." if stop_pidfile(PIDFILE) else "No sandbox started by make sandbox is running.")


def main():
    commands = {"start": start, "stop": stop}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit("usage: %s {start,stop}" % sys.argv[0])
    commands[sys.argv[1]]()


if __name__ == "__main__":
    main()
