"""The dates of each default's life: default, NPL, recovery and exit from the NPL stock.

Days count 30/360 from the start of the horizon. The random draws come from the block's
generator after every draw of the engine, in the order documented in
:mod:`risksim.engine.block`, so they never change the losses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from risksim.rules.base import LossEvents
from risksim.scenario.timeline import DAYS_PER_MONTH
from risksim.timeline.settings import TimelineSettings


@dataclass(frozen=True, eq=False)
class EventDates:
    """Dates (days, int64) of each default event.

    Attributes
    ----------
    default : numpy.ndarray
        The missed repayment date: past due from then.
    npl : numpy.ndarray
        default + npl_after_days: the loan counts as non-performing from then.
    recovery : numpy.ndarray
        default + workout lag: the recovery arrives.
    exit : numpy.ndarray
        The loan leaves the NPL stock: cure date, write-off date, or end of the workout.
    """

    default: np.ndarray
    npl: np.ndarray
    recovery: np.ndarray
    exit: np.ndarray


def draw_dates(settings: TimelineSettings, events: LossEvents,
               rng: np.random.Generator) -> EventDates:
    """Date every event of a block, drawing from ``rng`` after the engine's draws.

    The default falls on repayment date j = 1..k of its period (k repayment dates a
    period, drawn uniformly, the period's end for j = k), day = period·P + j·P/k with P
    the period's days; or on the stated day of the period. Draw order: the repayment date
    (when k > 1 and not stated), the workout lag (when random), a uniform for the cure
    (when 0 < P(cure) < 1).
    """
    n = events.loss.size
    start = events.period * settings.period_days
    if settings.stated_default_day is not None:
        default = start + settings.stated_default_day
    else:
        k = settings.dates_per_period
        index = rng.integers(1, k + 1, size=n) if k > 1 else np.full(n, k, dtype=np.int64)
        default = start + index * (settings.period_days // k)
    recovery = default + _workout_days(settings, rng, n)
    npl = default + settings.npl_after_days
    cured = _cured(settings.cure_probability, rng, n)
    if settings.write_off_after_days is not None:
        written_off = npl + settings.write_off_after_days
    else:
        written_off = np.maximum(recovery, npl)
    exit_ = np.where(cured, npl + settings.cure_after_days, written_off)
    return EventDates(default=default.astype(np.int64), npl=npl.astype(np.int64),
                      recovery=recovery.astype(np.int64), exit=exit_.astype(np.int64))


def _workout_days(settings: TimelineSettings, rng: np.random.Generator, n: int) -> np.ndarray:
    """Workout lags in days, whole months: 30·rint(12·years)."""
    lag = settings.workout_lag
    if lag.fixed is not None:
        years = np.full(n, lag.fixed)
    elif lag.uniform is not None:
        years = rng.uniform(lag.uniform[0], lag.uniform[1], size=n)
    else:
        assert lag.gamma is not None
        shape = (lag.gamma.mean / lag.gamma.sd) ** 2
        years = rng.gamma(shape, lag.gamma.sd**2 / lag.gamma.mean, size=n)
    return (np.rint(years * 12) * DAYS_PER_MONTH).astype(np.int64)


def _cured(probability: float, rng: np.random.Generator, n: int) -> np.ndarray:
    if probability <= 0.0:
        return np.zeros(n, dtype=bool)
    if probability >= 1.0:
        return np.ones(n, dtype=bool)
    return rng.random(n) < probability
