"""What a block's settled flows say, per simulation: cash paths, lowest cash, shortfalls,
time from default to payment, present values, and the lender's monthly NPL ratio.

Vectorised over the block's flows; nothing here runs per event in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from risksim.rules.base import LossEvents
from risksim.scenario.timeline import DAYS_PER_MONTH, DAYS_PER_YEAR
from risksim.timeline.amounts import EventAmounts
from risksim.timeline.dates import EventDates
from risksim.timeline.model import Settled
from risksim.timeline.obligations import Kind, Obligations
from risksim.timeline.settings import TimelineSettings

LOSS_KINDS = (Kind.RECOVERY, Kind.SHORTFALL, Kind.CLAIM, Kind.PASS_ON, Kind.REIMBURSEMENT)
"""Flows that settle losses (the others are fees and fund refills)."""
PER_PARTY = ("loss_flows", "fee_flows", "refills", "net_flow", "present_value", "min_cash",
             "min_cash_day", "shortfall_day", "depleted_day", "unpaid_at_end",
             "mean_days_to_payment", "max_days_to_payment", "max_wait_days")
"""Per (simulation, party) outputs, in :attr:`TimelineBlock.per_party` order."""


@dataclass(frozen=True, eq=False)
class TimelineBlock:
    """A block's timeline, per simulation.

    Attributes
    ----------
    per_party : numpy.ndarray
        (n_sims, n_parties, len(PER_PARTY)), see :data:`PER_PARTY` (money, days).
    cash : numpy.ndarray
        (n_sims, n_parties, months + 1): each party's cash at day 0 and at each month end
        (starting cash + flows to date; flows to date for unlimited cash).
    npl_ratio : numpy.ndarray
        (n_sims, horizon months): the lender's NPL stock net of the compensation received
        by each month end ÷ its book at the start of the month.
    npl_ratio_gross : numpy.ndarray
        The same with every NPL at its full principal (no compensation taken out).
    simpy_events, flows, defaults : int
        Timeouts processed, flows paid, default events.
    """

    per_party: np.ndarray
    cash: np.ndarray
    npl_ratio: np.ndarray
    npl_ratio_gross: np.ndarray
    simpy_events: int
    flows: int
    defaults: int


def summarise(settings: TimelineSettings, events: LossEvents, dates: EventDates,
              amounts: EventAmounts, obligations: Obligations,
              settled: Settled) -> TimelineBlock:
    """Per-simulation outputs of a settled block."""
    n_sims, n_parties = events.n_sims, len(settings.parties)
    done = ~np.isnan(settled.paid)
    paid_day = np.where(done, settled.paid, 0.0)
    outputs = np.full((n_sims, n_parties, len(PER_PARTY)), np.nan)
    column = {name: i for i, name in enumerate(PER_PARTY)}
    loss = np.isin(settled.kind, LOSS_KINDS)
    discount = (1.0 + settings.discount_rate) ** (-paid_day / DAYS_PER_YEAR)
    for name, mask, weight in (
            ("loss_flows", loss & done, 1.0), ("fee_flows", (settled.kind == Kind.FEE) & done,
                                               1.0),
            ("refills", (settled.kind == Kind.REFILL) & done, 1.0),
            ("net_flow", done, 1.0), ("present_value", done, discount)):
        outputs[:, :, column[name]] = _net(settled, mask, settled.amount * weight, n_sims,
                                           n_parties)
    lowest, lowest_day, empty_day = _lowest(settings, settled, done, paid_day, n_sims)
    outputs[:, :, column["min_cash"]] = lowest
    outputs[:, :, column["min_cash_day"]] = lowest_day
    outputs[:, :, column["shortfall_day"]] = settled.short_day
    outputs[:, :, column["depleted_day"]] = np.fmin(empty_day, settled.short_day)
    outputs[:, :, column["unpaid_at_end"]] = _by_payer(settled, ~done, settled.amount,
                                                       n_sims, n_parties)
    timed = np.isin(settled.kind, (Kind.CLAIM, Kind.REIMBURSEMENT)) & done
    weighted = _by_payer(settled, timed, settled.amount * paid_day - settled.default_days,
                         n_sims, n_parties)
    volume = _by_payer(settled, timed, settled.amount, n_sims, n_parties)
    with np.errstate(invalid="ignore", divide="ignore"):
        outputs[:, :, column["mean_days_to_payment"]] = np.where(volume > 0,
                                                                 weighted / volume, np.nan)
        mean_default = settled.default_days / np.where(settled.amount > 0, settled.amount, 1)
    outputs[:, :, column["max_days_to_payment"]] = _max_by_payer(
        settled, timed, paid_day - mean_default, n_sims, n_parties)
    outputs[:, :, column["max_wait_days"]] = _max_by_payer(
        settled, done & (settled.kind != Kind.SHORTFALL), paid_day - settled.due, n_sims,
        n_parties)
    net, gross = _npl_ratios(settings, events, dates, amounts, obligations, settled)
    return TimelineBlock(
        per_party=outputs, cash=_cash_paths(settings, settled, done, paid_day, n_sims),
        npl_ratio=net, npl_ratio_gross=gross,
        simpy_events=settled.simpy_events, flows=int(done.sum()), defaults=events.loss.size)


def _net(settled: Settled, mask: np.ndarray, amount: np.ndarray, n_sims: int,
         n_parties: int) -> np.ndarray:
    """Σ inflows − Σ outflows of each (simulation, party) over the flows in ``mask``."""
    received = _by_account(settled.sim, settled.payee, mask, amount, n_sims, n_parties)
    return received - _by_payer(settled, mask, amount, n_sims, n_parties)


def _by_payer(settled: Settled, mask: np.ndarray, amount: np.ndarray, n_sims: int,
              n_parties: int) -> np.ndarray:
    return _by_account(settled.sim, settled.payer, mask, amount, n_sims, n_parties)


def _by_account(sim: np.ndarray, account: np.ndarray, mask: np.ndarray, amount: np.ndarray,
                n_sims: int, n_parties: int) -> np.ndarray:
    """Σ ``amount`` per (simulation, party) over the flows in ``mask`` whose ``account`` is a
    party (the borrower and sponsor accounts are left out)."""
    keep = mask & (account < n_parties)
    totals = np.bincount(sim[keep] * n_parties + account[keep], weights=amount[keep],
                         minlength=n_sims * n_parties)
    return totals.reshape(n_sims, n_parties)


def _max_by_payer(settled: Settled, mask: np.ndarray, values: np.ndarray, n_sims: int,
                  n_parties: int) -> np.ndarray:
    """max ``values`` per (simulation, paying party) over ``mask``; NaN where none."""
    keep = mask & (settled.payer < n_parties)
    out = np.full(n_sims * n_parties, -np.inf)
    np.maximum.at(out, settled.sim[keep] * n_parties + settled.payer[keep], values[keep])
    return np.where(np.isinf(out), np.nan, out).reshape(n_sims, n_parties)


def _lowest(settings: TimelineSettings, settled: Settled, done: np.ndarray,
            paid_day: np.ndarray, n_sims: int) -> tuple[np.ndarray, ...]:
    """Per (simulation, party): the lowest end-of-day cash and its first day (the starting
    cash on day 0 when it never went lower), and the first day a party with limited cash
    ended with none (NaN if never), each (n_sims, n_parties)."""
    n_parties = len(settings.parties)
    start = np.where(np.isfinite(settings.starting_cash), settings.starting_cash, 0.0)
    lowest = np.broadcast_to(start, (n_sims, n_parties)).copy()
    lowest_day = np.zeros((n_sims, n_parties))
    empty_day = np.full((n_sims, n_parties), np.nan)
    groups, days, amounts = [], [], []
    for account, sign in ((settled.payee, 1.0), (settled.payer, -1.0)):
        keep = done & (account < n_parties)
        groups.append(settled.sim[keep] * n_parties + account[keep])
        days.append(paid_day[keep].astype(np.int64))
        amounts.append(sign * settled.amount[keep])
    group, day, amount = (np.concatenate(parts) for parts in (groups, days, amounts))
    if group.size == 0:
        return lowest, lowest_day, empty_day
    key, inverse = np.unique(group << 32 | day, return_inverse=True)
    daily = np.bincount(inverse, weights=amount)
    of_day, at = key >> 32, key & 0xFFFFFFFF
    first = np.flatnonzero(np.r_[True, of_day[1:] != of_day[:-1]])
    totals = np.cumsum(daily)
    before = np.r_[0.0, totals[first[1:] - 1]]
    balance = start[of_day % n_parties] + totals - np.repeat(before, np.diff(np.r_[first,
                                                                                 key.size]))
    minimum = np.minimum.reduceat(balance, first)
    flat = lowest.ravel()
    owner = of_day[first]
    lower = minimum < flat[owner]
    at_minimum = balance == np.repeat(minimum, np.diff(np.r_[first, key.size]))
    hit, position = np.unique(of_day[at_minimum], return_index=True)
    first_day = dict(zip(hit.tolist(), at[at_minimum][position].tolist(), strict=True))
    flat[owner[lower]] = minimum[lower]
    days_flat = lowest_day.ravel()
    days_flat[owner[lower]] = [first_day[g] for g in owner[lower].tolist()]
    slack = 1e-9 * np.maximum(start, 1.0)
    limited = np.isfinite(settings.starting_cash)[of_day % n_parties]
    empty = limited & (balance <= slack[of_day % n_parties])
    hit, position = np.unique(of_day[empty], return_index=True)
    empty_day.ravel()[hit] = at[empty][position]
    return lowest, lowest_day, empty_day


class _Pieces:
    """The pieces each flow was paid in: the flow itself (what was left of it) and every
    part split from it, each with its share of the flow's whole amount."""

    def __init__(self, settled: Settled) -> None:
        root = np.where(settled.origin >= 0, settled.origin, np.arange(settled.origin.size))
        whole = np.bincount(root, weights=settled.amount, minlength=root.size)
        self.order = np.argsort(root, kind="stable")  # pieces of one flow together
        self.count = np.bincount(root, minlength=root.size)
        self.first = np.cumsum(self.count) - self.count
        self.day = settled.paid
        with np.errstate(invalid="ignore", divide="ignore"):
            self.share = np.where(whole[root] > 0, settled.amount / whole[root], 0.0)

    def receipts(self, flow: np.ndarray,
                 amount: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For entries paid by ``flow`` (−1: none) of ``amount`` each: per paid piece, the
        entry, the day and the amount received that day."""
        entry = np.flatnonzero(flow >= 0)
        count = self.count[flow[entry]]
        rows = np.repeat(entry, count)
        rank = np.arange(rows.size) - np.repeat(np.cumsum(count) - count, count)
        piece = self.order[np.repeat(self.first[flow[entry]], count) + rank]
        day = self.day[piece]
        paid = ~np.isnan(day)
        return rows[paid], day[paid], (amount[rows] * self.share[piece])[paid]


def _month_end(day: np.ndarray) -> np.ndarray:
    """Index of the first month end on or after ``day`` (0 for day 0): ⌈day / 30⌉."""
    return -(-day.astype(np.int64) // DAYS_PER_MONTH)


def _cash_paths(settings: TimelineSettings, settled: Settled, done: np.ndarray,
                paid_day: np.ndarray, n_sims: int) -> np.ndarray:
    """(n_sims, n_parties, months + 1): cash at day 0 and at each month end."""
    n_parties = len(settings.parties)
    month = _month_end(paid_day)
    months = int(month[done].max()) + 1 if done.any() else 1
    months = max(months, settings.horizon_months + 1)
    size = n_sims * n_parties * months
    changes = np.zeros(size)
    for account, sign in ((settled.payee, 1.0), (settled.payer, -1.0)):
        keep = done & (account < n_parties)
        key = (settled.sim[keep] * n_parties + account[keep]) * months + month[keep]
        changes += np.bincount(key, weights=sign * settled.amount[keep], minlength=size)
    start = np.where(np.isfinite(settings.starting_cash), settings.starting_cash, 0.0)
    return start[None, :, None] + np.cumsum(changes.reshape(n_sims, n_parties, months), axis=2)


def _npl_ratios(settings: TimelineSettings, events: LossEvents, dates: EventDates,
                amounts: EventAmounts, obligations: Obligations,
                settled: Settled) -> tuple[np.ndarray, np.ndarray]:
    """The lender's NPL ratio at each month end of the horizon, net and gross of
    compensation, each (n_sims, months).

    A defaulted loan counts from its NPL date until it leaves the stock: in the gross
    ratio at its principal P, in the net one at P less the compensation the lender has
    received for it by then (so a claim paid before the NPL date keeps that part out of
    the stock). Both over the book at the start of the month.
    """
    horizon = settings.horizon_months
    size = events.n_sims * (horizon + 1)

    def stock_changes(sim: np.ndarray, day: np.ndarray, change: np.ndarray) -> np.ndarray:
        """Changes of the stock summed per (simulation, month end from which they show)."""
        month = _month_end(day)
        keep = month <= horizon
        return np.bincount(sim[keep] * (horizon + 1) + month[keep], weights=change[keep],
                           minlength=size)

    counted = dates.exit > dates.npl
    sim, start, end = events.sim[counted], dates.npl[counted], dates.exit[counted]
    principal = amounts.principal[counted]
    before_npl = np.zeros(sim.size)
    before_exit = np.zeros(sim.size)
    stock = np.zeros(size)
    pieces = _Pieces(settled)
    for p in np.flatnonzero(obligations.claim_of.max(axis=1) >= 0):
        entry, day, amount = pieces.receipts(obligations.claim_of[p][counted],
                                             amounts.along[p][counted])
        before_npl += np.bincount(entry, weights=np.where(day <= start[entry], amount, 0.0),
                                  minlength=sim.size)
        before_exit += np.bincount(entry, weights=np.where(day < end[entry], amount, 0.0),
                                   minlength=sim.size)
        during = (day > start[entry]) & (day < end[entry])
        stock -= stock_changes(sim[entry[during]], day[during], amount[during])
    stock += stock_changes(sim, start, np.maximum(principal - before_npl, 0.0))
    stock -= stock_changes(sim, end, np.maximum(principal - before_exit, 0.0))
    gross = stock_changes(sim, start, principal) - stock_changes(sim, end, principal)

    def ratio(changes: np.ndarray) -> np.ndarray:
        """The stock at each month end (cumulated changes) over the month's book."""
        stocks = np.cumsum(changes.reshape(events.n_sims, horizon + 1), axis=1)[:, 1:]
        book = settings.book_by_month
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(book > 0, np.maximum(stocks, 0.0) / np.where(book > 0, book, 1.0),
                            0.0)

    return ratio(stock), ratio(gross)
