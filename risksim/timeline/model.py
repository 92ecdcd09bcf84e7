"""The simpy model: each simulation's flows paid day by day out of each party's cash.

One simpy environment per simulation, built and run inside the task (environments do not
pickle). The flows known in advance that fall due on one day share one timeout, which takes
them in their order (kind, payer, payee); each flow's payer pays at once if it has the cash
and nothing is queued before it, otherwise the flow waits in the payer's queue (first in,
first out) until inflows cover it. A principal
shortfall is never queued: it is the lender's loss on the default date. When a payment that
counter-guarantors back is made, each of them owes its share, due on its own schedule
(:meth:`TimelineSettings.due_day`); those reimbursements are summed per (payer, payee,
due day) into one more timeout.
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


@dataclass(frozen=True, eq=False)
class Settled:
    """The outcome of a block: every flow (those known in advance first, then the
    reimbursements created on the way) and each party's state per simulation.

    Attributes
    ----------
    sim, kind, payer, payee, amount, due, default_days : numpy.ndarray
        Per flow, as in :class:`~risksim.timeline.obligations.Obligations`.
    paid : numpy.ndarray
        Day each flow was paid; NaN while it still waits at the end.
    lowest, lowest_day : numpy.ndarray
        (n_sims, n_parties): the lowest of the party's flows to date, and its first day.
    short_day : numpy.ndarray
        (n_sims, n_parties): first day the party lacked cash for a payment (NaN if never).
    depleted_day : numpy.ndarray
        (n_sims, n_parties): first day a party with limited cash had none left (NaN if never).
    simpy_events : int
        Timeouts processed (one per day with flows due, one per reimbursement).
    """

    sim: np.ndarray
    kind: np.ndarray
    payer: np.ndarray
    payee: np.ndarray
    amount: np.ndarray
    due: np.ndarray
    default_days: np.ndarray
    paid: np.ndarray
    lowest: np.ndarray
    lowest_day: np.ndarray
    short_day: np.ndarray
    depleted_day: np.ndarray
    simpy_events: int


class _Simulation:
    """The accounts of one simulation while its environment runs."""

    def __init__(self, settings: TimelineSettings, flows: _Flows, sim: int) -> None:
        n = settings.sponsor + 1
        self.env = simpy.Environment()
        self.sim = sim
        self.flows = flows
        self.every: list[int] = settings.settle_every_days.tolist()
        self.lag: list[int] = settings.payment_lag_days.tolist()
        self.start = [*settings.starting_cash.tolist(), math.inf, math.inf]
        self.slack = [CASH_RTOL * c if c < math.inf else 0.0 for c in self.start]
        self.net = [0.0] * n
        self.lowest = [0.0] * n
        self.lowest_day = [0.0] * n
        self.short_day = [math.nan] * n
        self.depleted_day = [math.nan] * n
        self.queue: list[deque[int]] = [deque() for _ in range(n)]
        self.buckets: dict[tuple[int, int, int], int] = {}
        self.open: set[int] = set()

    def schedule(self, first: int, end: int, day: int) -> None:
        """Flows ``first .. end − 1`` fall due on ``day``: one timeout for them all."""
        Timeout(self.env, day - self.env.now, (first, end)).callbacks.append(self.due_all)

    def due_all(self, event: Event) -> None:
        """Flows fall due, in their order."""
        first, end = cast(tuple[int, int], event.value)
        for index in range(first, end):
            self.due(index)

    def due(self, index: int) -> None:
        """A flow falls due: pay it now, or queue it behind the payer's earlier flows."""
        flows = self.flows
        payer = flows.payer[index]
        self.open.discard(index)
        if flows.kind[index] == _SHORTFALL:
            self.settle(index)
        elif self.queue[payer] or (self.start[payer] + self.net[payer] + self.slack[payer]
                                   < flows.amount[index]):
            self.queue[payer].append(index)
            if math.isnan(self.short_day[payer]):
                self.short_day[payer] = self.env.now
                self.deplete(payer)
        else:
            self.settle(index)

    def deplete(self, party: int) -> None:
        """Record the first day a party with limited cash has none left."""
        if math.isnan(self.depleted_day[party]) and self.start[party] < math.inf:
            self.depleted_day[party] = self.env.now

    def settle(self, index: int) -> None:
        """Pay flow ``index`` now; let the payee pay what waits; start what it triggers."""
        flows = self.flows
        now = self.env.now
        payer, payee, amount = flows.payer[index], flows.payee[index], flows.amount[index]
        flows.paid[index] = now
        net = self.net[payer] - amount
        self.net[payer] = net
        if net < self.lowest[payer]:
            self.lowest[payer] = net
            self.lowest_day[payer] = now
            if self.start[payer] + net <= self.slack[payer]:
                self.deplete(payer)
        self.net[payee] += amount
        if index in flows.behind:
            self.reimburse(index)
        if self.queue[payee]:
            self.release(payee)

    def release(self, party: int) -> None:
        """Pay ``party``'s queued flows in order while its cash covers them."""
        queue, amount = self.queue[party], self.flows.amount
        while queue and (self.start[party] + self.net[party] + self.slack[party]
                         >= amount[queue[0]]):
            self.settle(queue.popleft())

    def reimburse(self, index: int) -> None:
        """The counter-guarantors behind paid flow ``index`` owe their shares, due on their
        schedules; shares due from one payer to one payee on one day make one flow."""
        flows = self.flows
        behind = flows.behind[index]
        own = flows.own[index]
        payee = flows.payer[index]
        now = int(self.env.now)
        for path, (amount, days) in behind.items():
            if flows.parent[path] not in own:
                continue
            payer = flows.last[path]
            day = due_day(now, self.every[payer], self.lag[payer])
            key = (payer, payee, day)
            bucket = self.buckets.get(key)
            if bucket is None or bucket not in self.open:
                bucket = flows.new(self.sim, payer, payee, day)
                self.buckets[key] = bucket
                self.open.add(bucket)
                self.schedule(bucket, bucket + 1, day)
            flows.amount[bucket] += amount
            flows.default_days[bucket] += days
            flows.own[bucket] = flows.own[bucket] | {path}
            deeper = [q for q in flows.deeper[path] if q in behind]
            if deeper:
                carried = flows.behind.setdefault(bucket, {})
                for q in deeper:
                    total = carried.setdefault(q, [0.0, 0.0])
                    total[0] += behind[q][0]
                    total[1] += behind[q][1]


_SHORTFALL = int(Kind.SHORTFALL)


class _Flows:
    """Every flow of a block as Python lists (fast to index), growing with reimbursements.

    ``behind`` maps a flow to the paths through it ({path: [amount, money·days]}) and
    ``own`` to the paths it pays itself, for the flows that have any.
    """

    def __init__(self, obligations: Obligations, paths: tuple[tuple[int, ...], ...]) -> None:
        self.kind: list[int] = obligations.kind.tolist()
        self.payer: list[int] = obligations.payer.tolist()
        self.payee: list[int] = obligations.payee.tolist()
        self.amount: list[float] = obligations.amount.tolist()
        self.due: list[int] = obligations.day.tolist()
        self.sim: list[int] = obligations.sim.tolist()
        self.default_days: list[float] = obligations.default_days.tolist()
        self.paid: list[float] = [math.nan] * len(self.kind)
        self.parent = [paths.index(path[:-1]) if len(path) > 1 else -1 for path in paths]
        self.last = [path[-1] for path in paths]
        self.deeper = [[q for q, other in enumerate(paths)
                        if len(other) > len(path) and other[:len(path)] == path]
                       for path in paths]
        self.behind: dict[int, dict[int, list[float]]] = {}
        self.own: dict[int, frozenset[int]] = {}
        rows, flows = np.nonzero(obligations.behind)
        for row, flow in zip(rows.tolist(), flows.tolist(), strict=True):
            self.behind.setdefault(flow, {})[row] = [float(obligations.behind[row, flow]),
                                                     float(obligations.behind_days[row, flow])]
        for flow in self.behind:
            self.own[flow] = frozenset((int(obligations.path[flow]),))

    def new(self, sim: int, payer: int, payee: int, day: int) -> int:
        """A new reimbursement of nothing yet, due on ``day``; its index."""
        self.kind.append(Kind.REIMBURSEMENT)
        self.payer.append(payer)
        self.payee.append(payee)
        self.amount.append(0.0)
        self.due.append(day)
        self.sim.append(sim)
        self.default_days.append(0.0)
        self.paid.append(math.nan)
        self.own[len(self.kind) - 1] = frozenset()
        return len(self.kind) - 1


def settle_block(settings: TimelineSettings, obligations: Obligations,
                 paths: tuple[tuple[int, ...], ...], n_sims: int) -> Settled:
    """Run every simulation of the block in its own simpy environment."""
    flows = _Flows(obligations, paths)
    n_parties = len(settings.parties)
    shape = (n_sims, n_parties)
    lowest, lowest_day = np.zeros(shape), np.zeros(shape)
    short_day, depleted_day = np.full(shape, np.nan), np.full(shape, np.nan)
    new_day = np.ones(obligations.day.size, dtype=bool)
    new_day[1:] = (obligations.day[1:] != obligations.day[:-1]) | (
        obligations.sim[1:] != obligations.sim[:-1])
    starts = np.flatnonzero(new_day)
    bounds = np.searchsorted(obligations.sim[starts], np.arange(n_sims + 1)).tolist()
    days = obligations.day[starts].tolist()
    ends = [*starts[1:].tolist(), obligations.day.size]
    starts_list = starts.tolist()
    events = 0
    for sim in range(n_sims):
        model = _Simulation(settings, flows, sim)
        for batch in range(bounds[sim], bounds[sim + 1]):
            model.schedule(starts_list[batch], ends[batch], days[batch])
        before = len(flows.kind)
        model.env.run()
        events += bounds[sim + 1] - bounds[sim] + len(flows.kind) - before
        lowest[sim] = model.lowest[:n_parties]
        lowest_day[sim] = model.lowest_day[:n_parties]
        short_day[sim] = model.short_day[:n_parties]
        depleted_day[sim] = model.depleted_day[:n_parties]
    return Settled(
        sim=np.array(flows.sim, dtype=np.int64), kind=np.array(flows.kind, dtype=np.int64),
        payer=np.array(flows.payer, dtype=np.int64),
        payee=np.array(flows.payee, dtype=np.int64), amount=np.array(flows.amount),
        due=np.array(flows.due, dtype=np.int64), default_days=np.array(flows.default_days),
        paid=np.array(flows.paid), lowest=lowest, lowest_day=lowest_day,
        short_day=short_day, depleted_day=depleted_day, simpy_events=events)
