"""Timeline benchmark: dated claims and cash flows for B1 under the 2:2:4:2 chain, 3 years.

Runs 1,000 simulations of benchmarks/b1_2242_pool.yaml (B1's 10,000 loans, the 2:2:4:2
chain as counter-guarantees, a budgeted pool; its ``timeline`` section: claims 90 days past
due, a guarantor with 250 m yuan of cash, quarterly re-guarantee reimbursements, a pool
paying after the year closes, gamma workout lags, cures) in one process (one core): the
vectorised engine alone (:func:`risksim.engine.block.simulate_block`), then the timeline on
the same draws (:func:`risksim.timeline.run.timeline_block`, which also gives the same
allocation). Prints wall times (best of ``--repeat``), dated flows per second (each a
payment between two accounts on one day, summed over the loans that share payer, payee and
date), simpy events per second, and the ratio of the two times. Goals: at least 200,000
events per second per core; the timeline at most 20 times the vectorised engine.

Run:  python benchmarks/timeline_b1.py [--sims 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import risksim
from risksim.engine.block import simulate_block
from risksim.engine.memory import keep_freed_memory
from risksim.streams import n_blocks
from risksim.timeline.run import timeline_block
from risksim.timeline.settings import compile_timeline

HERE = Path(__file__).parent


def best_of(repeat: int, run: object) -> float:
    """The shortest wall time (seconds) of ``repeat`` calls of ``run``."""
    assert callable(run)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    scenario = risksim.load_scenario(HERE / "b1_2242_pool.yaml")
    plan, settings = scenario.plan, compile_timeline(scenario)
    seed = scenario.spec.simulation.seed
    blocks = range(n_blocks(args.sims))
    keep_freed_memory()  # as every backend does before running blocks
    timeline_block(settings, plan, seed, min(args.sims, 50), 0)  # warm up imports and caches

    def engine() -> None:
        for block in blocks:
            simulate_block(plan, seed, args.sims, block)

    outputs = []

    def timeline() -> None:
        outputs[:] = [timeline_block(settings, plan, seed, args.sims, b) for b in blocks]

    vectorised = best_of(args.repeat, engine)
    dated = best_of(args.repeat, timeline)
    dated_blocks = [block for _, block in outputs]
    flows = sum(block.flows for block in dated_blocks)
    simpy_events = sum(block.simpy_events for block in dated_blocks)
    defaults = sum(block.defaults for block in dated_blocks)
    print(f"{scenario.name}\n{len(scenario.portfolio):,} loans x {args.sims:,} simulations x "
          f"{plan.n_years} years: {defaults:,} defaults; best of {args.repeat}, one core")
    print(f"  vectorised engine:  {vectorised:6.3f} s")
    print(f"  timeline:           {dated:6.3f} s  = {dated / vectorised:5.1f}x the vectorised "
          "engine (goal: at most 20x)")
    print(f"  dated flows:        {flows:,}  -> {flows / dated:,.0f} events/s (goal: at least "
          "200,000)")
    print(f"  simpy events:       {simpy_events:,}  -> {simpy_events / dated:,.0f} events/s "
          "(the flows that can wait for cash or trigger reimbursements)")
    print(f"  default events:     {defaults:,}  -> {defaults / dated:,.0f} defaults dated/s")


if __name__ == "__main__":
    main()
