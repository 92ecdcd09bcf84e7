"""Sweep benchmark on B1, and paired against unpaired standard errors on the eight schemes.

1. A 20-point sweep of a guarantor's share of loss (5% to 100%) on the benchmark book B1
   (benchmarks/b1.yaml with a guarantor layer added in front of the lender), 100,000
   simulations, drawing the defaults once (risksim.sweep), against 20 independent runs
   (risksim.simulate and its summary at each point). Prints both times and the speed-up
   (goal: 5x) and checks that both give the same losses.
2. For each of the eight real schemes of the design notes: the scheme against the same book
   with the lender alone (risksim.compare), the difference of the lender's EL, VaR 99% and
   ES 99% with its paired standard error (common random numbers) and the unpaired one
   (independent runs). The lender-alone schemes differ from their baseline by exactly 0.

Run:  python benchmarks/sweep_b1.py [--sims 100000] [--table-sims 20000]
                                    [--backend process --workers 2]   (both sides of part 1)
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import risksim
from risksim.compile.scenario import derive_scenario

HERE = Path(__file__).parent
SCHEMES = ("wangcheng_patent_loan", "china_nfgf_2242", "risk_pool_annual_cap_trigger",
           "sba_7a", "eif_capped_50_20", "japan_cgc_80", "bank_alone_baseline",
           "npl_tolerance_3pp")
SHARE = "arrangement.layers.guarantor.share_of_loss"


def b1_with_guarantor() -> risksim.Scenario:
    """B1 with a guarantor taking 50% of each loss before the bank."""
    b1 = risksim.load_scenario(HERE / "b1.yaml")
    data = b1.spec.model_dump(exclude_unset=True)
    data["arrangement"] = {"parties": ["bank", "guarantor"], "layers": [
        {"party": "guarantor", "share_of_loss": 0.5}, {"party": "bank", "residual": True}]}
    return derive_scenario(b1, data, "b1.yaml with a guarantor")


def lender_alone(scenario: risksim.Scenario) -> risksim.Scenario:
    """The same book, default model and horizon, the lender keeping every loss (no timeline:
    its parties are gone)."""
    data = scenario.spec.model_dump(exclude_unset=True)
    lender = scenario.spec.arrangement.layers[-1].party
    data["arrangement"] = {"parties": [lender], "layers": [{"party": lender, "residual": True}]}
    data.pop("timeline", None)
    return derive_scenario(scenario, data, f"{scenario.source} (lender alone)")


def time_sweep(n_sims: int, backend: str, workers: int | None) -> None:
    scenario = b1_with_guarantor()
    shares = [round(0.05 * i, 2) for i in range(1, 21)]
    start = time.perf_counter()
    frame = risksim.sweep(scenario, {SHARE: shares}, n_sims=n_sims, backend=backend,
                          workers=workers).table
    swept = time.perf_counter() - start
    start = time.perf_counter()
    independent = []
    for share in shares:
        data = scenario.spec.model_dump(exclude_unset=True)
        data["arrangement"]["layers"][0]["share_of_loss"] = share
        point = derive_scenario(scenario, data, f"share {share}")
        result = risksim.simulate(point, n_sims=n_sims, backend=backend, workers=workers)
        independent.append(result.summary().loc["bank", "EL"])  # the sweep's measures too
    separate = time.perf_counter() - start
    bank_el = frame[(frame["party"] == "bank") & (frame["measure"] == "EL")]["value"]
    assert np.array_equal(bank_el.to_numpy(), np.array(independent))
    print(f"B1 ({len(scenario.portfolio):,} loans), {n_sims:,} simulations, 20 values of the "
          f"guarantor's share of loss, {backend} backend"
          + (f", {workers} workers:" if workers else ":"))
    print(f"  sweep on common random numbers (defaults drawn once): {swept:6.2f} s")
    print(f"  20 independent runs:                                 {separate:6.2f} s")
    print(f"  speed-up: {separate / swept:.1f}x (goal 5x); same bank EL at every point: yes")


def paired_table(n_sims: int) -> None:
    print(f"\nEach scheme against its book with the lender alone, {n_sims:,} simulations: "
          "the lender's loss under the scheme less alone")
    header = (f"  {'scheme':<30} {'measure':<9} {'difference':>16} {'paired se':>14} "
              f"{'unpaired se':>14} {'ratio':>7}")
    print(header)
    for name in SCHEMES:
        scheme = risksim.load_scenario(HERE.parent / "scenarios" / f"{name}.yaml")
        comparison = risksim.compare([lender_alone(scheme), scheme], n_sims=n_sims)
        lender = scheme.spec.arrangement.layers[-1].party
        row = comparison.parties.loc[(comparison.parties.index.levels[0][
            comparison.parties.index.levels[0] != comparison.metadata["baseline"]][0],
            lender)]
        for measure in ("EL", "VaR_0.99", "ES_0.99"):
            paired, unpaired = row[f"{measure}_diff_se"], row[f"{measure}_diff_se_unpaired"]
            ratio = paired / unpaired if unpaired > 0 else float("nan")
            print(f"  {name:<30} {measure:<9} {row[f'{measure}_diff']:>16,.0f} "
                  f"{paired:>14,.0f} {unpaired:>14,.0f} {ratio:>7.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=100_000)
    parser.add_argument("--table-sims", type=int, default=20_000)
    parser.add_argument("--backend", default="serial", choices=["serial", "process", "dask"])
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    time_sweep(args.sims, args.backend, args.workers)
    paired_table(args.table_sims)


if __name__ == "__main__":
    main()
