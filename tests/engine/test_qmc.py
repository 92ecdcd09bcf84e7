"""Quasi-Monte Carlo factors: scrambled Sobol points in a fixed order, errors from replicates."""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.stats import qmc

import risksim
from risksim.engine.systematic import QMC_STREAM_KEY, sobol_uniforms
from risksim.streams import BLOCK_SIZE
from tests.builders import scenario_mapping, segment


def test_block_rows_are_consecutive_points_of_their_replicates_sequence() -> None:
    replicates, dimension = 16, 3
    first, second = (sobol_uniforms(9, block, BLOCK_SIZE, dimension, replicates)
                     for block in (0, 1))
    for replicate in (0, 5, 15):
        stream = np.random.Generator(np.random.PCG64DXSM(
            np.random.SeedSequence(9, spawn_key=(QMC_STREAM_KEY, replicate))))
        engine = qmc.Sobol(dimension, scramble=True, bits=30, rng=stream)
        expected = engine.random_base2(8)[:2 * BLOCK_SIZE // replicates] + 0.5**31
        got = np.vstack([first[replicate::replicates], second[replicate::replicates]])
        assert np.array_equal(got, expected)
    assert first.min() > 0 and first.max() < 1


def test_qmc_expected_loss_is_exact_within_its_replicate_error_and_beats_plain() -> None:
    count, pd, exposure = 800, 0.02, 1.5
    scenario = risksim.load_scenario(scenario_mapping(
        [segment("a", count, pd=pd, exposure=exposure)], correlation=0.2))
    n_sims = 8 * BLOCK_SIZE
    sampled = risksim.simulate(scenario, n_sims=n_sims, seed=4, qmc=16)
    plain = risksim.simulate(scenario, n_sims=n_sims, seed=4)
    row = sampled.summary().loc["gross"]
    assert abs(row["EL"] - count * pd * exposure) <= 4 * row["EL_se"]
    assert row["EL_se"] < plain.summary().loc["gross", "EL_se"] / 2
    process = risksim.simulate(scenario, n_sims=n_sims, seed=4, qmc=16, backend="process",
                               workers=2)
    assert np.array_equal(process.losses.to_numpy(), sampled.losses.to_numpy())
    assert sampled.metadata["sampling"]["qmc_replicates"] == 16


def test_bad_sampling_options_are_input_errors() -> None:
    scenario = risksim.load_scenario(scenario_mapping())
    for kwargs, message in (({"qmc": 7}, "qmc: 7 replicates: expected a divisor"),
                            ({"tail_level": 1.0}, "tail_level: 1.0: expected a level"),
                            ({"qmc": 16, "streaming": True}, "streaming: streaming keeps")):
        try:
            risksim.simulate(scenario, n_sims=100, **kwargs)
        except risksim.InputError as error:
            assert str(error).startswith(message), str(error)
        else:
            raise AssertionError(f"{kwargs} accepted")


def test_a_scenario_file_with_replicates_not_dividing_the_block_does_not_validate() -> None:
    mapping = scenario_mapping()
    mapping["simulation"]["qmc_replicates"] = 7
    with pytest.raises(risksim.InputError,
                       match=r"simulation\.qmc_replicates: 7 replicates: expected a divisor "
                             r"of the block size 2000"):
        risksim.load_scenario(mapping)


REPLICATES = 16
Z_95 = NormalDist().inv_cdf(0.975)


def _pool_with_fees_and_recoveries() -> dict[str, Any]:
    """1,000 three-year loans of 1 (PD 2% a year, beta LGD); a pool pays 50% of each loss
    within an annual budget of 8 (binding in about half the simulations) and earns a 1%
    annual fee on the loans still alive; recoveries are shared pro rata."""
    mapping = scenario_mapping(
        [segment("book", 1000, pd=0.02, tenor_years=3, lgd={"beta": {"mean": 0.5, "sd": 0.2}})],
        layers=[{"party": "pool", "share_of_loss": 0.5, "annual_budget": 8.0},
                {"party": "bank", "residual": True}],
        correlation=0.2, horizon={"years": 3, "periods_per_year": 1})
    mapping["arrangement"]["fees"] = [{"name": "guarantee_fee", "payer": "borrower",
                                       "payee": "pool", "annual_rate": 0.01}]
    mapping["arrangement"]["recoveries"] = {"first_to": []}
    return mapping


def _assert_replicate_error(row: pd.Series, value_column: str, values: np.ndarray,
                            weights: np.ndarray, probability: bool = False) -> None:
    """``row`` reports mean(w·values) over every simulation, with se = sd of the R replicate
    means (ddof 1)/√R and bounds ± 1.96 se (clipped to [0, 1] for a probability)."""
    weighted = weights * values
    replicate = np.arange(values.size) % REPLICATES
    means = [weighted[replicate == r].sum() / np.count_nonzero(replicate == r)
             for r in range(REPLICATES)]
    se = np.std(means, ddof=1) / math.sqrt(REPLICATES)
    lower, upper = weighted.mean() - Z_95 * se, weighted.mean() + Z_95 * se
    if probability:
        lower, upper = max(lower, 0.0), min(upper, 1.0)
    assert se > 0
    assert row[value_column] == pytest.approx(weighted.mean(), rel=1e-12)
    assert row["se"] == pytest.approx(se, rel=1e-9)
    assert row["lower"] == pytest.approx(lower, rel=1e-9)
    assert row["upper"] == pytest.approx(upper, rel=1e-9)


@pytest.mark.parametrize("tail_level", [None, 0.9])
def test_probabilities_fees_and_recovery_rates_take_their_errors_from_the_replicates(
        tail_level: float | None) -> None:
    n_sims = 2 * BLOCK_SIZE + 24  # replicates of 252 and 251 simulations
    result = risksim.simulate(_pool_with_fees_and_recoveries(), n_sims=n_sims, seed=3,
                              qmc=REPLICATES, tail_level=tail_level)
    assert (result.weights is None) == (tail_level is None)
    weights = np.ones(n_sims) if result.weights is None else result.weights.to_numpy()
    binds = result.indicators["pool.annual_budget_binds"].to_numpy()
    assert binds.any()
    _assert_replicate_error(result.probabilities().loc["pool.annual_budget_binds"],
                            "probability", binds, weights, probability=True)
    gross = result.losses["gross"].to_numpy()
    threshold = float(np.quantile(gross, 0.7))
    exceedance = result.exceedance([threshold]).set_index("party").loc["gross"]
    _assert_replicate_error(exceedance, "probability", (gross > threshold).astype(float),
                            weights, probability=True)
    _assert_replicate_error(result.fee_summary().loc["guarantee_fee"], "expected",
                            result.fees["guarantee_fee"].to_numpy(), weights)
    # the recovery rate: each replicate's own ratio of weighted sums
    compensation = weights * result.indicators["pool.compensation"].to_numpy()
    recoveries = weights * result.indicators["pool.recoveries"].to_numpy()
    replicate = np.arange(n_sims) % REPLICATES
    rates = [recoveries[replicate == r].sum() / compensation[replicate == r].sum()
             for r in range(REPLICATES)]
    row = result.recovery_summary().loc["pool"]
    assert row["recovery_rate"] == pytest.approx(recoveries.sum() / compensation.sum())
    assert row["rate_se"] == pytest.approx(np.std(rates, ddof=1) / math.sqrt(REPLICATES),
                                           rel=1e-9)


def test_replicate_errors_of_a_probability_match_its_spread_over_independent_seeds() -> None:
    # K independent QMC runs of N = R·n simulations. With replicate estimates p_kr ~ N(p, σ²)
    # (n each), p̂_k = mean_r p_kr has variance σ²/R and se_k² = s_k²/R, s_k² ~ σ²χ²(R−1)/(R−1)
    # independent of p̂_k; so var(p̂_1..p̂_K)/mean(se_k²) ~ F(K − 1, K(R − 1)) when se is right.
    seeds, n_sims, count, pd_ = 24, BLOCK_SIZE, 4000, 0.02
    scenario = risksim.load_scenario(scenario_mapping(
        [segment("book", count, pd=pd_)], correlation=0.2))
    threshold = count * pd_  # P(gross > its mean) ≈ 0.31
    rows = [risksim.simulate(scenario, n_sims=n_sims, seed=100 + k, qmc=REPLICATES)
            .exceedance([threshold]).iloc[0] for k in range(seeds)]
    estimates = np.array([row["probability"] for row in rows])
    errors = np.array([row["se"] for row in rows])
    ratio = estimates.var(ddof=1) / np.mean(errors**2)
    low, high = stats.f.ppf([1e-4, 1 - 1e-4], seeds - 1, seeds * (REPLICATES - 1))
    assert low <= ratio <= high, (ratio, low, high)
    # and QMC earns its keep: the i.i.d. formula would overstate the error several times
    iid = np.sqrt(estimates * (1 - estimates) / n_sims)
    assert np.mean(errors) < np.mean(iid) / 2


def test_too_few_simulations_for_replicates_keep_the_iid_errors() -> None:
    # N < 2R: some replicate has a single simulation, so the i.i.d. formulas apply
    n_sims = 2 * REPLICATES - 1
    result = risksim.simulate(_pool_with_fees_and_recoveries(), n_sims=n_sims, seed=3,
                              qmc=REPLICATES)
    binds = result.indicators["pool.annual_budget_binds"].to_numpy()
    expected = risksim.stats.measures.exceedance_probability(binds, 0.5)
    row = result.probabilities().loc["pool.annual_budget_binds"]
    assert 0 < expected.value < 1
    assert row[["probability", "se", "lower", "upper"]].tolist() == [
        expected.value, expected.se, expected.lower, expected.upper]
    fee = risksim.stats.measures.mean(result.fees["guarantee_fee"].to_numpy())
    assert result.fee_summary().loc["guarantee_fee", "se"] == fee.se


def test_hand_worked_replicate_errors_of_a_probability_and_a_ratio() -> None:
    # R = 2: simulations 0, 2, 4, 6 form replicate 0 and 1, 3, 5, 7 replicate 1.
    # Indicator: replicate 0 has 3 of 4, replicate 1 none: p = 3/8, and
    # se = sd(0.75, 0)/√2 = (0.75/√2)/√2 = 0.375; 0.375 ∓ 1.96·0.375 clipped to [0, 1].
    # Recovery rate: replicate 0 recovers 2 of 4 (0.5), replicate 1 6 of 8 (0.75):
    # rate = 8/12, se = (0.25/√2)/√2 = 0.125.
    indicator = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    compensation = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0]
    recoveries = [0.5, 1.5, 0.5, 1.5, 0.5, 1.5, 0.5, 1.5]
    frame = pd.DataFrame({"pool.suspended": indicator, "pool.compensation": compensation,
                          "pool.recoveries": recoveries, "pool.released": [100.0] * 8})
    result = risksim.Result(losses=pd.DataFrame({"gross": np.arange(8.0)}), indicators=frame,
                            metadata={"sampling": {"qmc_replicates": 2},
                                      "guaranteed_volume": {"pool": 100.0}})
    row = result.probabilities().loc["pool.suspended"]
    assert row.tolist() == pytest.approx([0.375, 0.375, 0.0, 1.0])
    recovery = result.recovery_summary().loc["pool"]
    assert recovery["recovery_rate"] == pytest.approx(8 / 12)
    assert recovery["rate_se"] == pytest.approx(0.125)
    # a replicate without compensation has no ratio: no replicate error either
    frame.loc[frame.index % 2 == 1, ["pool.compensation", "pool.recoveries"]] = 0.0
    lacking = risksim.Result(losses=result.losses, indicators=frame, metadata=result.metadata)
    assert math.isnan(lacking.recovery_summary().loc["pool", "rate_se"])
