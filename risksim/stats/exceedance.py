"""Exceedance of a run's losses: P(L > x) at any thresholds with its error (the one
estimator of it, :func:`exceedance`, on the mean of :func:`run_mean`), and the weighted
empirical distribution's ranks, quantiles and the thresholds a curve is drawn at
(:class:`RankedLosses`).

For losses L_1, …, L_N with likelihood-ratio weights w_i (w_i = 1 without importance
sampling), P̂(L > x) = (1/N) Σ w_i 1{L_i > x}.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from risksim.stats import measures
from risksim.stats.replicates import replicate_means


class RankedLosses:
    """One column's losses ranked ascending with their weights: the (weighted) empirical
    distribution P̂(L > x) = (1/N) Σ w_i 1{L_i > x}, w_i = 1 without importance sampling.

    Attributes
    ----------
    losses, weights : numpy.ndarray
        Losses in ascending order and their weights (ties in simulation order).
    order : numpy.ndarray
        The simulations in that order (a stable argsort).
    """

    def __init__(self, losses: np.ndarray, weights: np.ndarray | None) -> None:
        self.n = losses.size
        self._values = losses
        if weights is None:  # a sort, faster than the argsort, which waits until asked
            self.losses, self.weights = np.sort(losses), np.ones(self.n)
        else:
            self.losses = losses[self.order]
            self.weights = np.asarray(weights, dtype=np.float64)[self.order]
        reversed_weights = self.weights[::-1]
        # Σ of the k largest losses' weights (and squared weights), k = 0, …, N: exact
        # integers k without importance sampling
        self._mass = np.concatenate([[0.0], np.cumsum(reversed_weights)])
        self._square = np.concatenate([[0.0], np.cumsum(reversed_weights**2)])

    @functools.cached_property
    def order(self) -> np.ndarray:
        """The simulations in ascending order of loss (stable: ties in simulation order)."""
        return np.argsort(self._values, kind="stable")

    def thresholds(self, points: int) -> np.ndarray:
        """About ``points`` thresholds, losses whose exceedance probability p is spread
        evenly on a log scale from the smallest positive p up (with min(0, L_(1)) first);
        thresholds nothing exceeds (p = 0) are dropped."""
        positive = np.flatnonzero(self._mass > 0)
        if positive.size == 0:
            return np.empty(0)
        targets = np.geomspace(self._mass[positive[0]], self._mass[-1], points)
        top = np.unique(np.minimum(np.searchsorted(self._mass, targets), self.n))
        thresholds = np.unique(np.concatenate([[min(0.0, self.losses[0])],
                                               self.losses[self.n - top]]))
        above = self.n - np.searchsorted(self.losses, thresholds, side="right")
        return thresholds[self._mass[above] > 0]

    def rank(self, level: float) -> int:
        """How many simulations rank at or below the (weighted) ``level``-quantile: 0 at
        level 0, N at 1, else r of :func:`~risksim.stats.measures.weighted_rank`."""
        if level <= 0:
            return 0
        if level >= 1:
            return self.n
        return measures.weighted_rank(self.weights, level)

    def quantile(self, level: float) -> float:
        """The (weighted) ``level``-quantile, L_(r) with r = :meth:`rank` (the VaR of
        :func:`~risksim.stats.measures.weighted_summarize`), 0 < level < 1."""
        return float(self.losses[self.rank(level) - 1])


def run_mean(values: np.ndarray, confidence: float = 0.95,
             weights: np.ndarray | None = None, labels: np.ndarray | None = None,
             bounds: tuple[float, float] | None = None) -> measures.Estimate:
    """E[X] = (1/N) Σ w_i X_i over a run's simulations (w_i the likelihood-ratio weights of
    an importance-sampling run, else 1) and its error.

    Quasi-Monte Carlo (``labels``, the replicate of each simulation): se =
    sd(θ̂_1, …, θ̂_R)/√R with θ̂_r the same weighted mean over replicate r's simulations
    (:func:`~risksim.stats.measures.replicate_estimate`); otherwise the i.i.d. se =
    sd(w_i X_i)/√N. Bounds ± z·se, clipped into ``bounds``.
    """
    weighted = values if weights is None else weights * values
    if labels is not None:
        return measures.replicate_estimate(
            float(weighted.mean()), replicate_means(weighted, labels), confidence, bounds)
    estimate = (measures.mean(values, confidence) if weights is None
                else measures.weighted_mean(values, weights, confidence))
    if bounds is None:
        return estimate
    return measures.Estimate(estimate.value, estimate.se, max(estimate.lower, bounds[0]),
                             min(estimate.upper, bounds[1]))


def exceedance(values: np.ndarray, thresholds: Sequence[float], confidence: float = 0.95,
               weights: np.ndarray | None = None,
               labels: np.ndarray | None = None) -> list[measures.Estimate]:
    """P(L > x) = (1/N) Σ w_i 1{L_i > x} at each threshold x, with its error and bounds in
    [0, 1]: the one estimator of it that summaries, tables and plots use.

    Plain Monte Carlo: the share k/N of losses above x, se = √(p(1 − p)/N) and the Wilson
    score bounds (:func:`~risksim.stats.measures.proportion`), the counts read off the
    sorted losses; importance sampling or quasi-Monte Carlo: :func:`run_mean` of
    1{L_i > x} (se = sd(w_i 1{L_i > x})/√N, or from the replicates), bounds p ± z·se.
    """
    if np.isnan(np.asarray(thresholds, dtype=float)).any():
        raise ValueError("threshold must not be NaN")
    if weights is None and labels is None:
        ordered = np.sort(values)
        counts = values.size - np.searchsorted(ordered, np.asarray(thresholds, dtype=float),
                                               side="right")
        z = measures._z(confidence)
        return [measures.proportion(int(count), values.size, z) for count in counts]
    return [run_mean((values > threshold).astype(np.float64), confidence, weights, labels,
                     bounds=(0.0, 1.0)) for threshold in thresholds]
