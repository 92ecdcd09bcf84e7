"""Contract tests run on every shipped scenario file (and the embedded default): each loads,
simulates, conserves every loss, keeps every party within its terms, and says its sources."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

import risksim
from risksim.compile.plan import SimulationPlan
from risksim.engine.block import apply_rules, replay_block
from risksim.rules import limits
from risksim.rules.base import Ledger, LossEvents
from risksim.scenario.json_schema import SCHEMA_FILE
from tests.builders import ROOT

FILES = sorted(ROOT.glob("scenarios/*.yaml"))
REQUIRED_SCHEMES = {"bank_alone_baseline", "wangcheng_patent_loan", "china_nfgf_2242",
                    "risk_pool_annual_cap_trigger", "sba_7a", "eif_capped_50_20",
                    "japan_cgc_80", "npl_tolerance_3pp"}


def test_the_real_schemes_are_shipped() -> None:
    assert {path.stem for path in FILES} >= REQUIRED_SCHEMES


N_SIMS, SEED = 1_000, 3
"""One block of simulations of every scenario."""
ROUNDING = 1e-9
"""Relative slack of every check: the rounding of sums, nothing more."""


@dataclass(frozen=True)
class Replayed:
    """A shipped scenario (None: the embedded default), its plan, and the events and ledger
    of its first (only) block."""

    path: Path | None
    plan: SimulationPlan
    events: LossEvents
    ledger: Ledger


@pytest.fixture(scope="module", params=[*FILES, None],
                ids=[p.stem for p in FILES] + ["default"])
def shipped(request: pytest.FixtureRequest) -> Replayed:
    # module-scoped and parametrized: pytest runs every test of one scenario, then drops its
    # events and ledger before the next (one scenario's at a time in memory)
    plan = risksim.load_scenario(request.param).plan
    return Replayed(request.param, plan, *replay_block(plan, SEED, N_SIMS, 0))


def layer_terms(plan: SimulationPlan,
                ledger: Ledger) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """For each limit of each paying layer: its name, the layer's payments as the limit
    totals them (read from ``ledger.layer_paid``, what the layer paid per event) and the
    most the limit allows of each total. Claim denial and suspension zero some claims
    rather than bound a total, so they have none."""
    events = ledger.events
    for rule in plan.rules:
        if not isinstance(getattr(rule, "limits", None), tuple):
            continue
        paid = ledger.layer_paid[rule.name]
        for limit in rule.limits:
            term = f"{rule.name}: {type(limit).__name__}"
            if isinstance(limit, limits.PerLoanCap):  # a loan defaults at most once
                yield term, paid, np.full(paid.size, limit.cap)
            elif isinstance(limit, limits.PerBorrowerCap):
                key = events.sim * (int(limit.borrower.max()) + 1) + limit.borrower[events.loan]
                totals = np.bincount(np.unique(key, return_inverse=True)[1], weights=paid)
                yield term, totals, np.full(totals.size, limit.cap)
            elif isinstance(limit, limits.PeriodCap):
                totals = (events.per_simulation_year(paid) if limit.per == "year"
                          else events.per_simulation(paid))
                yield term, totals.ravel(), np.full(totals.size, limit.amount)
            elif isinstance(limit, limits.GroupCap):
                n_groups = limit.amount_by_group.size
                totals = np.bincount(events.sim * n_groups + limit.group[events.loan], paid,
                                     events.n_sims * n_groups)
                yield term, totals, np.tile(limit.amount_by_group, events.n_sims)
            elif isinstance(limit, limits.FundBalance):
                # paid up to the end of year y <= initial + y refills (balance never < 0)
                paid_so_far = np.cumsum(events.per_simulation_year(paid), axis=1)
                refills = limit.refill_per_year * np.arange(events.n_years)
                yield term, paid_so_far.ravel(), np.tile(limit.initial + refills, events.n_sims)
            elif isinstance(limit, limits.DepositBalance):
                # over the horizon: at most the deposit and its top-ups; in year y at most the
                # largest deposit allowed, V_y / min_multiple
                top_up = ledger.indicators[f"{rule.name}.deposit_top_up"]
                yield term, events.per_simulation(paid), limit.initial + top_up
                yearly = limit.volume_by_year / limit.min_multiple
                yield (f"{term} (yearly)", events.per_simulation_year(paid).ravel(),
                       np.tile(yearly, events.n_sims))
            elif isinstance(limit, limits.Capital):
                yield term, events.per_simulation(paid), np.full(events.n_sims, limit.capital)
            else:
                assert isinstance(limit, limits.ClaimDenial | limits.Suspension), term


def test_every_loss_is_paid_by_someone_exactly_once(shipped: Replayed) -> None:
    # Straight from the ledger's per-event payments (not through the check that
    # Ledger.party_losses makes before it returns): in every event, and so in every
    # simulation, the parties' payments add up to the loss, none is negative, none is left.
    plan, events, ledger = shipped.plan, shipped.events, shipped.ledger
    assert set(ledger.paid) == set(plan.parties)
    paid = np.column_stack(list(ledger.paid.values()))
    slack = ROUNDING * np.maximum(events.loss, 1.0)
    assert (paid >= -slack[:, None]).all()
    assert (np.abs(paid.sum(axis=1) - events.loss) <= slack).all()
    assert (np.abs(ledger.unallocated) <= slack).all()
    per_simulation = np.column_stack([events.per_simulation(v) for v in ledger.paid.values()])
    gross = events.per_simulation(events.loss)
    assert gross.mean() > 0
    assert (np.abs(per_simulation.sum(axis=1) - gross)
            <= ROUNDING * np.maximum(gross, 1.0)).all()


def tightened(limit: limits.Limit, factor: float) -> limits.Limit:
    """``limit`` with every amount it allows multiplied by ``factor`` (a deposit: its balance,
    and the lending multiples and tiers with it, so that the same tiers apply)."""
    if isinstance(limit, limits.PerLoanCap | limits.PerBorrowerCap):
        return replace(limit, cap=factor * limit.cap)
    if isinstance(limit, limits.PeriodCap):
        return replace(limit, amount=factor * limit.amount)
    if isinstance(limit, limits.GroupCap):
        return replace(limit, amount_by_group=factor * limit.amount_by_group)
    if isinstance(limit, limits.FundBalance):
        return replace(limit, initial=factor * limit.initial,
                       refill_per_year=factor * limit.refill_per_year)
    if isinstance(limit, limits.DepositBalance):
        return replace(limit, initial=factor * limit.initial,
                       min_multiple=limit.min_multiple / factor,
                       max_multiple=limit.max_multiple / factor,
                       tier_from=limit.tier_from / factor)
    assert isinstance(limit, limits.Capital)
    return replace(limit, capital=factor * limit.capital)


def within_terms(plan: SimulationPlan, ledger: Ledger) -> dict[str, bool]:
    """Check every term's bound in every simulation; per term, whether it is reached."""
    reached: dict[str, bool] = {}
    for term, totals, bound in layer_terms(plan, ledger):
        over = totals - bound
        slack = ROUNDING * np.maximum(bound, 1.0)
        assert (over <= slack).all(), (term, over.max())
        reached[term] = reached.get(term, False) or bool((over >= -slack).any())
    return reached


def test_no_layer_pays_beyond_its_terms(shipped: Replayed) -> None:
    # Per-loan and per-borrower caps, annual budgets and cap rates, funds, deposits and
    # capital, each on the totals it bounds, in every simulation of the scenario as shipped.
    # Most shipped terms are not reached in 1,000 simulations, which would leave their check
    # idle: so each term in turn is also tightened to half the largest total it let through
    # (the rest as shipped, on the same events), must then be reached, and every bound
    # must still hold.
    plan, events, ledger = shipped.plan, shipped.events, shipped.ledger
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
            rules[r] = replace(rule, limits=tuple(terms))
            variant = replace(plan, rules=tuple(rules))
            reached = within_terms(variant, apply_rules(variant, events))
            assert reached[term], f"{term} tightened to half its largest total: not reached"


def test_scenario_contract(shipped: Replayed) -> None:
    scenario = risksim.load_scenario(shipped.path)
    result = risksim.simulate(scenario, n_sims=N_SIMS, seed=SEED)
    losses = result.losses
    events, ledger = shipped.events, shipped.ledger  # the same draws, checked above
    assert np.array_equal(losses["gross"].to_numpy(), events.per_simulation(events.loss))
    for party, paid in ledger.paid.items():
        assert np.allclose(losses[party], events.per_simulation(paid), rtol=1e-9, atol=1e-3)
    assert losses["gross"].mean() > 0
    assert (result.fees.to_numpy() >= 0).all()
    assert set(np.unique(result.probabilities()["probability"] >= 0)) <= {True}
    summary = result.summary()
    assert (summary["VaR_0.99"] <= summary["ES_0.99"] + 1e-9).all()


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario_file_cites_sources_and_marks_illustrative_values(path: Path) -> None:
    text = path.read_text("utf-8")
    assert text.startswith(f"# yaml-language-server: $schema=../risksim/data/{SCHEMA_FILE}")
    comments = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    assert "SCENARIOS.md" in comments or "variant of" in comments
    assert "[U" in comments or "[V" in comments
