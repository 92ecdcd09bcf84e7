"""Plain-text summary table of a result, for the terminal."""

from __future__ import annotations

from risksim.results import Result

_UNITS = ((1e9, "bn"), (1e6, "m"), (1e3, "k"), (1.0, ""))


def format_summary(result: Result) -> str:
    """The summary as an aligned table: each figure with its Monte Carlo standard error.

    Amounts are shown in one unit chosen from the gross expected loss (e.g. ``CNY m``);
    VaR's standard error is the one implied by its order-statistic confidence interval.
    """
    table = result.summary()
    scale, unit = _unit(float(table["ES_" + f"{result.levels[-1]:g}"].max()))
    header = ["party", "EL", "SD"]
    for level in result.levels:
        header += [f"VaR {100 * level:g}%", f"ES {100 * level:g}%"]
    rows = [header]
    for party, row in table.iterrows():
        cells = [str(party), _cell(row["EL"], row["EL_se"], scale),
                 _cell(row["SD"], row["SD_se"], scale)]
        for level in result.levels:
            key = f"{level:g}"
            var_se = (row[f"VaR_{key}_hi"] - row[f"VaR_{key}_lo"]) / (2 * 1.959963984540054)
            cells += [_cell(row[f"VaR_{key}"], var_se, scale),
                      _cell(row[f"ES_{key}"], row[f"ES_{key}_se"], scale)]
        rows.append(cells)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in
                       enumerate(zip(r, widths, strict=True))) for r in rows]
    meta = result.metadata
    title = (f"{meta.get('scenario', {}).get('name', '')}\n"
             f"{meta.get('n_sims', len(result.losses)):,} simulations, seed {meta.get('seed')}, "
             f"horizon {meta.get('horizon_years', 0):g} year(s); losses in "
             f"{result.currency} {unit}".rstrip() + " (Monte Carlo standard error)")
    return "\n".join([title, "", *lines])


def _unit(magnitude: float) -> tuple[float, str]:
    for scale, unit in _UNITS:
        if abs(magnitude) >= 10 * scale:
            return scale, unit
    return 1.0, ""


def _cell(value: float, se: float, scale: float) -> str:
    return f"{value / scale:,.2f} ({se / scale:,.2f})"
