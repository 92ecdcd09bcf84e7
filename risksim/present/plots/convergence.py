"""A measure against the number of simulations it is estimated from, with its band."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from risksim.errors import InputError
from risksim.present.fonts import finds_fonts
from risksim.present.plots.frame import (
    chosen_parties,
    marked_level,
    money_axis,
    new_axes,
    percent,
    summary_of,
    title,
    z_of,
)
from risksim.present.report import measure_label
from risksim.stats import measures

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from risksim.results.result import Result


@finds_fonts
def convergence(result: Result, *, measure: str | None = None, party: str = "gross",
                points: int = 40, confidence: float = 0.95, ax: Axes | None = None) -> Axes:
    """A measure estimated from the first n simulations, against n, with its band.

    At each n the value and band are those :meth:`risksim.Result.summary` reports from the
    first n simulations alone: weighted by the likelihood ratios w_i of an
    importance-sampling run (EL = (1/n) Σ w_i L_i, se = sd(w_i L_i)/√n; VaR and ES of
    :func:`~risksim.stats.measures.weighted_summarize`), unweighted otherwise.

    Parameters
    ----------
    result : Result
        The simulation.
    measure : str, optional
        ``EL``, ``SD``, ``VaR_<level>`` or ``ES_<level>`` (default: ES at 0.99 when
        reported, else at the highest level).
    party : str
        Column of ``result.losses``.
    points : int
        Number of values of n, spread evenly on a log scale from 100 (or less) to N.
    confidence : float
        Confidence of the band (the estimate's own: θ̂ ± z·se for EL, SD and ES; for VaR
        the order-statistic interval, or under importance sampling the losses at which
        the weighted exceedance probability is within z·se of 1 − level). For a
        quasi-Monte Carlo result (R replicates) the band of each n ≥ 2R is
        θ̂ ± z·sd(θ̂_1, …, θ̂_R)/√R instead, θ̂_r the measure on replicate r's simulations
        among the first n (the errors of :meth:`risksim.Result.summary`).
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    """
    ax = new_axes(ax)
    (party,) = chosen_parties(result, [party], result.loss_columns)
    measure = measure or f"ES_{marked_level(result, None):g}"
    levels, band = _measure_columns(measure, z_of(confidence))
    n = len(result.losses)
    sizes = np.unique(np.geomspace(min(100, n), n, points).round().astype(int))
    sizes = sizes[sizes >= 2]
    rows = [band(summary_of(result, [party], levels, confidence, int(size)).loc[party])
            for size in sizes]
    values = np.array([r.value for r in rows])
    ax.plot(sizes, values, lw=1.6, marker=".", label=f"{party} {measure_label(measure)}")
    ax.fill_between(sizes, [r.lower for r in rows], [r.upper for r in rows], alpha=0.2, lw=0,
                    label=f"{percent(confidence)} band")
    ax.axhline(values[-1], color="0.4", ls="--", lw=1, label=f"all {n:,} simulations")
    ax.set_xscale("log")
    money = money_axis(ax.yaxis, float(np.max(np.abs([r.upper for r in rows]))),
                        result.currency)
    ax.set_xlabel("simulations used (the first n)")
    ax.set_ylabel(f"{measure_label(measure)} ({money})")
    ax.set_title(title(result, f"Convergence of {party} {measure_label(measure)}"),
                 fontsize=10)
    ax.legend(frameon=False)
    return ax


def _measure_columns(measure: str, z: float) -> tuple[list[float], Any]:
    """The levels :meth:`~risksim.Result.summary` needs for ``measure`` and the function
    that reads the measure's Estimate (value and band) from a summary row: θ̂ ± z·se for
    EL, SD and ES, [VaR_lo, VaR_hi] for VaR."""
    kind, _, level = measure.partition("_")
    try:
        value = float(level)
    except ValueError:
        value = math.nan
    if measure in ("EL", "SD"):
        levels, key = [], measure
    elif kind in ("VaR", "ES") and 0 < value < 1:
        levels, key = [value], f"{kind}_{value:g}"
    else:
        raise InputError(f"unknown measure '{measure}'; expected EL, SD, VaR_<level> or "
                         "ES_<level>, e.g. ES_0.99", path="measure")

    def band(row: pd.Series) -> measures.Estimate:
        estimate = float(row[key])
        if kind == "VaR":
            lower, upper = float(row[f"{key}_lo"]), float(row[f"{key}_hi"])
            return measures.Estimate(estimate, (upper - lower) / (2 * z), lower, upper)
        se = float(row[f"{key}_se"])
        return measures.Estimate(estimate, se, estimate - z * se, estimate + z * se)

    return levels, band
