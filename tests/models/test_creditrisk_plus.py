"""CreditRisk+ (CSFB 1997; Gundlach & Lehrbass 2004): the recursion against closed forms,
the simulated model against its analytic distribution, its validation and its streams."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.stats import nbinom, poisson

import risksim
from risksim.analysis.common import defaults_key
from risksim.errors import InputError
from risksim.models.analytic import creditrisk_plus_once_pmf, creditrisk_plus_pmf
from risksim.models.creditrisk_plus import build_creditrisk_plus
from risksim.portfolio import Portfolio
from risksim.scenario.schema import DefaultModelSpec
from tests.builders import scenario_mapping, segment

UNIT = 10_000.0
"""Loss unit (CNY): exposures are whole multiples of it and LGD is 1."""

VARIANCES = {"trade": 1.5, "industry": 0.8}
WEIGHTS = {"trade": {"trade": 0.7, "idiosyncratic": 0.3},
           "industry": {"industry": 0.5, "idiosyncratic": 0.5}}


def _book(**sectors: Any) -> dict[str, Any]:
    """Four segments on two sectors, 330 loans of 1 to 3 loss units, fixed LGD 1."""
    mapping = scenario_mapping(
        [segment("small_trade", 150, exposure=UNIT, pd=0.02, sector="trade"),
         segment("large_trade", 40, exposure=3 * UNIT, pd=0.01, sector="trade"),
         segment("small_industry", 100, exposure=UNIT, pd=0.03, sector="industry"),
         segment("mid_industry", 40, exposure=2 * UNIT, pd=0.015, sector="industry")],
        correlation=None,
        defaults={"model": "creditrisk_plus",
                  "sectors": {"variances": VARIANCES, "assign_by": "sector",
                              "weights": WEIGHTS, **sectors}})
    return mapping


def _analytic_arguments(scenario: risksim.Scenario) -> tuple[np.ndarray, ...]:
    portfolio = scenario.portfolio
    names = ["idiosyncratic", *VARIANCES]
    weights = np.array([[WEIGHTS[s].get(name, 0.0) for name in names]
                        for s in portfolio["sector"]])
    return (portfolio["pd"], np.round(portfolio["exposure"] / UNIT), weights,
            np.array(list(VARIANCES.values())))


# --- the recursion, by hand and in closed form -------------------------------------------

def test_recursion_by_hand_one_sector_geometric() -> None:
    # σ² = 1 (shape 1) and μ = Σ p_i = 1: δ = 1/2, the count is geometric, P(N = n) = 2^−(n+1);
    # losses of 2 units put that mass on the even units.
    pd, weights = np.full(50, 0.02), np.tile([0.0, 1.0], (50, 1))
    pmf = creditrisk_plus_pmf(pd, np.ones(50), weights, [1.0], 6)
    np.testing.assert_allclose(pmf, [1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 64], rtol=1e-14)
    doubled = creditrisk_plus_pmf(pd, np.full(50, 2), weights, [1.0], 6)
    np.testing.assert_allclose(doubled, [1 / 2, 0, 1 / 4, 0, 1 / 8, 0], rtol=1e-14, atol=0)


@pytest.mark.parametrize("variance", [0.3, 1.0, 2.5])
def test_one_sector_count_is_negative_binomial(variance: float) -> None:
    # CSFB 1997 (A8.3): N ~ NB(r = 1/σ², success probability 1 − δ), δ = σ²μ/(1 + σ²μ).
    pd = np.linspace(0.01, 0.05, 80)
    mu = float(pd.sum())
    delta = variance * mu / (1 + variance * mu)
    pmf = creditrisk_plus_pmf(pd, np.ones(80), np.tile([0.0, 1.0], (80, 1)), [variance], 60)
    expected = nbinom.pmf(np.arange(60), 1 / variance, 1 - delta)
    np.testing.assert_allclose(pmf, expected, rtol=1e-10, atol=1e-300)


def test_sector_zero_alone_is_poisson() -> None:
    pd = np.full(40, 0.05)
    pmf = creditrisk_plus_pmf(pd, np.ones(40), np.tile([1.0, 0.0], (40, 1)), [1.0], 30)
    np.testing.assert_allclose(pmf, poisson.pmf(np.arange(30), 2.0), rtol=1e-12)


def test_at_most_once_is_within_its_bound_of_the_recursion() -> None:
    # P(some loan defaults twice) ≤ Σ_i E[λ_i²]/2 = Σ_i p_i² (1 + w_ik² σ_k²)/2 (E[S_k] = 1,
    # Var S_k = σ_k², w_i0 + w_ik = 1) bounds the total variation between the distributions.
    rng = np.random.default_rng(1)
    n = 300
    pd, units = rng.uniform(0.0005, 0.002, n), rng.integers(1, 5, n)
    weights = np.zeros((n, 3))
    weights[:, 0] = 0.3
    sector = rng.integers(0, 2, n)
    weights[np.arange(n), 1 + sector] = 0.7
    variances = np.array([1.5, 0.8])
    once = creditrisk_plus_once_pmf(pd, units, weights, variances, 200)
    classical = creditrisk_plus_pmf(pd, units, weights, variances, 200)
    second_moment = 1.0 + weights[np.arange(n), 1 + sector] ** 2 * variances[sector]
    bound = float(pd ** 2 @ second_moment) / 2
    assert 0 < np.abs(once - classical).sum() / 2 <= bound
    assert once.sum() == pytest.approx(1.0, abs=1e-12)


# --- simulation against the analytic distribution ---------------------------------------

def _var(pmf: np.ndarray, level: float) -> int:
    return int(np.searchsorted(np.cumsum(pmf), level))


def _es(values: np.ndarray, probabilities: np.ndarray, var: float, level: float) -> float:
    """Acerbi–Tasche: ES_a = VaR_a + E[(L − VaR_a)⁺]/(1 − a)."""
    return var + float(probabilities @ np.maximum(values - var, 0.0)) / (1 - level)


def test_simulated_distribution_agrees_with_the_analytic_one() -> None:
    scenario = risksim.load_scenario(_book())
    n_sims = 200_000
    losses = risksim.simulate(scenario, n_sims=n_sims, seed=2024).losses["gross"].to_numpy()
    units = losses / UNIT
    assert np.array_equal(units, np.round(units))
    pmf = creditrisk_plus_once_pmf(*_analytic_arguments(scenario), 400)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-9)  # the grid holds the whole distribution
    grid = np.arange(pmf.size, dtype=float)
    mean = float(pmf @ grid)
    assert abs(units.mean() - mean) <= 4 * units.std() / np.sqrt(n_sims)
    for level in (0.99, 0.999):
        var = _var(pmf, level)
        # F(VaR) ≥ a > F(VaR − 1): the simulated frequencies, each within 4 binomial errors.
        se = np.sqrt(level * (1 - level) / n_sims)
        assert np.mean(units <= var) >= level - 4 * se
        assert np.mean(units <= var - 1) < level + 4 * se
        # ES: influence function ψ = VaR + (L − VaR)⁺/(1 − a); its sd over √N is the error.
        psi = var + np.maximum(units - var, 0.0) / (1 - level)
        es_se = psi.std() / np.sqrt(n_sims)
        assert abs(psi.mean() - _es(grid, pmf, var, level)) <= 4 * es_se


def test_process_backend_is_bit_identical_to_serial() -> None:
    scenario = risksim.load_scenario(_book())
    serial = risksim.simulate(scenario, n_sims=5_123, seed=8).losses.to_numpy()
    process = risksim.simulate(scenario, n_sims=5_123, seed=8, backend="process", workers=2)
    assert np.array_equal(process.losses.to_numpy(), serial)


# --- validation --------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "message"), [
    ({"variances": {"trade": 0.0, "industry": 0.8}}, "defaults.sectors.variances.trade"),
    ({"weights": {**WEIGHTS, "trade": {"trade": 0.7, "idiosyncratic": 0.2}}},
     "defaults.sectors.weights.trade: the weights add up to 0.9, not 1"),
    ({"weights": {**WEIGHTS, "trade": {"trade": 1.2, "idiosyncratic": -0.2}}},
     "defaults.sectors.weights.trade.trade"),
    ({"weights": {**WEIGHTS, "trade": {"trdae": 0.7, "idiosyncratic": 0.3}}},
     "unknown sector 'trdae'; did you mean 'trade'?"),
])
def test_bad_sectors_are_refused_one_line_per_error(change: dict[str, Any],
                                                    message: str) -> None:
    with pytest.raises(InputError, match=message.replace(".", r"\.").replace("?", r"\?")) as error:
        risksim.load_scenario(_book(**change))
    # each error its own whole line (1.2 above 1 and its -0.2 below 0: two)
    lines = str(error.value).splitlines()
    assert lines == error.value.lines()
    assert all(line.startswith("<mapping>: defaults.sectors") for line in lines)


def test_a_loan_without_weights_is_refused() -> None:
    mapping = _book(weights={"trade": WEIGHTS["trade"]})
    with pytest.raises(InputError, match="has sector 'industry', which has no weights"):
        risksim.load_scenario(mapping).plan  # noqa: B018


def test_qmc_and_importance_sampling_are_refused() -> None:
    scenario = risksim.load_scenario(_book())
    for options in ({"qmc": 8}, {"tail_level": 0.99}):
        with pytest.raises(InputError, match="not supported for model: creditrisk_plus"):
            risksim.simulate(scenario, n_sims=100, **options)


def test_weights_from_loading_columns_put_the_rest_on_sector_zero() -> None:
    frame = pd.DataFrame({"loan_id": ["a", "b", "c"], "exposure": 1.0, "pd": 0.02, "lgd": 1.0,
                          "loading_trade": [0.6, 0.0, 0.3], "loading_industry": [0.0, 1.0, 0.3]})
    spec = DefaultModelSpec.model_validate(
        {"model": "creditrisk_plus",
         "sectors": {"variances": {"trade": 1.0, "industry": 0.5}, "assign_by": "loadings"}})
    model = build_creditrisk_plus(spec, Portfolio.from_frame(frame))
    np.testing.assert_allclose(model.sector_weights,
                               [[0.4, 0.6, 0.0], [0.0, 0.0, 1.0], [0.4, 0.3, 0.3]])
    frame["loading_trade"] = [0.6, 0.1, 0.3]  # b: 0.1 + 1.0 > 1
    with pytest.raises(InputError, match="loan 'b' has sector weights below 0 or adding up to "
                                         "more than 1"):
        build_creditrisk_plus(spec, Portfolio.from_frame(frame))
    with pytest.raises(InputError, match="no column 'loading_industry'"):
        build_creditrisk_plus(spec, Portfolio.from_frame(frame.drop(columns="loading_industry")))


@pytest.mark.parametrize(("defaults", "message"), [
    ({"correlation": 0.2}, "correlation applies to the copulas, not creditrisk_plus"),
    ({"lgd_dependence": "frye_jacobs"}, "creditrisk_plus has no asset correlation"),
    ({"sectors": None}, "creditrisk_plus needs sectors"),
])
def test_copula_settings_are_refused(defaults: dict[str, Any], message: str) -> None:
    mapping = _book()
    mapping["defaults"].update(defaults)
    with pytest.raises(InputError, match=message):
        risksim.load_scenario(mapping)


def test_scenarios_share_defaults_exactly_when_their_sectors_agree() -> None:
    base = risksim.load_scenario(_book())
    other_arrangement = _book()
    other_arrangement["arrangement"] = {
        "parties": ["bank", "guarantor"],
        "layers": [{"party": "guarantor", "share_of_loss": 0.5}, {"party": "bank",
                                                                   "residual": True}]}
    assert defaults_key(risksim.load_scenario(other_arrangement)) == defaults_key(base)
    riskier = risksim.load_scenario(_book(variances={"trade": 2.0, "industry": 0.8}))
    assert defaults_key(riskier) != defaults_key(base)
