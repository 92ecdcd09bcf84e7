"""Fee pricing: closed forms, consistency of the fees, the target solver on real schemes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import ndtr, ndtri

import risksim
from risksim.analysis.price import PricingTerms, annuity
from risksim.stats import measures
from tests.builders import ROOT, scenario_mapping, segment, two_vintages_with_lending_stop

GUARANTOR_LAYERS = [{"party": "guarantor", "share_of_loss": 0.4},
                    {"party": "bank", "residual": True}]


def one_loan(pd: float = 0.05, lgd: float = 0.6, share: float = 0.4) -> risksim.Scenario:
    layers = [{"party": "guarantor", "share_of_loss": share}, {"party": "bank", "residual": True}]
    return risksim.load_scenario(scenario_mapping([segment(count=1, pd=pd, lgd=lgd,
                                                           exposure=1.0e6)],
                                                  layers=layers, correlation=0.0))


def test_single_loan_break_even_is_pd_lgd_share() -> None:
    # One loan, one year, no discounting: E[claims] = PD·LGD·share·EAD and the fee base is
    # the loan's exposure, paid at the start of the year whether or not it defaults, so the
    # break-even rate on the loan is PD·LGD·share (DOMAIN §5 with v = 1), on the guaranteed
    # part PD·LGD. The claim is a Bernoulli(PD) times LGD·share: se = LGD·share·√(PD(1−PD)/N).
    pd_, lgd, share, n = 0.05, 0.6, 0.4, 40_000
    scenario = one_loan(pd_, lgd, share)
    fee = risksim.price(scenario, "guarantor", n_sims=n, seed=3).table.loc["all"]
    se = lgd * share * math.sqrt(pd_ * (1 - pd_) / n)
    assert fee["break_even_se"] == pytest.approx(se, rel=0.05)
    assert abs(fee["break_even"] - pd_ * lgd * share) < 4 * se
    guaranteed = risksim.price(scenario, "guarantor", n_sims=n, seed=3,
                               terms=PricingTerms(base="guaranteed")).table.loc["all"]
    assert guaranteed["break_even"] == pytest.approx(fee["break_even"] / share, rel=1e-12)


def test_admin_cost_and_discounting_move_the_fee_as_the_formula_says() -> None:
    scenario = one_loan()
    plain = risksim.price(scenario, "guarantor", n_sims=4_000, seed=1).table.loc["all"]
    terms = PricingTerms(admin_rate=0.002, discount_rate=0.05)
    priced = risksim.price(scenario, "guarantor", n_sims=4_000, seed=1, terms=terms)
    row = priced.table.loc["all"]
    # a one-year loan: the claim is paid at the year end (v¹), the fee at its start (v⁰)
    assert row["break_even"] == pytest.approx(plain["break_even"] / 1.05 + 0.002, rel=1e-12)
    assert annuity(0.05, 2) == pytest.approx(1 / 1.05 + 1 / 1.05**2)


def test_risk_adjusted_fee_adds_cost_of_capital_on_es_capital() -> None:
    scenario = risksim.load_scenario(ROOT / "scenarios" / "wangcheng_patent_loan.yaml")
    terms = PricingTerms(level=0.99, cost_of_capital=0.12)
    pricing = risksim.price(scenario, "guarantor", terms=terms, n_sims=20_000, seed=5)
    row = pricing.table.loc["all"]
    result = risksim.simulate(scenario, n_sims=20_000, seed=5)
    losses = result.losses["guarantor"].to_numpy()
    capital = measures.expected_shortfall(losses, 0.99).value - losses.mean()
    assert row["capital"] == pytest.approx(capital, rel=1e-9)
    years = scenario.plan.n_years  # capital held over the whole horizon, undiscounted
    expected = (losses.mean() + 0.12 * years * capital) / row["fee_base"]
    assert row["risk_adjusted"] == pytest.approx(expected, rel=1e-9)
    assert row["risk_adjusted"] > row["break_even"] + 4 * row["risk_adjusted_se"]


def test_tiers_add_up_to_the_book() -> None:
    scenario = risksim.load_scenario(ROOT / "scenarios" / "japan_cgc_80.yaml")
    pricing = risksim.price(scenario, "cgc", by="rating", n_sims=4_000, seed=2)
    tiers = pricing.table.drop("all")
    book = pricing.table.loc["all"]
    assert tiers["capital"].sum() == pytest.approx(book["capital"], rel=1e-9)  # Euler
    assert tiers["expected_claims"].sum() == pytest.approx(book["expected_claims"], rel=1e-12)
    # riskier ratings (1 is the worst CRD tier) need higher fees
    assert (np.diff(tiers["break_even"].to_numpy()) < 0).all()
    schedule = pricing.schedule()["annual_rate"]
    assert schedule["by"] == "rating" and set(schedule["values"]) == set(tiers.index)
    banded = risksim.price(scenario, "cgc", by="exposure", bands=[1e7, 5e7], n_sims=2_000,
                           seed=2, terms=PricingTerms(capital="basel"))
    assert banded.table.index.tolist() == ["exposure <= 1e+07", "exposure <= 5e+07",
                                           "exposure > 5e+07", "all"]
    assert banded.schedule()["annual_rate"]["bands"][-1]["up_to"] is None


@pytest.mark.parametrize(("file", "party", "capital"), [
    ("wangcheng_patent_loan.yaml", "guarantor", 2.0e7),
    ("china_nfgf_2242.yaml", "original_guarantor", 3.0e8),
    ("eif_capped_50_20.yaml", "eif", 5.0e7),
])
def test_solvency_target_is_met_on_fresh_simulations(file: str, party: str,
                                                     capital: float) -> None:
    # Solve P(C − f·B > capital) = 1% on seed 1, then count the exhaustions at that fee on
    # independent simulations (seed 2): the estimate must be within 4 standard errors of 1%,
    # the error of the fresh count √(p(1−p)/N) plus that of the solved fee turned into a
    # probability (the fee's band spans the order statistics around rank 0.99·N).
    scenario = risksim.load_scenario(ROOT / "scenarios" / file)
    n = 10_000
    pricing = risksim.price(scenario, party, target="solvency:0.01", capital_amount=capital,
                            n_sims=n, seed=1)
    fee = pricing.target
    assert fee is not None and fee.value > 0 and fee.lower <= fee.value <= fee.upper
    fresh = risksim.price(scenario, party, target="solvency:0.01", capital_amount=capital,
                          n_sims=n, seed=2)
    assert abs(fresh.target.value - fee.value) < 4 * math.hypot(fee.se, fresh.target.se)


def test_return_target_matches_the_risk_adjusted_fee_when_capital_is_fixed() -> None:
    # With Basel capital K fixed, RoC(f) = (f·E[B] − E[C])/(a·K) = h exactly when f is the
    # risk-adjusted fee at cost of capital h.
    scenario = risksim.load_scenario(ROOT / "scenarios" / "wangcheng_patent_loan.yaml")
    terms = PricingTerms(capital="basel", cost_of_capital=0.15)
    pricing = risksim.price(scenario, "guarantor", terms=terms, target="return:0.15",
                            n_sims=4_000, seed=3)
    assert pricing.target.value == pytest.approx(pricing.table.loc["all", "risk_adjusted"],
                                                 rel=1e-9)
    es = risksim.price(scenario, "guarantor", target="return:0.10", n_sims=4_000, seed=3)
    assert es.target.se > 0
    assert es.target.value == pytest.approx(es.table.loc["all", "risk_adjusted"], rel=0.1)


def test_large_pool_guarantor_tail_is_the_vasicek_quantile_times_the_share() -> None:
    # 5,000 loans of equal size, PD 2%, LGD 1, R = 0.15, one year: the loss fraction of a
    # large pool has Vasicek's distribution, quantile Φ((Φ⁻¹(PD) + √R·Φ⁻¹(q))/√(1−R))
    # (Vasicek 2002); the guarantor pays 40% of it. The tolerance is 4 of the VaR's
    # order-statistic standard errors plus the granularity of 5,000 loans (~1/√(n·p)).
    count, pd_, rho, share = 5_000, 0.02, 0.15, 0.4
    mapping = scenario_mapping([segment(count=count, pd=pd_)], layers=GUARANTOR_LAYERS,
                               correlation=rho)
    result = risksim.simulate(risksim.load_scenario(mapping), n_sims=20_000, seed=9)
    var = measures.value_at_risk(result.losses["guarantor"].to_numpy(), 0.99)
    reference = share * count * ndtr((ndtri(pd_) + math.sqrt(rho) * ndtri(0.99))
                                     / math.sqrt(1 - rho))
    granularity = share * math.sqrt(count * 0.08)
    assert abs(var.value - reference) < 4 * var.se + granularity


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"target": "ruin:0.1"}, "target: unknown target 'ruin'"),
    ({"target": "solvency:abc"}, "target: 'abc' is not a number"),
    ({"target": "solvency:1.5"}, "target: 1.5 is out of range"),
    ({"target": "solvency:0.01"}, "capital_amount: the solvency target needs guarantor's"),
    ({"by": "colour"}, "by: unknown unit 'colour'"),
    ({"by": "rating", "bands": [1.0]}, "by: bands need a numeric attribute"),
    ({"terms": PricingTerms(level=1.0)}, "level: 1: expected a level in (0, 1)"),
])
def test_bad_pricing_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(risksim.InputError) as raised:
        risksim.price(one_loan(), "guarantor", n_sims=100, **kwargs)
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize(("above", "break_even"), [(0.05, 0.05), (0.2, 0.05)])
def test_loans_never_granted_are_not_in_the_fee_base(above: float, break_even: float) -> None:
    # Two vintages of ten 1-year loans of 100, one loss of 100 in each; the pool pays 50%.
    # Above 5%, year 0's 10% loss rate stops the second vintage: claims 50 on a base of
    # 1,000 (the first vintage's year) = 5%. At 20% both are granted: 100 on 2,000 = 5%.
    # (Counting the refused vintage in the base would give 50 / 2,000 = 2.5%.)
    scenario = risksim.load_scenario(two_vintages_with_lending_stop(above))
    fee = risksim.price(scenario, "pool", n_sims=50, seed=1).table.loc["all"]
    assert fee["break_even"] == pytest.approx(break_even)
