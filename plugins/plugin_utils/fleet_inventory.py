# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read a fleet of global databases in few calls, for the aurora_global inventory plugin.

One DescribeGlobalClusters for the account (all pages), then at once: one DescribeDBClusters per region
that holds members (all pages), one DescribeDBEngineVersions per engine version and region, one
DescribeDBMajorEngineVersions per major version. Every global database's facts are then built from
those answers by the code of aurora_global_facts (GlobalDatabaseReader.facts_of), with no call of its own.
"""

import datetime
from functools import partial

from ansible_collections.aurora.global_db.plugins.module_utils.facts import GlobalDatabaseReader
from ansible_collections.aurora.global_db.plugins.module_utils._fanout import fan_out
from ansible_collections.aurora.global_db.plugins.module_utils.lifecycle import latest_minor_target
from ansible_collections.aurora.global_db.plugins.module_utils.lifecycle import lifecycle_facts
from ansible_collections.aurora.global_db.plugins.module_utils.lifecycle import major_engine_version
from ansible_collections.aurora.global_db.plugins.module_utils._members import region_from_arn
from ansible_collections.aurora.global_db.plugins.module_utils._identifiers import same_identifier
from ansible_collections.aurora.global_db.plugins.module_utils.rds import RegionalClients
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_global_clusters
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_major_engine_version
from ansible_collections.aurora.global_db.plugins.module_utils.rds import describe_region_clusters
from ansible_collections.aurora.global_db.plugins.module_utils._versions import AURORA_MYSQL
from ansible_collections.aurora.global_db.plugins.module_utils._versions import AURORA_POSTGRESQL

MAJOR_VERSIONS_OPERATION = "DescribeDBMajorEngineVersions"
# Reads of one fleet at once: regions, versions per region and major versions (AWS's rate limits allow far more).
MAX_WORKERS = 16
ENGINE_GROUPS = {AURORA_POSTGRESQL: "aurora_postgresql", AURORA_MYSQL: "aurora_mysql"}
EXTENDED_SUPPORT_GROUP = "extended_support"
MIXED_VERSIONS_GROUP = "mixed_versions"
OLD_SDK_WARNING = (
    "aurora_global: this botocore has no %s (botocore 1.38.20 and later have it): aurora_global_lifecycle is null "
    "and the extended_support group is empty; everything else is read. Upgrade boto3/botocore, or set include_lifecycle: false "
    "to silence this warning" % MAJOR_VERSIONS_OPERATION
)


class PluginConnection:
    """The connection RegionalClients asks for (SharedSession's client()), made by an amazon.aws inventory plugin."""

    def __init__(self, plugin, home_region):
        self.region = home_region
        self._plugin = plugin

    def client(self, service, retry_decorator=None, region=None, endpoint=None):
        # Only a given endpoint replaces endpoint_url: the plugin's client() takes its options' endpoint otherwise.
        endpoint_argument = {"endpoint": endpoint} if endpoint else {}
        return self._plugin.client(service, retry_decorator=retry_decorator, region=region or self.region, **endpoint_argument)


def plugin_clients(plugin, home_region, region_endpoint_urls):
    connection = PluginConnection(plugin, home_region)
    return RegionalClients(connection, region_endpoint_urls, connect=lambda _module: connection)


def supports_major_versions(client):
    """Whether the SDK knows DescribeDBMajorEngineVersions (botocore older than 1.38.20 does not)."""
    return MAJOR_VERSIONS_OPERATION in client.meta.service_model.operation_names


def wanted(global_clusters, identifiers):
    """The global clusters named in ``identifiers`` (all when empty), and the names that matched none."""
    if not identifiers:
        return global_clusters, []
    chosen = [cluster for cluster in global_clusters if any(same_identifier(cluster["GlobalClusterIdentifier"], name) for name in identifiers)]
    missing = [name for name in identifiers if not any(same_identifier(cluster["GlobalClusterIdentifier"], name) for cluster in chosen)]
    return chosen, missing


def member_regions(global_clusters):
    return sorted({region_from_arn(m["DBClusterArn"]) for cluster in global_clusters for m in cluster.get("GlobalClusterMembers", [])})


def version_keys(global_clusters):
    """(region, engine, version) of every read GlobalDatabaseReader.facts_of makes: the global cluster's version in each member's region."""
    return sorted({(region_from_arn(m["DBClusterArn"]), cluster["Engine"], cluster["EngineVersion"])
                   for cluster in global_clusters for m in cluster.get("GlobalClusterMembers", [])})


def major_keys(global_clusters):
    return sorted({(cluster["Engine"], major_engine_version(cluster["Engine"], cluster["EngineVersion"])) for cluster in global_clusters})


def host_variables(facts, tag_list, lifecycle):
    """A host's variables (the names of interface.md, section Fleet)."""
    return {
        "ansible_connection": "local",
        "aurora_global": facts,
        "aurora_global_lifecycle": lifecycle,
        "aurora_global_latest_minor_target": latest_minor_target(facts["valid_upgrade_targets"]),
        "aurora_global_tags": {tag["Key"]: tag.get("Value", "") for tag in tag_list or []},
    }


def group_names(host):
    """The groups a host belongs to without configuration: engine, engine and major version, extended_support, mixed_versions."""
    facts, lifecycle = host["aurora_global"], host["aurora_global_lifecycle"]
    engine_group = ENGINE_GROUPS.get(facts["engine"], facts["engine"].replace("-", "_"))
    groups = [engine_group, "%s_%s" % (engine_group, major_engine_version(facts["engine"], facts["engine_version"]).replace(".", "_"))]
    if lifecycle and lifecycle["in_extended_support"]:
        groups.append(EXTENDED_SUPPORT_GROUP)
    if len({member["engine_version"] for member in facts["members"]}) > 1:
        groups.append(MIXED_VERSIONS_GROUP)
    return groups


def _call(read):
    return read()


class FleetReader:
    """Reads every global database of an account (or those with a member in ``regions``), in few calls."""

    def __init__(self, clients, include_lifecycle=True, warn=None, today=None):
        self._clients = clients
        self._include_lifecycle = include_lifecycle
        self._warn = warn or (lambda message: None)
        self._today = today or datetime.datetime.now(datetime.timezone.utc).date()

    def read(self, regions=None, identifiers=None):
        """{global cluster identifier: host variables}."""
        global_clusters, missing = wanted(describe_global_clusters(self._clients, regions), identifiers)
        if missing:
            self._warn("aurora_global: global_cluster_identifiers: %s matched no global cluster of this account%s" % (
                ", ".join(missing), " with a member in %s" % ", ".join(regions) if regions else ""))
        home = self._clients.home_region
        majors = major_keys(global_clusters) if self._include_lifecycle and self._lifecycle_supported() else []
        # The clients first, in this thread (boto3 does not create clients safely in parallel).
        for region in member_regions(global_clusters):
            self._clients.rds(region)
        region_reads = [partial(describe_region_clusters, self._clients, region) for region in member_regions(global_clusters)]
        # The listings fill ``clusters`` before any facts are built from them.
        clusters = {}
        reader = GlobalDatabaseReader(self._clients, known_clusters=clusters)
        version_reads = [partial(reader.valid_targets, *key) for key in version_keys(global_clusters)]
        major_reads = [partial(describe_major_engine_version, self._clients, home, *key) for key in majors]
        answers = fan_out(_call, region_reads + version_reads + major_reads, max_workers=MAX_WORKERS)
        clusters.update((cluster["DBClusterArn"], cluster) for listing in answers[:len(region_reads)] for cluster in listing)
        lifecycles = {key: lifecycle_facts(answer, key[1], self._today) for key, answer in zip(majors, answers[len(region_reads) + len(version_reads):])}
        # Every member and every version is now known to the reader: building the facts makes no call.
        hosts = {}
        for global_cluster in global_clusters:
            key = (global_cluster["Engine"], major_engine_version(global_cluster["Engine"], global_cluster["EngineVersion"]))
            hosts[global_cluster["GlobalClusterIdentifier"]] = host_variables(
                reader.facts_of(global_cluster), global_cluster.get("TagList"), lifecycles.get(key))
        return hosts

    def _lifecycle_supported(self):
        if supports_major_versions(self._clients.rds(self._clients.home_region)):
            return True
        self._warn(OLD_SDK_WARNING)
        return False
