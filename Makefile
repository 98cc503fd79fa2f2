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
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help venv collection stage test test-lane-checks test-lane-integration test-lane-molecule sanity units lint integration molecule \
	changelog-lint docs-lint packaging demo demo-mysql demo-blue-green bench clean

help:
	@echo "make demo   - watch a full global-database upgrade against the local AWS sandbox"
	@echo "make demo-mysql - watch Aurora MySQL 2 -> 3 by the snapshot restore method, into a new global database"
	@echo "make demo-blue-green - watch AWS's managed minor upgrade, then a Blue/Green deployment of the whole global database"
	@echo "make test   - install everything and run every test suite"
	@echo "eval \"\$$(make -s sandbox)\"  - start the local AWS sandbox in the background and export its settings; make sandbox-stop"
	@echo "Suites: sanity units lint integration molecule changelog-lint docs-lint packaging; make bench"

# pip shows each package as it goes (on stderr, so that `eval "$$(make -s sandbox)"` reads only the exports).
$(BIN)/.installed: requirements-dev.txt requirements.txt
	@echo "Installing the pinned tool chain into .venv (first run only, about 80 s)..." >&2
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check --progress-bar off -r requirements-dev.txt >&2
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
TEST_LANE_CHECKS := sanity units lint changelog-lint docs-lint packaging

test: venv collection
	$(MAKE) --no-print-directory --jobs=3 --output-sync=target test-lane-checks test-lane-integration test-lane-molecule
	@echo "make test: every suite passed"

test-lane-checks:
	for suite in $(TEST_LANE_CHECKS); do $(MAKE) --no-print-directory $$suite || exit 1; done

test-lane-integration:
	$(MAKE) --no-print-directory integration

test-lane-molecule:
	$(MAKE) --no-print-directory molecule

sanity: stage
	cd $(STAGED) && ansible-test sanity --python 3.11 --color no

units: stage
	cd $(STAGED) && ansible-test units --python 3.11 --color no

lint: collection
	ansible-lint --offline --profile production

integration: collection
	pytest -p no:cacheprovider -n 4 tests/integration

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

$(IMPORTER_VENV)/.installed: requirements-importer.txt
	rm -rf $(IMPORTER_VENV)
	$(PYTHON) -m venv $(IMPORTER_VENV)
	$(IMPORTER_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-importer.txt
	touch $@

packaging: collection $(IMPORTER_VENV)/.installed
	AURORA_GALAXY_IMPORTER_PYTHON=$(IMPORTER_VENV)/bin/python pytest -p no:cacheprovider tests/packaging

demo: collection
	$(BIN)/python hacking/demo.py

demo-mysql: collection
	$(BIN)/python hacking/demo.py --mysql

demo-blue-green: collection
	$(BIN)/python hacking/demo_methods.py

# The sandbox in the background, seeded with pg-global; stdout is the export lines only, for eval "$$(make -s sandbox)".
.PHONY: sandbox sandbox-stop
sandbox: venv
	@$(BIN)/python hacking/sandbox_session.py start

sandbox-stop: venv
	@$(BIN)/python hacking/sandbox_session.py stop

bench: collection
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/soak.py

clean:
	rm -rf $(BUILD) tests/output $(dir $(TEST_ROOT))
