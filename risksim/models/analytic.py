"""Analytic references for the one-factor Gaussian copula (Vasicek).

Loan i defaults when its latent variable falls below its threshold:

    Y_i = √rho·Z + √(1 - rho)·ε_i,   default iff Y_i < Φ⁻¹(PD),   Z, ε_i ~ N(0, 1) independent

so that, given the systematic factor Z = z, defaults are independent with probability

    p(z) = Φ((Φ⁻¹(PD) - √rho·z) / √(1 - rho)).

In a large homogeneous pool the default fraction converges to p(Z) (Vasicek 1991, 2002), whose
distribution and quantile are given below; for a finite pool of n loans the number of defaults is
a binomial mixture over Z. Probabilities and fractions are decimals (0.01, not 1%); rho is the
asset correlation, in [0, 1).

The small validation helpers here are shared with :mod:`risksim.models.basel` and
:mod:`risksim.models.frye_jacobs`.
"""

from __future__ import annotations

import operator

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr, ndtri

from risksim.errors import InputError
from risksim.models.arguments import FloatArray, FloatOrArray, checked, result_value

# Trapezoid rule over the factor for the finite pool: the node range [-_Z_LIMIT, _Z_LIMIT] leaves
# out P(|Z| > 10) ≈ 1.5e-23 of the factor's mass; the spacing is at most _MAX_SPACING and at
# most half the narrowest width (in z) of the binomial probability of any count (see
# finite_pool_default_pmf); the evaluation runs in chunks of about _CHUNK_CELLS (count, node)
# pairs to bound memory.
_Z_LIMIT = 10.0
_MAX_SPACING = 0.1
_CHUNK_CELLS = 1 << 22


def _finite(name: str, value: npt.ArrayLike) -> FloatArray:
    """``value`` as a float64 array, or an InputError if any entry is infinite or NaN."""
    array = np.asarray(value, dtype=np.float64)
    if not np.isfinite(array).all():
        raise InputError(f"{name} must be finite, got {float(array[~np.isfinite(array)][0])!r}")
    return array


def conditional_pd(pd: npt.ArrayLike, rho: npt.ArrayLike, z: npt.ArrayLike) -> FloatOrArray:
    """Default probability given the systematic factor, p(z) = Φ((Φ⁻¹(PD) - √rho·z)/√(1 - rho)).

    Parameters
    ----------
    pd : float or array_like
        Unconditional default probability over the period, in [0, 1] (PD 0 and 1 give 0 and 1).
    rho : float or array_like
        Asset correlation rho, in [0, 1).
    z : float or array_like
        Realisation of the standard normal systematic factor Z (finite; low z is a good state).

    Returns
    -------
    float or numpy.ndarray
        Conditional default probability, in [0, 1]; the arguments broadcast together and a
        float is returned when they are all scalars.

    Raises
    ------
    InputError
        A ValueError, when an argument is outside its range.
    """
    pd_array = checked("pd", pd, 0.0, 1.0, "[]")
    rho_array = checked("rho", rho, 0.0, 1.0, "[)")
    z_array = _finite("z", z)
    threshold = ndtri(pd_array)
    return result_value(ndtr((threshold - np.sqrt(rho_array) * z_array) / np.sqrt(1.0 - rho_array)))


def vasicek_cdf(x: npt.ArrayLike, pd: npt.ArrayLike, rho: npt.ArrayLike) -> FloatOrArray:
    """Vasicek large-pool distribution of the default fraction, P(L ≤ x).

    P(L ≤ x) = Φ((√(1 - rho)·Φ⁻¹(x) - Φ⁻¹(PD)) / √rho)

    L is the limit, as the number of loans grows, of the fraction of a homogeneous pool that
    defaults in the period (with a fixed LGD it is also the loss as a fraction of EAD·LGD).

    Parameters
    ----------
    x : float or array_like
        Default fraction, in [0, 1] (P = 0 at x = 0 and 1 at x = 1).
    pd : float or array_like
        Unconditional default probability, in (0, 1); it is the mean of L.
    rho : float or array_like
        Asset correlation rho, in (0, 1) (at rho = 0 the distribution is a point mass at PD).

    Returns
    -------
    float or numpy.ndarray
        Probability, in [0, 1]; broadcast over the arguments, a float for scalar arguments.

    Raises
    ------
    InputError
        A ValueError, when an argument is outside its range.
    """
    x_array = checked("x", x, 0.0, 1.0, "[]")
    pd_array = checked("pd", pd, 0.0, 1.0, "()")
    rho_array = checked("rho", rho, 0.0, 1.0, "()")
    return result_value(ndtr((np.sqrt(1.0 - rho_array) * ndtri(x_array) - ndtri(pd_array))
                        / np.sqrt(rho_array)))


def vasicek_quantile(q: npt.ArrayLike, pd: npt.ArrayLike, rho: npt.ArrayLike) -> FloatOrArray:
    """Quantile of the Vasicek large-pool default fraction, the inverse of :func:`vasicek_cdf`.

    x_q = Φ((Φ⁻¹(PD) + √rho·Φ⁻¹(q)) / √(1 - rho)) = p(-Φ⁻¹(q))

    It is the conditional PD in the bad state of the factor exceeded with probability 1 - q;
    with q = 0.999 it is the Basel IRB "worst-case default rate".

    Parameters
    ----------
    q : float or array_like
        Probability level, in [0, 1] (0 and 1 give the end points 0 and 1).
    pd : float or array_like
        Unconditional default probability, in (0, 1).
    rho : float or array_like
        Asset correlation rho, in (0, 1).

    Returns
    -------
    float or numpy.ndarray
        Default fraction, in [0, 1]; broadcast over the arguments, a float for scalar arguments.

    Raises
    ------
    InputError
        A ValueError, when an argument is outside its range.
    """
    q_array = checked("q", q, 0.0, 1.0, "[]")
    pd_array = checked("pd", pd, 0.0, 1.0, "()")
    rho_array = checked("rho", rho, 0.0, 1.0, "()")
    return result_value(ndtr((ndtri(pd_array) + np.sqrt(rho_array) * ndtri(q_array))
                        / np.sqrt(1.0 - rho_array)))


def finite_pool_default_pmf(n_loans: int, pd: float, rho: float, *,
                            n_nodes: int | None = None) -> FloatArray:
    """Exact distribution of the number of defaults in a homogeneous pool of ``n_loans`` loans.

    P(D = k) = ∫ C(n, k)·p(z)^k·(1 - p(z))^(n-k)·φ(z) dz,   k = 0, …, n

    with p(z) the conditional PD (:func:`conditional_pd`) and φ the standard normal density.
    The integral is taken by the trapezoid rule on [-10, 10] (the mass left out is 1.5e-23),
    which converges geometrically for this smooth, rapidly decaying integrand. As a function
    of z, the binomial probability of a count is a bump of width at least
    w = √(π/2)·√((1 - rho)/(n·rho)) (the narrowest, at p(z) = 1/2), so the default spacing is
    min(0.1, w/2). The probabilities then sum to 1 within about 1e-13, and those above 1e-6 of
    the largest are accurate to about 1e-12 relative (checked against spacings four times finer
    up to n = 5000, rho = 0.9). The work grows as n^1.5·√(rho/(1 - rho)): about a second at
    n = 5000, rho = 0.5. (Gauss-Hermite quadrature with a fixed 200 nodes is not enough: its
    bulk error is 6% at n = 1000, rho = 0.15.)

    Parameters
    ----------
    n_loans : int
        Number of loans n, at least 0.
    pd : float
        Unconditional default probability of each loan, in (0, 1).
    rho : float
        Asset correlation rho, in [0, 1) (rho = 0 gives the binomial distribution).
    n_nodes : int, optional
        Number of trapezoid nodes on [-10, 10], at least 3; by default the number that gives
        the spacing above.

    Returns
    -------
    numpy.ndarray
        Shape (n_loans + 1,): P(D = k) for k = 0, …, n_loans; non-negative, summing to 1.

    Raises
    ------
    InputError
        A ValueError, when an argument is outside its range.
    """
    from scipy.stats import binom

    n = operator.index(n_loans)
    if n < 0:
        raise InputError(f"n_loans must be at least 0, got {n}")
    pd_value = float(checked("pd", pd, 0.0, 1.0, "()"))
    rho_value = float(checked("rho", rho, 0.0, 1.0, "[)"))
    if n_nodes is None:
        spacing = _MAX_SPACING
        if rho_value > 0.0 and n > 0:
            narrowest = np.sqrt(np.pi / 2.0 * (1.0 - rho_value) / (n * rho_value))
            spacing = min(spacing, narrowest / 2.0)
        n_nodes = 2 * int(np.ceil(_Z_LIMIT / spacing)) + 1
    elif operator.index(n_nodes) < 3:
        raise InputError(f"n_nodes must be at least 3, got {n_nodes}")
    z = np.linspace(-_Z_LIMIT, _Z_LIMIT, n_nodes)
    weights = np.exp(-0.5 * z**2) / np.sqrt(2.0 * np.pi) * (z[1] - z[0])
    weights[[0, -1]] *= 0.5
    p = np.asarray(conditional_pd(pd_value, rho_value, z))
    counts = np.arange(n + 1, dtype=np.float64)[:, np.newaxis]
    pmf = np.zeros(n + 1)
    step = max(1, _CHUNK_CELLS // (n + 1))
    for start in range(0, n_nodes, step):
        nodes = slice(start, start + step)
        pmf += binom.pmf(counts, n, p[np.newaxis, nodes]) @ weights[nodes]
    return pmf


def expected_loss(exposure: npt.ArrayLike, pd: npt.ArrayLike, lgd: npt.ArrayLike) -> float:
    """Expected loss of a portfolio, EL = Σ_i EAD_i·PD_i·LGD_i.

    Parameters
    ----------
    exposure : float or array_like
        Exposure at default of each loan, money (≥ 0).
    pd : float or array_like
        Default probability of each loan over the period, in [0, 1].
    lgd : float or array_like
        Loss given default of each loan, fraction of EAD in [0, 1].

    Returns
    -------
    float
        Expected loss over the period, in the currency of ``exposure``; the three arguments
        broadcast together before the sum.

    Raises
    ------
    InputError
        A ValueError, when an argument is outside its range.
    """
    exposure_array = checked("exposure", exposure, 0.0, np.inf, "[)")
    pd_array = checked("pd", pd, 0.0, 1.0, "[]")
    lgd_array = checked("lgd", lgd, 0.0, 1.0, "[]")
    return float(np.sum(exposure_array * pd_array * lgd_array))
