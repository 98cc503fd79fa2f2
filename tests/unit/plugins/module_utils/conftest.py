# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Builders of aurora_global facts for the pure-logic tests: a 3-region PostgreSQL global database by default."""

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils._members import upgrade_order


def _member(identifier, region, is_writer=False, version="14.6", **overrides):
    member = {
        "db_cluster_identifier": identifier,
        "db_cluster_arn": "arn:aws:rds:%s:123456789012:cluster:%s" % (region, identifier),
        "region": region,
        "role": "primary" if is_writer else "secondary",
        "is_writer": is_writer,
        "engine_version": version,
        "status": "available",
        "db_cluster_parameter_group": "pg-params",
        "instance_count": 1,
        "headless": False,
        "rpo_seconds": None,
        "synchronization_status": "connected",
        "pending_engine_version": None,
    }
    member.update(overrides)
    if "instance_count" in overrides:
        member["headless"] = overrides["instance_count"] == 0
    return member


def _facts(engine="aurora-postgresql", version="14.6", members=None, **overrides):
    members = upgrade_order(members or [
        _member("pg-primary-use1", "us-east-1", is_writer=True, version=version),
        _member("pg-secondary-euw1", "eu-west-1", version=version),
        _member("pg-secondary-apse2", "ap-southeast-2", version=version),
    ])
    facts = {
        "global_cluster_identifier": "pg-global",
        "global_cluster_arn": "arn:aws:rds::123456789012:global-cluster:pg-global",
        "engine": engine,
        "engine_version": version,
        "status": "available",
        "deletion_protection": False,
        "failover_state": None,
        "members": members,
        "primary": next(m["db_cluster_identifier"] for m in members if m["is_writer"]),
        "upgrade_order": [m["db_cluster_identifier"] for m in members],
        "rpo_enabled": any(m["rpo_seconds"] is not None for m in members),
        "valid_upgrade_targets": [],
    }
    facts.update(overrides)
    return facts


def _targets(*versions, major=(), not_global=()):
    return [
        {"engine_version": v, "is_major_version_upgrade": v in major, "supports_global_databases": v not in not_global}
        for v in versions
    ]


@pytest.fixture
def member():
    return _member


@pytest.fixture
def facts():
    return _facts


@pytest.fixture
def targets():
    return _targets
