# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The plugins that run on the controller load without the SDK: ansible-playbook imports an action plugin (and a worker a
filter) at every run, and boto3 costs about 0.1 s of CPU to import. Only the modules, and the inventory plugin that
calls AWS itself, need it."""

import os
import subprocess
import sys

import pytest

_COLLECTION = "ansible_collections.aurora.global_db.plugins"
_PLUGINS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "plugins")
CONTROLLER_PLUGINS = sorted(
    "%s.%s.%s" % (_COLLECTION, kind, name[:-3])
    for kind in ("action", "filter")
    for name in os.listdir(os.path.join(_PLUGINS, kind))
    if name.endswith(".py") and name != "__init__.py"
)


def test_every_action_and_filter_plugin_is_checked():
    # Six action plugins (one per waiting module) and six filters: a lost listing would check nothing.
    assert len([name for name in CONTROLLER_PLUGINS if ".action." in name]) == 6
    assert len([name for name in CONTROLLER_PLUGINS if ".filter." in name]) == 6


@pytest.mark.parametrize("plugin", CONTROLLER_PLUGINS)
def test_a_controller_plugin_loads_without_boto3(plugin):
    # A process of its own: this one imported boto3 long ago, for the module_utils tests.
    check = "import sys, %s; print(sorted(name for name in ('boto3', 'botocore') if name in sys.modules))" % plugin
    completed = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=False,
                               env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"
