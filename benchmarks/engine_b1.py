"""Engine benchmark on the benchmark book B1 (10,000 loans, 100,000 simulations).

Prints wall seconds, loan-simulations per second and peak memory of the engine (serial and
process backends), the same figures for the obvious dense numpy implementation (a latent
normal per loan-simulation) run in this command, the speed ratio, and B1's EL, VaR and ES
against the semi-analytic reference (b1_reference.py), in Monte Carlo standard errors,
and whether each agrees by its tolerance (4 standard errors plus the reference's own).

Run:  python benchmarks/engine_b1.py [--sims 100000] [--workers 2] [--dense-sims 10000]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np
from b1_reference import REFERENCE, tolerance  # beside this file
from scipy.special import ndtri

import risksim
from risksim.stats import measures

HERE = Path(__file__).parent


def dense_baseline(portfolio: risksim.Portfolio, n_sims: int, seed: int) -> np.ndarray:
    """Gross loss per simulation: one latent normal per loan-simulation, tiles of 500 sims."""
    rng = np.random.default_rng(seed)
    rho, threshold = portfolio["rho"], ndtri(portfolio["pd"])
    loss_if_default = portfolio["exposure"] * portfolio["lgd"]
    out = np.empty(n_sims)
    for start in range(0, n_sims, 500):
        n = min(500, n_sims - start)
        z = rng.standard_normal((n, 1))
        latent = np.sqrt(rho) * z + np.sqrt(1 - rho) * rng.standard_normal((n, rho.size))
        out[start:start + n] = (latent < threshold) @ loss_if_default
    return out


def peak_rss_mb(who: int) -> float:
    """Peak resident memory in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(who).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dense-sims", type=int, default=10_000)
    args = parser.parse_args()
    scenario = risksim.load_scenario(HERE / "b1.yaml")
    loan_sims = len(scenario.portfolio) * args.sims
    print(f"B1: {len(scenario.portfolio):,} loans x {args.sims:,} simulations "
          f"= {loan_sims:.3g} loan-simulations")

    timings = {}
    for backend, workers in (("serial", 1), ("process", args.workers)):
        start = time.perf_counter()
        result = risksim.simulate(scenario, n_sims=args.sims, backend=backend, workers=workers)
        timings[backend] = time.perf_counter() - start
        print(f"  engine {backend:<7} ({workers} worker{'s' if workers > 1 else ''}): "
              f"{timings[backend]:6.2f} s  {loan_sims / timings[backend] / 1e9:6.2f} G "
              "loan-sims/s")
    print(f"  peak memory: this process {peak_rss_mb(resource.RUSAGE_SELF):.0f} MiB, "
          f"largest worker {peak_rss_mb(resource.RUSAGE_CHILDREN):.0f} MiB")

    start = time.perf_counter()
    dense_baseline(scenario.portfolio, args.dense_sims, seed=1)
    dense_seconds = time.perf_counter() - start
    dense_rate = len(scenario.portfolio) * args.dense_sims / dense_seconds
    print(f"  dense numpy baseline (1 core, {args.dense_sims:,} sims): {dense_seconds:6.2f} s  "
          f"{dense_rate / 1e9:6.3f} G loan-sims/s  -> {loan_sims / dense_rate:6.1f} s "
          f"for {args.sims:,} sims")
    for backend, seconds in timings.items():
        print(f"  speed-up of engine {backend} over the dense baseline: "
              f"{loan_sims / dense_rate / seconds:5.1f}x")

    gross = result.losses["gross"].to_numpy()
    print("  accuracy against the reference (z = difference / Monte Carlo standard error):")
    estimates = {"EL": measures.mean(gross)}
    for level in (0.99, 0.999):
        estimates[f"VaR_{level:g}"] = measures.value_at_risk(gross, level)
        estimates[f"ES_{level:g}"] = measures.expected_shortfall(gross, level)
    for name, est in estimates.items():
        ref = REFERENCE[name]
        verdict = "agrees" if abs(est.value - ref) <= tolerance(name, est.se) else "DIFFERS"
        print(f"    {name:<9} {est.value / 1e6:10.2f} m  reference {ref / 1e6:10.2f} m  "
              f"se {est.se / 1e6:6.2f} m  z = {(est.value - ref) / est.se:+5.2f}  {verdict}")


if __name__ == "__main__":
    main()
