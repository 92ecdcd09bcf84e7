"""Random arrangements over random portfolios: conservation in every simulation, no cap or
budget exceeded, and more coverage never raises the lender's loss where the guarantor's
capital does not bind (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st

import risksim
from risksim.compile.plan import SimulationPlan
from risksim.engine.block import replay_block
from risksim.rules.base import Ledger
from tests.builders import scenario_mapping, segment
from tests.contracts.ledger import ROUNDING, every_loss_paid_once, within_terms

N_SIMS = 200


@st.composite
def arrangements(draw: st.DrawFn) -> tuple[list[dict], dict]:
    """A guarantor with random terms, an optional counter-guarantor and pool, the bank last.

    The guarantor has at least one of a per-loan cap, an annual budget and capital, each
    drawn where the books below reach it in a good share of the examples (so that its check
    is not idle): a loan is about one unit, its loss at most that.
    """
    share = draw(st.floats(0.05, 0.6))
    guarantor: dict = {"party": "guarantor", "share_of_loss": share}
    terms = draw(st.sets(st.sampled_from(["per_loan_cap", "annual_budget", "capital"]),
                         min_size=1))
    limits = {}
    if "per_loan_cap" in terms:
        guarantor["per_loan_cap"] = limits["per_loan_cap"] = draw(st.floats(0.01, 0.5))
    if "annual_budget" in terms:
        guarantor["annual_budget"] = limits["annual_budget"] = draw(st.floats(0.05, 2.0))
    if "capital" in terms:
        guarantor["capital"] = limits["capital"] = draw(st.floats(0.05, 3.0))
    if draw(st.booleans()):
        guarantor["suspend_if"] = {
            "metric": draw(st.sampled_from(["loss_rate", "npl_ratio", "default_rate"])),
            "above": draw(st.floats(0.01, 0.2)),
            "per": draw(st.sampled_from(["scheme", "lender"])),
            "action": draw(st.sampled_from(["suspend_compensation", "suspend_lending"]))}
    guarantor["base"] = draw(st.sampled_from(["loss", "principal_loss"]))
    if guarantor["base"] == "loss" and draw(st.booleans()):
        guarantor["interest_days_cap"] = draw(st.floats(10.0, 120.0))
    layers = [guarantor]
    if draw(st.booleans()):
        reguarantor = {"party": "reguarantor", "share_of_layer": {
            "party": "guarantor", "share": draw(st.floats(0.1, 0.9))}}
        # on the net basis (the default) the guarantor's capital counts the re-guarantee as
        # reimbursed in full, so a cap on it must cut to another party (a central budget
        # with no layer of its own); on the gross basis the cut may fall back on the
        # guarantor
        basis = draw(st.sampled_from(["net", "gross"])) if "capital" in terms else "gross"
        if basis == "gross" or draw(st.booleans()):
            reguarantor |= {
                "cap_rate": {"rate": draw(st.floats(0.001, 0.1)), "per": "year"},
                "excess_to": "guarantor" if basis == "gross" else "central_budget"}
        if "capital" in terms:
            guarantor["capital_basis"] = limits["capital_basis"] = basis
        layers.append(reguarantor)
    if draw(st.booleans()):
        layers.append({"party": "pool", "share_of_loss": draw(st.floats(0.0, 1.0 - share)),
                       "fund": {"balance": draw(st.floats(0.0, 10.0))},
                       "cap_rate": {"rate": draw(st.floats(0.001, 0.2)), "per": "lender"}})
    if draw(st.booleans()):
        # a tranche after the shares: of the portfolio loss, or of what they left (the
        # issue 13.6 counterexample: a capital-limited share followed by such a tranche)
        attach = draw(st.floats(0.0, 0.3))
        kind = draw(st.sampled_from(["tranche", "tranche_of_remaining"]))
        layers.append({"party": "mezz",
                       kind: {"attach": attach, "detach": attach + draw(st.floats(0.01, 0.5))}})
    layers.append({"party": "bank", "residual": True})
    if draw(st.booleans()):
        # priority orders with every kind of term: tests/rules/test_recoveries.py
        aggregate = {"annual_budget", "capital", "suspend_if"} & guarantor.keys()
        proportional = not aggregate and len(layers) == 2
        orders = [[], ["guarantor"]] if proportional else [[]]
        limits["recoveries"] = {"first_to": draw(st.sampled_from(orders))}
    return layers, limits


book = st.builds(lambda n, pd, lgd, tenor, rate: [segment(
    "book", n, exposure={"median": 1.0, "p95": 3.0}, pd=pd, lgd=lgd, tenor_years=tenor,
    interest_rate=rate, lender={"a": 0.5, "b": 0.5}, origination_year={0: 0.6, 1: 0.4})],
                 st.integers(1, 60), st.floats(0.0, 0.5), st.floats(0.0, 1.0),
                 st.sampled_from([1, 2]), st.floats(0.0, 0.2))


def parties_of(layers: list[dict]) -> list[str]:
    """Every party a layer names, as its payer or as its ``excess_to`` (a backstop)."""
    return sorted({layer["party"] for layer in layers}
                  | {layer["excess_to"] for layer in layers if "excess_to" in layer})


def simulate(segments: list[dict], layers: list[dict], seed: int,
             recoveries: dict | None = None) -> risksim.Result:
    mapping = scenario_mapping(segments, layers=layers, parties=parties_of(layers),
                               horizon={"years": 2, "periods_per_year": 2})
    mapping["portfolio"]["accrued_interest_days"] = 150.0  # interest is part of the loss
    if recoveries is not None:
        mapping["arrangement"]["recoveries"] = recoveries
    return risksim.simulate(mapping, n_sims=N_SIMS, seed=seed)


def replayed(segments: list[dict], layers: list[dict], seed: int,
             recoveries: dict | None = None) -> tuple[SimulationPlan, Ledger]:
    """The plan of :func:`simulate`'s scenario and the ledger of its (only) block: the
    same draws, event by event, with what each layer paid."""
    mapping = scenario_mapping(segments, layers=layers, parties=parties_of(layers),
                               horizon={"years": 2, "periods_per_year": 2})
    mapping["portfolio"]["accrued_interest_days"] = 150.0
    if recoveries is not None:
        mapping["arrangement"]["recoveries"] = recoveries
    plan = risksim.load_scenario(mapping).plan
    return plan, replay_block(plan, seed, N_SIMS, 0)[1]


@settings(max_examples=40, deadline=None, database=None)
@given(segments=book, drawn=arrangements(), seed=st.integers(0, 2**31))
def test_conservation_and_limits(segments: list[dict], drawn: tuple[list[dict], dict],
                                 seed: int) -> None:
    layers, limits = drawn
    result = simulate(segments, layers, seed, limits.get("recoveries"))
    losses = result.losses
    parties = losses.drop(columns="gross")
    assert np.allclose(parties.sum(axis=1), losses["gross"], rtol=1e-9, atol=1e-9)
    assert (parties.to_numpy() >= -1e-12).all()
    plan, ledger = replayed(segments, layers, seed, limits.get("recoveries"))
    every_loss_paid_once(ledger)
    # The guarantor's terms as drawn, on what its layer paid (ledger.layer_paid): what it
    # bears in the end can differ (a counter-guarantor takes part of it over, recoveries are
    # shared after), its layer's payments cannot. Events are per loan: a loan defaults once.
    events, paid = ledger.events, ledger.layer_paid["guarantor"]
    event(f"guarantor terms: {sorted(set(limits) - {'recoveries', 'capital_basis'}) or 'none'}")
    if "per_loan_cap" in limits:
        assert (paid <= limits["per_loan_cap"] * (1 + ROUNDING)).all()
    if "annual_budget" in limits:
        per_year = events.per_simulation_year(paid)
        assert (per_year <= limits["annual_budget"] * (1 + ROUNDING)).all()
    if "capital" in limits:
        # what the guarantor keeps (net of the re-guarantee on the net basis) is within its
        # capital
        kept = paid - (ledger.transfers.get(("guarantor", "reguarantor"), 0.0)
                       + ledger.transfers.get(("guarantor", "central_budget"), 0.0)
                       if limits.get("capital_basis") == "net" else 0.0)
        assert (events.per_simulation(kept) <= limits["capital"] * (1 + ROUNDING)).all()
    # and every layer's terms as compiled (the pool's fund and cap per lender, the
    # counter-guarantor's yearly cap rate too)
    for term, reached in within_terms(plan, ledger).items():
        event(f"{term} {'reached' if reached else 'not reached'}")


@settings(max_examples=40, deadline=None, database=None)
@given(segments=book, drawn=arrangements(), seed=st.integers(0, 2**31),
       extra=st.floats(0.0, 0.3))
def test_more_coverage_never_raises_the_lenders_loss(segments: list[dict],
                                                     drawn: tuple[list[dict], dict],
                                                     seed: int, extra: float) -> None:
    # The invariant as stated in risksim.scenario.arrangement: a larger share of the
    # guarantor's layer never raises the lender's loss in a simulation where the guarantor's
    # capital does not bind under the larger share (no capital: in every simulation).
    layers, limits = drawn
    recoveries = limits.get("recoveries")
    richer = [dict(layer) for layer in layers]
    pool_share = sum(layer.get("share_of_loss", 0.0) for layer in richer[1:-1])
    richer[0]["share_of_loss"] = min(1.0 - pool_share, richer[0]["share_of_loss"] + extra)
    lender = simulate(segments, layers, seed, recoveries).losses["bank"].to_numpy()
    result = simulate(segments, richer, seed, recoveries)
    covered = result.losses["bank"].to_numpy()
    solvent = (result.indicators["guarantor.insolvent"].to_numpy() == 0.0
               if "capital" in limits else np.ones(covered.size, bool))
    event(f"capital binds in {'no' if solvent.all() else 'some'} simulations")
    assert (covered[solvent] <= lender[solvent] + 1e-9 * np.maximum(lender[solvent], 1.0)).all()
