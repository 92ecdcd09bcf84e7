"""The simpy model: each simulation's flows paid day by day out of each party's cash.

One simpy environment per simulation, built and run inside the task (environments do not
pickle). Only flows whose date can depend on what happens go on its queue: those paid or
received by a party with limited cash, and those with reimbursements behind them; a flow
between parties with unlimited cash and nothing behind it is paid on its due day (set in
numpy, not here). The queued flows that fall due on one day share one timeout, which takes
them in their order (kind, payer, payee); each flow's payer pays at once if it has the cash
and nothing waits before it, otherwise the flow waits in the payer's queue (first in, first
out): the payer pays the flow at the head of its queue in part with whatever cash it has
(a flow sums many loans' claims: some are paid, the others wait), and the rest as inflows
come. A principal shortfall is never queued: it is the lender's loss on the default date.
When a payment that counter-guarantors back is made (in whole or in part), each of them owes
its share of what was paid, due on its own schedule (:meth:`TimelineSettings.due_day`);
those reimbursements are summed per (payer, payee, due day) into one more timeout.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import cast

import numpy as np
import simpy
from simpy.events import Event, Timeout

from risksim.timeline.obligations import Kind, Obligations
from risksim.timeline.settings import TimelineSettings, due_day

CASH_RTOL = 1e-9
"""A payment goes ahead when cash covers it but for this fraction of the starting cash
(rounding of the allocation's pro-rata cuts)."""
SMALLEST_PART = 1e-6
"""A flow is paid in part only with cash above this fraction of it (smaller parts would
bounce between a guarantor and its counter-guarantor for ever, each half as large)."""


@dataclass(frozen=True, eq=False)
class Settled:
    """The outcome of a block: every flow (those known in advance first, then the
    reimbursements and parts paid created on the way) and when each party first lacked cash.

    Attributes
    ----------
    sim, kind, payer, payee, amount, due, default_days : numpy.ndarray
        Per flow, as in :class:`~risksim.timeline.obligations.Obligations`.
    paid : numpy.ndarray
        Day each flow was paid; NaN while it still waits at the end.
    origin : numpy.ndarray
        For a part of a flow paid on its own (the payer's cash covered only that much), the
        flow it was split from (which keeps the rest); −1 otherwise.
    short_day : numpy.ndarray
        (n_sims, n_parties): first day the party lacked cash for a payment (NaN if never).
    simpy_events : int
        Timeouts processed (one per day with queued flows due, one per reimbursement).
    """

    sim: np.ndarray
    kind: np.ndarray
    payer: np.ndarray
    payee: np.ndarray
    amount: np.ndarray
    due: np.ndarray
    default_days: np.ndarray
    paid: np.ndarray
    origin: np.ndarray
    short_day: np.ndarray
    simpy_events: int


class _Simulation:
    """The accounts of one simulation while its environment runs."""

    def __init__(self, accounts: _Accounts, flows: _Flows, sim: int) -> None:
        n = len(accounts.start)
        self.env = simpy.Environment()
        self.sim = sim
        self.flows = flows
        self.every, self.lag = accounts.every, accounts.lag
        self.start, self.slack = accounts.start, accounts.slack
        self.net = [0.0] * n
        self.short_day = [math.nan] * n
        self.queue: list[deque[int]] = [deque() for _ in range(n)]
        self.buckets: dict[tuple[int, int, int], int] = {}
        self.open: set[int] = set()

    def schedule(self, first: int, end: int, day: int) -> None:
        """The queued flows ``order[first:end]`` (known in advance) fall due on ``day``: one
        timeout for them all."""
        Timeout(self.env, day, (first, end)).callbacks.append(self.due_all)

    def due_all(self, event: Event) -> None:
        """Flows fall due, in their order (see :meth:`due`)."""
        flows = self.flows
        payer_of, amount, kind = flows.payer, flows.amount, flows.kind
        queue, start, net, slack = self.queue, self.start, self.net, self.slack
        first, end = cast(tuple[int, int], event.value)
        for index in flows.order[first:end]:
            payer = payer_of[index]
            if kind[index] == _SHORTFALL or (
                    not queue[payer] and start[payer] + net[payer] + slack[payer]
                    >= amount[index]):
                self.settle(index)
            else:
                self.due(index, payer)

    def due_reimbursement(self, event: Event) -> None:
        """A reimbursement falls due: it takes no more shares (see :meth:`due`)."""
        index = cast(int, event.value)
        self.open.discard(index)
        self.due(index, self.flows.payer[index])

    def due(self, index: int, payer: int) -> None:
        """Flow ``index`` falls due: paid now if ``payer``'s cash covers it and nothing waits
        before it; else it waits in the payer's queue, paid in part now with whatever cash
        the payer has when nothing waits before it."""
        queue = self.queue[payer]
        if not queue and (self.start[payer] + self.net[payer] + self.slack[payer]
                          >= self.flows.amount[index]):
            self.settle(index)
            return
        if math.isnan(self.short_day[payer]):
            self.short_day[payer] = self.env.now
        queue.append(index)
        if len(queue) == 1:
            self.pay_what_cash_allows(payer)

    def pay_what_cash_allows(self, party: int) -> None:
        """Pay part of the flow at the head of ``party``'s queue with all its cash left."""
        cash = self.start[party] + self.net[party]
        head = self.queue[party][0]
        if cash > max(self.slack[party], SMALLEST_PART * self.flows.amount[head]):
            self.settle_part(head, cash)

    def settle(self, index: int) -> None:
        """Pay flow ``index`` now; let the payee pay what waits; start what it triggers."""
        self.transfer(index)
        flows = self.flows
        if index in flows.backed:
            self.reimburse(index, 1.0)
        payee = flows.payee[index]
        if self.queue[payee]:
            self.release(payee)

    def settle_part(self, index: int, part: float) -> None:
        """Pay ``part`` (money) of flow ``index`` now, as a flow of its own; the rest waits.

        The payee then pays what waits in full as far as this covers, but no part of a flow:
        two parties owing each other could otherwise pass the same cash to and fro.
        """
        flows = self.flows
        fraction = part / flows.amount[index]
        self.transfer(flows.split(index, fraction))
        if index in flows.backed:
            self.reimburse(index, fraction)
        payee = flows.payee[index]
        if self.queue[payee]:
            self.release(payee, in_part=False)

    def transfer(self, index: int) -> None:
        """Move flow ``index``'s amount from its payer to its payee, today."""
        flows = self.flows
        amount = flows.amount[index]
        flows.paid[index] = self.env.now
        self.net[flows.payer[index]] -= amount
        self.net[flows.payee[index]] += amount

    def release(self, party: int, in_part: bool = True) -> None:
        """Pay ``party``'s queued flows in order while its cash covers them, and part of the
        next one with what is left (unless ``in_part`` is False)."""
        queue, amount = self.queue[party], self.flows.amount
        while queue and (self.start[party] + self.net[party] + self.slack[party]
                         >= amount[queue[0]]):
            self.settle(queue.popleft())
        if queue and in_part:
            self.pay_what_cash_allows(party)

    def reimburse(self, index: int, fraction: float) -> None:
        """``fraction`` of flow ``index`` was paid: the counter-guarantors behind it owe that
        fraction of their shares, due on their schedules; shares due from one payer to one
        payee on one day make one flow."""
        flows = self.flows
        at = flows.backed[index]
        amounts, days = flows.behind_part(at, fraction)
        own = flows.own.get(index) or (flows.path[index],)
        payee = flows.payer[index]
        now = int(self.env.now)
        for row, path in enumerate(flows.rows):
            amount = amounts[row]
            if amount <= 0.0 or flows.parent[path] not in own:
                continue
            payer = flows.last[path]
            day = due_day(now, self.every[payer], self.lag[payer])
            key = (payer, payee, day)
            bucket = self.buckets.get(key)
            if bucket is None or bucket not in self.open:
                bucket = flows.new(self.sim, payer, payee, day)
                self.buckets[key] = bucket
                self.open.add(bucket)
                Timeout(self.env, day - now, bucket).callbacks.append(self.due_reimbursement)
            flows.amount[bucket] += amount
            flows.default_days[bucket] += days[row]
            flows.own[bucket].add(path)
            for deeper in flows.deeper_rows[row]:
                carried = flows.carry(bucket)
                flows.amounts[carried][deeper] += amounts[deeper]
                flows.days[carried][deeper] += days[deeper]


_SHORTFALL = int(Kind.SHORTFALL)


class _Flows:
    """Every flow of a block as Python lists (fast to index), growing with reimbursements.

    The paths through the claims are ``rows`` (path indices); a flow with reimbursements
    behind it has, at ``backed[flow]`` in ``amounts`` and ``days``, the amount (money) and
    money·days of each row. A claim pays its own ``path``, a reimbursement the paths in
    ``own``.
    """

    def __init__(self, obligations: Obligations, paths: tuple[tuple[int, ...], ...],
                 paid: list[float]) -> None:
        self.kind: list[int] = obligations.kind.tolist()
        self.payer: list[int] = obligations.payer.tolist()
        self.payee: list[int] = obligations.payee.tolist()
        self.amount: list[float] = obligations.amount.tolist()
        self.due: list[int] = obligations.day.tolist()
        self.sim: list[int] = obligations.sim.tolist()
        self.default_days: list[float] = obligations.default_days.tolist()
        self.paid = paid
        self.origin: list[int] = [-1] * len(self.kind)
        """For a part paid on its own, the flow it was split from; −1 otherwise."""
        self.order: list[int] = []
        """The flows on the simpy queue, by (simulation, day, kind, payer, payee)."""
        self.parent = [paths.index(path[:-1]) if len(path) > 1 else -1 for path in paths]
        self.last = [path[-1] for path in paths]
        backed = np.flatnonzero(obligations.behind.any(axis=0))
        rows = np.flatnonzero(obligations.behind[:, backed].any(axis=1))
        self.rows: list[int] = rows.tolist()
        self.deeper_rows = [[r for r, other in enumerate(self.rows)
                             if len(paths[other]) > len(paths[path])
                             and paths[other][:len(paths[path])] == paths[path]]
                            for path in self.rows]
        """Per row, the rows of the paths that extend it (the reimbursement of a path
        carries them to the payment that makes them due)."""
        self.amounts: list[list[float]] = obligations.behind[np.ix_(rows, backed)].T.tolist()
        self.days: list[list[float]] = obligations.behind_days[np.ix_(rows, backed)].T.tolist()
        self.backed = dict(zip(backed.tolist(), range(backed.size), strict=True))
        self.path: list[int] = obligations.path.tolist()
        self.own: dict[int, set[int]] = {}

    def behind_part(self, at: int, fraction: float) -> tuple[list[float], list[float]]:
        """``fraction`` of the amounts and money·days behind a flow (kept at ``at``), taken
        out of what stays behind it."""
        amounts, days = self.amounts[at], self.days[at]
        if fraction >= 1.0:
            return amounts, days
        self.amounts[at] = [a * (1.0 - fraction) for a in amounts]
        self.days[at] = [d * (1.0 - fraction) for d in days]
        return [a * fraction for a in amounts], [d * fraction for d in days]

    def split(self, index: int, fraction: float) -> int:
        """Make ``fraction`` of flow ``index`` a flow of its own (index returned); the rest
        stays at ``index``."""
        part = self.new(self.sim[index], self.payer[index], self.payee[index],
                        self.due[index], self.kind[index])
        self.amount[part] = self.amount[index] * fraction
        self.default_days[part] = self.default_days[index] * fraction
        self.amount[index] -= self.amount[part]
        self.default_days[index] -= self.default_days[part]
        self.origin[part] = index
        return part

    def carry(self, flow: int) -> int:
        """Where ``flow`` keeps the amounts of the paths behind it (made empty if new)."""
        at = self.backed.get(flow)
        if at is None:
            at = self.backed[flow] = len(self.amounts)
            self.amounts.append([0.0] * len(self.rows))
            self.days.append([0.0] * len(self.rows))
        return at

    def new(self, sim: int, payer: int, payee: int, day: int,
            kind: int = Kind.REIMBURSEMENT) -> int:
        """A new flow of nothing yet (a reimbursement unless told), due on ``day``; its
        index."""
        self.kind.append(kind)
        self.payer.append(payer)
        self.payee.append(payee)
        self.amount.append(0.0)
        self.due.append(day)
        self.sim.append(sim)
        self.default_days.append(0.0)
        self.paid.append(math.nan)
        self.origin.append(-1)
        self.own[len(self.kind) - 1] = set()
        return len(self.kind) - 1


@dataclass(frozen=True)
class _Accounts:
    """Per account (the parties, the borrowers, the sponsor): settlement interval, payment
    lag, starting cash (inf: unlimited) and the rounding slack on it."""

    every: list[int]
    lag: list[int]
    start: list[float]
    slack: list[float]

    @classmethod
    def of(cls, settings: TimelineSettings) -> _Accounts:
        """The accounts of ``settings``; the borrowers and the sponsor have unlimited cash."""
        start = [*settings.starting_cash.tolist(), math.inf, math.inf]
        return cls(every=settings.settle_every_days.tolist(),
                   lag=settings.payment_lag_days.tolist(), start=start,
                   slack=[CASH_RTOL * c if c < math.inf else 0.0 for c in start])


def queued(settings: TimelineSettings, obligations: Obligations) -> np.ndarray:
    """Which flows go on the simpy queue: those paid or received by a party with limited
    cash, and those with reimbursements behind them. The others are paid on their due day."""
    limited = np.append(np.isfinite(settings.starting_cash), [False, False])
    return (limited[obligations.payer] | limited[obligations.payee]
            | obligations.behind.any(axis=0))


def settle_block(settings: TimelineSettings, obligations: Obligations,
                 paths: tuple[tuple[int, ...], ...], n_sims: int) -> Settled:
    """Pay every flow of the block: in numpy on its due day when nothing can delay it, the
    others in each simulation's own simpy environment."""
    on_queue = queued(settings, obligations)
    flows = _Flows(obligations, paths,
                   np.where(on_queue, np.nan, obligations.day.astype(float)).tolist())
    accounts = _Accounts.of(settings)
    short_day = np.full((n_sims, len(settings.parties)), np.nan)
    index = np.flatnonzero(on_queue)
    flows.order = index.tolist()
    sim, day = obligations.sim[index], obligations.day[index]
    new_day = np.ones(index.size, dtype=bool)
    new_day[1:] = (day[1:] != day[:-1]) | (sim[1:] != sim[:-1])
    starts = np.flatnonzero(new_day)
    bounds = np.searchsorted(sim[starts], np.arange(n_sims + 1)).tolist()
    ends = [*starts[1:].tolist(), index.size]
    days = day[starts].tolist()
    starts_list = starts.tolist()
    events = 0
    for s in range(n_sims):
        if bounds[s] == bounds[s + 1]:
            continue
        model = _Simulation(accounts, flows, s)
        for batch in range(bounds[s], bounds[s + 1]):
            model.schedule(starts_list[batch], ends[batch], days[batch])
        before = len(flows.kind)
        model.env.run()
        events += bounds[s + 1] - bounds[s] + len(flows.kind) - before
        short_day[s] = model.short_day[:len(settings.parties)]
    return Settled(
        sim=np.array(flows.sim, dtype=np.int64), kind=np.array(flows.kind, dtype=np.int64),
        payer=np.array(flows.payer, dtype=np.int64),
        payee=np.array(flows.payee, dtype=np.int64), amount=np.array(flows.amount),
        due=np.array(flows.due, dtype=np.int64), default_days=np.array(flows.default_days),
        paid=np.array(flows.paid), origin=np.array(flows.origin, dtype=np.int64),
        short_day=short_day, simpy_events=events)
