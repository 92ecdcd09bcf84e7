"""Quasi-Monte Carlo replicates: simulation s of a run with R independent scramblings
belongs to replicate s mod R, and an estimate's error comes from the spread of its R
replicate estimates (:func:`risksim.stats.measures.replicate_estimate`)."""

from __future__ import annotations

import numpy as np


def replicate_labels(n: int, replicates: int | None) -> np.ndarray | None:
    """The replicate r = s mod R of each of the n simulations s = 0, …, n − 1 of a
    quasi-Monte Carlo run with R ``replicates``, or None when the errors are not taken
    from replicates: no R (not a QMC run) or n < 2R (fewer than 2 simulations in some
    replicate; the i.i.d. formulas apply then)."""
    if replicates is None or n < 2 * replicates:
        return None
    return np.arange(n) % replicates


def replicate_means(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The mean of ``values`` over each replicate's simulations: θ̂_r = (1/N_r) Σ_{s in r}
    values_s for r = 0, …, R − 1 (``labels`` from :func:`replicate_labels`)."""
    return np.bincount(labels, weights=values) / np.bincount(labels)
