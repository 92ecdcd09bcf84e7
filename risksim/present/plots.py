"""Plots of results, comparisons and sweeps, each ``f(data, *, ax=None, **kw) -> Axes``.

Every function draws on ``ax`` when given, else on a new figure of its own, and returns the
Axes; nothing else is touched (no pyplot state, no ``plt.show()``). Amounts stay in the
scenario's currency on the axes (a VaR marker sits at x = VaR); the tick labels show them in
one unit, e.g. ``CNY m``. The same plots of a :class:`~risksim.results.result.Result` are methods of
``result.plot``::

    result.plot.exceedance(level=0.99)
    risksim.present.plots.exceedance(result, level=0.99, ax=ax)

Of a result: :func:`distribution` (histogram and smooth density per party),
:func:`exceedance` (P(loss > x) on a log scale with VaR and ES marked and error bands),
:func:`tail_shares` (who pays in the tail: each party's share of the gross loss by quantile
band of the gross loss), :func:`convergence` (a measure against the number of simulations,
with its band). Of a result's timeline (``simulate(..., timeline=True)``, ``risksim run
--timeline``): :func:`cash_paths` (a party's cash at each month end: median, 5–95% band, a few
simulations' own paths and its lowest cash) and :func:`npl_paths` (the lender's monthly NPL
ratio against its tolerance). Of several schemes: :func:`comparison` (from
:func:`risksim.compare`). Of a sweep: :func:`tornado` (from :func:`risksim.sweep` with
``design="one_at_a_time"``).

The plots of a result draw the model's distribution as :meth:`~risksim.Result.summary`,
:meth:`~risksim.Result.exceedance` and :meth:`~risksim.Result.probabilities` report it. An
importance-sampling run (``simulate(..., tail_level=...)``) draws from another distribution
and carries the likelihood ratios w_i in ``result.weights``: every probability, quantile,
average and band drawn then weights simulation i by w_i, e.g. P(loss > x) =
(1/N) Σ w_i 1{L_i > x}; without importance sampling every w_i = 1. Under quasi-Monte Carlo
the bands come from the replicates, as the reports' errors do.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from risksim.errors import InputError
from risksim.present.report import measure_label, money_unit
from risksim.stats import measures
from risksim.util.suggest import unknown_name_message

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis

    from risksim.analysis.compare import Comparison
    from risksim.results.result import Result
    from risksim.results.timeline import TimelineResult

FIGSIZE = (7.0, 4.2)
"""Size (inches) of a figure made when no Axes is given."""
KDE_POINTS = 20_000
"""Most simulations a smooth density is estimated from (every k-th simulation)."""
EXCEEDANCE_POINTS = 400
"""Points of an exceedance curve, spread evenly on the log scale of the probability."""
MIXED_CURRENCIES = "each scheme's currency"
"""Axis label of amounts when the schemes compared use several currencies."""
TITLE_CHARS = 60
"""Longest scenario name shown in a title."""
KINDS = ("distribution", "exceedance", "tail_shares", "convergence", "cash_paths", "npl_paths",
         "comparison", "tornado")
"""The plots :func:`draw` knows, by name."""
PATHS_SHOWN = 5
"""Simulations whose own monthly path a timeline plot draws by default (thin lines)."""
PATH_STYLE: dict[str, Any] = {"color": "0.35", "lw": 0.6, "alpha": 0.6}
"""How a simulation's own path is drawn."""
NO_TIMELINE = ("this result has no timeline: simulate it with timeline=True "
               "(risksim run SCENARIO --timeline --out DIR)")
"""The error of a timeline plot of a result run without one."""


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
    ax = _axes(ax)
    chosen = _parties(result, parties, result.parties)
    values = {party: result.losses[party].to_numpy() for party in chosen}
    weights = _weights(result)
    n = len(result.losses)
    if upper is None:
        upper = max(_Ranked(v, weights).quantile(0.999) for v in values.values()) or 1.0
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
    money = _money_axis(ax.xaxis, upper, result.currency)
    ax.set_xlim(lower, upper)
    ax.set_xlabel(f"loss over the horizon ({money})")
    share = "share of simulations" if weights is None else "probability (weighted simulations)"
    ax.set_ylabel(f"{share} per {_amount(width, result.currency)}")
    ax.yaxis.set_major_formatter(_percent())
    ax.set_title(_title(result, "Loss distribution"), fontsize=10)
    ax.legend(frameon=False)
    return ax


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
    ``"<party> ES 99%"`` whose single point sits at x = VaR (resp. ES), in money.

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
    ax = _axes(ax)
    chosen = _parties(result, parties, list(result.losses.columns))
    level = _level(result, level)
    z = _z(confidence)
    n = len(result.losses)
    weights = _weights(result)
    labels = _replicate_labels(result, n)
    marked = _summary(result, chosen, [level], confidence)
    right, bottom = 0.0, 1.0 / n
    for party in chosen:
        losses = result.losses[party].to_numpy()
        ranked = _Ranked(losses, weights)
        thresholds = ranked.thresholds(EXCEEDANCE_POINTS)
        p = ranked.probability(thresholds)
        if labels is not None:
            low, high = _replicate_exceedance_bands(losses, weights, labels, thresholds, p,
                                                    confidence)
        elif weights is None:
            low, high = _wilson(ranked.count_above(thresholds), n, z)
        else:
            se = ranked.standard_error(thresholds)
            low, high = np.maximum(p - z * se, 0.0), np.minimum(p + z * se, 1.0)
        (curve,) = ax.plot(thresholds, p, lw=1.6, label=party)
        color = curve.get_color()
        ax.fill_between(thresholds, low, high, color=color, alpha=0.2, lw=0)
        var, es = (float(value) for value in
                   marked.loc[party, [f"VaR_{level:g}", f"ES_{level:g}"]].to_numpy(float))
        lowest = float(p[-1]) if p.size else 1.0 / n
        tail = float(ranked.probability(np.array([es]))[0]) or lowest
        ax.plot([var], [1 - level], "o", color=color, ms=6,
                label=f"{party} VaR {_pct(level)}")
        ax.plot([es], [tail], "D", color=color, ms=6, mfc="white",
                label=f"{party} ES {_pct(level)}")
        right = max(right, float(thresholds[-1]) if thresholds.size else 0.0, es)
        bottom = min(bottom, lowest, tail)
    ax.axhline(1 - level, color="0.4", ls=":", lw=1, label=f"1 - {_pct(level)}")
    ax.set_yscale("log")
    ax.set_ylim(0.5 * bottom, 1.0)
    ax.set_xlim(0.0, right * 1.02 or 1.0)
    money = _money_axis(ax.xaxis, right, result.currency)
    ax.set_xlabel(f"loss over the horizon ({money})")
    ax.set_ylabel("P(loss > x)")
    ax.set_title(_title(result, f"Exceedance, VaR (o) and ES (◇) at {_pct(level)}"),
                 fontsize=10)
    handles = [h for h in ax.get_lines() if h.get_label() in chosen]
    ax.legend(handles=handles, frameon=False)
    return ax


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
    ax = _axes(ax)
    chosen = _parties(result, parties, result.parties)
    edges = sorted({0.0, 1.0, *([0.5, 0.9, *result.levels] if bands is None else bands)})
    if edges[0] < 0 or edges[-1] > 1:
        raise InputError(f"bands {list(bands or [])}: expected quantiles in [0, 1]",
                         path="bands")
    gross = result.losses["gross"].to_numpy()
    ranked = _Ranked(gross, _weights(result))
    cuts = [ranked.rank(edge) for edge in edges]
    labels, gross_sums, sums = [], [], []
    for (lo, hi), (a, b) in zip(_pairs(edges), _pairs(cuts), strict=True):
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
    ax.yaxis.set_major_formatter(_percent())
    ax.set_xlabel("simulations ranked by gross loss: quantile band (%)")
    ax.set_ylabel("share of the gross loss")
    ax.set_title(_title(result, "Who pays in the tail"), fontsize=10)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


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
    ax = _axes(ax)
    (party,) = _parties(result, [party], list(result.losses.columns))
    measure = measure or f"ES_{_level(result, None):g}"
    levels, band = _measure_columns(measure, _z(confidence))
    n = len(result.losses)
    sizes = np.unique(np.geomspace(min(100, n), n, points).round().astype(int))
    sizes = sizes[sizes >= 2]
    rows = [band(_summary(result, [party], levels, confidence, int(size)).loc[party])
            for size in sizes]
    values = np.array([r.value for r in rows])
    ax.plot(sizes, values, lw=1.6, marker=".", label=f"{party} {measure_label(measure)}")
    ax.fill_between(sizes, [r.lower for r in rows], [r.upper for r in rows], alpha=0.2, lw=0,
                    label=f"{_pct(confidence)} band")
    ax.axhline(values[-1], color="0.4", ls="--", lw=1, label=f"all {n:,} simulations")
    ax.set_xscale("log")
    money = _money_axis(ax.yaxis, float(np.max(np.abs([r.upper for r in rows]))),
                        result.currency)
    ax.set_xlabel("simulations used (the first n)")
    ax.set_ylabel(f"{measure_label(measure)} ({money})")
    ax.set_title(_title(result, f"Convergence of {party} {measure_label(measure)}"),
                 fontsize=10)
    ax.legend(frameon=False)
    return ax


def cash_paths(result: Result, *, party: str | None = None, paths: int = PATHS_SHOWN,
               ax: Axes | None = None) -> Axes:
    """A party's cash at each month end of the timeline: median, 5–95% band, own paths.

    The median line and the band (5% to 95% quantile over every simulation) come from
    ``result.timeline.cash``; thin lines are the paths of the first ``paths`` simulations kept
    whole (``timeline.paths``). Cash is the starting cash plus the flows paid to date
    (flows to date alone for a party with unlimited cash), so it falls with the claims
    paid and rises with reimbursements, recoveries and fees; the months after the horizon
    (dotted line) carry the flows still to come. A triangle marks the lowest cash: the 5%
    quantile over the simulations of each one's lowest end-of-day cash (as
    ``timeline.summary()["min_cash_q05"]``), at the median day those simulations reach it.

    Parameters
    ----------
    result : Result
        A simulation run with ``timeline=True``.
    party : str, optional
        The party (default: the first with limited cash, else the first party).
    paths : int
        Number of simulations whose own path is drawn (at most the paths kept).
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).

    Raises
    ------
    InputError
        When the result has no timeline, or the party is unknown.
    """
    timeline = _timeline(result)
    party = _cash_party(timeline, party)
    cash = timeline.cash
    table = cash[cash.index.get_level_values("party") == party].droplevel("party")
    months = table.index.to_numpy()
    ax = _axes(ax)
    kept = _kept(timeline.paths.xs(party, level="party")["cash"], paths)
    handles, labels = _distribution_over_time(ax, table, kept)
    handles.append(ax.axhline(0.0, color="black", lw=0.8, label="zero"))
    lowest, month = _lowest_cash(timeline, party)
    handles += ax.plot([month], [lowest], "v", color="C3", ms=8, label="lowest cash")
    labels += ["zero", "lowest cash"]
    horizon = _horizon_months(timeline)
    if months[-1] > horizon:
        handles.append(ax.axvline(horizon, color="0.4", ls=":", lw=1,
                                  label="end of the horizon"))
        labels.append("end of the horizon")
    magnitude = float(np.nanmax(np.abs(np.concatenate(
        [table[["q05", "q95"]].to_numpy().ravel(), kept.to_numpy().ravel(), [lowest]]))))
    money = _money_axis(ax.yaxis, magnitude, result.currency)
    scale, _ = money_unit(magnitude)
    labels[labels.index("lowest cash")] = (
        f"lowest cash, 5% quantile: {round(lowest / scale, 2) + 0.0:,g} {money}")
    _month_axis(ax, float(months[-1]))
    ax.set_ylabel(f"cash at month end ({money})")
    ax.set_title(_title(result, f"Cash of {party}, month by month"), fontsize=10)
    ax.legend(handles, labels, fontsize=8, loc="best", framealpha=0.8, edgecolor="none")
    return ax


def npl_paths(result: Result, *, paths: int = PATHS_SHOWN, ax: Axes | None = None) -> Axes:
    """The lender's NPL ratio at each month end of the horizon, against its tolerance.

    The median line and the 5–95% band come from ``result.timeline.npl_ratio``, thin lines
    are the first ``paths`` simulations kept whole (``timeline.npl_paths``). When the
    scenario states an ``npl_tolerance``, a dashed line marks the tolerated ratio (overall
    NPL ratio + margin), labelled with the probability that some month is above it.

    Parameters
    ----------
    result : Result
        A simulation run with ``timeline=True``.
    paths : int
        Number of simulations whose own path is drawn (at most the paths kept).
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).

    Raises
    ------
    InputError
        When the result has no timeline.
    """
    timeline = _timeline(result)
    table = timeline.npl_ratio
    months = table.index.to_numpy()
    ax = _axes(ax)
    kept = _kept(timeline.npl_paths["ratio"], paths)
    handles, labels = _distribution_over_time(ax, table, kept)
    top = float(np.nanmax(np.concatenate([table["q95"].to_numpy(), kept.to_numpy().ravel(),
                                          [0.0]])))
    threshold = timeline.metadata.get("npl_threshold")
    if threshold is not None:
        label = _tolerance_label(result, timeline, float(threshold))
        handles.append(ax.axhline(threshold, color="C3", ls="--", lw=1.2, label=label))
        labels.append(label)
        top = max(top, float(threshold))
    ax.set_ylim(0.0, top * 1.12 or 0.01)
    ax.yaxis.set_major_formatter(_percent())
    _month_axis(ax, float(months[-1]))
    ax.set_ylabel("lender's NPL ratio at month end")
    ax.set_title(_title(result, "NPL ratio, month by month"), fontsize=10)
    ax.legend(handles, labels, frameon=False, fontsize=8, loc="upper left")
    return ax


def comparison(data: Comparison | pd.DataFrame, *, measure: str = "EL",
               difference: bool = False, per_lending: bool = False,
               parties: Sequence[str] | None = None, currency: str | None = None,
               lending: pd.Series | None = None, confidence: float = 0.95,
               ax: Axes | None = None) -> Axes:
    """Schemes side by side: a measure per party of each scheme.

    ``EL`` adds up over the parties, so its bars are stacked (each scheme's bar is its gross
    EL, split by who bears it); other measures get one bar per party. With
    ``difference=True`` the bars are each party's difference to the baseline scheme, with
    its paired error bar at ``confidence``.

    Parameters
    ----------
    data : Comparison or pandas.DataFrame
        What :func:`risksim.compare` returned, or its ``parties`` table (index scheme,
        party), e.g. read back from ``parties.csv``.
    measure : str
        ``EL``, ``VaR_<level>`` or ``ES_<level>``.
    difference : bool
        Show differences to the baseline, with error bars.
    per_lending : bool
        Divide each scheme's amounts by its lending (Σ exposure): rates that compare
        across books and currencies.
    parties : sequence of str, optional
        Parties shown (default: every party of any scheme, ``gross`` left out).
    currency : str, optional
        For the axis label (default: the schemes' currency, when a Comparison is given).
    lending : pandas.Series, optional
        Lending per scheme for ``per_lending`` (default: the Comparison's ``schemes``).
    confidence : float
        Confidence of the error bars.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure, taller with more schemes).
    """
    table, currency = _comparison_table(data, currency)
    if measure not in table.columns:
        valid = [c for c in table.columns if c == "EL" or (c.startswith(("VaR_", "ES_"))
                 and "_diff" not in c and not c.endswith(("_lo", "_hi")))]
        raise InputError(unknown_name_message("measure", measure, valid), path="measure")
    schemes = list(dict.fromkeys(table.index.get_level_values("scheme")))
    column = f"{measure}_diff" if difference else measure
    scale = _lending(data, lending, per_lending)
    if per_lending:
        table = table.copy()
        names = table.index.get_level_values("scheme")
        for name in (measure, f"{measure}_diff", f"{measure}_diff_se"):
            if name in table.columns:
                table[name] = table[name].to_numpy() / scale.reindex(names).to_numpy()
    known = list(dict.fromkeys(p for p in table.index.get_level_values("party") if p != "gross"))
    chosen = ([p for p in known if table.xs(p, level="party")[column].notna().any()]
              if parties is None else [_known(p, known, "party") for p in parties])
    ax = _axes(ax, (FIGSIZE[0], max(2.5, 0.9 + 0.55 * len(schemes) * (
        1 if measure == "EL" and not difference else max(1, len(chosen)) ** 0.5))))
    y = np.arange(len(schemes))[::-1].astype(float)
    stacked = measure == "EL" and not difference
    height = 0.7 if stacked else 0.8 / max(len(chosen), 1)
    left = np.zeros(len(schemes))
    magnitude = 0.0
    for i, party in enumerate(chosen):
        values = np.array([_cell(table, s, party, column) for s in schemes])
        present = ~np.isnan(values)
        shown = np.where(present, values, 0.0)
        if stacked:
            ax.barh(y, shown, left=left, height=height, label=party,
                    color=_color(i, len(chosen)))
            left = left + shown
            continue
        offset = (len(chosen) - 1) / 2 - i
        error = None
        if difference:
            error = _z(confidence) * np.array([_cell(table, s, party, f"{measure}_diff_se")
                                               for s in schemes])
            error = np.where(present, error, 0.0)
        ax.barh(y + offset * height, shown, height=height, xerr=error, label=party,
                color=_color(i, len(chosen)),
                error_kw={"elinewidth": 1, "capsize": 2})
        magnitude = max(magnitude, float(np.abs(shown).max()))
    if stacked:
        gross = np.array([_cell(table, s, "gross", "EL") for s in schemes])
        ax.plot(gross, y, "|", color="black", ms=16, mew=2, label="gross")
        magnitude = float(np.nanmax(np.abs(np.concatenate([left, gross]))))
    if difference:
        ax.axvline(0.0, color="0.3", lw=1)
    ax.margins(x=0.05)
    ax.set_yticks(y, schemes)
    if per_lending:
        ax.xaxis.set_major_formatter(_percent())
        money = "% of lending"
    else:
        money = _money_axis(ax.xaxis, magnitude, currency)
    what = measure_label(measure)
    ax.set_xlabel(f"{what} - baseline ({money})" if difference else f"{what} ({money})")
    if difference:
        ax.set_title(f"{what}: difference to {_baseline(data) or 'the baseline'} "
                     f"({_pct(confidence)} paired error bars)")
    else:
        ax.set_title(f"{what} by scheme" + (", split by party" if stacked else " and party"))
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def tornado(data: pd.DataFrame, *, party: str | None = None, measure: str | None = None,
            currency: str | None = None, ax: Axes | None = None) -> Axes:
    """Tornado chart: how far each swept path moves a measure from the base point.

    One row per path, the widest swing on top: a bar from the base value to the lowest
    value of the measure over the path's settings, another to the highest, each labelled
    with the setting that gave it; a vertical line at the base value.

    Parameters
    ----------
    data : pandas.DataFrame
        A one-at-a-time sweep (:func:`risksim.sweep`, or its CSV read back) or the table of
        :func:`risksim.tornado`.
    party, measure : str, optional
        For a sweep: the party (default: the first one after ``gross``) and measure
        (default: the last one, ES at the highest level).
    currency : str, optional
        For the axis label (default: the sweep's ``currency`` column when it has one).
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    """
    from risksim.analysis.sweep import tornado as tornado_table

    if currency is None and "currency" in data.columns:
        currency = str(data["currency"].iloc[0])
    if "swing" in data.columns:
        table = data
    else:
        parties = [p for p in dict.fromkeys(data["party"]) if p != "gross"]
        party = party or (parties[0] if parties else "gross")
        measure = measure or str(data["measure"].iloc[-1])
        table = tornado_table(data, party, measure)
    ax = _axes(ax, (FIGSIZE[0], max(2.5, 1.2 + 0.6 * len(table))))
    y = np.arange(len(table))[::-1].astype(float)
    base = float(table["base"].iloc[0])
    for key, color, label in (("low", "tab:blue", "lowest"), ("high", "tab:orange", "highest")):
        at = table[f"at_{key}"].to_numpy(dtype=float)
        ax.barh(y, at - base, left=base, height=0.6, color=color, label=f"{label} value")
        for yi, value, setting in zip(y, at, table[key], strict=True):
            ax.annotate(_setting(setting), (value, yi), textcoords="offset points",
                        xytext=(4 if value >= base else -4, 0), va="center",
                        ha="left" if value >= base else "right", fontsize=8)
    ax.axvline(base, color="black", lw=1.2, label="base point")
    ax.set_yticks(y, [_short_path(str(path)) for path in table.index])
    ends = np.concatenate([table["at_low"], table["at_high"], [base]]).astype(float)
    span = float(ends.max() - ends.min()) or abs(base) or 1.0
    ax.set_xlim(float(ends.min()) - 0.25 * span, float(ends.max()) + 0.25 * span)
    money = _money_axis(ax.xaxis, float(np.abs(ends).max()), currency or "")
    what = f"{party} {measure_label(measure)}" if party and measure else "measure"
    ax.set_xlabel(f"{what} ({money})")
    ax.set_title(f"Sensitivity of {what}, one path at a time")
    ax.legend(frameon=False, loc="lower right")
    return ax


class ResultPlots:
    """The plots of one result, as methods: ``result.plot.exceedance(level=0.99)``.

    Each method is the function of :mod:`risksim.present.plots` of the same name with the result
    filled in, and returns the Axes it drew on.
    """

    def __init__(self, result: Result) -> None:
        self._result = result

    def distribution(self, **options: Any) -> Axes:
        """:func:`risksim.present.plots.distribution` of this result."""
        return distribution(self._result, **options)

    def exceedance(self, **options: Any) -> Axes:
        """:func:`risksim.present.plots.exceedance` of this result."""
        return exceedance(self._result, **options)

    def tail_shares(self, **options: Any) -> Axes:
        """:func:`risksim.present.plots.tail_shares` of this result."""
        return tail_shares(self._result, **options)

    def convergence(self, **options: Any) -> Axes:
        """:func:`risksim.present.plots.convergence` of this result."""
        return convergence(self._result, **options)

    def cash_paths(self, **options: Any) -> Axes:
        """:func:`risksim.present.plots.cash_paths` of this result (run with ``timeline=True``)."""
        return cash_paths(self._result, **options)

    def npl_paths(self, **options: Any) -> Axes:
        """:func:`risksim.present.plots.npl_paths` of this result (run with ``timeline=True``)."""
        return npl_paths(self._result, **options)

    def __repr__(self) -> str:
        return ("ResultPlots: distribution(), exceedance(), tail_shares(), convergence(), "
                "cash_paths(), npl_paths()")


# --- helpers -------------------------------------------------------------------------------


def _axes(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> Axes:
    """``ax``, or the Axes of a new figure (pyplot-managed, so a notebook shows it)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=figsize, layout="constrained")
    return new


def _money_axis(axis: Axis, magnitude: float, currency: str) -> str:
    """Tick labels of ``axis`` in one unit fit for ``magnitude``; returns e.g. ``CNY m``."""
    from matplotlib.ticker import FuncFormatter

    scale, unit = money_unit(magnitude)
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value / scale:,.6g}"))
    if currency == MIXED_CURRENCIES:
        return f"{unit}, {currency}" if unit else currency
    return f"{currency} {unit}".strip() or "money"


def _amount(amount: float, currency: str) -> str:
    scale, unit = money_unit(amount)
    return f"{amount / scale:,.3g} {currency} {unit}".replace("  ", " ").strip()


def _color(index: int, count: int) -> Any:
    """The ``index``-th of ``count`` colours: the default cycle, or tab20 beyond 10."""
    if count <= 10:
        return f"C{index}"
    from matplotlib import colormaps

    return colormaps["tab20"](index % 20)


def _percent() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=None)


def _pct(fraction: float) -> str:
    return f"{100 * fraction:g}%"


def _pairs(values: Sequence[Any]) -> list[tuple[Any, Any]]:
    return list(itertools.pairwise(values))


def _title(result: Result, what: str) -> str:
    """``what``, then the scenario's name (shortened) and the number of simulations."""
    name = str(result.metadata.get("scenario", {}).get("name", ""))
    if len(name) > TITLE_CHARS:
        name = name[:TITLE_CHARS - 1].rstrip() + "…"
    n = len(result.losses)
    return f"{what}\n{name} ({n:,} simulations)" if name else f"{what} ({n:,} simulations)"


def _known(name: str, valid: Sequence[str], what: str) -> str:
    if name not in valid:
        raise InputError(unknown_name_message(what, name, valid), path=what)
    return name


def _parties(result: Result, parties: Sequence[str] | None,
             default: list[str]) -> list[str]:
    if parties is None:
        return default
    if isinstance(parties, str):
        parties = [parties]
    return [_known(p, list(result.losses.columns), "party") for p in parties]


def _level(result: Result, level: float | None) -> float:
    if level is not None:
        if not 0 < level < 1:
            raise InputError(f"level {level}: expected a number strictly between 0 and 1",
                             path="level")
        return float(level)
    return 0.99 if 0.99 in result.levels else result.levels[-1]


def _z(confidence: float) -> float:
    from statistics import NormalDist

    if not 0 < confidence < 1:
        raise InputError(f"confidence {confidence}: expected a number strictly between 0 "
                         "and 1", path="confidence")
    return NormalDist().inv_cdf((1 + confidence) / 2)


def _timeline(result: Result) -> TimelineResult:
    if result.timeline is None:
        raise InputError(NO_TIMELINE)
    return result.timeline


def _cash_party(timeline: TimelineResult, party: str | None) -> str:
    """``party`` checked, or the first party with limited cash, else the first party."""
    parties = list(dict.fromkeys(timeline.cash.index.get_level_values("party")))
    if party is not None:
        return _known(party, parties, "party")
    settings = timeline.metadata.get("parties", {})
    limited = [p for p in parties if settings.get(p, {}).get("starting_cash") is not None]
    return (limited or parties)[0]


def _kept(values: pd.Series, count: int) -> pd.DataFrame:
    """The first ``count`` kept simulations of ``values`` (index simulation, month), one row
    each, one column per month."""
    if count < 0:
        raise InputError(f"paths {count}: expected 0 or more", path="paths")
    wide = values.unstack("month")
    return wide.iloc[:count]


def _distribution_over_time(ax: Axes, table: pd.DataFrame,
                            kept: pd.DataFrame) -> tuple[list[Any], list[str]]:
    """Draw the kept simulations' own paths (thin, labelled ``simulation <k>``), the band
    from ``q05`` to ``q95`` and the median ``q50`` of ``table`` (index month); returns the
    legend's handles and labels."""
    for simulation, path in kept.iterrows():
        ax.plot(path.index.to_numpy(), path.to_numpy(), **PATH_STYLE,
                label=f"simulation {simulation}")
    months = table.index.to_numpy()
    band = ax.fill_between(months, table["q05"].to_numpy(), table["q95"].to_numpy(),
                           color="C0", alpha=0.25, lw=0, label="5–95% of simulations")
    (median,) = ax.plot(months, table["q50"].to_numpy(), color="C0", lw=1.8, label="median")
    handles: list[Any] = [median, band]
    labels = ["median", "5–95% of simulations"]
    if not kept.empty:
        handles.append(ax.get_lines()[0])
        labels.append(f"{len(kept)} simulations' own paths")
    return handles, labels


def _lowest_cash(timeline: TimelineResult, party: str) -> tuple[float, float]:
    """The 5% quantile of ``party``'s lowest cash over the simulations (money), and the
    median day, in months, on which the simulations at or below it reach their lowest."""
    from risksim.scenario.timeline import DAYS_PER_MONTH

    table = timeline.parties.xs(party, level="party")
    lowest = table["min_cash"].to_numpy()
    quantile = float(np.quantile(lowest, 0.05))
    day = float(np.median(table["min_cash_day"].to_numpy()[lowest <= quantile]))
    return quantile, day / DAYS_PER_MONTH


def _horizon_months(timeline: TimelineResult) -> int:
    """Months in the horizon (the NPL ratio is reported for each)."""
    return int(timeline.npl_ratio.index.max())


def _month_axis(ax: Axes, last: float) -> None:
    """x from month 0 to ``last``, a tick each year (each quarter on short horizons)."""
    from matplotlib.ticker import MultipleLocator

    ax.set_xlim(0.0, last)
    ax.xaxis.set_major_locator(MultipleLocator(12 if last > 24 else 3))
    ax.set_xlabel("months from the start of the horizon (30/360)")


def _tolerance_label(result: Result, timeline: TimelineResult, threshold: float) -> str:
    """``tolerance 4.5% (overall 1.5% + 3 pp); P(a month above) 12.3%``."""
    label = f"tolerance {_pct(threshold)}"
    stated = result.metadata.get("npl_tolerance") or {}
    if "overall_npl_ratio" in stated and "margin" in stated:
        label += (f" (overall {_pct(stated['overall_npl_ratio'])} + "
                  f"{100 * stated['margin']:g} pp)")
    breach = timeline.npl_summary().get("breach_probability")
    if breach is not None:
        label += f"; P(a month above) {breach:.1%}"
    return label


def _weights(result: Result) -> np.ndarray | None:
    """The likelihood-ratio weights w_i of an importance-sampling result, else None."""
    return None if result.weights is None else result.weights.to_numpy(dtype=np.float64)


def _summary(result: Result, columns: Sequence[str], levels: list[float], confidence: float,
             n: int | None = None) -> pd.DataFrame:
    """``result.summary(levels, confidence)`` of ``columns`` from the first ``n`` simulations
    (default: all): weighted, with quasi-Monte Carlo errors, as the result reports it."""
    from dataclasses import replace

    losses = result.losses[list(columns)].iloc[slice(n)]
    weights = None if result.weights is None else result.weights.iloc[slice(n)]
    return replace(result, losses=losses, weights=weights).summary(levels, confidence)


class _Ranked:
    """One column's losses ranked ascending with their weights: the (weighted) empirical
    distribution P̂(L > x) = (1/N) Σ w_i 1{L_i > x}, w_i = 1 without importance sampling.

    Attributes
    ----------
    losses, weights : numpy.ndarray
        Losses in ascending order and their weights (ties in simulation order).
    order : numpy.ndarray
        The simulations in that order (a stable argsort).
    """

    def __init__(self, losses: np.ndarray, weights: np.ndarray | None) -> None:
        self.n = losses.size
        self._values = losses
        if weights is None:  # a sort, faster than the argsort, which waits until asked
            self.losses, self.weights = np.sort(losses), np.ones(self.n)
        else:
            self.losses = losses[self.order]
            self.weights = np.asarray(weights, dtype=np.float64)[self.order]
        reversed_weights = self.weights[::-1]
        # Σ of the k largest losses' weights (and squared weights), k = 0, …, N: exact
        # integers k without importance sampling
        self._mass = np.concatenate([[0.0], np.cumsum(reversed_weights)])
        self._square = np.concatenate([[0.0], np.cumsum(reversed_weights**2)])

    @functools.cached_property
    def order(self) -> np.ndarray:
        """The simulations in ascending order of loss (stable: ties in simulation order)."""
        return np.argsort(self._values, kind="stable")

    def count_above(self, thresholds: np.ndarray) -> np.ndarray:
        """#{i : L_i > x} for each threshold x."""
        return self.n - np.searchsorted(self.losses, thresholds, side="right")

    def probability(self, thresholds: np.ndarray) -> np.ndarray:
        """p(x) = (1/N) Σ w_i 1{L_i > x} for each threshold x."""
        return self._mass[self.count_above(thresholds)] / self.n

    def standard_error(self, thresholds: np.ndarray) -> np.ndarray:
        """sd(w_i 1{L_i > x})/√N (sample sd, ddof = 1) for each threshold x: the error of
        :meth:`probability` (as :func:`~risksim.stats.measures.weighted_mean`)."""
        k = self.count_above(thresholds)
        mass, n = self._mass[k], self.n
        variance = np.maximum(self._square[k] - mass * mass / n, 0.0) / (n - 1)
        return np.sqrt(variance / n)

    def thresholds(self, points: int) -> np.ndarray:
        """About ``points`` thresholds, losses whose exceedance probability p is spread
        evenly on a log scale from the smallest positive p up (with min(0, L_(1)) first);
        thresholds nothing exceeds (p = 0) are dropped."""
        positive = np.flatnonzero(self._mass > 0)
        if positive.size == 0:
            return np.empty(0)
        targets = np.geomspace(self._mass[positive[0]], self._mass[-1], points)
        top = np.unique(np.minimum(np.searchsorted(self._mass, targets), self.n))
        thresholds = np.unique(np.concatenate([[min(0.0, self.losses[0])],
                                               self.losses[self.n - top]]))
        return thresholds[self.probability(thresholds) > 0]

    def rank(self, level: float) -> int:
        """How many simulations rank at or below the (weighted) ``level``-quantile: 0 at
        level 0, N at 1, else r of :func:`~risksim.stats.measures.weighted_rank`."""
        if level <= 0:
            return 0
        if level >= 1:
            return self.n
        return measures.weighted_rank(self.weights, level)

    def quantile(self, level: float) -> float:
        """The (weighted) ``level``-quantile, L_(r) with r = :meth:`rank` (the VaR of
        :func:`~risksim.stats.measures.weighted_summarize`), 0 < level < 1."""
        return float(self.losses[self.rank(level) - 1])


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


def _wilson(counts: np.ndarray, n: int, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score bounds of the proportions counts/n (as :mod:`risksim.stats.measures`)."""
    p = counts / n
    c = z * z / (2 * n)
    half = np.sqrt(z * z * p * (1 - p) / n + c * c)
    return (p + c - half) / (1 + 2 * c), (p + c + half) / (1 + 2 * c)


def _replicate_labels(result: Result, n: int) -> np.ndarray | None:
    """The replicate of each of the first n simulations of a quasi-Monte Carlo result, or
    None when its errors are the i.i.d. ones (:func:`risksim.results.result.replicate_labels`)."""
    from risksim.results.result import qmc_replicates, replicate_labels

    return replicate_labels(n, qmc_replicates(result.metadata))


def _replicate_exceedance_bands(losses: np.ndarray, weights: np.ndarray | None,
                                labels: np.ndarray, thresholds: np.ndarray, p: np.ndarray,
                                confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Bounds p ± z·sd(p_1, …, p_R)/√R in [0, 1] at each threshold x, p_r = (1/N_r)
    Σ_{i in r} w_i 1{L_i > x} the (weighted) share of replicate r's N_r losses above it
    (:func:`risksim.stats.measures.replicate_estimate`)."""
    shares = []
    for r in range(int(labels.max()) + 1):
        member = labels == r
        own = _Ranked(losses[member], None if weights is None else weights[member])
        shares.append(own.probability(thresholds))
    per_replicate = np.array(shares)
    bands = [measures.replicate_estimate(float(value), per_replicate[:, j], confidence,
                                         (0.0, 1.0)) for j, value in enumerate(p)]
    return np.array([b.lower for b in bands]), np.array([b.upper for b in bands])


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


def _comparison_table(data: Comparison | pd.DataFrame,
                      currency: str | None) -> tuple[pd.DataFrame, str]:
    if isinstance(data, pd.DataFrame):
        table = data
        if not isinstance(table.index, pd.MultiIndex) and {"scheme", "party"} <= set(
                table.columns):
            table = table.set_index(["scheme", "party"])
        return table, currency or ""
    if currency is None:
        currencies = {result.currency for result in data.results.values()}
        currency = currencies.pop() if len(currencies) == 1 else MIXED_CURRENCIES
    return data.parties, currency


def _lending(data: Comparison | pd.DataFrame, lending: pd.Series | None,
             wanted: bool) -> pd.Series:
    """Lending per scheme (money), when ``wanted``."""
    if not wanted:
        return pd.Series(dtype=float)
    if lending is None and not isinstance(data, pd.DataFrame):
        lending = data.schemes["lending"]
    if lending is None:
        raise InputError("per_lending needs the lending of each scheme: give a Comparison "
                         "or lending=", path="per_lending")
    return lending.astype(float)


def _baseline(data: Comparison | pd.DataFrame) -> str:
    return "" if isinstance(data, pd.DataFrame) else str(data.metadata.get("baseline", ""))


def _cell(table: pd.DataFrame, scheme: str, party: str, column: str) -> float:
    try:
        value: Any = table.loc[(scheme, party), column]
        return float(value)
    except KeyError:
        return math.nan


def _setting(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{float(value):g}"
    return str(value)


def _short_path(path: str) -> str:
    """The last two parts of a dotted path: ``guarantor.share_of_loss``."""
    return ".".join(path.split(".")[-2:])


def saved(source: str | Path) -> tuple[Any, str, dict[str, Any]]:
    """What ``risksim plot`` draws from ``source``: (data, what it is, plot options).

    A result folder (``summary.json``: a Result, ``"result"``), a compare folder
    (``parties.csv``, with the currency and lending of ``schemes.csv``: ``"comparison"``)
    or a sweep's CSV (``"sweep"``).
    """
    from risksim.results.result import SUMMARY_FILE, load_result

    source = Path(source)
    if source.is_dir() and (source / SUMMARY_FILE).is_file():
        return load_result(source), "result", {}
    if source.is_dir() and (source / "parties.csv").is_file():
        parties = pd.read_csv(source / "parties.csv", index_col=["scheme", "party"])
        options: dict[str, Any] = {}
        if (source / "schemes.csv").is_file():
            schemes = pd.read_csv(source / "schemes.csv", index_col="scheme")
            options["lending"] = schemes["lending"]
            if "currency" in schemes.columns:
                currencies = set(schemes["currency"])
                options["currency"] = (currencies.pop() if len(currencies) == 1
                                       else MIXED_CURRENCIES)
        return parties, "comparison", options
    if source.is_file() and source.suffix.lower() == ".csv":
        frame = pd.read_csv(source)
        if {"varied", "party", "measure", "value"} <= set(frame.columns):
            return frame, "sweep", {}
    raise InputError("not something to plot: expected a result folder (with summary.json), "
                     "a compare folder (with parties.csv) or a sweep CSV", source=str(source))


def option_named(exc: TypeError) -> str:
    """The command-line option of a plot argument that ``exc`` (an unexpected keyword
    argument) names: ``--level`` from "... unexpected keyword argument 'level'"."""
    text = str(exc)
    name = text.rsplit("'", 2)[-2] if text.count("'") >= 2 else text
    return "--" + name.replace("parties", "party").replace("_", "-")


def draw(kind: str, data: Any, *, ax: Axes | None = None, **options: Any) -> Axes:
    """The plot named ``kind`` (one of :data:`KINDS`) of ``data``."""
    functions = {"distribution": distribution, "exceedance": exceedance,
                 "tail_shares": tail_shares, "convergence": convergence,
                 "cash_paths": cash_paths, "npl_paths": npl_paths,
                 "comparison": comparison, "tornado": tornado}
    kind = kind.replace("-", "_")
    if kind not in functions:
        raise InputError(unknown_name_message("kind", kind, KINDS), path="--kind")
    return functions[kind](data, ax=ax, **options)  # type: ignore[operator]
