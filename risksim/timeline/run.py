"""One block's timeline on the engine's own draws, and the task a backend runs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from risksim.compile.plan import SimulationPlan
from risksim.engine.block import allocate, replay
from risksim.engine.jobs import BlockRange
from risksim.engine.memory import keep_freed_memory
from risksim.streams import block_generator, block_size
from risksim.timeline.amounts import event_amounts
from risksim.timeline.dates import draw_dates
from risksim.timeline.model import settle_block
from risksim.timeline.obligations import block_obligations
from risksim.timeline.outputs import TimelineBlock, summarise
from risksim.timeline.settings import TimelineSettings


def timeline_block(settings: TimelineSettings, plan: SimulationPlan, seed: int, n_sims: int,
                   block: int) -> tuple[np.ndarray, TimelineBlock]:
    """Block ``block``'s allocation (as :func:`~risksim.engine.block.simulate_block` gives
    it, bit for bit) and its timeline.

    The same generator draws the defaults and losses, then the timeline's dates (after
    every draw of the engine). The allocation decides every amount (the ledger's
    per-event payments); the timeline decides when each is paid.
    """
    rng = block_generator(seed, block)
    events, ledger = replay(plan, rng, block_size(n_sims, block))
    columns = allocate(plan, events)
    dates = draw_dates(settings, events, rng)
    amounts = event_amounts(settings, plan, events, ledger)
    obligations = block_obligations(settings, plan, events, ledger, dates, amounts)
    settled = settle_block(settings, obligations, amounts.paths, events.n_sims)
    return columns, summarise(settings, events, dates, amounts, obligations, settled)


@dataclass(frozen=True, eq=False)
class TimelineJob:
    """The timeline of ranges of blocks of one run (what a backend runs on each task).

    Attributes
    ----------
    settings : TimelineSettings
        The compiled timeline section.
    plan : SimulationPlan
        The compiled scenario.
    seed, n_sims : int
        The run's seed and length.
    """

    settings: TimelineSettings
    plan: SimulationPlan
    seed: int
    n_sims: int

    def __call__(self, blocks: BlockRange) -> list[tuple[np.ndarray, TimelineBlock]]:
        """:func:`timeline_block` for blocks ``blocks[0] .. blocks[1] − 1``."""
        keep_freed_memory()
        return [timeline_block(self.settings, self.plan, self.seed, self.n_sims, b)
                for b in range(*blocks)]
