"""The (weighted) empirical exceedance distribution of one column of losses: P(L > x) at
any threshold with its error, the thresholds an exceedance curve is drawn at, quantile
ranks, and quasi-Monte Carlo replicate bands.

For losses L_1, …, L_N with likelihood-ratio weights w_i (w_i = 1 without importance
sampling), P̂(L > x) = (1/N) Σ w_i 1{L_i > x}.
"""

from __future__ import annotations

import functools

import numpy as np

from risksim.stats import measures


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

    def count_above(self, thresholds: np.ndarray) -> np.ndarray:
        """#{i : L_i > x} for each threshold x."""
        return self.n - np.searchsorted(self.losses, thresholds, side="right")

    def probability(self, thresholds: np.ndarray) -> np.ndarray:
        """p(x) = (1/N) Σ w_i 1{L_i > x} for each threshold x."""
        return self._mass[self.count_above(thresholds)] / self.n

    def standard_error(self, thresholds: np.ndarray) -> np.ndarray:
        """sd(w_i 1{L_i > x})/√N (sample sd, ddof = 1) for each threshold x: the error of
        :meth:`probability` (as :func:`~risksim.stats.measures.weighted_mean`)."""
        k = self.count_above(thresholds)
        mass, n = self._mass[k], self.n
        variance = np.maximum(self._square[k] - mass * mass / n, 0.0) / (n - 1)
        return np.sqrt(variance / n)

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
        return thresholds[self.probability(thresholds) > 0]

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


def replicate_exceedance_bands(losses: np.ndarray, weights: np.ndarray | None,
                                labels: np.ndarray, thresholds: np.ndarray, p: np.ndarray,
                                confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Bounds p ± z·sd(p_1, …, p_R)/√R in [0, 1] at each threshold x, p_r = (1/N_r)
    Σ_{i in r} w_i 1{L_i > x} the (weighted) share of replicate r's N_r losses above it
    (:func:`risksim.stats.measures.replicate_estimate`)."""
    shares = []
    for r in range(int(labels.max()) + 1):
        member = labels == r
        own = RankedLosses(losses[member], None if weights is None else weights[member])
        shares.append(own.probability(thresholds))
    per_replicate = np.array(shares)
    bands = [measures.replicate_estimate(float(value), per_replicate[:, j], confidence,
                                         (0.0, 1.0)) for j, value in enumerate(p)]
    return np.array([b.lower for b in bands]), np.array([b.upper for b in bands])
