"""Fee curves (issue 13.4): every point of a sweep priced on common random numbers, equal to a
single ``price`` run bit for bit; the fee ceiling flag and warning; a solvency target met
with no fee said in words."""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd
import pytest

import risksim
from risksim.analysis.price import PricingTerms
from risksim.analysis.sweep import at_point
from tests.builders import ROOT, scenario_mapping, segment

WANGCHENG = ROOT / "scenarios" / "wangcheng_patent_loan.yaml"
SHARE = "arrangement.layers.guarantor.share_of_loss"
PD_PATH = "portfolio.generate.segments.book.pd"
GUARANTEED = PricingTerms(base="guaranteed")


def certain_book(pd: float = 1.0, capital: float = 6.0e5, max_rate: float | None = 0.01,
                 fee_base: str = "guaranteed") -> dict[str, Any]:
    """Four one-year loans of 1 m with PD ``pd`` (0 or 1) and LGD 0.5; the guarantor takes
    40% of each loss and holds ``capital``; a borrower fee to it with ceiling ``max_rate``.

    With PD 1, per simulation: claims C = 4 × 0.4 × 0.5 × 1,000,000 = 800,000; the fee base
    on the guaranteed part B = 4 × 0.4 × 1,000,000 = 1,600,000 (an annual fee is paid at the
    start of the year, the year of default included), on the covered loans 4,000,000.
    """
    mapping = scenario_mapping([segment("book", 4, exposure=1.0e6, pd=pd, lgd=0.5)],
                               correlation=0.0,
                               layers=[{"party": "guarantor", "share_of_loss": 0.4,
                                        "capital": capital},
                                       {"party": "bank", "residual": True}])
    fee: dict[str, Any] = {"name": "g_fee", "payer": "borrower", "payee": "guarantor",
                           "annual_rate": 0.005, "base": fee_base}
    if max_rate is not None:
        fee["max_rate"] = max_rate
    mapping["arrangement"]["fees"] = [fee]
    return mapping


def priced_quietly(*args: Any, **kwargs: Any) -> Any:
    """``risksim.price`` with its warnings recorded: (result, messages)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = risksim.price(*args, **kwargs)
    return result, [str(w.message) for w in caught]


@pytest.mark.parametrize(("settings", "design", "options"), [
    ({SHARE: [0.3, 0.5]}, "grid", {"target": "solvency:0.01", "capital_amount": 2.0e7}),
    ({SHARE: [0.3, 0.5], "arrangement.layers.provincial_fund.share_of_loss": [0.1, 0.3]},
     "one_at_a_time", {"target": "return:0.12", "by": "exposure", "bands": [5.0e6]}),
])
def test_every_point_equals_a_single_price_run_bit_for_bit(settings: dict[str, list[float]],
                                                          design: Any,
                                                          options: dict[str, Any]) -> None:
    scenario = risksim.load_scenario(WANGCHENG)
    curve, _ = priced_quietly(scenario, "guarantor", sweep=settings, design=design,
                              n_sims=3_000, seed=4, **options)
    points = curve.table.groupby("point", sort=True)
    assert len(points) == (2 if design == "grid" else 5)  # one path: 2; base + 2 + 2
    for number, rows in points:
        values = {path: rows[path].iloc[0] for path in settings}
        single, _ = priced_quietly(at_point(scenario, values), "guarantor", n_sims=3_000,
                                   seed=4, **options)
        expected = single.table.reset_index()
        got = rows[expected.columns].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected, check_exact=True, check_dtype=False)
        book = rows[rows["tier"] == "all"].iloc[0]
        fee = single.target
        assert (book["target"], book["target_se"], book["target_lower"],
                book["target_upper"]) == (fee.value, fee.se, fee.lower, fee.upper), number


def test_points_share_their_simulations() -> None:
    # On common random numbers the guarantor's claims at share s are s/0.3 times those at
    # 0.3 in every simulation (a plain proportional share, no caps), so the break-even fee on
    # the covered loans scales exactly: f(s) = f(0.3)·s/0.3 (to rounding). Independent draws
    # would miss this by several standard errors.
    curve, _ = priced_quietly(WANGCHENG, "guarantor", sweep={SHARE: [0.3, 0.6]},
                              n_sims=2_000, seed=9)
    book = curve.book()
    assert book["break_even"].iloc[1] == pytest.approx(2 * book["break_even"].iloc[0],
                                                       rel=1e-12)


def test_a_required_fee_above_the_ceiling_is_flagged_and_warned_in_one_line() -> None:
    # PD 1: break-even on the guaranteed part = C/B = 800,000 / 1,600,000 = 50% a year; the
    # claims are certain, so ES capital = ES − EL = 0 and the risk-adjusted fee is 50% too;
    # both above max_rate 1%. PD 0: every fee 0, nothing flagged.
    pricing, messages = priced_quietly(certain_book(), "guarantor", terms=GUARANTEED,
                                       n_sims=500)
    row = pricing.table.loc["all"]
    assert (row["break_even"], row["risk_adjusted"]) == (0.5, 0.5)
    assert row["above_ceiling"] == "break-even, risk-adjusted"
    assert pricing.fee_ceiling == 0.01
    assert messages == ["the required fee of guarantor is above its fee ceiling, 1.0000% a "
                        "year (max_rate of fee 'g_fee'): break-even 50.0000% (tier all); "
                        "risk-adjusted 50.0000% (tier all)"]
    assert "fee ceiling: 1.0000% a year (max_rate of fee 'g_fee')" in pricing.report()
    curve, messages = priced_quietly(certain_book(), "guarantor", terms=GUARANTEED,
                                     n_sims=500, sweep={PD_PATH: [0.0, 1.0]})
    assert list(curve.table["above_ceiling"]) == ["", "break-even, risk-adjusted"]
    assert list(curve.table["fee_ceiling"]) == [0.01, 0.01]
    assert messages == ["the required fee of guarantor is above its fee ceiling (max_rate) "
                        "at 1 of 2 points (1; see the above_ceiling column)"]


def test_a_target_fee_above_the_ceiling_is_flagged() -> None:
    # PD 1, capital 600,000: capital is exhausted unless f·B ≥ C − capital, so the fee meeting
    # any solvency target is (800,000 − 600,000)/1,600,000 = 12.5% a year (on the guaranteed
    # part). Ceiling 30%: break-even and risk-adjusted (50%) above it, the target fee below;
    # ceiling 10%: all three above.
    loose, _ = priced_quietly(certain_book(max_rate=0.30), "guarantor", terms=GUARANTEED,
                              target="solvency:0.01", n_sims=500)
    assert loose.target.value == 0.125
    assert loose.table.loc["all", "above_ceiling"] == "break-even, risk-adjusted"
    tight, messages = priced_quietly(certain_book(max_rate=0.10), "guarantor",
                                     terms=GUARANTEED, target="solvency:0.01", n_sims=500)
    assert tight.table.loc["all", "above_ceiling"] == "break-even, risk-adjusted, target"
    assert messages[0].endswith("; target 12.5000%")
    assert ("fee meeting solvency:0.01: 12.5000% (se 0.0000%; 95% band 12.5000% to "
            "12.5000%), above the fee ceiling") in tight.report()


def test_a_ceiling_on_the_other_base_is_named_not_checked() -> None:
    # priced on the covered loans (break-even 800,000 / 4,000,000 = 20%), the fee's ceiling
    # is on the guaranteed part: the rates are not comparable, so it is said, not flagged
    pricing, messages = priced_quietly(certain_book(), "guarantor", n_sims=500)
    assert pricing.table.loc["all", "break_even"] == 0.2
    assert pricing.fee_ceiling is None and pricing.table.loc["all", "above_ceiling"] == ""
    assert messages == ["the fee ceiling of guarantor (max_rate 1.0000% of fee 'g_fee') is on "
                        "the guaranteed part; the fees priced on the covered loans are not "
                        "checked against it (price with base guaranteed to check them)"]
    same, messages = priced_quietly(certain_book(fee_base="loan"), "guarantor", n_sims=500)
    assert same.table.loc["all", "above_ceiling"] == "break-even, risk-adjusted"
    assert len(messages) == 1


def test_no_ceiling_no_flag() -> None:
    pricing, messages = priced_quietly(certain_book(max_rate=None), "guarantor",
                                       terms=GUARANTEED, n_sims=500)
    assert messages == [] and pricing.table.loc["all", "above_ceiling"] == ""
    assert "fee ceiling" not in pricing.report()


def test_a_solvency_target_met_with_no_fee_says_so() -> None:
    # PD 1 and capital 1,000,000 ≥ claims 800,000: capital is never exhausted, with no fee
    # (the required fee (800,000 − 1,000,000)/1,600,000 < 0 is floored at 0)
    pricing, _ = priced_quietly(certain_book(capital=1.0e6), "guarantor", terms=GUARANTEED,
                                target="solvency:0.01", n_sims=500)
    assert pricing.no_fee_needed and pricing.target.value == 0.0
    lines = pricing.report().splitlines()
    assert "fee meeting solvency:0.01: none needed, the target is already met with no fee" in (
        lines)
    short, _ = priced_quietly(certain_book(capital=6.0e5), "guarantor", terms=GUARANTEED,
                              target="solvency:0.01", n_sims=500)
    assert not short.no_fee_needed and short.target.value == 0.125
    curve, _ = priced_quietly(certain_book(capital=1.0e6), "guarantor", terms=GUARANTEED,
                              target="solvency:0.01", n_sims=500,
                              sweep={"arrangement.layers.guarantor.capital": [1.0e6, 6.0e5]})
    assert list(curve.table["no_fee_needed"]) == [True, False]
    assert list(curve.table["target"]) == [0.0, 0.125]
    report = curve.report()
    assert "none needed" in report and "12.500% (12.500% to 12.500%)" in report


def test_the_fee_curve_saves_and_loads(tmp_path: Any) -> None:
    curve, _ = priced_quietly(certain_book(), "guarantor", terms=GUARANTEED, n_sims=500,
                              target="solvency:0.01", sweep={PD_PATH: [0.0, 1.0]})
    [written] = curve.save(tmp_path / "curve.csv")
    loaded = risksim.FeeCurve.load(written)
    pd.testing.assert_frame_equal(loaded.table, curve.table, check_dtype=False)
    assert loaded.paths == [PD_PATH] and loaded.party == "guarantor"
    assert loaded.currency == "CNY"
    assert "none needed" in curve._repr_html_()


def test_bad_sweep_of_a_price_is_an_error() -> None:
    with pytest.raises(risksim.InputError, match="unknown key 'share'"):
        risksim.price(WANGCHENG, "guarantor", sweep={"arrangement.layers.guarantor.share": [1]})
    with pytest.raises(risksim.InputError, match="nothing to sweep"):
        risksim.price(WANGCHENG, "guarantor", sweep={})
