"""Compare schemes on the same simulated defaults (common random numbers), in one table.

Schemes on the same loans, default model and horizon are allocated on the very same events
(:mod:`risksim.analysis.common`), so the difference of a measure between two schemes is free of
the noise of drawing the defaults twice: its paired standard error sd(ψ_B − ψ_A)/√N
(:mod:`risksim.stats.influence`) is much smaller than the unpaired √(se_A² + se_B²), and identical
schemes differ by exactly 0.

Per scheme and party: EL, VaR and ES at every level, each with its Monte Carlo standard
error and its difference to the baseline scheme's party of the same name (paired error).
VaR at level a is the loss of a 1-in-N year, N = 1/(1 − a): "who pays in a 1-in-100 year" is
each party's VaR_0.99 (ES_0.99 the mean of the years worse than that). For the parties other
than the lender

    break-even fee   E[C]/E[B]      C the party's loss, B its fee base (outstanding of the
                                    loans it covers, year by year while they perform)
    fee charged      E[F]/E[B]      F its fee income less the fees it pays
    subsidy rate     E[C − F]/E[B]  (annual rates, undiscounted)

Per scheme, with the public parties P (every party but the lender unless named), the public
cost G = Σ_{p∈P} (C_p − F_p), the lending V (the exposure of the loans granted, a lending
trigger's refusals left out) and the lending-years Y = Σ_y w_y·O_y (O_y the exposure
outstanding and performing at the start of year y, w_y the length of year y within the
horizon; Y = V·T for bullet loans of tenor T ≥ horizon T that do not default):

    public cost per unit of lending     E[G]/E[V]     over the horizon
    public cost per unit-year           E[G]/E[Y]     annualised: the yearly cost of a yuan
                                                      of lending outstanding for a year
    lending multiplier                  E[V]/ES_a(G)  lending per unit of public money at
                                                      risk (a the highest level)
    annualised multiplier               E[Y]/(T·ES_a(G))  lending outstanding on an average
                                                      year per unit of public money at risk
    effective coverage                  E[gross − lender's loss] / E[gross]
    bank capital relief (Basel)         :mod:`risksim.analysis.capital` (Basel IRB
                                        substitution: ignores caps, budgets and triggers)
    NPL-tolerance breach                P(some year's NPL ratio above the tolerance), net and
                                        gross, with paired differences (:func:`npl_breach_figures`)
    tail capital relief                 (VaR or ES − EL) of gross less that of the lender's
                                        loss, paired error (:func:`tail_relief_figures`)

Schemes of 1, 3 and 5 years compare on the annualised figures; the horizon figures answer
"what does the whole programme cost". Errors: the delta method on influence values
(:mod:`risksim.stats.influence`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from risksim.analysis.capital import DEFAULT_GUARANTOR_RISK_WEIGHT, capital_relief
from risksim.analysis.common import defaults_key, run_common
from risksim.analysis.price import Z95, PricingTerms, book_outstanding, fee_base_schedules
from risksim.analysis.simulate import choose_backend, result_from_values, run_settings
from risksim.compile.plan import SimulationPlan
from risksim.compile.scenario import Scenario, ScenarioSource, load_scenario
from risksim.engine.block import allocate
from risksim.engine.layout import ColumnLayout
from risksim.errors import InputError
from risksim.results.comparison import Comparison
from risksim.results.result import Result
from risksim.rules.base import LossEvents
from risksim.rules.fees import FeeSchedule
from risksim.stats.influence import (
    difference,
    influence,
    measure_names,
    ratio_of_means,
    standard_error,
)
from risksim.util.suggest import unknown_name_message


def compare(scenarios: Sequence[ScenarioSource], *, baseline: int | str = 0,
            n_sims: int | None = None, seed: int | None = None,
            levels: Sequence[float] | None = None,
            public: Mapping[str, Sequence[str]] | Sequence[str] | None = None,
            guarantor_risk_weight: float = DEFAULT_GUARANTOR_RISK_WEIGHT,
            backend: str | None = None, workers: int | None = None,
            address: str | None = None) -> Comparison:
    """Compare ``scenarios`` on the same simulated defaults.

    Parameters
    ----------
    scenarios : sequence of Scenario or path
        The schemes (named by file stem, or by scenario name when not from a file).
    baseline : int or str
        The scheme differences are taken to: its position or its name (default the first).
    n_sims, seed, levels : optional
        As in :func:`risksim.simulate`; default: the first scheme's settings, for all.
    backend, workers, address : optional
        Where the blocks run, as in :func:`risksim.simulate` (default: the first scheme's
        settings); the same results on each.
    public : sequence of str, or mapping of scheme name to parties, optional
        Parties whose losses are public money (default: every party but the lender).
    guarantor_risk_weight : float
        Risk weight of the guaranteed part for the bank's capital relief.

    Raises
    ------
    InputError
        For fewer than two schemes, an unknown baseline or public party.
    """
    loaded = [load_scenario(s) for s in scenarios]
    if len(loaded) < 2:
        raise InputError("give at least two schemes to compare", path="scenarios")
    names = scheme_names(loaded)
    base = _baseline_index(baseline, names)
    n_sims, seed, level_list = run_settings(loaded[0], n_sims, seed, levels)
    runner = choose_backend(loaded[0], backend, workers, address)
    outputs = [_outputs(scenario) for scenario in loaded]
    values = run_common(loaded, outputs, n_sims, seed, runner)
    results, bases, books = {}, {}, {}
    for name, scenario, value in zip(names, loaded, values, strict=True):
        width = len(ColumnLayout.of(scenario.plan).names)  # then each guarantor's fee base
        guarantors = _guarantors(scenario)
        results[name] = result_from_values(scenario, value[:, :width], seed, level_list)
        bases[name] = dict(zip(guarantors, value[:, width:width + len(guarantors)].T,
                               strict=True))
        lending_years, lending = value[:, width + len(guarantors):].T
        books[name] = _Book(lending_years, lending, scenario.spec.horizon.years)
    publics = _publics(loaded, names, public)
    keys = [defaults_key(scenario) for scenario in loaded]
    paired = {name: key == keys[base] for name, key in zip(names, keys, strict=True)}
    party_rows = _party_table(results, bases, names[base], level_list, paired)
    scheme_rows = pd.DataFrame.from_records(
        [_scheme_row(s, results[n], books[n], publics[n], level_list[-1],
                     guarantor_risk_weight)
         | {"paired": paired[n]} for n, s in zip(names, loaded, strict=True)],
        index=pd.Index(names, name="scheme"))
    scheme_rows = scheme_rows.join(npl_breach_figures(results, names[base], paired)).join(
        tail_relief_figures(results, level_list[-1]))
    return Comparison(parties=party_rows, schemes=scheme_rows, results=results, metadata={
        "baseline": names[base], "n_sims": n_sims, "seed": seed, "levels": level_list,
        "guarantor_risk_weight": guarantor_risk_weight})


def scheme_names(scenarios: Sequence[Scenario]) -> list[str]:
    """A unique name per scheme: its file's stem, else its name (``#2`` added on repeats)."""
    names: list[str] = []
    for scenario in scenarios:
        name = (Path(scenario.source).stem if scenario.source.endswith((".yaml", ".yml"))
                else scenario.name)
        names.append(name if name not in names else f"{name}#{len(names) + 1}")
    return names


def _baseline_index(baseline: int | str, names: list[str]) -> int:
    if isinstance(baseline, int):
        if not 0 <= baseline < len(names):
            raise InputError(f"baseline {baseline}: expected 0 to {len(names) - 1}",
                             path="baseline")
        return baseline
    candidates = [names.index(baseline)] if baseline in names else [
        i for i, name in enumerate(names) if Path(baseline).stem == name]
    if not candidates:
        raise InputError(unknown_name_message("scheme", baseline, names), path="baseline")
    return candidates[0]


def _guarantors(scenario: Scenario) -> list[str]:
    """Parties with a fee base: every party but the lender."""
    lender = scenario.spec.arrangement.layers[-1].party
    return [party for party in scenario.parties if party != lender]


def _outputs(scenario: Scenario) -> _SchemeOutputs:
    """Block outputs: the allocation, then each guarantor's fee base B, then the book's
    lending-years Y and its lending V."""
    schedules = [fee_base_schedules(scenario, party, np.zeros(len(scenario.portfolio),
                                                              dtype=np.int64), 1,
                                    PricingTerms())[0][0]
                 for party in _guarantors(scenario)]
    return _SchemeOutputs(scenario.plan, (*schedules, *_book_schedules(scenario)))


def _book_schedules(scenario: Scenario) -> tuple[FeeSchedule, FeeSchedule]:
    """Unit-rate schedules whose amounts collected are the lending-years
    Y = Σ_y w_y·O_y and the lending V = Σ exposure of the loans granted (money·years, money).

    The first is an annual fee at rate w_y on the outstanding O_y (not owed once a loan has
    defaulted), the second an upfront fee at rate 1 on the exposure (owed by every loan
    granted, defaulted or not).
    """
    plan, portfolio = scenario.plan, scenario.portfolio
    per_cell = None if plan.origination is None else plan.origination.per_cell
    n_loans, years = len(portfolio), scenario.spec.horizon.years
    weight = np.minimum(1.0, years - np.arange(plan.n_years, dtype=float))
    zeros, ones = np.zeros(n_loans), np.ones(n_loans)
    origination = portfolio["origination_year"]
    lending_years = FeeSchedule.compile("lending_years", "borrower", "book", zeros, ones, zeros,
                                        book_outstanding(scenario) * weight, origination,
                                        per_cell)
    lending = FeeSchedule.compile("lending", "borrower", "book", ones, zeros,
                                  portfolio["exposure"], np.zeros((n_loans, plan.n_years)),
                                  origination, per_cell)
    return lending_years, lending


@dataclass(frozen=True)
class _Book:
    """Per simulation: the lending-years Y (money·years) and the lending V (money) of a
    scheme's book, over a horizon of ``horizon_years``."""

    lending_years: np.ndarray
    lending: np.ndarray
    horizon_years: float


@dataclass(frozen=True, eq=False)
class _SchemeOutputs:
    """Per simulation of a chunk: the scheme's allocation, then each guarantor's fee base."""

    plan: SimulationPlan
    schedules: tuple[FeeSchedule, ...]

    def __call__(self, events: LossEvents, first: int, weights: np.ndarray | None) -> np.ndarray:
        return np.column_stack([allocate(self.plan, events),
                                *[schedule.collected(events) for schedule in self.schedules]])


def _publics(scenarios: Sequence[Scenario], names: list[str],
             public: Mapping[str, Sequence[str]] | Sequence[str] | None) -> dict[str, list[str]]:
    """The public parties of each scheme.

    A list names parties across the schemes: each must be a party of at least one of them
    (a scheme without it counts the others); a mapping names each scheme's own parties.

    Raises
    ------
    InputError
        For a party no scheme has (a mapping: the scheme named lacks), with the nearest name.
    """
    if public is None or isinstance(public, Mapping):
        return {name: _public_of(scenario, name, public)
                for name, scenario in zip(names, scenarios, strict=True)}
    known = sorted({party for scenario in scenarios for party in scenario.parties})
    for party in public:
        if party not in known:
            raise InputError(unknown_name_message("party", party, known), path="public")
    return {name: [party for party in public if party in scenario.parties]
            for name, scenario in zip(names, scenarios, strict=True)}


def _public_of(scenario: Scenario, name: str,
               public: Mapping[str, Sequence[str]] | None) -> list[str]:
    chosen = _guarantors(scenario) if public is None else list(
        public.get(name, _guarantors(scenario)))
    for party in chosen:
        if party not in scenario.parties:
            raise InputError(unknown_name_message("party", party, scenario.parties),
                             path=f"public.{name}")
    return chosen


def net_fees(result: Result, party: str) -> np.ndarray:
    """Per simulation: the fees ``party`` receives less those it pays (money)."""
    total = np.zeros(len(result.losses))
    for fee, who in result.metadata.get("fees", {}).items():
        sign = (who["payee"] == party) - (who["payer"] == party)
        if sign:
            total = total + sign * result.fees[fee].to_numpy()
    return total


def _party_table(results: dict[str, Result], bases: dict[str, dict[str, np.ndarray]],
                 baseline: str, levels: list[float], paired: dict[str, bool]) -> pd.DataFrame:
    """Measures and differences per (scheme, party); a scheme drawn on other defaults than
    the baseline's gets the unpaired standard error as its ``_diff_se``."""
    reference = results[baseline].losses
    rows = {}
    for name, result in results.items():
        summary = result.summary()
        for party in result.losses.columns:
            losses = result.losses[party].to_numpy()
            row: dict[str, float] = {}
            for measure in measure_names(levels):
                row[measure] = influence(losses, measure)[0]
                row[f"{measure}_se"] = _standard_error(summary, party, measure)
                diff = (difference(reference[party].to_numpy(), losses, measure)
                        if party in reference.columns else None)
                row[f"{measure}_diff"] = diff.value if diff else math.nan
                row[f"{measure}_diff_se"] = ((diff.se if paired[name] else diff.se_unpaired)
                                             if diff else math.nan)
                row[f"{measure}_diff_se_unpaired"] = diff.se_unpaired if diff else math.nan
            rows[(name, party)] = row | _subsidy(result, party, bases[name].get(party))
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=["scheme", "party"])
    return frame


def _standard_error(summary: pd.DataFrame, party: str, measure: str) -> float:
    """The run's own standard error of ``party``'s ``measure`` (its summary's; for VaR the
    one its 95% order-statistic band implies, (upper − lower)/(2·1.96), as the run's report
    shows)."""
    row: dict[Any, float] = summary.loc[party].to_dict()
    if measure.startswith("VaR_"):
        return float(row[f"{measure}_hi"] - row[f"{measure}_lo"]) / (2 * Z95)
    return float(row[f"{measure}_se"])


def _subsidy(result: Result, party: str, base: np.ndarray | None) -> dict[str, float]:
    if base is None or base.mean() <= 0:
        return dict.fromkeys(("break_even", "fee_charged", "subsidy_rate", "subsidy_rate_se"),
                             math.nan)
    losses, fees = result.losses[party].to_numpy(), net_fees(result, party)
    subsidy, subsidy_se = ratio_of_means(losses - fees, base)
    return {"break_even": float(losses.mean() / base.mean()),
            "fee_charged": float(fees.mean() / base.mean()),
            "subsidy_rate": subsidy, "subsidy_rate_se": subsidy_se}


def _scheme_row(scenario: Scenario, result: Result, book: _Book, public: list[str],
                level: float, risk_weight: float) -> dict[str, Any]:
    """The scheme figures of the module docstring, each with its standard error."""
    cost = sum((result.losses[p].to_numpy() - net_fees(result, p) for p in public),
               np.zeros(len(result.losses)))
    gross = result.losses["gross"].to_numpy()
    lender = result.losses[scenario.spec.arrangement.layers[-1].party].to_numpy()
    coverage = ratio_of_means(gross - lender, gross) if gross.mean() > 0 else (0.0, 0.0)
    per_year = _multiplier(book.lending_years / book.horizon_years, cost, level)
    relief = capital_relief(scenario, risk_weight)
    return {"lending": float(book.lending.mean()),
            "lending_years": float(book.lending_years.mean()),
            "horizon_years": book.horizon_years,
            **_rate("fiscal_cost_rate", *ratio_of_means(cost, book.lending)),
            **_rate("fiscal_cost_rate_annual", *ratio_of_means(cost, book.lending_years)),
            **_rate("multiplier", *_multiplier(book.lending, cost, level)),
            **_rate("multiplier_annual", *per_year),
            **_rate("effective_coverage", *coverage),
            "capital_without": relief.without, "capital_with": relief.with_scheme,
            "capital_relief_rate": relief.relief_rate, "public": ",".join(public),
            "currency": scenario.spec.currency}


def _rate(name: str, value: float, se: float) -> dict[str, float]:
    return {name: value, f"{name}_se": se}


def _multiplier(lending: np.ndarray, cost: np.ndarray, level: float) -> tuple[float, float]:
    """E[V]/ES_a(G) and its delta-method standard error (infinite, NaN when ES_a(G) ≤ 0).

    ψ = (V − E[V])/ES − (E[V]/ES²)·ψ_ES, ψ_ES the influence values of ES_a(G).
    """
    es, psi_es = influence(cost, f"ES_{level!r}")
    if es <= 0:
        return math.inf, math.nan
    mean_lending = float(lending.mean())
    psi = (lending - mean_lending) / es - mean_lending * psi_es / es**2
    return mean_lending / es, standard_error(psi)


NPL_BREACHES = {"npl_breach": "npl.breach", "npl_net_breach": "npl.net.breach",
                "npl_gross_breach": "npl.gross.breach"}
"""Scheme columns of :func:`npl_breach_figures` and the indicators they estimate."""


def npl_breach_figures(results: Mapping[str, Result], baseline: str,
                       paired: Mapping[str, bool]) -> pd.DataFrame:
    """Per scheme: the probability that some year breaches the NPL tolerance, each basis.

    For ``npl_breach`` (the test on the scheme's own basis), ``npl_net_breach`` and
    ``npl_gross_breach``: the probability p = mean of the 0/1 indicator, its standard error
    √(p(1 − p)/N) (sd of the indicator over √N), and ``_diff`` = p − p_baseline with the
    paired standard error sd(x_B − x_A)/√N of common random numbers (the unpaired one for a
    scheme on other defaults than the baseline's). NaN for a scheme (or a baseline) without
    an ``npl_tolerance``.
    """
    reference = results[baseline].indicators
    rows: dict[str, dict[str, float]] = {}
    for name, result in results.items():
        row: dict[str, float] = {}
        for column, indicator in NPL_BREACHES.items():
            mine = result.indicators.get(indicator)
            base = reference.get(indicator)
            value, se = ((math.nan, math.nan) if mine is None else
                         (float(mine.mean()), standard_error(mine.to_numpy() - mine.mean())))
            diff = (difference(base.to_numpy(), mine.to_numpy(), "EL")
                    if mine is not None and base is not None else None)
            row |= {column: value, f"{column}_se": se,
                    f"{column}_diff": diff.value if diff else math.nan,
                    f"{column}_diff_se": ((diff.se if paired[name] else diff.se_unpaired)
                                          if diff else math.nan)}
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def tail_relief_figures(results: Mapping[str, Result], level: float) -> pd.DataFrame:
    """Per scheme: the lender's capital relief from the simulated tail at ``level``.

    ``tail_relief_<M>`` and ``tail_relief_rate_<M>`` (with ``_se``, paired) for M = VaR and
    ES at ``level``, from :meth:`risksim.Result.capital_relief`: economic capital M − EL of
    the gross loss less that of the lender's loss under the scheme. NaN for a lender alone.
    """
    measures = [f"{kind}_{level:g}" for kind in ("VaR", "ES")]
    rows: dict[str, dict[str, float]] = {}
    for name, result in results.items():
        table = result.capital_relief().reindex(measures)  # NaN rows for a lender alone
        rows[name] = {f"{column}_{measure}{se}": float(value)
                      for column, field in (("tail_relief", "relief"),
                                            ("tail_relief_rate", "relief_rate"))
                      for se in ("", "_se")
                      for measure, value in zip(measures,
                                                table[f"{field}{se}"].to_numpy(dtype=float),
                                                strict=True)}
    return pd.DataFrame.from_dict(rows, orient="index")
