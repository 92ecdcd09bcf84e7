"""Risk measures of a simulated loss distribution, each with its Monte Carlo error band.

Every measure takes the 1-D array of per-simulation losses L_1, …, L_N (money, in the
scenario's currency) and returns an :class:`Estimate`: the point estimate, its Monte Carlo
standard error and a confidence interval at ``confidence``, with
z = Φ⁻¹((1 + confidence)/2) the two-sided standard normal quantile.

Order statistics L_(1) ≤ … ≤ L_(N) are 1-based. Quantile measures select the order
statistics they need with :func:`numpy.partition` (O(N)); :func:`summarize` sorts once and
reads every level from the sorted array through the same private kernels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

_CEIL_RTOL = 1e-12
"""Relative slack of :func:`_rank`: level·N is rounded to at most a few ulps (~2e-16
relative), so a product within 1e-12·level·N above an integer is taken as that integer."""


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate with its error band.

    Attributes
    ----------
    value : float
        Point estimate (money, or a probability for :func:`exceedance_probability`).
    se : float
        Monte Carlo standard error of ``value``, same unit.
    lower, upper : float
        Bounds of the confidence interval at the requested confidence, same unit.
    """

    value: float
    se: float
    lower: float
    upper: float


def mean(losses: npt.ArrayLike, confidence: float = 0.95) -> Estimate:
    """Expected loss with a normal confidence interval.

    EL = (1/N) Σ L_i,  se = s/√N with s the sample standard deviation (ddof = 1),
    bounds EL ± z·se.

    Parameters
    ----------
    losses : array_like
        Per-simulation losses (money), 1-D, finite, at least 2 values.
    confidence : float, default 0.95
        Two-sided confidence of the interval, in (0, 1).

    Returns
    -------
    Estimate
        EL and its band (money).

    Raises
    ------
    ValueError
        Empty, non-1-D or non-finite ``losses``, fewer than 2 losses, or ``confidence``
        outside (0, 1).
    """
    return _mean(_losses(losses, minimum=2), _z(confidence))


def standard_deviation(losses: npt.ArrayLike, confidence: float = 0.95) -> Estimate:
    """Sample standard deviation of the loss with a delta-method confidence interval.

    s² = Σ (L_i - L̄)²/(N - 1). By the delta method Var(s²) ≈ (m4 - s⁴)/N, with
    m4 = (1/N) Σ (L_i - L̄)⁴ the fourth central moment, so

        se(s) = √((m4 - s⁴)/(4 N s²)),

    with m4 - s⁴ clipped at 0 (it can dip below 0 by O(1/N) for two-point samples), and
    se = 0 when s = 0. Bounds s ± z·se.

    Parameters
    ----------
    losses : array_like
        Per-simulation losses (money), 1-D, finite, at least 2 values.
    confidence : float, default 0.95
        Two-sided confidence of the interval, in (0, 1).

    Returns
    -------
    Estimate
        The standard deviation and its band (money).

    Raises
    ------
    ValueError
        Empty, non-1-D or non-finite ``losses``, fewer than 2 losses, or ``confidence``
        outside (0, 1).
    """
    return _standard_deviation(_losses(losses, minimum=2), _z(confidence))


def value_at_risk(losses: npt.ArrayLike, level: float, confidence: float = 0.95) -> Estimate:
    """Value at risk: the lower empirical ``level``-quantile of the loss.

    VaR = L_(r) with r = ⌈level·N⌉ (1-based; the ceiling tolerates float rounding of
    level·N, so 0.99·100000 gives r = 99000).

    The bounds are the distribution-free order-statistic interval [L_(a), L_(b)] with

        a = ⌊N·level - z√(N·level(1 - level))⌋,  b = ⌈N·level + z√(N·level(1 - level))⌉,

    both clipped into 1..N (so at extreme levels or tiny N the band may be the sample
    minimum or maximum and its coverage is then below ``confidence``). The standard
    error is the one implied by that interval, se = (L_(b) - L_(a))/(2z).

    Parameters
    ----------
    losses : array_like
        Per-simulation losses (money), 1-D, finite, non-empty.
    level : float
        Quantile level in (0, 1), e.g. 0.99.
    confidence : float, default 0.95
        Two-sided confidence of the interval, in (0, 1).

    Returns
    -------
    Estimate
        VaR at ``level`` and its band (money).

    Raises
    ------
    ValueError
        Empty, non-1-D or non-finite ``losses``, or ``level`` or ``confidence`` outside
        (0, 1).
    """
    x = _losses(losses)
    return _value_at_risk(x, _level(level), _z(confidence), presorted=False)


def expected_shortfall(losses: npt.ArrayLike, level: float, confidence: float = 0.95) -> Estimate:
    """Expected shortfall: the mean of the worst N(1 - level) losses.

    With r = ⌈level·N⌉ (as in :func:`value_at_risk`) and k = N - r tail losses,

        ES = (1/k) Σ_{i > r} L_(i);

    if k would be 0 (level > 1 - 1/N) the largest loss alone is used, k = 1, ES = L_(N).
    The standard error is the asymptotic one of the ES estimator (Yamai & Yoshiba 2002;
    Brazauskas et al. 2008),

        se² = [Var(tail) + level·(ES - VaR)²] / (N(1 - level)),

    with Var(tail) the sample variance (ddof = 1) of the k tail losses, 0 when k = 1, and
    VaR = L_(r). Bounds ES ± z·se.

    Parameters
    ----------
    losses : array_like
        Per-simulation losses (money), 1-D, finite, non-empty.
    level : float
        Level in (0, 1), e.g. 0.99.
    confidence : float, default 0.95
        Two-sided confidence of the interval, in (0, 1).

    Returns
    -------
    Estimate
        ES at ``level`` and its band (money).

    Raises
    ------
    ValueError
        Empty, non-1-D or non-finite ``losses``, or ``level`` or ``confidence`` outside
        (0, 1).
    """
    x = _losses(losses)
    return _expected_shortfall(x, _level(level), _z(confidence), presorted=False)


def exceedance_probability(
    losses: npt.ArrayLike, threshold: float, confidence: float = 0.95
) -> Estimate:
    """Probability that the loss exceeds ``threshold``, with a Wilson score interval.

    p = #{i : L_i > threshold}/N,  se = √(p(1 - p)/N), and the Wilson score bounds

        (p + c ∓ √(z²·p(1 - p)/N + c²)) / (1 + 2c),  c = z²/(2N),

    which stay inside [0, 1] and keep their coverage when p is 0 or 1. The upper bound is
    computed as 1 minus the lower bound of 1 - p (the interval's symmetry), so p = 0 gives
    a lower bound of exactly 0 and p = 1 an upper bound of exactly 1.

    Parameters
    ----------
    losses : array_like
        Per-simulation losses (money), 1-D, finite, non-empty.
    threshold : float
        Loss threshold (money); must not be NaN.
    confidence : float, default 0.95
        Two-sided confidence of the interval, in (0, 1).

    Returns
    -------
    Estimate
        P(L > threshold) and its band (dimensionless).

    Raises
    ------
    ValueError
        Empty, non-1-D or non-finite ``losses``, NaN ``threshold``, or ``confidence``
        outside (0, 1).
    """
    x = _losses(losses)
    z = _z(confidence)
    if math.isnan(threshold):
        raise ValueError("threshold must not be NaN")
    n = x.size
    return proportion(int(np.count_nonzero(x > threshold)), n, z)


def proportion(count: int, n: int, z: float) -> Estimate:
    """The proportion p = ``count``/``n`` with se = √(p(1 - p)/n) and its Wilson score
    bounds at the two-sided normal quantile ``z`` (:func:`wilson_bounds`)."""
    p = count / n
    lower, upper = wilson_bounds(np.array([count]), n, z)
    return Estimate(p, math.sqrt(p * (1 - p) / n), float(lower[0]), float(upper[0]))


def wilson_bounds(counts: npt.ArrayLike, n: int, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score bounds of the proportions p = counts/n at the two-sided normal quantile
    ``z``: (p + c ∓ √(z²·p(1 - p)/n + c²)) / (1 + 2c), c = z²/(2n).

    The upper bound is 1 minus the lower bound of the complement (n − count)/n, so p = 0
    gives a lower bound of exactly 0 and p = 1 an upper bound of exactly 1.
    """
    counts = np.asarray(counts, dtype=np.float64)
    return _wilson_lower(counts, n, z), 1.0 - _wilson_lower(n - counts, n, z)


def replicate_estimate(value: float, replicate_values: npt.ArrayLike, confidence: float = 0.95,
                       bounds: tuple[float, float] | None = None) -> Estimate:
    """An estimate from randomised quasi-Monte Carlo: its error from independent replicates.

    Quasi-Monte Carlo points are not independent, so the i.i.d. formulas (s/√N, Wilson
    bounds) do not give their error. With R independent randomisations (scramblings) of the
    point set and θ̂_r the estimator computed on the points of replicate r alone, the
    θ̂_1, …, θ̂_R are i.i.d. and

        se = s_R/√R,  s_R² = Σ_r (θ̂_r − θ̄)²/(R − 1),  θ̄ = (1/R) Σ_r θ̂_r,

    with bounds θ̂ ± z·se, where θ̂ = ``value`` is the estimate from every point (for a mean
    over replicates of equal size, θ̂ = θ̄).

    Parameters
    ----------
    value : float
        The estimate from every simulation (same unit as the replicate estimates).
    replicate_values : array_like
        θ̂_1, …, θ̂_R: the estimator on each replicate's simulations, 1-D, R ≥ 2.
    confidence : float, default 0.95
        Two-sided confidence of the bounds, in (0, 1).
    bounds : (float, float), optional
        Range the quantity lives in (``(0.0, 1.0)`` for a probability): the confidence
        bounds are clipped into it.

    Returns
    -------
    Estimate
        ``value`` with se = s_R/√R and its bounds.

    Raises
    ------
    ValueError
        Fewer than 2 replicate values, or ``confidence`` outside (0, 1).
    """
    estimates = np.asarray(replicate_values, dtype=np.float64)
    if estimates.ndim != 1 or estimates.size < 2:
        raise ValueError(f"need a 1-D array of at least 2 replicate values, got shape "
                         f"{estimates.shape}")
    z = _z(confidence)
    se = float(estimates.std(ddof=1)) / math.sqrt(estimates.size)
    lower, upper = value - z * se, value + z * se
    if bounds is not None:
        lower, upper = max(lower, bounds[0]), min(upper, bounds[1])
    return Estimate(float(value), se, lower, upper)


def summarize(
    losses: npt.ArrayLike, levels: Sequence[float], confidence: float = 0.95
) -> dict[str, float]:
    """The summary row of one party: EL, SD and VaR / ES at each level.

    The losses are sorted once and every level is read from the sorted array through the
    kernels of :func:`value_at_risk` and :func:`expected_shortfall`, so the values equal
    theirs (ES and its se up to the rounding of summing the tail in another order); EL and
    SD are those of :func:`mean` and :func:`standard_deviation`.

    Parameters
    ----------
    losses : array_like
        Per-simulation losses (money), 1-D, finite, at least 2 values.
    levels : sequence of float
        Levels in (0, 1); each is named in the keys by ``f"{level:g}"``.
    confidence : float, default 0.95
        Two-sided confidence of the VaR band, in (0, 1).

    Returns
    -------
    dict of str to float
        In this order: ``"EL"``, ``"EL_se"``, ``"SD"``, ``"SD_se"`` and, for each level
        ``L`` in the given order, ``f"VaR_{L}"``, ``f"VaR_{L}_lo"``, ``f"VaR_{L}_hi"``,
        ``f"ES_{L}"``, ``f"ES_{L}_se"`` (money).

    Raises
    ------
    ValueError
        As the individual measures, or when two levels have the same name (``:g`` keeps
        6 significant digits).
    """
    x = _losses(losses, minimum=2)
    z = _z(confidence)
    checked = [_level(level) for level in levels]
    names = [f"{level:g}" for level in checked]
    if len(set(names)) < len(names):
        raise ValueError(f"levels {checked} give duplicate names {names}")
    el = _mean(x, z)
    sd = _standard_deviation(x, z)
    row = {"EL": el.value, "EL_se": el.se, "SD": sd.value, "SD_se": sd.se}
    ordered = np.sort(x) if checked else x
    for name, level in zip(names, checked, strict=True):
        var = _value_at_risk(ordered, level, z, presorted=True)
        es = _expected_shortfall(ordered, level, z, presorted=True)
        row |= {
            f"VaR_{name}": var.value,
            f"VaR_{name}_lo": var.lower,
            f"VaR_{name}_hi": var.upper,
            f"ES_{name}": es.value,
            f"ES_{name}_se": es.se,
        }
    return row


def _losses(losses: npt.ArrayLike, minimum: int = 1) -> np.ndarray:
    """``losses`` as a float64 1-D array with at least ``minimum`` finite values."""
    x = np.asarray(losses, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"losses must be 1-D, got shape {x.shape}")
    if x.size < minimum:
        raise ValueError(f"need at least {minimum} loss(es), got {x.size}")
    if not np.isfinite(x).all():
        raise ValueError("losses must be finite (found NaN or infinity)")
    return x


def _level(level: float) -> float:
    """``level`` as a float, checked to lie in (0, 1)."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    return float(level)


def _z(confidence: float) -> float:
    """Two-sided normal quantile z = Φ⁻¹((1 + confidence)/2), ``confidence`` in (0, 1)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    return NormalDist().inv_cdf((1.0 + confidence) / 2.0)


def tail_size(level: float, n: int) -> int:
    """k = N − ⌈level·N⌉, at least 1: how many of N losses form the tail of the ES at ``level``."""
    return max(n - _rank(level, n), 1)


def _rank(level: float, n: int) -> int:
    """r = ⌈level·n⌉ (1-based), robust to the rounding of level·n; 1 ≤ r ≤ n for 0 < level < 1."""
    t = level * n
    return math.ceil(t - _CEIL_RTOL * t)


def _order_statistics(x: np.ndarray, positions: Sequence[int], presorted: bool) -> np.ndarray:
    """An array holding the order statistics of ``x`` at the 0-based ``positions``.

    ``x`` itself when ``presorted``, else a partition of a copy (O(N), no full sort);
    in both cases entries after a listed position are ≥ the entry there.
    """
    return x if presorted else np.partition(x, sorted(set(positions)))


def _wilson_lower(counts: np.ndarray, n: int, z: float) -> np.ndarray:
    """Lower Wilson score bounds of the proportions ``counts``/``n``; exactly 0 at 0."""
    p = counts / n
    c = z * z / (2 * n)
    return (p + c - np.sqrt(z * z * p * (1 - p) / n + c * c)) / (1 + 2 * c)


def _mean(x: np.ndarray, z: float) -> Estimate:
    """Kernel of :func:`mean` on validated losses ``x`` and quantile ``z``."""
    value = float(x.mean())
    se = float(x.std(ddof=1)) / math.sqrt(x.size)
    return Estimate(value, se, value - z * se, value + z * se)


def _standard_deviation(x: np.ndarray, z: float) -> Estimate:
    """Kernel of :func:`standard_deviation` on validated losses ``x`` and quantile ``z``."""
    n = x.size
    d2 = np.square(x - x.mean())
    var = float(d2.sum()) / (n - 1)
    m4 = float(np.dot(d2, d2)) / n
    s = math.sqrt(var)
    se = math.sqrt(max(m4 - var * var, 0.0) / (4 * n * var)) if var > 0 else 0.0
    return Estimate(s, se, s - z * se, s + z * se)


def _value_at_risk(x: np.ndarray, level: float, z: float, presorted: bool) -> Estimate:
    """Kernel of :func:`value_at_risk`; ``presorted`` says ``x`` is already ascending."""
    n = x.size
    r = _rank(level, n)
    spread = z * math.sqrt(n * level * (1 - level))
    a = min(max(math.floor(n * level - spread), 1), n)
    b = min(max(math.ceil(n * level + spread), 1), n)
    part = _order_statistics(x, (a - 1, r - 1, b - 1), presorted)
    lower, upper = float(part[a - 1]), float(part[b - 1])
    return Estimate(float(part[r - 1]), (upper - lower) / (2 * z), lower, upper)


def _expected_shortfall(x: np.ndarray, level: float, z: float, presorted: bool) -> Estimate:
    """Kernel of :func:`expected_shortfall`; ``presorted`` says ``x`` is already ascending."""
    n = x.size
    r = _rank(level, n)
    k = max(n - r, 1)
    part = _order_statistics(x, (r - 1, n - k), presorted)
    var = float(part[r - 1])
    tail = part[n - k :]
    value = float(tail.mean())
    tail_var = float(tail.var(ddof=1)) if k > 1 else 0.0
    se = math.sqrt((tail_var + level * (value - var) ** 2) / (n * (1 - level)))
    return Estimate(value, se, value - z * se, value + z * se)


def weighted_summarize(losses: npt.ArrayLike, weights: npt.ArrayLike, levels: Sequence[float],
                       confidence: float = 0.95) -> dict[str, float]:
    """The summary row of :func:`summarize` from importance-sampled losses.

    With N draws L_i from the sampling distribution and likelihood ratios w_i (the density
    of the model over that of the sampling distribution at draw i), every expectation is
    E[h(L)] = (1/N) Σ w_i h(L_i), with standard error sd(w_i h(L_i))/√N:

    * EL = (1/N) Σ w_i L_i;
    * SD = √(m₂ − EL²), m₂ = (1/N) Σ w_i L_i², standard error by the delta method from the
      covariance of (w_i L_i, w_i L_i²);
    * VaR_a = the smallest L_(j) with P̂(L > L_(j)) ≤ 1 − a, P̂(L > x) = (1/N) Σ w_i 1{L_i > x};
      bounds: the ends of the run of consecutive L_(i) around VaR_a with
      |P̂(L > L_(i)) − (1 − a)| ≤ z·se_i, se_i the standard error of P̂(L > L_(i)) (the
      interval the unweighted order statistics give; only the run around VaR counts, since
      far in the body, where the few simulations drawn from the model carry large weights,
      se_i can be large enough to touch 1 − a again);
    * ES_a = VaR_a + (1/(N(1 − a))) Σ w_i (L_i − VaR_a)⁺ (Rockafellar–Uryasev), standard
      error sd(w_i (L_i − VaR_a)⁺)/(√N (1 − a)) (VaR's own error does not enter to first
      order, as the expression is stationary in VaR).

    With every w_i = 1 these are the unweighted estimators of :func:`summarize` (up to the
    VaR bounds, which become the normal approximation of the order-statistic interval).

    Parameters
    ----------
    losses : array_like
        Per-simulation losses (money), 1-D, finite, at least 2 values.
    weights : array_like
        Likelihood ratios w_i ≥ 0, same shape.
    levels : sequence of float
        Levels in (0, 1).
    confidence : float, default 0.95
        Two-sided confidence of the VaR bounds.

    Returns
    -------
    dict of str to float
        The keys of :func:`summarize`, money.
    """
    x = _losses(losses, minimum=2)
    w = _weights(weights, x.size)
    z = _z(confidence)
    n = x.size
    el = _mean(w * x, z)
    wx, wx2 = w * x, w * x * x
    m2 = float(wx2.mean())
    sd = math.sqrt(max(m2 - el.value**2, 0.0))
    if sd > 0:
        covariance = np.cov(np.vstack([wx, wx2]))
        gradient = np.array([-el.value / sd, 0.5 / sd])
        sd_se = math.sqrt(max(float(gradient @ covariance @ gradient), 0.0) / n)
    else:
        sd_se = 0.0
    row = {"EL": el.value, "EL_se": el.se, "SD": sd, "SD_se": sd_se}
    order = np.argsort(x, kind="stable")
    ordered, ordered_w = x[order], w[order]
    beyond = _beyond(ordered_w)
    beyond_sq = (np.cumsum((ordered_w**2)[::-1])[::-1] - ordered_w**2) / n
    se = np.sqrt(np.maximum(beyond_sq - beyond**2, 0.0) / n)
    for level in (_level(level) for level in levels):
        name = f"{level:g}"
        tail = 1.0 - level + _CEIL_RTOL * level  # the slack of _rank, for level·N integer
        j = _var_index(beyond, level)
        var = float(ordered[j])
        lower = float(ordered[_run_start(beyond - z * se <= tail, j)])
        upper = float(ordered[_first(beyond + z * se <= tail, n)])
        excess = w * np.maximum(x - var, 0.0)
        es = var + float(excess.mean()) / (1.0 - level)
        es_se = float(excess.std(ddof=1)) / math.sqrt(n) / (1.0 - level)
        row |= {f"VaR_{name}": var, f"VaR_{name}_lo": lower, f"VaR_{name}_hi": upper,
                f"ES_{name}": es, f"ES_{name}_se": es_se}
    return row


def weighted_rank(ordered_weights: npt.ArrayLike, level: float) -> int:
    """The 1-based rank r of the weighted VaR at ``level`` among N losses sorted ascending.

    r is the smallest rank with P̂(L > L_(r)) = (1/N) Σ_{i > r} w_(i) ≤ 1 − level, w_(i) the
    weight of the i-th smallest loss (ties in the order of the sort), so that L_(r) is the
    VaR of :func:`weighted_summarize`; with every w_i = 1, r = ⌈level·N⌉ as in
    :func:`value_at_risk`.

    Parameters
    ----------
    ordered_weights : array_like
        Likelihood ratios w_(1), …, w_(N) ≥ 0 in the ascending order of their losses, 1-D.
    level : float
        Level in (0, 1).

    Returns
    -------
    int
        r, in 1..N.
    """
    w = np.asarray(ordered_weights, dtype=np.float64)
    if w.ndim != 1 or w.size < 1:
        raise ValueError(f"need a 1-D array of at least 1 weight, got shape {w.shape}")
    return _var_index(_beyond(w), _level(level)) + 1


def _beyond(ordered_w: np.ndarray) -> np.ndarray:
    """beyond[j] = (1/N) Σ_{i > j} w_(i) (0-based j, weights in the ascending order of the
    losses): the estimated P(L > L_(j)), ties aside."""
    return (np.cumsum(ordered_w[::-1])[::-1] - ordered_w) / ordered_w.size


def _var_index(beyond: np.ndarray, level: float) -> int:
    """0-based index of the weighted VaR at ``level``: the first j with beyond[j] ≤ 1 − level
    (with the slack of :func:`_rank`, for level·N an integer)."""
    tail = 1.0 - level + _CEIL_RTOL * level
    return _first(beyond <= tail, beyond.size)


def weighted_mean(values: npt.ArrayLike, weights: npt.ArrayLike,
                  confidence: float = 0.95) -> Estimate:
    """E[X] = (1/N) Σ w_i X_i from importance-sampled values, se = sd(w_i X_i)/√N,
    bounds ± z·se (for a probability, X_i = 1{event}, clipped to [0, 1] by the caller)."""
    x = _losses(values, minimum=2)
    return _mean(_weights(weights, x.size) * x, _z(confidence))


def _weights(weights: npt.ArrayLike, n: int) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (n,):
        raise ValueError(f"weights must have shape ({n},), got {w.shape}")
    if not (np.isfinite(w).all() and (w >= 0).all()):
        raise ValueError("weights must be finite and non-negative")
    return w


def _run_start(condition: np.ndarray, j: int) -> int:
    """The first index of the run of True values of ``condition`` that ends at index ``j``
    (``j`` itself when ``condition[j - 1]`` is False)."""
    outside = np.flatnonzero(~condition[:j])
    return int(outside[-1]) + 1 if outside.size else 0


def _first(condition: np.ndarray, n: int) -> int:
    """Index of the first True of ``condition`` (the last index when there is none)."""
    return int(np.argmax(condition)) if condition.any() else n - 1
