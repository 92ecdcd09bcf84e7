"""The fee curve of a swept pricing: required fees against a swept value, with their bands."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from risksim.present.fonts import finds_fonts
from risksim.present.plots.frame import (
    checked_name,
    color_of,
    new_axes,
    percent,
    percent_formatter,
    short_path,
    z_of,
)
from risksim.results.fee_curve import FeeCurve

if TYPE_CHECKING:
    from collections.abc import Sequence

    from matplotlib.axes import Axes

FEE_LABELS = {"break_even": "break-even", "risk_adjusted": "risk-adjusted",
              "target": "target"}
"""The fees a curve can draw, by column, and their labels."""


@finds_fonts
def fee_curve(data: FeeCurve | pd.DataFrame, *, path: str | None = None,
              fees: Sequence[str] | None = None, tier: str = "all",
              ax: Axes | None = None) -> Axes:
    """Required fees against one swept path, each with its 95% band, and the fee ceiling.

    Per fee, a line through the points (x: the path's value, y: the annual rate) and a
    shaded band: break-even and risk-adjusted ± z·se (z = 1.96), the target fee between its
    own band (``target_lower`` to ``target_upper``). Points whose fees are above the ceiling
    (``above_ceiling``) are marked with a cross; the ceiling (``fee_ceiling``) is a dashed
    line. In a grid of several paths, one set of lines per combination of the other paths;
    in a one-at-a-time sweep, the points varying ``path`` and the base point.

    Parameters
    ----------
    data : FeeCurve or pandas.DataFrame
        A fee curve (:func:`risksim.price` with ``sweep=``), its table or its CSV read back.
    path : str, optional
        The swept path on the x axis (default: the first).
    fees : sequence of str, optional
        Of ``break_even``, ``risk_adjusted``, ``target`` (default: all the curve has).
    tier : str
        The tier drawn (default ``all``, the book).
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    """
    curve = data if isinstance(data, FeeCurve) else FeeCurve(table=data)
    path = checked_name(path or curve.paths[0], curve.paths, "path")
    table = curve.table
    rows = table[table["tier"] == checked_name(tier, list(dict.fromkeys(table["tier"])),
                                               "tier")]
    if set(rows["varied"]) != {"grid"}:
        rows = rows[rows["varied"].isin([path, "base"])]
    present = [name for name in FEE_LABELS if rows[name].notna().any()]
    chosen = [checked_name(name, present, "fee") for name in (fees or present)]
    others = [other for other in curve.paths if other != path]
    groups = list(rows.groupby(others, sort=False)) if others else [((), rows)]
    ax = new_axes(ax)
    z = z_of(0.95)
    for number, (key, group) in enumerate(groups):
        group = group.sort_values(path)
        x = group[path].to_numpy(dtype=float)
        where = _group_label(others, key)
        for index, name in enumerate(chosen):
            y = group[name].to_numpy(dtype=float)
            low, high = ((group["target_lower"], group["target_upper"]) if name == "target"
                         else (y - z * group[f"{name}_se"], y + z * group[f"{name}_se"]))
            color = color_of(number * len(chosen) + index, len(groups) * len(chosen))
            ax.plot(x, y, marker="o", color=color, label=FEE_LABELS[name] + where)
            ax.fill_between(x, np.asarray(low, dtype=float), np.asarray(high, dtype=float),
                            color=color, alpha=0.2, lw=0)
            above = group["above_ceiling"].fillna("").str.contains(FEE_LABELS[name])
            ax.scatter(x[above.to_numpy()], y[above.to_numpy()], marker="x", s=60,
                       color="black", zorder=3)
    for rate in sorted(set(rows["fee_ceiling"].dropna())):
        ax.axhline(rate, color="black", ls="--", lw=1.0,
                   label=f"fee ceiling {percent(rate)} (x: above it)")
    ax.yaxis.set_major_formatter(percent_formatter())
    ax.set_xlabel(short_path(path))
    ax.set_ylabel("fee per year (of the fee base)")
    ax.set_title(f"Fee of {curve.party} against {short_path(path)}"
                 + ("" if tier == "all" else f", tier {tier}") + " (95% bands)")
    ax.legend(frameon=False, fontsize=8)
    return ax


def _group_label(paths: list[str], key: object) -> str:
    """`` (path=value, ...)`` for a group of a grid, empty for a single path."""
    if not paths:
        return ""
    values = key if isinstance(key, tuple) else (key,)
    return " (" + ", ".join(f"{short_path(p)}={v}" for p, v in zip(paths, values,
                                                                     strict=True)) + ")"
