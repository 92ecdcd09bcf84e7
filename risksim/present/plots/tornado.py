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
    short_path,
)
from risksim.present.report import measure_label
from risksim.results.sweep import Sweep

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@finds_fonts
def tornado(data: Sweep | pd.DataFrame, *, party: str | None = None,
            measure: str | None = None, currency: str | None = None,
            ax: Axes | None = None) -> Axes:
    """Tornado chart: how far each swept path moves a measure from the base point.

    One row per path, the widest swing on top: a bar from the base value to the lowest
    value of the measure over the path's settings, another to the highest, each labelled
    with the setting that gave it; a vertical line at the base value.

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
    for key, color, label in (("low", "tab:blue", "lowest"), ("high", "tab:orange", "highest")):
        at = table[f"at_{key}"].to_numpy(dtype=float)
        ax.barh(y, at - base, left=base, height=0.6, color=color, label=f"{label} value")
        for yi, value, setting in zip(y, at, table[key], strict=True):
            ax.annotate(_setting(setting), (value, yi), textcoords="offset points",
                        xytext=(4 if value >= base else -4, 0), va="center",
                        ha="left" if value >= base else "right", fontsize=8)
    ax.axvline(base, color="black", lw=1.2, label="base point")
    ax.set_yticks(y, [short_path(str(path)) for path in table.index])
    ends = np.concatenate([table["at_low"], table["at_high"], [base]]).astype(float)
    span = float(ends.max() - ends.min()) or abs(base) or 1.0
    ax.set_xlim(float(ends.min()) - 0.25 * span, float(ends.max()) + 0.25 * span)
    money = money_axis(ax.xaxis, float(np.abs(ends).max()), currency or "")
    what = f"{party} {measure_label(measure)}" if party and measure else "measure"
    ax.set_xlabel(f"{what} ({money})")
    ax.set_title(f"Sensitivity of {what}, one path at a time")
    ax.legend(frameon=False, loc="lower right")
    return ax


def _setting(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{float(value):g}"
    return str(value)
