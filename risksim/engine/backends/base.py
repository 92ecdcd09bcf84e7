"""What every backend is: a :class:`Backend` runs tasks (ranges of blocks) of a job and
yields their results as they complete; tasks are consecutive block ranges.

Every backend runs the same job on the same blocks; results are assembled in block
order, so a seed gives bit-identical output whatever the backend or number of workers.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

import numpy as np

from risksim.engine.jobs import BlockRange, Job

TASKS_PER_WORKER = 4
"""Consecutive blocks are grouped into about this many tasks per worker."""

BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                         "BLIS_NUM_THREADS", "NUMEXPR_NUM_THREADS")
"""Environment variables that pin a worker's BLAS (and OpenMP) to one thread."""


class Backend(Protocol):
    """Runs tasks (ranges of blocks) of a job and yields their results as they complete."""

    n_workers: int
    min_task_seconds: float | None

    def imap(self, job: Job, tasks: Sequence[BlockRange]) -> Iterator[tuple[BlockRange, Any]]:
        """(task, result) of every task, in the order they complete."""


def split_range(blocks: BlockRange, n_tasks: int) -> list[BlockRange]:
    """Cut blocks ``blocks[0] .. blocks[1] − 1`` into at most ``n_tasks`` consecutive ranges of
    nearly equal length."""
    start, stop = blocks
    edges = np.linspace(start, stop, min(n_tasks, stop - start) + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(edges) if b > a]
