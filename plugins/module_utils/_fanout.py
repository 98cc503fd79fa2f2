# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run independent reads at once: one task per member or region, on a small thread pool.

A global database spans up to eleven regions and every read is a round trip to
another continent, so reading them one after another costs the sum of the
round trips; at once it costs the longest one. The answers come back in the
order the tasks were given, never in the order they finished, so the facts do
not depend on which region answered first. boto3 clients may be shared by
threads for calls (RegionalClients creates them under a lock).
"""

from concurrent.futures import ThreadPoolExecutor

# Regions of one global database: AWS allows a primary and up to ten secondaries.
MAX_WORKERS = 11


def fan_out(task, items, max_workers=MAX_WORKERS):
    """``[task(item) for item in items]``, the calls made concurrently; results in the order of ``items``.

    Every call runs to its end before this returns. When calls fail, the error of
    the first failing item (in the order of ``items``) is raised, unchanged: the
    same error the serial loop would have raised first.
    """
    items = list(items)
    if len(items) < 2:
        return [task(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(max_workers, len(items))) as pool:
        futures = [pool.submit(task, item) for item in items]
    return [future.result() for future in futures]
