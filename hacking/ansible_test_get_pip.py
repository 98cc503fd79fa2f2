#!/usr/bin/env python
"""Give ansible-test its pip bootstrap script without leaving the package registries.

ansible-test builds each sanity venv without pip and then runs a get-pip script
that it downloads from a host outside PyPI, unless one is cached at
~/.ansible/test/cache/get_pip_<version>.py. This writes that cache entry: the
pip wheel comes from PyPI, and the script does what get-pip does with its
embedded wheel (run pip from the wheel to install the requested packages).
"""

import os
import re
import subprocess
import sys

import ansible_test

SCRIPT = '''"""pip bootstrap for ansible-test, written by aurora.global_db hacking/ansible_test_get_pip.py."""
import sys

sys.path.insert(0, {wheel!r})

from pip._internal.cli.main import main  # noqa: E402

# get-pip.py options that only stop it from adding setuptools and wheel, which this script never adds.
GET_PIP_ONLY = ("--no-setuptools", "--no-wheel")
sys.exit(main(["install", "--upgrade", "--force-reinstall"] + [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]))
'''


def _pip_version():
    requirements = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(requirements, encoding="utf-8") as handle:
        match = re.search(r"pip='([0-9.]+)'", handle.read())
    if not match:
        sys.exit(f"cannot find the pip version ansible-test wants in {requirements}")
    return match.group(1)


def main():
    version = _pip_version()
    cache = os.path.expanduser("~/.ansible/test/cache")
    script_path = os.path.join(cache, f"get_pip_{version.replace('.', '_')}.py")
    wheel = os.path.join(cache, f"pip-{version}-py3-none-any.whl")
    if not os.path.exists(wheel):
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:", "--dest", cache, f"pip=={version}"],
            check=True,
        )
    with open(script_path, "w", encoding="utf-8") as handle:
        handle.write(SCRIPT.format(wheel=wheel))
    print(f"ansible-test pip {version} bootstrap: {script_path}")


if __name__ == "__main__":
    main()
