"""Cash is conserved over random schemes: what one party pays another receives, every flow
is either paid or still owed at the end, and nothing is created or lost."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import risksim
from risksim.engine.block import allocate, replay
from risksim.streams import block_generator
from risksim.timeline.amounts import event_amounts
from risksim.timeline.dates import draw_dates
from risksim.timeline.model import CASH_RTOL, settle_block
from risksim.timeline.obligations import Kind, block_obligations
from risksim.timeline.outputs import LOSS_KINDS, PER_PARTY, summarise
from risksim.timeline.settings import compile_timeline
from tests.builders import scenario_mapping, segment

N_SIMS = 40
PARTIES = ["bank", "guarantor", "reguarantor", "nfgf", "pool"]


@st.composite
def schemes(draw: st.DrawFn) -> dict[str, Any]:
    """A guarantor, a re-guarantor (counter-guarantor or own share), the NFGF backing one
    of them (a chain of two counter-guarantees, or one), a pool with a fund, recoveries
    shared or not, random lags, schedules and starting cash."""
    guarantor = draw(st.sampled_from([0.3, 0.5, 0.8]))
    layers: list[dict[str, Any]] = [{"party": "guarantor", "share_of_loss": guarantor}]
    if draw(st.booleans()):
        layers.append({"party": "reguarantor",
                       "share_of_layer": {"party": "guarantor",
                                          "share": draw(st.sampled_from([0.25, 0.5]))}})
    else:
        layers.append({"party": "reguarantor", "share_of_loss": 0.1})
    layers.append({"party": "nfgf", "share_of_layer": {
        "party": draw(st.sampled_from(["guarantor", "reguarantor"])), "share": 0.4}})
    layers.append({"party": "pool", "share_of_loss": 0.1,
                   "fund": {"balance": draw(st.sampled_from([0.0, 1.0, 5.0])),
                            "refill_per_year": draw(st.sampled_from([0.0, 2.0]))}})
    layers.append({"party": "bank", "residual": True})
    mapping = scenario_mapping(
        [segment("a", 60, pd=0.15, lgd={"beta": {"mean": 0.5, "sd": 0.2}}, tenor_years=2,
                 collateral={"type": "none", "value_to_exposure": 0.0}),
         segment("b", 20, pd=0.3, exposure=2.0, lgd=0.7, tenor_years=1,
                 collateral={"type": "property", "value_to_exposure": 0.3})],
        layers=layers, parties=PARTIES, horizon={"years": 2, "periods_per_year": 2},
        seed=draw(st.integers(0, 1000)))
    if draw(st.booleans()):
        mapping["arrangement"]["recoveries"] = {"first_to": []}
    mapping["arrangement"]["fees"] = [
        {"name": "fee", "payer": "borrower", "payee": "guarantor", "annual_rate": 0.02},
        {"name": "refee", "payer": "guarantor", "payee": "reguarantor", "annual_rate": 0.01,
         "base": "loan"}]
    lags = st.integers(0, 200)
    cash = st.one_of(st.none(), st.sampled_from([0.0, 0.5, 3.0]))
    mapping["timeline"] = {
        "claim_after_days": draw(lags), "npl_after_days": draw(lags),
        "payments_per_year": draw(st.sampled_from([2, 4, 12])),
        "workout_lag": draw(st.sampled_from([{"fixed": 0.5}, {"uniform": [0.0, 2.0]},
                                             {"gamma": {"mean": 1.0, "sd": 0.7}}])),
        "parties": {name: {"payment_lag_days": draw(lags),
                           "settles": draw(st.sampled_from(
                               ["immediately", "monthly", "quarterly", "yearly"])),
                           "starting_cash": draw(cash)} for name in PARTIES}}
    return mapping


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemes())
def test_cash_is_conserved(mapping: dict[str, Any]) -> None:
    scenario = risksim.load_scenario(mapping)
    plan, timeline = scenario.plan, compile_timeline(scenario)
    rng = block_generator(3, 0)
    events, ledger = replay(plan, rng, N_SIMS)
    columns = allocate(plan, events)
    dates = draw_dates(timeline, events, rng)
    amounts = event_amounts(timeline, plan, events, ledger)
    obligations = block_obligations(timeline, plan, events, ledger, dates, amounts)
    settled = settle_block(timeline, obligations, amounts.paths, N_SIMS)
    n = len(PARTIES)
    accounts = n + 2  # the parties, the borrowers, the sponsor

    def per_account(mask: np.ndarray) -> np.ndarray:
        """Σ received − Σ paid per (simulation, account) over the flows in ``mask``."""
        out = np.zeros((N_SIMS, accounts))
        np.add.at(out, (settled.sim[mask], settled.payee[mask]), settled.amount[mask])
        np.subtract.at(out, (settled.sim[mask], settled.payer[mask]), settled.amount[mask])
        return out

    paid = ~np.isnan(settled.paid)
    # what one account pays another receives: paid flows net to zero in every simulation
    assert np.allclose(per_account(paid).sum(axis=1), 0.0, atol=1e-9)
    # the loss flows, paid or still owed, settle exactly the gross losses; party by party
    # they are the allocation wherever nothing is left owing (a reimbursement falls due only
    # once the payment it backs is made: behind a claim still queued it is not owed yet)
    loss = np.isin(settled.kind, LOSS_KINDS)
    owed = per_account(loss)[:, :n]
    np.testing.assert_allclose(-owed.sum(axis=1), columns[:, 0], rtol=1e-9, atol=1e-9)
    settled_all = np.bincount(settled.sim[~paid], minlength=N_SIMS) == 0
    np.testing.assert_allclose(-owed[settled_all], columns[settled_all, 1:n + 1], rtol=1e-9,
                               atol=1e-9)
    # ... and every fee the engine counts
    fees = per_account(settled.kind == Kind.FEE)
    np.testing.assert_allclose(fees[:, n], -columns[:, n + 1 + len(plan.indicators)],
                               rtol=1e-9, atol=1e-9)
    # a party with limited cash never pays beyond it (the lender's principal shortfall
    # aside), and each party's final cash is its starting cash plus its paid flows
    block = summarise(timeline, events, dates, amounts, obligations, settled)
    start = np.where(np.isfinite(timeline.starting_cash), timeline.starting_cash, 0.0)
    np.testing.assert_allclose(block.cash[:, :, -1], start + per_account(paid)[:, :n],
                               atol=1e-9)
    limited = np.isfinite(timeline.starting_cash)
    limited[timeline.lender] = False
    lowest = block.per_party[:, limited, PER_PARTY.index("min_cash")]
    assert (lowest >= -CASH_RTOL * np.maximum(timeline.starting_cash[limited], 1.0)).all()
    # what is still owed is what waits in queues, and only parties with limited cash owe
    unpaid = block.per_party[:, :, PER_PARTY.index("unpaid_at_end")]
    assert (unpaid[:, ~np.isfinite(timeline.starting_cash)] == 0).all()
    assert np.allclose(unpaid.sum(), settled.amount[~paid].sum())
