"""The exceedance curve P(loss > x) of each party, VaR and ES marked, with its band."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from risksim.present.fonts import finds_fonts
from risksim.present.plots.frame import (
    chosen_parties,
    marked_level,
    merged_parties,
    money_axis,
    new_axes,
    percent,
    replicate_labels_of,
    summary_of,
    title,
    weights_of,
    z_of,
)
from risksim.stats import exceedance as estimates

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from risksim.results.result import Result
    from risksim.results.streaming import StreamingResult

EXCEEDANCE_POINTS = 400
"""Points of an exceedance curve, spread evenly on the log scale of the probability."""


@finds_fonts
def exceedance(result: Result, *, parties: Sequence[str] | None = None,
               level: float | None = None, confidence: float = 0.95,
               ax: Axes | None = None) -> Axes:
    """Exceedance curve P(loss > x) of each party on a log scale, VaR and ES marked.

    The curve is p(x) = (1/N) Σ w_i 1{L_i > x}: the share of simulations above x, weighted
    by the likelihood ratios w_i of an importance-sampling run (``result.weights``; w_i = 1
    otherwise), drawn at thresholds spread evenly on the log scale of p. Each curve carries
    its band at ``confidence``, the errors of :meth:`risksim.Result.exceedance`:

    * plain Monte Carlo: the Wilson score interval of the share p = k/N;
    * importance sampling: p ± z·se clipped to [0, 1], se = sd(w_i 1{L_i > x})/√N;
    * quasi-Monte Carlo (R replicates, N ≥ 2R): p ± z·sd(p_1, …, p_R)/√R clipped to
      [0, 1], p_r the (weighted) share of replicate r's simulations alone.

    VaR at ``level`` is marked where the curve crosses 1 − level (a dotted horizontal line),
    ES by a diamond on the curve at x = ES, both the (weighted) values of
    :meth:`risksim.Result.summary`; the markers are lines labelled ``"<party> VaR 99%"`` and
    ``"<party> ES 99%"`` whose single point sits at x = VaR (resp. ES), in money. Parties
    with the same loss in every simulation share one curve, labelled ``"bank = guarantor"``.

    Parameters
    ----------
    result : Result
        The simulation.
    parties : sequence of str, optional
        Columns of ``result.losses`` (default: ``gross`` and every party).
    level : float, optional
        The level of the VaR and ES marked (default 0.99 when reported, else the highest).
    confidence : float
        Confidence of the bands.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    """
    ax = new_axes(ax)
    chosen = chosen_parties(result, parties, result.loss_columns)
    level = marked_level(result, level)
    z_of(confidence)  # checked before any drawing
    n = len(result.losses)
    weights = weights_of(result)
    labels = replicate_labels_of(result, n)
    marked = summary_of(result, chosen, [level], confidence)
    right, bottom = 0.0, 1.0 / n
    drawn = merged_parties(result, chosen)
    for party, label in drawn.items():
        losses = result.losses[party].to_numpy()
        thresholds = estimates.RankedLosses(losses, weights).thresholds(EXCEEDANCE_POINTS)
        var, es = (float(value) for value in
                   marked.loc[party, [f"VaR_{level:g}", f"ES_{level:g}"]].to_numpy(float))
        *curve_points, at_es = estimates.exceedance(losses, [*thresholds, es], confidence,
                                                    weights, labels)
        p = np.array([point.value for point in curve_points])
        (curve,) = ax.plot(thresholds, p, lw=1.6, label=label)
        color = curve.get_color()
        ax.fill_between(thresholds, [point.lower for point in curve_points],
                        [point.upper for point in curve_points], color=color, alpha=0.2,
                        lw=0)
        lowest = float(p[-1]) if p.size else 1.0 / n
        tail = at_es.value or lowest
        mark_var_and_es(ax, label, color, level, var, es, tail)
        right = max(right, float(thresholds[-1]) if thresholds.size else 0.0, es)
        bottom = min(bottom, lowest, tail)
    return finish_exceedance(ax, result, list(drawn.values()), level, right, bottom)


def mark_var_and_es(ax: Axes, party: str, color: Any, level: float, var: float, es: float,
                    tail: float) -> None:
    """A dot at (VaR, 1 − level) and a diamond at (ES, P(L > ES) = ``tail``), labelled
    ``"<party> VaR 99%"`` and ``"<party> ES 99%"``."""
    ax.plot([var], [1 - level], "o", color=color, ms=6, label=f"{party} VaR {percent(level)}")
    ax.plot([es], [tail], "D", color=color, ms=6, mfc="white",
            label=f"{party} ES {percent(level)}")


def finish_exceedance(ax: Axes, result: Result | StreamingResult, chosen: Sequence[str],
                      level: float, right: float, bottom: float) -> Axes:
    """The line at 1 − level, log scale from ``bottom``/2 to 1, x from 0 to ``right`` (money),
    the labels, the title and a legend of the ``chosen`` curves; returns ``ax``."""
    ax.axhline(1 - level, color="0.4", ls=":", lw=1, label=f"1 - {percent(level)}")
    ax.set_yscale("log")
    ax.set_ylim(0.5 * bottom, 1.0)
    ax.set_xlim(0.0, right * 1.02 or 1.0)
    money = money_axis(ax.xaxis, right, result.currency)
    ax.set_xlabel(f"loss over the horizon ({money})")
    ax.set_ylabel("P(loss > x)")
    ax.set_title(title(result, f"Exceedance, VaR (o) and ES (◇) at {percent(level)}"),
                 fontsize=10)
    handles = [h for h in ax.get_lines() if h.get_label() in chosen]
    ax.legend(handles=handles, frameon=False)
    return ax
