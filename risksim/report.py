"""Plain-text report of a result, for the terminal: losses, probabilities, fees."""

from __future__ import annotations

from statistics import NormalDist

import pandas as pd

from risksim.results import Result
from risksim.streaming_result import StreamingResult

_UNITS = ((1e9, "bn"), (1e6, "m"), (1e3, "k"), (1.0, ""))
_Z95 = NormalDist().inv_cdf(0.975)


def format_summary(result: Result | StreamingResult) -> str:
    """Loss measures per party (and per layer of a party with several), then indicator
    probabilities and fees when there are any.

    Every figure carries its Monte Carlo standard error in brackets. Amounts are shown in
    one unit chosen from the largest ES (e.g. ``CNY m``); VaR's standard error is the one
    implied by its 95% order-statistic confidence interval.
    """
    layers = result.layer_summary().rename(index=lambda name: f"{name} (layer)")
    table = pd.concat([result.summary(), layers]) if len(layers) else result.summary()
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
            var_se = (row[f"VaR_{key}_hi"] - row[f"VaR_{key}_lo"]) / (2 * _Z95)
            cells += [_cell(row[f"VaR_{key}"], var_se, scale),
                      _cell(row[f"ES_{key}"], row[f"ES_{key}_se"], scale)]
        rows.append(cells)
    meta = result.metadata
    money = f"{result.currency} {unit}".rstrip()
    lines = [f"{meta.get('scenario', {}).get('name', '')}",
             f"{_n_sims(result):,} simulations, seed {meta.get('seed')}, "
             f"{meta.get('horizon_years', 0):g}-year horizon; losses in {money} "
             "(Monte Carlo standard error)", "", *_aligned(rows)]
    return "\n".join(lines + _probabilities(result) + _fees(result, scale, money)
                     + _recoveries(result, scale, money))


def _probabilities(result: Result | StreamingResult) -> list[str]:
    table = result.probabilities()
    if table.empty:
        return []
    rows = [["indicator", "probability"]]
    rows += [[str(name), f"{row['probability']:.2%} ({row['se']:.2%})"]
             for name, row in table.iterrows()]
    tolerance = result.metadata.get("npl_tolerance") or {}
    notes = []
    if tolerance:
        ceiling = tolerance["overall_npl_ratio"] + tolerance["margin"]
        notes.append(f"npl.breach: some year's NPL ratio above {ceiling:.2%}"
                     + (f"; consequence: {tolerance['consequence']}"
                        if tolerance.get("consequence") else ""))
    return ["", *_aligned(rows), *notes]


def _fees(result: Result | StreamingResult, scale: float, money: str) -> list[str]:
    table = result.fee_summary()
    if table.empty:
        return []
    rows = [["fee", "payer -> payee", f"expected ({money})"]]
    rows += [[str(name), f"{row['payer']} -> {row['payee']}",
              _cell(row["expected"], row["se"], scale)] for name, row in table.iterrows()]
    return ["", *_aligned(rows)]


def _recoveries(result: Result | StreamingResult, scale: float, money: str) -> list[str]:
    table = result.recovery_summary()
    if table.empty:
        return []
    rows = [["party", f"compensation ({money})", f"recoveries ({money})",
             "compensation rate", "recovery rate", "loss rate"]]
    rows += [[str(name), f"{row['compensation'] / scale:,.2f}",
              f"{row['recoveries'] / scale:,.2f}", f"{row['compensation_rate']:.2%}",
              f"{row['recovery_rate']:.2%} ({row['rate_se']:.2%})",
              f"{row['loss_rate']:.2%}"] for name, row in table.iterrows()]
    return ["", *_aligned(rows)]


def _aligned(rows: list[list[str]]) -> list[str]:
    """Columns padded to a common width: the first left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.rjust(width) if i else cell.ljust(width)
                      for i, (cell, width) in enumerate(zip(row, widths, strict=True)))
            for row in rows]


def _unit(magnitude: float) -> tuple[float, str]:
    for scale, unit in _UNITS:
        if abs(magnitude) >= 10 * scale:
            return scale, unit
    return 1.0, ""


def _cell(value: float, se: float, scale: float) -> str:
    return f"{value / scale:,.2f} ({se / scale:,.2f})"


def _n_sims(result: Result | StreamingResult) -> int:
    if isinstance(result, StreamingResult):
        return result.n_sims
    return int(result.metadata.get("n_sims", len(result.losses)))
