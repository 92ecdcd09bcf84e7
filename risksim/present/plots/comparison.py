"""Schemes side by side: a measure per party of each scheme."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from risksim.errors import InputError
from risksim.present.fonts import finds_fonts
from risksim.present.plots.frame import (
    FIGSIZE,
    MIXED_CURRENCIES,
    checked_name,
    color_of,
    money_axis,
    new_axes,
    percent,
    percent_formatter,
    z_of,
)
from risksim.present.report import measure_label
from risksim.util.suggest import unknown_name_message

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from risksim.analysis.compare import Comparison


@finds_fonts
def comparison(data: Comparison | pd.DataFrame, *, measure: str = "EL",
               difference: bool = False, per_lending: bool = False,
               parties: Sequence[str] | None = None, currency: str | None = None,
               lending: pd.Series | None = None, confidence: float = 0.95,
               ax: Axes | None = None) -> Axes:
    """Schemes side by side: a measure per party of each scheme.

    ``EL`` adds up over the parties, so its bars are stacked (each scheme's bar is its gross
    EL, split by who bears it, each party's error bar at the end of its segment); other
    measures get one bar per party with its error bar. With ``difference=True`` the bars
    are each party's difference to the baseline scheme, with its paired error bar. Error
    bars are ± z·se at ``confidence``. Per unit of lending, each scheme is labelled with
    its horizon (the rates are over it; the annualised figures are in
    ``Comparison.schemes``).

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
        for name in (measure, f"{measure}_se", f"{measure}_diff", f"{measure}_diff_se"):
            if name in table.columns:
                table[name] = table[name].to_numpy() / scale.reindex(names).to_numpy()
    known = list(dict.fromkeys(p for p in table.index.get_level_values("party") if p != "gross"))
    chosen = ([p for p in known if table.xs(p, level="party")[column].notna().any()]
              if parties is None else [checked_name(p, known, "party") for p in parties])
    ax = new_axes(ax, (FIGSIZE[0], max(2.5, 0.9 + 0.55 * len(schemes) * (
        1 if measure == "EL" and not difference else max(1, len(chosen)) ** 0.5))))
    y = np.arange(len(schemes))[::-1].astype(float)
    stacked = measure == "EL" and not difference
    height = 0.7 if stacked else 0.8 / max(len(chosen), 1)
    left = np.zeros(len(schemes))
    magnitude = 0.0
    z = z_of(confidence)
    for i, party in enumerate(chosen):
        values = np.array([_cell(table, s, party, column) for s in schemes])
        present = ~np.isnan(values)
        shown = np.where(present, values, 0.0)
        error = z * np.array([_cell(table, s, party, f"{column}_se") for s in schemes])
        error = np.where(present, error, np.nan)  # no bar, no error bar
        if stacked:
            ax.barh(y, shown, left=left, height=height, label=party,
                    color=color_of(i, len(chosen)))
            left = left + shown
            if np.nan_to_num(error).any():  # the party's own error, at its segment's end
                ax.errorbar(left[present], y[present], xerr=error[present], fmt="none",
                            ecolor="black", elinewidth=1, capsize=2)
            continue
        offset = (len(chosen) - 1) / 2 - i
        ax.barh(y + offset * height, shown, height=height, xerr=error, label=party,
                color=color_of(i, len(chosen)),
                error_kw={"elinewidth": 1, "capsize": 2})
        magnitude = max(magnitude, float(np.abs(shown).max()))
    if stacked:
        gross = np.array([_cell(table, s, "gross", "EL") for s in schemes])
        ax.plot(gross, y, "|", color="black", ms=16, mew=2, label="gross")
        magnitude = float(np.nanmax(np.abs(np.concatenate([left, gross]))))
    if difference:
        ax.axvline(0.0, color="0.3", lw=1)
    ax.margins(x=0.05)
    ax.set_yticks(y, _scheme_labels(data, schemes) if per_lending else schemes)
    if per_lending:
        ax.xaxis.set_major_formatter(percent_formatter())
        money = "% of lending over each scheme's horizon"
    else:
        money = money_axis(ax.xaxis, magnitude, currency)
    what = measure_label(measure)
    ax.set_xlabel(f"{what} - baseline ({money})" if difference else f"{what} ({money})")
    if difference:
        ax.set_title(f"{what}: difference to {_baseline(data) or 'the baseline'} "
                     f"({percent(confidence)} paired error bars)")
    else:
        ax.set_title(f"{what} by scheme" + (", split by party" if stacked else " and party")
                     + f" ({percent(confidence)} error bars)")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def _comparison_table(data: Comparison | pd.DataFrame,
                      currency: str | None) -> tuple[pd.DataFrame, str]:
    if isinstance(data, pd.DataFrame):
        table = data
        if not isinstance(table.index, pd.MultiIndex) and {"scheme", "party"} <= set(
                table.columns):
            table = table.set_index(["scheme", "party"])
        return table, currency or ""
    if currency is None:
        currencies = (set(data.schemes["currency"]) if "currency" in data.schemes.columns
                      else {result.currency for result in data.results.values()})
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


def _scheme_labels(data: Comparison | pd.DataFrame, schemes: list[str]) -> list[str]:
    """Each scheme's name with its horizon, ``china_nfgf_2242 (3 years)``, when known: a
    cost per unit of lending over 1 year and over 5 are not the same rate."""
    if isinstance(data, pd.DataFrame) or "horizon_years" not in data.schemes.columns:
        return schemes
    years = data.schemes["horizon_years"]
    return [f"{name} ({years[name]:g} year{'s' if years[name] != 1 else ''})"
            if name in years.index else name for name in schemes]


def _baseline(data: Comparison | pd.DataFrame) -> str:
    return "" if isinstance(data, pd.DataFrame) else str(data.metadata.get("baseline", ""))


def _cell(table: pd.DataFrame, scheme: str, party: str, column: str) -> float:
    try:
        value: Any = table.loc[(scheme, party), column]
        return float(value)
    except KeyError:
        return math.nan
