"""Vintages (M20): cohorts granted in later years, per-vintage caps, yearly budgets, fees."""

from __future__ import annotations

import numpy as np
import pytest

import risksim
from risksim.stats import measures
from tests.builders import scenario_mapping, segment

THREE_YEARS = {"years": 3, "periods_per_year": 1}


def two_vintages(layers: list[dict], fees: list[dict] | None = None) -> risksim.Result:
    # Five loans of 100 granted in year 1 and five granted in year 3, all sure to default
    # in their first year, LGD 1.
    segments = [segment("early", 5, exposure=100.0, pd=1.0, tenor_years=3),
                segment("late", 5, exposure=100.0, pd=1.0, tenor_years=3, origination_year=2)]
    mapping = scenario_mapping(segments, layers=layers, horizon=THREE_YEARS)
    mapping["arrangement"]["fees"] = fees or []
    return risksim.simulate(mapping, n_sims=10, seed=1)


def test_vintage_cap_and_yearly_budget() -> None:
    # Each vintage loses 500. The pool owes 50% = 250 a vintage, capped at 20% of the
    # vintage's volume (100): 200 in all. A guarantor with a 300 annual budget owes 30% =
    # 150 a year (the vintages default in different years): paid in full. Bank: 1,000 − 500.
    layers = [{"party": "pool", "share_of_loss": 0.5,
               "cap_rate": {"rate": 0.2, "per": "vintage"}},
              {"party": "guarantor", "share_of_loss": 0.3, "annual_budget": 300.0},
              {"party": "bank", "residual": True}]
    result = two_vintages(layers)
    row = result.losses.iloc[0].to_dict()
    assert row == {"gross": 1000.0, "bank": 500.0, "guarantor": 300.0, "pool": 200.0}
    assert (result.indicators["pool.cap_rate_binds"] == 1.0).all()
    assert (result.indicators["guarantor.annual_budget_binds"] == 0.0).all()


def test_fees_start_at_origination() -> None:
    # Guarantee fee on the loan: upfront 1% (1 a loan) and 2% a year (2 a loan-year). Every
    # loan defaults in its first year, so it pays upfront + one year: 10 × (1 + 2) = 30.
    fees = [{"name": "fee", "payer": "borrower", "payee": "guarantor", "base": "loan",
             "upfront_rate": 0.01, "annual_rate": 0.02}]
    layers = [{"party": "guarantor", "share_of_loss": 0.5}, {"party": "bank", "residual": True}]
    assert np.allclose(two_vintages(layers, fees).fees["fee"], 30.0)


def test_a_late_vintage_is_at_risk_only_after_it_is_granted() -> None:
    # Granted in year 2 of 3, tenor 5: at risk for 2 years, P(default) = 1 − (1 − p)^2.
    p, n = 0.1, 300
    mapping = scenario_mapping([segment("v", n, pd=p, tenor_years=5, origination_year=1)],
                               horizon=THREE_YEARS)
    fraction = risksim.simulate(mapping, n_sims=4_000, seed=2).losses["gross"] / n
    est = measures.mean(fraction.to_numpy())
    assert abs(est.value - (1 - (1 - p) ** 2)) <= 4 * est.se


def test_a_vintage_after_the_horizon_is_an_input_error() -> None:
    mapping = scenario_mapping([segment("v", 3, origination_year=5)], horizon=THREE_YEARS)
    with pytest.raises(risksim.InputError, match="originates in year 5, after the horizon") as e:
        risksim.load_scenario(mapping)
    assert e.value.path == "horizon.years"
