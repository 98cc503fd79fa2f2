# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Local AWS sandbox: a moto server extended with what upgrading an Aurora global database needs (see docs/sandbox.md)."""
