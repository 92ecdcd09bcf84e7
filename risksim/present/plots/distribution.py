"""The loss distribution of each party: histogram and smooth density."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from risksim.present.fonts import finds_fonts
from risksim.present.plots.frame import (
    amount_text,
    chosen_parties,
    merged_parties,
    money_axis,
    new_axes,
    percent_formatter,
    title,
    weights_of,
)
from risksim.stats.exceedance import RankedLosses

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from risksim.results.result import Result

KDE_POINTS = 20_000
"""Most simulations a smooth density is estimated from (every k-th simulation)."""


@finds_fonts
def distribution(result: Result, *, parties: Sequence[str] | None = None, bins: int = 60,
                 upper: float | None = None, density: bool = True,
                 ax: Axes | None = None) -> Axes:
    """Histogram of each party's loss over the horizon, with a smooth (kernel) density.

    Bars show the probability of each bin (the bins are common to every party),
    P̂(a < L ≤ b) = (1/N) Σ w_i 1{a < L_i ≤ b} (the first bin includes a): the share of
    simulations in it without importance sampling (w_i = 1), the likelihood-ratio weighted
    share with it (``result.weights``), so the bars add up to (1/N) Σ w_i ≈ 1 over every
    bin. The line is a Gaussian kernel density estimate, weighted by w_i (from every k-th
    simulation, at most :data:`KDE_POINTS`), times the bin width and (1/N) Σ w_i, on the
    bars' scale. Losses above ``upper`` (default: the largest 99.9% quantile of the parties
    shown, weighted as :func:`~risksim.stats.measures.weighted_rank`) are left out.

    Parameters
    ----------
    result : Result
        The simulation.
    parties : sequence of str, optional
        Columns of ``result.losses`` to show (default: every party, ``gross`` left out).
    bins : int
        Number of bins between 0 and ``upper``.
    upper : float, optional
        Right end of the bins (money).
    density : bool
        Draw the smooth density (skipped for a party whose loss never varies).
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    """
    ax = new_axes(ax)
    chosen = chosen_parties(result, parties, result.parties)
    labels = merged_parties(result, chosen)
    values = {label: result.losses[party].to_numpy() for party, label in labels.items()}
    weights = weights_of(result)
    n = len(result.losses)
    if upper is None:
        upper = max(RankedLosses(v, weights).quantile(0.999) for v in values.values()) or 1.0
    lower = min(0.0, *(float(v.min()) for v in values.values()))
    edges = np.linspace(lower, upper, bins + 1)
    width = edges[1] - edges[0]
    grid = np.linspace(lower, upper, 400)
    bar_weights = (np.ones(n) if weights is None else weights) / n  # w_i / N
    mass = float(bar_weights.sum())
    for number, (party, losses) in enumerate(values.items()):
        color = f"C{number % 10}"
        sample, sample_weights = _kde_sample(losses, weights)
        smooth = density and _spread(sample, sample_weights) > 0
        ax.hist(losses, bins=list(edges), weights=bar_weights, histtype="stepfilled",
                alpha=0.25, color=color, ec=color, label=None if smooth else party)
        if smooth:
            ax.plot(grid, _kde(sample, sample_weights, grid) * width * mass, color=color,
                    lw=1.6, label=party)
    money = money_axis(ax.xaxis, upper, result.currency)
    ax.set_xlim(lower, upper)
    ax.set_xlabel(f"loss over the horizon ({money})")
    share = "share of simulations" if weights is None else "probability (weighted simulations)"
    ax.set_ylabel(f"{share} per {amount_text(width, result.currency)}")
    ax.yaxis.set_major_formatter(percent_formatter())
    ax.set_title(title(result, "Loss distribution"), fontsize=10)
    ax.legend(frameon=False)
    return ax


def _kde_sample(losses: np.ndarray, weights: np.ndarray | None
                ) -> tuple[np.ndarray, np.ndarray | None]:
    """Every k-th loss (and weight), at most KDE_POINTS: what the smooth density is fit to."""
    step = max(1, losses.size // KDE_POINTS)
    return losses[::step], None if weights is None else weights[::step]


def _spread(sample: np.ndarray, weights: np.ndarray | None) -> float:
    """The (weighted) variance of ``sample``; 0 when it has no spread or no weight."""
    if weights is None:
        return float(sample.var())
    total = float(weights.sum())
    if total <= 0:
        return 0.0
    mean = float(weights @ sample) / total
    return float(weights @ np.square(sample - mean)) / total


def _kde(sample: np.ndarray, weights: np.ndarray | None, grid: np.ndarray) -> np.ndarray:
    """Gaussian kernel density of ``sample`` (weighted by ``weights``) on ``grid``; it
    integrates to 1."""
    from scipy.stats import gaussian_kde

    return np.asarray(gaussian_kde(sample, weights=weights)(grid))
