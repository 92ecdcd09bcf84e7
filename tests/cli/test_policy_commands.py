"""price, compare, sweep and contributions from the command line: output, files, bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from risksim.cli.commands import main
from tests.builders import ROOT
from tests.cli.test_commands import invoke

SCENARIOS = ROOT / "scenarios"
WANGCHENG = str(SCENARIOS / "wangcheng_patent_loan.yaml")


def test_help_lists_the_policy_commands() -> None:
    text = invoke("--help")
    for command in ("price", "compare", "sweep", "contributions"):
        assert f"  {command} " in text


def test_price_prints_the_fees_and_writes_the_table(tmp_path: Path) -> None:
    out = tmp_path / "fees.csv"
    text = invoke("price", WANGCHENG, "--party", "guarantor", "--target", "return:0.12",
                  "--sims", "2000", "--seed", "3", "--out", str(out))
    assert "break-even" in text and "fee meeting return:0.12" in text
    assert "2,000 simulations, seed 3" in text
    table = pd.read_csv(out, index_col="tier")
    assert table.loc["all", "risk_adjusted"] > table.loc["all", "break_even"] > 0


def test_price_with_set_prints_the_fee_curve_and_writes_it(tmp_path: Path) -> None:
    out = tmp_path / "curve.csv"
    args = ["price", WANGCHENG, "--party", "guarantor", "--base", "guaranteed", "--set",
            "arrangement.layers.guarantor.share_of_loss=0.3:0.5:0.1", "--target",
            "solvency:0.01", "--capital-amount", "2e7", "--sims", "1000", "--seed", "3"]
    result = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "every point on the same simulated defaults" in result.stdout
    assert "fee meeting solvency:0.01" in result.stdout and "above fee ceiling" in result.stdout
    # Wangcheng's guarantee fee has max_rate 1%; the break-even fee on the guaranteed part
    # is about PD·LGD (3%·66%), above it at every point: one warning line on stderr
    assert result.stderr.splitlines() == [
        "warning: the required fee of guarantor is above its fee ceiling (max_rate) at 3 of "
        "3 points (0, 1, 2; see the above_ceiling column)"]
    table = pd.read_csv(out)
    assert list(table["arrangement.layers.guarantor.share_of_loss"]) == [0.3, 0.4, 0.5]
    for output_format in ("csv", "json"):
        data = CliRunner().invoke(main, [*args, "--format", output_format])
        assert data.exit_code == 0, data.output
        frame = (pd.read_csv(io.StringIO(data.stdout)) if output_format == "csv"
                 else pd.read_json(io.StringIO(data.stdout)))
        assert list(frame["target"]) == pytest.approx(list(table["target"]), rel=1e-8)


def test_price_warns_of_a_fee_above_the_ceiling_in_one_line() -> None:
    result = CliRunner().invoke(main, ["price", WANGCHENG, "--party", "guarantor", "--base",
                                       "guaranteed", "--sims", "1000"])
    assert result.exit_code == 0, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith("warning: the required fee of guarantor is above its fee ceiling, "
                           "1.0000% a year (max_rate of fee 'guarantee_fee'): break-even ")


def test_compare_prints_one_table_and_writes_two(tmp_path: Path) -> None:
    text = invoke("compare", str(SCENARIOS / "bank_alone_baseline.yaml"),
                  str(SCENARIOS / "china_nfgf_2242.yaml"), "--sims", "2000", "--out",
                  str(tmp_path))
    assert "baseline bank_alone_baseline" in text and "bank capital relief" in text
    parties = pd.read_csv(tmp_path / "parties.csv", index_col=["scheme", "party"])
    assert parties.loc[("china_nfgf_2242", "gross"), "EL_diff"] == 0.0
    assert (tmp_path / "schemes.csv").is_file()


def test_compare_answers_who_pays_in_a_1_in_n_year_in_every_format(tmp_path: Path) -> None:
    files = [str(SCENARIOS / "bank_alone_baseline.yaml"),
             str(SCENARIOS / "risk_pool_annual_cap_trigger.yaml")]
    args = ("compare", *files, "--sims", "2000", "--levels", "0.9,0.99")
    text = invoke(*args, "--out", str(tmp_path))
    assert "VaR 99% (1 in 100)" in text and "VaR 90% (1 in 10)" in text
    assert "VaR 99.9%" not in text
    frame = pd.read_csv(io.StringIO(invoke(*args, "--format", "csv")),
                        keep_default_na=False, na_values=[""])
    assert list(frame.columns) == ["scheme", "party", "figure", "value", "se", "diff",
                                   "diff_se"]
    pool_tail = frame[(frame["party"] == "pool") & (frame["figure"] == "VaR_0.99")]
    assert len(pool_tail) == 1 and pool_tail["se"].iloc[0] > 0
    scheme_figures = set(frame.loc[frame["party"].isna(), "figure"])
    assert {"fiscal_cost_rate", "fiscal_cost_rate_annual", "multiplier",
            "multiplier_annual", "effective_coverage", "capital_relief_rate"} <= scheme_figures
    document = json.loads(invoke(*args, "--format", "json"))
    assert document["metadata"]["levels"] == [0.9, 0.99]
    pool_scheme = document["schemes"][1]
    assert pool_scheme["scheme"] == "risk_pool_annual_cap_trigger"
    assert pool_scheme["multiplier_annual"] > 0 and pool_scheme["fiscal_cost_rate_annual"] > 0
    assert document["schemes"][0]["multiplier"] is None  # no public money at risk: no ratio
    saved = pd.read_csv(tmp_path / "schemes.csv", index_col="scheme")
    assert saved.loc["risk_pool_annual_cap_trigger", "multiplier_annual"] == pytest.approx(
        pool_scheme["multiplier_annual"], rel=1e-12)


def test_sweep_prints_points_and_a_tornado(tmp_path: Path) -> None:
    out = tmp_path / "sweep.csv"
    text = invoke("sweep", WANGCHENG, "--set",
                  "arrangement.layers.guarantor.share_of_loss=0.3:0.5:0.1", "--set",
                  "defaults.correlation=0.1,0.2", "--design", "one-at-a-time", "--party",
                  "bank", "--measure", "EL", "--sims", "1000", "--out", str(out))
    assert "bank EL" in text and "swing" in text
    assert pd.read_csv(out)["point"].nunique() == 6


def test_contributions_prints_the_largest_units() -> None:
    text = invoke("contributions", str(SCENARIOS / "japan_cgc_80.yaml"), "--by", "rating",
                  "--party", "cgc", "--top", "2", "--sims", "1000")
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("cgc "))
    assert lines[header].split()[1:] == ["EL", "ES", "99%", "share", "of", "ES", "VaR", "99%"]
    block = lines[header + 1:]
    rows = [line for line in block[:block.index("")] if line.strip()] if "" in block else block
    units = [line for line in rows if not line.startswith("...")]
    assert len(units) == 2  # --top 2
    es = [float(line.split()[2].replace(",", "")) for line in units]
    assert es == sorted(es, reverse=True)  # largest ES contribution first


@pytest.mark.parametrize(("args", "message"), [
    (["price", WANGCHENG, "--party", "guarantr"], "party: unknown party 'guarantr'"),
    (["price", WANGCHENG, "--party", "guarantor", "--target", "ruin:1"],
     "target: unknown target 'ruin'"),
    (["price", WANGCHENG, "--party", "guarantor", "--by", "exposure", "--bands", "1e5,x"],
     "--bands: '1e5,x': expected numbers"),
    (["compare", WANGCHENG, WANGCHENG, "--baseline", "other"], "baseline: unknown scheme"),
    (["compare", WANGCHENG, "missing.yaml"], "missing.yaml: scenario file not found"),
    (["compare", WANGCHENG, WANGCHENG, "--public", "guarantor,provincal_fund"],
     "error: public: unknown party 'provincal_fund'; did you mean 'provincial_fund'?"),
    (["compare", WANGCHENG, WANGCHENG, "--levels", "0.99,1"],
     "error: levels: [0.99, 1.0]: expected levels strictly between 0 and 1"),
    (["compare", WANGCHENG, WANGCHENG, "--levels", "0.99;0.9"],
     "error: Invalid value for '--levels': '0.99;0.9': expected levels such as 0.95,0.99"),
    (["sweep", WANGCHENG, "--set", "arrangement.layers.guarantor.shar=0.3"],
     "unknown key 'shar'; did you mean 'share_of_layer' or 'share_of_loss'?"),
    (["sweep", WANGCHENG, "--set", "arrangement.layers.guarantor.share_of_loss=0.3",
      "--party", "nobody"], "--party: unknown party 'nobody'"),
    (["contributions", WANGCHENG, "--by", "colour"], "by: unknown unit 'colour'"),
    (["price", WANGCHENG, "--party", "guarantor", "--set", "arrangement.layers.guarantor.x=1"],
     "arrangement.layers.guarantor.x: unknown key 'x'"),
    (["price", WANGCHENG, "--party", "guarantor", "--set", "share"],
     "--set: 'share': expected PATH=VALUES"),
    (["price", WANGCHENG, "--party", "guarantor", "--design", "one-at-a-time"],
     "--design: --design applies to a fee curve: give --set PATH=VALUES"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, [*args, "--sims", "200"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
