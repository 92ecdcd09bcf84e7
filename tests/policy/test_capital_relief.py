"""The lender's capital relief from the simulated tail, against the Basel substitution."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import risksim
from risksim.models.analytic import finite_pool_default_pmf
from tests.builders import scenario_mapping, segment

N_LOANS, PD, RHO = 500, 0.02, 0.15


def pool_stopped_in_the_tail() -> tuple[dict, int]:
    """500 loans of 1 (LGD 1, PD 2%, ρ 0.15); a pool pays 50% of each loss up to a budget of
    15 a year and stops (trigger) in a year whose loss rate is above the 99th percentile
    k/500 of the exact finite-pool default distribution. Returns the mapping and k."""
    cdf = np.cumsum(finite_pool_default_pmf(N_LOANS, PD, RHO))
    k = int(np.searchsorted(cdf, 0.99))  # P(D ≤ k) ≥ 0.99 > P(D ≤ k − 1)
    layers = [{"party": "pool", "share_of_loss": 0.5, "annual_budget": 15.0,
               "suspend_if": {"metric": "loss_rate", "above": k / N_LOANS}},
              {"party": "bank", "residual": True}]
    return scenario_mapping([segment(count=N_LOANS, pd=PD)], correlation=RHO, layers=layers,
                            parties=["bank", "pool"]), k


def test_a_pool_that_stops_in_the_tail_gives_no_tail_relief() -> None:
    mapping, k = pool_stopped_in_the_tail()
    result = risksim.simulate(mapping, n_sims=40_000, seed=3)
    losses, probabilities = result.losses, result.probabilities()["probability"]
    assert probabilities["pool.suspended"] > 0 and probabilities["pool.annual_budget_binds"] > 0
    stopped = losses["gross"] > k
    assert (losses.loc[stopped, "bank"] == losses.loc[stopped, "gross"]).all()
    relief = result.capital_relief()
    # Above the 99th percentile the bank bears the gross loss, so VaR and ES at 99.9% are
    # the same alone and under the scheme: relief = (M − EL_gross) − (M − EL_bank) =
    # −E[pool's loss], a few percent of the capital, never the Basel figure.
    pool_el = losses["pool"].mean()
    for measure in ("VaR_0.999", "ES_0.999"):
        assert np.isclose(relief.loc[measure, "relief"], -pool_el, rtol=1e-9)
        assert abs(relief.loc[measure, "relief_rate"]) < 0.1
    # the substitution approach sees 50% cover and ignores the trigger and the budget
    assert result.metadata["basel_capital"]["relief_rate"] > 0.4
    # in the body, where the pool pays, the relief is real
    assert relief.loc["VaR_0.95", "relief_rate"] > 0.4


def test_an_uncapped_share_relieves_its_share_of_every_measure() -> None:
    # bank = 60% of gross in every simulation: every capital measure is 60% of the gross
    # one (VaR, ES and EL scale), relief rate exactly 40% with a standard error of ~0.
    layers = [{"party": "guarantor", "share_of_loss": 0.4}, {"party": "bank", "residual": True}]
    result = risksim.simulate(scenario_mapping([segment(count=N_LOANS, pd=PD)], layers=layers),
                              n_sims=4_000, seed=5)
    relief = result.capital_relief()
    assert list(relief.index) == ["VaR_0.95", "ES_0.95", "VaR_0.99", "ES_0.99", "VaR_0.999",
                                  "ES_0.999"]
    assert np.allclose(relief["relief_rate"], 0.4, rtol=0, atol=1e-12)
    assert np.allclose(relief["with_scheme"], 0.6 * relief["alone"], rtol=1e-12)
    assert (relief["relief_rate_se"] < 1e-12).all()
    assert np.allclose(relief["relief_se"], 0.4 * relief["alone_se"], rtol=1e-9)


def test_no_relief_table_for_a_lender_alone() -> None:
    result = risksim.simulate(scenario_mapping(), n_sims=100, seed=1)
    assert result.capital_relief().empty and result.metadata["basel_capital"] is None


def test_the_relief_is_saved_and_read_back(tmp_path: Path) -> None:
    layers = [{"party": "guarantor", "share_of_loss": 0.4}, {"party": "bank", "residual": True}]
    result = risksim.simulate(scenario_mapping([segment(count=N_LOANS, pd=PD)], layers=layers),
                              n_sims=2_000, seed=5)
    result.save(tmp_path)
    document = json.loads((tmp_path / "summary.json").read_text("utf-8"))
    assert document["capital_relief"]["ES_0.999"]["relief_rate"] == pytest.approx(0.4)
    loaded = risksim.load_result(tmp_path)
    assert "capital_relief" not in loaded.metadata  # a table of the result, not metadata
    pd.testing.assert_frame_equal(loaded.capital_relief(), result.capital_relief())
