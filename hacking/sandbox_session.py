# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""make sandbox / make sandbox-stop: the local AWS sandbox in the background, for trying the playbooks by hand.

`start` runs `python -m sandbox serve` as a background process (its pid in .build/sandbox.pid), seeds the
postgresql-14 scenario (pg-global: Aurora PostgreSQL 14.6, primary in us-east-1, secondaries in eu-west-1 and
ap-southeast-2) and prints on stdout the shell lines that point boto3 and Ansible at it, so that
`eval "$(make -s sandbox)"` exports them; what it did goes to stderr. `stop` stops that process.
"""

import os
import select
import shlex
import signal
import subprocess
import sys
import time

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = os.path.join(REPOSITORY, "tests")
BUILD = os.path.join(REPOSITORY, ".build")
PIDFILE = os.path.join(BUILD, "sandbox.pid")
URLFILE = os.path.join(BUILD, "sandbox.url")
SCENARIO = "postgresql-14"
REGION = "us-east-1"
START_TIMEOUT = 60
STOP_TIMEOUT = 10


def _say(text):
    print(text, file=sys.stderr, flush=True)


def _environment():
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [TESTS, os.environ.get("PYTHONPATH")]))
    return environment


def _running_pid():
    """The pid of the sandbox this script started, if it still runs (a pid reused by another process does not count)."""
    try:
        with open(PIDFILE, encoding="utf-8") as handle:
            pid = int(handle.read().strip())
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            command_line = handle.read().decode(errors="replace")
    except (OSError, ValueError):
        return None
    return pid if "sandbox" in command_line else None


def _exports(endpoint_url):
    """Shell lines for boto3 and Ansible: the sandbox's endpoint, the credentials it accepts, a region, the venv's tools."""
    variables = {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
        # ansible-core imports DSA from cryptography >= 48 at every start, which warns of its deprecation.
        "PYTHONWARNINGS": "ignore:DSA is deprecated",
    }
    return "\n".join("export %s=%s" % (name, shlex.quote(value)) for name, value in variables.items())


def _start_server():
    os.makedirs(BUILD, exist_ok=True)
    server = subprocess.Popen(  # pylint: disable=consider-using-with  # runs on after this script; stop() ends it
        [sys.executable, "-m", "sandbox", "serve", "--pidfile", PIDFILE],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True,
        env=_environment(), start_new_session=True,
    )
    readable = select.select([server.stdout], [], [], START_TIMEOUT)[0]
    endpoint_url = server.stdout.readline().strip() if readable else ""
    if not endpoint_url.startswith("http"):
        server.kill()
        sys.exit("the sandbox did not start within %s s" % START_TIMEOUT)
    with open(URLFILE, "w", encoding="utf-8") as handle:
        handle.write(endpoint_url + "\n")
    subprocess.run([sys.executable, "-m", "sandbox", "seed", "--endpoint-url", endpoint_url, "--scenario", SCENARIO],
                   env=_environment(), check=True, stdout=subprocess.DEVNULL)
    return endpoint_url


def start():
    if _running_pid():
        with open(URLFILE, encoding="utf-8") as handle:
            endpoint_url = handle.read().strip()
        _say("The sandbox already runs at %s (make sandbox-stop stops it)." % endpoint_url)
    else:
        endpoint_url = _start_server()
        _say("Sandbox started at %s with global database pg-global (Aurora PostgreSQL 14.6: primary pg-primary-use1 in us-east-1, "
             "secondaries in eu-west-1 and ap-southeast-2). Stop it with: make sandbox-stop" % endpoint_url)
        _say("Export these (eval \"$(make -s sandbox)\" does it for you):")
    print(_exports(endpoint_url), flush=True)


def stop():
    pid = _running_pid()
    if pid is None:
        _say("No sandbox started by make sandbox is running.")
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while _running_pid() and time.monotonic() < deadline:
        time.sleep(0.2)
    if _running_pid():
        os.kill(pid, signal.SIGKILL)
    _say("Sandbox stopped.")


def main():
    commands = {"start": start, "stop": stop}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit("usage: %s {start,stop}" % sys.argv[0])
    commands[sys.argv[1]]()


if __name__ == "__main__":
    main()
