"""Backends that run blocks: in this process, in a pool of worker processes, or on Dask.

Every backend runs the same job on the same blocks; results are assembled in block
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
from typing import Any, Protocol

import numpy as np

from risksim.engine.jobs import BlockJob, BlockRange, Job
from risksim.engine.memory import keep_freed_memory
from risksim.engine.plan import SimulationPlan
from risksim.engine.streams import n_blocks
from risksim.errors import InputError
from risksim.suggest import unknown_name_message

BACKENDS = ("serial", "process", "dask")
TASKS_PER_WORKER = 4
"""Consecutive blocks are grouped into about this many tasks per worker."""

BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                          "BLIS_NUM_THREADS", "NUMEXPR_NUM_THREADS")

class Backend(Protocol):
    """Runs tasks (ranges of blocks) of a job and yields their results as they complete."""

    n_workers: int
    min_task_seconds: float | None

    def imap(self, job: Job, tasks: Sequence[BlockRange]) -> Iterator[tuple[BlockRange, Any]]:
        """(task, result) of every task, in the order they complete."""


def run_ordered(backend: Backend, job: Job, tasks: Sequence[BlockRange]) -> list[Any]:
    """``job``'s result on every task, in the order of ``tasks``."""
    done = dict(backend.imap(job, tasks))
    return [done[task] for task in tasks]


class SerialBackend:
    """Runs every task in this process, one after the other."""

    n_workers = 1
    min_task_seconds: float | None = None

    def imap(self, job: Job, tasks: Sequence[BlockRange]) -> Iterator[tuple[BlockRange, Any]]:
        """(task, result) of every task, in task order."""
        for task in tasks:
            yield task, job(task)

    def run(self, plan: SimulationPlan, seed: int, n_sims: int,
            tasks: Sequence[BlockRange]) -> list[np.ndarray]:
        """Rows of every task, in task order."""
        return run_ordered(self, BlockJob(plan, seed, n_sims), tasks)


_worker_job: Job | None = None


def _init_worker(job: Job) -> None:
    global _worker_job
    _worker_job = job
    keep_freed_memory()


def _run_in_worker(blocks: BlockRange) -> Any:
    assert _worker_job is not None, "worker started without a job"
    return _worker_job(blocks)


class ProcessBackend:
    """Runs tasks in a pool of worker processes (standard library), one BLAS thread each.

    The job (plan and portfolio included) is sent to each worker once, when it starts.

    Parameters
    ----------
    workers : int or None
        Number of worker processes; None for the number of CPUs.
    """

    min_task_seconds: float | None = None

    def __init__(self, workers: int | None = None) -> None:
        self.n_workers = workers or os.cpu_count() or 1

    def imap(self, job: Job, tasks: Sequence[BlockRange]) -> Iterator[tuple[BlockRange, Any]]:
        """(task, result) of every task, in the order they complete; a single task runs in
        this process (a pool would only add its start-up to it)."""
        if len(tasks) <= 1:
            yield from ((task, job(task)) for task in tasks)
            return
        context = multiprocessing.get_context(_start_method())
        with _one_blas_thread(), ProcessPoolExecutor(
                max_workers=min(self.n_workers, len(tasks)), mp_context=context,
                initializer=_init_worker, initargs=(job,)) as pool:
            futures = {pool.submit(_run_in_worker, task): task for task in tasks}
            for future in as_completed(futures):
                yield futures.pop(future), future.result()

    def run(self, plan: SimulationPlan, seed: int, n_sims: int,
            tasks: Sequence[BlockRange]) -> list[np.ndarray]:
        """Rows of every task, in task order."""
        return run_ordered(self, BlockJob(plan, seed, n_sims), tasks)


def _start_method() -> str:
    """``fork`` (milliseconds to start, nothing to pickle) when this process is single-threaded
    and the platform has it; otherwise ``spawn``, which is safe with threads but slower."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return "fork"
    return "spawn"


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Workers inherit the environment: pin BLAS to one thread while they start."""
    saved = {name: os.environ.get(name) for name in BLAS_THREAD_VARIABLES}
    os.environ.update(dict.fromkeys(BLAS_THREAD_VARIABLES, "1"))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def make_backend(name: str, workers: int | None = None, address: str | None = None) -> Backend:
    """The backend called ``name`` (``serial``, ``process`` or ``dask``; ``address`` is a Dask
    scheduler's, None to start a local cluster)."""
    if name == "serial":
        return SerialBackend()
    if name == "process":
        return ProcessBackend(workers)
    if name == "dask":
        from risksim.engine.dask_backend import DaskBackend

        return DaskBackend(workers=workers, address=address)
    raise InputError(unknown_name_message("backend", name, BACKENDS), path="backend")


def split_blocks(n_sims: int, n_tasks: int) -> list[BlockRange]:
    """Cut the blocks of ``n_sims`` simulations into at most ``n_tasks`` consecutive ranges."""
    return split_range((0, n_blocks(n_sims)), n_tasks)


def split_range(blocks: BlockRange, n_tasks: int) -> list[BlockRange]:
    """Cut blocks ``blocks[0] .. blocks[1] − 1`` into at most ``n_tasks`` consecutive ranges of
    nearly equal length."""
    start, stop = blocks
    edges = np.linspace(start, stop, min(n_tasks, stop - start) + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(edges) if b > a]
