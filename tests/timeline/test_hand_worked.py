"""Hand-worked timelines: loans with PD 1 or 0, fixed LGD and stated default dates, every
payment's date and amount and every party's cash path worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import risksim
from tests.builders import scenario_mapping, segment

# Two loans of 1,000 default (PD 1, LGD 0.5, one-year tenor) on day 100; two loans of 1,000
# never default (PD 0, two-year tenor). Two years of one period each, 30/360 days.
# Layers: guarantor 60% of each loss (300 a loan), the re-guarantor takes over half of the
# guarantor's layer (150 a loan), a pool pays 20% (100 a loan) out of a fund of 150 (so the
# fund's year cuts the two claims to 75 each), the bank keeps the rest (125 a loan).
# A fee of 5% a year of each performing loan, paid by the borrowers to the guarantor at the
# start of each year: 4 x 1,000 x 5% = 200 on day 0, 2 x 1,000 x 5% = 100 on day 360.
LAYERS = [{"party": "guarantor", "share_of_loss": 0.6},
          {"party": "reguarantor", "share_of_layer": {"party": "guarantor", "share": 0.5}},
          {"party": "pool", "share_of_loss": 0.2, "fund": {"balance": 150.0}},
          {"party": "bank", "residual": True}]
TIMELINE = {
    "default_dates": {"day_of_period": 100},
    "claim_after_days": 90, "npl_after_days": 90,
    "parties": {"guarantor": {"payment_lag_days": 30, "starting_cash": 300.0},
                "reguarantor": {"payment_lag_days": 10, "settles": "quarterly"},
                "pool": {"payment_lag_days": 0, "settles": "yearly"}},
    "workout_lag": {"fixed": 1.0},
    "discount_rate": 0.1,
}


@pytest.fixture(scope="module")
def result() -> risksim.Result:
    mapping = scenario_mapping(
        [segment("bad", 2, exposure=1000.0, pd=1.0, lgd=0.5, tenor_years=1),
         segment("good", 2, exposure=1000.0, pd=0.0, lgd=0.5, tenor_years=2)],
        layers=LAYERS, parties=["bank", "guarantor", "reguarantor", "pool"],
        horizon={"years": 2, "periods_per_year": 1}, correlation=0.0)
    mapping["arrangement"]["fees"] = [{"name": "guarantee_fee", "payer": "borrower",
                                       "payee": "guarantor", "annual_rate": 0.05,
                                       "base": "loan"}]
    mapping["npl_tolerance"] = {"overall_npl_ratio": 0.015, "margin": 0.03}
    mapping["timeline"] = TIMELINE
    return risksim.simulate(risksim.load_scenario(mapping), n_sims=3, seed=1, timeline=True)


def party(result: risksim.Result, name: str) -> pd.Series:
    assert result.timeline is not None
    return result.timeline.parties.xs(name, level="party").iloc[0]


def cash_path(result: risksim.Result, name: str) -> list[float]:
    assert result.timeline is not None
    paths = result.timeline.paths.xs((0, name), level=("simulation", "party"))["cash"]
    return paths.tolist()[:25]


def test_allocation_is_the_hand_worked_split(result: risksim.Result) -> None:
    assert result.losses.iloc[0].to_dict() == pytest.approx(
        {"gross": 1000.0, "bank": 250.0, "guarantor": 300.0, "reguarantor": 300.0,
         "pool": 150.0}, rel=1e-12)


def test_payment_dates_and_cash_paths(result: risksim.Result) -> None:
    # Day 100: the bank is short of the two principals, 2,000.
    # Claims are filed 90 days past due, on day 190:
    #   guarantor (pays 30 days later, day 220): 2 x 300 = 600, but it has 300 + 200 (fee)
    #     = 500: it pays 500 (5/6 of the claim) on day 220 and 100 waits.
    #   The re-guarantor reimburses half of what the guarantor paid at its next quarter end
    #     plus 10 days: 250 on day 280 (ceil(220/90) x 90 + 10). The guarantor then pays the
    #     100 left on day 280 (it waited 60 days), whose half, 50, the re-guarantor
    #     reimburses on day 370 (ceil(280/90) x 90 + 10).
    #   pool (settles once a year, after the year closes): 2 x 75 = 150 on day 360, out of
    #     its fund of 150: cash 0, the fund is depleted on day 360.
    # Day 360: the fee of 100 comes to the guarantor. Day 460 (default + one year of
    #   workout): the recovery 2 x (1,000 - 500) = 1,000 comes to the bank (no recovery
    #   sharing: the lender keeps it).
    # Month m ends on day 30m; a flow on day t shows from month ceil(t/30) on:
    #   bank:        0 to month 3, -2,000 from month 4 (day 100), -1,500 from month 8
    #                (day 220), -1,400 from month 10 (day 280), -1,250 from month 12
    #                (day 360, the pool's 150), -250 from month 16 (day 460: +1,000).
    #   guarantor:   500 from month 0 (300 + fee 200 on day 0), 0 from month 8, 150 from
    #                month 10 (+250 - 100), 250 from month 12 (+100 fee), 300 from month 13.
    #   reguarantor: 0, -250 from month 10, -300 from month 13 (unlimited cash: its flows
    #                to date).
    #   pool:        150, then 0 from month 12.
    assert cash_path(result, "bank") == ([0.0] * 4 + [-2000.0] * 4 + [-1500.0] * 2
                                         + [-1400.0] * 2 + [-1250.0] * 4 + [-250.0] * 9)
    assert cash_path(result, "guarantor") == ([500.0] * 8 + [0.0] * 2 + [150.0] * 2 + [250.0]
                                              + [300.0] * 12)
    assert cash_path(result, "reguarantor") == [0.0] * 10 + [-250.0] * 3 + [-300.0] * 12
    assert cash_path(result, "pool") == [150.0] * 12 + [0.0] * 13
    guarantor = party(result, "guarantor")
    assert guarantor["shortfall_day"] == 220.0
    assert guarantor["depleted_day"] == 220.0
    assert guarantor["max_wait_days"] == 60.0
    # from default to payment, weighted by amount: (500 x 120 + 100 x 180) / 600 = 130
    assert guarantor["mean_days_to_payment"] == pytest.approx(130.0)
    assert guarantor["max_days_to_payment"] == pytest.approx(180.0)
    assert (guarantor["min_cash"], guarantor["min_cash_day"]) == (0.0, 220.0)
    assert guarantor["unpaid_at_end"] == 0.0
    # (250 x 180 + 50 x 270) / 300 = 195
    assert party(result, "reguarantor")["mean_days_to_payment"] == pytest.approx(195.0)
    pool = party(result, "pool")
    assert (pool["depleted_day"], pool["mean_days_to_payment"]) == (360.0, 260.0)
    bank = party(result, "bank")
    assert (bank["min_cash"], bank["min_cash_day"]) == (-2000.0, 100.0)
    assert np.isnan(bank["shortfall_day"])  # unlimited cash: never short


def test_flows_add_up_to_losses_and_fees(result: risksim.Result) -> None:
    # Losses: each party's loss flows are minus its allocated loss; fees: 200 + 100 to the
    # guarantor; the pool's fund had no refill.
    for name, loss in (("bank", 250.0), ("guarantor", 300.0), ("reguarantor", 300.0),
                       ("pool", 150.0)):
        row = party(result, name)
        assert row["loss_flows"] == pytest.approx(-loss, rel=1e-12)
    assert party(result, "guarantor")["fee_flows"] == pytest.approx(300.0)
    assert party(result, "guarantor")["net_flow"] == pytest.approx(0.0, abs=1e-9)


def test_present_values_at_ten_percent(result: risksim.Result) -> None:
    # v(t) = 1.1^(-t/360), the flows of test_payment_dates_and_cash_paths.
    def v(day: float) -> float:
        return 1.1 ** (-day / 360)

    assert party(result, "bank")["present_value"] == pytest.approx(
        -2000 * v(100) + 500 * v(220) + 100 * v(280) + 150 * v(360) + 1000 * v(460),
        rel=1e-12)
    assert party(result, "guarantor")["present_value"] == pytest.approx(
        200 - 500 * v(220) + 250 * v(280) - 100 * v(280) + 100 * v(360) + 50 * v(370),
        rel=1e-12)


def test_monthly_npl_ratio_and_tolerance(result: risksim.Result) -> None:
    # Both loans are NPLs from day 190 (month 7) until written off when the workout ends
    # (day 460, month 16), at their principal less the compensation received: 2,000, then
    # 1,500 from day 220 (month 8), 1,400 from day 280 (month 10), 1,250 from day 360
    # (month 12). The book (start of month) is 4,000 in the first year and 2,000 in the
    # second (the defaulted loans matured): ratio 0.5 in month 7, 0.375 in months 8-9, 0.35 in
    # months 10-11, 0.3125 in month 12, 0.625 in months 13-15, then 0. The tolerance is
    # 1.5% + 3pp = 4.5%: breached in months 7-15.
    assert result.timeline is not None
    ratio = result.timeline.npl_paths.xs(0, level="simulation")["ratio"].tolist()
    assert ratio == pytest.approx([0.0] * 6 + [0.5] + [0.375] * 2 + [0.35] * 2 + [0.3125]
                                  + [0.625] * 3 + [0.0] * 9)
    npl = result.timeline.npl.iloc[0]
    assert (npl["max_ratio"], npl["months_in_breach"], npl["first_breach_month"],
            npl["breach"]) == (0.625, 9, 7.0, 1.0)
    assert result.timeline.npl_summary()["breach_probability"] == 1.0


def test_monthly_gross_npl_ratio(result: risksim.Result) -> None:
    # Gross of compensation both loans count at their principal, 2,000, from day 190
    # (month 7) until day 460 (month 16): 2,000 / 4,000 = 0.5 in months 7-12, 2,000 / 2,000
    # = 1.0 in months 13-15, then 0; above 4.5% in months 7-15.
    assert result.timeline is not None
    gross = result.timeline.npl_paths.xs(0, level="simulation")["gross_ratio"].tolist()
    assert gross == pytest.approx([0.0] * 6 + [0.5] * 6 + [1.0] * 3 + [0.0] * 9)
    npl = result.timeline.npl.iloc[0]
    assert (npl["gross_max_ratio"], npl["gross_months_in_breach"],
            npl["gross_first_breach_month"], npl["gross_breach"]) == (1.0, 9, 7.0, 1.0)
    assert result.timeline.npl_ratio.loc[13, "gross_mean"] == pytest.approx(1.0)
    assert result.timeline.npl_summary()["gross_breach_probability"] == 1.0


def test_a_chain_of_counter_guarantees_reimburses_link_by_link() -> None:
    # One loan of 1,000 defaults on day 100 with LGD 1. The guarantor pays 80% (800), the
    # re-guarantor takes over half of that (400), the NFGF half of the re-guarantor's layer
    # (200): net 400 / 200 / 200, the bank 200.
    #   day 190: the claim is filed; the guarantor pays 800 on day 220 (30-day lag);
    #   the re-guarantor reimburses 400 at the next quarter end, day 270;
    #   the NFGF reimburses the re-guarantor 200 after the year closes, day 360 + 10 = 370.
    mapping = scenario_mapping(
        [segment("bad", 1, exposure=1000.0, pd=1.0, lgd=1.0)],
        layers=[{"party": "guarantor", "share_of_loss": 0.8},
                {"party": "reguarantor", "share_of_layer": {"party": "guarantor",
                                                            "share": 0.5}},
                {"party": "nfgf", "share_of_layer": {"party": "reguarantor", "share": 0.5}},
                {"party": "bank", "residual": True}],
        parties=["bank", "guarantor", "reguarantor", "nfgf"], correlation=0.0)
    mapping["timeline"] = {"default_dates": {"day_of_period": 100},
                           "parties": {"reguarantor": {"settles": "quarterly",
                                                       "payment_lag_days": 0},
                                       "nfgf": {"settles": "yearly", "payment_lag_days": 10}}}
    result = risksim.simulate(risksim.load_scenario(mapping), n_sims=2, seed=1, timeline=True)
    assert cash_path(result, "bank")[:9] == [0.0] * 4 + [-1000.0] * 4 + [-200.0]
    assert cash_path(result, "guarantor")[:10] == [0.0] * 8 + [-800.0, -400.0]
    assert cash_path(result, "reguarantor")[:14] == [0.0] * 9 + [-400.0] * 4 + [-200.0]
    assert cash_path(result, "nfgf")[:14] == [0.0] * 13 + [-200.0]
    days = {name: party(result, name)["mean_days_to_payment"]
            for name in ("guarantor", "reguarantor", "nfgf")}
    assert days == {"guarantor": 120.0, "reguarantor": 170.0, "nfgf": 270.0}


def test_a_guarantor_out_of_cash_pays_what_it_can_and_owes_the_rest() -> None:
    # One loan of 1,000 defaults on day 100 with LGD 1; the guarantor pays 60% (600) out of
    # 250 of cash and nothing ever comes in: it pays 250 on day 220 (claim on day 190, 30
    # days to pay) and still owes 350 at the end; the bank is short of 1,000 - 250 = 750.
    mapping = scenario_mapping(
        [segment("bad", 1, exposure=1000.0, pd=1.0, lgd=1.0)],
        layers=[{"party": "guarantor", "share_of_loss": 0.6},
                {"party": "bank", "residual": True}], correlation=0.0)
    mapping["timeline"] = {"default_dates": {"day_of_period": 100},
                           "parties": {"guarantor": {"starting_cash": 250.0}}}
    result = risksim.simulate(risksim.load_scenario(mapping), n_sims=2, seed=1, timeline=True)
    guarantor = party(result, "guarantor")
    assert (guarantor["shortfall_day"], guarantor["depleted_day"]) == (220.0, 220.0)
    assert guarantor["unpaid_at_end"] == pytest.approx(350.0)
    assert guarantor["loss_flows"] == pytest.approx(-250.0)
    assert cash_path(result, "guarantor")[:9] == [250.0] * 8 + [0.0]
    assert party(result, "bank")["loss_flows"] == pytest.approx(-750.0)
    assert result.timeline is not None
    assert result.timeline.summary().loc["guarantor", "unpaid_at_end"] == pytest.approx(350.0)
