"""Fees: hand-worked schedules, their expectation, and bad fee terms."""

from __future__ import annotations

import numpy as np
import pytest

import risksim
from risksim.engine.block import replay_block
from risksim.stats import measures
from tests.builders import scenario_mapping, segment

CHAIN = [{"party": "guarantor", "share_of_loss": 0.8},
         {"party": "nfgf", "share_of_layer": {"party": "guarantor", "share": 0.25}},
         {"party": "bank", "residual": True}]
FEES = [{"name": "guarantee_fee", "payer": "borrower", "payee": "guarantor",
         "upfront_rate": 0.005, "annual_rate": 0.01, "max_rate": 0.01},
        {"name": "reguarantee_fee", "payer": "guarantor", "payee": "nfgf", "annual_rate": 0.003}]
THREE_YEARS = {"years": 3, "periods_per_year": 1}


def fee_scenario(segments: list[dict], fees: list[dict] | None = None) -> dict:
    mapping = scenario_mapping(segments, layers=CHAIN, horizon=THREE_YEARS)
    mapping["arrangement"]["fees"] = FEES if fees is None else fees
    return mapping


def test_hand_worked_fees_stop_after_default() -> None:
    # Two 3-year bullet loans of 1,000; the guarantor's layer is 80% (800 guaranteed).
    # Guarantee fee: upfront 0.5% × 800 = 4, annual 1% × 800 = 8 at the start of each year.
    #   the loan that defaults in year 1 pays 4 + 8 = 12; the one that never defaults
    #   pays 4 + 3 × 8 = 28: 40 in all.
    # Re-guarantee fee on the NFGF's 25% of the layer (200): 0.3% × 200 = 0.6 a year:
    #   0.6 + 3 × 0.6 = 2.4.
    segments = [segment("bad", 1, exposure=1000.0, pd=1.0, tenor_years=3),
                segment("good", 1, exposure=1000.0, pd=0.0, tenor_years=3)]
    result = risksim.simulate(fee_scenario(segments), n_sims=10, seed=1)
    assert result.fees.columns.tolist() == ["guarantee_fee", "reguarantee_fee"]
    assert np.allclose(result.fees["guarantee_fee"], 40.0, rtol=1e-12)
    assert np.allclose(result.fees["reguarantee_fee"], 2.4, rtol=1e-12)
    table = result.fee_summary()
    assert table.loc["reguarantee_fee", ["payer", "payee"]].tolist() == ["guarantor", "nfgf"]
    assert (result.losses.drop(columns="gross").sum(axis=1) == result.losses["gross"]).all()


def test_expected_fee_matches_survival_weighted_schedule() -> None:
    # A loan pays the annual fee in year y if it has not defaulted before: (1 − p)^y.
    # E[fee] = n·B·(u + a·Σ_{y<3} (1 − p)^y), B = 0.8 × 1,000.
    p, n = 0.1, 400
    segments = [segment("book", n, exposure=1000.0, pd=p, tenor_years=3)]
    fees = risksim.simulate(fee_scenario(segments, FEES[:1]), n_sims=4_000, seed=5).fees
    expected = n * 800.0 * (0.005 + 0.01 * sum((1 - p) ** y for y in range(3)))
    est = measures.mean(fees["guarantee_fee"].to_numpy())
    assert abs(est.value - expected) <= 4 * est.se


def test_fees_are_saved_and_read_back(tmp_path) -> None:
    segments = [segment("book", 50, exposure=1000.0, pd=0.1, tenor_years=3)]
    result = risksim.simulate(fee_scenario(segments), n_sims=300, seed=2)
    result.save(tmp_path)
    loaded = risksim.load_result(tmp_path)
    assert loaded.fees.equals(result.fees)
    assert loaded.fee_summary().equals(result.fee_summary())


@pytest.mark.parametrize(("fee", "message"), [
    ({"name": "f", "payer": "borrower", "payee": "guarantor", "annual_rate": 0.015,
      "max_rate": 0.01}, "arrangement.fees[0].annual_rate: 0.015 is above max_rate 0.01"),
    ({"name": "f", "payer": "borower", "payee": "guarantor", "annual_rate": 0.01},
     "arrangement.fees[0].payer: unknown party 'borower'; did you mean 'borrower'?"),
    ({"name": "f", "payer": "borrower", "payee": "bank", "annual_rate": 0.01},
     "arrangement.fees[0].payee: 'bank' has no share layer"),
    ({"name": "f", "payer": "nfgf", "payee": "nfgf", "annual_rate": 0.01},
     "arrangement.fees[0].payee: payer and payee must differ"),
    ({"name": "f", "payer": "bank", "payee": "guarantor", "annual_rate": 0.01,
      "experience_rating": {"multiplier": 0.2}},
     "arrangement.fees[0].annual_rate: an experience-rated charge sets its own rate"),
    ({"name": "f", "payer": "guarantor", "payee": "bank", "base": "loan",
      "experience_rating": {"multiplier": 0.2}},
     "arrangement.fees[0].payee: an experience-rated charge needs the payee's claims"),
])
def test_bad_fees_are_rejected(fee: dict, message: str) -> None:
    with pytest.raises(risksim.InputError) as raised:
        risksim.load_scenario(fee_scenario([segment()], [fee]))
    assert message in str(raised.value)


def test_experience_rated_burden_charge() -> None:
    # Japan's burden-charge method: the CGC covers 100%; the lender pays each year
    # rate_y × guaranteed base, rate_0 = 1%, rate_y = 0.2 × last year's claims rate.
    # Ten 2-year loans of 100; one defaults in year 0 (loss 100). Year 0: 1% × 1,000 = 10.
    # Claims rate 100 / 1,000 = 10% → year-1 rate 2% on the 900 still performing: 18.
    layers = [{"party": "cgc", "share_of_loss": 1.0}, {"party": "lender", "residual": True}]
    charge = {"name": "burden_charge", "payer": "lender", "payee": "cgc",
              "experience_rating": {"multiplier": 0.2, "initial_rate": 0.01}}
    segments = [segment("bad", 1, exposure=100.0, pd=1.0, tenor_years=2),
                segment("good", 9, exposure=100.0, pd=0.0, tenor_years=2)]
    mapping = scenario_mapping(segments, layers=layers, horizon={"years": 2,
                                                                 "periods_per_year": 1})
    mapping["arrangement"]["fees"] = [charge]
    result = risksim.simulate(mapping, n_sims=10, seed=1)
    assert np.allclose(result.fees["burden_charge"], 28.0, rtol=1e-12)
    assert np.allclose(result.losses["cgc"], 100.0) and np.allclose(result.losses["lender"], 0)


def test_fees_by_year_add_up_to_what_is_collected() -> None:
    # Year by year (for the timeline): the bad loan pays 4 + 8 in year 0 only, the good one
    # 4 + 8, then 8 and 8.
    segments = [segment("bad", 1, exposure=1000.0, pd=1.0, tenor_years=3),
                segment("good", 1, exposure=1000.0, pd=0.0, tenor_years=3)]
    scenario = risksim.load_scenario(fee_scenario(segments))
    events, _ = replay_block(scenario.plan, 1, 5, 0)
    guarantee_fee = scenario.plan.fees[0]
    assert np.allclose(guarantee_fee.by_year(events), [24.0, 8.0, 8.0])
    assert np.allclose(guarantee_fee.by_year(events).sum(axis=1),
                       guarantee_fee.collected(events))
