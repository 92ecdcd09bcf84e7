"""The ``timeline`` section of a scenario: dates, lags and cash of the claims timeline.

Time counts in days on the 30/360 convention: a month is 30 days, a quarter 90, a year 360;
day 0 is the start of the horizon. Every key is optional; the defaults are those of the
class attributes below (claims 90 days past due and a 30-day payment lag: DOMAIN.md 2.8 and
SCENARIOS.md [U]; a two-year workout: SCENARIOS.md's default block [D]).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from risksim.scenario.base import Fraction, Name, StrictModel, located

DAYS_PER_MONTH = 30
DAYS_PER_YEAR = 360
Days = Annotated[int, Field(ge=0, le=100 * DAYS_PER_YEAR)]
LagYears = Annotated[float, Field(ge=0.0, le=100.0, allow_inf_nan=False)]
Settlement = Literal["immediately", "monthly", "quarterly", "yearly"]
SETTLEMENT_DAYS = {"immediately": 1, "monthly": DAYS_PER_MONTH, "quarterly": 90,
                   "yearly": DAYS_PER_YEAR}
"""Days between the settlement dates of each schedule (1: any day a payment falls due)."""


class GammaLag(StrictModel):
    """A gamma distribution by its mean and standard deviation (years)."""

    mean: Annotated[float, Field(gt=0.0, le=100.0, allow_inf_nan=False)]
    sd: Annotated[float, Field(gt=0.0, le=100.0, allow_inf_nan=False)]


class LagDistribution(StrictModel):
    """A lag in years: exactly one of ``fixed``, ``uniform: [low, high]`` or
    ``gamma: {mean, sd}``. Drawn lags are rounded to whole months (30 days): recoveries are
    booked at a month's end."""

    fixed: LagYears | None = None
    uniform: Annotated[list[LagYears], Field(min_length=2, max_length=2)] | None = None
    gamma: GammaLag | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> LagDistribution:
        given = [self.fixed is not None, self.uniform is not None, self.gamma is not None]
        if sum(given) != 1:
            raise ValueError("give exactly one of fixed, uniform or gamma (years)")
        if self.uniform is not None and self.uniform[1] < self.uniform[0]:
            raise located(f"high ({self.uniform[1]:g}) is below low ({self.uniform[0]:g})",
                          "uniform")
        return self


class PartyTiming(StrictModel):
    """How one party pays: ``payment_lag_days`` after a payment falls due on its
    ``settles`` schedule, out of its cash (``starting_cash``; unlimited when not given, or
    the fund's balance for a party with a ``fund`` or ``deposit`` layer)."""

    payment_lag_days: Days | None = None
    settles: Settlement = "immediately"
    starting_cash: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] | None = None


class DayOfPeriod(StrictModel):
    """Every default of a period falls on this day of the period (0 is its first day)."""

    day_of_period: Days


class Cure(StrictModel):
    """A non-performing loan cures (returns to performing after a restructuring; its loss
    stays as allocated) with ``probability``, ``after_days`` after it became an NPL."""

    probability: Fraction
    after_days: Days = 180


class TimelineSpec(StrictModel):
    """Dates, lags and cash of the claims timeline (M15 claim timing, M16 recoveries, M12
    NPL stock, M10 pools).

    Defaults fall on one of the loan's scheduled repayment dates (``payments_per_year``,
    month ends for 12) inside the period of default, drawn uniformly (or all on
    ``{day_of_period: d}``); the loan is past due from then and non-performing
    ``npl_after_days`` later. The lender files each claim ``claim_after_days`` past due;
    each party pays ``payment_lag_days`` after a payment falls due on its schedule, or
    later what its cash does not cover (the rest of the claim queues). Recoveries arrive
    ``workout_lag`` after default. An NPL leaves the stock when it cures (``cure``) or is
    written off (``write_off_after_days`` after it became an NPL; by default when its
    workout ends).
    Flows are discounted at ``discount_rate`` a year, (1 + r)^(−days/360).
    """

    default_dates: Literal["uniform"] | DayOfPeriod = "uniform"
    payments_per_year: Literal[1, 2, 4, 12] = 12
    npl_after_days: Days = 90
    claim_after_days: Days = 90
    payment_lag_days: Days = 30
    parties: dict[Name, PartyTiming] = Field(default_factory=dict)
    workout_lag: LagDistribution = LagDistribution(fixed=2.0)
    cure: Cure | None = None
    write_off_after_days: Days | None = None
    discount_rate: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)] = 0.0
    keep_paths: Annotated[int, Field(ge=0, le=100_000)] = 100

    def party(self, name: str) -> PartyTiming:
        """The timing of party ``name``, with the section's payment lag where it gives none."""
        timing = self.parties.get(name, PartyTiming())
        if timing.payment_lag_days is None:
            return timing.model_copy(update={"payment_lag_days": self.payment_lag_days})
        return timing
