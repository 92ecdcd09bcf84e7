"""The timeline's settings, compiled once from a scenario: per-party lags, schedules and cash,
the book's scheduled outstanding month by month, and the NPL tolerance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from risksim.compile.plan import SimulationPlan, outstanding_at
from risksim.errors import InputError
from risksim.rules.limits import FundBalance
from risksim.rules.monitors import NplTolerance
from risksim.rules.shares import LimitedLayer, Residual
from risksim.scenario.timeline import (
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    SETTLEMENT_DAYS,
    DayOfPeriod,
    LagDistribution,
    TimelineSpec,
)

if TYPE_CHECKING:
    from risksim.compile.scenario import Scenario

T = TypeVar("T", int, np.ndarray)


@dataclass(frozen=True, eq=False)
class TimelineSettings:
    """Everything a worker needs to date a block's flows (it pickles; no simpy inside).

    Attributes
    ----------
    parties : tuple of str
        The plan's parties; account ``len(parties)`` is the borrowers, the next the sponsor
        who refills funds.
    lender : int
        Index of the lender (the party of the residual layer).
    payment_lag_days, settle_every_days : numpy.ndarray
        Per party: days between a payment's due date on its schedule and the payment, and
        days between its settlement dates (1: it settles whenever a payment falls due).
    starting_cash : numpy.ndarray
        Per party (money): ``inf`` when unlimited.
    refill_per_year : numpy.ndarray
        Per party: what its funds receive at the start of each year after the first.
    period_days, dates_per_period : int
        Days in a period, and repayment dates in it (a default falls on one of them).
    stated_default_day : int or None
        Day of the period every default falls on, when stated.
    npl_after_days, claim_after_days : int
        Days past due before a loan is an NPL, and before the lender files its claims.
    workout_lag : LagDistribution
        Years from default to the recovery.
    cure_probability, cure_after_days : float, int
        Chance an NPL cures, and when (days after it became an NPL).
    write_off_after_days : int or None
        Days from NPL to write-off; None: when the workout ends.
    discount_rate : float
        Annual rate r; a flow on day t is worth (1 + r)^(−t/360) at day 0.
    keep_paths : int
        Simulations whose monthly paths are kept whole.
    book_by_month : numpy.ndarray
        Scheduled outstanding of the lender's book at the start of each month of the
        horizon (money), the denominator of the monthly NPL ratio.
    npl_threshold : float or None
        Highest tolerated NPL ratio (overall ratio + margin), when the scenario states one.
    """

    parties: tuple[str, ...]
    lender: int
    payment_lag_days: np.ndarray
    settle_every_days: np.ndarray
    starting_cash: np.ndarray
    refill_per_year: np.ndarray
    period_days: int
    dates_per_period: int
    stated_default_day: int | None
    npl_after_days: int
    claim_after_days: int
    workout_lag: LagDistribution
    cure_probability: float
    cure_after_days: int
    write_off_after_days: int | None
    discount_rate: float
    keep_paths: int
    book_by_month: np.ndarray
    npl_threshold: float | None
    n_years: int

    @property
    def borrower(self) -> int:
        """Account of the borrowers (they repay, recover and pay fees)."""
        return len(self.parties)

    @property
    def sponsor(self) -> int:
        """Account of the sponsor who refills funds."""
        return len(self.parties) + 1

    @property
    def horizon_months(self) -> int:
        """Months in the horizon."""
        return self.book_by_month.size

    def due_day(self, party: int, ready: np.ndarray) -> np.ndarray:
        """The days ``party`` pays what falls due on days ``ready`` (see :func:`due_day`)."""
        return due_day(ready, self.settle_every_days[party], self.payment_lag_days[party])

    def describe(self) -> dict[str, object]:
        """The settings as plain data, for a result's metadata."""
        return {
            "day_count": "30/360",
            "default_dates": ("uniform" if self.stated_default_day is None
                              else {"day_of_period": self.stated_default_day}),
            "repayment_dates_per_period": self.dates_per_period,
            "npl_after_days": self.npl_after_days,
            "claim_after_days": self.claim_after_days,
            "workout_lag_years": self.workout_lag.model_dump(exclude_none=True),
            "cure": {"probability": self.cure_probability, "after_days": self.cure_after_days},
            "write_off_after_days": self.write_off_after_days,
            "discount_rate": self.discount_rate,
            "parties": {
                party: {"payment_lag_days": int(self.payment_lag_days[i]),
                        "settle_every_days": int(self.settle_every_days[i]),
                        "starting_cash": (None if np.isinf(self.starting_cash[i])
                                          else float(self.starting_cash[i])),
                        "refill_per_year": float(self.refill_per_year[i])}
                for i, party in enumerate(self.parties)},
            "npl_threshold": self.npl_threshold,
        }


def due_day(ready: T, every: int, lag: int) -> T:
    """The day a party pays what falls due on day ``ready`` (ints or arrays of them): the
    next of its settlement dates, every k days, on or after it, plus its payment lag,

        ⌈ready / k⌉·k + lag          (k = 1: as soon as it falls due)
    """
    return -(-ready // every) * every + lag


def compile_timeline(scenario: Scenario) -> TimelineSettings:
    """The timeline settings of ``scenario`` (its ``timeline`` section, or the defaults).

    Raises
    ------
    InputError
        When the horizon's periods do not hold whole repayment dates.
    """
    spec = scenario.spec
    timeline = spec.timeline or TimelineSpec()
    plan = scenario.plan
    periods = spec.horizon.periods_per_year
    if timeline.payments_per_year % periods:
        raise InputError(f"the timeline needs whole repayment dates in each period: "
                         f"{periods} periods a year do not divide "
                         f"{timeline.payments_per_year} payment dates", source=scenario.source,
                         path="horizon.periods_per_year")
    parties = plan.parties
    timings = [timeline.party(name) for name in parties]
    initial, refill = _funds(plan)
    stated = np.array([np.nan if t.starting_cash is None else t.starting_cash for t in timings])
    cash = np.where(np.isnan(stated), np.where(_has_fund(plan), initial, np.inf), stated)
    dates = timeline.default_dates
    tolerance = next((monitor.threshold for monitor in plan.monitors
                      if isinstance(monitor, NplTolerance)), None)
    return TimelineSettings(
        parties=parties, lender=parties.index(_lender(plan)),
        payment_lag_days=np.array([t.payment_lag_days for t in timings], dtype=np.int64),
        settle_every_days=np.array([SETTLEMENT_DAYS[t.settles] for t in timings],
                                   dtype=np.int64),
        starting_cash=cash.astype(float), refill_per_year=refill,
        period_days=DAYS_PER_YEAR // periods,
        dates_per_period=timeline.payments_per_year // periods,
        stated_default_day=dates.day_of_period if isinstance(dates, DayOfPeriod) else None,
        npl_after_days=timeline.npl_after_days, claim_after_days=timeline.claim_after_days,
        workout_lag=timeline.workout_lag,
        cure_probability=timeline.cure.probability if timeline.cure else 0.0,
        cure_after_days=timeline.cure.after_days if timeline.cure else 0,
        write_off_after_days=timeline.write_off_after_days,
        discount_rate=timeline.discount_rate, keep_paths=timeline.keep_paths,
        book_by_month=_book_by_month(plan), npl_threshold=tolerance, n_years=plan.n_years)


def _lender(plan: SimulationPlan) -> str:
    return next(rule.party for rule in plan.rules if isinstance(rule, Residual))


def _fund_limits(plan: SimulationPlan) -> list[tuple[str, FundBalance]]:
    return [(rule.party, limit) for rule in plan.rules if isinstance(rule, LimitedLayer)
            for limit in rule.limits if isinstance(limit, FundBalance)]


def _has_fund(plan: SimulationPlan) -> np.ndarray:
    with_fund = {party for party, _ in _fund_limits(plan)}
    return np.array([party in with_fund for party in plan.parties])


def _funds(plan: SimulationPlan) -> tuple[np.ndarray, np.ndarray]:
    """Per party: the balance its fund (or deposit) layers start with, and their yearly
    refill (money)."""
    initial = np.zeros(len(plan.parties))
    refill = np.zeros(len(plan.parties))
    for party, limit in _fund_limits(plan):
        index = plan.parties.index(party)
        initial[index] += limit.initial
        refill[index] += limit.refill_per_year
    return initial, refill


def _book_by_month(plan: SimulationPlan) -> np.ndarray:
    """Σ scheduled outstanding of every loan at the start of each month of the horizon
    (money); defaulted loans count at their scheduled value, as in the yearly monitor."""
    model = plan.loss_model
    months = plan.n_periods * 12 // plan.periods_per_year
    times = np.arange(months) * DAYS_PER_MONTH / DAYS_PER_YEAR
    outstanding = outstanding_at(model.exposure, model.tenor_years, model.instalment,
                                 model.origination_year, times)
    return outstanding.sum(axis=0)
