"""The dated flows of a block known before it runs, summed when they share simulation, date,
kind, payer and payee: one entry per dated event on the simpy queue.

Reimbursements are not here: they fall due only when the payment they back is made (see
:mod:`risksim.timeline.model`); each claim carries the amounts of the reimbursements
(paths) behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from risksim.compile.plan import SimulationPlan
from risksim.rules.base import Ledger, LossEvents
from risksim.scenario.timeline import DAYS_PER_YEAR
from risksim.timeline.amounts import EventAmounts
from risksim.timeline.dates import EventDates
from risksim.timeline.settings import TimelineSettings


class Kind(IntEnum):
    """What a flow is; flows due on the same day are taken in this order."""

    REFILL = 0
    """Sponsor → fund, at the start of each year after the first."""
    FEE = 1
    """Fee payer → payee, at the start of each year (the upfront fee in the year granted)."""
    RECOVERY = 2
    """Borrowers → lender: the recovery R when the workout ends."""
    SHORTFALL = 3
    """Lender → borrowers: the principal P not repaid on the default date (never queued)."""
    CLAIM = 4
    """A direct payer → lender: its claim payments."""
    PASS_ON = 5
    """Lender → a party: its share of a recovery."""
    REIMBURSEMENT = 6
    """Counter-guarantor → the party it backs (created while the simulation runs)."""


@dataclass(frozen=True, eq=False)
class Obligations:
    """A block's flows known in advance, sorted by (simulation, day, kind, payer, payee).

    Attributes
    ----------
    sim, day, kind, payer, payee : numpy.ndarray
        Simulation, due day, :class:`Kind`, paying and receiving account of each flow.
    amount : numpy.ndarray
        Money.
    default_days : numpy.ndarray
        Σ amount × default day over the events behind the flow (money·days): their mean
        default day is default_days / amount.
    path : numpy.ndarray
        For a claim, the index of its (one-party) path; −1 otherwise.
    behind : numpy.ndarray
        (n_paths, n_flows): for a claim, the amounts of every path through it (what each
        counter-guarantor behind it reimburses); 0 elsewhere.
    behind_days : numpy.ndarray
        The same, times the events' default days (money·days).
    claim_of : numpy.ndarray
        (n_paths, n_events): index of the claim flow carrying each event's direct
        payment of each one-party path (−1 where there is none).
    """

    sim: np.ndarray
    day: np.ndarray
    kind: np.ndarray
    payer: np.ndarray
    payee: np.ndarray
    amount: np.ndarray
    default_days: np.ndarray
    path: np.ndarray
    behind: np.ndarray
    behind_days: np.ndarray
    claim_of: np.ndarray


_DAY_BITS, _KIND_BITS, _ACCOUNT_BITS = 22, 3, 7
"""Bits of each part of a flow's sort key (days < 4,194,304; at most 126 parties)."""


class _Rows:
    """Flows collected part by part (one kind, payer and payee each), each part summed per
    (simulation, day) as it is added; zero amounts are dropped."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []
        self.entry_flows: list[np.ndarray] = []

    def add(self, sim: np.ndarray, day: np.ndarray | int, kind: Kind, payer: int,
            payee: int, amount: np.ndarray, default_day: np.ndarray | int,
            path: int = -1) -> np.ndarray:
        """Add flows of ``amount`` (one per entry); returns, per entry, the index of its
        summed flow among all flows added so far (−1 for a zero amount)."""
        n = amount.size
        keep = amount > 0
        day = np.broadcast_to(day, n)[keep]
        first, inverse = _groups(sim[keep], day)
        size = first.size
        weights = amount[keep]
        self.parts.append((
            sim[keep][first], day[first], np.full(size, int(kind)), np.full(size, payer),
            np.full(size, payee), np.bincount(inverse, weights=weights, minlength=size),
            np.bincount(inverse, weights=weights * np.broadcast_to(default_day, n)[keep],
                        minlength=size), np.full(size, path)))
        flow = np.full(n, -1)
        flow[keep] = inverse + sum(part[0].size for part in self.parts[:-1])
        return flow

    def columns(self) -> tuple[list[np.ndarray], np.ndarray]:
        """sim, day, kind, payer, payee, amount, default days, path of every flow sorted by
        (sim, day, kind, payer, payee); and the sorted position of each flow added."""
        columns = [np.concatenate(column) for column in zip(*self.parts, strict=True)]
        sim, day, kind, payer, payee = columns[:5]
        key = (((sim << _DAY_BITS | day) << _KIND_BITS | kind) << _ACCOUNT_BITS | payer)
        order = np.argsort(key << _ACCOUNT_BITS | payee, kind="stable")
        position = np.empty_like(order)
        position[order] = np.arange(order.size)
        return [column[order] for column in columns], position


def _groups(sim: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The entries' (simulation, day) groups in sorted order: the first entry of each group
    and each entry's group. Counts over a dense (simulation, day) grid when it is small,
    else sorts."""
    if sim.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    low = int(day.min())
    span = int(day.max()) - low + 1
    cells = (int(sim.max()) + 1) * span
    if cells > 4 * sim.size + 65_536:
        _, first, inverse = np.unique(sim << _DAY_BITS | day, return_index=True,
                                      return_inverse=True)
        return first, inverse
    cell = sim * span + (day - low)
    counts = np.bincount(cell, minlength=cells)
    group = np.cumsum(counts > 0) - 1
    inverse = group[cell]
    first = np.empty(int(group[-1]) + 1, dtype=np.int64)
    first[inverse[::-1]] = np.arange(cell.size - 1, -1, -1)
    return first, inverse


def block_obligations(settings: TimelineSettings, plan: SimulationPlan, events: LossEvents,
                      ledger: Ledger, dates: EventDates,
                      amounts: EventAmounts) -> Obligations:
    """Every flow of the block known in advance, summed per (sim, day, kind, payer, payee)."""
    n_paths, n_events = amounts.along.shape
    lender, borrower = settings.lender, settings.borrower
    rows = _Rows()
    sims = events.sim
    rows.add(sims, dates.recovery, Kind.RECOVERY, borrower, lender, amounts.recovery,
             dates.default)
    rows.add(sims, dates.default, Kind.SHORTFALL, lender, borrower, amounts.principal,
             dates.default)
    claims = {}
    for p, parties in enumerate(amounts.paths):
        if len(parties) == 1:
            ready = dates.default + settings.claim_after_days
            claims[p] = rows.add(sims, settings.due_day(parties[0], ready), Kind.CLAIM,
                                 parties[0], lender, amounts.along[p], dates.default, path=p)
    for party in range(len(settings.parties)):
        if party != lender:
            rows.add(sims, settings.due_day(lender, dates.recovery), Kind.PASS_ON, lender,
                     party, amounts.recovered[party], dates.default)
    _add_fees(rows, settings, plan, events, ledger)
    _add_refills(rows, settings, events.n_sims)
    (sim, day, kind, payer, payee, amount, default_days, path), position = rows.columns()
    size = sim.size
    behind = np.zeros((n_paths, size))
    behind_days = np.zeros((n_paths, size))
    claim_of = np.full((n_paths, n_events), -1)
    for p, flow in claims.items():
        paid = flow >= 0
        claim_of[p, paid] = flows = position[flow[paid]]
        for q in _through(amounts.paths, p):
            weights = amounts.along[q][paid]
            behind[q] = np.bincount(flows, weights=weights, minlength=size)
            behind_days[q] = np.bincount(flows, weights=weights * dates.default[paid],
                                         minlength=size)
    return Obligations(sim=sim, day=day, kind=kind, payer=payer, payee=payee, amount=amount,
                       default_days=default_days, path=path, behind=behind,
                       behind_days=behind_days, claim_of=claim_of)


def _through(paths: tuple[tuple[int, ...], ...], p: int) -> list[int]:
    """Indices of the longer paths that start with path ``p``."""
    head = paths[p]
    return [q for q, path in enumerate(paths) if len(path) > len(head)
            and path[:len(head)] == head]


def _add_fees(rows: _Rows, settings: TimelineSettings, plan: SimulationPlan,
              events: LossEvents, ledger: Ledger) -> None:
    """Each fee of each year, at the year's start, as the fee schedule says."""
    accounts = {**{p: i for i, p in enumerate(settings.parties)},
                "borrower": settings.borrower}
    sims = np.arange(events.n_sims)
    for fee in plan.fees:
        for year, amount in enumerate(fee.by_year(events, ledger).T):
            rows.add(sims, year * DAYS_PER_YEAR, Kind.FEE, accounts[fee.payer],
                     accounts[fee.payee], np.maximum(amount, 0.0), 0)


def _add_refills(rows: _Rows, settings: TimelineSettings, n_sims: int) -> None:
    """Each fund's yearly refill from the sponsor, at the start of every year but the first."""
    sims = np.arange(n_sims)
    for party in np.flatnonzero(settings.refill_per_year > 0):
        for year in range(1, settings.n_years):
            rows.add(sims, year * DAYS_PER_YEAR, Kind.REFILL, settings.sponsor,
                     int(party), np.full(n_sims, settings.refill_per_year[party]), 0)
