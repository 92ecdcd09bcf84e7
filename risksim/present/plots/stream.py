"""The exceedance curve of a streaming run (``simulate(..., streaming=True)``), drawn from
what it keeps: the exact largest losses of each column and a histogram below them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from risksim.present.fonts import finds_fonts
from risksim.present.plots.exceedance import (
    EXCEEDANCE_POINTS,
    finish_exceedance,
    mark_var_and_es,
)
from risksim.present.plots.frame import (
    chosen_parties,
    marked_level,
    new_axes,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from risksim.results.streaming import StreamingResult


@finds_fonts
def stream_exceedance(result: StreamingResult, *, parties: Sequence[str] | None = None,
                      level: float | None = None, confidence: float = 0.95,
                      ax: Axes | None = None) -> Axes:
    """Exceedance curve P(loss > x) of each party of a streaming run, VaR and ES marked.

    The curve and its band are :meth:`StreamingResult.exceedance
    <risksim.results.streaming.StreamingResult.exceedance>` at thresholds chosen so that
    p = k/N is spread evenly on a log scale: the k-th largest loss where the exact top
    tail holds it, else the lower edge of the histogram bin in which the count from the top
    reaches k (the probability is then exact but for the simulations of that bin, its
    ``grid`` share). The band is the Wilson score interval at ``confidence``; VaR and ES at
    ``level`` are those of :meth:`~risksim.results.streaming.StreamingResult.summary`, VaR
    marked where the curve crosses 1 − level and ES by a diamond on the curve at x = ES.

    Parameters
    ----------
    result : StreamingResult
        The streaming run.
    parties : sequence of str, optional
        Loss columns (default: ``gross`` and every party).
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
    marked = result.summary([level], confidence)
    right, bottom = 0.0, 1.0 / result.n_sims
    for party in chosen:
        table = result.exceedance(stream_thresholds(result, party), confidence)
        table = table[(table["party"] == party) & (table["probability"] > 0)]
        thresholds, p = table["threshold"].to_numpy(), table["probability"].to_numpy()
        (curve,) = ax.plot(thresholds, p, lw=1.6, label=party)
        color = curve.get_color()
        ax.fill_between(thresholds, table["lower"].to_numpy(), table["upper"].to_numpy(),
                        color=color, alpha=0.2, lw=0)
        var, es = (float(value) for value in
                   marked.loc[party, [f"VaR_{level:g}", f"ES_{level:g}"]].to_numpy(float))
        at_es = result.exceedance([es], confidence)
        tail = float(at_es.loc[at_es["party"] == party, "probability"].iloc[0]) or bottom
        mark_var_and_es(ax, party, color, level, var, es, tail)
        right = max(right, float(thresholds.max(initial=0.0)), es)
        bottom = min(bottom, float(p.min(initial=1.0)), tail)
    return finish_exceedance(ax, result, chosen, level, right, bottom)


def stream_thresholds(result: StreamingResult, party: str,
                      points: int = EXCEEDANCE_POINTS) -> np.ndarray:
    """About ``points`` thresholds x with counts above them k spread evenly on a log scale
    from 1 to N: the k-th largest loss while the exact top tail holds it, else the lower
    edge of the bin where the count from the top reaches k (money, ascending)."""
    accumulator = result.accumulator
    j = result.loss_columns.index(party)
    top = accumulator.top[j]
    n = accumulator.count
    ranks = np.unique(np.geomspace(1, n, points).round().astype(np.int64))
    exact = ranks[ranks <= top.size]
    thresholds = [top[top.size - exact]]  # the k-th largest: k − 1 losses above it
    if top.size < n:
        above = np.cumsum(accumulator.histogram[j][::-1])[::-1]  # count in slot s or above
        beyond = ranks[ranks > top.size]
        slots = np.searchsorted(-above, -beyond, side="right") - 1  # last slot reaching k
        edges = (np.maximum(slots, 1) - 1) * accumulator.grid.width
        thresholds.append(edges)
    return np.unique(np.concatenate(thresholds))
