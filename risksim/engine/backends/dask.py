"""The Dask backend: blocks run on a Dask cluster, embedded or reached at an address.

With no address, a :class:`distributed.LocalCluster` of worker *processes* is started for the
run (one thread and one BLAS thread each, no dashboard or profiler unless asked) and closed
after it.
With an address (``tcp://HOST:PORT``) the run uses that scheduler's workers, which must
have the same risksim installed: the version (and the random-stream version) on every
worker is checked when connecting.

The job (plan, portfolio included) is scattered to every worker once; tasks then carry only
their range of blocks. Results are yielded as tasks complete (``as_completed``), and the
caller assembles them in block order, so a seed gives the losses of the serial backend bit
for bit. When a worker is lost, the scheduler runs its unfinished tasks again elsewhere;
blocks depend only on (seed, block), so the recomputed results are the same.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack
from importlib.metadata import version
from typing import Any
from urllib.parse import urlsplit

from risksim.engine.backends.base import BLAS_THREAD_VARIABLES
from risksim.engine.jobs import BlockRange, Job
from risksim.errors import InputError
from risksim.streams import STREAM_VERSION

MIN_TASK_SECONDS = 0.5
"""Work per Dask task (seconds), so that the per-task overhead (~1 ms) stays negligible."""

CONNECT_TIMEOUT_SECONDS = 30
"""How long to wait for the scheduler at ``address`` and for its first worker."""


def worker_versions() -> tuple[str, int]:
    """The risksim version and random-stream version installed where this runs."""
    return version("risksim"), STREAM_VERSION


def check_worker_versions(found: Mapping[str, tuple[str, int]]) -> None:
    """Stop when a worker runs another risksim (or stream version) than this process.

    Parameters
    ----------
    found : mapping of str to (str, int)
        Worker address → (risksim version, stream version), from :func:`worker_versions`.

    Raises
    ------
    InputError
        Naming the first mismatching worker and both versions.
    """
    here = worker_versions()
    for address, there in sorted(found.items()):
        if tuple(there) != here:
            raise InputError(
                f"Dask worker {address} runs risksim {there[0]} (stream version {there[1]}), "
                f"this process risksim {here[0]} (stream version {here[1]}): install the "
                "same risksim on every worker", path="address")


def _check_listening(address: str) -> None:
    """Fail at once when nothing listens at a ``tcp://HOST:PORT`` address (a refused
    connection), rather than after the client's connect timeout; other schemes and slow
    networks are left to the client."""
    parsed = urlsplit(address)
    if parsed.scheme != "tcp" or parsed.hostname is None or parsed.port is None:
        return
    try:
        socket.create_connection((parsed.hostname, parsed.port), timeout=5).close()
    except ConnectionRefusedError:
        raise InputError(f"cannot reach the Dask scheduler at {address}: connection "
                         "refused (is a scheduler running there?)", path="address") from None
    except OSError:
        return


def _run_job(job: Job, blocks: BlockRange) -> Any:
    return job(blocks)


class DaskBackend:
    """Runs tasks on a Dask cluster.

    Parameters
    ----------
    workers : int or None
        Worker processes of the embedded cluster (None: the number of CPUs). With
        ``address`` the cluster's workers are used and this must be None.
    address : str or None
        A running scheduler, ``tcp://HOST:PORT``; None starts an embedded LocalCluster.
    dashboard : bool, default False
        Serve the embedded cluster's dashboard (on port 8787).
    min_task_seconds : float, default MIN_TASK_SECONDS
        Work per task; the caller sizes tasks from a timed pilot block.
    connect_timeout : float, default CONNECT_TIMEOUT_SECONDS
        Seconds to wait for the scheduler at ``address`` and for its first worker.
    """

    def __init__(self, workers: int | None = None, address: str | None = None, *,
                 dashboard: bool = False, min_task_seconds: float = MIN_TASK_SECONDS,
                 connect_timeout: float = CONNECT_TIMEOUT_SECONDS) -> None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise InputError("the dask backend needs dask[distributed]: "
                             "pip install 'risksim[dask]'", path="backend") from None
        if address is not None and workers is not None:
            raise InputError("workers applies to the embedded cluster; with an address the "
                             "scheduler's workers are used", path="workers")
        self.address = address
        self.dashboard = dashboard
        self.connect_timeout = connect_timeout
        self.min_task_seconds: float | None = min_task_seconds
        self._workers = workers or os.cpu_count() or 1
        self.n_workers = self._workers if address is None else self._count_remote_workers()

    def _count_remote_workers(self) -> int:
        with ExitStack() as stack:
            return len(self._connect(stack).scheduler_info()["workers"])

    def _connect(self, stack: ExitStack) -> Any:
        """A connected client, closed by ``stack`` (with the embedded cluster it runs on and
        that cluster's scratch folder, which is removed)."""
        from distributed import Client, LocalCluster

        if self.address is not None:
            _check_listening(self.address)
            try:
                client = Client(self.address, timeout=self.connect_timeout)
            except (OSError, TimeoutError) as exc:
                raise InputError(f"cannot reach the Dask scheduler at {self.address}: {exc}",
                                 path="address") from None
            stack.callback(client.close)
            client.wait_for_workers(1, timeout=self.connect_timeout)
            return client
        import dask

        scratch = tempfile.mkdtemp(prefix="risksim-dask-")
        stack.callback(shutil.rmtree, scratch, ignore_errors=True)

        # the workers' sampling profiler (a thread taking the GIL every 10 ms) only feeds
        # the dashboard; without one it costs about 5% of the compute. Every Dask server,
        # the scheduler too, keeps its scratch in the temporary-directory: this run's own.
        with dask.config.set({"distributed.worker.profile.enabled": self.dashboard,
                              "temporary-directory": scratch}):
            cluster = LocalCluster(n_workers=self._workers, threads_per_worker=1,
                                   processes=True,
                                   dashboard_address=("127.0.0.1:8787" if self.dashboard
                                                      else None),
                                   local_directory=scratch,
                                   env=dict.fromkeys(BLAS_THREAD_VARIABLES, "1"))
        stack.callback(cluster.close)
        client = Client(cluster)
        stack.callback(client.close)
        return client

    def imap(self, job: Job, tasks: Sequence[BlockRange]) -> Iterator[tuple[BlockRange, Any]]:
        """(task, result) of every task, in the order they complete."""
        if not tasks:
            return
        from distributed import as_completed

        with ExitStack() as stack:
            client = self._connect(stack)
            check_worker_versions(client.run(worker_versions))
            [shared_job] = client.scatter([job], broadcast=True, hash=False)
            futures = {client.submit(_run_job, shared_job, task, pure=False,
                                     key=f"risksim-blocks-{task[0]}-{task[1]}-{id(job)}"): task
                       for task in tasks}
            for future in as_completed(futures):
                task = futures.pop(future)
                result = future.result()
                future.release()
                yield task, result
