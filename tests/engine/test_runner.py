"""Task planning of the runner: every pending block once, and no stray threads."""

from __future__ import annotations

import threading

import risksim
from risksim.engine.runner import missing_ranges, plan_tasks
from risksim.streams import BLOCK_SIZE
from tests.builders import scenario_mapping


def test_missing_ranges_are_the_blocks_no_saved_task_covers() -> None:
    n_sims = 10 * BLOCK_SIZE + 1  # 11 blocks
    assert missing_ranges(n_sims, []) == [(0, 11)]
    assert missing_ranges(n_sims, [(2, 4), (0, 1), (8, 11)]) == [(1, 2), (4, 8)]
    assert missing_ranges(n_sims, [(0, 11)]) == []


def test_tasks_cover_each_pending_block_once_within_their_size_limit() -> None:
    pending = [(1, 2), (4, 40), (50, 51)]
    for n_tasks, largest in ((1, None), (8, None), (3, 5)):
        tasks = plan_tasks(pending, n_tasks, largest)
        blocks = [b for start, stop in tasks for b in range(start, stop)]
        assert blocks == [1, *range(4, 40), 50]
        if largest is not None:
            assert max(stop - start for start, stop in tasks) <= largest


def test_a_progress_bar_leaves_no_thread_behind() -> None:
    # A live thread would make the process backend spawn workers instead of forking them.
    scenario = risksim.load_scenario(scenario_mapping())
    before = {thread.name for thread in threading.enumerate()}
    risksim.simulate(scenario, n_sims=100, progress=True)
    assert {thread.name for thread in threading.enumerate()} == before
