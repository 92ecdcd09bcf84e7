"""Plain-text reports for the terminal: a result (losses, probabilities, fees), fees priced,
schemes compared, sweeps."""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING

import pandas as pd

from risksim.results.result import Result
from risksim.results.streaming import StreamingResult

if TYPE_CHECKING:
    import pandas as pd

    from risksim.analysis.compare import Comparison
    from risksim.analysis.price import Pricing

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
    scale, unit = money_unit(float(table["ES_" + f"{result.levels[-1]:g}"].max()))
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


def format_timeline(result: Result) -> str:
    """The timeline's liquidity summary per party and its NPL tolerance test.

    Per party: the probability of a liquidity shortfall (a payment waited for cash) and
    of running out of cash (with the median day it happens), the mean and 5% quantile of
    its lowest cash, the mean days from default to its payments, and the expected present
    value of its flows.
    """
    timeline = result.timeline
    assert timeline is not None, "the result has no timeline"
    table = timeline.summary()
    scale, unit = money_unit(float(table[["min_cash_mean", "min_cash_q05"]].abs().max().max()))
    money = f"{result.currency} {unit}".rstrip()
    rows = [["party", "P(shortfall)", "P(cash runs out)", "on day", f"lowest cash ({money})",
             "lowest 5%", "days to pay", f"PV of flows ({money})"]]
    for party, row in table.iterrows():
        days, depleted = row["days_to_payment"], row["depleted_day_median"]
        rows.append([str(party), f"{row['shortfall_probability']:.2%} "
                     f"({row['shortfall_se']:.2%})",
                     f"{row['depleted_probability']:.2%}",
                     "-" if depleted != depleted else f"{depleted:,.0f}",
                     _money(row["min_cash_mean"], scale), _money(row["min_cash_q05"], scale),
                     "-" if days != days else f"{days:,.0f}",
                     _cell(row["present_value"], row["present_value_se"], scale)])
    meta = timeline.metadata
    lines = [f"timeline ({meta.get('day_count')} days; claims {meta.get('claim_after_days')} "
             f"days past due; discount rate {meta.get('discount_rate', 0):.2%}; "
             f"{meta.get('flows', 0):,} dated flows)", *_aligned(rows)]
    npl = timeline.npl_summary()
    line = (f"lender's monthly NPL ratio: highest {npl['max_ratio_mean']:.2%} on average "
            f"({npl['max_ratio_se']:.2%})")
    if npl["threshold"] is not None:
        line += (f"; above the tolerance {npl['threshold']:.2%} in some month with "
                 f"probability {npl['breach_probability']:.2%} ({npl['breach_se']:.2%})")
    return "\n".join([*lines, line])


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


def _money(value: float, scale: float) -> str:
    """``value`` in units of ``scale`` to two decimals, never as -0.00."""
    return f"{round(value / scale, 2) + 0.0:,.2f}"


def _aligned(rows: list[list[str]]) -> list[str]:
    """Columns padded to a common width: the first left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.rjust(width) if i else cell.ljust(width)
                      for i, (cell, width) in enumerate(zip(row, widths, strict=True)))
            for row in rows]


def money_unit(magnitude: float) -> tuple[float, str]:
    """(scale, unit name) to show amounts of about ``magnitude``: 1e6 and "m" for millions."""
    for scale, unit in _UNITS:
        if abs(magnitude) >= 10 * scale:
            return scale, unit
    return 1.0, ""


def _cell(value: float, se: float, scale: float) -> str:
    return f"{value / scale:,.2f} ({se / scale:,.2f})"


def format_pricing(pricing: Pricing) -> str:
    """Fees of each tier as annual rates in %, with their Monte Carlo standard errors."""
    meta = pricing.metadata
    terms = meta["terms"]
    money = meta["currency"]
    scale, unit = money_unit(float(pricing.table["expected_claims"].max()))
    rows = [["tier", "loans", f"claims ({money} {unit})".replace(" )", ")"), "break-even",
             f"capital ({terms['capital']})", "risk-adjusted"]]
    for tier, row in pricing.table.iterrows():
        rows.append([str(tier), f"{int(row['loans']):,}", f"{row['expected_claims'] / scale:,.2f}",
                     _rate(row["break_even"], row["break_even_se"]),
                     _cell(row["capital"], row["capital_se"], scale),
                     _rate(row["risk_adjusted"], row["risk_adjusted_se"])])
    lines = [f"{meta['scenario']}: fee of {pricing.party}, per year on the "
             f"{'guaranteed part' if terms['base'] == 'guaranteed' else 'covered loans'}",
             f"{meta['n_sims']:,} simulations, seed {meta['seed']}; capital "
             f"{terms['capital']} at {terms['level']:g}, cost of capital "
             f"{terms['cost_of_capital']:.2%}, admin {terms['admin_rate']:.2%}, discount "
             f"{terms['discount_rate']:.2%} (Monte Carlo standard error)", "", *_aligned(rows)]
    if pricing.target is not None:
        fee = pricing.target
        lines += ["", f"fee meeting {meta['target']}: {fee.value:.4%} (se {fee.se:.4%}; 95% "
                      f"band {fee.lower:.4%} to {fee.upper:.4%})"]
    return "\n".join(lines)


def format_comparison(comparison: Comparison) -> str:
    """Per scheme and party: EL and the ES at the top level with their paired differences;
    then the scheme metrics."""
    meta = comparison.metadata
    top = f"ES_{meta['levels'][-1]:g}"
    table = comparison.parties
    scale, unit = money_unit(float(table[top].abs().max()))
    rows = [["scheme", "party", "EL", "EL - base (se)", measure_label(top),
             f"{measure_label(top)} - base (se)", "subsidy rate"]]
    for key, row in zip(table.index, table.to_dict("records"), strict=True):
        scheme, party = key
        rows.append([str(scheme), str(party), f"{row['EL'] / scale:,.2f}",
                     _diff(row["EL_diff"], row["EL_diff_se"], scale),
                     f"{row[top] / scale:,.2f}", _diff(row[f"{top}_diff"],
                                                         row[f"{top}_diff_se"], scale),
                     "" if row["subsidy_rate"] != row["subsidy_rate"]
                     else _rate(row["subsidy_rate"], row["subsidy_rate_se"])])
    schemes = [["scheme", "same defaults as baseline", "fiscal cost / lending", "multiplier",
                "coverage", "bank capital relief"]]
    for scheme, line in comparison.schemes.iterrows():
        schemes.append([str(scheme), "yes" if line["paired"] else "no (unpaired errors)",
                        _rate(line["fiscal_cost_rate"], line["fiscal_cost_rate_se"]),
                        "-" if math.isinf(line["multiplier"])
                        else f"{line['multiplier']:,.1f}x ({line['multiplier_se']:,.1f})",
                        _rate(line["effective_coverage"], line["effective_coverage_se"]),
                        f"{line['capital_relief_rate']:.1%}"])
    return "\n".join([
        f"{meta['n_sims']:,} simulations, seed {meta['seed']}, common random numbers; "
        f"baseline {meta['baseline']}; amounts in {unit or 'units'} of each scheme's currency "
        "(paired Monte Carlo standard error)", "", *_aligned(rows), "", *_aligned(schemes)])


def format_sweep(frame: pd.DataFrame, party: str, measure: str) -> str:
    """One row per point: the swept values and ``measure`` of ``party`` with its error."""
    chosen = frame[(frame["party"] == party) & (frame["measure"] == measure)]
    paths = [c for c in frame.columns if c not in (
        "point", "varied", "party", "measure", "value", "se", "currency")]
    scale, unit = money_unit(float(chosen["value"].abs().max()))
    money = _money_label(frame, unit)
    rows = [["point", *paths, f"{party} {measure_label(measure)} ({money})"]]
    for _, row in chosen.iterrows():
        rows.append([str(row["point"]), *[f"{row[p]}" for p in paths],
                     _cell(row["value"], row["se"], scale)])
    return "\n".join(_aligned(rows))


def format_tornado(table: pd.DataFrame, frame: pd.DataFrame, party: str, measure: str) -> str:
    """The tornado data of :func:`risksim.analysis.sweep.tornado`, amounts in one unit."""
    scale, unit = money_unit(float(table[["at_low", "at_high"]].abs().to_numpy().max()))
    rows = [["path", "low", "high", "at low", "at high", "base", "swing"]]
    for path, row in table.iterrows():
        rows.append([str(path), f"{row['low']}", f"{row['high']}",
                     *[f"{row[c] / scale:,.2f}" for c in ("at_low", "at_high", "base", "swing")]])
    return "\n".join([f"tornado: {party} {measure_label(measure)} ({_money_label(frame, unit)}), "
                      "widest swing first", *_aligned(rows)])


def format_contributions(frame: pd.DataFrame, top: int, level: float, by: str,
                         currency: str) -> str:
    """Per party, its ``top`` units by ES contribution at ``level``: EL, ES (with its error),
    share of the party's ES and VaR, amounts in one unit of ``currency``."""
    scale, unit = money_unit(float(frame[["EL", "ES", "VaR"]].abs().to_numpy().max()))
    money = f"{currency} {unit}".strip()
    lines = [f"Euler contributions by {by} ({money}; ES with its standard error), largest ES "
             "first"]
    for party, group in frame.groupby("party", sort=False):
        shown = group.sort_values("ES", ascending=False).head(top)
        rows = [[str(party), "EL", measure_label(f"ES_{level:g}"), "share of ES",
                 measure_label(f"VaR_{level:g}")]]
        rows += [[str(row["unit"]), _money(row["EL"], scale),
                  _cell(row["ES"], row["ES_se"], scale), f"{row['ES_share']:.2%}",
                  _money(row["VaR"], scale)] for _, row in shown.iterrows()]
        if len(group) > top:
            rows.append([f"... {len(group) - top} more", "", "", "", ""])
        lines += ["", *_aligned(rows)]
    return "\n".join(lines)


def _money_label(frame: pd.DataFrame, unit: str) -> str:
    """``CNY m``: the frame's currency (when it has one) and ``unit``."""
    currencies = set(frame["currency"]) if "currency" in frame.columns else set()
    currency = currencies.pop() if len(currencies) == 1 else ""
    return f"{currency} {unit}".strip() or "units"


def measure_label(measure: str | None) -> str:
    """``ES_0.99`` → ``ES 99%``; ``EL`` as it is."""
    if not measure:
        return ""
    kind, _, level = measure.partition("_")
    try:
        return f"{kind} {100 * float(level):g}%" if level else kind
    except ValueError:
        return measure


def _rate(value: float, se: float) -> str:
    return f"{value:.3%} ({se:.3%})"


def _diff(value: float, se: float, scale: float) -> str:
    if value != value:  # NaN: the baseline has no such party
        return "-"
    return f"{value / scale:+,.2f} ({se / scale:,.2f})"


def _n_sims(result: Result | StreamingResult) -> int:
    if isinstance(result, StreamingResult):
        return result.n_sims
    return int(result.metadata.get("n_sims", len(result.losses)))
