"""What a backend runs: a job that turns a range of blocks into a task result.

A :class:`BlockJob` holds everything a worker needs (the plan, with the portfolio, the seed
and the run length); backends send it to each worker once and then call it on ranges of
blocks. Its result is either the stacked per-simulation rows of the blocks or, in
streaming mode, a :class:`~risksim.engine.streaming.StreamAccumulator` of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from risksim.compile.plan import SimulationPlan
from risksim.engine.block import simulate_block
from risksim.engine.memory import keep_freed_memory

if TYPE_CHECKING:
    from risksim.engine.streaming import StreamAccumulator, StreamingGrid

BlockRange = tuple[int, int]
"""Blocks ``start .. stop − 1``."""

Job = Callable[[BlockRange], Any]
"""What a backend runs on each task: a picklable callable of a range of blocks (sent to each
worker once), e.g. a :class:`BlockJob` or the timeline's job."""


class RunJob(Protocol):
    """A job over the blocks of one run of ``n_sims`` simulations."""

    @property
    def n_sims(self) -> int:
        """Simulations in the whole run."""

    def __call__(self, blocks: BlockRange) -> Any:
        """The result of blocks ``blocks[0] .. blocks[1] − 1``."""


@dataclass(frozen=True, eq=False)
class BlockJob:
    """Simulate ranges of blocks of one run.

    Attributes
    ----------
    plan : SimulationPlan
        The compiled scenario (portfolio, rules, sampling options).
    seed : int
        The run's seed; block ``b`` draws from its own stream (:mod:`risksim.streams`).
    n_sims : int
        Simulations in the whole run (the last block may be partial).
    grid : StreamingGrid or None
        In streaming mode, the grid the blocks are reduced onto; None keeps every row.
    """

    plan: SimulationPlan
    seed: int
    n_sims: int
    grid: StreamingGrid | None = None

    def __call__(self, blocks: BlockRange) -> np.ndarray | StreamAccumulator:
        """Rows of blocks ``blocks[0] .. blocks[1] − 1`` stacked in block order, or (streaming)
        their accumulator."""
        keep_freed_memory()
        rows = (simulate_block(self.plan, self.seed, self.n_sims, b) for b in range(*blocks))
        if self.grid is None:
            return np.concatenate(list(rows))
        accumulator = self.grid.empty()
        for values in rows:
            accumulator.add(values)
        return accumulator
