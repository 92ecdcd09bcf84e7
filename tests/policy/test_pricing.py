"""Fee pricing: closed forms, consistency of the fees, the target solver on real schemes."""

from __future__ import annotations

import math

import numpy as np
import pytest

import risksim
from risksim.analysis.price import PricingTerms, annuity, simulate_fee_terms
from risksim.models.analytic import finite_pool_default_pmf
from risksim.stats import measures
from risksim.streams import BLOCK_SIZE
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


@pytest.mark.parametrize(("file", "party", "capital", "n_solve", "n_fresh"), [
    ("wangcheng_patent_loan.yaml", "guarantor", 2.0e7, 100_000, 100_000),
    pytest.param("china_nfgf_2242.yaml", "original_guarantor", 3.0e8, 10_000, 10_000,
                 marks=pytest.mark.slow),
    pytest.param("eif_capped_50_20.yaml", "eif", 5.0e7, 10_000, 10_000,
                 marks=pytest.mark.slow),
])
def test_solvency_target_is_met_on_fresh_simulations(file: str, party: str, capital: float,
                                                     n_solve: int, n_fresh: int) -> None:
    # Solve P(C − f·B > capital) = x = 1% on seed 1, then count the simulations that exhaust
    # the capital at that fee among fresh ones (seed 2): C the party's claims and B its fee
    # base, per simulation. The solved fee is the (1 − x) order statistic of n_solve draws,
    # so the true probability at it is x with standard deviation √(x(1 − x)/n_solve) (the
    # coverage of an order statistic, Beta(k, n − k + 1)); the fresh count adds its binomial
    # √(x(1 − x)/n_fresh). The fresh estimate must be within 4 of the two combined.
    x = 0.01
    scenario = risksim.load_scenario(ROOT / "scenarios" / file)
    pricing = risksim.price(scenario, party, target=f"solvency:{x}", capital_amount=capital,
                            n_sims=n_solve, seed=1)
    fee = pricing.target
    assert fee is not None and fee.value > 0 and fee.lower <= fee.value <= fee.upper
    fresh = simulate_fee_terms(scenario, party, np.zeros(len(scenario.portfolio), np.int64), 1,
                               PricingTerms(), n_fresh, seed=2)
    claims, base = fresh.claims[:, 0], fresh.base[:, 0]
    # C is the party's loss as simulate() gives it on the same draws (its first block)
    losses = risksim.simulate(scenario, n_sims=BLOCK_SIZE, seed=2).losses[party].to_numpy()
    assert np.allclose(claims[:BLOCK_SIZE], losses, rtol=1e-9, atol=1e-3)
    # The price lifts the party's own capital (claims owed): exhausting `capital` at fee f
    # is the same event on claims cut at the layer's capital while capital + f·B stays below it.
    for layer in scenario.spec.arrangement.layers:
        if layer.party == party and layer.capital is not None:
            assert (capital + fee.value * base).max() < layer.capital
    exhausted = np.mean(claims - fee.value * base > capital)
    se = math.sqrt(x * (1 - x) * (1 / n_solve + 1 / n_fresh))
    assert abs(exhausted - x) <= 4 * se, (exhausted, x, se)


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


def test_pool_guarantor_tail_is_the_exact_finite_pool_quantile_times_the_share() -> None:
    # 5,000 loans of 1, PD 2%, LGD 1, R = 0.15, one year: the loss is the number of defaults
    # D, whose exact law is the finite homogeneous pool's (an integral over the factor,
    # risksim.models.analytic.finite_pool_default_pmf); the guarantor pays 40% of it. Its
    # VaR at a is the ⌈aN⌉-th of N simulated losses, whose coverage F(VaR) has standard
    # deviation σ = √(a(1 − a)/N) (an order statistic of uniforms, Beta(⌈aN⌉, N − ⌈aN⌉ + 1)),
    # so it lies between the exact quantiles of D at a − 4σ and a + 4σ, times the share.
    count, pd_, rho, share, n, level = 5_000, 0.02, 0.15, 0.4, 20_000, 0.99
    mapping = scenario_mapping([segment(count=count, pd=pd_)], layers=GUARANTOR_LAYERS,
                               correlation=rho)
    result = risksim.simulate(risksim.load_scenario(mapping), n_sims=n, seed=9)
    var = measures.value_at_risk(result.losses["guarantor"].to_numpy(), level).value
    cdf = np.cumsum(finite_pool_default_pmf(count, pd_, rho))
    sigma = math.sqrt(level * (1 - level) / n)

    def quantile(q: float) -> float:
        return share * float(np.searchsorted(cdf, q))  # the smallest k with F(k) >= q

    assert quantile(level - 4 * sigma) <= var <= quantile(level + 4 * sigma), (
        var, quantile(level - 4 * sigma), quantile(level), quantile(level + 4 * sigma))


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
