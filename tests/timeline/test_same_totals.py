"""Same draws, same totals: with lags the timeline's flows still add up to the allocation,
and the losses are the same bits with or without it, on every backend. (With no lags and
unlimited cash, every scenario's flows add up to its allocation: a contract check,
tests/contracts/checks.py.)"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import risksim
from risksim.scenario.timeline import TimelineSpec
from risksim.streams import BLOCK_SIZE
from tests.builders import ROOT, scenario_mapping, segment

IMMEDIATE = TimelineSpec.model_validate({
    "claim_after_days": 0, "npl_after_days": 0, "payment_lag_days": 0,
    "workout_lag": {"fixed": 0.0}})
"""No lags at all (and unlimited cash: no party states any)."""


def with_timeline(scenario: risksim.Scenario, timeline: TimelineSpec) -> risksim.Scenario:
    spec = scenario.spec.model_copy(update={"timeline": timeline})
    return dataclasses.replace(scenario, spec=spec)


def flows(result: risksim.Result, column: str) -> pd.DataFrame:
    assert result.timeline is not None
    return result.timeline.parties[column].unstack("party")[list(result.parties)]


@pytest.mark.parametrize("name", ["china_nfgf_2242", "risk_pool_annual_cap_trigger",
                                  "japan_cgc_80_germany_buergschaftsbank"])
def test_lags_move_dates_not_totals(name: str) -> None:
    # With the default lags (claims 90 days past due, payments 30 days later, two-year
    # workouts) and unlimited cash, every flow is still paid: the totals are the same.
    scenario = with_timeline(risksim.load_scenario(ROOT / "scenarios" / f"{name}.yaml"),
                             TimelineSpec())
    result = risksim.simulate(scenario, n_sims=200, seed=8, timeline=True)
    np.testing.assert_allclose(-flows(result, "loss_flows").to_numpy(),
                               result.losses[result.parties].to_numpy(), rtol=1e-9,
                               atol=1e-3)
    days = flows(result, "mean_days_to_payment").to_numpy()
    assert np.nanmin(days) == pytest.approx(120.0)  # 90 days to the claim, 30 to pay it


@pytest.fixture(scope="module")
def chain() -> risksim.Scenario:
    mapping = scenario_mapping(
        [segment("a", 300, pd=0.05, lgd={"beta": {"mean": 0.5, "sd": 0.2}}, tenor_years=2)],
        horizon={"years": 2, "periods_per_year": 2},
        layers=[{"party": "guarantor", "share_of_loss": 0.6},
                {"party": "nfgf", "share_of_layer": {"party": "guarantor", "share": 0.5}},
                {"party": "bank", "residual": True}])
    mapping["timeline"] = {"workout_lag": {"gamma": {"mean": 1.5, "sd": 0.8}},
                           "cure": {"probability": 0.3, "after_days": 120},
                           "parties": {"guarantor": {"starting_cash": 2.0},
                                       "nfgf": {"settles": "quarterly"}}}
    return risksim.load_scenario(mapping)


def test_losses_are_the_same_bits_with_or_without_the_timeline(
        chain: risksim.Scenario) -> None:
    # The timeline draws its dates after every draw of the engine.
    n_sims = BLOCK_SIZE + 77
    plain = risksim.simulate(chain, n_sims=n_sims, seed=12)
    dated = risksim.simulate(chain, n_sims=n_sims, seed=12, timeline=True)
    for frame in ("losses", "indicators", "fees"):
        pd.testing.assert_frame_equal(getattr(plain, frame), getattr(dated, frame),
                                      check_exact=True)


def test_process_backend_gives_the_serial_timeline(chain: risksim.Scenario) -> None:
    n_sims = 2 * BLOCK_SIZE + 31  # three blocks, on two workers
    serial = risksim.simulate(chain, n_sims=n_sims, seed=5, timeline=True)
    process = risksim.simulate(chain, n_sims=n_sims, seed=5, backend="process", workers=2,
                               timeline=True)
    assert serial.timeline is not None and process.timeline is not None
    for table in ("parties", "npl", "cash", "npl_ratio", "paths", "npl_paths"):
        pd.testing.assert_frame_equal(getattr(serial.timeline, table),
                                      getattr(process.timeline, table), check_exact=True)
    assert serial.timeline.metadata == process.timeline.metadata
    # the guarantor's 2 of cash run short in some simulations: queues were exercised
    assert serial.timeline.summary().loc["guarantor", "shortfall_probability"] > 0


def test_timeline_is_saved_and_read_back(chain: risksim.Scenario, tmp_path: Path) -> None:
    result = risksim.simulate(chain, n_sims=150, seed=2, timeline=True)
    written = {p.name for p in result.save(tmp_path)}
    assert {"timeline_parties.csv", "timeline_cash.csv", "timeline_npl.csv"} <= written
    loaded = risksim.load_result(tmp_path)
    assert loaded.timeline is not None and result.timeline is not None
    for table in ("parties", "npl", "cash", "npl_ratio", "paths", "npl_paths"):
        pd.testing.assert_frame_equal(getattr(loaded.timeline, table),
                                      getattr(result.timeline, table), check_dtype=False)
    pd.testing.assert_frame_equal(loaded.timeline.summary(), result.timeline.summary())
    assert loaded.timeline.metadata["claim_after_days"] == 90
