"""The scenario file's schema: pydantic models, one per section of the file.

Every model rejects unknown keys (with the nearest valid key suggested) and is immutable.
Rates are fractions (0.40, not 40), money is in the scenario's currency, time in years.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from risksim.scenario.arrangement import Arrangement
from risksim.scenario.base import (
    Currency,
    Fraction,
    Level,
    Money,
    Name,
    StrictModel,
    Years,
    located,
)
from risksim.scenario.timeline import DAYS_PER_YEAR, DayOfPeriod, TimelineSpec
from risksim.streams import BLOCK_SIZE
from risksim.util.suggest import unknown_name_message

DEFAULT_LEVELS = (0.95, 0.99, 0.999)
DEFAULT_N_SIMS = 100_000
DEFAULT_SEED = 1


class Horizon(StrictModel):
    """Simulation horizon: ``years`` cut into ``periods_per_year`` equal periods."""

    years: Years = 1.0
    periods_per_year: Annotated[int, Field(ge=1, le=365)] = 1

    @model_validator(mode="after")
    def _whole_periods(self) -> Horizon:
        periods = self.years * self.periods_per_year
        if abs(periods - round(periods)) > 1e-9:
            raise ValueError(f"years x periods_per_year = {periods:g} is not a whole number "
                             "of periods")
        return self

    @property
    def n_periods(self) -> int:
        """Number of periods in the horizon."""
        return round(self.years * self.periods_per_year)


class LognormalExposure(StrictModel):
    """Lognormal loan size by median and 95th percentile (money), optionally truncated at cap."""

    median: Money
    p95: Money
    cap: Money | None = None

    @model_validator(mode="after")
    def _ordered(self) -> LognormalExposure:
        if self.p95 <= self.median:
            raise ValueError(f"p95 ({self.p95:g}) must be above median ({self.median:g})")
        if self.cap is not None and self.cap <= self.median:
            raise ValueError(f"cap ({self.cap:g}) must be above median ({self.median:g})")
        return self


class BetaParameters(StrictModel):
    """Beta distribution by mean and standard deviation (fractions)."""

    mean: Annotated[float, Field(gt=0.0, lt=1.0)]
    sd: Annotated[float, Field(gt=0.0)]

    @model_validator(mode="after")
    def _feasible(self) -> BetaParameters:
        if self.sd**2 >= self.mean * (1 - self.mean):
            raise ValueError(f"sd {self.sd:g} is too large for mean {self.mean:g}: "
                             "sd^2 must be below mean*(1-mean)")
        return self


class BetaLGD(StrictModel):
    """LGD drawn per default from a beta distribution."""

    beta: BetaParameters


class Collateral(StrictModel):
    """Collateral pledged per loan: value as a multiple of exposure, liquidation haircut."""

    type: str
    value_to_exposure: Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
    haircut: Fraction = 0.0


class Segment(StrictModel):
    """A segment of generated loans sharing PD, LGD, tenor mix and attributes.

    ``lender`` names the bank of every loan, or a mix ``{bank: weight}`` drawn per loan
    (weights add up to 1); ``first_loan`` marks the borrowers' first bank loans;
    ``interest_rate`` is annual (a fraction).
    """

    name: Name
    count: Annotated[int, Field(ge=1, le=10_000_000)]
    exposure: Money | LognormalExposure
    pd: Fraction
    tenor_years: Years | dict[float, Annotated[float, Field(gt=0.0)]] = 1.0
    amortisation: Literal["bullet", "instalment"] = "bullet"
    origination_year: Annotated[int, Field(ge=0)] | dict[int, Annotated[float, Field(gt=0.0)]] = 0
    lgd: Fraction | BetaLGD
    sector: str | None = None
    region: str | None = None
    size_class: str | None = None
    rating: str | None = None
    purpose: str | None = None
    lender: str | dict[str, Annotated[float, Field(gt=0.0)]] | None = None
    first_loan: bool | None = None
    guarantee_age_years: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] | None = None
    interest_rate: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] | None = None
    annual_sales_eur_m: Money | None = None
    collateral: Collateral | None = None

    @field_validator("tenor_years", "origination_year")
    @classmethod
    def _mix(cls, value: float | dict[float, float]) -> float | dict[float, float]:
        if isinstance(value, dict):
            if not value:
                raise ValueError("the mix is empty")
            if any(t < 0 for t in value):
                raise ValueError("every value in the mix must be >= 0")
            total = sum(value.values())
            if abs(total - 1.0) > 1e-9:
                raise ValueError(f"mix weights add up to {total:g}, not 1")
        return value

    @field_validator("lender")
    @classmethod
    def _lender_mix(cls, value: str | dict[str, float] | None) -> str | dict[str, float] | None:
        if isinstance(value, dict):
            if not value:
                raise ValueError("the lender mix is empty")
            total = sum(value.values())
            if abs(total - 1.0) > 1e-9:
                raise ValueError(f"lender mix weights add up to {total:g}, not 1")
        return value

    @field_validator("tenor_years")
    @classmethod
    def _positive_tenors(cls, value: float | dict[float, float]) -> float | dict[float, float]:
        if isinstance(value, dict) and any(t <= 0 for t in value):
            raise ValueError("every tenor in the mix must be > 0 years")
        return value


class GeneratedPortfolio(StrictModel):
    """A synthetic portfolio drawn from segments with its own seed."""

    seed: Annotated[int, Field(ge=0)]
    segments: Annotated[list[Segment], Field(min_length=1)]

    @field_validator("segments")
    @classmethod
    def _unique_names(cls, segments: list[Segment]) -> list[Segment]:
        names = [s.name for s in segments]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"segment name '{name}' is used twice")
        return segments


class PortfolioSpec(StrictModel):
    """Where the loans come from: a file (CSV or Parquet) or a generator.

    ``column_defaults`` gives a value to every loan for a column the file does not have
    (e.g. ``tenor_years: 3``); a column the file has cannot be overridden this way.
    ``accrued_interest_days``: days of interest (at each loan's ``interest_rate``) unpaid at
    default, lost with the principal (M5; e.g. from the last payment to the claim), counted
    30/360 like the timeline: interest = outstanding × rate × days / 360.
    ``workout_cost_rate``: fraction of each recovery spent on the workout (M3, M16); the
    loss includes it and recoveries are shared net of it.
    """

    file: str | None = None
    accrued_interest_days: Annotated[float, Field(ge=0.0, le=3650.0)] = 0.0
    workout_cost_rate: Fraction = 0.0
    column_defaults: dict[str, float | str] | None = None
    generate: GeneratedPortfolio | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> PortfolioSpec:
        if (self.file is None) == (self.generate is None):
            raise ValueError("give exactly one of 'file' or 'generate'")
        if self.column_defaults is not None and self.file is None:
            raise located("column_defaults applies to a portfolio file", "column_defaults")
        return self


class Factors(StrictModel):
    """Systematic factors of a multi-factor copula.

    Each loan loads either on the factor named by its ``sector`` or ``region``
    (``assign_by``), with loading √R so that its asset correlation is R, or on several
    factors through ``loading_<factor>`` portfolio columns (``assign_by: loadings``).
    ``correlation`` is the factor correlation matrix, or one number for all pairs.
    """

    names: Annotated[list[str], Field(min_length=1)]
    correlation: float | list[list[float]] = 0.0
    assign_by: Literal["sector", "region", "loadings"]

    @model_validator(mode="after")
    def _valid_matrix(self) -> Factors:
        if len(set(self.names)) != len(self.names):
            raise ValueError("factor names must be unique")
        matrix = self.matrix()
        k = len(self.names)
        if matrix.shape != (k, k):
            raise ValueError(f"correlation must be a {k}x{k} matrix (one row per factor)")
        if not np.allclose(np.diag(matrix), 1.0) or not np.allclose(matrix, matrix.T):
            raise ValueError("correlation matrix must be symmetric with ones on the diagonal")
        if np.linalg.eigvalsh(matrix).min() < -1e-12:
            raise ValueError("correlation matrix is not positive semi-definite")
        return self

    def matrix(self) -> np.ndarray:
        """The factor correlation matrix as an array (K x K)."""
        k = len(self.names)
        if isinstance(self.correlation, float):
            return np.full((k, k), self.correlation) + np.eye(k) * (1 - self.correlation)
        return np.asarray(self.correlation, dtype=float)


class Stress(StrictModel):
    """Stress overlay: PD multiplied, asset correlation shifted (added).

    A multiplier that takes some loan's PD above 1 is refused at load (naming the loan);
    PDs are never capped at 1, which would silently weaken the stress.
    """

    pd_multiplier: Annotated[float, Field(gt=0.0, allow_inf_nan=False)] = 1.0
    correlation_shift: Annotated[float, Field(gt=-1.0, lt=1.0)] = 0.0


IDIOSYNCRATIC_SECTOR = "idiosyncratic"
"""Name of CreditRisk+'s sector 0, whose factor is the constant 1 (no systematic risk)."""


class Sectors(StrictModel):
    """CreditRisk+ sectors: gamma factors S_k with mean 1 and variance σ_k², and the weights
    w_ik of every loan on them.

    ``weights`` maps each value of the loans' ``sector``, ``region`` or ``size_class``
    (``assign_by``) to that loan's weights per sector name, ``idiosyncratic`` for sector 0;
    with ``assign_by: loadings`` a loan's weight on sector k is its ``loading_<k>`` column
    and the rest, 1 − Σ_k w_ik, goes to sector 0. Weights are ≥ 0 and add up to 1.
    """

    variances: Annotated[dict[Name, Annotated[float, Field(gt=0.0, allow_inf_nan=False)]],
                         Field(min_length=1)]
    assign_by: Literal["sector", "region", "size_class", "loadings"]
    weights: dict[str, dict[str, Fraction]] | None = None

    @model_validator(mode="after")
    def _valid_weights(self) -> Sectors:
        if IDIOSYNCRATIC_SECTOR in self.variances:
            raise located(f"'{IDIOSYNCRATIC_SECTOR}' is sector 0 (no variance); name the "
                          "systematic sectors only", "variances", IDIOSYNCRATIC_SECTOR)
        if (self.weights is None) != (self.assign_by == "loadings"):
            raise located("give weights exactly when assign_by is not loadings", "weights")
        valid = [*self.variances, IDIOSYNCRATIC_SECTOR]
        for value, row in (self.weights or {}).items():
            for sector in row:
                if sector not in valid:
                    raise located(unknown_name_message("sector", sector, valid),
                                  "weights", value, sector)
            if abs(sum(row.values()) - 1.0) > 1e-9:
                raise located(f"the weights add up to {sum(row.values()):g}, not 1",
                              "weights", value)
        return self


CorrelationSource = Literal[
    "basel_corporate", "basel_sme", "basel_retail", "from_portfolio", "from_loadings"]


class DefaultModelSpec(StrictModel):
    """Default model: Gaussian or Student-t factor copula and its asset correlation, or
    CreditRisk+ and its sectors.

    ``correlation`` is a number R in [0, 1), a Basel IRB formula (``basel_corporate``,
    ``basel_sme`` using each loan's ``annual_sales_eur_m``, ``basel_retail`` for other
    retail), ``from_portfolio`` (the ``rho`` column) or ``from_loadings`` (the factor loadings
    define it). ``lgd_dependence: frye_jacobs`` makes LGD rise with the conditional default
    rate (Frye & Jacobs 2012). ``creditrisk_plus`` (gamma-mixed Poisson sectors, CSFB 1997)
    takes ``sectors`` instead of ``correlation`` and ``factors``.
    """

    model: Literal["gaussian_copula", "t_copula", "creditrisk_plus"] = "gaussian_copula"
    degrees_of_freedom: Annotated[float, Field(gt=0.0, allow_inf_nan=False)] | None = None
    correlation: Annotated[float, Field(ge=0.0, lt=1.0)] | CorrelationSource | None = None
    factors: Factors | None = None
    sectors: Sectors | None = None
    lgd_dependence: Literal["none", "frye_jacobs"] = "none"
    stress: Stress = Stress()

    @model_validator(mode="after")
    def _consistent(self) -> DefaultModelSpec:
        if self.model == "t_copula" and self.degrees_of_freedom is None:
            raise located("t_copula needs degrees_of_freedom (a number > 0)", "model")
        if self.model != "t_copula" and self.degrees_of_freedom is not None:
            raise located(f"degrees_of_freedom applies to model: t_copula only, not "
                          f"{self.model}", "degrees_of_freedom")
        if self.model == "creditrisk_plus":
            return self._creditrisk_plus()
        if self.sectors is not None:
            raise located(f"sectors apply to model: creditrisk_plus only, not {self.model}",
                          "sectors")
        if self.correlation is None:
            raise located(f"{self.model} needs correlation", "model")
        loadings = self.factors is not None and self.factors.assign_by == "loadings"
        if loadings != (self.correlation == "from_loadings"):
            raise located("use correlation: from_loadings exactly when factors.assign_by "
                          "is loadings", "correlation")
        return self

    def _creditrisk_plus(self) -> DefaultModelSpec:
        if self.sectors is None:
            raise located("creditrisk_plus needs sectors", "model")
        for key in ("correlation", "factors"):
            if getattr(self, key) is not None:
                raise located(f"{key} applies to the copulas, not creditrisk_plus (it has "
                              "sectors)", key)
        if self.lgd_dependence != "none" or self.stress.correlation_shift != 0.0:
            raise located("creditrisk_plus has no asset correlation to make LGD depend on "
                          "or to shift", "lgd_dependence" if self.lgd_dependence != "none"
                          else "stress")
        return self


class NplToleranceSpec(StrictModel):
    """The regulator's NPL tolerance for the lender's inclusive small-business book (M12).

    Breached in a year whose NPL ratio is above ``overall_npl_ratio + margin`` (CBIRC 2019:
    3 percentage points above the bank's overall ratio). ``consequence`` states what a breach
    costs (reported, not priced). Both NPL ratios are recorded every year of every
    simulation, with O_i the outstanding of loan i at the start of the year and D the loans
    defaulting in it: ``gross`` = Σ_{i∈D} O_i ÷ Σ_i O_i, the regulator's stock of loans
    90 days past due (a non-performing loan is written off within the year after it
    defaults); ``net`` = Σ_{i∈D} (O_i − C_i) ÷ Σ_i O_i, the lender's NPL once the other
    parties' compensation C_i (their shares of the loan's loss times its principal at
    default) has been received: the compensated part of a defaulted loan leaves the lender's
    NPL. ``basis`` names the ratio the tolerance test uses.
    """

    overall_npl_ratio: Fraction
    margin: Fraction = 0.03
    basis: Literal["net", "gross"] = "net"
    consequence: str | None = None


class SimulationSpec(StrictModel):
    """How many simulations, with which seed, reporting which quantile levels."""

    n_sims: Annotated[int, Field(ge=1, le=10**9)] = DEFAULT_N_SIMS
    seed: Annotated[int, Field(ge=0)] = DEFAULT_SEED
    levels: list[Level] = Field(default_factory=lambda: list(DEFAULT_LEVELS), min_length=1)
    backend: Literal["serial", "process", "dask"] = "serial"
    workers: Annotated[int, Field(ge=1, le=256)] | None = None
    address: Annotated[str, Field(pattern=r"^[a-z]+://.+:\d+$")] | None = None
    """A Dask scheduler (``tcp://HOST:PORT``) for backend dask; None starts a local cluster."""
    tail_level: Level | None = None
    """Importance sampling aimed at this tail level (e.g. 0.999); None: plain Monte Carlo."""
    qmc_replicates: Annotated[int, Field(ge=2, le=1000)] | None = None
    """Quasi-Monte Carlo factors with this many independent Sobol scramblings (divides 2000)."""

    @field_validator("levels")
    @classmethod
    def _sorted_unique(cls, levels: list[float]) -> list[float]:
        if sorted(set(levels)) != levels:
            raise ValueError("levels must be distinct and increasing")
        return levels

    @field_validator("qmc_replicates")
    @classmethod
    def _divides_the_block(cls, replicates: int | None) -> int | None:
        if replicates is not None and BLOCK_SIZE % replicates:
            raise ValueError(f"{replicates} replicates: expected a divisor of the block size "
                             f"{BLOCK_SIZE}")
        return replicates

    @model_validator(mode="after")
    def _workers_need_processes(self) -> SimulationSpec:
        if self.workers is not None and self.backend == "serial":
            raise ValueError("workers applies to backend: process or dask, not serial")
        if self.address is not None and self.backend != "dask":
            raise ValueError("address applies to backend: dask")
        if self.address is not None and self.workers is not None:
            raise ValueError("workers applies to a local cluster, not to one at an address")
        return self


class ScenarioSpec(StrictModel):
    """A scenario file: one risk-sharing scheme on one portfolio."""

    name: Annotated[str, Field(min_length=1)]
    description: str | None = None
    currency: Currency
    horizon: Horizon = Horizon()
    portfolio: PortfolioSpec
    defaults: DefaultModelSpec
    arrangement: Arrangement
    npl_tolerance: NplToleranceSpec | None = None
    simulation: SimulationSpec = SimulationSpec()
    timeline: TimelineSpec | None = None

    @model_validator(mode="after")
    def _interest_accrues(self) -> ScenarioSpec:
        if self.portfolio.accrued_interest_days > 0:
            return self
        for index, layer in enumerate(self.arrangement.layers):
            if layer.interest_days_cap is not None:
                raise located("interest_days_cap needs interest in the loss: set "
                              "portfolio.accrued_interest_days (and loans' interest_rate)",
                              "arrangement", "layers", index, "interest_days_cap")
        return self

    @field_validator("name")
    @classmethod
    def _printable(cls, name: str) -> str:
        if re.search(r"[\x00-\x1f]", name):
            raise ValueError("name must be one printable line")
        return name

    @model_validator(mode="after")
    def _timeline_fits(self) -> ScenarioSpec:
        timeline = self.timeline
        if timeline is None:
            return self
        parties = self.arrangement.parties
        for name in timeline.parties:
            if name not in parties:
                raise located(unknown_name_message("party", name, parties),
                              "timeline", "parties", name)
        periods = self.horizon.periods_per_year
        if timeline.payments_per_year % periods:
            raise located(f"{timeline.payments_per_year} payment dates a year do not fall "
                          f"evenly into {periods} periods a year (horizon.periods_per_year): "
                          "use a multiple of it", "timeline", "payments_per_year")
        period_days = DAYS_PER_YEAR // periods
        dates = timeline.default_dates
        if isinstance(dates, DayOfPeriod) and dates.day_of_period >= period_days:
            raise located(f"day {dates.day_of_period} is not inside a period of "
                          f"{period_days} days", "timeline", "default_dates", "day_of_period")
        return self
