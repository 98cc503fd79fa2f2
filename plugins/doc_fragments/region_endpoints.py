# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """The per-region endpoint option of the modules that call AWS in every member's region."""

    DOCUMENTATION = r"""
options:
  region_endpoint_urls:
    description:
      - The RDS endpoint URL to use in each named region, as a dictionary of region name to URL (see the examples of
        M(aurora.global_db.aurora_global_upgrade)).
      - A global database spans several regions, and VPC or FIPS endpoints each serve one region only. AWS refuses a request
        signed for one region that reaches another region's endpoint with C(SignatureDoesNotMatch) (C(Credential should be
        scoped to a valid region)). When that happens the module fails before any change, naming the region to add here.
      - O(endpoint_url) still applies to every region without an entry (right for one local emulator serving every region);
        regions with neither use the AWS default endpoint.
    type: dict
"""
