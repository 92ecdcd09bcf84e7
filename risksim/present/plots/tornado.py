"""Tornado chart of a one-at-a-time sweep."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from risksim.present.fonts import finds_fonts
from risksim.present.plots.frame import (
    FIGSIZE,
    money_axis,
    new_axes,
    percent,
    short_path,
    z_of,
)
from risksim.present.report import measure_label
from risksim.results.sweep import Sweep

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@finds_fonts
def tornado(data: Sweep | pd.DataFrame, *, party: str | None = None,
            measure: str | None = None, currency: str | None = None,
            confidence: float = 0.95, ax: Axes | None = None) -> Axes:
    """Tornado chart: how far each swept path moves a measure from the base point.

    One row per path, the widest swing on top: a bar from the base value to the lowest
    value of the measure over the path's settings, another to the highest, each labelled
    with the setting that gave it, and its error bar at ``confidence`` (z·se, when the
    sweep has its standard errors); a vertical line at the base value. The legend sits
    beside the plot, never over a bar.

    Parameters
    ----------
    data : Sweep or pandas.DataFrame
        A one-at-a-time sweep (:func:`risksim.sweep`, its table, or its CSV read back) or
        the table of :func:`risksim.tornado`.
    party, measure : str, optional
        For a sweep: the party (default: the first one after ``gross``) and measure
        (default: the last one, ES at the highest level).
    currency : str, optional
        For the axis label (default: the sweep's ``currency`` column when it has one).
    confidence : float
        Confidence of the error bars.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    """
    if isinstance(data, pd.DataFrame) and "swing" in data.columns:
        table = data
    else:
        swept = data if isinstance(data, Sweep) else Sweep(table=data)
        currency = currency or swept.currency or None
        parties = [p for p in swept.parties if p != "gross"]
        party = party or (parties[0] if parties else "gross")
        measure = measure or swept.measures[-1]
        table = swept.tornado(party, measure)
    ax = new_axes(ax, (FIGSIZE[0], max(2.5, 1.2 + 0.6 * len(table))))
    y = np.arange(len(table))[::-1].astype(float)
    base = float(table["base"].iloc[0])
    z = z_of(confidence)
    reach = [np.array([base])]
    for key, color, label in (("low", "tab:blue", "lowest"), ("high", "tab:orange", "highest")):
        at = table[f"at_{key}"].to_numpy(dtype=float)
        ax.barh(y, at - base, left=base, height=0.6, color=color, label=f"{label} value")
        error = (z * table[f"se_{key}"].to_numpy(dtype=float) if f"se_{key}" in table.columns
                 else np.zeros(len(table)))
        if error.any():
            ax.errorbar(at, y, xerr=error, fmt="none", ecolor="black", elinewidth=1,
                        capsize=3)
        outer = np.where(at >= base, at + error, at - error)  # labels beyond the error bar
        reach.append(outer)
        for yi, value, setting in zip(y, outer, table[key], strict=True):
            ax.annotate(_setting(setting), (value, yi), textcoords="offset points",
                        xytext=(4 if value >= base else -4, 0), va="center",
                        ha="left" if value >= base else "right", fontsize=8)
    ax.axvline(base, color="black", lw=1.2, label="base point")
    ax.set_yticks(y, [short_path(str(path)) for path in table.index])
    ends = np.concatenate(reach)
    span = float(ends.max() - ends.min()) or abs(base) or 1.0
    ax.set_xlim(float(ends.min()) - 0.25 * span, float(ends.max()) + 0.25 * span)
    money = money_axis(ax.xaxis, float(np.abs(ends).max()), currency or "")
    what = f"{party} {measure_label(measure)}" if party and measure else "measure"
    ax.set_xlabel(f"{what} ({money})")
    bars = f", {percent(confidence)} error bars" if "se_low" in table.columns else ""
    ax.set_title(f"Sensitivity of {what}, one path at a time{bars}")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def _setting(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{float(value):g}"
    return str(value)
