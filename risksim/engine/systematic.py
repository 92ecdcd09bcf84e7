"""Systematic variables drawn by quasi-Monte Carlo or under importance sampling.

A plain run draws each period's factors from the block's stream just before that period's
defaults (:mod:`risksim.engine.block`). When a run uses quasi-Monte Carlo or importance
sampling (a :class:`Sampling` on the plan), a block draws in this order instead (sampling
stream order 1, part of the contract like ``STREAM_VERSION``):

1. under importance sampling, one uniform U per simulation from the block's stream: the
   simulation is drawn from the model itself when U < α (the defensive share, below), else
   from the importance distribution ("tilted");
2. the systematic variables of every period: K standard normal factors ε per simulation
   and, for the t copula, a χ²_ν variable V₀ (period by period, from the block's stream;
   or, with QMC, from scrambled Sobol points, see below);
3. under importance sampling, the tilted simulations' factors Z = ε + μ_t and V = λ·V₀;
4. chunk by chunk (:mod:`risksim.streams`), the defaults of every period and group
   in plan order from the block's stream, with the conditional PDs p = p_g(Z, V) twisted to
   q in tilted simulations, as they are otherwise; then the LGDs and claim draws of the
   chunk, as in a plain run.

**QMC.** The factors (and V) of a simulation are the inverse normal (χ²) CDF of one point of
a scrambled Sobol sequence in d = periods × (K + 1 for the t copula) dimensions. There are
R independent scramblings (replicates); simulation s belongs to replicate r = s mod R, and
takes point j = ⌊s/R⌋ of sequence r, which is scrambled from
``SeedSequence(seed, spawn_key=(QMC_STREAM_KEY, r))``. R divides the block size, so block
b holds points b·B/R … of each sequence, whatever the backend or task grouping.

**Importance sampling** (Glasserman & Li 2005): factors drawn N(μ_t, I) instead of N(0, I),
V drawn λ·χ²_ν instead of χ²_ν, and defaults of group g drawn with the exponentially twisted
probability q = p·e^{θc_g} / (1 + p(e^{θc_g} − 1)), c_g the expected loss per default of
the group's loans and θ ≥ 0 per simulation solving Σ_{t,g} n_g c_g q_{g,t}(θ) = x (θ = 0
when the conditional expected loss already reaches x). The likelihood ratio of a simulation

    w = exp(Σ_t (−μ_t·Z_t + |μ_t|²/2)) · Π_t λ^{ν/2} e^{V_t(1/λ − 1)/2}
        · exp(−θ Σ_{t,g} c_g D_{g,t} + Σ_{t,g} n_g ln(1 − p_{g,t} + p_{g,t} e^{θc_g}))

(D_{g,t} the defaults drawn in group g and period t) makes every weighted estimator
unbiased. Aimed at the tail, that distribution almost never visits the body of the loss
distribution, so w alone has a heavy upper tail and estimates of the mean (and their
errors) are unreliable. Each simulation is therefore drawn from the defensive mixture
α·f + (1 − α)·g (Hesterberg, Technometrics 37(2), 1995) and weighted by

    w_α = f/(α f + (1 − α) g) = 1/(α + (1 − α)/w) ≤ 1/α,

w computed from the simulation's own draws whichever component drew them: every weight is
bounded and every measure, the expected loss included, has a sound error. The run returns
w_α as its last column.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import chdtri, expit, logit, ndtri

from risksim.models.copula import FactorCopula, FactorDraws
from risksim.streams import BLOCK_SIZE

if TYPE_CHECKING:
    from risksim.compile.plan import SimulationPlan

SAMPLING_STREAM_ORDER = 2
"""Version of the draw order of QMC and importance-sampling runs (saved with their result):
1, without the defensive mixture; 2, with it and with chunks."""

QMC_STREAM_KEY = 2**32 - 1
"""First spawn key of the Sobol scramblings (block streams have one-element keys)."""

QMC_REPLICATES = 16
"""Default number of independent scramblings; divides BLOCK_SIZE."""

_SOBOL_BITS = 30
_TWIST_ITERATIONS = 60


@dataclass(frozen=True, eq=False)
class Sampling:
    """How a run draws its systematic variables and defaults (None fields: as plain MC).

    Attributes
    ----------
    qmc_replicates : int or None
        R independent scrambled Sobol sequences for the factors; None draws them from the
        block stream.
    shift : numpy.ndarray or None
        Mean shift μ of the factors, shape (periods, K); None: no importance sampling.
    chi2_scale : float
        λ: the t copula's χ²_ν variable is drawn as λ·χ²_ν.
    twist_target : float or None
        x (money): the loss the exponential twist aims at; None: no twisting.
    event_loss : numpy.ndarray or None
        c_g per group in plan order (money): the expected loss of one default.
    defensive_share : float
        α: the share of simulations drawn from the model itself under importance sampling.
    """

    qmc_replicates: int | None = None
    shift: np.ndarray | None = None
    chi2_scale: float = 1.0
    twist_target: float | None = None
    event_loss: np.ndarray | None = None
    defensive_share: float = 0.0

    @property
    def weighted(self) -> bool:
        """Whether simulations carry likelihood-ratio weights."""
        return self.shift is not None


def factor_copula(plan: SimulationPlan) -> FactorCopula:
    """The plan's default model as a factor copula, the models QMC and importance sampling
    draw for.

    Raises
    ------
    InputError
        When the model supports neither (one line, naming ``defaults.model``).
    """
    return plan.default_model.factor_sampling()


def sobol_uniforms(seed: int, block: int, n: int, dimension: int,
                   replicates: int) -> np.ndarray:
    """Uniforms (n, dimension) of block ``block``: simulation i of the block is point
    ``block·B/R + ⌊i/R⌋`` of scrambled sequence ``i mod R``, moved to the centre of its
    2⁻³⁰ cell so that no coordinate is 0."""
    from scipy.stats import qmc

    per_block = BLOCK_SIZE // replicates
    uniforms = np.empty((n, dimension))
    for replicate in range(min(replicates, n)):
        rows = np.arange(replicate, n, replicates)
        stream = np.random.Generator(np.random.PCG64DXSM(
            np.random.SeedSequence(seed, spawn_key=(QMC_STREAM_KEY, replicate))))
        engine = qmc.Sobol(dimension, scramble=True, bits=_SOBOL_BITS, rng=stream)
        if block:
            engine.fast_forward(block * per_block)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # balance needs powers of 2
            uniforms[rows] = engine.random(rows.size)
    return uniforms + 0.5 ** (_SOBOL_BITS + 1)


@dataclass(frozen=True, eq=False)
class SystematicDraws:
    """The systematic variables of a block's simulations (or of a chunk of them).

    Attributes
    ----------
    factors : numpy.ndarray
        Z, shape (periods, n, K).
    mixing : numpy.ndarray or None
        √(V/ν) of the t copula, shape (periods, n); None for the Gaussian copula.
    log_ratio : numpy.ndarray
        ln f/g of the systematic draws, shape (n,) (zeros without importance sampling).
    tilted : numpy.ndarray or None
        Under importance sampling, whether each simulation is drawn from the importance
        distribution (else from the model itself), shape (n,); None otherwise.
    """

    factors: np.ndarray
    mixing: np.ndarray | None
    log_ratio: np.ndarray
    tilted: np.ndarray | None

    def period(self, period: int) -> FactorDraws:
        """The factors (and mixing) of period ``period``, as the copula reads them."""
        return FactorDraws(self.factors[period],
                           None if self.mixing is None else self.mixing[period])

    def chunk(self, simulations: slice) -> SystematicDraws:
        """The draws of the simulations ``simulations``."""
        return SystematicDraws(
            self.factors[:, simulations],
            None if self.mixing is None else self.mixing[:, simulations],
            self.log_ratio[simulations],
            None if self.tilted is None else self.tilted[simulations])


def draw_systematic(sampling: Sampling, n_periods: int, n_factors: int,
                    degrees_of_freedom: float | None, rng: np.random.Generator, seed: int,
                    block: int, n: int) -> SystematicDraws:
    """The systematic variables of the ``n`` simulations of block ``block``, in the order of
    this module's docstring (steps 1 to 3)."""
    t_copula = degrees_of_freedom is not None
    tilted = None if sampling.shift is None else rng.random(n) >= sampling.defensive_share
    if sampling.qmc_replicates is not None:
        width = n_factors + t_copula
        u = sobol_uniforms(seed, block, n, n_periods * width, sampling.qmc_replicates)
        u = u.reshape(n, n_periods, width).transpose(1, 0, 2)
        factors = ndtri(u[:, :, :n_factors])
        chi2 = chdtri(degrees_of_freedom, 1.0 - u[:, :, n_factors]) if t_copula else None
    else:
        factors = np.empty((n_periods, n, n_factors))
        chi2 = np.empty((n_periods, n)) if t_copula else None
        for period in range(n_periods):
            factors[period] = rng.standard_normal((n, n_factors))
            if chi2 is not None and degrees_of_freedom is not None:
                chi2[period] = rng.chisquare(degrees_of_freedom, n)
    log_ratio = np.zeros(n)
    if sampling.shift is not None:
        mu = sampling.shift
        factors[:, tilted] += mu[:, None, :]
        log_ratio -= np.einsum("pnk,pk->n", factors, mu) - 0.5 * float(np.sum(mu * mu))
        if chi2 is not None:
            assert degrees_of_freedom is not None
            scale = sampling.chi2_scale
            chi2[:, tilted] *= scale
            log_ratio += (n_periods * degrees_of_freedom / 2 * np.log(scale)
                          + chi2.sum(axis=0) * (1 / scale - 1) / 2)
    mixing = None if chi2 is None else np.sqrt(chi2 / degrees_of_freedom)
    return SystematicDraws(factors, mixing, log_ratio, tilted)


def mixture_log_weight(log_ratio: np.ndarray, defensive_share: float) -> np.ndarray:
    """ln w_α = −ln(α + (1 − α) e^{−ln w}) of the defensive mixture, from ln w = ``log_ratio``
    (ln w itself when α = 0)."""
    if defensive_share == 0:
        return log_ratio
    return -np.logaddexp(np.log(defensive_share), np.log1p(-defensive_share) - log_ratio)


def twist(pds: np.ndarray, counts: np.ndarray, event_loss: np.ndarray,
          target: float) -> tuple[np.ndarray, np.ndarray]:
    """The twist θ per simulation and ψ(θ) = Σ_j n_j ln(1 − p_j + p_j e^{θc_j}).

    Parameters
    ----------
    pds : numpy.ndarray
        Conditional PDs, shape (n, J): one column per (period, group).
    counts, event_loss : numpy.ndarray
        n_j loans and c_j expected loss per default (money) of each column, shape (J,).
    target : float
        x (money).

    Returns
    -------
    theta, psi : numpy.ndarray
        θ ≥ 0 (1/money) solving Σ_j n_j c_j q_j(θ) = x, or 0 when Σ_j n_j c_j p_j ≥ x
        (or x is beyond the largest possible loss Σ_j n_j c_j: then the largest finite θ
        the iteration reaches); ψ(θ), shape (n,).
    """
    scaled = event_loss / target  # c_j / x: θ is solved in units of 1/x
    weights = counts * scaled
    theta = np.zeros(pds.shape[0])
    psi = np.zeros(pds.shape[0])
    rows = np.flatnonzero(pds @ weights < 1.0)  # θ = 0 and ψ = 0 elsewhere
    if not rows.size:
        return theta, psi
    with np.errstate(divide="ignore"):
        logits = logit(pds[rows])
    solved = np.zeros(rows.size)
    low = np.zeros(rows.size)
    high = np.full(rows.size, np.inf)
    active = np.arange(rows.size)
    for _ in range(_TWIST_ITERATIONS):
        if not active.size:
            break
        t = solved[active]
        q = expit(logits[active] + t[:, None] * scaled)
        excess = q @ weights - 1.0
        slope = (q * (1 - q)) @ (weights * scaled)
        low[active] = np.where(excess < 0, t, low[active])
        high[active] = np.where(excess > 0, t, high[active])
        with np.errstate(divide="ignore", invalid="ignore"):
            step = t - excess / slope
        lower, upper = low[active], high[active]
        fallback = np.where(np.isfinite(upper), (lower + upper) / 2, 2 * t + 1)
        new = np.where(np.isfinite(step) & (step > lower) & (step < upper), step, fallback)
        solved[active] = new
        active = active[np.abs(new - t) > 1e-12 * np.maximum(1.0, t)]
    with np.errstate(divide="ignore"):
        psi[rows] = np.logaddexp(np.log1p(-pds[rows]),
                                 np.log(pds[rows]) + solved[:, None] * scaled) @ counts
    theta[rows] = solved / target
    return theta, psi
