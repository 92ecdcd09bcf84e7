"""Run the blocks of a job on a backend: task sizing, progress, checkpoints, and assembly
in block order.

Tasks are ranges of consecutive blocks. The serial and process backends get a few tasks
per worker (more, of at most :data:`MAX_BLOCKS_PER_STREAMED_TASK` blocks, when results are
reduced or checkpointed as they come); backends with a per-task overhead (Dask) get tasks
sized from a pilot block timed in this process, so each holds at least
``backend.min_task_seconds`` of work. Whatever the grouping, block ``b``'s simulations
depend only on (seed, b), and results are assembled by block, so the output is the same.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from risksim.engine.backends.base import TASKS_PER_WORKER, Backend, split_range
from risksim.engine.jobs import BlockJob, BlockRange, RunJob
from risksim.engine.streaming import StreamAccumulator
from risksim.streams import block_size, n_blocks
from risksim.util import progress

MAX_BLOCKS_PER_STREAMED_TASK = 16
"""Blocks per task at most when task results are reduced or saved as they complete."""


def plan_tasks(pending: Sequence[BlockRange], n_tasks: int,
               max_blocks: int | None = None) -> list[BlockRange]:
    """Cut the pending block ranges into about ``n_tasks`` tasks (never across a range).

    Each range gets a share of the tasks proportional to its length, and no task holds more
    than ``max_blocks`` blocks.
    """
    total = sum(stop - start for start, stop in pending)
    tasks: list[BlockRange] = []
    for start, stop in pending:
        share = max(1, round(n_tasks * (stop - start) / total))
        if max_blocks is not None:
            share = max(share, math.ceil((stop - start) / max_blocks))
        tasks += split_range((start, stop), share)
    return tasks


def missing_ranges(n_sims: int, done: Sequence[BlockRange]) -> list[BlockRange]:
    """The ranges of blocks of a run of ``n_sims`` not covered by the ``done`` ranges."""
    covered = sorted(done)
    gaps: list[BlockRange] = []
    position = 0
    for start, stop in covered:
        if start > position:
            gaps.append((position, start))
        position = max(position, stop)
    if position < n_blocks(n_sims):
        gaps.append((position, n_blocks(n_sims)))
    return gaps


def run_job(backend: Backend, job: RunJob, pending: Sequence[BlockRange], *,
            streamed: bool = False) -> Iterator[tuple[BlockRange, Any]]:
    """(task, result) for every block of ``pending``, as tasks complete; each finished task
    moves the open progress bar (:mod:`risksim.util.progress`) by its simulations.

    Parameters
    ----------
    backend : Backend
        Where tasks run.
    job : RunJob
        What each task computes (a :class:`BlockJob`, or the timeline's job).
    pending : sequence of (int, int)
        Ranges of blocks to run.
    streamed : bool, default False
        Results are reduced or saved as they come: keep tasks small.
    """
    pending = [block_range for block_range in pending if block_range[1] > block_range[0]]
    if not pending:
        return
    if backend.min_task_seconds is not None:
        (start, stop), pending = pending[0], pending[1:]
        pilot = (start, start + 1)
        began = time.perf_counter()
        first = job(pilot)
        seconds = time.perf_counter() - began
        progress.advance(_simulations(job, pilot))
        yield pilot, first
        if stop > start + 1:
            pending = [(start + 1, stop), *pending]
        if not pending:
            return
        per_task = max(1, math.ceil(backend.min_task_seconds / max(seconds, 1e-6)))
        remaining = sum(b - a for a, b in pending)
        tasks = plan_tasks(pending, max(min(backend.n_workers, remaining),
                                        remaining // per_task),
                           MAX_BLOCKS_PER_STREAMED_TASK if streamed else None)
    else:
        tasks = plan_tasks(pending, backend.n_workers * TASKS_PER_WORKER,
                           MAX_BLOCKS_PER_STREAMED_TASK if streamed else None)
    for task, result in backend.imap(job, tasks):
        progress.advance(_simulations(job, task))
        yield task, result


def _simulations(job: RunJob, blocks: BlockRange) -> int:
    """Simulations in the blocks ``blocks`` of the job's run."""
    return sum(block_size(job.n_sims, block) for block in range(*blocks))


def execute(backend: Backend, job: BlockJob, *, checkpoint: Path | None = None,
            resume: bool = False,
            identity: Mapping[str, Any] | None = None) -> np.ndarray | StreamAccumulator:
    """Every block of ``job``'s run: its rows in block order, or (streaming) their accumulator.

    Parameters
    ----------
    backend : Backend
        Where tasks run.
    job : BlockJob
        The run.
    checkpoint : Path or None
        A folder to save each completed task in (:mod:`risksim.engine.checkpoint`).
    resume : bool, default False
        Start from the tasks saved in ``checkpoint`` and run only the missing blocks.
    identity : mapping or None
        What identifies the run in the checkpoint's manifest.
    """
    grid = job.grid
    store = None
    saved: Iterator[tuple[BlockRange, Any]] = iter(())
    if checkpoint is not None:
        from risksim.engine.checkpoint import Checkpoint

        if grid is None:
            store = Checkpoint(checkpoint, identity or {}, lambda rows: {"rows": rows},
                               lambda arrays: arrays["rows"])
        else:
            store = Checkpoint(checkpoint, identity or {}, StreamAccumulator.to_arrays,
                               functools.partial(StreamAccumulator.from_arrays, grid))
        saved = store.start(resume)
    total = grid.empty() if grid is not None else None
    rows: dict[BlockRange, np.ndarray] = {}

    def keep(task: BlockRange, result: Any) -> None:
        if total is not None:
            total.merge(result)
        else:
            rows[task] = result

    done = []
    for task, result in saved:
        keep(task, result)
        done.append(task)
        progress.advance(_simulations(job, task))
    streamed = store is not None or grid is not None
    for task, result in run_job(backend, job, missing_ranges(job.n_sims, done),
                                streamed=streamed):
        if store is not None:
            store.save(task, result)
        keep(task, result)
    if total is not None:
        return total
    return np.concatenate([rows[task] for task in sorted(rows)])
