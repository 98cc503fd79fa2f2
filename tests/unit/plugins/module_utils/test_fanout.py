# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fan-out of reads: concurrent, yet its results and errors do not depend on which call finished first."""

import itertools
import threading

import pytest

from ansible_collections.aurora.global_db.plugins.module_utils._fanout import fan_out

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"]
# Long enough for a stuck test to fail rather than hang; a passing test never waits for it.
STUCK_SECONDS = 10


class Finishing:
    """Tasks that finish in a forced order: each waits until the task before it in ``order`` has finished.

    The forced order can only be met when the tasks run at the same time, so a
    serial implementation fails the test (by timeout) instead of passing it.
    """

    def __init__(self, order, fail=()):
        self._order = order
        self._fail = set(fail)
        self._finished = {item: threading.Event() for item in order}
        self.finished = []
        self._lock = threading.Lock()

    def __call__(self, item):
        position = self._order.index(item)
        if position:
            assert self._finished[self._order[position - 1]].wait(STUCK_SECONDS), "the tasks did not run concurrently"
        with self._lock:
            self.finished.append(item)
        self._finished[item].set()
        if item in self._fail:
            raise LookupError("no answer from %s" % item)
        return "read in %s" % item


@pytest.mark.parametrize("order", list(itertools.permutations(REGIONS)))
def test_results_keep_the_order_of_the_items_whatever_order_the_calls_finish_in(order):
    finishing = Finishing(list(order))
    assert fan_out(finishing, REGIONS) == ["read in %s" % region for region in REGIONS]
    assert finishing.finished == list(order)


def test_the_error_raised_is_the_first_failing_items_even_when_a_later_item_failed_first():
    finishing = Finishing(list(reversed(REGIONS)), fail=["eu-west-1", "us-west-2"])
    with pytest.raises(LookupError, match="no answer from eu-west-1"):
        fan_out(finishing, REGIONS)
    # Every call ran to its end, including those after the failing ones.
    assert sorted(finishing.finished) == sorted(REGIONS)


def test_the_error_is_the_tasks_own_exception_object():
    error = LookupError("throttled")

    def failing(item):
        raise error

    with pytest.raises(LookupError) as raised:
        fan_out(failing, REGIONS)
    assert raised.value is error


def test_fewer_than_two_items_run_in_the_calling_thread():
    threads = []
    assert fan_out(lambda item: threads.append(threading.current_thread()) or item, ["us-east-1"]) == ["us-east-1"]
    assert threads == [threading.current_thread()]
    assert fan_out(lambda item: item, []) == []


def test_no_more_threads_than_max_workers():
    running, peak, lock = [0], [0], threading.Lock()
    release = threading.Event()

    def task(item):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            if running[0] == 2:
                release.set()
        release.wait(STUCK_SECONDS)
        with lock:
            running[0] -= 1
        return item

    assert fan_out(task, REGIONS, max_workers=2) == REGIONS
    assert peak[0] == 2
