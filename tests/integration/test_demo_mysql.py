# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""make demo-mysql, in a fresh copy of the repository as test_newcomer.py runs make demo: the Aurora MySQL 3 minor upgrade
AWS refuses in place, done by rebuild_secondaries after the plan refuses in_place, then the snapshot restore."""

from __future__ import annotations

import re

from test_demo_methods import make_in_a_fresh_copy


def test_make_demo_mysql_shows_in_place_refused_then_the_rebuild_and_its_detached_clusters(tmp_path):
    completed = make_in_a_fresh_copy(tmp_path, "demo-mysql")
    output = completed.stdout
    assert completed.returncode == 0, output
    assert "Traceback" not in output, output
    assert re.findall(r"^(\d)/7  ", output, re.MULTILINE) == ["1", "2", "3", "4", "5", "6", "7"], output
    assert "in_place blocked (in_place_minor_refused)" in output and "rebuild_secondaries can do it" in output
    assert "(refused, as expected: nothing was changed)" in output
    # Check mode's list of calls, one debug line each.
    assert re.search(r'" +\d+\. remove +RemoveFromGlobalCluster +us-west-2 +orders-mysql-uw2"', output), output
    assert "KEPT, NOT DELETED" in output and "aws rds delete-db-cluster --region us-west-2 --db-cluster-identifier orders-mysql-uw2-detached" in output
    assert re.search(r"The global database had no secondary for [\d.]+ s", output), output
    changes = [operation for operation in re.findall(r"^  \+ *[\d.]+s  (\S+)", output, re.MULTILINE)
               if operation in ("RemoveFromGlobalCluster", "RestoreDBClusterFromSnapshot", "CreateGlobalCluster")]
    assert changes == ["RemoveFromGlobalCluster", "RemoveFromGlobalCluster", "RestoreDBClusterFromSnapshot", "CreateGlobalCluster"], output
    assert "Sandbox stopped." in output
