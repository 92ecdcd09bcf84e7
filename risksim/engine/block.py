"""One block of simulations: factors → conditional PDs → defaults → losses → allocation.

Draw order within a block (part of the stream contract, ``STREAM_VERSION`` 2): chunk by
chunk (one chunk unless the book is large, :func:`~risksim.streams.chunk_sizes`), and
in a chunk of m simulations: for each period, the default model's systematic draws of every
simulation (:meth:`~risksim.models.base.DefaultModel.draw`: a copula's K factors, then the
t copula's χ² mixing variable), then the defaults of each group in plan order; after all
periods, the beta LGDs in event order, then (only when some layer denies claims) one uniform
per event for claim denial. A trigger that suspends new lending then drops the events of
loans never granted (no draw). Runs with quasi-Monte Carlo or importance sampling draw in the
order of :mod:`risksim.engine.systematic` (the systematic variables of the whole block
first, then each chunk's defaults and losses). The rules allocate each chunk's simulations
on their own (they are independent), so memory follows the chunk.

The claims timeline (:mod:`risksim.timeline`) continues drawing from the same generator
after all of these, so losses are bit-identical with or without it: in event order (of the
events kept), the repayment date of each default inside its period (when drawn uniformly
among two or more), then each workout lag (when random), then one uniform per event for
cures (when 0 < P(cure) < 1).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from scipy.special import expit, logit

from risksim.compile.plan import LoanGroup, SimulationPlan
from risksim.engine.sampling import sample_defaults
from risksim.engine.systematic import (
    SystematicDraws,
    draw_systematic,
    factor_copula,
    mixture_log_weight,
    twist,
)
from risksim.rules.base import Ledger, LossEvents
from risksim.streams import block_generator, block_size, chunk_sizes


def simulate_block(plan: SimulationPlan, seed: int, n_sims: int, block: int) -> np.ndarray:
    """Simulate block ``block`` of a run of ``n_sims`` simulations.

    Returns
    -------
    numpy.ndarray
        One row per simulation of the block, the columns of
        :class:`~risksim.engine.layout.ColumnLayout` (gross, each party's loss, the
        indicators, the fees paid, and under importance sampling the likelihood-ratio
        weight).
    """
    rng = block_generator(seed, block)
    n = block_size(n_sims, block)
    if plan.sampling is None:
        return np.concatenate([allocate(plan, events) for events in draw_chunks(plan, rng, n)])
    weighted = plan.sampling.weighted
    return np.concatenate([
        np.column_stack([allocate(plan, events), np.exp(log_weight)]) if weighted
        else allocate(plan, events)
        for events, log_weight in draw_sampled_chunks(plan, rng, seed, block, n)])


def replay_block(plan: SimulationPlan, seed: int, n_sims: int,
                 block: int) -> tuple[LossEvents, Ledger]:
    """The loss events of block ``block`` and their allocation, event by event.

    The same draws as :func:`simulate_block`; the ledger's per-event payments (never
    summed into cells of alike loans) say what each party paid for each default, for
    analyses that need more than per-simulation totals (dated cash flows, contributions).
    """
    rng, n = block_generator(seed, block), block_size(n_sims, block)
    if plan.sampling is None:
        return replay(plan, rng, n)
    events = LossEvents.concatenate(
        [events for events, _ in draw_sampled_chunks(plan, rng, seed, block, n)])
    return events, apply_rules(plan, events)


def replay(plan: SimulationPlan, rng: np.random.Generator,
           n: int) -> tuple[LossEvents, Ledger]:
    """The loss events of ``n`` simulations drawn from ``rng`` (plain Monte Carlo) and
    their ledger.

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
        measured.update(zip(monitor.indicators, monitor.measure(events, ledger), strict=True))
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
    """Draw the defaults and losses of a block of ``n`` simulations from ``rng``, chunk by
    chunk, as one set of events (:func:`draw_chunks` keeps the chunks apart)."""
    return LossEvents.concatenate(list(draw_chunks(plan, rng, n, draws_claims=draws_claims,
                                                   needs_principal=needs_principal)))


def draw_chunks(plan: SimulationPlan, rng: np.random.Generator, n: int, *,
                draws_claims: bool | None = None,
                needs_principal: bool | None = None) -> Iterator[LossEvents]:
    """The loss events of a block of ``n`` simulations, one chunk of simulations after the
    other (:func:`~risksim.streams.chunk_sizes`), each numbered from 0.

    ``draws_claims`` and ``needs_principal`` (default: as the plan needs) add the claim
    uniforms and the principal at default for other plans allocated on the same events.
    """
    claims = plan.draws_claims if draws_claims is None else draws_claims
    principal = plan.needs_principal if needs_principal is None else needs_principal
    for size in chunk_sizes(plan.n_loans, n):
        yield _draw_chunk(plan, rng, size, claims, principal)


def _draw_chunk(plan: SimulationPlan, rng: np.random.Generator, n: int, draws_claims: bool,
                needs_principal: bool) -> LossEvents:
    """The defaults and losses of ``n`` simulations drawn from ``rng`` (plain Monte Carlo)."""
    drawn = _Defaults()
    model = plan.default_model
    for period in range(plan.n_periods):
        draws = model.draw(rng, n)
        for group in plan.groups:
            if not group.active(period):
                continue
            cpd = model.conditional_pd(group.conditions, draws)
            drawn.add(plan, group, period, cpd, sample_defaults(rng, cpd, group.members.size))
    return _loss_events(plan, rng, n, drawn, draws_claims, needs_principal)


def draw_sampled_chunks(plan: SimulationPlan, rng: np.random.Generator, seed: int, block: int,
                        n: int) -> Iterator[tuple[LossEvents, np.ndarray]]:
    """The events of block ``block`` under the plan's QMC or importance sampling, chunk by
    chunk, and the log likelihood ratio of each simulation of the chunk (zeros without
    importance sampling): the systematic variables of the whole block first, then each
    chunk's defaults and losses."""
    sampling = plan.sampling
    assert sampling is not None
    copula = factor_copula(plan)
    systematic = draw_systematic(sampling, plan.n_periods, copula.n_factors,
                                 copula.degrees_of_freedom, rng, seed, block, n)
    cells = plan.active_cells
    start = 0
    for size in chunk_sizes(plan.n_loans, n):
        yield _draw_sampled_chunk(plan, rng, systematic.chunk(slice(start, start + size)),
                                  cells)
        start += size


def _draw_sampled_chunk(plan: SimulationPlan, rng: np.random.Generator,
                        systematic: SystematicDraws,
                        cells: list[tuple[int, int]]) -> tuple[LossEvents, np.ndarray]:
    """The defaults and losses of the simulations of ``systematic`` under the plan's
    sampling, and their log likelihood ratio ln w_α (:mod:`risksim.engine.systematic`);
    ``cells`` are the plan's active (period, group index) cells."""
    sampling = plan.sampling
    assert sampling is not None
    copula = factor_copula(plan)
    n = systematic.factors.shape[1]
    log_ratio = systematic.log_ratio.copy()
    groups = [plan.groups[g] for _, g in cells]
    pds = np.column_stack([
        copula.conditional_pd(group.conditions, systematic.period(period))
        for (period, _), group in zip(cells, groups, strict=True)]) if cells else np.zeros((n, 0))
    draw_pds = pds
    theta = np.zeros(n)
    event_loss = np.zeros(len(cells))
    if sampling.twist_target is not None and cells:
        assert sampling.event_loss is not None and systematic.tilted is not None
        event_loss = sampling.event_loss[[g for _, g in cells]]
        counts = np.array([group.members.size for group in groups], dtype=np.float64)
        theta, psi = twist(pds, counts, event_loss, sampling.twist_target)
        log_ratio += psi
        twisted = np.flatnonzero((theta > 0) & systematic.tilted)
        draw_pds = pds.copy()
        with np.errstate(divide="ignore"):
            draw_pds[twisted] = expit(logit(pds[twisted]) + theta[twisted, None] * event_loss)
    drawn = _Defaults()
    for j, ((period, _), group) in enumerate(zip(cells, groups, strict=True)):
        sims, positions = sample_defaults(rng, draw_pds[:, j], group.members.size)
        if sampling.twist_target is not None:
            log_ratio -= theta * event_loss[j] * np.bincount(sims, minlength=n)
        drawn.add(plan, group, period, pds[:, j], (sims, positions))
    return (_loss_events(plan, rng, n, drawn, plan.draws_claims, plan.needs_principal),
            mixture_log_weight(log_ratio, sampling.defensive_share))


class _Defaults:
    """Defaults drawn so far: per (period, group), simulations, loans and conditional PDs."""

    def __init__(self) -> None:
        self.sims: list[np.ndarray] = []
        self.loans: list[np.ndarray] = []
        self.cpds: list[np.ndarray] = []
        self.periods: list[int] = []

    def add(self, plan: SimulationPlan, group: LoanGroup, period: int, cpd: np.ndarray,
            defaults: tuple[np.ndarray, np.ndarray]) -> None:
        sims, positions = defaults
        self.sims.append(sims)
        self.loans.append(group.members[positions])
        self.periods.append(period)
        if plan.loss_model.frye_jacobs:
            self.cpds.append(cpd[sims])


def _loss_events(plan: SimulationPlan, rng: np.random.Generator, n: int, drawn: _Defaults,
                 draws_claims: bool, needs_principal: bool) -> LossEvents:
    """The loss events of the drawn defaults: first defaults only, LGDs, claim draws, then
    the loans a lending trigger never granted dropped."""
    keep_cpd = plan.loss_model.frye_jacobs
    sim = _concatenate(drawn.sims, np.int64)
    loan = _concatenate(drawn.loans, np.int64)
    period_of = np.repeat(np.array(drawn.periods, dtype=np.int64), [s.size for s in drawn.sims])
    cpd_of = _concatenate(drawn.cpds, np.float64)
    if plan.n_periods > 1 and sim.size:
        first = _first_defaults(sim, loan, len(plan.loss_model.exposure))
        sim, loan, period_of = sim[first], loan[first], period_of[first]
        cpd_of = cpd_of[first] if keep_cpd else cpd_of
    loss = plan.loss_model.event_losses(rng, loan, period_of, cpd_of if keep_cpd else None)
    claim_uniform = rng.random(loss.size) if draws_claims else None
    model = plan.loss_model
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
