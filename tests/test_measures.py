"""Tests of risksim.stats.measures: hand-worked values, closed forms and coverage of the bands."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from statistics import NormalDist

import numpy as np
import numpy.typing as npt
import pytest

from risksim.stats import measures
from risksim.stats.measures import (
    Estimate,
    exceedance_probability,
    expected_shortfall,
    mean,
    standard_deviation,
    summarize,
    value_at_risk,
)

STD_NORMAL = NormalDist()
N_SIGMA = 4.0
"""Tolerance of the statistical checks, in standard errors."""


def normal_var(level: float) -> float:
    """VaR of N(0, 1): the quantile Φ⁻¹(level)."""
    return STD_NORMAL.inv_cdf(level)


def normal_es(level: float) -> float:
    """ES of N(0, 1): φ(Φ⁻¹(level))/(1 - level).

    Closed form of the normal expected shortfall, e.g. McNeil, Frey & Embrechts,
    Quantitative Risk Management (2015), Example 2.14.
    """
    return STD_NORMAL.pdf(STD_NORMAL.inv_cdf(level)) / (1 - level)


# --- hand-worked values -----------------------------------------------------------------


def test_one_to_ten_hand_worked() -> None:
    losses = np.arange(1.0, 11.0)
    assert value_at_risk(losses, 0.9).value == 9.0  # ⌈0.9·10⌉ = 9th value
    assert expected_shortfall(losses, 0.9).value == 10.0  # k = 10 - 9 = 1: the largest
    assert value_at_risk(losses, 0.95).value == 10.0  # ⌈9.5⌉ = 10th value
    assert expected_shortfall(losses, 0.95).value == 10.0  # k would be 0, so k = 1
    assert value_at_risk(losses, 0.5).value == 5.0
    assert expected_shortfall(losses, 0.5).value == 8.0  # mean of 6..10


def test_one_to_ten_bands_hand_worked() -> None:
    losses = np.arange(1.0, 11.0)
    z = STD_NORMAL.inv_cdf(0.975)
    # N·level = 9, z√(10·0.9·0.1) = 1.8594: a = ⌊7.14⌋ = 7, b = ⌈10.86⌉ = 11 → clipped to 10.
    var = value_at_risk(losses, 0.9)
    assert (var.lower, var.upper) == (7.0, 10.0)
    assert var.se == pytest.approx(3.0 / (2 * z), rel=1e-12)
    # k = 1: Var(tail) = 0, ES - VaR = 1, se² = 0.9·1²/(10·0.1) = 0.9.
    es = expected_shortfall(losses, 0.9)
    assert es.se == pytest.approx(math.sqrt(0.9), rel=1e-12)
    assert (es.lower, es.upper) == pytest.approx((10 - z * es.se, 10 + z * es.se), rel=1e-12)


def test_large_arange_hand_worked() -> None:
    losses = np.arange(100_000, dtype=np.float64)
    # 0.99·100000 must give r = 99000 (not 99001): the 99000th value is 98999.
    assert value_at_risk(losses, 0.99).value == 98_999.0
    # The k = 1000 largest are 99000..99999, mean 99499.5.
    assert expected_shortfall(losses, 0.99).value == 99_499.5
    # Level 0.999: r = 99900, k = 100 largest are 99900..99999, mean 99949.5.
    assert value_at_risk(losses, 0.999).value == 99_899.0
    assert expected_shortfall(losses, 0.999).value == 99_949.5


@pytest.mark.parametrize("n", [7, 10, 100, 1_000, 12_345, 100_000, 1_000_000])
@pytest.mark.parametrize(
    "level", [0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999, 0.9999]
)
def test_guarded_ceiling_is_exact(n: int, level: float) -> None:
    # Reference: ⌈level·n⌉ in exact rational arithmetic on the decimal the level prints as.
    r = math.ceil(Fraction(repr(level)) * n)
    k = max(n - r, 1)
    losses = np.arange(n, dtype=np.float64)  # the r-th value (1-based) is r - 1
    assert value_at_risk(losses, level).value == r - 1
    # Mean of the k largest, n-k .. n-1.
    assert expected_shortfall(losses, level).value == pytest.approx(n - (k + 1) / 2, rel=1e-12)


def test_guarded_ceiling_huge_n() -> None:
    for n in (10**7, 10**8, 10**9, 123_456_789):
        for level in (0.9, 0.95, 0.99, 0.995, 0.999, 0.9999, 0.99999):
            assert measures._rank(level, n) == math.ceil(Fraction(repr(level)) * n)


@pytest.mark.parametrize("n", [7, 100, 12_345, 100_000])
@pytest.mark.parametrize("level", [0.1, 0.5, 0.9, 0.99, 0.999])
def test_weighted_rank_at_unit_weights_is_the_guarded_ceiling(n: int, level: float) -> None:
    assert measures.weighted_rank(np.ones(n), level) == math.ceil(Fraction(repr(level)) * n)


def test_weighted_rank_hand_worked_and_the_var_it_picks() -> None:
    # Weights 0.5, 0.5, 1, 2 of the losses in ascending order, N = 4: the mass beyond rank
    # r, (1/N) Σ_{i > r} w_(i), is 0.875, 0.75, 0.5, 0 for r = 1..4.
    weights = [0.5, 0.5, 1.0, 2.0]
    assert [measures.weighted_rank(weights, level) for level in (0.1, 0.2, 0.25, 0.5, 0.9)] == [
        1, 2, 2, 3, 4]
    rng = np.random.default_rng(4)
    losses, w = rng.exponential(1.0, 2_000), rng.exponential(1.0, 2_000)
    order = np.argsort(losses, kind="stable")
    for level in (0.5, 0.95, 0.99):
        row = measures.weighted_summarize(losses, w, [level])
        assert row[f"VaR_{level:g}"] == losses[order][measures.weighted_rank(w[order], level) - 1]


def test_partition_and_sort_agree_with_ties() -> None:
    rng = np.random.default_rng(11)
    losses = rng.integers(0, 50, size=5_001).astype(np.float64)  # many ties
    ordered = np.sort(losses)
    for level in (0.5, 0.9, 0.99, 0.999):
        r = math.ceil(Fraction(repr(level)) * losses.size)
        assert value_at_risk(losses, level).value == ordered[r - 1]
        assert expected_shortfall(losses, level).value == pytest.approx(ordered[r:].mean())


def test_input_not_modified_and_list_accepted() -> None:
    losses = np.array([3.0, 1.0, 2.0, 5.0, 4.0])
    copy = losses.copy()
    expected_shortfall(losses, 0.6)
    value_at_risk(losses, 0.6)
    np.testing.assert_array_equal(losses, copy)
    assert value_at_risk([3, 1, 2, 5, 4], 0.6).value == 3.0


def test_mean_and_sd_hand_worked() -> None:
    losses = np.array([0.0, 0.0, 0.0, 0.0, 10.0])
    z = STD_NORMAL.inv_cdf(0.975)
    # Mean 2, deviations (-2, -2, -2, -2, 8): Σd² = 80, s² = 80/4 = 20, se = √20/√5 = 2.
    m = mean(losses)
    assert m.value == 2.0
    assert m.se == pytest.approx(2.0, rel=1e-12)
    assert (m.lower, m.upper) == pytest.approx((2 - 2 * z, 2 + 2 * z), rel=1e-12)
    # m4 = (4·16 + 4096)/5 = 832, s⁴ = 400: se = √((832 - 400)/(4·5·20)) = √1.08.
    sd = standard_deviation(losses)
    assert sd.value == pytest.approx(math.sqrt(20), rel=1e-12)
    assert sd.se == pytest.approx(math.sqrt(1.08), rel=1e-12)
    assert sd.upper - sd.value == pytest.approx(z * math.sqrt(1.08), rel=1e-12)


def test_sd_of_constant_losses() -> None:
    sd = standard_deviation(np.full(10, 7.0))
    assert sd == Estimate(0.0, 0.0, 0.0, 0.0)


def test_sd_two_point_sample_clips_negative_kurtosis_term() -> None:
    # m4 = m2² < s⁴ for a balanced two-point sample: the se is clipped to 0, not NaN.
    sd = standard_deviation(np.array([0.0, 1.0] * 50))
    assert sd.se == 0.0
    assert sd.value == pytest.approx(math.sqrt(25 / 99), rel=1e-12)


def test_exceedance_hand_worked() -> None:
    losses = np.arange(1.0, 11.0)
    z = STD_NORMAL.inv_cdf(0.975)
    e = exceedance_probability(losses, 8.0)  # 9 and 10 exceed 8 (strictly)
    assert e.value == 0.2
    assert e.se == pytest.approx(math.sqrt(0.2 * 0.8 / 10), rel=1e-12)
    centre = (0.2 + z**2 / 20) / (1 + z**2 / 10)
    half = z * math.sqrt(0.2 * 0.8 / 10 + z**2 / 400) / (1 + z**2 / 10)
    assert (e.lower, e.upper) == pytest.approx((centre - half, centre + half), rel=1e-12)
    none = exceedance_probability(losses, 10.0)
    assert (none.value, none.se, none.lower) == (0.0, 0.0, 0.0)
    assert none.upper == pytest.approx(z**2 / (10 + z**2), rel=1e-12)  # Wilson at p = 0
    assert isinstance(e.value, float)


# --- closed forms -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def normal_sample() -> np.ndarray:
    return np.random.default_rng(20_240_601).standard_normal(200_000)


@pytest.fixture(scope="module")
def exponential_sample() -> np.ndarray:
    return np.random.default_rng(20_240_602).exponential(1.0, 200_000)


def within(estimate: Estimate, truth: float) -> bool:
    return abs(estimate.value - truth) <= N_SIGMA * estimate.se


def test_normal_var_and_es(normal_sample: np.ndarray) -> None:
    assert normal_var(0.99) == pytest.approx(2.3263478740, abs=1e-10)
    assert normal_es(0.99) == pytest.approx(2.6652142203, abs=1e-10)
    var = value_at_risk(normal_sample, 0.99)
    es = expected_shortfall(normal_sample, 0.99)
    assert within(var, normal_var(0.99))
    assert within(es, normal_es(0.99))
    assert var.lower <= var.value <= var.upper
    assert es.value > var.value


def test_normal_mean_and_sd(normal_sample: np.ndarray) -> None:
    assert within(mean(normal_sample), 0.0)
    assert within(standard_deviation(normal_sample), 1.0)
    # Delta-method se of s for a normal: √((3 - 1)/(4N)) = 1/√(2N).
    expected_se = 1 / math.sqrt(2 * normal_sample.size)
    assert standard_deviation(normal_sample).se == pytest.approx(expected_se, rel=0.05)


def test_normal_exceedance(normal_sample: np.ndarray) -> None:
    e = exceedance_probability(normal_sample, 2.0)
    assert within(e, 1 - STD_NORMAL.cdf(2.0))


@pytest.mark.parametrize("level", [0.95, 0.99])
def test_exponential_var_and_es(exponential_sample: np.ndarray, level: float) -> None:
    # Exponential(1): VaR_a = -ln(1 - a); by memorylessness ES_a = VaR_a + 1.
    assert within(value_at_risk(exponential_sample, level), -math.log(1 - level))
    assert within(expected_shortfall(exponential_sample, level), -math.log(1 - level) + 1)


# --- coverage of the error bands ------------------------------------------------------------

N_REPLICATIONS = 400
N_PER_REPLICATION = 2_000
COVERAGE_LEVEL = 0.95


@pytest.fixture(scope="module")
def replications() -> np.ndarray:
    rng = np.random.default_rng(20_240_603)
    return rng.standard_normal((N_REPLICATIONS, N_PER_REPLICATION))


def coverage_band() -> tuple[float, float]:
    """4-sigma band of the observed coverage when the true coverage is 0.95.

    The number of covering intervals among R independent replications is
    Binomial(R, 0.95), so the fraction has sd √(0.95·0.05/R) (≈ 0.0109 for R = 400) and
    the band is 0.95 ± 4·sd ≈ [0.906, 0.994].
    """
    sd = math.sqrt(COVERAGE_LEVEL * (1 - COVERAGE_LEVEL) / N_REPLICATIONS)
    return COVERAGE_LEVEL - N_SIGMA * sd, COVERAGE_LEVEL + N_SIGMA * sd


def coverage(estimates: list[Estimate], truth: float) -> float:
    return float(np.mean([e.lower <= truth <= e.upper for e in estimates]))


@pytest.mark.parametrize(
    ("name", "measure", "truth"),
    [
        ("VaR", lambda x: value_at_risk(x, 0.95, COVERAGE_LEVEL), normal_var(0.95)),
        ("ES", lambda x: expected_shortfall(x, 0.95, COVERAGE_LEVEL), normal_es(0.95)),
        ("mean", lambda x: mean(x, COVERAGE_LEVEL), 0.0),
        ("SD", lambda x: standard_deviation(x, COVERAGE_LEVEL), 1.0),
        (
            "exceedance",
            lambda x: exceedance_probability(x, normal_var(0.95), COVERAGE_LEVEL),
            0.05,
        ),
    ],
)
def test_band_coverage(
    replications: np.ndarray, name: str, measure: Callable[[np.ndarray], Estimate], truth: float
) -> None:
    low, high = coverage_band()
    observed = coverage([measure(row) for row in replications], truth)
    assert low <= observed <= high, f"{name}: coverage {observed} outside [{low:.4f}, {high:.4f}]"


# --- errors -------------------------------------------------------------------------------

MEASURES_WITH_LEVEL = [value_at_risk, expected_shortfall]


@pytest.mark.parametrize(
    "bad", [[], [1.0, math.nan, 2.0], [1.0, math.inf], np.zeros((2, 3))], ids=str
)
def test_bad_losses_raise(bad: npt.ArrayLike) -> None:
    for measure in MEASURES_WITH_LEVEL:
        with pytest.raises(ValueError):
            measure(bad, 0.9)
    for plain in (mean, standard_deviation):
        with pytest.raises(ValueError):
            plain(bad)
    with pytest.raises(ValueError):
        exceedance_probability(bad, 1.0)
    with pytest.raises(ValueError):
        summarize(bad, [0.9])


@pytest.mark.parametrize("level", [0.0, 1.0, -0.1, 1.5, math.nan])
def test_bad_level_raises(level: float) -> None:
    losses = np.arange(10.0)
    for measure in MEASURES_WITH_LEVEL:
        with pytest.raises(ValueError, match="level"):
            measure(losses, level)
    with pytest.raises(ValueError, match="level"):
        summarize(losses, [0.9, level])


@pytest.mark.parametrize("confidence", [0.0, 1.0, -0.5, 2.0, math.nan])
def test_bad_confidence_raises(confidence: float) -> None:
    losses = np.arange(10.0)
    for measure in MEASURES_WITH_LEVEL:
        with pytest.raises(ValueError, match="confidence"):
            measure(losses, 0.9, confidence)
    for plain in (mean, standard_deviation):
        with pytest.raises(ValueError, match="confidence"):
            plain(losses, confidence)
    with pytest.raises(ValueError, match="confidence"):
        exceedance_probability(losses, 1.0, confidence)
    with pytest.raises(ValueError, match="confidence"):
        summarize(losses, [0.9], confidence)


def test_single_loss() -> None:
    one = np.array([4.0])
    assert value_at_risk(one, 0.99) == Estimate(4.0, 0.0, 4.0, 4.0)
    assert expected_shortfall(one, 0.99) == Estimate(4.0, 0.0, 4.0, 4.0)
    with pytest.raises(ValueError, match="at least 2"):
        mean(one)
    with pytest.raises(ValueError, match="at least 2"):
        standard_deviation(one)


def test_nan_threshold_raises() -> None:
    with pytest.raises(ValueError, match="threshold"):
        exceedance_probability(np.arange(10.0), math.nan)


def test_summarize_duplicate_names_raise() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        summarize(np.arange(10.0), [0.99, 0.99])
    with pytest.raises(ValueError, match="duplicate"):
        summarize(np.arange(10.0), [0.9999991, 0.9999992])  # both print as 0.999999


# --- summarize ----------------------------------------------------------------------------


def test_summarize_keys_and_values() -> None:
    rng = np.random.default_rng(7)
    losses = np.round(rng.lognormal(0.0, 1.0, 10_001), 2)  # ties after rounding
    levels = [0.9, 0.99, 0.995]
    row = summarize(losses, levels, confidence=0.9)
    assert list(row) == [
        "EL", "EL_se", "SD", "SD_se",
        "VaR_0.9", "VaR_0.9_lo", "VaR_0.9_hi", "ES_0.9", "ES_0.9_se",
        "VaR_0.99", "VaR_0.99_lo", "VaR_0.99_hi", "ES_0.99", "ES_0.99_se",
        "VaR_0.995", "VaR_0.995_lo", "VaR_0.995_hi", "ES_0.995", "ES_0.995_se",
    ]  # fmt: skip
    assert all(isinstance(v, float) for v in row.values())
    m = mean(losses, 0.9)
    sd = standard_deviation(losses, 0.9)
    assert (row["EL"], row["EL_se"], row["SD"], row["SD_se"]) == (m.value, m.se, sd.value, sd.se)
    for level in levels:
        var = value_at_risk(losses, level, 0.9)
        es = expected_shortfall(losses, level, 0.9)
        name = f"{level:g}"
        assert row[f"VaR_{name}"] == var.value
        assert row[f"VaR_{name}_lo"] == var.lower
        assert row[f"VaR_{name}_hi"] == var.upper
        assert row[f"ES_{name}"] == pytest.approx(es.value, rel=1e-14)
        assert row[f"ES_{name}_se"] == pytest.approx(es.se, rel=1e-10)


def test_summarize_without_levels() -> None:
    assert list(summarize(np.arange(5.0), [])) == ["EL", "EL_se", "SD", "SD_se"]


def test_replicate_estimate_hand_worked() -> None:
    # replicate estimates 1, 2, 3, 6: mean 3, deviations −2, −1, 0, 3, s² = 14/3,
    # se = √(14/3)/√4; the bounds centre on the full-sample value given (2.5), not the mean.
    se = math.sqrt(14 / 3) / 2
    z = STD_NORMAL.inv_cdf(0.95)
    e = measures.replicate_estimate(2.5, [1.0, 2.0, 3.0, 6.0], confidence=0.9)
    assert (e.value, e.se) == (2.5, pytest.approx(se, rel=1e-14))
    assert (e.lower, e.upper) == pytest.approx((2.5 - z * se, 2.5 + z * se), rel=1e-14)
    clipped = measures.replicate_estimate(0.05, [0.0, 0.1, 0.05], bounds=(0.0, 1.0))
    assert clipped.lower == 0.0 and clipped.upper < 1.0
    with pytest.raises(ValueError, match="at least 2 replicate values"):
        measures.replicate_estimate(1.0, [1.0])


def test_weighted_var_bounds_stay_on_the_run_around_var() -> None:
    # Hand-worked: losses 1..20, N = 20, level 0.95 (1 - a = 0.05). Weights: 0.2 on the
    # five largest losses, 0.3 on losses 7..15, 0.05 on 1..5, and 19 on loss 6 (a body
    # simulation drawn from the model itself, heavily weighted). P^(L > 15) = 5(0.2)/20 =
    # 0.05, so VaR = 15. Going down, P^ - z se = 0.0205, 0.0308, 0.0423 at losses 14, 13,
    # 12 (<= 0.05) and 0.0547 at loss 11 (> 0.05): the lower bound is 12. Below loss 6 the
    # heavy weight makes se about 0.92 and P^ - z se dips under 0.05 again; that far
    # dip is not part of VaR's interval.
    losses = np.arange(1.0, 21.0)
    weights = np.array([0.05] * 5 + [19.0] + [0.3] * 9 + [0.2] * 5)
    row = measures.weighted_summarize(losses, weights, [0.95])
    assert row["VaR_0.95"] == 15.0
    assert row["VaR_0.95_lo"] == 12.0
    assert row["VaR_0.95_hi"] >= 15.0
