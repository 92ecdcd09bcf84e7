"""Shares of loss with per-loan caps, the residual, and the invariants of every allocation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import risksim
from risksim.rules import Ledger, LossEvents, Residual, ShareOfLoss
from risksim.rules.limits import PerLoanCap
from tests.builders import scenario_mapping, segment


def test_hand_worked_allocation_to_the_yuan() -> None:
    # Three loans that surely default (PD 1), LGD 0.5: losses 50, 100, 150 yuan.
    # Guarantor 40%, at most 50 per loan: 20 + 40 + min(60, 50) = 110.
    # Provincial fund 20%: 10 + 20 + 30 = 60.  Bank keeps the rest: 300 − 110 − 60 = 130.
    segments = [segment(name, 1, exposure=amount, pd=1.0, lgd=0.5)
                for name, amount in (("a", 100.0), ("b", 200.0), ("c", 300.0))]
    layers = [{"party": "guarantor", "share_of_loss": 0.4, "per_loan_cap": 50.0},
              {"party": "provincial_fund", "share_of_loss": 0.2},
              {"party": "bank", "residual": True}]
    result = risksim.simulate(scenario_mapping(segments, layers=layers), n_sims=10, seed=1)
    assert result.losses.columns.tolist() == ["gross", "bank", "guarantor", "provincial_fund"]
    for _, row in result.losses.iterrows():
        assert row.to_dict() == {"gross": 300.0, "bank": 130.0, "guarantor": 110.0,
                                 "provincial_fund": 60.0}
    assert (result.indicators["guarantor.per_loan_cap_binds"] == 1.0).all()


def test_loans_with_zero_pd_never_lose() -> None:
    result = risksim.simulate(scenario_mapping([segment(count=50, pd=0.0)]), n_sims=500)
    assert (result.losses.to_numpy() == 0).all()


def _events(losses: list[float], sims: list[int], n_sims: int) -> LossEvents:
    n = len(losses)
    return LossEvents(sim=np.array(sims, dtype=np.int64), loan=np.arange(n),
                      period=np.zeros(n, np.int64), year=np.zeros(n, np.int64),
                      loss=np.array(losses), n_sims=n_sims, n_years=1)


def test_ledger_refuses_to_pay_more_than_the_loss() -> None:
    ledger = Ledger(_events([10.0, 20.0], [0, 1], 2), ["a", "b"])
    ledger.pay("a", np.array([6.0, 6.0]))
    with pytest.raises(ArithmeticError):
        ledger.pay("b", np.array([5.0, 0.0]))
    with pytest.raises(ArithmeticError):
        ledger.pay("b", np.array([-1.0, 0.0]))


def test_conservation_check_catches_a_lost_loss() -> None:
    events = _events([10.0], [0], 1)
    ledger = Ledger(events, ["a"])
    ShareOfLoss("a", share=0.5).apply(ledger)  # half the loss is never allocated
    with pytest.raises(ArithmeticError):
        ledger.party_losses(events.per_simulation(events.loss))


shares = st.lists(st.floats(0.0, 0.5), min_size=0, max_size=3).filter(lambda s: sum(s) <= 1)


@settings(max_examples=200, deadline=None, database=None)
@given(losses=st.lists(st.floats(0.0, 1e9), min_size=1, max_size=40),
       share_list=shares, caps=st.lists(st.none() | st.floats(1.0, 1e8), min_size=3,
                                        max_size=3),
       n_sims=st.integers(1, 5), data=st.data())
def test_every_allocation_conserves_and_respects_shares_and_caps(
        losses: list[float], share_list: list[float], caps: list[float | None], n_sims: int,
        data: st.DataObject) -> None:
    sims = data.draw(st.lists(st.integers(0, n_sims - 1), min_size=len(losses),
                              max_size=len(losses)))
    events = _events(losses, sims, n_sims)
    parties = [f"p{i}" for i in range(len(share_list))] + ["lender"]
    ledger = Ledger(events, parties)
    for i, share in enumerate(share_list):
        cap = caps[i]
        limits = (PerLoanCap(cap),) if cap is not None else ()
        ShareOfLoss(f"p{i}", share=share, limits=limits).apply(ledger)
    Residual("lender").apply(ledger)
    gross = events.per_simulation(events.loss)
    party = ledger.party_losses(gross)
    assert np.allclose(party.sum(axis=1), gross, rtol=1e-12, atol=1e-6)
    assert (party >= 0).all()
    for i, share in enumerate(share_list):
        assert (party[:, i] <= share * gross * (1 + 1e-12) + 1e-6).all()
        if caps[i] is not None:
            per_sim_defaults = np.bincount(events.sim, minlength=n_sims)
            assert (party[:, i] <= caps[i] * per_sim_defaults + 1e-6).all()


@settings(max_examples=25, deadline=None, database=None)
@given(pd=st.floats(0.0, 1.0), lgd=st.floats(0.0, 1.0), count=st.integers(1, 40),
       share_list=shares, cap=st.none() | st.floats(0.1, 5.0), seed=st.integers(0, 2**32))
def test_simulated_losses_always_add_up_to_gross(pd: float, lgd: float, count: int,
                                                 share_list: list[float], cap: float | None,
                                                 seed: int) -> None:
    layers = [{"party": f"p{i}", "share_of_loss": s, "per_loan_cap": cap}
              for i, s in enumerate(share_list)] + [{"party": "bank", "residual": True}]
    mapping = scenario_mapping(
        [segment(count=count, pd=pd, lgd=lgd, exposure={"median": 1.0, "p95": 4.0})],
        layers=layers)
    losses = risksim.simulate(mapping, n_sims=300, seed=seed).losses
    parties = losses.drop(columns="gross").to_numpy()
    assert np.allclose(parties.sum(axis=1), losses["gross"], rtol=1e-12, atol=1e-9)
    assert (parties >= 0).all()


def test_more_coverage_never_raises_the_lenders_loss_in_any_simulation() -> None:
    # Common random numbers: the defaults do not depend on the arrangement.
    def bank_losses(share: float) -> np.ndarray:
        layers = [{"party": "guarantor", "share_of_loss": share, "per_loan_cap": 0.5},
                  {"party": "bank", "residual": True}]
        mapping = scenario_mapping([segment(count=300, pd=0.05)], layers=layers)
        return risksim.simulate(mapping, n_sims=4_000, seed=21).losses["bank"].to_numpy()

    less, more = bank_losses(0.3), bank_losses(0.6)
    assert (more <= less).all()
    assert (more < less).any()


def test_higher_pd_raises_expected_gross_loss() -> None:
    # Paired over common seeds; the difference must exceed 4 of its standard errors.
    def gross(pd: float) -> np.ndarray:
        mapping = scenario_mapping([segment(count=2_000, pd=pd)])
        return risksim.simulate(mapping, n_sims=10_000, seed=3).losses["gross"].to_numpy()

    difference = gross(0.03) - gross(0.02)
    assert difference.mean() > 4 * difference.std(ddof=1) / np.sqrt(difference.size)
