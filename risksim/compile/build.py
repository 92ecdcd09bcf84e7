"""Compile a scenario into a :class:`~risksim.compile.plan.SimulationPlan`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from risksim.compile.plan import (
    SimulationPlan,
    active_window,
    classify_loans,
    group_loans,
    outstanding_by_year,
)
from risksim.compile.rules import (
    build_fees,
    build_origination,
    build_rules,
    guaranteed_share,
)
from risksim.errors import InputError
from risksim.models.loss import LossModel
from risksim.models.registry import build_default_model
from risksim.portfolio import Portfolio
from risksim.rules.compensation import ReleasedGuarantees
from risksim.rules.monitors import NplTolerance

if TYPE_CHECKING:
    from risksim.compile.scenario import Scenario

MATURITY_SLACK = 1e-9
"""Years: a tenor ending this close to the horizon's end ends within it (rounding)."""


def compile_plan(scenario: Scenario) -> SimulationPlan:
    """Configure the default model, the loss model and the rules of ``scenario``.

    Raises
    ------
    InputError
        With the dotted path of the setting the portfolio cannot satisfy.
    """
    spec, portfolio = scenario.spec, scenario.portfolio
    horizon = spec.horizon
    model = build_default_model(spec.defaults, portfolio)
    period_pd = model.period_pd(horizon.periods_per_year)
    window = _active_window(portfolio, horizon.periods_per_year, horizon.n_periods)
    loss_model = LossModel.for_portfolio(
        portfolio, period_years=1.0 / horizon.periods_per_year,
        frye_jacobs=spec.defaults.lgd_dependence == "frye_jacobs",
        period_pd=period_pd, asset_correlation=model.asset_correlation,
        accrued_interest_days=spec.portfolio.accrued_interest_days,
        workout_cost_rate=spec.portfolio.workout_cost_rate)
    n_years = -(-horizon.n_periods // horizon.periods_per_year)
    outstanding = outstanding_by_year(portfolio["exposure"], portfolio["tenor_years"],
                                      loss_model.instalment, portfolio["origination_year"],
                                      n_years)
    rules = build_rules(spec.arrangement, portfolio, outstanding, horizon,
                        spec.portfolio.accrued_interest_days)
    origination = build_origination(spec.arrangement, portfolio, outstanding)
    loan_class, representative = classify_loans(rules, len(portfolio))
    return SimulationPlan(
        n_periods=horizon.n_periods, periods_per_year=horizon.periods_per_year,
        default_model=model, groups=group_loans(model, period_pd, window), loss_model=loss_model,
        rules=rules, parties=scenario.parties,
        fees=build_fees(spec.arrangement, portfolio, outstanding, origination),
        monitors=(*_monitors(scenario, outstanding), *_released(scenario),
                  *((origination,) if origination else ())),
        origination=origination,
        loan_class=loan_class, class_representative=representative)


def _active_window(portfolio: Portfolio, periods_per_year: int, n_periods: int) -> np.ndarray:
    window = active_window(portfolio["origination_year"], portfolio["tenor_years"],
                           periods_per_year, n_periods)
    late = window[:, 0] >= n_periods
    if late.any():
        i = int(np.argmax(late))
        raise InputError(f"loan '{portfolio['loan_id'][i]}' originates in year "
                         f"{portfolio['origination_year'][i]:g}, after the horizon",
                         path="horizon.years")
    return window


def _monitors(scenario: Scenario, outstanding: np.ndarray) -> tuple[NplTolerance, ...]:
    tolerance = scenario.spec.npl_tolerance
    if tolerance is None:
        return ()
    return (NplTolerance(tolerance.overall_npl_ratio + tolerance.margin, outstanding,
                         basis=tolerance.basis, lender=scenario.spec.arrangement.layers[-1].party,
                         parties=scenario.parties),)


def _released(scenario: Scenario) -> tuple[ReleasedGuarantees, ...]:
    """The guarantees released over the horizon, when recoveries are shared (the base of
    the compensation rate beside the compensation and recovery indicators)."""
    arrangement, portfolio = scenario.spec.arrangement, scenario.portfolio
    if arrangement.recoveries is None:
        return ()
    lender = arrangement.layers[-1].party
    parties = tuple(party for party in arrangement.parties if party != lender)
    guaranteed = np.column_stack([guaranteed_share(arrangement, party, portfolio)
                                  * portfolio["exposure"] for party in parties])
    ends = portfolio["origination_year"] + portfolio["tenor_years"]
    return (ReleasedGuarantees(parties, guaranteed,
                               ends <= scenario.spec.horizon.years + MATURITY_SLACK),)
