"""Paths over the months of a timeline: a party's cash, the lender's NPL ratio."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from risksim.errors import InputError
from risksim.present.fonts import finds_fonts
from risksim.present.plots.frame import (
    checked_name,
    money_axis,
    new_axes,
    percent,
    percent_formatter,
    title,
)
from risksim.present.report import money_unit

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from risksim.results.result import Result
    from risksim.results.timeline import TimelineResult

PATHS_SHOWN = 5
"""Simulations whose own monthly path a timeline plot draws by default (thin lines)."""


PATH_STYLE: dict[str, Any] = {"color": "0.35", "lw": 0.6, "alpha": 0.6}
"""How a simulation's own path is drawn."""


NO_TIMELINE = ("this result has no timeline: simulate it with timeline=True "
               "(risksim run SCENARIO --timeline --out DIR)")
"""The error of a timeline plot of a result run without one."""


@finds_fonts
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
    ax = new_axes(ax)
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
    money = money_axis(ax.yaxis, magnitude, result.currency)
    scale, _ = money_unit(magnitude)
    labels[labels.index("lowest cash")] = (
        f"lowest cash, 5% quantile: {round(lowest / scale, 2) + 0.0:,g} {money}")
    _month_axis(ax, float(months[-1]))
    ax.set_ylabel(f"cash at month end ({money})")
    ax.set_title(title(result, f"Cash of {party}, month by month"), fontsize=10)
    ax.legend(handles, labels, fontsize=8, loc="best", framealpha=0.8, edgecolor="none")
    return ax


@finds_fonts
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
    ax = new_axes(ax)
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
    ax.yaxis.set_major_formatter(percent_formatter())
    _month_axis(ax, float(months[-1]))
    ax.set_ylabel("lender's NPL ratio at month end")
    ax.set_title(title(result, "NPL ratio, month by month"), fontsize=10)
    ax.legend(handles, labels, frameon=False, fontsize=8, loc="upper left")
    return ax


def _timeline(result: Result) -> TimelineResult:
    if result.timeline is None:
        raise InputError(NO_TIMELINE)
    return result.timeline


def _cash_party(timeline: TimelineResult, party: str | None) -> str:
    """``party`` checked, or the first party with limited cash, else the first party."""
    parties = list(dict.fromkeys(timeline.cash.index.get_level_values("party")))
    if party is not None:
        return checked_name(party, parties, "party")
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
    label = f"tolerance {percent(threshold)}"
    stated = result.metadata.get("npl_tolerance") or {}
    if "overall_npl_ratio" in stated and "margin" in stated:
        label += (f" (overall {percent(stated['overall_npl_ratio'])} + "
                  f"{100 * stated['margin']:g} pp)")
    breach = timeline.npl_summary().get("breach_probability")
    if breach is not None:
        label += f"; P(a month above) {breach:.1%}"
    return label
