# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""make packaging: the collection as Galaxy, Automation Hub, ansible-builder and AWX see it.

Everything happens in a temporary copy of the work tree, never in the repository:

1. the copy gets its 0.1.0 release: ``antsibull-changelog release`` turns the fragments into
   CHANGELOG.rst (the fragments in the repository stay where they are);
2. one file is planted in it for every .gitignore entry (build and test output), then
   ``ansible-galaxy collection build`` makes the tarball, which must leave them all out;
3. the tarball is installed offline into a temporary collections path, as the galaxy stage of an
   execution environment build does, and ansible-doc, ansible-playbook, ansible-builder's own
   introspection and a simulated AWX job launch (survey answers, AWS credential in the
   environment) run against that installed copy;
4. galaxy-importer, in its own venv, imports the tarball.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
NAMESPACE = "aurora"
NAME = "global_db"
COLLECTION = "%s.%s" % (NAMESPACE, NAME)
# Set by `make packaging`: the python of the venv that requirements-importer.txt installs.
IMPORTER_PYTHON_VARIABLE = "AURORA_GALAXY_IMPORTER_PYTHON"

# What the AWX survey may contain (AWX's JobTemplateSurveySpec.ALLOWED_TYPES) and how a role
# option's type maps onto a survey question type (AWX has no boolean question).
AWX_QUESTION_TYPES = {"text": str, "textarea": str, "password": str, "multiplechoice": str, "multiselect": str, "integer": int, "float": (int, float)}
# A dict arrives as JSON text, which the modules' dict options accept. A raw option takes what a survey answer cannot
# type otherwise (a bool that may be left unanswered, a dict given as JSON text or left empty).
SURVEY_TYPE_OF = {"str": ("text", "textarea", "password", "multiplechoice"), "int": ("integer",), "bool": ("multiplechoice",), "dict": ("textarea",),
                  "raw": ("text", "textarea", "multiplechoice")}

# The AWS error messages docs/upgrading.md must explain (from the restriction table of the project's AWS facts).
AWS_ERRORS = (
    "Major Version Upgrade isn't supported in a single member of a global cluster",
    "Please upgrade global replicas first before upgrading the primary member",
    "The AllowMajorVersionUpgrade flag must be present when upgrading to a new major version",
    "Cannot modify engine version without a primary instance in DB cluster",
    "In-place minor version upgrade of Aurora MySQL global database cluster",
    "ModifyGlobalCluster doesn't support minor version upgrades for Aurora global databases",
    "Amazon RDS can't perform minor version upgrades through ModifyGlobalCluster for this database engine",
    "GlobalClusterNotFoundFault",
    "InvalidGlobalClusterStateFault",
    "InvalidDBClusterStateFault",
    "Throttling",
)


# ---------------------------------------------------------------------------------------------
# helpers


def _galaxy():
    with open(REPO / "galaxy.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


VERSION = str(_galaxy()["version"])
TARBALL_NAME = "%s-%s-%s.tar.gz" % (NAMESPACE, NAME, VERSION)


def _environment(collections_path=None, **overrides):
    """The environment of the tools: the venv first on PATH, nothing from the repository's own collection path."""
    environment = dict(os.environ)
    environment["PATH"] = os.pathsep.join([str(BIN), environment.get("PATH", "")])
    environment.pop("ANSIBLE_COLLECTIONS_PATH", None)
    environment.pop("ANSIBLE_COLLECTIONS_PATHS", None)
    if collections_path is not None:
        environment["ANSIBLE_COLLECTIONS_PATH"] = str(collections_path)
    environment["ANSIBLE_NOCOLOR"] = "1"
    environment.update({key: str(value) for key, value in overrides.items() if value is not None})
    for key in [key for key, value in overrides.items() if value is None]:
        environment.pop(key, None)
    return environment


def _run(command, cwd, environment=None, timeout=300):
    completed = subprocess.run([str(part) for part in command], cwd=str(cwd), env=environment or _environment(),
                               capture_output=True, text=True, timeout=timeout, check=False)
    assert completed.returncode == 0, "%s failed (exit code %s):\n%s\n%s" % (
        " ".join(str(part) for part in command), completed.returncode, completed.stdout[-4000:], completed.stderr[-4000:])
    return completed


def _source_files():
    """The files of the work tree a fresh clone plus the uncommitted work would have: tracked or not ignored."""
    listed = _run(["git", "-C", REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPO).stdout
    return sorted({path for path in listed.split("\0") if path and (REPO / path).is_file()})


def _gitignore_patterns():
    with open(REPO / ".gitignore", encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip() and not line.startswith(("#", "!"))]


def _plant_build_output(tree):
    """One file for every .gitignore entry (at the top and, for entries without a slash, deeper too).

    Returns the ignored paths: the planted file, or the directory it was planted in.
    """
    planted = []
    for pattern in _gitignore_patterns():
        bare = pattern.rstrip("/")
        locations = [""] if "/" in bare else ["", "plugins/modules/"]
        for location in locations:
            ignored = location + bare.replace("*", "planted")
            relative = ignored if "*" in bare else ignored + "/planted.txt"
            path = tree / relative
            if path.parent.is_symlink() or path.exists():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("build or test output, not part of the collection\n", encoding="utf-8")
            planted.append(ignored)
    return planted


def _normalized(text):
    return " ".join(text.split())


def _fragments():
    return sorted((REPO / "changelogs" / "fragments").glob("*.y*ml"))


def _released_versions(tree):
    changelog = tree / "changelogs" / "changelog.yaml"
    if not changelog.is_file():
        return {}
    with open(changelog, encoding="utf-8") as handle:
        return (yaml.safe_load(handle) or {}).get("releases") or {}


def _modules():
    return sorted(path.stem for path in (REPO / "plugins" / "modules").glob("*.py") if path.stem != "__init__")


def _roles():
    return sorted(path.name for path in (REPO / "roles").iterdir() if (path / "meta" / "argument_specs.yml").is_file())


def _playbooks():
    return sorted(path.stem for path in (REPO / "playbooks").glob("*.yml"))


def _argument_spec(role):
    with open(REPO / "roles" / role / "meta" / "argument_specs.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)["argument_specs"]["main"]["options"]


def _survey():
    with open(REPO / "awx" / "survey_upgrade.json", encoding="utf-8") as handle:
        return json.load(handle)


# ---------------------------------------------------------------------------------------------
# fixtures: one release copy, one tarball, one installed copy for the whole module


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("packaging")


@pytest.fixture(scope="module")
def release_tree(workdir):
    """A copy of the work tree with its release done: CHANGELOG.rst and changelogs/changelog.yaml generated."""
    tree = workdir / "source"
    for relative in _source_files():
        target = tree / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / relative, target)
    if VERSION not in _released_versions(tree):
        _run([BIN / "antsibull-changelog", "release", "--version", VERSION, "--date", datetime.date.today().isoformat()], tree)
    return tree


@pytest.fixture(scope="module")
def planted(release_tree):
    return _plant_build_output(release_tree)


@pytest.fixture(scope="module")
def tarball(workdir, release_tree, planted):
    assert planted, ".gitignore lists nothing to plant"
    dist = workdir / "dist"
    _run([BIN / "ansible-galaxy", "collection", "build", "--output-path", dist, release_tree], workdir)
    built = dist / TARBALL_NAME
    assert built.is_file(), sorted(os.listdir(dist))
    return built


@pytest.fixture(scope="module")
def tar_names(tarball):
    with tarfile.open(tarball) as archive:
        return {member.name.rstrip("/") for member in archive.getmembers()}


@pytest.fixture(scope="module")
def collections_path(workdir, tarball):
    """The tarball installed offline, and amazon.aws beside it, as in /usr/share/ansible/collections of an EE."""
    path = workdir / "collections"
    _run([BIN / "ansible-galaxy", "collection", "install", "--offline", "--no-deps", tarball, "-p", path], workdir,
         _environment(path, ANSIBLE_GALAXY_CACHE_DIR=workdir / "galaxy-cache"))
    import ansible_collections.amazon.aws as amazon_aws  # pylint: disable=import-outside-toplevel  # the ansible package's copy
    (path / "ansible_collections" / "amazon").mkdir(parents=True, exist_ok=True)
    os.symlink(list(amazon_aws.__path__)[0], path / "ansible_collections" / "amazon" / "aws")
    return path


@pytest.fixture(scope="module")
def installed(collections_path):
    return collections_path / "ansible_collections" / NAMESPACE / NAME


@pytest.fixture(scope="module")
def ee_context(workdir, tarball):
    """ansible-builder create on awx/execution-environment.yml, with the tarball where that file expects it."""
    ee_dir = workdir / "ee"
    (ee_dir / "dist").mkdir(parents=True)
    shutil.copy2(REPO / "awx" / "execution-environment.yml", ee_dir / "execution-environment.yml")
    shutil.copy2(tarball, ee_dir / "dist" / tarball.name)
    _run([BIN / "ansible-builder", "create", "--file", "execution-environment.yml", "--context", "context",
          "--output-filename", "Containerfile"], ee_dir)
    return ee_dir / "context"


# ---------------------------------------------------------------------------------------------
# changelog


def test_release_changelog_lists_every_fragment_and_new_content(release_tree):
    """The release of galaxy.yml's version, done in the copy: every fragment and every new module, role and playbook."""
    changelog = (release_tree / "CHANGELOG.rst").read_text(encoding="utf-8")
    text = _normalized(changelog)
    assert re.search(r"^v%s$" % re.escape(VERSION), changelog, re.MULTILINE), changelog[:2000]
    release = _released_versions(release_tree)[VERSION]
    assert release.get("changes"), "the release of %s has no changelog entry" % VERSION
    for section, entries in release["changes"].items():
        for entry in [entries] if isinstance(entries, str) else entries:
            assert _normalized(entry) in text, "%s: %s" % (section, entry[:80])
    # The fragments of the repository are all in this release (none left behind or misnamed)...
    assert {fragment.name for fragment in _fragments()} <= set(release.get("fragments", []))
    # ...and the release consumed the copy's fragments, not the repository's.
    assert not list((release_tree / "changelogs" / "fragments").glob("*.y*ml"))
    assert all(fragment.is_file() for fragment in _fragments())
    if list(_released_versions(release_tree)) == [VERSION]:
        # The first release: everything is new.
        for heading, names in (("New Modules", _modules()), ("New Roles", _roles()), ("New Playbooks", _playbooks())):
            assert heading in changelog
            for name in names:
                assert "- %s.%s - " % (COLLECTION, name) in changelog, (heading, name)
    _run([BIN / "antsibull-changelog", "lint-changelog-yaml", "changelogs/changelog.yaml"], release_tree)


def test_committed_changelog_is_generated_or_awaits_the_first_release(workdir):
    """After a release CHANGELOG.rst is antsibull-changelog's output; before the first one it says so."""
    committed = (REPO / "CHANGELOG.rst").read_text(encoding="utf-8")
    if not (REPO / "changelogs" / "changelog.yaml").is_file():
        assert "changelogs/fragments" in committed
        assert not re.search(r"^v\d+\.\d+\.\d+", committed, re.MULTILINE), "CHANGELOG.rst names a release that changelogs/changelog.yaml lacks"
        return
    tree = workdir / "generate"
    for relative in ("galaxy.yml", "changelogs/config.yaml", "changelogs/changelog.yaml"):
        (tree / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / relative, tree / relative)
    _run([BIN / "antsibull-changelog", "generate"], tree)
    assert (tree / "CHANGELOG.rst").read_text(encoding="utf-8") == committed, "CHANGELOG.rst differs from antsibull-changelog generate"


# ---------------------------------------------------------------------------------------------
# the tarball


def test_tarball_leaves_out_build_and_test_output(tar_names, planted):
    for ignored in planted:
        leaked = sorted(name for name in tar_names if name == ignored or name.startswith(ignored + "/"))
        assert not leaked, "build or test output in the tarball: %s" % leaked
    assert not [name for name in tar_names if "__pycache__" in name or name.endswith((".pyc", ".tar.gz"))]
    # Developer tools, and the AWX configuration playbook, which needs awx.awx (no dependency of the collection).
    for developer_only in ("Makefile", "hacking", "requirements-dev.txt", "requirements-importer.txt", "requirements-uv.txt", ".ci", ".git", ".venv", ".build",
                           "awx/configure_awx.yml"):
        assert developer_only not in tar_names, developer_only


def test_tarball_holds_the_collection(tar_names, tarball):
    expected = {
        "MANIFEST.json", "FILES.json", "README.md", "CHANGELOG.rst", "changelogs/changelog.yaml", "meta/runtime.yml",
        "meta/execution-environment.yml", "requirements.txt", "bindep.txt", "awx/execution-environment.yml",
        "awx/survey_upgrade.json", "docs/upgrading.md", "docs/awx.md", "docs/releasing.md",
    }
    expected.update("plugins/modules/%s.py" % module for module in _modules())
    expected.update("roles/%s/meta/argument_specs.yml" % role for role in _roles())
    expected.update("playbooks/%s.yml" % playbook for playbook in _playbooks())
    assert not expected - tar_names
    with tarfile.open(tarball) as archive:
        manifest = json.load(archive.extractfile("MANIFEST.json"))["collection_info"]
    galaxy = _galaxy()
    assert (manifest["namespace"], manifest["name"], manifest["version"]) == (NAMESPACE, NAME, VERSION)
    assert manifest["dependencies"] == galaxy["dependencies"] == {"amazon.aws": ">=9.0.0"}
    assert manifest["license"] == galaxy["license"]


# ---------------------------------------------------------------------------------------------
# the installed copy


def test_ansible_doc_modules_from_the_installed_copy(collections_path, installed):
    names = ["%s.%s" % (COLLECTION, module) for module in _modules()]
    listed = _run([BIN / "ansible-doc", "--list", "--json", COLLECTION], collections_path, _environment(collections_path)).stdout
    assert sorted(json.loads(listed)) == names
    docs = json.loads(_run([BIN / "ansible-doc", "--json"] + names, collections_path, _environment(collections_path)).stdout)
    assert sorted(docs) == names
    for name, entry in docs.items():
        doc = entry["doc"]
        assert doc["filename"].startswith(str(installed)), (name, doc["filename"])
        assert doc["short_description"] and doc["description"] and doc["author"]
        for option in ("region", "endpoint_url", "profile", "access_key"):
            assert option in doc["options"], (name, option)
        assert doc["attributes"]["check_mode"]["support"] == "full", name
        # group/aurora.global_db.aws extends amazon.aws.aws; group/amazon.aws.aws does not reach these modules.
        assert doc["attributes"]["action_group"]["membership"] == ["aurora.global_db.aws"], name
        assert "%s:" % name in entry["examples"], "%s: examples do not use the FQCN" % name
        assert entry["return"], name


def test_ansible_doc_role_from_the_installed_copy(collections_path, installed):
    listed = json.loads(_run([BIN / "ansible-doc", "--type", "role", "--list", "--json", COLLECTION], collections_path,
                             _environment(collections_path)).stdout)
    assert sorted(listed) == ["%s.%s" % (COLLECTION, role) for role in _roles()]
    for role in _roles():
        name = "%s.%s" % (COLLECTION, role)
        docs = json.loads(_run([BIN / "ansible-doc", "--type", "role", "--json", name], collections_path, _environment(collections_path)).stdout)
        assert docs[name]["path"] == str(installed)
        main = docs[name]["entry_points"]["main"]
        assert sorted(main["options"]) == sorted(_argument_spec(role))
        assert main["short_description"]


def test_playbooks_resolve_from_the_installed_copy(collections_path):
    for playbook in _playbooks():
        _run([BIN / "ansible-playbook", "--syntax-check", "%s.%s" % (COLLECTION, playbook)], collections_path, _environment(collections_path))


# ---------------------------------------------------------------------------------------------
# execution environment (ansible-builder create; no container engine here, so no build)


def test_execution_environment_definition_matches_the_release():
    with open(REPO / "awx" / "execution-environment.yml", encoding="utf-8") as handle:
        definition = yaml.safe_load(handle)
    assert definition["version"] == 3
    collections = {entry["name"]: entry for entry in definition["dependencies"]["galaxy"]["collections"]}
    assert collections["collections/%s" % TARBALL_NAME]["type"] == "file", "keep the tarball name in step with galaxy.yml"
    assert collections["amazon.aws"]["version"] == _galaxy()["dependencies"]["amazon.aws"]
    with open(REPO / "requirements-dev.txt", encoding="utf-8") as handle:
        core_pin = next(line.strip() for line in handle if line.startswith("ansible-core=="))
    assert definition["dependencies"]["ansible_core"]["package_pip"] == core_pin
    with open(REPO / "meta" / "execution-environment.yml", encoding="utf-8") as handle:
        collection_ee = yaml.safe_load(handle)
    assert collection_ee == {"version": 1, "dependencies": {"python": "requirements.txt", "system": "bindep.txt"}}


def test_builder_context_installs_the_collection_and_amazon_aws(ee_context):
    containerfile = (ee_context / "Containerfile").read_text(encoding="utf-8")
    assert "ansible-galaxy collection install" in containerfile
    assert "introspect.py introspect" in containerfile
    with open(ee_context / "_build" / "requirements.yml", encoding="utf-8") as handle:
        requirements = yaml.safe_load(handle)
    names = [entry["name"] for entry in requirements["collections"]]
    assert "amazon.aws" in names
    assert "collections/%s" % TARBALL_NAME in names
    # The galaxy stage runs in /build, where COPY _build /build puts this file.
    assert (ee_context / "_build" / "collections" / TARBALL_NAME).is_file()


def test_builder_introspection_finds_boto3_and_botocore(ee_context, collections_path, workdir):
    """The builder stage's own script, run on the collections as the galaxy stage installs them."""
    output = workdir / "introspected"
    printed = _run([sys.executable, ee_context / "_build" / "scripts" / "introspect.py", "introspect", collections_path,
                    "--write-pip", output / "requirements.txt", "--write-bindep", output / "bindep.txt"], workdir).stdout
    python = (output / "requirements.txt").read_text(encoding="utf-8").splitlines()
    for collection in (COLLECTION, "amazon.aws"):
        for package in ("boto3", "botocore"):
            assert any(line.startswith(package + ">=") and line.endswith("# from collection %s" % collection) for line in python), (
                package, collection, printed)
    # bindep.txt declares no system package for this collection.
    assert not [line for line in yaml.safe_load(printed)["system"] if line.endswith("# from collection %s" % COLLECTION)]


# ---------------------------------------------------------------------------------------------
# AWX: survey, configuration playbook, and a launch as AWX does it


def test_survey_is_a_valid_awx_survey_spec():
    """The rules AWX's survey_spec endpoint enforces (JobTemplateSurveySpec._validate_spec_data)."""
    survey = _survey()
    assert isinstance(survey["name"], str) and isinstance(survey["description"], str)
    assert isinstance(survey["spec"], list) and survey["spec"]
    variables = set()
    for index, question in enumerate(survey["spec"]):
        for field, field_type in (("type", str), ("question_name", str), ("variable", str), ("required", bool)):
            assert isinstance(question.get(field), field_type), (index, field)
        assert question["variable"] not in variables, "duplicate variable %s" % question["variable"]
        variables.add(question["variable"])
        assert question["type"] in AWX_QUESTION_TYPES, (index, question["type"])
        if question.get("default", "") != "":
            assert isinstance(question["default"], AWX_QUESTION_TYPES[question["type"]]), (index, question["default"])
        for limit in ("min", "max"):
            assert question.get(limit) is None or isinstance(question[limit], int), (index, limit)
        if question["type"] in ("multiplechoice", "multiselect"):
            choices = question["choices"]
            choices = choices.splitlines() if isinstance(choices, str) else choices
            assert choices and all(isinstance(choice, str) for choice in choices), index
            if "default" in question:
                assert question["default"] in choices, index
        if question["type"] in ("text", "textarea", "password") and "default" in question:
            assert question.get("min", 0) <= len(question["default"]) <= question.get("max", 1024), index


def test_survey_asks_for_every_role_variable():
    """Same names as the role's argument spec, required where the role requires, same defaults and compatible types."""
    options = _argument_spec("aurora_global_upgrade")
    questions = {question["variable"]: question for question in _survey()["spec"]}
    assert sorted(questions) == sorted(options)
    for variable, option in options.items():
        question = questions[variable]
        option_type = option.get("type", "str")
        assert question["type"] in SURVEY_TYPE_OF[option_type], (variable, option_type, question["type"])
        if option.get("required"):
            assert question["required"], variable
        if option_type == "bool":
            assert sorted(question["choices"]) == ["false", "true"], variable
        if "default" in option:
            expected = str(option["default"]).lower() if option_type == "bool" else option["default"]
            assert question.get("default") == expected, (variable, question.get("default"), option["default"])
            if question["type"] == "integer":
                assert question.get("min", option["default"]) <= option["default"] <= question.get("max", option["default"]), variable
        else:
            assert "default" not in question, "%s has no default in the role" % variable


def test_configure_awx_playbook_uses_the_survey_file(collections_path):
    text = (REPO / "awx" / "configure_awx.yml").read_text(encoding="utf-8")
    assert "lookup('ansible.builtin.file', 'survey_upgrade.json')" in text
    assert "playbook: playbooks/upgrade.yml" in text
    assert "credential_type: Amazon Web Services" in text
    _run([BIN / "ansible-playbook", "--syntax-check", REPO / "awx" / "configure_awx.yml"], collections_path, _environment(collections_path))


def _awx_extra_vars(answers, blank):
    """The extra vars AWX passes for these survey answers: typed like the question, defaults filled in.

    ``blank`` is what an optional question left empty becomes: AWX versions differ (left out, "" or null).
    """
    extra_vars = {}
    for question in _survey()["spec"]:
        variable = question["variable"]
        if variable in answers:
            value = answers[variable]
            extra_vars[variable] = int(value) if question["type"] == "integer" else str(value)
        elif "default" in question:
            extra_vars[variable] = question["default"]
        else:
            assert not question["required"], "a required question is unanswered: %s" % variable
            if blank != "omit":
                extra_vars[variable] = blank
    return extra_vars


@pytest.fixture(scope="module")
def sandbox():
    from sandbox.launcher import running_sandbox  # pylint: disable=import-outside-toplevel  # only this test needs moto

    with running_sandbox(upgrade_seconds=0.3, status_delay_seconds=0.1) as server:
        yield server


def _launch(workdir, collections_path, sandbox, name, extra_vars):
    """ansible-playbook as an AWX job runs it: inventory localhost, AWS credential in the environment, no region."""
    job = workdir / "awx-jobs" / name
    job.mkdir(parents=True)
    (job / "inventory").write_text("localhost ansible_connection=local\n", encoding="utf-8")
    (job / "extra_vars.json").write_text(json.dumps(extra_vars), encoding="utf-8")
    command = [BIN / "ansible-playbook", "-i", "inventory", "-e", "@extra_vars.json", "%s.upgrade" % COLLECTION]
    environment = _environment(
        collections_path, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION=None, AWS_DEFAULT_REGION=None,
        AWS_PROFILE=None, AWS_DEFAULT_PROFILE=None, AWS_SESSION_TOKEN=None, AWS_SECURITY_TOKEN=None, AWS_URL=None, AWS_ENDPOINT_URL=None,
    )
    sandbox.clear_journal()
    started = time.monotonic()
    completed = subprocess.run([str(part) for part in command], cwd=str(job), env=environment, capture_output=True, text=True, timeout=300, check=False)
    calls = [(call["operation"], call["params"].get("DBClusterIdentifier") or call["params"].get("GlobalClusterIdentifier"))
             for call in sandbox.mutating_calls()]
    print("AWX launch %s: exit code %s in %.1f s, calls %s" % (name, completed.returncode, time.monotonic() - started, calls))
    return completed, calls


def test_awx_launch_with_survey_answers(workdir, collections_path, sandbox):
    """A minor then a major upgrade launched with survey answers as AWX passes them, blank optional answers included."""
    sandbox.reset()
    sandbox.seed("postgresql-14")
    answers = {
        "aurora_global_upgrade_global_cluster_identifier": "pg-global",
        "aurora_global_upgrade_engine_version": "14.9",
        "aurora_global_upgrade_region": "us-east-1",
        "aurora_global_upgrade_endpoint_url": sandbox.endpoint_url,
        "aurora_global_upgrade_wait_timeout": "600",
        "aurora_global_upgrade_poll_interval": "1",
    }

    completed, calls = _launch(workdir, collections_path, sandbox, "minor", _awx_extra_vars(answers, blank=None))
    assert completed.returncode == 0, completed.stdout[-4000:]
    assert calls == [("ModifyDBCluster", "pg-secondary-apse2"), ("ModifyDBCluster", "pg-secondary-euw1"), ("ModifyDBCluster", "pg-primary-use1")]

    refused = _awx_extra_vars(dict(answers, aurora_global_upgrade_engine_version="15.4"), blank="")
    assert refused["aurora_global_upgrade_allow_major_version_upgrade"] == "false"
    completed, calls = _launch(workdir, collections_path, sandbox, "major-unconfirmed", refused)
    assert completed.returncode != 0
    assert "aurora_global_upgrade_allow_major_version_upgrade" in completed.stdout, completed.stdout[-4000:]
    assert not calls

    completed, calls = _launch(workdir, collections_path, sandbox, "major", _awx_extra_vars(dict(
        answers, aurora_global_upgrade_engine_version="15.4", aurora_global_upgrade_allow_major_version_upgrade="true"), blank="omit"))
    assert completed.returncode == 0, completed.stdout[-4000:]
    # A snapshot of the primary first (the default before a major upgrade), then the upgrade.
    assert [operation for operation, _subject in calls] == ["CreateDBClusterSnapshot", "ModifyGlobalCluster"]
    assert calls[1] == ("ModifyGlobalCluster", "pg-global")


# ---------------------------------------------------------------------------------------------
# Galaxy / Automation Hub import


def test_galaxy_importer_accepts_the_tarball(workdir, tarball):
    python = os.environ.get(IMPORTER_PYTHON_VARIABLE)
    if python:
        python = os.path.abspath(python)
    else:
        pytest.skip("%s is not set: run `make packaging`, which installs galaxy-importer from requirements-importer.txt" % IMPORTER_PYTHON_VARIABLE)
    run_dir = workdir / "importer"
    # amazon.aws where ansible-doc finds it (the importer sets ANSIBLE_COLLECTIONS_PATH to its own extraction
    # directory): its doc fragments are needed to document the modules, as on Galaxy.
    dependencies = run_dir / "dependencies" / "ansible_collections" / "amazon"
    dependencies.mkdir(parents=True)
    import ansible_collections.amazon.aws as amazon_aws  # pylint: disable=import-outside-toplevel
    os.symlink(list(amazon_aws.__path__)[0], dependencies / "aws")
    environment = _environment(
        PATH=os.pathsep.join([str(Path(python).parent), "/usr/bin", "/bin"]),
        PYTHONPATH=run_dir / "dependencies",
        GALAXY_IMPORTER_CONFIG=HERE / "galaxy-importer.cfg",
        GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP=run_dir / "ansible-tmp",
        GALAXY_IMPORTER_TMP_ROOT_DIR=run_dir,
        VIRTUAL_ENV=None,
    )
    completed = subprocess.run([python, "-m", "galaxy_importer.main", str(tarball)], cwd=str(run_dir), env=environment,
                               capture_output=True, text=True, timeout=300, check=False)
    output = completed.stdout + completed.stderr
    errors = [line for line in output.splitlines() if line.startswith("ERROR")]
    warnings = [line for line in output.splitlines() if line.startswith("WARNING")]
    print("galaxy-importer: %d error(s), %d warning(s)\n%s" % (len(errors), len(warnings), "\n".join(errors + warnings)))
    assert completed.returncode == 0 and not errors, output[-6000:]
    assert "Importer processing completed successfully" in output
    with open(run_dir / "importer_result.json", encoding="utf-8") as handle:
        result = json.load(handle)
    contents = {(item["content_type"], item["name"]) for item in result["contents"]}
    for module in _modules():
        assert ("module", module) in contents
    for role in _roles():
        assert ("role", role) in contents
    documented = {item["content_name"] for item in result["docs_blob"]["contents"] if item["content_type"] == "module" and item["doc_strings"]}
    assert set(_modules()) <= documented, "ansible-doc gave the importer no documentation for %s" % sorted(set(_modules()) - documented)


# ---------------------------------------------------------------------------------------------
# docs


def _blocker_codes():
    """The registry restrictions.BLOCKER_CODES, imported from the collection as `make collection` links it."""
    statement = "from ansible_collections.aurora.global_db.plugins.module_utils.restrictions import BLOCKER_CODES; print(' '.join(BLOCKER_CODES))"
    environment = dict(os.environ, PYTHONPATH=str(REPO / ".build" / "collections"))
    return subprocess.run([sys.executable, "-c", statement], env=environment, capture_output=True, text=True, check=True).stdout.split()


def test_upgrading_guide_covers_every_blocker_and_aws_error():
    guide = _normalized((REPO / "docs" / "upgrading.md").read_text(encoding="utf-8"))
    codes = _blocker_codes()
    assert len(codes) >= 10
    for code in codes:
        assert "`%s`" % code in guide, code
    for message in AWS_ERRORS:
        assert _normalized(message) in guide, message
    for engine_version in ("14.9", "15.4", "5.7.mysql_aurora.2.11.3", "8.4.mysql_aurora.8.4.7"):
        assert engine_version in guide


def _anchors(markdown):
    """GitHub's heading anchors: lower case, punctuation but hyphens and underscores dropped, spaces to hyphens."""
    headings = re.findall(r"^#+ (.+)$", re.sub(r"```.*?```", "", markdown, flags=re.DOTALL), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


def test_docs_links_resolve():
    for page in sorted((REPO / "docs").glob("*.md")) + [REPO / "README.md"]:
        text = page.read_text(encoding="utf-8")
        for target, anchor in re.findall(r"\]\(([^)#\s]*)(?:#([^)\s]*))?\)", text):
            if re.match(r"[a-z]+://", target) or target.startswith("mailto:"):
                continue
            linked = page.parent / target if target else page
            assert linked.exists(), "%s links to %s, which does not exist" % (page.relative_to(REPO), target)
            if anchor and linked.suffix == ".md":
                assert anchor in _anchors(linked.read_text(encoding="utf-8")), "%s links to a missing heading: %s#%s" % (
                    page.relative_to(REPO), target, anchor)
    assert "(sandbox.md)" in (REPO / "docs" / "upgrading.md").read_text(encoding="utf-8")
