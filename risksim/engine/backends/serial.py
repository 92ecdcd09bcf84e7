"""The serial backend: every task in this process, one after the other."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from risksim.engine.jobs import BlockRange, Job


class SerialBackend:
    """Runs every task in this process, one after the other."""

    n_workers = 1
    min_task_seconds: float | None = None

    def imap(self, job: Job, tasks: Sequence[BlockRange]) -> Iterator[tuple[BlockRange, Any]]:
        """(task, result) of every task, in task order."""
        for task in tasks:
            yield task, job(task)
