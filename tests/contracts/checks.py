"""The contract every scenario meets, one check function each (as ``scipy.stats`` runs every
distribution through common checks). Each raises AssertionError naming what broke.

Each check was shown to fail by breaking the product on purpose; the mutation that turned
each red is named in its docstring.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import risksim
from risksim.compile.plan import SimulationPlan
from risksim.compile.scenario import derive_scenario
from risksim.engine.block import apply_rules, replay_block
from risksim.rules import limits
from risksim.rules.base import Ledger, LossEvents
from risksim.scenario.timeline import TimelineSpec
from risksim.streams import BLOCK_SIZE
from tests.contracts.ledger import every_loss_paid_once, layer_terms, within_terms

RTOL = 1e-9
"""Rounding allowed between two sums of the same money (relative to the larger amount)."""


N_REPLAYED, SEED_REPLAYED = 1_000, 3
"""The simulations whose events and ledger the ledger checks read (one block)."""


@dataclass(frozen=True)
class Replayed:
    """A scenario, its plan, and the events and ledger of its first block."""

    scenario: risksim.Scenario
    plan: SimulationPlan
    events: LossEvents
    ledger: Ledger

    @classmethod
    def of(cls, scenario: risksim.Scenario) -> Replayed:
        """The first block of ``scenario`` replayed event by event."""
        plan = scenario.plan
        return cls(scenario, plan, *replay_block(plan, SEED_REPLAYED, N_REPLAYED, 0))


def every_loss_paid_exactly_once(replayed: Replayed) -> None:
    """Straight from the ledger's per-event payments (not through the check that
    ``Ledger.party_losses`` makes before it returns): in every event, and so in every
    simulation, the parties' payments add up to the loss, none is negative, none is left.

    Caught: ``Ledger.pay_rest`` paying 99% of what is left (the residual layer).
    """
    assert set(replayed.ledger.paid) == set(replayed.plan.parties)
    every_loss_paid_once(replayed.ledger)


def tightened(limit: limits.Limit, factor: float) -> limits.Limit:
    """``limit`` with every amount it allows multiplied by ``factor`` (a deposit: its balance,
    and the lending multiples and tiers with it, so that the same tiers apply)."""
    if isinstance(limit, limits.PerLoanCap | limits.PerBorrowerCap):
        return dataclasses.replace(limit, cap=factor * limit.cap)
    if isinstance(limit, limits.PeriodCap):
        return dataclasses.replace(limit, amount=factor * limit.amount)
    if isinstance(limit, limits.GroupCap):
        return dataclasses.replace(limit, amount_by_group=factor * limit.amount_by_group)
    if isinstance(limit, limits.FundBalance):
        return dataclasses.replace(limit, initial=factor * limit.initial,
                                   refill_per_year=factor * limit.refill_per_year)
    if isinstance(limit, limits.DepositBalance):
        return dataclasses.replace(limit, initial=factor * limit.initial,
                                   min_multiple=limit.min_multiple / factor,
                                   max_multiple=limit.max_multiple / factor,
                                   tier_from=limit.tier_from / factor)
    assert isinstance(limit, limits.Capital)
    return dataclasses.replace(limit, capital=factor * limit.capital)


def no_layer_pays_beyond_its_terms(replayed: Replayed) -> None:
    """Per-loan and per-borrower caps, annual budgets and cap rates, funds, deposits and
    capital, each on the totals it bounds (what the layer paid, from the ledger), in every
    simulation as the scenario states them. Most terms are not reached in 1,000
    simulations, which would leave their check idle: so each term in turn is also tightened
    to half the largest total it let through (the rest as stated, on the same events), must
    then be reached, and every bound must still hold.

    Caught: a per-loan cap, per-borrower cap, annual budget or cap rate, fund, deposit or
    capital disabled (each on the scenarios that have one).
    """
    plan, events, ledger = replayed.plan, replayed.events, replayed.ledger
    within_terms(plan, ledger)
    let_through: dict[str, float] = {}
    for term, totals, bound in layer_terms(plan, ledger):
        let_through.setdefault(term, float((totals / np.maximum(bound, 1e-300)).max()))
    for r, rule in enumerate(plan.rules):
        for k, limit in enumerate(getattr(rule, "limits", ())):
            term = f"{rule.name}: {type(limit).__name__}"
            if not let_through.get(term):
                continue  # claim denial, suspension; or a term of a layer that paid nothing
            terms = list(rule.limits)
            terms[k] = tightened(limit, 0.5 * let_through[term])
            rules = list(plan.rules)
            rules[r] = dataclasses.replace(rule, limits=tuple(terms))
            variant = dataclasses.replace(plan, rules=tuple(rules))
            reached = within_terms(variant, apply_rules(variant, events))
            assert reached[term], f"{term} tightened to half its largest total: not reached"


def simulation_is_its_ledger(replayed: Replayed) -> None:
    """``simulate`` on the same draws gives the ledger's totals: the gross loss is the
    events' in every simulation (and above 0 on average) and each party's loss what the
    ledger says it paid; fees and probabilities are never negative, VaR is at most ES.

    Caught: the vectorised allocation handing the first party the lender's loss and back.
    """
    result = risksim.simulate(replayed.scenario, n_sims=N_REPLAYED, seed=SEED_REPLAYED)
    losses, events = result.losses, replayed.events
    assert np.array_equal(losses["gross"].to_numpy(), events.per_simulation(events.loss))
    for party, paid in replayed.ledger.paid.items():
        assert np.allclose(losses[party], events.per_simulation(paid), rtol=RTOL, atol=1e-3)
    assert losses["gross"].mean() > 0
    assert (result.fees.to_numpy() >= 0).all()
    assert (result.probabilities()["probability"] >= 0).all()
    summary = result.summary()
    assert (summary["VaR_0.99"] <= summary["ES_0.99"] + 1e-9).all()


def serial_equals_process(scenario: risksim.Scenario) -> None:
    """Serial and two worker processes give the same losses, indicators and fees, bit for
    bit (two whole blocks and part of a third).

    Caught: the process backend's workers drawing block b + 1's stream for block b.
    """
    n = 2 * BLOCK_SIZE + 37
    serial = risksim.simulate(scenario, n_sims=n, seed=11)
    process = risksim.simulate(scenario, n_sims=n, seed=11, backend="process", workers=2)
    for table in ("losses", "indicators", "fees"):
        assert np.array_equal(getattr(serial, table).to_numpy(),
                              getattr(process, table).to_numpy(), equal_nan=True), table


def save_and_load(scenario: risksim.Scenario, folder: Path) -> None:
    """A saved result reads back with the same losses, indicators, fees and summary.

    Caught: ``losses.csv`` written with ``float_format="%.12g"`` (with Parquet unused).
    """
    result = risksim.simulate(scenario, n_sims=600, seed=5)
    result.save(folder)
    back = risksim.load_result(folder)
    for table in ("losses", "indicators", "fees"):
        saved, read = getattr(result, table), getattr(back, table)
        if saved.columns.empty:  # nothing of that kind: nothing written, nothing read
            assert read.columns.empty, table
            continue
        pd.testing.assert_frame_equal(read, saved, check_exact=True)
    pd.testing.assert_frame_equal(back.summary(), result.summary(), check_exact=True)


def streaming_within_its_error(scenario: risksim.Scenario) -> None:
    """A streaming run's summary is the full run's within the error it states: EL exactly
    (exact power sums, to rounding), VaR and ES within their grid error ``*_grid``.

    Caught: EL from the power sums divided by n + 1. (At 3,000 simulations the exact top
    tail holds every loss, so VaR and ES are exact here; the histogram's part is checked
    in tests/engine/test_streaming.py, on runs longer than the tail.)
    """
    n = 3_000
    full = risksim.simulate(scenario, n_sims=n, seed=9).summary()
    streamed = risksim.simulate(scenario, n_sims=n, seed=9, streaming=True).summary()
    scale = max(float(full["ES_0.999"].abs().max()), 1.0) if "ES_0.999" in full else 1.0
    for party in full.index:
        assert streamed.loc[party, "EL"] == pytest.approx(full.loc[party, "EL"], rel=RTOL,
                                                          abs=RTOL * scale), party
        for level in scenario.spec.simulation.levels:
            for measure in ("VaR", "ES"):
                key = f"{measure}_{level:g}"
                gap = abs(streamed.loc[party, key] - full.loc[party, key])
                assert gap <= streamed.loc[party, f"{key}_grid"] + RTOL * scale, (party, key)


IMMEDIATE = TimelineSpec.model_validate({
    "claim_after_days": 0, "npl_after_days": 0, "payment_lag_days": 0,
    "workout_lag": {"fixed": 0.0}})
"""No lags at all (and unlimited cash: no party states any)."""


def timeline_totals_are_the_allocation(scenario: risksim.Scenario) -> None:
    """With no lags and unlimited cash, each party's dated loss flows add up to its
    allocated loss in every simulation, every claim is paid on its default date, and each
    fee is received and paid as the engine says.

    Caught: the timeline leaving recoveries out of each party's loss flows.
    """
    spec = scenario.spec.model_copy(update={"timeline": IMMEDIATE})
    result = risksim.simulate(dataclasses.replace(scenario, spec=spec), n_sims=300, seed=4,
                              timeline=True)
    assert result.timeline is not None
    parties = list(result.parties)

    def flows(column: str) -> np.ndarray:
        assert result.timeline is not None
        return result.timeline.parties[column].unstack("party")[parties].to_numpy()

    allocated = result.losses[parties].to_numpy()
    scale = max(float(result.losses["gross"].max()), 1.0)
    np.testing.assert_allclose(-flows("loss_flows"), allocated, rtol=RTOL, atol=RTOL * scale)
    assert (flows("unpaid_at_end") == 0).all()
    assert np.nan_to_num(flows("mean_days_to_payment")).max() < 1e-9
    expected = np.zeros_like(allocated)
    for fee in scenario.plan.fees:
        amount = result.fees[fee.name].to_numpy()
        for name, sign in ((fee.payee, 1.0), (fee.payer, -1.0)):
            if name in parties:
                expected[:, parties.index(name)] += sign * amount
    np.testing.assert_allclose(flows("fee_flows"), expected, rtol=RTOL, atol=1e-6)


def more_coverage(scenario: risksim.Scenario) -> tuple[risksim.Scenario, str] | None:
    """The scenario with the share of loss of its first plain-share layer raised by up to
    10 points (staying inside the room the other shares leave), and that layer's party;
    None when it has no such layer or no room."""
    layers = scenario.spec.arrangement.layers
    plain = [i for i, layer in enumerate(layers)
             if isinstance(layer.share_of_loss, float) and layer.deposit is None]
    if not plain:
        return None
    taken = sum(float(layer.share_of_loss) for layer in layers
                if isinstance(layer.share_of_loss, float))
    raise_by = min(0.1, (1.0 - taken) / 2)
    if raise_by < 1e-6:
        return None
    data: dict[str, Any] = scenario.spec.model_dump(exclude_unset=True)
    chosen = data["arrangement"]["layers"][plain[0]]
    chosen["share_of_loss"] = round(chosen["share_of_loss"] + raise_by, 12)
    return (derive_scenario(scenario, data, f"{scenario.source} with more coverage"),
            layers[plain[0]].party)


def more_coverage_never_raises_the_lenders_loss(scenario: risksim.Scenario) -> None:
    """Raising a layer's share of loss never raises the lender's (the residual party's)
    loss in any simulation, on common random numbers.

    Caught: the share rule paying min(share, 1 − share) of each loss.
    """
    found = more_coverage(scenario)
    if found is None:
        pytest.skip("no layer with a plain share of loss and room to raise it")
    covered, _ = found
    lender = scenario.spec.arrangement.layers[-1].party
    before = risksim.simulate(scenario, n_sims=2_000, seed=13).losses
    after = risksim.simulate(covered, n_sims=2_000, seed=13).losses
    slack = RTOL * np.maximum(before["gross"].to_numpy(), 1.0)
    rise = after[lender].to_numpy() - before[lender].to_numpy()
    worst = int(np.argmax(rise))
    assert (rise <= slack).all(), (f"{lender} loses {rise[worst]:.6g} more in simulation "
                                   f"{worst} with more coverage")


def higher_pd_never_lowers_expected_gross_loss(scenario: risksim.Scenario) -> None:
    """A PD multiplied by up to 1.5 (every PD staying at most 1) never lowers the expected
    gross loss: on common random numbers the paired difference of means is above −4 of
    its standard errors (it is in distribution, not simulation by simulation, that a
    higher PD means more defaults).

    Caught: the stress's PD multiplier applied as a divisor.
    """
    current = scenario.spec.defaults.stress.pd_multiplier
    highest = float(np.max(scenario.portfolio.columns["pd"])) * current
    factor = min(1.5, 1.0 / highest) if highest > 0 else 1.5
    if factor < 1.01:
        pytest.skip("a PD is already 1: no higher PD")
    data: dict[str, Any] = scenario.spec.model_dump(exclude_unset=True)
    data.setdefault("defaults", {}).setdefault("stress", {})["pd_multiplier"] = (
        current * factor)
    riskier = derive_scenario(scenario, data, f"{scenario.source} with PD x{factor:.3g}")
    n = 2_000
    before = risksim.simulate(scenario, n_sims=n, seed=17).losses["gross"].to_numpy()
    after = risksim.simulate(riskier, n_sims=n, seed=17).losses["gross"].to_numpy()
    difference = after - before
    se = difference.std(ddof=1) / np.sqrt(n)
    assert difference.mean() >= -4 * se, (difference.mean(), se)
