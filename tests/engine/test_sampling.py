"""The sparse and dense default samplers draw the same (binomial, exchangeable) law."""

from __future__ import annotations

import numpy as np
import pytest

from risksim.engine.sampling import _sample_dense, _sample_sparse

N_SIMS = 40_000


@pytest.mark.parametrize("kernel", [_sample_sparse, _sample_dense])
@pytest.mark.parametrize(("p", "n_loans"), [(0.002, 1_000), (0.05, 60), (0.3, 25)])
def test_counts_are_binomial_and_positions_uniform(kernel, p: float, n_loans: int) -> None:
    rng = np.random.Generator(np.random.PCG64DXSM(2024))
    sims, positions = kernel(rng, np.full(N_SIMS, p), n_loans)
    counts = np.bincount(sims, minlength=N_SIMS)
    mean, var = n_loans * p, n_loans * p * (1 - p)
    # Mean count: se = √(var/N). Sample variance: se ≈ √((μ4 − σ⁴)/N), binomial μ4 below.
    assert abs(counts.mean() - mean) <= 4 * np.sqrt(var / N_SIMS)
    mu4 = var * (1 + 3 * (n_loans - 2) * p * (1 - p))
    assert abs(counts.var(ddof=1) - var) <= 4 * np.sqrt((mu4 - var**2) / N_SIMS)
    # Each position defaults with probability p (binomial over simulations).
    per_position = np.bincount(positions, minlength=n_loans) / N_SIMS
    assert np.all(np.abs(per_position - p) <= 4.5 * np.sqrt(p * (1 - p) / N_SIMS))
    # A loan defaults at most once per simulation; positions are inside the group.
    assert np.unique(sims * n_loans + positions).size == sims.size
    assert positions.min() >= 0 and positions.max() < n_loans


@pytest.mark.parametrize("kernel", [_sample_sparse, _sample_dense])
def test_certain_and_impossible_defaults(kernel) -> None:
    rng = np.random.Generator(np.random.PCG64DXSM(1))
    p = np.array([0.0, 1.0, 0.0, 1.0])
    sims, positions = kernel(rng, p, 7)
    assert sorted(zip(sims.tolist(), positions.tolist(), strict=True)) == [
        (s, k) for s in (1, 3) for k in range(7)]


def test_sparse_sampler_handles_sims_needing_several_rounds() -> None:
    # Conditional PDs far above the mean force extra rounds of gap draws for a few sims.
    rng = np.random.Generator(np.random.PCG64DXSM(5))
    p = np.where(np.arange(N_SIMS) % 100 == 0, 0.5, 0.001)
    sims, _ = _sample_sparse(rng, p, 500)
    counts = np.bincount(sims, minlength=N_SIMS)
    high = counts[::100]
    assert abs(high.mean() - 250) <= 4 * np.sqrt(125 / high.size)


def test_vanishing_probabilities_give_no_defaults_and_no_warnings() -> None:
    # Found by hypothesis: p = 3e-271 made the geometric gap overflow to inf.
    rng = np.random.Generator(np.random.PCG64DXSM(0))
    sims, _ = _sample_sparse(rng, np.full(1000, 2.98e-271), 40)
    assert sims.size == 0
