"""Hand-worked cases for each layer term: tiers, eligibility, chains, caps, budgets, funds,
triggers and capital. Loans with PD 1 and fixed LGD make every loss certain, so each
party's loss is stated to the yuan, worked out in the comments."""

from __future__ import annotations

import re

import numpy as np
import pytest

import risksim
from risksim.rules import Ledger, LossEvents
from risksim.rules.limits import FundBalance, PerBorrowerCap, Suspension
from tests.builders import scenario_mapping, segment


def certain_losses(layers: list[dict], segments: list[dict] | None = None,
                   parties: list[str] | None = None) -> tuple[dict[str, float], dict]:
    """Each party's loss (identical in every simulation) and the indicators' values."""
    segments = segments or [segment("book", 10, exposure=100.0, pd=1.0, lgd=1.0)]
    result = risksim.simulate(scenario_mapping(segments, layers=layers, parties=parties),
                              n_sims=20, seed=1)
    losses = result.losses
    assert (losses.nunique() == 1).all(), "losses should be certain"
    indicators = {name: float(result.indicators[name].iloc[0])
                  for name in result.indicators.columns}
    return {name: float(losses[name].iloc[0]) for name in losses.columns}, indicators


def test_shares_tiered_by_loan_size() -> None:
    # SBA-style: 85% of the loss of loans up to 150,000, 75% above. Losses (LGD 0.5):
    # 50,000 and 100,000 → SBA 42,500 + 75,000 = 117,500; lender 7,500 + 25,000 = 32,500.
    layers = [{"party": "sba", "share_of_loss": {"by": "exposure", "bands": [
        {"up_to": 150_000, "value": 0.85}, {"value": 0.75}]}},
        {"party": "lender", "residual": True}]
    segments = [segment("small", 1, exposure=100_000.0, pd=1.0, lgd=0.5),
                segment("large", 1, exposure=200_000.0, pd=1.0, lgd=0.5)]
    losses, _ = certain_losses(layers, segments)
    assert losses == {"gross": 150_000.0, "lender": 32_500.0, "sba": 117_500.0}


def test_shares_by_rating_and_eligibility() -> None:
    # Rating A covered 55%, B 60%; loans above 150,000 are not eligible (stay with the bank).
    # Losses: A 100 → 55; B 200 → 120; B 1,000,000 (ineligible) → 0. Bank: 45 + 80 + 1e6.
    layers = [{"party": "fund", "share_of_loss": {"by": "rating", "values": {"A": 0.55,
                                                                            "B": 0.6}},
               "eligible": {"max_exposure": 150_000}},
              {"party": "bank", "residual": True}]
    segments = [segment("a", 1, exposure=100.0, pd=1.0, rating="A"),
                segment("b", 1, exposure=200.0, pd=1.0, rating="B"),
                segment("big", 1, exposure=1e6, pd=1.0, rating="B")]
    losses, _ = certain_losses(layers, segments)
    assert losses == {"gross": 1_000_300.0, "bank": 1_000_125.0, "fund": 175.0}


def test_rating_without_share_or_default_is_an_input_error() -> None:
    layers = [{"party": "fund", "share_of_loss": {"by": "rating", "values": {"A": 0.5}}},
              {"party": "bank", "residual": True}]
    with pytest.raises(risksim.InputError, match=r"arrangement.layers\[0\].share_of_loss: "
                                                 r"loan 'c-000001' has rating 'C'"):
        risksim.load_scenario(scenario_mapping([segment("c", 1, rating="C")], layers=layers))


def test_counter_guarantee_chain_equals_the_normalised_shares() -> None:
    # 2:2:4:2 written as a chain: the guarantor covers 80%, the provincial re-guarantor and
    # the national fund each take 25% of the guarantor's layer (20% of the loss each).
    chain = [{"party": "guarantor", "share_of_loss": 0.8},
             {"party": "provincial", "share_of_layer": {"party": "guarantor", "share": 0.25}},
             {"party": "nfgf", "share_of_layer": {"party": "guarantor", "share": 0.25}},
             {"party": "bank", "residual": True}]
    direct = [{"party": "guarantor", "share_of_loss": 0.4},
              {"party": "provincial", "share_of_loss": 0.2},
              {"party": "nfgf", "share_of_loss": 0.2},
              {"party": "bank", "residual": True}]
    book = [segment("book", 500, exposure={"median": 1e6, "p95": 4e6}, pd=0.05,
                    lgd={"beta": {"mean": 0.5, "sd": 0.2}})]
    a = risksim.simulate(scenario_mapping(book, layers=chain), n_sims=3_000, seed=2).losses
    b = risksim.simulate(scenario_mapping(book, layers=direct), n_sims=3_000, seed=2).losses
    assert np.allclose(a[b.columns].to_numpy(), b.to_numpy(), rtol=1e-12, atol=1e-6)
    # without caps the chain's shares hold in every simulation: 40%, 20%, 20% and 20%
    for party, share in {"guarantor": 0.4, "provincial": 0.2, "nfgf": 0.2,
                         "bank": 0.2}.items():
        np.testing.assert_allclose(a[party], share * a["gross"], rtol=1e-12, atol=1e-6)


def test_cap_rate_excess_falls_to_the_named_party() -> None:
    # 10 loans of 100, all lost: 1,000. NFGF's 20% (200) is capped at 5% of the covered
    # volume (50); the 150 above falls to the guarantor: 400 + 150 = 550.
    layers = [{"party": "guarantor", "share_of_loss": 0.4},
              {"party": "provincial", "share_of_loss": 0.2},
              {"party": "nfgf", "share_of_loss": 0.2, "cap_rate": {"rate": 0.05},
               "excess_to": "guarantor"},
              {"party": "bank", "residual": True}]
    losses, indicators = certain_losses(layers)
    assert losses == {"gross": 1000.0, "bank": 200.0, "guarantor": 550.0,
                      "nfgf": 50.0, "provincial": 200.0}
    assert indicators == {"nfgf.cap_rate_binds": 1.0}


def test_annual_budget_and_capital_leave_the_rest_to_the_lender() -> None:
    # Loss 1,000. The pool owes 50% = 500 but its annual budget is 100; the guarantor owes
    # 30% = 300 but has 120 of capital. Bank: 1,000 − 100 − 120 = 780.
    layers = [{"party": "pool", "share_of_loss": 0.5, "annual_budget": 100.0},
              {"party": "guarantor", "share_of_loss": 0.3, "capital": 120.0},
              {"party": "bank", "residual": True}]
    losses, indicators = certain_losses(layers)
    assert losses == {"gross": 1000.0, "bank": 780.0, "guarantor": 120.0, "pool": 100.0}
    assert indicators == {"pool.annual_budget_binds": 1.0, "guarantor.insolvent": 1.0,
                          "guarantor.capital_used": 120.0}


def test_limits_that_do_not_bind_change_nothing() -> None:
    layers = [{"party": "pool", "share_of_loss": 0.5, "annual_budget": 1e6,
               "cap_rate": {"rate": 0.9, "per": "year"}, "fund": {"balance": 1e6},
               "capital": 1e6, "per_loan_cap": 1e3, "per_borrower_cap": 1e3},
              {"party": "bank", "residual": True}]
    losses, indicators = certain_losses(layers)
    assert losses == {"gross": 1000.0, "bank": 500.0, "pool": 500.0}
    assert indicators == {"pool.per_loan_cap_binds": 0.0, "pool.per_borrower_cap_binds": 0.0,
                          "pool.cap_rate_binds": 0.0, "pool.annual_budget_binds": 0.0,
                          "pool.fund_exhausted": 0.0, "pool.fund_exhausted_year": pytest.approx(
                              np.nan, nan_ok=True), "pool.insolvent": 0.0,
                          "pool.capital_used": 500.0}


def events(sim: list[int], loan: list[int], year: list[int], loss: list[float],
           n_sims: int = 2, n_years: int = 3) -> LossEvents:
    """Hand-made loss events (one period per year)."""
    return LossEvents(sim=np.array(sim), loan=np.array(loan), period=np.array(year),
                      year=np.array(year), loss=np.array(loss, dtype=float), n_sims=n_sims,
                      n_years=n_years)


def test_fund_pays_while_its_balance_lasts() -> None:
    # Simulation 0 claims 60 a year; the fund starts at 100 and gets 10 a year:
    # year 1 pays 60 (left 40 + 10 = 50), year 2 pays 50 of 60 (left 0 + 10), year 3 pays 10.
    # Simulation 1 claims 30 once: paid in full, never exhausted.
    ev = events([0, 0, 0, 1], [0, 1, 2, 3], [0, 1, 2, 0], [60.0, 60.0, 60.0, 30.0])
    ledger = Ledger(ev, ["pool"])
    paid = FundBalance(100.0, 10.0).limit(ev.loss, ledger, "pool")
    assert paid.tolist() == [60.0, 50.0, 10.0, 30.0]
    assert ledger.indicators["pool.fund_exhausted"].tolist() == [1.0, 0.0]
    assert ledger.indicators["pool.fund_exhausted_year"][0] == 2.0
    assert np.isnan(ledger.indicators["pool.fund_exhausted_year"][1])


@pytest.mark.parametrize(("reactivate", "expected"), [
    ("next_year_below", [0.0, 0.0, 10.0, 40.0]),
    ("never", [0.0, 0.0, 0.0, 40.0]),
])
def test_suspension_trigger_by_loss_rate(reactivate: str, expected: list[float]) -> None:
    # Covered volume 1,000 each year. Simulation 0: losses 50 then 10 in year 1 (rate 6%
    # > 3%: suspended), 10 in year 2 (1%: paid again unless suspension is for good).
    # Simulation 1: its 40 is on loan 3, which the layer does not cover: rate 0, never suspended.
    ev = events([0, 0, 0, 1], [0, 1, 2, 3], [0, 0, 1, 0], [50.0, 10.0, 10.0, 40.0])
    covered = np.array([1.0, 1.0, 1.0, 0.0])
    trigger = Suspension("loss_rate", 0.03, reactivate, covered, np.full((1, 3), 1000.0),
                         np.zeros(4, dtype=np.int64), warning=0.008)
    ledger = Ledger(ev, ["pool"])
    assert trigger.limit(ev.loss, ledger, "pool").tolist() == expected
    assert ledger.indicators["pool.suspended"].tolist() == [1.0, 0.0]
    # warning at 0.8%: simulation 0 passes it (6%, then 1%); simulation 1's rate is 0.
    assert ledger.indicators["pool.warning"].tolist() == [1.0, 0.0]


def test_per_borrower_cap_cuts_a_borrowers_loans_pro_rata() -> None:
    # Loans 0 and 1 belong to borrower 7; cap 60 on their 40 + 80 = 120 → 20 and 40.
    ev = events([0, 0, 0], [0, 1, 2], [0, 0, 0], [40.0, 80.0, 50.0], n_sims=1, n_years=1)
    cap = PerBorrowerCap(60.0, borrower=np.array([7, 7, 3]))
    ledger = Ledger(ev, ["g"])
    assert cap.limit(ev.loss, ledger, "g").tolist() == [20.0, 40.0, 50.0]
    assert ledger.indicators["g.per_borrower_cap_binds"].tolist() == [1.0]


@pytest.mark.parametrize(("layer", "message"), [
    ({"party": "x", "share_of_layer": {"party": "x", "share": 0.5}},
     "never in a circle"),
    ({"party": "x", "share_of_layer": {"party": "bank", "share": 0.5}},
     "has no layer before this one"),
    ({"party": "x", "share_of_loss": 0.3, "excess_to": "ghost"},
     "unknown party 'ghost'"),
    ({"party": "x", "share_of_loss": 0.3, "excess_to": "x"}, "excess_to must name another"),
    ({"party": "x", "share_of_loss": 0.3, "suspend_if": {"metric": "npl", "above": 0.1}},
     "suspend_if.metric"),
    ({"party": "x", "share_of_loss": {"by": "exposure", "bands": [{"value": 0.5},
                                                                 {"up_to": 5, "value": 0.4}]}},
     "last band must have no up_to"),
    ({"party": "x", "share_of_loss": 0.3, "annual_budget": -1}, "is below 0"),
    ({"party": "x", "share_of_loss": 0.3,
      "suspend_if": {"metric": "loss_rate", "above": 0.03, "warning": 0.05}},
     "suspend_if.warning: warning (0.05) must be below above (0.03)"),
    ({"party": "x", "share_of_loss": 0.3, "leverage": {"limit": 10}},
     "leverage needs the layer's capital"),
    ({"party": "x", "tranche": {"attach": 0.2, "detach": 0.1}}, "detach (0.1) must be above"),
    ({"party": "x", "share_of_loss": 0.3, "cap_rate": {"rate": 0.1, "per": "month"}},
     "cap_rate.per"),
])
def test_bad_layers_are_rejected_at_load_time(layer: dict, message: str) -> None:
    layers = [layer, {"party": "bank", "residual": True}]
    mapping = scenario_mapping(layers=layers, parties=["bank", "x"])
    with pytest.raises(risksim.InputError, match="arrangement") as raised:
        risksim.load_scenario(mapping)
    assert message in str(raised.value)


def test_tranches_slice_the_portfolio_loss() -> None:
    # Volume 1,000, all lost. First-loss 0-8% → 80; mezzanine 8-20% → 120; bank the rest 800.
    layers = [{"party": "eif", "tranche": {"attach": 0.0, "detach": 0.08}},
              {"party": "investor", "tranche": {"attach": 0.08, "detach": 0.2}},
              {"party": "bank", "residual": True}]
    losses, _ = certain_losses(layers)
    assert losses == {"gross": 1000.0, "bank": 800.0, "eif": 80.0, "investor": 120.0}


@pytest.mark.parametrize("order", [1, -1])
def test_stacked_tranches_are_slices_of_the_portfolio_loss_in_any_order(order: int) -> None:
    # Volume V = 10 × 100 = 1,000; LGD 0.15 → portfolio loss L = 150 in every simulation.
    # 0-8%: min(150, 80) = 80; 8-20%: min(max(150 − 80, 0), 120) = 70; 20-100%: 0.
    # Written in either order the slices are those of L, and nothing is left to the bank.
    tranches = [{"party": "eif", "tranche": {"attach": 0.0, "detach": 0.08}},
                {"party": "mezz", "tranche": {"attach": 0.08, "detach": 0.2}},
                {"party": "senior", "tranche": {"attach": 0.2, "detach": 1.0}}]
    layers = [*tranches[::order], {"party": "bank", "residual": True}]
    segments = [segment("book", 10, exposure=100.0, pd=1.0, lgd=0.15)]
    losses, _ = certain_losses(layers, segments)
    assert losses == {"gross": 150.0, "bank": 0.0, "eif": 80.0, "mezz": 70.0, "senior": 0.0}


@pytest.mark.parametrize(("term", "tranche", "bank"), [
    # V = 1,000, L = 150; the guarantor pays 50% = 75, leaving 75 unallocated.
    # tranche 5-10% of L: min(max(150 − 50, 0), 50) = 50 ≤ 75 left → bank 75 − 50 = 25.
    ("tranche", 50.0, 25.0),
    # tranche_of_remaining 5-10% attaches on the 75 left: min(max(75 − 50, 0), 50) = 25
    # → bank 75 − 25 = 50.
    ("tranche_of_remaining", 25.0, 50.0),
])
def test_tranche_of_the_portfolio_and_of_the_remaining_loss(term: str, tranche: float,
                                                             bank: float) -> None:
    layers = [{"party": "guarantor", "share_of_loss": 0.5},
              {"party": "mezz", term: {"attach": 0.05, "detach": 0.10}},
              {"party": "bank", "residual": True}]
    segments = [segment("book", 10, exposure=100.0, pd=1.0, lgd=0.15)]
    losses, _ = certain_losses(layers, segments)
    assert losses == {"gross": 150.0, "bank": bank, "guarantor": 75.0, "mezz": tranche}


def test_a_tranche_pays_only_what_is_left_of_its_slice() -> None:
    # V = 1,000, L = 150. The guarantor pays 90% = 135, leaving 15; the 0-8% tranche's slice
    # of L is 80, of which only 15 is left → 15, bank 0.
    layers = [{"party": "guarantor", "share_of_loss": 0.9},
              {"party": "eif", "tranche": {"attach": 0.0, "detach": 0.08}},
              {"party": "bank", "residual": True}]
    segments = [segment("book", 10, exposure=100.0, pd=1.0, lgd=0.15)]
    losses, _ = certain_losses(layers, segments)
    assert losses == {"gross": 150.0, "bank": 0.0, "eif": 15.0, "guarantor": 135.0}


def test_tranches_slice_the_loss_over_the_horizon_across_vintages() -> None:
    # Two vintages of five 1-year loans of 100 (V = 1,000), one lost in each year with
    # LGD 0.75: L = 75 + 75 = 150 over the 2-year horizon. 0-8%: 80; 8-20%: 70; bank 0.
    layers = [{"party": "eif", "tranche": {"attach": 0.0, "detach": 0.08}},
              {"party": "mezz", "tranche": {"attach": 0.08, "detach": 0.2}},
              {"party": "bank", "residual": True}]
    one_year = {"exposure": 100.0, "tenor_years": 1}
    segments = [segment("bad_0", 1, pd=1.0, lgd=0.75, **one_year),
                segment("good_0", 4, pd=0.0, **one_year),
                segment("bad_1", 1, pd=1.0, lgd=0.75, origination_year=1, **one_year),
                segment("good_1", 4, pd=0.0, origination_year=1, **one_year)]
    mapping = scenario_mapping(segments, layers=layers,
                               horizon={"years": 2, "periods_per_year": 1})
    losses = risksim.simulate(mapping, n_sims=10, seed=1).losses
    assert losses.iloc[0].to_dict() == {"gross": 150.0, "bank": 0.0, "eif": 80.0,
                                        "mezz": 70.0}
    assert (losses.nunique() == 1).all()


def test_a_layer_has_one_tranche_term() -> None:
    layers = [{"party": "eif", "tranche": {"attach": 0.0, "detach": 0.08},
               "tranche_of_remaining": {"attach": 0.0, "detach": 0.08}},
              {"party": "bank", "residual": True}]
    with pytest.raises(risksim.InputError, match="exactly one of share_of_loss"):
        risksim.load_scenario(scenario_mapping(layers=layers, parties=["bank", "eif"]))


def test_tranche_pays_the_slice_of_each_simulations_loss() -> None:
    # A 2-5% mezzanine tranche of a random book pays clip(L − 2% V, 0, 3% V) in every
    # simulation, V the volume (Σ exposure).
    book = [segment("book", 400, exposure={"median": 1e5, "p95": 5e5}, pd=0.04, lgd=0.6)]
    layers = [{"party": "mezz", "tranche": {"attach": 0.02, "detach": 0.05}},
              {"party": "bank", "residual": True}]
    mapping = scenario_mapping(book, layers=layers)
    volume = risksim.load_scenario(mapping).portfolio["exposure"].sum()
    losses = risksim.simulate(mapping, n_sims=4_000, seed=3).losses
    expected = np.clip(losses["gross"] - 0.02 * volume, 0, 0.03 * volume)
    assert np.allclose(losses["mezz"], expected, rtol=1e-12, atol=1e-6)
    assert (losses["mezz"] > 0).mean() > 0.05  # the slice is reached in some simulations


@pytest.mark.parametrize(("probability", "guarantor"), [(0.0, 500.0), (1.0, 0.0)])
def test_claim_denial_extremes(probability: float, guarantor: float) -> None:
    # Loss 1,000, guarantor 50%: with no denial it pays 500; with every claim denied, 0.
    layers = [{"party": "guarantor", "share_of_loss": 0.5,
               "claim_denial_probability": probability},
              {"party": "bank", "residual": True}]
    losses, _ = certain_losses(layers)
    assert losses == {"gross": 1000.0, "bank": 1000.0 - guarantor, "guarantor": guarantor}


def test_claims_are_denied_at_the_stated_rate() -> None:
    # 200 loans of 1 surely lost; the guarantor owes 1 on each claim it does not deny.
    # Denied claims per simulation ~ Binomial(200, 0.3): mean 60, se of the mean over
    # simulations √(200·0.3·0.7/N).
    layers = [{"party": "guarantor", "share_of_loss": 1.0, "claim_denial_probability": 0.3},
              {"party": "bank", "residual": True}]
    mapping = scenario_mapping([segment("book", 200, pd=1.0)], layers=layers)
    denied = risksim.simulate(mapping, n_sims=2_000, seed=4).losses["bank"].to_numpy()
    assert abs(denied.mean() - 60) <= 4 * np.sqrt(200 * 0.3 * 0.7 / denied.size)
    assert denied.std() > 0


@pytest.mark.parametrize(("limit", "breach"), [(3.0, 1.0), (4.0, 0.0)])
def test_leverage_of_weighted_liability_to_net_assets(limit: float, breach: float) -> None:
    # Ten 3-year loans of 100 that never default; the guarantor covers 50% and counts them
    # at 75% (small loans): liability 0.5 × 0.75 × 1,000 = 375 against net assets 100.
    layers = [{"party": "guarantor", "share_of_loss": 0.5, "capital": 100.0,
               "leverage": {"limit": limit, "small_loan_weight": 0.75,
                            "small_loan_max": 150.0}},
              {"party": "bank", "residual": True}]
    segments = [segment("book", 10, exposure=100.0, pd=0.0, tenor_years=3)]
    mapping = scenario_mapping(segments, layers=layers,
                               horizon={"years": 3, "periods_per_year": 1})
    indicators = risksim.simulate(mapping, n_sims=5, seed=1).indicators
    assert np.allclose(indicators["guarantor.max_leverage"], 3.75)
    assert (indicators["guarantor.leverage_breach"] == breach).all()
    assert (indicators["guarantor.insolvent"] == 0.0).all()


def test_capital_used_up_makes_leverage_infinite() -> None:
    # Two of ten loans of 100 default in year 1 (LGD 1): the guarantor pays 50% = 100, all
    # its capital; from year 2 its net assets are 0 and its leverage infinite.
    layers = [{"party": "guarantor", "share_of_loss": 0.5, "capital": 100.0,
               "leverage": {"limit": 15.0}},
              {"party": "bank", "residual": True}]
    segments = [segment("bad", 2, exposure=100.0, pd=1.0, tenor_years=3),
                segment("good", 8, exposure=100.0, pd=0.0, tenor_years=3)]
    mapping = scenario_mapping(segments, layers=layers,
                               horizon={"years": 3, "periods_per_year": 1})
    indicators = risksim.simulate(mapping, n_sims=5, seed=1).indicators
    assert np.isinf(indicators["guarantor.max_leverage"]).all()
    assert (indicators["guarantor.leverage_breach"] == 1.0).all()
    assert (indicators["guarantor.insolvent"] == 0.0).all()  # 100 owed, 100 paid


@pytest.mark.parametrize(("amount", "paid"), [
    (150.0, 150.0),  # multiple 1,000/150 = 6.7: 60% of 1,000 = 600 owed, the deposit pays 150
    (80.0, 100.0),   # multiple 12.5 > 10: topped up to 100 (10x), 70% = 700 owed, pays 100
    (300.0, 200.0),  # multiple 3.3 < 5: cut to 200 (5x), 60% = 600 owed, pays 200
])
def test_deposit_share_follows_the_lending_multiple(amount: float, paid: float) -> None:
    # Hunan 潇湘财银贷: 6:4 from 5x, 7:3 from 10x; deposits resized into [5x, 10x].
    layers = [{"party": "fiscal", "deposit": {
        "amount": amount, "min_multiple": 5, "max_multiple": 10,
        "split": [{"at_least": 5, "share": 0.6}, {"at_least": 10, "share": 0.7}]}},
        {"party": "bank", "residual": True}]
    losses, indicators = certain_losses(layers)
    assert losses == {"gross": 1000.0, "bank": 1000.0 - paid, "fiscal": paid}
    assert indicators["fiscal.fund_exhausted"] == 1.0


def test_deposit_tiers_must_cover_the_minimum_multiple() -> None:
    layers = [{"party": "fiscal", "deposit": {"amount": 1.0, "min_multiple": 5,
                                              "split": [{"at_least": 6, "share": 0.6}]}},
              {"party": "bank", "residual": True}]
    with pytest.raises(risksim.InputError, match="no share for a multiple in between"):
        risksim.load_scenario(scenario_mapping(layers=layers))


@pytest.mark.parametrize(("first_to", "guarantor", "recovered"), [
    ([], 300.0, 200.0),               # pro rata: claim 500, recovers 40% of it, net 300
    (["guarantor"], 100.0, 400.0),    # first: recovers all 400 of its 500 claim, net 100
])
def test_recovery_sharing(first_to: list[str], guarantor: float, recovered: float) -> None:
    # Ten loans of 100 lost at LGD 0.6: loss 600, principal 1,000, recoveries 400. The
    # guarantor pays 50% of the loss (300) and so claims 50% of the principal (500).
    layers = [{"party": "guarantor", "share_of_loss": 0.5},
              {"party": "bank", "residual": True}]
    segments = [segment("book", 10, exposure=100.0, pd=1.0, lgd=0.6)]
    mapping = scenario_mapping(segments, layers=layers)
    mapping["arrangement"]["recoveries"] = {"first_to": first_to}
    result = risksim.simulate(mapping, n_sims=5, seed=1)
    row = result.losses.iloc[0]
    assert row["guarantor"] == pytest.approx(guarantor)
    assert row["bank"] == pytest.approx(600.0 - guarantor)
    assert result.indicators["guarantor.compensation"].iloc[0] == pytest.approx(500.0)
    assert result.indicators["guarantor.recoveries"].iloc[0] == pytest.approx(recovered)
    # Chinese definitions: 代偿率 = 500 / guaranteed 500; 代偿回收率 = recovered / 500.
    summary = result.recovery_summary().loc["guarantor"]
    assert summary["compensation_rate"] == pytest.approx(1.0)
    assert summary["recovery_rate"] == pytest.approx(recovered / 500.0)
    assert summary["loss_rate"] == pytest.approx(1 - recovered / 500.0)


@pytest.mark.parametrize("lgd", [0.6, {"beta": {"mean": 0.6, "sd": 0.2}}])
def test_workout_costs_are_shared_like_recoveries(lgd) -> None:
    # Loan of 1,000 at LGD 0.6: gross recovery 400, of which 10% (40) is workout cost: loss
    # 640, net recovery 360. The guarantor's 50% claim (500) gets half of it (180): net 320,
    # half the loss; the bank bears the other half. With a beta LGD: loss = L + 0.1(1000 − L).
    layers = [{"party": "guarantor", "share_of_loss": 0.5},
              {"party": "bank", "residual": True}]
    mapping = scenario_mapping([segment("one", 1, exposure=1000.0, pd=1.0, lgd=lgd)],
                               layers=layers)
    mapping["portfolio"]["workout_cost_rate"] = 0.1
    mapping["arrangement"]["recoveries"] = {"first_to": []}
    result = risksim.simulate(mapping, n_sims=50, seed=1)
    gross = result.losses["gross"].to_numpy()
    if isinstance(lgd, float):
        assert gross == pytest.approx(np.full(50, 640.0))
    principal_loss = (gross - 100.0) / 0.9  # invert L + 0.1 (1000 − L) = 100 + 0.9 L
    assert ((principal_loss >= 0) & (principal_loss <= 1000.0)).all()
    assert result.losses["guarantor"].to_numpy() == pytest.approx(gross / 2)
    assert result.indicators["guarantor.recoveries"].to_numpy() == pytest.approx(
        (1000.0 - gross) / 2)


def test_recovery_order_names_declared_parties() -> None:
    mapping = scenario_mapping(layers=[{"party": "g", "share_of_loss": 0.5},
                                       {"party": "bank", "residual": True}])
    mapping["arrangement"]["recoveries"] = {"first_to": ["bnak"]}
    with pytest.raises(risksim.InputError,
                       match=r"recoveries\.first_to\[0\]: unknown party 'bnak'.*'bank'"):
        risksim.load_scenario(mapping)


def test_single_borrower_limit_as_a_share_of_net_assets() -> None:
    # Capital 1,000, single-borrower limit 10% of it = 100. Borrower loss 1,000: the
    # guarantor's 50% (500) is cut to 100; the bank keeps 900.
    layers = [{"party": "guarantor", "share_of_loss": 0.5, "capital": 1000.0,
               "per_borrower_cap": {"share_of_capital": 0.10}},
              {"party": "bank", "residual": True}]
    losses, indicators = certain_losses(layers, [segment("one", 1, exposure=1000.0, pd=1.0)])
    assert losses == {"gross": 1000.0, "bank": 900.0, "guarantor": 100.0}
    assert indicators["guarantor.per_borrower_cap_binds"] == 1.0


def test_a_cap_as_a_share_of_capital_needs_capital() -> None:
    layers = [{"party": "guarantor", "share_of_loss": 0.5,
               "per_borrower_cap": {"share_of_capital": 0.10}},
              {"party": "bank", "residual": True}]
    with pytest.raises(risksim.InputError, match="needs the layer's capital"):
        risksim.load_scenario(scenario_mapping(layers=layers))


@pytest.mark.parametrize(("amount", "paid", "top_up"), [
    # Volume 1,900 in year 0, 2,000 in year 1; a loss of 100 in each year.
    # 300: kept in [190, 380] → multiple 6.3 → 60% → 60; 240 left, kept in [200, 400] → 60.
    (300.0, 120.0, 0.0),
    # 150: topped up to 190 (multiple 10 → 70%: 70), 120 left topped up to 200 → 70.
    (150.0, 140.0, 40.0 + 80.0),
    # 1,000: cut to 380 (multiple 5 → 60%: 60), 320 left stays (multiple 6.25) → 60.
    (1000.0, 120.0, 0.0),
])
def test_deposit_resized_every_year(amount: float, paid: float, top_up: float) -> None:
    layers = [{"party": "fiscal", "deposit": {
        "amount": amount, "min_multiple": 5, "max_multiple": 10, "resize": "yearly",
        "split": [{"at_least": 5, "share": 0.6}, {"at_least": 10, "share": 0.7}]}},
        {"party": "bank", "residual": True}]
    segments = [segment("bad_0", 1, exposure=100.0, pd=1.0, tenor_years=2),
                segment("good_0", 18, exposure=100.0, pd=0.0, tenor_years=2),
                segment("bad_1", 1, exposure=100.0, pd=1.0, origination_year=1)]
    result = risksim.simulate(scenario_mapping(segments, layers=layers, horizon={
        "years": 2, "periods_per_year": 1}), n_sims=10, seed=1)
    assert result.losses["fiscal"].to_numpy() == pytest.approx(np.full(10, paid))
    assert result.losses["bank"].to_numpy() == pytest.approx(np.full(10, 200.0 - paid))
    assert result.indicators["fiscal.deposit_top_up"].to_numpy() == pytest.approx(
        np.full(10, top_up))
    assert (result.indicators["fiscal.fund_exhausted"] == 0).all()


def backstop_mapping() -> dict:
    """A guarantor paying 50% out of capital 100, its cut to a central budget that has no
    layer of its own; ten 2-year loans of 100, five lost in year 1 and five in year 2."""
    layers = [{"party": "guarantor", "share_of_loss": 0.5, "capital": 100.0,
               "excess_to": "central_budget"},
              {"party": "bank", "residual": True}]
    segments = [segment("early", 5, exposure=100.0, pd=1.0, lgd=1.0, tenor_years=2),
                segment("late", 5, exposure=100.0, pd=1.0, lgd=1.0, tenor_years=2,
                        origination_year=1)]
    return scenario_mapping(segments, layers=layers, parties=["bank", "guarantor",
                                                              "central_budget"],
                            horizon={"years": 2, "periods_per_year": 1})


def test_a_party_only_named_as_excess_to_is_a_backstop() -> None:
    # Year 1: 5 × 100 lost, the guarantor owes 50% = 250, pays its capital 100, the budget
    # 150. Year 2: 250 more owed, no capital left: the budget pays all 250.
    # Guarantor 100; central budget 150 + 250 = 400; bank 1,000 − 500 = 500.
    result = risksim.simulate(backstop_mapping(), n_sims=20, seed=1)
    assert result.losses.iloc[0].to_dict() == {"gross": 1000.0, "bank": 500.0,
                                                "guarantor": 100.0, "central_budget": 400.0}
    assert (result.losses.nunique() == 1).all()
    assert result.indicators["guarantor.insolvent"].eq(1.0).all()


def test_a_party_with_no_layer_and_no_excess_to_is_refused() -> None:
    mapping = backstop_mapping()
    del mapping["arrangement"]["layers"][0]["excess_to"]
    with pytest.raises(risksim.InputError,
                       match=r"parties\[2\]: party 'central_budget' has no layer and is no "
                             "layer's excess_to"):
        risksim.load_scenario(mapping)


@pytest.mark.parametrize(("limit", "breach"), [(14.0, 0.0), (12.0, 1.0)])
def test_leverage_counts_outstanding_guarantees_only(limit: float, breach: float) -> None:
    # Guarantor: 50% of each loss, capital 100, weight 1, 3-year horizon, 3-year loans of
    # 100. Vintage 0: 2 lost in year 1 (LGD 0.5: loss 100, claims 50 → net assets 50 from
    # the end of year 1) and 8 sound; vintage 1: 5 sound loans granted at t = 1.
    # Liability A_t = 50% × the guarantees outstanding (defaulted and matured ones released):
    #   t = 0: 0.5 × 1,000 = 500 over 100 → 5
    #   t = 1: 0.5 × (800 + 500) = 650 over 50 → 13   (the 2 defaulted loans are released)
    #   t = 2: 650 over 50 → 13
    #   t = 3: vintage 0 matured, 0.5 × 500 = 250 over 50 → 5
    # Without the release A_1 would be 0.5 × 1,500 = 750 → 15, a breach of 14.
    layers = [{"party": "guarantor", "share_of_loss": 0.5, "capital": 100.0,
               "leverage": {"limit": limit}},
              {"party": "bank", "residual": True}]
    segments = [segment("bad", 2, exposure=100.0, pd=1.0, lgd=0.5, tenor_years=3),
                segment("good", 8, exposure=100.0, pd=0.0, tenor_years=3),
                segment("new", 5, exposure=100.0, pd=0.0, tenor_years=3, origination_year=1)]
    mapping = scenario_mapping(segments, layers=layers,
                               horizon={"years": 3, "periods_per_year": 1})
    indicators = risksim.simulate(mapping, n_sims=5, seed=1).indicators
    expected = {"guarantor.max_leverage": 13.0, "guarantor.leverage_year_1": 13.0,
                "guarantor.leverage_year_2": 13.0, "guarantor.leverage_year_3": 5.0,
                "guarantor.leverage_breach": breach, "guarantor.capital_used": 50.0,
                "guarantor.insolvent": 0.0}
    for name, value in expected.items():
        assert np.allclose(indicators[name], value, rtol=1e-12), name


@pytest.mark.parametrize(("basis", "capital", "expected"), [
    # Loss 1,000; the guarantor owes 50% = 500, the re-guarantor takes over 60% of what it
    # pays. Net: a payment p consumes 0.4 p; capital 100 → p = 100 / 0.4 = 250, of which
    # 150 re-guaranteed, 100 kept; bank 1,000 − 250 = 750.
    ("net", 100.0, {"bank": 750.0, "guarantor": 100.0, "reguarantor": 150.0,
                    "capital_used": 100.0, "insolvent": 1.0}),
    # Gross: p = min(500, 100) = 100; re-guarantor 60, guarantor 40; bank 900.
    ("gross", 100.0, {"bank": 900.0, "guarantor": 40.0, "reguarantor": 60.0,
                      "capital_used": 100.0, "insolvent": 1.0}),
    # Net, capital 300: 0.4 × 500 = 200 ≤ 300, all paid: re-guarantor 300, guarantor 200.
    ("net", 300.0, {"bank": 500.0, "guarantor": 200.0, "reguarantor": 300.0,
                    "capital_used": 200.0, "insolvent": 0.0}),
    # Gross, capital 300: p = 300; re-guarantor 180, guarantor 120; bank 700.
    ("gross", 300.0, {"bank": 700.0, "guarantor": 120.0, "reguarantor": 180.0,
                      "capital_used": 300.0, "insolvent": 1.0}),
])
def test_capital_absorbs_the_net_or_the_gross_retention(basis: str, capital: float,
                                                         expected: dict) -> None:
    guarantor = {"party": "guarantor", "share_of_loss": 0.5, "capital": capital}
    if basis == "gross":  # net is the default
        guarantor["capital_basis"] = "gross"
    layers = [guarantor,
              {"party": "reguarantor", "share_of_layer": {"party": "guarantor", "share": 0.6}},
              {"party": "bank", "residual": True}]
    losses, indicators = certain_losses(layers)
    assert losses == {"gross": 1000.0, **{p: expected[p] for p in ("bank", "guarantor",
                                                                    "reguarantor")}}
    assert indicators == {"guarantor.insolvent": expected["insolvent"],
                          "guarantor.capital_used": expected["capital_used"]}


def test_net_capital_needs_a_counter_guarantee_that_reimburses_in_full() -> None:
    layers = [{"party": "guarantor", "share_of_loss": 0.5, "capital": 100.0},
              {"party": "reguarantor", "share_of_layer": {"party": "guarantor", "share": 0.6},
               "annual_budget": 10.0},
              {"party": "bank", "residual": True}]
    with pytest.raises(risksim.InputError, match=re.escape(
            "arrangement.layers[1].annual_budget: 'guarantor''s capital absorbs its net "
            "retention (capital_basis: net), so this counter-guarantee must reimburse in "
            "full: send what annual_budget cuts to another party with excess_to, or give "
            "'guarantor' capital_basis: gross")):
        risksim.load_scenario(scenario_mapping(layers=layers))
    layers[1]["excess_to"] = "bank"  # the cut goes elsewhere: allowed
    risksim.load_scenario(scenario_mapping(layers=layers))


def test_capital_basis_needs_capital() -> None:
    layers = [{"party": "guarantor", "share_of_loss": 0.5, "capital_basis": "gross"},
              {"party": "bank", "residual": True}]
    with pytest.raises(risksim.InputError, match="capital_basis needs the layer's capital"):
        risksim.load_scenario(scenario_mapping(layers=layers))


def test_pricing_lifts_the_capital_basis_with_the_capital() -> None:
    # A fee is priced on claims uncut by capital: capital, leverage and capital_basis go.
    layers = [{"party": "guarantor", "share_of_loss": 0.5, "capital": 100.0,
               "capital_basis": "gross"},
              {"party": "bank", "residual": True}]
    mapping = scenario_mapping([segment("book", 10, exposure=100.0, pd=0.1, lgd=1.0)],
                               layers=layers)
    pricing = risksim.price(mapping, "guarantor", n_sims=500, seed=1)
    assert pricing.table["break_even"].iloc[0] > 0


def test_net_capital_and_leverage_over_two_vintages() -> None:
    # Guarantor 50% of each loss, capital 100, net basis; re-guarantor 60% of its payments.
    # 2-year loans of 100, LGD 1: vintage 0 (t = 0) 2 lost in year 1 and 3 sound; vintage 1
    # (t = 1) 2 lost in year 2 and 3 sound.
    # Year 1: pays 50% × 200 = 100, consumes 0.4 × 100 = 40 → net assets 60.
    # Year 2: pays 100 again, consumes 40 → net assets 20; never insolvent (80 ≤ 100).
    # Kept 0.4 × 200 = 80, re-guarantor 0.6 × 200 = 120, bank 400 − 200 = 200.
    # Leverage, liability 50% of the guarantees outstanding (defaulted, matured released):
    #   t = 0: 0.5 × 500 = 250 over 100 → 2.5
    #   t = 1: 0.5 × (300 + 500) = 400 over 60 → 6.666…
    #   t = 2: vintage 0 matured; 0.5 × 300 = 150 over 20 → 7.5
    layers = [{"party": "guarantor", "share_of_loss": 0.5, "capital": 100.0,
               "leverage": {"limit": 7.0}},
              {"party": "reguarantor", "share_of_layer": {"party": "guarantor", "share": 0.6}},
              {"party": "bank", "residual": True}]
    two_years = {"exposure": 100.0, "tenor_years": 2, "lgd": 1.0}
    segments = [segment("bad_0", 2, pd=1.0, **two_years),
                segment("good_0", 3, pd=0.0, **two_years),
                segment("bad_1", 2, pd=1.0, origination_year=1, **two_years),
                segment("good_1", 3, pd=0.0, origination_year=1, **two_years)]
    mapping = scenario_mapping(segments, layers=layers,
                               horizon={"years": 2, "periods_per_year": 1})
    result = risksim.simulate(mapping, n_sims=10, seed=1)
    assert result.losses.iloc[0].to_dict() == {"gross": 400.0, "bank": 200.0,
                                                "guarantor": 80.0, "reguarantor": 120.0}
    expected = {"guarantor.capital_used": 80.0, "guarantor.insolvent": 0.0,
                "guarantor.leverage_year_1": 400.0 / 60.0, "guarantor.leverage_year_2": 7.5,
                "guarantor.max_leverage": 7.5, "guarantor.leverage_breach": 1.0}
    for name, value in expected.items():
        assert np.allclose(result.indicators[name], value, rtol=1e-12), name


@pytest.mark.parametrize(("excess_to", "bank"), [("bank", 100.0), ("central_budget", 0.0)])
def test_a_cut_sent_to_the_lender_is_outside_the_monotonicity_scope(excess_to: str,
                                                                     bank: float) -> None:
    # Loss 1,000 = volume. The guarantor pays 40% = 400 (20% in the poorer scheme: 200); the
    # re-guarantor takes 50% of that, capped at 10% × 1,000 = 100, its cut to excess_to; the
    # tranche 0-100% takes what is left. Poorer: 200, re-guarantor 100, no cut, tranche
    # 800, bank 0. Richer: 400, re-guarantor wants 200, pays 100, the 100 cut goes to
    # excess_to; tranche 600. Sent to the bank, the bank's loss rises from 0 to 100 with
    # more coverage (outside the stated scope); sent to a central budget, it stays 0.
    def bank_loss(share: float) -> dict[str, float]:
        layers = [{"party": "guarantor", "share_of_loss": share},
                  {"party": "reguarantor",
                   "share_of_layer": {"party": "guarantor", "share": 0.5},
                   "cap_rate": {"rate": 0.1, "per": "horizon"}, "excess_to": excess_to},
                  {"party": "mezz", "tranche": {"attach": 0.0, "detach": 1.0}},
                  {"party": "bank", "residual": True}]
        parties = sorted({"bank", "guarantor", "reguarantor", "mezz", excess_to})
        return certain_losses(layers, parties=parties)[0]

    assert bank_loss(0.2)["bank"] == 0.0
    richer = bank_loss(0.4)
    assert richer["bank"] == bank
    assert richer["guarantor"] == 200.0 and richer["reguarantor"] == 100.0
    assert richer["mezz"] == 600.0
