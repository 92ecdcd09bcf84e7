"""Contract tests run on every shipped scenario file (and the embedded default): each loads,
simulates, conserves every loss, keeps every party within its terms, and says its sources."""

from __future__ import annotations

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
from tests.ledger_checks import every_loss_paid_once, layer_terms, within_terms

FILES = sorted(ROOT.glob("scenarios/*.yaml"))
REQUIRED_SCHEMES = {"bank_alone_baseline", "wangcheng_patent_loan", "china_nfgf_2242",
                    "risk_pool_annual_cap_trigger", "sba_7a", "eif_capped_50_20",
                    "japan_cgc_80", "npl_tolerance_3pp"}


def test_the_real_schemes_are_shipped() -> None:
    assert {path.stem for path in FILES} >= REQUIRED_SCHEMES


N_SIMS, SEED = 1_000, 3
"""One block of simulations of every scenario."""


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


def test_every_loss_is_paid_by_someone_exactly_once(shipped: Replayed) -> None:
    # Straight from the ledger's per-event payments (not through the check that
    # Ledger.party_losses makes before it returns): in every event, and so in every
    # simulation, the parties' payments add up to the loss, none is negative, none is left.
    assert set(shipped.ledger.paid) == set(shipped.plan.parties)
    every_loss_paid_once(shipped.ledger)
    assert shipped.events.loss.sum() > 0


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
