"""Checks of a ledger against the terms of the plan that filled it, shared by the contract
checks of every registered scenario (:mod:`tests.contracts.checks`) and the property tests
of random arrangements."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from risksim.compile.plan import SimulationPlan
from risksim.rules import limits
from risksim.rules.base import Ledger

ROUNDING = 1e-9
"""Relative slack of every check: the rounding of sums, nothing more."""


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
                # gross basis: the layer's payments; net basis: what the party keeps of them
                # after the counter-guarantors' reimbursements, as the ledger made them
                reimbursed = sum((moved for (payer, _), moved in ledger.transfers.items()
                                  if payer == rule.party), np.zeros_like(paid))
                kept = paid if limit.retained is None else paid - reimbursed
                yield term, events.per_simulation(kept), np.full(events.n_sims, limit.capital)
            else:
                assert isinstance(limit, limits.ClaimDenial | limits.Suspension), term


def within_terms(plan: SimulationPlan, ledger: Ledger) -> dict[str, bool]:
    """Check every term's bound in every simulation; per term, whether it is reached."""
    reached: dict[str, bool] = {}
    for term, totals, bound in layer_terms(plan, ledger):
        over = totals - bound
        slack = ROUNDING * np.maximum(bound, 1.0)
        assert (over <= slack).all(), (term, over.max())
        reached[term] = reached.get(term, False) or bool((over >= -slack).any())
    return reached


def every_loss_paid_once(ledger: Ledger) -> None:
    """Conservation straight from the ledger's per-event payments (not through the check
    ``Ledger.party_losses`` makes before it returns): in every event, and so in every
    simulation, the parties' payments add up to the loss, none is negative, none is left."""
    events = ledger.events
    paid = np.column_stack(list(ledger.paid.values()))
    slack = ROUNDING * np.maximum(events.loss, 1.0)
    assert (paid >= -slack[:, None]).all()
    assert (np.abs(paid.sum(axis=1) - events.loss) <= slack).all()
    assert (np.abs(ledger.unallocated) <= slack).all()
    per_simulation = np.column_stack([events.per_simulation(v) for v in ledger.paid.values()])
    gross = events.per_simulation(events.loss)
    assert (np.abs(per_simulation.sum(axis=1) - gross)
            <= ROUNDING * np.maximum(gross, 1.0)).all()
