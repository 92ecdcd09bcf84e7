"""Scale and tail-accuracy benchmarks (issue 7). Prints the figures; each part is a command.

  python benchmarks/scale.py scaling   [--sims 1000000]   B1 on 1 and 2 workers (process, dask)
  python benchmarks/scale.py big-book  [--loans 1000000 --sims 10000]   time and peak memory
  python benchmarks/scale.py streaming [--sims 10000000]  B1 in streaming mode: peak memory
  python benchmarks/scale.py tail                 importance sampling: Glasserman-Li book
                                                  variance reduction; B1 ES 99.9% to 1% error

Peak memory is the largest resident set of this process and of any worker process.
"""

from __future__ import annotations

import argparse
import math
import resource
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np
from b1_reference import REFERENCE, agrees  # beside this file

import risksim
from risksim.engine.backends.serial import SerialBackend
from risksim.engine.importance import tail_sampling
from risksim.engine.jobs import BlockJob
from risksim.engine.runner import execute
from risksim.streams import BLOCK_SIZE

HERE = Path(__file__).parent
REPEATS = 3
"""Timed runs are repeated and the fastest kept (other work on the machine only slows)."""


def peak_rss_mib() -> tuple[float, float]:
    """Peak resident memory (MiB) of this process and of its largest child process."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def scaling(args: argparse.Namespace) -> None:
    scenario = risksim.load_scenario(HERE / "b1.yaml")
    print(f"B1 scaling: {len(scenario.portfolio):,} loans x {args.sims:,} simulations, "
          f"1 and 2 workers alternated, best of {REPEATS}")
    run = partial(risksim.simulate, scenario, n_sims=args.sims)
    _speed_up("process", {w: partial(run, backend="process", workers=w) for w in (1, 2)})
    import dask
    from distributed import LocalCluster

    # set up as the embedded cluster is: one thread per worker, no dashboard, no profiler
    with dask.config.set({"distributed.worker.profile.enabled": False}), \
            LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as one, \
            LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as two:
        clusters = {1: one.scheduler_address, 2: two.scheduler_address}
        for address in clusters.values():  # workers import risksim on their first task
            risksim.simulate(scenario, n_sims=BLOCK_SIZE, address=address)
        _speed_up("dask, running cluster",
                  {w: partial(run, address=clusters[w]) for w in (1, 2)})
    _speed_up("dask, cluster started by the run",
              {w: partial(run, backend="dask", workers=w) for w in (1, 2)})


def _speed_up(name: str, runs: dict[int, Callable[[], object]]) -> None:
    """Time each run REPEATS times, alternating, and print the best times and their ratio."""
    seconds: dict[int, list[float]] = {workers: [] for workers in runs}
    for _ in range(REPEATS):
        for workers, run in runs.items():
            start = time.perf_counter()
            run()
            seconds[workers].append(time.perf_counter() - start)
    print(f"  {name}:")
    for workers, times in seconds.items():
        print(f"    {workers} worker{'s' if workers > 1 else ' '}: {min(times):6.2f} s "
              f"(runs: {', '.join(f'{t:.2f}' for t in times)})")
    print(f"    speed-up 2 vs 1 workers: {min(seconds[1]) / min(seconds[2]):.2f}x "
          "(goal >= 1.8x)")


def big_book(args: argparse.Namespace) -> None:
    mapping = {
        "name": "synthetic book", "currency": "CNY",
        "portfolio": {"generate": {"seed": 1, "segments": [
            {"name": "sme", "count": args.loans, "exposure": {"median": 1e6, "p95": 4e6,
                                                               "cap": 1e7},
             "pd": 0.02, "lgd": 0.45}]}},
        "defaults": {"correlation": 0.12},
        "arrangement": {"parties": ["bank", "guarantor"], "layers": [
            {"party": "guarantor", "share_of_loss": 0.5}, {"party": "bank", "residual": True}]},
    }
    start = time.perf_counter()
    scenario = risksim.load_scenario(mapping)
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    result = risksim.simulate(scenario, n_sims=args.sims, backend="process", workers=2)
    seconds = time.perf_counter() - start
    own, child = peak_rss_mib()
    print(f"synthetic book: {args.loans:,} loans x {args.sims:,} simulations on 2 workers: "
          f"{seconds:.1f} s simulating (+{loaded:.1f} s generating the book; goal < 60 s), "
          f"{args.loans * args.sims / seconds / 1e9:.2f} G loan-sims/s")
    print(f"  peak memory: this process {own:.0f} MiB, largest worker {child:.0f} MiB; in all "
          f"at most {(own + 2 * child) / 1024:.2f} GiB (goal < 4 GiB; the forked workers "
          f"share the book's pages with this process, so the sum overstates it); "
          f"EL {result.losses['gross'].mean() / 1e6:,.1f} m")


def streaming(args: argparse.Namespace) -> None:
    scenario = risksim.load_scenario(HERE / "b1.yaml")
    start = time.perf_counter()
    result = risksim.simulate(scenario, n_sims=args.sims, backend="process", workers=2,
                              streaming=True)
    seconds = time.perf_counter() - start
    own, child = peak_rss_mib()
    loan_sims = len(scenario.portfolio) * args.sims
    print(f"B1 streaming: {args.sims:,} simulations ({loan_sims:.3g} loan-simulations) on "
          f"2 workers: {seconds:.1f} s")
    print(f"  peak memory: this process {own:.0f} MiB, largest worker {child:.0f} MiB "
          "(goal < 1 GiB)")
    table = result.summary().loc[["gross"]].T
    print(table.to_string(float_format=lambda v: f"{v:,.6g}"))


def _exceedance(values: np.ndarray, weights: np.ndarray, x: float) -> tuple[float, float]:
    """P(L > x) and the variance of one simulation's estimator w·1{L > x}."""
    y = weights * (values > x)
    return float(y.mean()), float(y.var(ddof=1))


def tail(args: argparse.Namespace) -> None:
    scenario = risksim.load_scenario(HERE / "glasserman_li.yaml")
    plan = scenario.plan
    n_plain, n_sampled = args.plain_sims, args.is_sims
    start = time.perf_counter()
    plain = risksim.simulate(scenario, n_sims=n_plain, seed=1).losses["gross"].to_numpy()
    plain_seconds = time.perf_counter() - start
    threshold = float(np.quantile(plain, 1 - 1e-3))
    print(f"Glasserman-Li book (1,000 loans, 10 factors), P(L > {threshold:g}) ~ 1e-3; "
          f"plain: {n_plain:,} simulations in {plain_seconds:.1f} s")
    start = time.perf_counter()
    tuned = tail_sampling(plan, 0.999, 2)
    tuning = time.perf_counter() - start
    for name, sampling in (("shift + twist", tuned),
                           ("shift only", replace(tuned, twist_target=None))):
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            rows = execute(SerialBackend(), BlockJob(replace(plan, sampling=sampling), 2,
                                                     n_sampled))
            times.append(time.perf_counter() - start)
        seconds = min(times)
        assert isinstance(rows, np.ndarray)
        p, variance = _exceedance(rows[:, 0], rows[:, -1], threshold)
        p_plain = float((plain > threshold).mean())
        reduction = p * (1 - p) / variance
        work = reduction * (plain_seconds / n_plain) / (seconds / n_sampled)
        with_tuning = reduction * (plain_seconds / n_plain) / ((seconds + tuning) / n_sampled)
        print(f"  IS {name:<13}: P = {p:.3e} +/- {math.sqrt(variance / n_sampled):.1e} "
              f"(plain {p_plain:.3e} +/- {math.sqrt(p_plain * (1 - p_plain) / n_plain):.1e}); "
              f"{n_sampled:,} simulations in {seconds:.2f} s (best of {REPEATS}) + tuning "
              f"{tuning:.1f} s once: "
              f"variance reduction {reduction:,.0f}x, work-normalised {work:,.0f}x per "
              f"simulation (goal >= 100), {with_tuning:,.0f}x with the tuning in this run")
    b1 = risksim.load_scenario(HERE / "b1.yaml")
    print("B1 ES 99.9% to a relative standard error of 1%:")
    timings = {}
    for name, level, pilot_sims in (("plain", None, 20_000),
                                    ("importance sampling", 0.999, 4_000)):
        start = time.perf_counter()
        pilot = risksim.simulate(b1, n_sims=pilot_sims, seed=3, backend="process", workers=2,
                                 tail_level=level).summary().loc["gross"]
        pilot_seconds = time.perf_counter() - start
        relative = pilot["ES_0.999_se"] / pilot["ES_0.999"]
        needed = max(500, math.ceil(pilot_sims * (relative / 0.01) ** 2))
        runs = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            row = risksim.simulate(b1, n_sims=needed, seed=4, backend="process", workers=2,
                                   tail_level=level).summary().loc["gross"]
            runs.append(time.perf_counter() - start)
        timings[name] = min(runs)
        verdict = ("agrees" if agrees("ES_0.999", row["ES_0.999"], row["ES_0.999_se"])
                   else "DIFFERS")
        print(f"  {name:<20}: pilot {pilot_sims:,} sims ({pilot_seconds:.1f} s) -> "
              f"{needed:,} simulations: {timings[name]:.3f} s (best of {REPEATS}), "
              f"ES {row['ES_0.999'] / 1e6:,.1f} m "
              f"+/- {row['ES_0.999_se'] / row['ES_0.999']:.2%} "
              f"(reference {REFERENCE['ES_0.999'] / 1e6:,.1f} m, {verdict})")
    print(f"  wall time plain / importance sampling: "
          f"{timings['plain'] / timings['importance sampling']:.0f}x (goal >= 20x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    part = commands.add_parser("scaling")
    part.add_argument("--sims", type=int, default=1_000_000)
    part.set_defaults(run=scaling)
    part = commands.add_parser("big-book")
    part.add_argument("--loans", type=int, default=1_000_000)
    part.add_argument("--sims", type=int, default=10_000)
    part.set_defaults(run=big_book)
    part = commands.add_parser("tail")
    part.add_argument("--plain-sims", type=int, default=400_000)
    part.add_argument("--is-sims", type=int, default=10_000)
    part.set_defaults(run=tail)
    part = commands.add_parser("streaming")
    part.add_argument("--sims", type=int, default=10_000_000)
    part.set_defaults(run=streaming)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
