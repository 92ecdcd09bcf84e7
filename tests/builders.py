"""Small scenarios as mappings, built the way a user writes them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
B1_SCENARIO = ROOT / "benchmarks" / "b1.yaml"
"""The benchmark book B1's scenario file."""


def segment(name: str = "book", count: int = 100, *, exposure: Any = 1.0, pd: float = 0.02,
            lgd: Any = 1.0, **extra: Any) -> dict[str, Any]:
    """One generated segment (fixed exposure and LGD unless given)."""
    return {"name": name, "count": count, "exposure": exposure, "pd": pd, "lgd": lgd, **extra}


def scenario_mapping(segments: list[dict[str, Any]] | None = None, *,
                     correlation: Any = 0.15, layers: list[dict[str, Any]] | None = None,
                     parties: list[str] | None = None, horizon: dict[str, Any] | None = None,
                     defaults: dict[str, Any] | None = None, n_sims: int = 2_000,
                     seed: int = 11) -> dict[str, Any]:
    """A complete scenario mapping; the lender alone unless layers are given."""
    layers = layers or [{"party": "bank", "residual": True}]
    return copy.deepcopy({
        "name": "test scenario",
        "currency": "CNY",
        "horizon": horizon or {"years": 1, "periods_per_year": 1},
        "portfolio": {"generate": {"seed": 5, "segments": segments or [segment()]}},
        "defaults": {"correlation": correlation, **(defaults or {})},
        "arrangement": {"parties": parties or sorted({layer["party"] for layer in layers}),
                        "layers": layers},
        "simulation": {"n_sims": n_sims, "seed": seed},
    })


def timeline_mapping(*, tolerance: bool = True, keep_paths: int = 20) -> dict[str, Any]:
    """Two years of 200 loans of 1 m with PD 5%, a guarantor paying half of each loss out of
    3 m of cash, the bank the rest; a ``timeline`` section, and an NPL tolerance of 1.5% + 3
    percentage points unless ``tolerance`` is False."""
    mapping = scenario_mapping(
        [segment("book", 200, exposure=1.0e6, pd=0.05, lgd=0.6, tenor_years=2)],
        horizon={"years": 2, "periods_per_year": 1},
        layers=[{"party": "guarantor", "share_of_loss": 0.5},
                {"party": "bank", "residual": True}], parties=["bank", "guarantor"])
    mapping["timeline"] = {"keep_paths": keep_paths,
                           "parties": {"guarantor": {"starting_cash": 3.0e6}}}
    if tolerance:
        mapping["npl_tolerance"] = {"overall_npl_ratio": 0.015, "margin": 0.03}
    return mapping


def two_vintages_with_lending_stop(above: float) -> dict[str, Any]:
    """Two vintages of ten 1-year loans of 100 with one certain loss of 100 in each (LGD 1),
    a pool paying 50% whose trigger stops new lending when a year's loss rate (10% in
    year 0) is above ``above``; the bank keeps the rest. Two-year horizon."""
    layers = [{"party": "pool", "share_of_loss": 0.5,
               "suspend_if": {"metric": "loss_rate", "above": above,
                              "action": "suspend_lending"}},
              {"party": "bank", "residual": True}]
    segments = [segment("bad_0", 1, exposure=100.0, pd=1.0),
                segment("good_0", 9, exposure=100.0, pd=0.0),
                segment("bad_1", 1, exposure=100.0, pd=1.0, origination_year=1),
                segment("good_1", 9, exposure=100.0, pd=0.0, origination_year=1)]
    return scenario_mapping(segments, layers=layers, horizon={"years": 2, "periods_per_year": 1})


def same_on_two_workers(scenario: Any, n_sims: int, seed: int, **options: Any) -> Any:
    """``simulate`` serially and on 2 worker processes, check every loss and weight is the
    same bit for bit, and return the serial result."""
    import numpy as np

    import risksim

    serial = risksim.simulate(scenario, n_sims=n_sims, seed=seed, **options)
    process = risksim.simulate(scenario, n_sims=n_sims, seed=seed, backend="process",
                               workers=2, **options)
    assert np.array_equal(serial.losses.to_numpy(), process.losses.to_numpy())
    assert (serial.weights is None) == (process.weights is None)
    if serial.weights is not None:
        assert np.array_equal(serial.weights.to_numpy(), process.weights.to_numpy())
    return serial
