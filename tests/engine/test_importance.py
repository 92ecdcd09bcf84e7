"""Importance sampling (Glasserman & Li 2005): unbiased tails with far smaller errors, the
same bits on every backend, and weighted measures everywhere."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest

import risksim
from benchmarks.b1_reference import REFERENCE as B1_REFERENCE
from benchmarks.b1_reference import tolerance as b1_tolerance
from risksim.engine.importance import DEFENSIVE_SHARE
from risksim.stats import measures
from risksim.streams import BLOCK_SIZE
from tests.builders import B1_SCENARIO, ROOT, same_on_two_workers, scenario_mapping, segment

GL_SCENARIO = ROOT / "benchmarks" / "glasserman_li.yaml"


def test_weighted_measures_equal_the_unweighted_ones_at_unit_weights() -> None:
    losses = np.random.default_rng(3).gamma(2.0, 10.0, 4000)
    plain = measures.summarize(losses, [0.9, 0.99])
    weighted = measures.weighted_summarize(losses, np.ones(losses.size), [0.9, 0.99])
    for key in ("EL", "EL_se", "VaR_0.9", "ES_0.9", "VaR_0.99", "ES_0.99"):
        assert weighted[key] == pytest.approx(plain[key], rel=1e-9), key
    # the same asymptotic errors with other small-sample divisors (N or k against N − 1, k − 1)
    assert weighted["SD"] == pytest.approx(plain["SD"], rel=1e-3)
    for key in ("SD_se", "ES_0.9_se", "ES_0.99_se"):
        assert weighted[key] == pytest.approx(plain[key], rel=2e-2), key


def test_weighted_measures_of_an_importance_sample_recover_the_exponential_tail() -> None:
    # L ~ Exp(1) sampled from Exp(0.2): w = e^{-L} / (0.2 e^{-0.2 L}).
    n = 50_000
    draws = np.random.default_rng(8).exponential(5.0, n)
    weights = 5.0 * np.exp(-0.8 * draws)
    row = measures.weighted_summarize(draws, weights, [0.999])
    var_se = (row["VaR_0.999_hi"] - row["VaR_0.999_lo"]) / (2 * 1.959963984540054)
    assert abs(row["VaR_0.999"] - math.log(1000)) <= 4 * var_se
    assert abs(row["ES_0.999"] - (math.log(1000) + 1)) <= 4 * row["ES_0.999_se"]
    assert abs(row["EL"] - 1.0) <= 4 * row["EL_se"]
    assert abs(row["SD"] - 1.0) <= 4 * row["SD_se"]
    # far tighter than plain sampling's ES error at the same n: (Var + a(ES-VaR)^2)/(n(1-a))
    assert row["ES_0.999_se"] < math.sqrt((1 + 0.999) / (n * 0.001)) / 5


def test_b1_expected_shortfall_matches_the_semi_analytic_reference() -> None:
    scenario = risksim.load_scenario(B1_SCENARIO)
    result = risksim.simulate(scenario, n_sims=10_000, seed=5, tail_level=0.999)
    assert result.weights is not None and (result.weights > 0).any()
    row = result.summary().loc["gross"]
    reference = B1_REFERENCE["ES_0.999"]
    assert abs(row["ES_0.999"] - reference) <= b1_tolerance("ES_0.999", row["ES_0.999_se"])
    assert row["ES_0.999_se"] / row["ES_0.999"] < 0.005  # plain MC at 10^4: about 7%
    assert result.metadata["sampling"]["tail_level"] == 0.999


def test_importance_sampled_runs_are_bit_identical_on_every_backend(tmp_path: Path) -> None:
    scenario = risksim.load_scenario(scenario_mapping(
        [segment("a", 400, pd=0.02, lgd={"beta": {"mean": 0.5, "sd": 0.2}})],
        defaults={"model": "t_copula", "degrees_of_freedom": 5},
        layers=[{"party": "guarantor", "share_of_loss": 0.5, "per_loan_cap": 0.3},
                {"party": "bank", "residual": True}]))
    n_sims = 3 * BLOCK_SIZE + 11
    serial = same_on_two_workers(scenario, n_sims, 2, tail_level=0.99)
    assert serial.weights is not None
    assert serial.metadata["sampling"]["chi2_scale"] < 1  # the t tail: smaller chi-square
    serial.save(tmp_path / "run")
    back = risksim.load_result(tmp_path / "run")
    assert back.weights is not None
    assert np.array_equal(back.weights.to_numpy(), serial.weights.to_numpy())
    assert back.summary().equals(serial.summary())


def _agrees(plain: risksim.Result, sampled: risksim.Result, threshold: float,
            variance_reduction: float) -> None:
    """P(L > threshold) of both runs within 4 combined standard errors, and the sampled
    run's variance per simulation at most 1/variance_reduction of plain sampling's; the
    defensive mixture bounds the weights, so even the expected loss (the body of the
    distribution) agrees within 4 combined standard errors."""
    a = plain.exceedance([threshold]).iloc[0]
    b = sampled.exceedance([threshold]).iloc[0]
    assert abs(a["probability"] - b["probability"]) <= 4 * math.hypot(a["se"], b["se"])
    per_simulation = b["se"] ** 2 * len(sampled.losses)
    assert per_simulation * variance_reduction < a["probability"] * (1 - a["probability"])
    assert sampled.weights is not None
    assert sampled.weights.max() <= 1 / DEFENSIVE_SHARE
    mean_plain, mean_sampled = plain.summary().loc["gross"], sampled.summary().loc["gross"]
    assert abs(mean_plain["EL"] - mean_sampled["EL"]) <= 4 * math.hypot(
        mean_plain["EL_se"], mean_sampled["EL_se"])


def test_t_copula_tail_probability_agrees_with_plain_monte_carlo() -> None:
    scenario = risksim.load_scenario(scenario_mapping(
        [segment("a", 300, pd=0.01), segment("b", 100, pd=0.03, exposure=2.0)],
        correlation=0.2, defaults={"model": "t_copula", "degrees_of_freedom": 4}))
    plain = risksim.simulate(scenario, n_sims=30 * BLOCK_SIZE, seed=1)
    threshold = float(np.quantile(plain.losses["gross"], 0.995))
    sampled = risksim.simulate(scenario, n_sims=4 * BLOCK_SIZE, seed=2, tail_level=0.995)
    _agrees(plain, sampled, threshold, variance_reduction=4)


@pytest.mark.slow
def test_glasserman_li_book_tail_probabilities_agree_with_a_long_plain_run() -> None:
    scenario = risksim.load_scenario(GL_SCENARIO)
    plain = risksim.simulate(scenario, n_sims=100_000, seed=11, backend="process", workers=2)
    for level in (0.99, 0.999):
        threshold = float(np.quantile(plain.losses["gross"], level))
        sampled = risksim.simulate(scenario, n_sims=5 * BLOCK_SIZE, seed=12, tail_level=level,
                                   backend="process", workers=2)
        _agrees(plain, sampled, threshold, variance_reduction=20)


@pytest.mark.parametrize("defaults", [{"model": "gaussian_copula"},
                                      {"model": "t_copula", "degrees_of_freedom": 5}])
def test_the_tail_bound_gradient_matches_finite_differences(
        defaults: dict[str, object]) -> None:
    # The shift search uses the envelope-theorem gradient of the tail bound; central
    # differences of the bound itself (step 1e-6, error O(h^2)) must agree with it.
    from risksim.engine import importance

    scenario = risksim.load_scenario(scenario_mapping(
        [segment("a", 300, pd=0.01), segment("b", 100, pd=0.04, exposure=2.0)],
        correlation=0.2, defaults=defaults, horizon={"years": 2, "periods_per_year": 1}))
    plan = scenario.plan
    cells = plan.active_cells
    loss = importance.event_losses(plan)
    counts = np.array([plan.groups[g].members.size for _, g in cells], dtype=float)
    target = 0.3 * float(counts @ loss[[g for _, g in cells]])  # a loss far in the tail
    arguments = (plan, cells, counts, loss[[g for _, g in cells]], target)
    copula = plan.default_model.factor_sampling()
    size = plan.n_periods * copula.n_factors + (copula.degrees_of_freedom is not None)
    for point in np.random.default_rng(4).normal(-1.0, 0.5, (3, size)):
        _, gradient = importance._tail_bound(point, *arguments)
        numeric = np.array([
            (importance._tail_bound(point + step, *arguments)[0]
             - importance._tail_bound(point - step, *arguments)[0]) / 2e-6
            for step in 1e-6 * np.eye(size)])
        assert np.allclose(gradient, numeric, rtol=1e-5, atol=1e-5 * np.abs(gradient).max())
        assert np.abs(gradient).max() > 1e-3  # not a vacuous comparison of zeros


def test_levels_far_below_the_tuned_one_are_flagged_when_few_model_draws_reach_them() -> None:
    # N·α·(1 − b) simulations drawn from the model land beyond VaR_b: 1,000 x 0.1 x 0.01 = 1
    # at b = 0.99 (flagged, fewer than 5), 10,000 x 0.1 x 0.01 = 10 (not flagged)
    scenario = risksim.load_scenario(scenario_mapping([segment("a", 200, pd=0.02)]))
    with pytest.warns(UserWarning, match=r"measures at 0\.99 rest on fewer than 5 .* run at "
                                         r"least 5,000 simulations"):
        risksim.simulate(scenario, n_sims=1_000, seed=1, tail_level=0.999, levels=[0.99, 0.999])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        risksim.simulate(scenario, n_sims=10_000, seed=1, tail_level=0.999,
                         levels=[0.99, 0.999])
