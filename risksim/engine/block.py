"""One block of simulations: factors → conditional PDs → defaults → losses → allocation.

Draw order within a block (part of the stream contract, ``STREAM_VERSION`` 1): for each
period, the K factors of every simulation (and the t copula's χ² mixing variable), then the
defaults of each group in plan order; after all periods, the beta LGDs in event order, then
(only when some layer denies claims) one uniform per event for claim denial. A trigger that
suspends new lending then drops the events of loans never granted (no draw).

The claims timeline (:mod:`risksim.timeline`) continues drawing from the same generator
after all of these, so losses are bit-identical with or without it: in event order (of the
events kept), the repayment date of each default inside its period (when drawn uniformly
among two or more), then each workout lag (when random), then one uniform per event for
cures (when 0 < P(cure) < 1).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from risksim.engine.plan import SimulationPlan
from risksim.engine.sampling import sample_defaults
from risksim.engine.streams import block_generator, block_size
from risksim.rules.base import Ledger, LossEvents


def simulate_block(plan: SimulationPlan, seed: int, n_sims: int, block: int) -> np.ndarray:
    """Simulate block ``block`` of a run of ``n_sims`` simulations.

    Returns
    -------
    numpy.ndarray
        Shape (simulations in the block, 1 + parties + indicators + fees): gross loss, each
        party's loss (scenario currency), the rules' per-simulation indicators, then the
        amount of each fee paid (scenario currency).
    """
    rng = block_generator(seed, block)
    return allocate(plan, draw_loss_events(plan, rng, block_size(n_sims, block)))


def replay_block(plan: SimulationPlan, seed: int, n_sims: int,
                 block: int) -> tuple[LossEvents, Ledger]:
    """The loss events of block ``block`` and their allocation, event by event.

    The same draws as :func:`simulate_block`; the ledger's per-event payments (never
    summed into cells of alike loans) say what each party paid for each default, for
    analyses that need more than per-simulation totals (dated cash flows, contributions).
    """
    return replay(plan, block_generator(seed, block), block_size(n_sims, block))


def replay(plan: SimulationPlan, rng: np.random.Generator,
           n: int) -> tuple[LossEvents, Ledger]:
    """The loss events of ``n`` simulations drawn from ``rng`` and their ledger.

    ``rng`` is left after the engine's last draw, so later draws (the timeline's) never
    change the losses.
    """
    events = draw_loss_events(plan, rng, n)
    return events, apply_rules(plan, events)


def apply_rules(plan: SimulationPlan, events: LossEvents) -> Ledger:
    """A ledger of ``events`` after every rule of the plan, in order, has paid."""
    ledger = Ledger(events, plan.parties)
    for rule in plan.rules:
        rule.apply(ledger)
    return ledger


def allocate(plan: SimulationPlan, events: LossEvents,
             cells: LossEvents | None = None) -> np.ndarray:
    """Apply the rules to the events; per simulation: gross, parties, indicators, fees.

    When the plan has loan classes, the rules see the events summed into cells of
    (simulation, period, class), which they allocate exactly as the events themselves.
    ``cells`` is ``class_cells(plan, events)`` when already at hand (plans with the same
    loan classes share it).
    """
    ledger = apply_rules(plan, class_cells(plan, events) if cells is None else cells)
    gross = events.per_simulation(events.loss)
    measured = dict(ledger.indicators)
    for monitor in plan.monitors:
        measured.update(zip(monitor.indicators, monitor.measure(events), strict=True))
    indicators = [measured[name] for name in plan.indicators]
    fees = [fee.collected(events, ledger) for fee in plan.fees]
    return np.column_stack([gross, ledger.party_losses(gross), *indicators, *fees])


def class_cells(plan: SimulationPlan, events: LossEvents) -> LossEvents:
    """The events by loan class, when the plan has classes, cells are fewer than events and
    there is more than the lender's residual to allocate (else summing saves nothing)."""
    if plan.loan_class is None or plan.class_representative is None or len(plan.rules) < 2:
        return events
    n_cells = events.n_sims * plan.n_periods * plan.class_representative.size
    if n_cells > events.loss.size:
        return events
    return events.by_class(plan.loan_class, plan.class_representative, plan.n_periods,
                           plan.periods_per_year)


def draw_loss_events(plan: SimulationPlan, rng: np.random.Generator, n: int, *,
                     draws_claims: bool | None = None,
                     needs_principal: bool | None = None) -> LossEvents:
    """Draw the defaults and losses of ``n`` simulations from ``rng``.

    ``draws_claims`` and ``needs_principal`` (default: as the plan needs) add the claim
    uniforms and the principal at default for other plans allocated on the same events.
    """
    sims_of: list[np.ndarray] = []
    loans_of: list[np.ndarray] = []
    cpds_of: list[np.ndarray] = []
    periods: list[int] = []
    keep_cpd = plan.loss_model.frye_jacobs
    for period in range(plan.n_periods):
        factors = rng.standard_normal((n, plan.n_factors))
        mixing = None
        if plan.degrees_of_freedom is not None:
            nu = plan.degrees_of_freedom
            mixing = np.sqrt(rng.chisquare(nu, n) / nu)
        for group in plan.groups:
            if not group.active(period):
                continue
            threshold = group.threshold if mixing is None else group.threshold * mixing
            cpd = ndtr((threshold - factors @ group.loading) / group.idiosyncratic_sd)
            sims, positions = sample_defaults(rng, cpd, group.members.size)
            sims_of.append(sims)
            loans_of.append(group.members[positions])
            periods.append(period)
            if keep_cpd:
                cpds_of.append(cpd[sims])
    sim = _concatenate(sims_of, np.int64)
    loan = _concatenate(loans_of, np.int64)
    period_of = np.repeat(np.array(periods, dtype=np.int64), [s.size for s in sims_of])
    cpd_of = _concatenate(cpds_of, np.float64)
    if plan.n_periods > 1 and sim.size:
        first = _first_defaults(sim, loan, len(plan.loss_model.exposure))
        sim, loan, period_of = sim[first], loan[first], period_of[first]
        cpd_of = cpd_of[first] if keep_cpd else cpd_of
    loss = plan.loss_model.event_losses(rng, loan, period_of, cpd_of if keep_cpd else None)
    draws_claims = plan.draws_claims if draws_claims is None else draws_claims
    claim_uniform = rng.random(loss.size) if draws_claims else None
    model = plan.loss_model
    needs_principal = plan.needs_principal if needs_principal is None else needs_principal
    principal = model.outstanding(loan, period_of) if needs_principal else None
    interest = model.interest(loan, period_of) if model.accrues_interest else None
    events = LossEvents(sim=sim, loan=loan, period=period_of,
                        year=period_of // plan.periods_per_year, loss=loss, n_sims=n,
                        n_years=plan.n_years, claim_uniform=claim_uniform,
                        principal=principal, interest=interest)
    return events if plan.origination is None else plan.origination.apply(events)


def _concatenate(arrays: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.empty(0, dtype)


def _first_defaults(sim: np.ndarray, loan: np.ndarray, n_loans: int) -> np.ndarray:
    """Indices of each (simulation, loan)'s first event: a loan defaults at most once.

    Events arrive in period order, so the first occurrence of a key is the earliest period.
    """
    _, first = np.unique(sim * n_loans + loan, return_index=True)
    return first
