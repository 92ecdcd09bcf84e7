"""Backends that run blocks: in this process, or in a pool of worker processes.

Every backend runs the same function on the same blocks; results are assembled in block
order, so a seed gives bit-identical output whatever the backend or number of workers.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Protocol

import numpy as np

from risksim import progress
from risksim.engine.block import simulate_block
from risksim.engine.memory import keep_freed_memory
from risksim.engine.plan import SimulationPlan
from risksim.engine.streams import block_size, n_blocks
from risksim.errors import InputError
from risksim.suggest import unknown_name_message

BACKENDS = ("serial", "process")
TASKS_PER_WORKER = 4
"""Consecutive blocks are grouped into about this many tasks per worker."""

_BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                          "BLIS_NUM_THREADS", "NUMEXPR_NUM_THREADS")

BlockRange = tuple[int, int]


class Backend(Protocol):
    """Runs tasks (ranges of blocks) of a plan and returns their results in task order."""

    n_workers: int

    def run(self, plan: SimulationPlan, seed: int, n_sims: int,
            tasks: Sequence[BlockRange]) -> list[np.ndarray]:
        """Results of every task, in the order of ``tasks``."""


def run_task(plan: SimulationPlan, seed: int, n_sims: int, blocks: BlockRange, *,
             report: bool = False) -> np.ndarray:
    """Simulate blocks ``blocks[0] .. blocks[1] − 1``, stacked in block order.

    With ``report``, each finished block moves the open progress bar by its simulations.
    """
    keep_freed_memory()
    parts = []
    for block in range(*blocks):
        parts.append(simulate_block(plan, seed, n_sims, block))
        if report:
            progress.advance(block_size(n_sims, block))
    return np.concatenate(parts)


def task_size(n_sims: int, blocks: BlockRange) -> int:
    """Number of simulations in the blocks ``blocks``."""
    return sum(block_size(n_sims, block) for block in range(*blocks))


class SerialBackend:
    """Runs every task in this process, one after the other."""

    n_workers = 1

    def run(self, plan: SimulationPlan, seed: int, n_sims: int,
            tasks: Sequence[BlockRange]) -> list[np.ndarray]:
        """Results of every task, in task order."""
        return [run_task(plan, seed, n_sims, task, report=True) for task in tasks]


_worker_plan: SimulationPlan | None = None


def _init_worker(plan: SimulationPlan) -> None:
    global _worker_plan
    _worker_plan = plan


def _run_in_worker(seed: int, n_sims: int, blocks: BlockRange) -> np.ndarray:
    assert _worker_plan is not None, "worker started without a plan"
    return run_task(_worker_plan, seed, n_sims, blocks)


class ProcessBackend:
    """Runs tasks in a pool of worker processes (standard library), one BLAS thread each.

    The plan (portfolio included) is sent to each worker once, when it starts. The progress
    bar moves as each task finishes.

    Parameters
    ----------
    workers : int or None
        Number of worker processes; None for the number of CPUs.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.n_workers = workers or os.cpu_count() or 1

    def run(self, plan: SimulationPlan, seed: int, n_sims: int,
            tasks: Sequence[BlockRange]) -> list[np.ndarray]:
        """Results of every task, in task order."""
        context = multiprocessing.get_context(_start_method())
        with _one_blas_thread(), ProcessPoolExecutor(
                max_workers=min(self.n_workers, len(tasks)), mp_context=context,
                initializer=_init_worker, initargs=(plan,)) as pool:
            futures = {pool.submit(_run_in_worker, seed, n_sims, task): task for task in tasks}
            for future in as_completed(futures):
                future.result()
                progress.advance(task_size(n_sims, futures[future]))
            return [future.result() for future in futures]


def _start_method() -> str:
    """``fork`` (milliseconds to start, nothing to pickle) when this process is single-threaded
    and the platform has it; otherwise ``spawn``, which is safe with threads but slower."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return "fork"
    return "spawn"


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Workers inherit the environment: pin BLAS to one thread while they start."""
    saved = {name: os.environ.get(name) for name in _BLAS_THREAD_VARIABLES}
    os.environ.update(dict.fromkeys(_BLAS_THREAD_VARIABLES, "1"))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def make_backend(name: str, workers: int | None = None) -> Backend:
    """The backend called ``name`` (``serial`` or ``process``)."""
    if name == "serial":
        return SerialBackend()
    if name == "process":
        return ProcessBackend(workers)
    raise InputError(unknown_name_message("backend", name, BACKENDS), path="backend")


def split_blocks(n_sims: int, n_tasks: int) -> list[BlockRange]:
    """Cut the blocks of ``n_sims`` simulations into at most ``n_tasks`` consecutive ranges."""
    total = n_blocks(n_sims)
    edges = np.linspace(0, total, min(n_tasks, total) + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(edges) if b > a]
