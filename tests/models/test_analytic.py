"""Tests of the Vasicek large-pool and exact finite-pool references."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable

import numpy as np
import pytest
from numpy.polynomial.hermite_e import hermegauss
from scipy.integrate import quad
from scipy.stats import binom, multivariate_normal

from risksim.models.analytic import (
    conditional_pd,
    expected_loss,
    finite_pool_default_pmf,
    vasicek_cdf,
    vasicek_quantile,
)

POOL_CASES = [(1, 0.05, 0.3), (10, 0.02, 0.15), (100, 0.03, 0.5), (1000, 0.01, 0.15),
              (400, 0.2, 0.9)]


def _gauss_hermite(n_nodes: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights for E[f(Z)], Z ~ N(0, 1) (probabilists' weights / √(2π))."""
    nodes, weights = hermegauss(n_nodes)
    return nodes, weights / math.sqrt(2.0 * math.pi)


@pytest.mark.parametrize(("pd", "rho"), [(0.01, 0.15), (0.2, 0.05), (0.003, 0.6)])
def test_quantile_inverts_cdf(pd: float, rho: float) -> None:
    q = np.array([1e-6, 0.01, 0.25, 0.5, 0.9, 0.999, 1 - 1e-9])
    x = vasicek_quantile(q, pd, rho)
    np.testing.assert_allclose(vasicek_cdf(x, pd, rho), q, rtol=1e-10)
    x_grid = pd * np.array([1e-3, 0.5, 1.0, 2.0])
    np.testing.assert_allclose(vasicek_quantile(vasicek_cdf(x_grid, pd, rho), pd, rho), x_grid,
                               rtol=1e-9)


def test_cdf_end_points() -> None:
    np.testing.assert_array_equal(vasicek_cdf([0.0, 1.0], 0.02, 0.2), [0.0, 1.0])
    np.testing.assert_array_equal(vasicek_quantile([0.0, 1.0], 0.02, 0.2), [0.0, 1.0])


def test_cdf_tends_to_a_step_at_pd_as_rho_vanishes() -> None:
    pd = 0.02
    below = vasicek_cdf(0.99 * pd, pd, 1e-8)
    above = vasicek_cdf(1.01 * pd, pd, 1e-8)
    assert below < 1e-12
    assert above > 1 - 1e-12


@pytest.mark.parametrize(("pd", "rho"), [(0.01, 0.15), (0.1, 0.3), (0.002, 0.05)])
def test_mean_of_vasicek_distribution_is_pd(pd: float, rho: float) -> None:
    # E[L] = ∫_0^1 P(L > x) dx, by adaptive quadrature over x ...
    tail_mass, _ = quad(lambda x: 1.0 - vasicek_cdf(x, pd, rho), 0.0, 1.0, points=[pd],
                        epsabs=1e-13, epsrel=1e-11, limit=200)
    assert tail_mass == pytest.approx(pd, rel=1e-8)
    # ... and E[p(Z)] over the factor by Gauss-Hermite quadrature.
    nodes, weights = _gauss_hermite()
    assert float(weights @ conditional_pd(pd, rho, nodes)) == pytest.approx(pd, rel=1e-12)


def test_quantile_999_by_hand() -> None:
    # Independent of scipy: statistics.NormalDist for Φ and Φ⁻¹.
    normal = statistics.NormalDist()
    pd, rho = 0.01, 0.15
    expected = normal.cdf((normal.inv_cdf(pd) + math.sqrt(rho) * normal.inv_cdf(0.999))
                          / math.sqrt(1 - rho))  # 0.110265...
    assert vasicek_quantile(0.999, pd, rho) == pytest.approx(expected, rel=1e-12)


def test_conditional_pd() -> None:
    assert conditional_pd(0.02, 0.0, 3.0) == pytest.approx(0.02, rel=1e-14)
    assert conditional_pd(0.02, 0.2, 0.0) == pytest.approx(
        statistics.NormalDist().cdf(statistics.NormalDist().inv_cdf(0.02) / math.sqrt(0.8)),
        rel=1e-12)
    np.testing.assert_array_equal(conditional_pd([0.0, 1.0], 0.3, [-2.0, 2.0]), [0.0, 1.0])
    values = conditional_pd(np.array([[0.01], [0.05]]), 0.2, np.linspace(-3, 3, 7))
    assert isinstance(values, np.ndarray)
    assert values.shape == (2, 7)
    assert np.all(np.diff(values, axis=1) < 0)  # a higher factor is a better state


@pytest.mark.parametrize(("n", "pd", "rho"), POOL_CASES)
def test_pool_pmf_sums_to_one_with_mean_n_pd(n: int, pd: float, rho: float) -> None:
    pmf = finite_pool_default_pmf(n, pd, rho)
    assert pmf.shape == (n + 1,)
    assert np.all(pmf >= 0)
    assert abs(pmf.sum() - 1.0) < 1e-10
    assert float(np.arange(n + 1) @ pmf) == pytest.approx(n * pd, rel=1e-10)


@pytest.mark.parametrize(("n", "pd", "rho"), POOL_CASES)
def test_pool_variance_matches_closed_form(n: int, pd: float, rho: float) -> None:
    # Var D = n·PD(1 - PD) + n(n - 1)·(Φ₂(Φ⁻¹(PD), Φ⁻¹(PD); rho) - PD²)
    threshold = statistics.NormalDist().inv_cdf(pd)
    joint = float(multivariate_normal(mean=[0.0, 0.0], cov=[[1.0, rho], [rho, 1.0]]).cdf(
        [threshold, threshold]))
    variance = n * pd * (1 - pd) + n * (n - 1) * (joint - pd**2)
    pmf = finite_pool_default_pmf(n, pd, rho)
    k = np.arange(n + 1)
    mean = float(k @ pmf)
    assert float((k - mean) ** 2 @ pmf) == pytest.approx(variance, rel=1e-8)


def test_pool_pmf_matches_binomial_when_rho_vanishes() -> None:
    n, pd = 200, 0.03
    exact = binom.pmf(np.arange(n + 1), n, pd)
    bulk = exact > 1e-6 * exact.max()
    # The mixture really differs from the binomial by about Var[p(Z)]·(d²pmf/dp²)/2, which is
    # 6e-7 relative in this tail at rho = 1e-9 and 6e-10 at rho = 1e-12.
    pmf = finite_pool_default_pmf(n, pd, 1e-12)
    np.testing.assert_allclose(pmf[bulk], exact[bulk], rtol=1e-8)
    np.testing.assert_allclose(finite_pool_default_pmf(n, pd, 0.0), exact, rtol=1e-12,
                               atol=1e-300)


def test_pool_pmf_matches_adaptive_quadrature_per_count() -> None:
    # P(D = k) = ∫ binom(k; n, p(z)) φ(z) dz by scipy.integrate.quad, count by count.
    n, pd, rho = 60, 0.05, 0.3
    pmf = finite_pool_default_pmf(n, pd, rho)

    def integrand(z: float, k: int) -> float:
        p = float(conditional_pd(pd, rho, z))
        return float(binom.pmf(k, n, p)) * math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)

    for k in (0, 1, 3, 8, 20, 40):
        expected, _ = quad(integrand, -12, 12, args=(k,), epsabs=0.0, epsrel=1e-12, limit=400)
        assert pmf[k] == pytest.approx(expected, rel=1e-8)


def test_pool_default_spacing_is_converged() -> None:
    n, pd, rho = 1000, 0.02, 0.3
    default = finite_pool_default_pmf(n, pd, rho)
    finer = finite_pool_default_pmf(n, pd, rho, n_nodes=4 * default.size + 1)
    bulk = finer > 1e-6 * finer.max()
    np.testing.assert_allclose(default[bulk], finer[bulk], rtol=1e-10)


def test_pool_of_no_loans() -> None:
    np.testing.assert_allclose(finite_pool_default_pmf(0, 0.1, 0.2), [1.0], rtol=1e-13)


def test_expected_loss() -> None:
    exposure = np.array([100.0, 250.0, 50.0])
    pd = np.array([0.01, 0.04, 1.0])
    lgd = 0.45
    assert expected_loss(exposure, pd, lgd) == pytest.approx(
        0.45 * (1.0 + 10.0 + 50.0), rel=1e-15)
    assert isinstance(expected_loss(100.0, 0.02, 0.5), float)


@pytest.mark.parametrize(
    ("call", "message"),
    [(lambda: vasicek_cdf(1.2, 0.01, 0.2), "x must be in"),
     (lambda: vasicek_cdf(0.1, 0.0, 0.2), "pd must be in"),
     (lambda: vasicek_cdf(0.1, 0.01, 0.0), "rho must be in"),
     (lambda: vasicek_quantile(0.5, 0.01, 1.0), "rho must be in"),
     (lambda: vasicek_quantile(-0.1, 0.01, 0.2), "q must be in"),
     (lambda: conditional_pd(0.01, 0.2, np.inf), "z must be finite"),
     (lambda: conditional_pd(1.5, 0.2, 0.0), "pd must be in"),
     (lambda: finite_pool_default_pmf(-1, 0.01, 0.2), "n_loans must be at least 0"),
     (lambda: finite_pool_default_pmf(10, 1.0, 0.2), "pd must be in"),
     (lambda: finite_pool_default_pmf(10, 0.01, 0.2, n_nodes=2), "n_nodes must be at least"),
     (lambda: expected_loss(-1.0, 0.01, 0.5), "exposure must be in"),
     (lambda: expected_loss(1.0, 0.01, -0.5), "lgd must be in")],
)
def test_bad_input_raises(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_pool_size_must_be_an_integer() -> None:
    with pytest.raises(TypeError):
        finite_pool_default_pmf(10.5, 0.01, 0.2)  # type: ignore[arg-type]
