"""The process backend: tasks in a pool of worker processes (standard library), one BLAS
thread each."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any

from risksim.engine.backends.base import BLAS_THREAD_VARIABLES
from risksim.engine.jobs import BlockRange, Job
from risksim.engine.memory import keep_freed_memory

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


