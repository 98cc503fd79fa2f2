# aurora.global_db: two commands matter.
#   make demo  - install the tool chain, start the local AWS sandbox, upgrade a
#                3-region Aurora PostgreSQL global database, stop the sandbox.
#   make test  - install the tool chain and run every test suite.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := $(CURDIR)/.venv
BUILD := $(CURDIR)/.build
BIN := $(VENV)/bin
# Ansible finds this collection through a symlink; amazon.aws comes from the ansible wheel in the venv.
RUNTIME_COLLECTIONS := $(BUILD)/collections
# ansible-test refuses symlinks: it gets a physical copy of the collection, outside this
# git work tree (inside it, ansible-test would ask git for the files and find the copy ignored).
TEST_ROOT := /tmp/aurora-global-db-$(shell printf %s "$(CURDIR)" | md5sum | cut -c1-12)/ansible_collections
STAGED := $(TEST_ROOT)/aurora/global_db

export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(RUNTIME_COLLECTIONS)
export ANSIBLE_REMOTE_TMP := $(BUILD)/ansible-tmp
export ANSIBLE_LOCAL_TEMP := $(BUILD)/ansible-local-tmp
export ANSIBLE_NOCOLOR := 1
export PYTHONPATH := $(CURDIR)/tests
# Bytecode goes to one folder beside the venv's packages, not into the tree (uv installs without it): each file is compiled
# once, when first imported, instead of every file of the 550 MB ansible wheel at install time. The venv's real path, so
# that the copies of the repository the tests make, which link the venv, share it. Python must write it, even where the
# machine's environment says not to (PYTHONDONTWRITEBYTECODE=1 here): else every run would compile again.
export PYTHONPYCACHEPREFIX := $(shell readlink -m $(VENV))/pycache
unexport PYTHONDONTWRITEBYTECODE
# ansible-core imports DSA from cryptography >= 48 at every start, which warns of its deprecation: nothing to act on here.
export PYTHONWARNINGS := ignore:DSA is deprecated

.PHONY: help venv collection stage test test-lane-checks test-lane-integration test-lane-molecule sanity units lint integration molecule \
	changelog-lint docs-lint packaging oldest-sdk demo demo-mysql demo-fleet demo-blue-green chromium bench clean

help:
	@echo "make demo   - watch a full global-database upgrade against the local AWS sandbox"
	@echo "make demo-mysql - watch Aurora MySQL: a 3.04 -> 3.05 minor upgrade by rebuild_secondaries, then 2 -> 3 by the snapshot restore method"
	@echo "make demo-fleet - a fleet of 14 global databases: the inventory plugin, the fleet report (HTML), an upgrade in two waves"
	@echo "make demo-blue-green - watch AWS's managed minor upgrade, then a Blue/Green deployment of the whole global database"
	@echo "make test   - install everything and run every test suite"
	@echo "eval \"\$$(make -s sandbox)\"  - start the local AWS sandbox in the background and export its settings; make sandbox-stop"
	@echo "Suites: sanity units lint integration molecule changelog-lint docs-lint packaging oldest-sdk; make bench"

# pip installs uv (requirements-uv.txt), which installs the rest: about 10 s where pip alone took 40 to 80 s, before any
# suite can start. Output on stderr, so that `eval "$$(make -s sandbox)"` reads only the exports.
UV := $(BIN)/uv

$(BIN)/.installed: requirements-dev.txt requirements.txt requirements-uv.txt
	@echo "Installing the pinned tool chain into .venv (first run only, about 15 s)..." >&2
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-uv.txt >&2
	$(UV) pip install --python $(BIN)/python -r requirements-dev.txt >&2
	touch $@

venv: $(BIN)/.installed

# Only a missing or wrong link is replaced: the lanes of make test may ask for it at the same moment.
collection: venv
	mkdir -p $(RUNTIME_COLLECTIONS)/ansible_collections/aurora $(ANSIBLE_REMOTE_TMP) $(ANSIBLE_LOCAL_TEMP)
	[ "$$(readlink $(RUNTIME_COLLECTIONS)/ansible_collections/aurora/global_db)" = "$(CURDIR)" ] || \
		ln -sfn $(CURDIR) $(RUNTIME_COLLECTIONS)/ansible_collections/aurora/global_db

stage: venv
	$(BIN)/python hacking/stage_collection.py --source $(CURDIR) --root $(TEST_ROOT)
	$(BIN)/python hacking/ansible_test_get_pip.py

# Every suite, in three lanes side by side: the checks (CPU-bound), the integration suite and the
# molecule scenarios (both mostly wait for ansible-playbook and the sandbox). A lane runs its suites
# one after another, each in a make call of its own so that --output-sync prints each suite's
# output in one piece. The venv and the collection link are made once, before the lanes start.
TEST_LANE_CHECKS := sanity units lint changelog-lint docs-lint packaging oldest-sdk

test: venv collection
	$(MAKE) --no-print-directory --jobs=3 --output-sync=target test-lane-checks test-lane-integration test-lane-molecule
	@echo "make test: every suite passed"

# The integration lane is the longest (about 4/5 of the CPU time of make test, on 2 cores): the two others run at a lower
# priority, so that they take the CPU its ansible-playbook runs leave idle (its tests wait on AWS's pace, in the sandbox)
# rather than the CPU it needs; they have minutes to spare.
LANE_NICENESS := nice -n 10

test-lane-checks:
	for suite in $(TEST_LANE_CHECKS); do $(LANE_NICENESS) $(MAKE) --no-print-directory $$suite || exit 1; done

test-lane-integration:
	$(MAKE) --no-print-directory integration

test-lane-molecule:
	$(LANE_NICENESS) $(MAKE) --no-print-directory molecule

sanity: stage
	cd $(STAGED) && ansible-test sanity --python 3.11 --color no

units: stage
	cd $(STAGED) && ansible-test units --python 3.11 --color no

lint: collection
	ansible-lint --offline --profile production

# --maxschedchunk 2: xdist hands the tests out two at a time, in the order of tests/integration/conftest.py (START_ORDER).
integration: collection chromium
	pytest -p no:cacheprovider -n 4 --maxschedchunk 2 tests/integration

molecule: collection
	molecule test --all

changelog-lint: venv
	antsibull-changelog lint

# antsibull-docs copies dependencies from where `ansible-galaxy collection list` finds them, taking
# the path that sorts first; the venv's amazon.aws sits in this git work tree (ignored), so a copy of
# it is empty. Hide site-packages so only the staged copy of amazon.aws, outside the tree, is found.
docs-lint: stage
	cd $(STAGED) && ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false ANSIBLE_COLLECTIONS_PATH=$(dir $(TEST_ROOT)) \
		antsibull-docs lint-collection-docs --plugin-docs .

# The collection as Galaxy / Automation Hub (galaxy-importer), ansible-builder and AWX see it, and its
# release changelog; all in temporary copies (tests/packaging). galaxy-importer has its own venv.
IMPORTER_VENV := $(BUILD)/importer-venv

$(IMPORTER_VENV)/.installed: requirements-importer.txt | venv
	rm -rf $(IMPORTER_VENV)
	$(UV) venv --quiet --seed --python $(PYTHON) $(IMPORTER_VENV)
	$(UV) pip install --quiet --python $(IMPORTER_VENV)/bin/python -r requirements-importer.txt
	touch $@

packaging: collection $(IMPORTER_VENV)/.installed
	AURORA_GALAXY_IMPORTER_PYTHON=$(IMPORTER_VENV)/bin/python pytest -p no:cacheprovider tests/packaging

# The modules on the oldest SDK the collection promises (requirements-oldest-sdk.txt), and the snapshot restore method on
# the SDK its gate names (requirements-restore-sdk.txt), each in a venv of its own that the modules run in
# (ansible_python_interpreter); botocore validates every request against its own model (tests/integration/test_oldest_sdk.py).
$(BUILD)/%-sdk-venv/.installed: requirements-%-sdk.txt | venv
	rm -rf $(BUILD)/$*-sdk-venv
	$(UV) venv --quiet --seed --python $(PYTHON) $(BUILD)/$*-sdk-venv
	$(UV) pip install --quiet --python $(BUILD)/$*-sdk-venv/bin/python -r $<
	touch $@

oldest-sdk: collection $(BUILD)/oldest-sdk-venv/.installed $(BUILD)/restore-sdk-venv/.installed
	AURORA_OLDEST_SDK_PYTHON=$(BUILD)/oldest-sdk-venv/bin/python AURORA_RESTORE_SDK_PYTHON=$(BUILD)/restore-sdk-venv/bin/python \
		pytest -p no:cacheprovider -n 2 tests/integration/test_oldest_sdk.py

demo: collection
	$(BIN)/python hacking/demo.py

demo-mysql: collection
	$(BIN)/python hacking/demo.py --mysql

demo-fleet: collection chromium
	$(BIN)/python hacking/demo_fleet.py

# Headless Chromium (Debian's chromium package) loads the fleet report in the integration tests and takes
# make demo-fleet's screenshot; installed once, when missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium package (headless Chromium for the fleet report)..." >&2; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >&2; }

demo-blue-green: collection
	$(BIN)/python hacking/demo_methods.py

# The sandbox in the background, seeded with pg-global; stdout is the export lines only, for eval "$$(make -s sandbox)"
# (AWS_ENDPOINT_URL, credentials, region, the venv's PATH, and PYTHONPATH for `python -m sandbox`).
.PHONY: sandbox sandbox-stop
sandbox: venv
	@$(BIN)/python hacking/sandbox_session.py start

sandbox-stop: venv
	@$(BIN)/python hacking/sandbox_session.py stop

# The benchmarks import the collection (its module_utils), the sandbox and, for the soak, the integration tests' helpers.
bench: collection
	PYTHONPATH=$(CURDIR)/tests:$(CURDIR)/tests/integration:$(RUNTIME_COLLECTIONS) $(BIN)/python benchmarks/run.py
	PYTHONPATH=$(CURDIR)/tests:$(CURDIR)/tests/integration:$(RUNTIME_COLLECTIONS) $(BIN)/python benchmarks/soak.py

clean:
	rm -rf $(BUILD) tests/output $(dir $(TEST_ROOT))
