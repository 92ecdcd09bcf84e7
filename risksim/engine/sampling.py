"""Who defaults: exact samplers of independent Bernoulli defaults within a group of loans.

Given the systematic factors, the n loans of a group default independently with the same
conditional probability p_s in simulation s. Two kernels draw the same distribution:

* sparse: the positions of defaulters are cumulative sums of geometric gaps,
  G = ⌊ln(1 − U)/ln(1 − p)⌋ + 1, so the cost follows the number of defaults (n·p), and
  every default keeps its loan's position;
* dense: a float32 uniform per loan-simulation compared with p, in cache-sized tiles,
  for high-PD groups where nearly every draw matters anyway.

Both return (simulation index, position in the group) of every default.
"""

from __future__ import annotations

import numpy as np

DENSE_MEAN_PD = 0.15
"""Mean conditional PD above which a group is sampled with the dense kernel.

Measured crossover on a 2-core machine (numpy 2.4): sparse 2.0 / 4.6 / 10.9 ns and dense
3.7 / 4.7 / 6.7 ns per loan-simulation at p = 0.05 / 0.15 / 0.30.
"""

DENSE_TILE = 1 << 18
"""Loan-simulations per dense tile (fits in cache as float32)."""

_MARGIN_SD = 1.0
"""Gaps drawn per simulation and round: expected count + this many sds + 1."""

Defaults = tuple[np.ndarray, np.ndarray]


def sample_defaults(rng: np.random.Generator, p: np.ndarray, n_loans: int) -> Defaults:
    """Defaults of a group of ``n_loans`` loans in each simulation.

    Parameters
    ----------
    rng : numpy.random.Generator
        The block's stream.
    p : numpy.ndarray
        Conditional default probability per simulation, shape (n_sims,).
    n_loans : int
        Number of loans in the group.

    Returns
    -------
    sims, positions : numpy.ndarray
        int64 simulation index and 0-based position in the group of each default.
    """
    if p.mean() > DENSE_MEAN_PD:
        return _sample_dense(rng, p, n_loans)
    return _sample_sparse(rng, p, n_loans)


def _sample_sparse(rng: np.random.Generator, p: np.ndarray, n_loans: int) -> Defaults:
    with np.errstate(divide="ignore"):
        log_survival = np.log1p(-p)
    active = np.flatnonzero(log_survival < 0)
    reached = np.zeros(active.size, dtype=np.int64)
    sims: list[np.ndarray] = []
    positions: list[np.ndarray] = []
    while active.size:
        pa = p[active]
        expected = (n_loans - reached) * pa
        draws = np.ceil(expected + _MARGIN_SD * np.sqrt(expected * (1 - pa)) + 1).astype(np.int64)
        draws = np.minimum(draws, n_loans - reached + 1)
        owner = np.repeat(np.arange(active.size, dtype=np.int32), draws)
        gaps = _geometric_gaps(rng, log_survival[active][owner], n_loans + 1)
        cumulative = np.cumsum(gaps)  # float64 holds these whole numbers exactly (< 2^53)
        ends = np.cumsum(draws)
        offset = np.concatenate(([0.0], cumulative[ends[:-1] - 1])) - reached
        pos = cumulative - offset[owner]
        hit = pos <= n_loans
        sims.append(active[owner[hit]])
        positions.append(pos[hit].astype(np.int64) - 1)
        last = pos[ends - 1]
        more = last <= n_loans
        active, reached = active[more], last[more].astype(np.int64)
    if not sims:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(sims), np.concatenate(positions)


def _geometric_gaps(rng: np.random.Generator, log_survival: np.ndarray,
                    longest: int) -> np.ndarray:
    """Geometric gaps ⌊ln(1 − U)/ln(1 − p)⌋ + 1 as whole floats, at most ``longest``.

    Gaps beyond the group are cut at ``longest`` so running sums stay exact.
    """
    gaps = rng.random(log_survival.size)
    np.negative(gaps, out=gaps)
    np.log1p(gaps, out=gaps)
    with np.errstate(invalid="ignore", over="ignore"):  # tiny p: gaps beyond any group
        gaps /= log_survival
    np.floor(gaps, out=gaps)
    gaps += 1.0
    return np.minimum(gaps, longest, out=gaps)


def _sample_dense(rng: np.random.Generator, p: np.ndarray, n_loans: int) -> Defaults:
    p32 = p.astype(np.float32)
    rows = max(1, DENSE_TILE // n_loans)
    sims: list[np.ndarray] = []
    positions: list[np.ndarray] = []
    for first in range(0, p.size, rows):
        tile = p32[first:first + rows, None]
        uniforms = rng.random((tile.shape[0], n_loans), dtype=np.float32)
        hits = np.flatnonzero(uniforms < tile)
        tile_sims = hits // n_loans
        sims.append(tile_sims + first)
        positions.append(hits - tile_sims * n_loans)
    return (np.concatenate(sims).astype(np.int64, copy=False),
            np.concatenate(positions).astype(np.int64, copy=False))
