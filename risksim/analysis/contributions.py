"""Risk contributions: how much each loan, segment, sector or region adds to a party's tail.

Euler allocation (Tasche 2007, "Capital allocation to business units and sub-portfolios:
the Euler principle"): a party's loss is L = Σ_u L_u over units u (loans, or groups of
loans), and ES_a(L) = Σ_u E[L_u | L in its tail]. On N simulations, with T the k = N − ⌈aN⌉
worst simulations of L (the tail of :func:`risksim.stats.measures.expected_shortfall`):

    ES contribution_u = (1/k)·Σ_{i ∈ T} L_{i,u}

which add up to the party's ES exactly (the same tail, the same sum). Its standard error is
the sd of L_{i,u} over T divided by √k, the tail set taken as given.

VaR contributions E[L_u | L = VaR] are estimated over a window W of the simulations ranked
within ±w·N of VaR's rank r, then scaled by VaR ÷ mean_W(L) so that they add up to VaR
exactly. They rest on 2wN simulations near one point rather than on the whole tail, and the
window's width biases them: noisier and less stable than ES contributions, shown for
comparison.

Under importance sampling (likelihood-ratio weights w_i, :mod:`risksim.engine.importance`)
every mean is weighted: T is the largest set of worst simulations with Σ_T w_i ≤ (1 − a)·N
(VaR the largest loss outside it, as :func:`risksim.stats.measures.weighted_summarize` has it),

    ES contribution_u = Σ_{i ∈ T} w_i L_{i,u} / Σ_{i ∈ T} w_i,

adding up to the weighted mean loss over T (the party's ES here), with standard error
√(Σ_T w_i² (L_{i,u} − c_u)²)/Σ_T w_i; the window means are weighted alike. Without
importance sampling every w_i = 1 and these are the formulas above.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from risksim.analysis.common import run_common
from risksim.analysis.simulate import choose_backend, run_settings
from risksim.compile.plan import SimulationPlan
from risksim.compile.scenario import Scenario, ScenarioSource, load_scenario
from risksim.engine.block import apply_rules
from risksim.engine.importance import warn_thin_levels
from risksim.errors import InputError
from risksim.results.contributions import Contributions
from risksim.rules.base import LossEvents
from risksim.stats import measures
from risksim.util.suggest import unknown_name_message

DEFAULT_WINDOW = 0.005
"""Half-width w of the VaR window, as a fraction of the simulations (±0.5% of N)."""

UNITS = ("loan", "segment", "sector", "region", "rating", "size_class", "borrower_id",
         "collateral_type")
"""What contributions can be grouped by: each loan, the generated segment (the part of the
loan id before its number) or a text column of the portfolio."""


@dataclass(frozen=True, eq=False)
class TailSets:
    """Which simulations form a loss's ES tail and its VaR window, and their weights.

    Attributes
    ----------
    tail, window : numpy.ndarray of bool
        The worst simulations (the k worst without weights); the simulations ranked within
        the VaR window.
    var, es : float
        VaR and ES of the loss (money).
    var_scale : float
        VaR ÷ the mean loss over the window (scales window means to add up to VaR).
    weight : numpy.ndarray
        The likelihood-ratio weight of each simulation (ones without importance sampling).
    """

    tail: np.ndarray
    window: np.ndarray
    var: float
    es: float
    var_scale: float
    weight: np.ndarray

    @property
    def k(self) -> int:
        """Simulations in the tail."""
        return int(self.tail.sum())

    @property
    def m(self) -> int:
        """Simulations in the window."""
        return int(self.window.sum())

    @property
    def tail_weight(self) -> float:
        """Σ_T w_i (k without weights)."""
        return float(self.weight[self.tail].sum())

    @property
    def window_weight(self) -> float:
        """Σ_W w_i (m without weights)."""
        return float(self.weight[self.window].sum())


def tail_sets(total: np.ndarray, level: float, window: float = DEFAULT_WINDOW,
              weights: np.ndarray | None = None) -> TailSets:
    """The ES tail and the VaR window of the losses ``total`` at ``level`` (of the weighted
    losses when ``weights`` are given, see the module's docstring)."""
    n = total.size
    order = np.argsort(total, kind="stable")
    if weights is None:
        k = measures.tail_size(level, n)
        weights = np.ones(n)
    else:
        k = n - measures.weighted_rank(weights[order], level)
    rank = n - k  # 0-based position of VaR = L_(r) in the ordering, r = N − k
    half = max(1, round(window * n))
    tail = np.zeros(n, dtype=bool)
    tail[order[n - k:]] = True
    near = np.zeros(n, dtype=bool)
    near[order[max(rank - 1 - half, 0):min(rank + half, n)]] = True
    var = float(total[order[max(rank - 1, 0)]])
    window_mean = _weighted_mean(total, weights, near)
    return TailSets(tail=tail, window=near, var=var, es=_weighted_mean(total, weights, tail),
                    var_scale=var / window_mean if window_mean > 0 else 0.0, weight=weights)


def _weighted_mean(values: np.ndarray, weights: np.ndarray, members: np.ndarray) -> float:
    """Σ_members w·values / Σ_members w (0 for no members)."""
    mass = float(weights[members].sum())
    return float(weights[members] @ values[members]) / mass if mass > 0 else 0.0


def euler_parts(parts: np.ndarray, sets: TailSets) -> tuple[np.ndarray, np.ndarray]:
    """ES and VaR contributions of the columns of ``parts`` (N × units, rows adding up to
    the loss of :func:`tail_sets`): Σ_T w·parts/Σ_T w and scale·Σ_W w·parts/Σ_W w."""
    weighted = parts * sets.weight[:, None]
    es = weighted[sets.tail].sum(axis=0) / sets.tail_weight
    var = weighted[sets.window].sum(axis=0) / sets.window_weight * sets.var_scale
    return es, var


def contributions(scenario: ScenarioSource, by: str = "loan", *,
                  parties: Sequence[str] | None = None, level: float = 0.99,
                  window: float = DEFAULT_WINDOW, n_sims: int | None = None,
                  seed: int | None = None, backend: str | None = None,
                  workers: int | None = None, address: str | None = None,
                  tail_level: float | None = None) -> Contributions:
    """Each unit's contribution to each party's EL, ES and VaR at ``level``.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        The scheme (loaded with :func:`risksim.load_scenario` when not yet).
    by : str
        ``loan``, ``segment`` or a text column of the portfolio (``sector``, ``region``,
        ``rating``, ...).
    parties : sequence of str, optional
        Parties to analyse (default: all of them).
    level : float
        Level of VaR and ES, in (0, 1).
    window : float
        Half-width of the VaR window as a fraction of ``n_sims``.
    n_sims, seed : int, optional
        As in :func:`risksim.simulate`.
    backend, workers, address : optional
        Where the blocks run, as in :func:`risksim.simulate` (the same results on each).
    tail_level : float, optional
        Importance sampling aimed at this tail level (default: as the scenario says), the
        draws of ``simulate(..., tail_level=...)``; every mean is then weighted.

    Returns
    -------
    Contributions
        Its ``table``: one row per party and unit, ``party``, ``unit``, ``EL``, ``ES``,
        ``ES_se``, ``ES_share`` (of the party's ES) and ``VaR`` (money); for each party the
        ES and VaR columns add up to its ES and VaR, which ``totals`` holds.
    """
    scenario = load_scenario(scenario)
    n_sims, seed, _ = run_settings(scenario, n_sims, seed, [level])
    runner = choose_backend(scenario, backend, workers, address)
    tail_level = scenario.spec.simulation.tail_level if tail_level is None else tail_level
    chosen = _parties(scenario, parties)
    unit, names = unit_of_loans(scenario, by)
    if tail_level is not None:
        warn_thin_levels([level], tail_level, n_sims)
    totals = run_common([scenario], [_PartyTotals(scenario.plan, tuple(chosen))], n_sims,
                        seed, runner, tail_level)[0]
    weights = None if tail_level is None else totals[:, -1]
    sets = [tail_sets(totals[:, j], level, window, weights) for j in range(len(chosen))]
    sums = _UnitSums(scenario.plan, tuple(chosen), unit, len(names), tuple(sets))
    accumulated = run_common([scenario], [sums], n_sims, seed, runner,
                             tail_level)[0].sum(axis=0)
    metadata = {"by": by, "level": level, "n_sims": n_sims, "seed": seed,
                "tail_level": tail_level, "currency": scenario.spec.currency,
                "scenario": scenario.name}
    return Contributions(
        table=_frame(chosen, names, accumulated, sets, n_sims),
        totals={p: {"ES": s.es, "VaR": s.var} for p, s in zip(chosen, sets, strict=True)},
        tail_simulations={p: s.k for p, s in zip(chosen, sets, strict=True)},
        metadata=metadata)


@dataclass(frozen=True, eq=False)
class _PartyTotals:
    """Per simulation of a chunk: what each of ``parties`` paid (money), then its weight
    under importance sampling."""

    plan: SimulationPlan
    parties: tuple[str, ...]

    def __call__(self, events: LossEvents, first: int, weights: np.ndarray | None) -> np.ndarray:
        ledger = apply_rules(self.plan, events)
        return np.column_stack([events.per_simulation(ledger.paid[p]) for p in self.parties]
                               + ([] if weights is None else [weights]))


@dataclass(frozen=True, eq=False)
class _UnitSums:
    """Shape (1, parties, 5, units): the :func:`_unit_sums` of a chunk, one row per chunk
    (summed over chunks afterwards)."""

    plan: SimulationPlan
    parties: tuple[str, ...]
    unit: np.ndarray
    n_units: int
    sets: tuple[TailSets, ...]

    def __call__(self, events: LossEvents, first: int, weights: np.ndarray | None) -> np.ndarray:
        ledger = apply_rules(self.plan, events)
        per_party = [_unit_sums(ledger.paid[p], events, first, self.unit[events.loan],
                                self.n_units, s)
                     for p, s in zip(self.parties, self.sets, strict=True)]
        return np.stack(per_party)[None]


def unit_of_loans(scenario: Scenario, by: str) -> tuple[np.ndarray, list[str]]:
    """The unit number of each loan and the units' names, for grouping by ``by``."""
    portfolio = scenario.portfolio
    if by not in UNITS:
        raise InputError(unknown_name_message("unit", by, UNITS), path="by")
    if by == "loan":
        labels = portfolio["loan_id"]
    elif by == "segment":
        labels = np.array([str(loan).rpartition("-")[0] or str(loan)
                           for loan in portfolio["loan_id"]], dtype=object)
    else:
        labels = portfolio[by]
    labels = labels.astype(str)
    blank = labels == ""
    if blank.all():
        raise InputError(f"no loan of the portfolio has a {by}: group by another column",
                         path="by")
    names, unit = np.unique(np.where(blank, f"(no {by})", labels), return_inverse=True)
    return unit.ravel().astype(np.int64), [str(name) for name in names]


def _parties(scenario: Scenario, parties: Sequence[str] | None) -> list[str]:
    if parties is None:
        return list(scenario.parties)
    for party in parties:
        if party not in scenario.parties:
            raise InputError(unknown_name_message("party", party, scenario.parties),
                             path="party")
    return list(parties)


def _unit_sums(paid: np.ndarray, events: LossEvents, first: int, unit: np.ndarray,
               n_units: int, sets: TailSets) -> np.ndarray:
    """Per unit: Σ w·paid, Σ over the tail of w·paid, Σ over the window of w·paid, and over
    the tail Σ w²X² and Σ w²X of the per-(simulation, unit) amounts X; shape (5, units)."""
    sim = first + events.sim
    weighted = paid * sets.weight[sim]
    in_tail, in_window = sets.tail[sim], sets.window[sim]
    keys = events.sim[in_tail] * n_units + unit[in_tail]
    cells, inverse = np.unique(keys, return_inverse=True)
    per_cell = np.bincount(inverse.ravel(), weights=paid[in_tail], minlength=cells.size)
    cell_weight = sets.weight[first + cells // n_units]
    return np.stack([
        np.bincount(unit, weights=weighted, minlength=n_units),
        np.bincount(unit, weights=weighted * in_tail, minlength=n_units),
        np.bincount(unit, weights=weighted * in_window, minlength=n_units),
        np.bincount(cells % n_units, weights=(cell_weight * per_cell)**2, minlength=n_units),
        np.bincount(cells % n_units, weights=cell_weight**2 * per_cell, minlength=n_units)])


def _frame(parties: list[str], names: list[str], sums: np.ndarray, sets: list[TailSets],
           n_sims: int) -> pd.DataFrame:
    frames = []
    for j, (party, s) in enumerate(zip(parties, sets, strict=True)):
        total, tail, near, squares, linear = sums[j]
        es = tail / s.tail_weight
        spread = squares - 2 * es * linear + es**2 * float(np.sum(s.weight[s.tail] ** 2))
        variance = np.maximum(spread, 0.0) * s.k / max(s.k - 1, 1)
        frames.append(pd.DataFrame({
            "party": party, "unit": names, "EL": total / n_sims, "ES": es,
            "ES_se": np.sqrt(variance) / s.tail_weight,
            "ES_share": es / s.es if s.es > 0 else 0.0,
            "VaR": near / s.window_weight * s.var_scale}))
    return pd.concat(frames, ignore_index=True)
