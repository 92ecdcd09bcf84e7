"""Who pays in the tail: each party's share of the gross loss by quantile band."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from risksim.errors import InputError
from risksim.present.fonts import finds_fonts
from risksim.present.plots.frame import (
    chosen_parties,
    new_axes,
    pairs,
    percent_formatter,
    title,
    weights_of,
)
from risksim.stats.exceedance import RankedLosses

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from risksim.results.result import Result


@finds_fonts
def tail_shares(result: Result, *, parties: Sequence[str] | None = None,
                bands: Sequence[float] | None = None, ax: Axes | None = None) -> Axes:
    """Who pays in the tail: each party's share of the gross loss, by quantile band.

    Simulations are ranked by gross loss and cut into bands of quantiles (default 0, 0.5,
    0.9 and the result's levels): the band (a, b] holds the simulations ranked after the
    gross VaR at a and up to the VaR at b, the VaR of :meth:`risksim.Result.summary`
    (:func:`~risksim.stats.measures.weighted_rank`: the r-th smallest loss with r the smallest
    rank such that (1/N) Σ_{i > r} w_(i) ≤ 1 − a; r = ⌈a·N⌉ without importance sampling,
    w_i = 1), the band from 0 starting at the smallest loss. In each band a stacked bar
    shows the party's weighted share Σ w_i L_i^party ÷ Σ w_i L_i^gross over its simulations
    (w_i the likelihood ratios of an importance-sampling run, else 1), so the bars of a
    conserving scheme reach 1.

    Parameters
    ----------
    result : Result
        The simulation.
    parties : sequence of str, optional
        Parties stacked (default: every party).
    bands : sequence of float, optional
        Quantile edges in [0, 1]; 0 and 1 are added.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    """
    ax = new_axes(ax)
    chosen = chosen_parties(result, parties, result.parties)
    edges = sorted({0.0, 1.0, *([0.5, 0.9, *result.levels] if bands is None else bands)})
    if edges[0] < 0 or edges[-1] > 1:
        raise InputError(f"bands {list(bands or [])}: expected quantiles in [0, 1]",
                         path="bands")
    gross = result.losses["gross"].to_numpy()
    ranked = RankedLosses(gross, weights_of(result))
    cuts = [ranked.rank(edge) for edge in edges]
    labels, gross_sums, sums = [], [], []
    for (lo, hi), (a, b) in zip(pairs(edges), pairs(cuts), strict=True):
        if b <= a:
            continue
        rows, weights = ranked.order[a:b], ranked.weights[a:b]
        labels.append(f"{100 * lo:g}–{100 * hi:g}")
        gross_sums.append(float((weights * gross[rows]).sum()))
        sums.append([float((weights * result.losses[party].to_numpy()[rows]).sum())
                     for party in chosen])
    totals = np.asarray(gross_sums)
    shares = np.divide(np.asarray(sums).T, totals, out=np.zeros((len(chosen), len(labels))),
                       where=totals > 0)
    x = np.arange(len(labels))
    bottom = np.zeros(len(labels))
    for party, share in zip(chosen, shares, strict=True):
        ax.bar(x, share, bottom=bottom, width=0.7, label=party)
        bottom = bottom + share
    ax.set_xticks(x, labels)
    ax.set_ylim(0, max(1.0, float(bottom.max()) * 1.02))
    ax.yaxis.set_major_formatter(percent_formatter())
    ax.set_xlabel("simulations ranked by gross loss: quantile band (%)")
    ax.set_ylabel("share of the gross loss")
    ax.set_title(title(result, "Who pays in the tail"), fontsize=10)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax
