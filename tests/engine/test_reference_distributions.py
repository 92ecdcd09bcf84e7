"""The engine against analytic references, within 4 Monte Carlo standard errors.

Every tolerance is derived in the test from the standard error of the simulated estimate.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import multivariate_normal, multivariate_t

import risksim
from risksim.models.analytic import finite_pool_default_pmf, vasicek_quantile
from risksim.stats import measures
from tests.builders import scenario_mapping, segment

Z_TOLERANCE = 4.0


def assert_within(estimate: float, reference: float, se: float, what: str) -> None:
    """|estimate − reference| ≤ 4 standard errors."""
    assert se > 0, f"{what}: zero standard error"
    z = (estimate - reference) / se
    assert abs(z) <= Z_TOLERANCE, f"{what}: {estimate:.6g} vs {reference:.6g}, z = {z:+.2f}"


def test_homogeneous_large_pool_matches_vasicek_quantiles() -> None:
    # Vasicek (2002): for a large homogeneous pool the default fraction's q-quantile is
    # Φ((Φ⁻¹(PD) + √ρ Φ⁻¹(q)) / √(1 − ρ)). With 20,000 loans the granularity correction is
    # O(1/N) (Gordy 2004), far below the Monte Carlo error here.
    n_loans, pd, rho = 20_000, 0.02, 0.15
    scenario = scenario_mapping([segment(count=n_loans, pd=pd)], correlation=rho)
    fraction = risksim.simulate(scenario, n_sims=20_000, seed=3).losses["gross"] / n_loans
    for level in (0.9, 0.99, 0.999):
        est = measures.value_at_risk(fraction.to_numpy(), level)
        assert_within(est.value, vasicek_quantile(level, pd, rho), est.se, f"VaR {level}")


def test_finite_pool_default_count_matches_exact_distribution() -> None:
    # Exact P(D = k) for N = 50 homogeneous loans: ∫ Binom(k; N, p(z)) φ(z) dz.
    n_loans, pd, rho, n_sims = 50, 0.05, 0.2, 100_000
    scenario = scenario_mapping([segment(count=n_loans, pd=pd)], correlation=rho)
    counts = risksim.simulate(scenario, n_sims=n_sims, seed=5).losses["gross"].to_numpy()
    assert np.array_equal(counts, np.round(counts))
    frequency = np.bincount(counts.astype(int), minlength=n_loans + 1) / n_sims
    exact = finite_pool_default_pmf(n_loans, pd, rho)
    checked = exact > 1e-3
    se = np.sqrt(exact * (1 - exact) / n_sims)
    for k in np.flatnonzero(checked):
        assert_within(frequency[k], exact[k], se[k], f"P(D = {k})")
    assert checked.sum() >= 8


def test_expected_loss_of_a_mixed_book_is_sum_of_ead_pd_lgd() -> None:
    # EL = Σ EAD·PD·LGD for a one-year horizon, whatever the copula and LGD distribution.
    segments = [
        segment("small", 3_000, exposure={"median": 5e5, "p95": 2e6, "cap": 5e6}, pd=0.03,
                lgd={"beta": {"mean": 0.6, "sd": 0.2}}, sector="trade"),
        segment("large", 500, exposure=4e6, pd=0.01, lgd=0.45, sector="industry"),
    ]
    defaults = {"model": "t_copula", "degrees_of_freedom": 5,
                "factors": {"names": ["trade", "industry"], "correlation": 0.4,
                            "assign_by": "sector"}}
    result = risksim.simulate(scenario_mapping(segments, correlation=0.2, defaults=defaults),
                              n_sims=20_000, seed=8)
    book = risksim.load_scenario(scenario_mapping(segments)).portfolio
    reference = float(np.sum(book["exposure"] * book["pd"] * book["lgd"]))
    est = measures.mean(result.losses["gross"].to_numpy())
    assert_within(est.value, reference, est.se, "EL")


def test_frye_jacobs_keeps_expected_loss() -> None:
    # Frye & Jacobs (2012) choose the LGD function so that E[cPD·LGD(cPD)] = PD·LGD.
    seg = segment(count=2_000, exposure=1.0, pd=0.04, lgd=0.4)
    plain = scenario_mapping([seg], correlation=0.2)
    dependent = scenario_mapping([seg], correlation=0.2,
                                 defaults={"lgd_dependence": "frye_jacobs"})
    fj = risksim.simulate(dependent, n_sims=20_000, seed=2).losses["gross"].to_numpy()
    est = measures.mean(fj)
    assert_within(est.value, 2_000 * 0.04 * 0.4, est.se, "EL with Frye-Jacobs LGD")
    # ... and fattens the tail: same defaults, higher LGD when defaults are many.
    base = risksim.simulate(plain, n_sims=20_000, seed=2).losses["gross"].to_numpy()
    assert measures.value_at_risk(fj, 0.99).value > measures.value_at_risk(base, 0.99).value


@pytest.mark.parametrize(("periods_per_year", "tenor"), [(1, 3.0), (4, 3.0), (12, 2.0)])
def test_multi_period_default_probability_follows_annual_pd(periods_per_year: int,
                                                             tenor: float) -> None:
    # A bullet loan active for T years over a 3-year horizon defaults with probability
    # 1 − (1 − PD)^min(T, 3): per-period PDs compound back to the annual PD.
    pd, n_loans, n_sims = 0.05, 200, 5_000
    scenario = scenario_mapping([segment(count=n_loans, pd=pd, tenor_years=tenor)],
                                horizon={"years": 3, "periods_per_year": periods_per_year})
    defaults = risksim.simulate(scenario, n_sims=n_sims, seed=4).losses["gross"].to_numpy()
    est = measures.mean(defaults / n_loans)
    reference = 1 - (1 - pd) ** min(tenor, 3)
    assert_within(est.value, reference, est.se, "P(default within horizon)")
    assert defaults.max() <= n_loans  # a loan defaults at most once


def test_instalment_loans_lose_their_outstanding_balance() -> None:
    # Straight-line amortisation over 4 years, yearly periods: a default in year t (0-based)
    # loses EAD·(1 − t/4). EL = Σ_t S(t)·p·(1 − t/4) with S(t) = (1 − p)^t.
    pd, n_loans = 0.1, 500
    scenario = scenario_mapping(
        [segment(count=n_loans, pd=pd, tenor_years=4, amortisation="instalment")],
        horizon={"years": 4, "periods_per_year": 1}, correlation=0.1)
    losses = risksim.simulate(scenario, n_sims=5_000, seed=6).losses["gross"].to_numpy()
    reference = n_loans * sum((1 - pd) ** t * pd * (1 - t / 4) for t in range(4))
    est = measures.mean(losses)
    assert_within(est.value, reference, est.se, "EL of instalment loans")


def _joint_default_frequency(defaults: dict, n_sims: int = 200_000) -> tuple[float, float]:
    """Frequency with which both loans of a two-loan book default, and its standard error."""
    scenario = scenario_mapping(
        [segment("a", 1, pd=0.1, sector="s1"), segment("b", 1, pd=0.1, sector="s2")],
        correlation=0.3, defaults=defaults)
    both = risksim.simulate(scenario, n_sims=n_sims, seed=12).losses["gross"].to_numpy() == 2
    frequency = float(both.mean())
    return frequency, math.sqrt(frequency * (1 - frequency) / n_sims)


def test_gaussian_two_factor_joint_default_matches_bivariate_normal() -> None:
    # Two loans with R = 0.3 on factors correlated 0.5: latent correlation 0.3·0.5 = 0.15;
    # P(both default) = Φ₂(Φ⁻¹(0.1), Φ⁻¹(0.1); 0.15).
    defaults = {"factors": {"names": ["s1", "s2"], "correlation": 0.5, "assign_by": "sector"}}
    frequency, se = _joint_default_frequency(defaults)
    c = -1.2815515655446004  # Φ⁻¹(0.1)
    exact = multivariate_normal(mean=[0, 0], cov=[[1, 0.15], [0.15, 1]]).cdf([c, c])
    assert_within(frequency, exact, se, "P(both default), Gaussian")


def test_t_copula_joint_default_matches_bivariate_t() -> None:
    # Student-t copula with ν = 4 and latent correlation 0.3 (one factor):
    # P(both default) = T₂,ν(t_ν⁻¹(0.1), t_ν⁻¹(0.1); 0.3).
    from scipy.stats import t as student_t

    frequency, se = _joint_default_frequency({"model": "t_copula", "degrees_of_freedom": 4})
    c = student_t.ppf(0.1, 4)
    exact = multivariate_t(loc=[0, 0], shape=[[1, 0.3], [0.3, 1]], df=4).cdf([c, c])
    assert_within(frequency, exact, se, "P(both default), t copula")


def test_stress_overlay_scales_pd_and_shifts_correlation() -> None:
    # PD x 2 → 0.2 each; correlation 0.3 + 0.2 = 0.5 → Φ₂(Φ⁻¹(0.2), Φ⁻¹(0.2); 0.5).
    frequency, se = _joint_default_frequency(
        {"stress": {"pd_multiplier": 2.0, "correlation_shift": 0.2}})
    c = -0.8416212335729143  # Φ⁻¹(0.2)
    exact = multivariate_normal(mean=[0, 0], cov=[[1, 0.5], [0.5, 1]]).cdf([c, c])
    assert_within(frequency, exact, se, "P(both default), stressed")
