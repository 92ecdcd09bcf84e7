"""Reports of results: a run (losses, probabilities, fees), its timeline, fees priced,
schemes compared, sweeps, contributions.

Each report is built once as a list of blocks — lines of text and tables of cells already
formatted (amounts in one unit of the currency, each figure with its Monte Carlo standard
error in brackets) — and rendered either as text for the terminal (:func:`text`) or as HTML
for a notebook (:func:`html`), so a notebook shows what the terminal shows.
"""

from __future__ import annotations

import html as markup
import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import pandas as pd

from risksim.results.result import Result
from risksim.results.streaming import StreamingResult
from risksim.stats.influence import measure_names

if TYPE_CHECKING:
    import pandas as pd

    from risksim.results.comparison import Comparison
    from risksim.results.contributions import Contributions
    from risksim.results.fee_curve import FeeCurve
    from risksim.results.pricing import Pricing
    from risksim.results.sweep import Sweep
    from risksim.stats.measures import Estimate

_UNITS = ((1e9, "bn"), (1e6, "m"), (1e3, "k"), (1.0, ""))
_Z95 = NormalDist().inv_cdf(0.975)


@dataclass(frozen=True)
class Table:
    """Rows of formatted cells, the first row the header."""

    rows: list[list[str]]


Report = list[str | Table]
"""A report: lines of text and tables, in order."""


def text(report: Report) -> str:
    """``report`` for the terminal: tables with padded columns (the first left-aligned)."""
    lines: list[str] = []
    for block in report:
        lines += _aligned(block.rows) if isinstance(block, Table) else [block]
    return "\n".join(lines)


def report_of(result: Any) -> Report:
    """The report the command line prints for ``result``, whatever its kind (a sweep: its
    first party after ``gross`` and its last measure; contributions: the top 10 units)."""
    from risksim.results.comparison import Comparison
    from risksim.results.contributions import Contributions
    from risksim.results.fee_curve import FeeCurve
    from risksim.results.pricing import Pricing
    from risksim.results.sweep import Sweep
    from risksim.results.timeline import TimelineResult

    if isinstance(result, Result) and result.timeline is not None:
        return [*summary_report(result), "", *timeline_report(result)]
    if isinstance(result, Result | StreamingResult):
        return summary_report(result)
    if isinstance(result, Comparison):
        return comparison_report(result)
    if isinstance(result, Pricing):
        return pricing_report(result)
    if isinstance(result, FeeCurve):
        return fee_curve_report(result)
    if isinstance(result, Contributions):
        return contributions_report(result)
    if isinstance(result, Sweep):
        parties = [p for p in result.parties if p != "gross"] or result.parties
        return sweep_report(result, parties[0], result.measures[-1])
    if isinstance(result, TimelineResult):
        return [Table([["party", *map(str, result.summary().columns)], *[
            [str(party), *(f"{value:,.4g}" for value in row)]
            for party, row in result.summary().iterrows()]])]
    raise TypeError(f"no report of a {type(result).__name__}")


def html(report: Report) -> str:
    """``report`` as an HTML fragment: each line a paragraph, each table a ``<table>``
    (numbers right-aligned), every text escaped."""
    parts = ['<div class="risksim-report">']
    for block in report:
        if isinstance(block, Table):
            head, *body = block.rows
            parts.append("<table><thead><tr>" + "".join(
                f"<th>{markup.escape(cell)}</th>" for cell in head) + "</tr></thead><tbody>")
            parts += ["<tr>" + "".join(
                f'<td style="text-align:{"left" if i == 0 else "right"}">'
                f"{markup.escape(cell)}</td>" for i, cell in enumerate(row)) + "</tr>"
                for row in body]
            parts.append("</tbody></table>")
        elif block:
            parts.append(f"<p>{markup.escape(block)}</p>")
    return "\n".join([*parts, "</div>"])


def summary_report(result: Result | StreamingResult) -> Report:
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
    lines: Report = [f"{meta.get('scenario', {}).get('name', '')}",
             f"{_n_sims(result):,} simulations, seed {meta.get('seed')}, "
             f"{meta.get('horizon_years', 0):g}-year horizon; losses in {money} "
             "(Monte Carlo standard error)", "", Table(rows)]
    return [*lines, *_probabilities(result), *_fees(result, scale, money),
            *_recoveries(result, scale, money), *_capital(result, scale, money),
            *_guarantors(result)]


def timeline_report(result: Result) -> Report:
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
    lines: Report = [
        f"timeline ({meta.get('day_count')} days; claims {meta.get('claim_after_days')} "
        f"days past due; discount rate {meta.get('discount_rate', 0):.2%}; "
        f"{meta.get('flows', 0):,} dated flows)", Table(rows)]
    npl = timeline.npl_summary()
    described = []
    for prefix, name in (("", "net of compensation received"), ("gross_", "gross")):
        line = (f"lender's monthly NPL ratio, {name}: highest "
                f"{npl[prefix + 'max_ratio_mean']:.2%} on average "
                f"({npl[prefix + 'max_ratio_se']:.2%})")
        if npl["threshold"] is not None:
            line += (f"; above the tolerance {npl['threshold']:.2%} in some month with "
                     f"probability {npl[prefix + 'breach_probability']:.2%} "
                     f"({npl[prefix + 'breach_se']:.2%})")
        described.append(line)
    return [*lines, *described]


def _probabilities(result: Result | StreamingResult) -> Report:
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
        ratio = ("net NPL ratio (after compensation)" if tolerance.get("basis") == "net"
                 else "gross NPL ratio")
        notes.append(f"npl.breach: some year's {ratio} above {ceiling:.2%}"
                     + (f"; consequence: {tolerance['consequence']}"
                        if tolerance.get("consequence") else ""))
    return ["", Table(rows), *notes]


def _fees(result: Result | StreamingResult, scale: float, money: str) -> Report:
    table = result.fee_summary()
    if table.empty:
        return []
    rows = [["fee", "payer -> payee", f"expected ({money})"]]
    rows += [[str(name), f"{row['payer']} -> {row['payee']}",
              _cell(row["expected"], row["se"], scale)] for name, row in table.iterrows()]
    return ["", Table(rows)]


def _recoveries(result: Result | StreamingResult, scale: float, money: str) -> Report:
    table = result.recovery_summary()
    if table.empty:
        return []
    rows = [["party", f"compensation ({money})", f"recoveries ({money})",
             f"released ({money})", "compensation rate", "recovery rate", "loss rate"]]
    rows += [[str(name), f"{row['compensation'] / scale:,.2f}",
              f"{row['recoveries'] / scale:,.2f}", f"{row['released'] / scale:,.2f}",
              f"{row['compensation_rate']:.2%} ({row['compensation_rate_se']:.2%})",
              f"{row['recovery_rate']:.2%} ({row['rate_se']:.2%})",
              f"{row['loss_rate']:.2%}"] for name, row in table.iterrows()]
    return ["", Table(rows)]


def _capital(result: Result | StreamingResult, scale: float, money: str) -> Report:
    """The lender's capital relief: from the simulated tail (economic capital = VaR or ES
    − EL, alone and under the scheme, paired errors), then the Basel substitution figure."""
    basel = result.metadata.get("basel_capital")
    if not basel:
        return []
    lender = result.metadata.get("lender")
    lines: Report = [""]
    tail = result.capital_relief() if isinstance(result, Result) else pd.DataFrame()
    if len(tail):
        rows = [["capital (M - EL)", f"{lender} alone ({money})",
                 f"under the scheme ({money})", f"relief ({money})", "relief rate"]]
        rows += [[measure_label(str(measure)), _cell(row["alone"], row["alone_se"], scale),
                  _cell(row["with_scheme"], row["with_scheme_se"], scale),
                  _cell(row["relief"], row["relief_se"], scale),
                  "-" if row["relief_rate"] != row["relief_rate"]
                  else f"{row['relief_rate']:.1%} ({row['relief_rate_se']:.1%})"]
                 for measure, row in tail.iterrows()]
        lines += [f"{lender}'s economic capital from the simulated tail, alone (bearing the "
                  "gross loss) and under the scheme (paired standard error)", Table(rows)]
    else:
        lines.append(f"{lender}'s capital from the simulated tail: needs the per-simulation "
                     "losses of a plain Monte Carlo run")
    lines.append(f"Basel IRB substitution (guarantors at risk weight "
                 f"{basel['guarantor_risk_weight']:.0%}; ignores caps, budgets and triggers): "
                 f"capital {_money(basel['without'], scale)} alone, "
                 f"{_money(basel['with_scheme'], scale)} under the scheme ({money}), relief "
                 f"{basel['relief_rate']:.1%}")
    return lines


def _guarantors(result: Result | StreamingResult) -> Report:
    """Per layer with capital: capital consumed (mean and at each level) and P(insolvency);
    with a leverage limit, P(breach) and the leverage over the horizon and at each year end
    (median / at the highest level)."""
    if not isinstance(result, Result):
        return []
    table = result.guarantor_summary()
    if table.empty:
        return []
    scale, unit = money_unit(float(table["capital"].max()))
    money = f"{result.currency} {unit}".rstrip()
    levels = [f"{level:g}" for level in result.levels]
    rows = [["capital", f"capital ({money})", "used: mean",
             *(f"used {100 * float(level):g}%" for level in levels), "P(insolvent)"]]
    for layer, row in table.iterrows():
        rows.append([str(layer), _money(row["capital"], scale),
                     _cell(row["capital_used"], row["capital_used_se"], scale),
                     *(_cell(row[f"capital_used_{level}"],
                             (row[f"capital_used_{level}_hi"] - row[f"capital_used_{level}_lo"])
                             / (2 * _Z95), scale) for level in levels),
                     _rate(row["p_insolvent"], row["p_insolvent_se"])])
    report: Report = ["", Table(rows)]
    limited = table[table["leverage_limit"].notna()]
    if limited.empty:
        return report
    years = sorted({int(c.split("_")[2]) for c in limited.columns
                    if c.startswith("leverage_year_")})
    top = levels[-1]
    rows = [["leverage", "limit", "P(breach)", f"max (median / {100 * float(top):g}%)",
             *(f"end of year {year}" for year in years)]]
    for layer, row in limited.iterrows():
        rows.append([str(layer), f"{row['leverage_limit']:g}x",
                     _rate(row["p_leverage_breach"], row["p_leverage_breach_se"]),
                     _leverage(row, "max_leverage", top),
                     *(_leverage(row, f"leverage_year_{year}", top) for year in years)])
    return [*report, "", Table(rows), "leverage: liability of outstanding guarantees ÷ net "
            "assets (capital less capital consumed); inf once the capital is gone"]


def _leverage(row: pd.Series, name: str, level: str) -> str:
    """``median / quantile`` of a leverage, e.g. ``2.39x / 3.10x``."""
    return " / ".join(f"{value:,.2f}x" if math.isfinite(value) else "inf"
                      for value in (row[f"{name}_median"], row[f"{name}_{level}"]))


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


def pricing_report(pricing: Pricing) -> Report:
    """Fees of each tier as annual rates in %, with their Monte Carlo standard errors; the
    fee ceiling and the fees above it; the fee meeting the target, or that none is needed."""
    meta = pricing.metadata
    terms = meta["terms"]
    money = meta["currency"]
    ceiling = meta.get("fee_ceiling")
    scale, unit = money_unit(float(pricing.table["expected_claims"].max()))
    rows = [["tier", "loans", f"claims ({money} {unit})".replace(" )", ")"), "break-even",
             f"capital ({terms['capital']})", "risk-adjusted",
             *(["above fee ceiling"] if ceiling else [])]]
    for tier, row in pricing.table.iterrows():
        rows.append([str(tier), f"{int(row['loans']):,}", f"{row['expected_claims'] / scale:,.2f}",
                     _rate(row["break_even"], row["break_even_se"]),
                     _cell(row["capital"], row["capital_se"], scale),
                     _rate(row["risk_adjusted"], row["risk_adjusted_se"]),
                     *([row["above_ceiling"] or "-"] if ceiling else [])])
    lines: Report = [*_pricing_heading(meta, pricing.party), "", Table(rows)]
    if ceiling:
        lines += ["", f"fee ceiling: {ceiling['rate']:.4%} a year (max_rate of fee "
                      f"'{ceiling['fee']}')"]
    if pricing.target is not None:
        above = "target" in str(pricing.table.loc["all", "above_ceiling"])
        lines += ["", f"fee meeting {meta['target']}: "
                      + _target_text(pricing.target, pricing.no_fee_needed)
                      + (", above the fee ceiling" if above else "")]
    return lines


def _pricing_heading(meta: dict[str, Any], party: str, common: str = "") -> list[str]:
    """What was priced and on which terms (a pricing's or a fee curve's metadata), two
    lines; ``common`` is added to the second."""
    terms = meta["terms"]
    return [f"{meta['scenario']}: fee of {party}, per year on the "
            f"{'guaranteed part' if terms['base'] == 'guaranteed' else 'covered loans'}",
            f"{meta['n_sims']:,} simulations, seed {meta['seed']}{common}; capital "
            f"{terms['capital']} at {terms['level']:g}, cost of capital "
            f"{terms['cost_of_capital']:.2%}, admin {terms['admin_rate']:.2%}, discount "
            f"{terms['discount_rate']:.2%} (Monte Carlo standard error)"]


def _target_text(fee: Estimate, no_fee_needed: bool) -> str:
    """A target fee with its band, or that the target is met with no fee."""
    if no_fee_needed:
        band = f" (95% band up to {fee.upper:.4%})" if fee.upper > 0 else ""
        return f"none needed, the target is already met with no fee{band}"
    return f"{fee.value:.4%} (se {fee.se:.4%}; 95% band {fee.lower:.4%} to {fee.upper:.4%})"


def fee_curve_report(curve: FeeCurve) -> Report:
    """One row per point (and tier, when priced by tier): the swept values, the break-even,
    risk-adjusted and target fees with their errors, and the fees above the fee ceiling."""
    meta, frame, paths = curve.metadata, curve.table, curve.paths
    tiers = frame["tier"].nunique() > 1
    has_target = meta.get("target") is not None
    has_ceiling = bool(frame["fee_ceiling"].notna().any())
    rows = [["point", *paths, *(["tier"] if tiers else []), "break-even", "risk-adjusted",
             *([f"fee meeting {meta['target']}"] if has_target else []),
             *(["above fee ceiling"] if has_ceiling else [])]]
    for _, row in frame.iterrows():
        target = []
        if has_target:
            target = ["" if row["tier"] != "all" else "none needed" if row["no_fee_needed"]
                      else f"{row['target']:.3%} ({row['target_lower']:.3%} to "
                           f"{row['target_upper']:.3%})"]
        rows.append([str(row["point"]), *[f"{row[p]}" for p in paths],
                     *([str(row["tier"])] if tiers else []),
                     _rate(row["break_even"], row["break_even_se"]),
                     _rate(row["risk_adjusted"], row["risk_adjusted_se"]), *target,
                     *([row["above_ceiling"] or "-"] if has_ceiling else [])])
    lines: Report = [*_pricing_heading(meta, curve.party, ", every point on the same "
                                       "simulated defaults"), "", Table(rows)]
    if has_ceiling:
        rates = sorted(set(frame["fee_ceiling"].dropna()))
        lines += ["", "fee ceiling: " + ", ".join(f"{rate:.4%}" for rate in rates)
                  + " a year (max_rate)"]
    return lines


def comparison_report(comparison: Comparison) -> Report:
    """Who pays in a 1-in-N year: each party's EL, VaR and ES at every level with its error;
    the same as differences to the baseline with paired errors; then the scheme figures
    (public cost and lending multiplier over the horizon and per year, coverage, relief)."""
    meta = comparison.metadata
    measures = measure_names(meta["levels"])
    table = comparison.parties
    scale, unit = money_unit(float(table[measures].abs().to_numpy().max()))
    header = ["scheme", "party", *(_year_label(m) for m in measures)]
    absolute, differences = [header], [[*header, "subsidy rate"]]
    for (scheme, party), row in zip(table.index, table.to_dict("records"), strict=True):
        absolute.append([str(scheme), str(party),
                         *(_cell(row[m], row[f"{m}_se"], scale) for m in measures)])
        differences.append([str(scheme), str(party),
                            *(_diff(row[f"{m}_diff"], row[f"{m}_diff_se"], scale)
                              for m in measures),
                            "" if row["subsidy_rate"] != row["subsidy_rate"]
                            else _rate(row["subsidy_rate"], row["subsidy_rate_se"])])
    money = _money_label(comparison.schemes, unit)
    if money == (unit or "units"):
        money = f"{unit or 'units'} of each scheme's currency"
    return [
        f"{meta['n_sims']:,} simulations, seed {meta['seed']}, common random numbers; "
        f"baseline {meta['baseline']}", "",
        f"Who pays: each party's loss over the horizon, in {money} (Monte Carlo standard "
        "error); VaR a is the loss of a 1-in-N year, N = 1/(1 - a), ES a the mean of the "
        "years worse than that", Table(absolute), "",
        f"Difference to {meta['baseline']}, in {money} (paired standard error)",
        Table(differences), "", *_scheme_figures(comparison), *_npl_and_tail_relief(comparison)]


def _year_label(measure: str) -> str:
    """``VaR_0.99`` → ``VaR 99% (1 in 100)``; ``ES`` and ``EL`` by :func:`measure_label`."""
    label = measure_label(measure)
    if measure.startswith("VaR_"):
        label += f" (1 in {1 / (1 - float(measure[4:])):,.0f})"
    return label


def _scheme_figures(comparison: Comparison) -> Report:
    """Per scheme: lending, public cost and multiplier over the horizon and annualised,
    effective coverage and the Basel capital relief."""
    rows = [["scheme", "same defaults", "years", "public cost / lending",
             "per year", "multiplier", "per year", "coverage",
             "bank capital relief (Basel)"]]
    for scheme, line in comparison.schemes.iterrows():
        rows.append([str(scheme), "yes" if line["paired"] else "no (unpaired errors)",
                     f"{line['horizon_years']:g}",
                     _rate(line["fiscal_cost_rate"], line["fiscal_cost_rate_se"]),
                     _rate(line["fiscal_cost_rate_annual"], line["fiscal_cost_rate_annual_se"]),
                     _times(line["multiplier"], line["multiplier_se"]),
                     _times(line["multiplier_annual"], line["multiplier_annual_se"]),
                     _rate(line["effective_coverage"], line["effective_coverage_se"]),
                     f"{line['capital_relief_rate']:.1%}"])
    top = comparison.metadata["levels"][-1]
    return ["Schemes: public cost G = the public parties' losses less their fees, per unit "
            "of lending over the horizon and per unit-year of lending outstanding; lending "
            f"multiplier = lending / ES {100 * top:g}% of G (per year: lending outstanding on "
            "an average year); Basel capital relief by substitution (ignores caps, budgets "
            "and triggers)", Table(rows)]


def _times(value: float, se: float) -> str:
    return "-" if math.isinf(value) else f"{value:,.1f}x ({se:,.1f})"


def _npl_and_tail_relief(comparison: Comparison) -> Report:
    """Per scheme: NPL-tolerance breach probabilities (net, gross) with their paired
    differences to the baseline, and the lender's capital relief from the simulated tail."""
    top = f"{comparison.metadata['levels'][-1]:g}"
    rows = [["scheme", "P(NPL breach, net)", "net - base (se)", "P(NPL breach, gross)",
             "gross - base (se)", f"tail relief rate ES {100 * float(top):g}%"]]
    for scheme, line in comparison.schemes.iterrows():
        cells = [str(scheme)]
        for basis in ("net", "gross"):
            key = f"npl_{basis}_breach"
            cells += (["-", "-"] if line[key] != line[key] else
                      [f"{line[key]:.2%} ({line[key + '_se']:.2%})",
                       f"{line[key + '_diff']:+.2%} ({line[key + '_diff_se']:.2%})"
                       if line[key + "_diff"] == line[key + "_diff"] else "-"])
        rate = line[f"tail_relief_rate_ES_{top}"]
        cells.append("-" if rate != rate
                     else f"{rate:.1%} ({line[f'tail_relief_rate_ES_{top}_se']:.1%})")
        rows.append(cells)
    return ["", "NPL tolerance: the probability that some year's NPL ratio is above the "
            "tolerance, net and gross of compensation, with paired differences to the "
            "baseline; the lender's capital relief from the simulated tail (ES - EL of the "
            "gross loss against the lender's under the scheme)", Table(rows)]


def sweep_report(sweep: Sweep, party: str, measure: str) -> Report:
    """One row per point: the swept values and ``measure`` of ``party`` with its error."""
    frame, paths = sweep.table, sweep.paths
    chosen = frame[(frame["party"] == party) & (frame["measure"] == measure)]
    scale, unit = money_unit(float(chosen["value"].abs().max()))
    money = _money_label(frame, unit)
    rows = [["point", *paths, f"{party} {measure_label(measure)} ({money})"]]
    for _, row in chosen.iterrows():
        rows.append([str(row["point"]), *[f"{row[p]}" for p in paths],
                     _cell(row["value"], row["se"], scale)])
    return [Table(rows)]


def tornado_report(table: pd.DataFrame, sweep: Sweep, party: str, measure: str) -> Report:
    """The tornado data of :meth:`~risksim.results.sweep.Sweep.tornado`, amounts in one
    unit."""
    frame = sweep.table
    scale, unit = money_unit(float(table[["at_low", "at_high"]].abs().to_numpy().max()))
    rows = [["path", "low", "high", "at low", "at high", "base", "swing"]]
    for path, row in table.iterrows():
        rows.append([str(path), f"{row['low']}", f"{row['high']}",
                     *[f"{row[c] / scale:,.2f}" for c in ("at_low", "at_high", "base", "swing")]])
    return [f"tornado: {party} {measure_label(measure)} ({_money_label(frame, unit)}), "
            "widest swing first", Table(rows)]


def contributions_report(contributions: Contributions, top: int = 10) -> Report:
    """Per party, its ``top`` units by ES contribution: EL, ES (with its error), share of the
    party's ES and VaR, amounts in one unit of the currency."""
    frame, level, by = contributions.table, contributions.level, contributions.by
    currency = contributions.currency
    scale, unit = money_unit(float(frame[["EL", "ES", "VaR"]].abs().to_numpy().max()))
    money = f"{currency} {unit}".strip()
    lines: Report = [f"Euler contributions by {by} ({money}; ES with its standard error), "
                     "largest ES first"]
    for party, group in frame.groupby("party", sort=False):
        shown = group.sort_values("ES", ascending=False).head(top)
        rows = [[str(party), "EL", measure_label(f"ES_{level:g}"), "share of ES",
                 measure_label(f"VaR_{level:g}")]]
        rows += [[str(row["unit"]), _money(row["EL"], scale),
                  _cell(row["ES"], row["ES_se"], scale), f"{row['ES_share']:.2%}",
                  _money(row["VaR"], scale)] for _, row in shown.iterrows()]
        if len(group) > top:
            rows.append([f"... {len(group) - top} more", "", "", "", ""])
        lines += ["", Table(rows)]
    return lines


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
