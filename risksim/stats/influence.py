"""Influence functions of the risk measures: standard errors of differences and ratios.

A measure M estimated from N simulations is, to first order, its true value plus the mean
of its influence values ψ_i (one per simulation, mean 0), so se(M) = sd(ψ)/√N. Measures
estimated on the same simulations combine through their ψ: a difference M_B − M_A has
se = sd(ψ_B − ψ_A)/√N (paired: common random numbers make ψ_A and ψ_B move together), a
ratio M/D has ψ = (ψ_M − (M/D)·ψ_D)/D (the delta method).

With order statistics as in :mod:`risksim.stats.measures` (r = ⌈aN⌉, the k = N − r largest losses
form the tail T, VaR = L_(r)):

* EL:  ψ_i = L_i − EL
* VaR: ψ_i = (a − 1{L_i ≤ VaR})/f, the density f at VaR taken from the order-statistic
  interval: 1/f = se_VaR·√N/√(a(1 − a)) (so sd(ψ)/√N gives back se_VaR)
* ES:  ψ_i = (N/k)·1{i ∈ T}·(L_i − VaR) + VaR − ES, whose variance gives back the ES
  standard error of :func:`risksim.stats.measures.expected_shortfall`

(Serfling 1980, §2.5 and §6.4; Yamai & Yoshiba 2002 for ES).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from risksim.stats import measures


@dataclass(frozen=True)
class Difference:
    """A measure of scheme B less the same measure of scheme A, on the same simulations.

    Attributes
    ----------
    value : float
        M_B − M_A (money).
    se : float
        Paired standard error sd(ψ_B − ψ_A)/√N (money).
    se_unpaired : float
        The standard error had A and B been simulated independently, √(se_A² + se_B²).
    """

    value: float
    se: float
    se_unpaired: float


def measure_names(levels: list[float]) -> list[str]:
    """``EL`` then ``VaR_<level>`` and ``ES_<level>`` for each level (names as in summaries)."""
    return ["EL", *[f"{kind}_{level:g}" for level in levels for kind in ("VaR", "ES")]]


def influence(losses: np.ndarray, measure: str) -> tuple[float, np.ndarray]:
    """The estimate of ``measure`` (``EL``, ``VaR_<a>`` or ``ES_<a>``) and its ψ_i.

    Parameters
    ----------
    losses : numpy.ndarray
        Per-simulation losses (money), at least 2.
    measure : str
        ``"EL"``, or ``"VaR_0.99"`` / ``"ES_0.99"`` for level 0.99.

    Returns
    -------
    (float, numpy.ndarray)
        The estimate (money) and the influence value of every simulation (money).
    """
    if measure == "EL":
        value = float(losses.mean())
        return value, losses - value
    kind, level_text = measure.split("_", 1)
    level = float(level_text)
    var = measures.value_at_risk(losses, level)
    if kind == "VaR":
        inverse_density = (var.se * math.sqrt(losses.size) / math.sqrt(level * (1 - level)))
        return var.value, (level - (losses <= var.value)) * inverse_density
    es = measures.expected_shortfall(losses, level)
    n = losses.size
    k = measures.tail_size(level, n)
    in_tail = tail_mask(losses, k)
    psi = (n / k) * in_tail * (losses - var.value) + var.value - es.value
    return es.value, psi


def tail_mask(losses: np.ndarray, k: int) -> np.ndarray:
    """True for k of the largest losses (ties at the boundary broken arbitrarily: the tail's
    values, and so ES and ψ, are the same whichever tied loss is taken)."""
    mask = np.zeros(losses.size, dtype=bool)
    mask[np.argpartition(losses, losses.size - k)[losses.size - k:]] = True
    return mask


def standard_error(psi: np.ndarray) -> float:
    """sd(ψ)/√N (ddof = 1)."""
    return float(psi.std(ddof=1) / math.sqrt(psi.size))


def difference(losses_a: np.ndarray, losses_b: np.ndarray, measure: str) -> Difference:
    """``measure`` of B less that of A, with paired and unpaired standard errors."""
    value_a, psi_a = influence(losses_a, measure)
    value_b, psi_b = influence(losses_b, measure)
    unpaired = math.hypot(standard_error(psi_a), standard_error(psi_b))
    return Difference(value_b - value_a, standard_error(psi_b - psi_a), unpaired)


def ratio_of_means(numerator: np.ndarray, denominator: np.ndarray) -> tuple[float, float]:
    """E[X]/E[Y] and its delta-method standard error sd(X − ρY)/(√N·E[Y]), ρ = E[X]/E[Y]."""
    mean_y = float(denominator.mean())
    rho = float(numerator.mean()) / mean_y
    return rho, standard_error(numerator - rho * denominator) / abs(mean_y)


def economic_capital(losses: np.ndarray, measure: str) -> tuple[float, np.ndarray]:
    """Economic capital M − EL for ``measure`` M (``VaR_<a>`` or ``ES_<a>``), and its ψ_i.

    ψ_i = ψ_M,i − ψ_EL,i (money): the capital is a difference of two measures of the same
    losses.
    """
    value, psi = influence(losses, measure)
    mean, psi_mean = influence(losses, "EL")
    return value - mean, psi - psi_mean


@dataclass(frozen=True)
class CapitalRelief:
    """Economic capital of losses A (alone) and B (under a scheme) on the same simulations.

    With K_A = M(A) − EL(A) and K_B = M(B) − EL(B) (:func:`economic_capital`):
    relief = K_A − K_B with the paired se sd(ψ_K_A − ψ_K_B)/√N, and the relief rate
    (K_A − K_B)/K_A with the delta-method se sd(ψ_rel − rate·ψ_K_A)/(√N·K_A).

    Attributes
    ----------
    alone, alone_se, with_scheme, with_scheme_se : float
        K_A and K_B with their standard errors (money).
    relief, relief_se : float
        K_A − K_B (money) and its paired standard error.
    relief_rate, relief_rate_se : float
        (K_A − K_B)/K_A (fraction) and its standard error; NaN when K_A ≤ 0.
    """

    alone: float
    alone_se: float
    with_scheme: float
    with_scheme_se: float
    relief: float
    relief_se: float
    relief_rate: float
    relief_rate_se: float


def capital_relief(alone: np.ndarray, with_scheme: np.ndarray, measure: str) -> CapitalRelief:
    """:class:`CapitalRelief` of per-simulation losses ``with_scheme`` against ``alone``
    (the same simulations), capital measured by ``measure`` (``VaR_<a>`` or ``ES_<a>``)."""
    capital_a, psi_a = economic_capital(alone, measure)
    capital_b, psi_b = economic_capital(with_scheme, measure)
    relief, psi_relief = capital_a - capital_b, psi_a - psi_b
    if capital_a > 0:
        rate = relief / capital_a
        rate_se = standard_error(psi_relief - rate * psi_a) / capital_a
    else:
        rate = rate_se = math.nan
    return CapitalRelief(capital_a, standard_error(psi_a), capital_b, standard_error(psi_b),
                         relief, standard_error(psi_relief), rate, rate_se)
