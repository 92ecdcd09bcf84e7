"""Importance sampling for the tail (Glasserman & Li, Management Science 51(11), 2005).

:func:`tail_sampling` chooses, for a requested tail level a, the parameters of
:class:`~risksim.engine.systematic.Sampling`:

1. c_g, the expected loss of one default of group g (money): the mean over its loans of
   E[LGD]·max(0, EAD − collateral recovery), plus workout costs and accrued interest.
2. x, the loss the twist aims at: the a-quantile of the conditional expected loss
   E[L | Z, V] = Σ_{t,g} n_g c_g p_{g,t}(Z, V) over a pilot sample of the systematic
   variables (its own stream, ``SeedSequence(seed, spawn_key=(PILOT_STREAM_KEY,))``, so the
   parameters, like the run, depend only on the seed).
3. The shift μ (and, for the t copula, v*) maximising the tail-bound approximation of
   Glasserman & Li §4,

       F_x(z, v) − |z|²/2 + ln f_χ²_ν(v),   F_x = min_{θ≥0} (−θx + ψ(θ; z, v)),

   the log of the Chernoff bound on P(L > x | z, v) plus the log density of the systematic
   variables, started from the mean of the pilot draws with E[L | Z, V] ≥ x. The t copula's
   χ² variable is then drawn as λ·χ²_ν with λ = v*/ν (at most 1: the tail has small V).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy.optimize import minimize
from scipy.special import ndtr

from risksim.compile.plan import SimulationPlan
from risksim.engine.systematic import Sampling, factor_copula, twist
from risksim.models.copula import pd_argument

PILOT_STREAM_KEY = 2**32 - 2
"""Spawn key of the pilot stream that sets x (block streams have one-element keys)."""

PILOT_CELLS = 20_000_000
"""Pilot draws × (period, group) cells evaluated at most."""

PILOT_TAIL_DRAWS = 50
"""The pilot aims at this many draws beyond the a-quantile, within PILOT_CELLS."""

DEFENSIVE_SHARE = 0.1
"""α: the share of simulations drawn from the model itself (the defensive mixture of
:mod:`risksim.engine.systematic`): weights stay below 1/α = 10, for at most about 1/(1 − α)
times the variance of the tail estimates."""

MIN_MODEL_DRAWS = 5
"""Below this many simulations drawn from the model itself expected beyond VaR_b, the
measures at a level b under the tuned one are flagged (:func:`warn_thin_levels`)."""

_MIN_CHI2_SCALE = 0.05


def event_losses(plan: SimulationPlan) -> np.ndarray:
    """c_g per group of the plan (money): mean expected loss of one default of its loans."""
    per_loan = plan.loss_model.mean_loss
    return np.array([float(per_loan[group.members].mean()) for group in plan.groups])


def _arguments(plan: SimulationPlan, cells: list[tuple[int, int]], factors: np.ndarray,
               mixing: np.ndarray | None) -> np.ndarray:
    """The arguments a of the conditional PDs Φ(a) (draws, cells), for factors
    (periods, draws, K) and mixing √(V/ν) (periods, draws) or None (Gaussian)."""
    return np.column_stack([
        pd_argument(plan.groups[g].conditions, factors[period],
                    None if mixing is None else mixing[period])
        for period, g in cells])


def _tail_bound(point: np.ndarray, plan: SimulationPlan, cells: list[tuple[int, int]],
                counts: np.ndarray, cell_loss: np.ndarray,
                target: float) -> tuple[float, np.ndarray]:
    """−(F_x(z, v) − |z|²/2 + ln f(v) + ln v) at ``point`` = (z, ln v), and its gradient.

    By the envelope theorem (θ* minimises −θx + ψ(θ)), the gradient of F_x is that of
    ψ(θ*; p(z, v)): Σ_j ∂ψ/∂p_j ∂p_j/∂(z, ln v), with ∂ψ/∂p_j = n_j (1 − e^{−θc_j}) /
    (p_j + (1 − p_j) e^{−θc_j}), ∂p_j/∂z = −φ(a_j) b_j/σ_j and
    ∂p_j/∂ln v = φ(a_j) c_j √(v/ν)/(2σ_j), a_j and σ_j = √(1 − R_j) as in :func:`_arguments`.
    """
    copula = factor_copula(plan)
    n_z = plan.n_periods * copula.n_factors
    z = point[:n_z].reshape(plan.n_periods, 1, copula.n_factors)
    nu = copula.degrees_of_freedom
    value = -0.5 * float(point[:n_z] @ point[:n_z])
    gradient = -point.copy()
    mix = None
    if nu is not None:
        v = math.exp(point[-1])
        mix = np.full((plan.n_periods, 1), math.sqrt(v / nu))
        value += plan.n_periods * ((nu / 2) * point[-1] - v / 2)
        gradient[-1] = plan.n_periods * (nu / 2 - v / 2)
    arguments = _arguments(plan, cells, z, mix)[0]
    pds = ndtr(arguments)
    theta, psi = twist(pds[None, :], counts, cell_loss, target)
    value += float(psi[0]) - float(theta[0]) * target
    decay = np.exp(-float(theta[0]) * cell_loss)
    slope = counts * (1 - decay) / (pds + (1 - pds) * decay) * np.exp(-arguments ** 2 / 2) / (
        math.sqrt(2 * math.pi))
    gradient_z = gradient[:n_z].reshape(plan.n_periods, copula.n_factors)
    for j, (period, g) in enumerate(cells):
        group = plan.groups[g].conditions
        gradient_z[period] -= slope[j] * group.loading / group.idiosyncratic_sd
        if mix is not None:
            gradient[-1] += slope[j] * group.threshold * mix[period, 0] / (
                2 * group.idiosyncratic_sd)
    return -value, -gradient


def tail_sampling(plan: SimulationPlan, level: float, seed: int,
                  qmc_replicates: int | None = None) -> Sampling:
    """Importance-sampling parameters that aim the run at the tail at ``level``.

    Parameters
    ----------
    plan : SimulationPlan
        The compiled scenario.
    level : float
        Tail level a in (0, 1), e.g. 0.999: the run is tuned for VaR and ES at a.
    seed : int
        The run's seed (the pilot's stream is derived from it).
    qmc_replicates : int or None
        Keep the run's quasi-Monte Carlo setting.

    Returns
    -------
    Sampling
        Shift μ (periods, K), χ² scale λ, twist target x (money) and c_g per group.
    """
    copula = factor_copula(plan)
    cells = plan.active_cells
    if not cells:
        return Sampling(qmc_replicates=qmc_replicates,
                        shift=np.zeros((plan.n_periods, copula.n_factors)),
                        defensive_share=DEFENSIVE_SHARE)
    loss = event_losses(plan)
    counts = np.array([plan.groups[g].members.size for _, g in cells], dtype=np.float64)
    cell_loss = loss[[g for _, g in cells]]
    nu = copula.degrees_of_freedom
    n_pilot = int(min(max(PILOT_TAIL_DRAWS / (1 - level), 10_000),
                      max(PILOT_CELLS // len(cells), 10_000)))
    rng = np.random.Generator(np.random.PCG64DXSM(
        np.random.SeedSequence(seed, spawn_key=(PILOT_STREAM_KEY,))))
    factors = rng.standard_normal((plan.n_periods, n_pilot, copula.n_factors))
    chi2 = rng.chisquare(nu, (plan.n_periods, n_pilot)) if nu is not None else None
    mixing = None if chi2 is None or nu is None else np.sqrt(chi2 / nu)
    conditional_el = ndtr(_arguments(plan, cells, factors, mixing)) @ (counts * cell_loss)
    target = float(np.quantile(conditional_el, level))
    if target <= 0:
        target = float(counts @ cell_loss) * (1 - level)
    in_tail = conditional_el >= target
    start = factors[:, in_tail].mean(axis=1).ravel()
    if chi2 is not None:
        start = np.append(start, math.log(float(chi2[:, in_tail].mean())))
    best = minimize(_tail_bound, start, args=(plan, cells, counts, cell_loss, target),
                    jac=True, method="L-BFGS-B").x
    shift = best[:plan.n_periods * copula.n_factors].reshape(plan.n_periods, copula.n_factors)
    scale = 1.0
    if nu is not None:
        scale = min(1.0, max(_MIN_CHI2_SCALE, math.exp(best[-1]) / nu))
    return Sampling(qmc_replicates=qmc_replicates, shift=shift, chi2_scale=scale,
                    twist_target=target, event_loss=loss, defensive_share=DEFENSIVE_SHARE)



def warn_thin_levels(levels: list[float], tail_level: float, n_sims: int) -> None:
    """Warn (one line) when levels b < ``tail_level`` rest on few simulations.

    The tilted draws land near and beyond the tuned level; between VaR_b and there, the
    estimate rests mostly on the simulations drawn from the model itself, about
    N·α·(1 − b) of them beyond VaR_b. Levels where that is under :data:`MIN_MODEL_DRAWS`
    have unreliable errors (the rare heavily weighted draws are often missing altogether).
    """
    thin = [level for level in levels if level < tail_level
            and n_sims * DEFENSIVE_SHARE * (1 - level) < MIN_MODEL_DRAWS]
    if not thin:
        return
    needed = math.ceil(MIN_MODEL_DRAWS / (DEFENSIVE_SHARE * (1 - min(thin))))
    warnings.warn(f"importance sampling aimed at {tail_level:g}: the measures at "
                  f"{', '.join(f'{level:g}' for level in thin)} rest on fewer than "
                  f"{MIN_MODEL_DRAWS} simulations drawn from the model, so their errors are "
                  f"unreliable; run at least {needed:,} simulations or aim at that level",
                  stacklevel=3)
