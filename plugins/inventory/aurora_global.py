# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: aurora_global
short_description: One host per Aurora global database of an AWS account
version_added: 0.1.0
description:
  - One host per Amazon Aurora global database of the account, named by its global cluster identifier, with
    C(ansible_connection=local) (every call goes to the AWS API from the controller).
  - Host variables C(aurora_global) (what M(aurora.global_db.aurora_global_facts) returns, without C(upgrade_plan)),
    C(aurora_global_lifecycle), C(aurora_global_latest_minor_target) and C(aurora_global_tags).
  - Groups without configuration C(aurora_postgresql), C(aurora_mysql), one per engine and major version (for example
    C(aurora_postgresql_14), C(aurora_mysql_8_0)), C(extended_support) (standard support has ended) and C(mixed_versions)
    (members not all at the same version); C(compose), C(groups) and C(keyed_groups) add more.
  - Few calls, whatever the number of global databases; one C(DescribeGlobalClusters) for the account (every page), then
    at once one C(DescribeDBClusters) per region that holds members, one C(DescribeDBEngineVersions) per engine version and
    region, one C(DescribeDBMajorEngineVersions) per major version.
  - The inventory file's name ends with C(aurora_global.yml) or C(aurora_global.yaml).
  - One inventory source per account; O(assume_role_arn) reads another account (as AWX inventory sources do, see the
    collection's docs/awx.md).
options:
  plugin:
    description: The name of this plugin.
    required: true
    type: str
    choices: [aurora.global_db.aurora_global]
  regions:
    description:
      - Only the global databases with a member in one of these regions (C(DescribeGlobalClusters)' C(region) filter).
        The members in other regions are read too, so that each host's facts are whole.
      - Empty, every global database of the account.
    type: list
    elements: str
    default: []
  global_cluster_identifiers:
    description:
      - Only these global databases (matched case-insensitively, as AWS matches them); a name that matches none is warned
        about. Empty, all of them.
    type: list
    elements: str
    default: []
  region_endpoint_urls:
    description:
      - An endpoint per region, for regions that need their own (VPC or FIPS endpoints); the other regions use
        O(endpoint_url), or AWS's default endpoint.
    type: dict
    default: {}
  include_lifecycle:
    description:
      - Read the support dates of each major version (C(DescribeDBMajorEngineVersions)) into C(aurora_global_lifecycle)
        and the C(extended_support) group.
      - With a botocore older than 1.38.20 (no C(DescribeDBMajorEngineVersions)) the plugin warns, sets
        C(aurora_global_lifecycle) to null and reads everything else.
    type: bool
    default: true
notes:
  - C(DescribeGlobalClusters) is asked in O(region), else the first of O(regions), else C(us-east-1); global clusters are
    the same from every region.
  - A host's C(aurora_global_lifecycle) holds C(major_engine_version), C(standard_support_end) and C(extended_support_end)
    (ISO dates, or null when AWS lists none), C(in_extended_support) and C(days_until_standard_support_end) (negative
    once past).
  - C(aurora_global_latest_minor_target) is the highest valid minor target that supports global databases, or null.
  - With a cache (O(cache=true)) a second run within O(cache_timeout) makes no call at all; C(--flush-cache) reads again.
extends_documentation_fragment:
  - inventory_cache
  - constructed
  - amazon.aws.boto3
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
  - amazon.aws.assume_role.plugins
author:
  - Aurora global_db maintainers (@aurora-global-db)
"""

EXAMPLES = r"""
# prod.aurora_global.yml: every global database of the account, grouped by tag and by engine version
plugin: aurora.global_db.aurora_global
region: us-east-1
keyed_groups:
  - key: aurora_global_tags.team | default('none')
    prefix: team
  - key: aurora_global.engine_version
    prefix: version
compose:
  aurora_global_upgrade_engine_version: aurora_global_latest_minor_target
groups:
  support_ends_within_a_year: aurora_global_lifecycle.days_until_standard_support_end | default(9999) < 365

---
# other-account.aurora_global.yml: another account, through a role; only global databases with a member in Europe
plugin: aurora.global_db.aurora_global
assume_role_arn: arn:aws:iam::210987654321:role/aurora-global-inventory
regions: [eu-west-1, eu-central-1]
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/aurora_global_inventory
cache_timeout: 600
"""

from ansible.errors import AnsibleError

from ansible_collections.amazon.aws.plugins.plugin_utils.inventory import AWSInventoryBase

from ansible_collections.aurora.global_db.plugins.module_utils.errors import AuroraGlobalError
from ansible_collections.aurora.global_db.plugins.plugin_utils.fleet_inventory import FleetReader
from ansible_collections.aurora.global_db.plugins.plugin_utils.fleet_inventory import group_names
from ansible_collections.aurora.global_db.plugins.plugin_utils.fleet_inventory import plugin_clients

DEFAULT_HOME_REGION = "us-east-1"


class InventoryModule(AWSInventoryBase):
    NAME = "aurora.global_db.aurora_global"
    INVENTORY_FILE_SUFFIXES = ("aurora_global.yml", "aurora_global.yaml")

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache=cache)
        found, hosts = self.get_cached_result(path, cache)
        if not found:
            hosts = self._read_fleet()
        self._populate(hosts)
        self.update_cached_result(path, cache, hosts)

    def _read_fleet(self):
        regions = self.get_option("regions")
        home_region = self.region or (regions[0] if regions else DEFAULT_HOME_REGION)
        clients = plugin_clients(self, home_region, self.get_option("region_endpoint_urls"))
        reader = FleetReader(clients, include_lifecycle=self.get_option("include_lifecycle"), warn=self.warn)
        try:
            return reader.read(regions=regions, identifiers=self.get_option("global_cluster_identifiers"))
        except AuroraGlobalError as error:
            details = ": %s" % error.exception if error.exception is not None else ""
            raise AnsibleError("aurora_global inventory: %s%s" % (error.message, details)) from error

    def _populate(self, hosts):
        strict = self.get_option("strict")
        for name, variables in sorted(hosts.items()):
            self.inventory.add_host(name)
            for group in group_names(variables):
                self.inventory.add_group(group)
                self.inventory.add_child(group, name)
            for key, value in variables.items():
                self.inventory.set_variable(name, key, value)
            self._set_composite_vars(self.get_option("compose"), variables, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, name, strict=strict)
