"""Allocation benchmark: the time the rules take against the time to draw the defaults.

Runs B1 under the 2:2:4:2 chain with a capped national fund and a budgeted, triggered pool
over 3 years (benchmarks/b1_2242_pool.yaml), block by block in this process, timing the
default sampling (factors, defaults, losses) and the allocation (every rule, the
conservation check and the per-simulation sums) separately.

Run:  python benchmarks/allocation_b1.py [--sims 100000]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import risksim
from risksim.engine.block import allocate, draw_loss_events
from risksim.engine.memory import keep_freed_memory
from risksim.streams import block_generator, block_size, n_blocks

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=100_000)
    args = parser.parse_args()
    scenario = risksim.load_scenario(HERE / "b1_2242_pool.yaml")
    plan = scenario.plan
    keep_freed_memory()  # as every backend does before running blocks
    sampling = allocation = 0.0
    n_events = 0
    for block in range(n_blocks(args.sims)):
        rng = block_generator(scenario.spec.simulation.seed, block)
        start = time.perf_counter()
        events = draw_loss_events(plan, rng, block_size(args.sims, block))
        middle = time.perf_counter()
        columns = allocate(plan, events)
        sampling += middle - start
        allocation += time.perf_counter() - middle
        n_events += events.loss.size
        assert np.isfinite(columns).all()
    print(f"{scenario.name}\n{len(scenario.portfolio):,} loans x {args.sims:,} simulations x "
          f"{plan.n_years} years: {n_events:,} defaults, {len(plan.rules)} rules")
    print(f"  default sampling: {sampling:6.2f} s")
    print(f"  allocation:       {allocation:6.2f} s  = {allocation / sampling:.0%} of sampling "
          "(goal: at most 30%)")


if __name__ == "__main__":
    main()
