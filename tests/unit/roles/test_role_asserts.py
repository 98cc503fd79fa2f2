# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The role reads the blocker codes from the registry (through the facts module's plan), and relays the modules' results:
no list of codes, no filter or set_fact that works out again what a module returned."""

from pathlib import Path

import yaml

from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import BLOCKER_CODES

ROLE = Path(__file__).resolve().parents[3] / "roles" / "aurora_global_upgrade"


def _load(name):
    return yaml.safe_load((ROLE / name).read_text(encoding="utf-8"))


def _tasks(tasks):
    """Every task of a task list, those in blocks included."""
    for task in tasks or []:
        yield task
        for section in ("block", "rescue", "always"):
            yield from _tasks(task.get(section))


def _role_text():
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(ROLE.rglob("*")) if path.is_file() and path.suffix in (".yml", ".j2"))


def test_no_blocker_code_is_listed_in_the_role():
    text = _role_text()
    assert [code for code in BLOCKER_CODES if code in text] == []


def test_the_role_refuses_naming_every_blocker_the_plan_reports_before_any_method_runs():
    [block] = [task for task in _load("tasks/main.yml") if "block" in task]
    names = [task["name"] for task in block["block"]]
    [refusal] = [task for task in block["block"] if "ansible.builtin.fail" in task]
    assert refusal["when"] == "__aurora_global_upgrade_blockers | length > 0"
    assert "{% for blocker in __aurora_global_upgrade_blockers %}[{{ blocker.code }}] {{ blocker.message }}" in refusal["ansible.builtin.fail"]["msg"]
    # Every method is planned by the facts call (its method option), and refused before its file (the lease) runs.
    [facts] = [task for task in block["block"] if "aurora.global_db.aurora_global_facts" in task]
    assert facts["aurora.global_db.aurora_global_facts"]["method"] == "{{ aurora_global_upgrade_method }}"
    [method] = [task for task in block["block"] if "ansible.builtin.include_tasks" in task]
    assert names.index(facts["name"]) < names.index(refusal["name"]) < names.index(method["name"]) == len(names) - 1


def test_every_method_takes_the_lease_after_its_last_check():
    methods = _load("meta/argument_specs.yml")["argument_specs"]["main"]["options"]["aurora_global_upgrade_method"]["choices"]
    assert len(methods) == 5
    for method in methods:
        tasks = _load("tasks/%s.yml" % method)
        lease = [index for index, task in enumerate(tasks) if task.get("ansible.builtin.import_tasks") == "before_change.yml"]
        run = [index for index, task in enumerate(tasks) if task.get("register") == "__aurora_global_upgrade_run"]
        checks = [index for index, task in enumerate(tasks) if task.get("check_mode") is True]
        assert len(lease) == 1 and len(run) == 1 and all(check < lease[0] for check in checks) and lease[0] < run[0], method


def test_every_method_is_one_task_file_whose_waiting_call_is_registered_for_the_relay():
    methods = _load("meta/argument_specs.yml")["argument_specs"]["main"]["options"]["aurora_global_upgrade_method"]["choices"]
    for method in methods:
        tasks = _load("tasks/%s.yml" % method)
        runs = [task for task in tasks if task.get("register") == "__aurora_global_upgrade_run"]
        assert len(runs) == 1 and runs[0]["failed_when"] is False, method


def test_nothing_recomputes_a_module_result():
    text = _role_text()
    for removed in ("member_outcomes", "member_times", "regex_replace", "__aurora_global_upgrade_outcomes"):
        assert removed not in text, removed
    set_facts = [task for path in sorted((ROLE / "tasks").glob("*.yml")) for task in _tasks(yaml.safe_load(path.read_text(encoding="utf-8")))
                 if "ansible.builtin.set_fact" in task]
    assert sorted(fact for task in set_facts for fact in task["ansible.builtin.set_fact"]) == [
        "__aurora_global_upgrade_report", "__aurora_global_upgrade_report_file", "aurora_global_upgrade_result"]
