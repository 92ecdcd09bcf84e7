"""Every command on a real scenario, through click's CliRunner: exit codes, output, files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner, Result

import risksim
from risksim.cli.commands import main
from tests.builders import ROOT, timeline_mapping

SCENARIOS = ROOT / "scenarios"
WANGCHENG = str(SCENARIOS / "wangcheng_patent_loan.yaml")
BASELINE = str(SCENARIOS / "bank_alone_baseline.yaml")
CHAIN = str(SCENARIOS / "china_nfgf_2242.yaml")


def invoke(*args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result


def test_help_lists_every_command_and_each_has_help() -> None:
    text = invoke("--help").stdout
    commands = ("run", "validate", "schema", "price", "compare", "sweep", "contributions",
                "plot", "docs")
    for command in commands:
        assert f"  {command} " in text
        assert invoke(command, "-h").stdout.startswith(f"Usage: main {command}")


def test_run_prints_table_json_or_csv(tmp_path: Path) -> None:
    table = invoke("run", WANGCHENG, "--sims", "2000", "--seed", "5").stdout
    assert "2,000 simulations, seed 5" in table
    document = json.loads(invoke("run", WANGCHENG, "--sims", "2000", "--seed", "5",
                                 "--format", "json").stdout)
    assert (document["seed"], document["block_size"], document["n_sims"]) == (5, 2000, 2000)
    assert set(document["versions"]) >= {"risksim", "numpy", "scipy", "pandas", "python"}
    assert document["scenario"]["hash"] == risksim.load_scenario(WANGCHENG).hash()
    out = tmp_path / "run"
    result = invoke("run", WANGCHENG, "--sims", "2000", "--seed", "5", "--format", "csv",
                    "--out", str(out), "-q")
    frame = pd.read_csv(io.StringIO(result.stdout), index_col="party")
    assert list(frame.index) == ["gross", "bank", "guarantor", "provincial_fund"]
    assert frame.loc["bank", "EL"] == pytest.approx(document["summary"]["bank"]["EL"])
    assert result.stderr.startswith("wrote ")  # data alone on standard output
    saved = json.loads((out / "summary.json").read_text())
    assert {k: v for k, v in saved.items() if k != "files"} == document
    assert {"losses.csv", "losses.parquet", "summary.json"} <= {p.name for p in out.iterdir()}


def test_validate_and_schema(tmp_path: Path) -> None:
    assert invoke("validate", WANGCHENG).stdout.startswith(f"{WANGCHENG}: ok - ")
    invoke("schema", "-o", str(tmp_path / "s.json"))
    assert json.loads((tmp_path / "s.json").read_text())["title"] == "risksim scenario"


def test_compare_writes_tables_that_plot(tmp_path: Path) -> None:
    out = tmp_path / "compare"
    text = invoke("compare", BASELINE, CHAIN, "--sims", "2000", "--out", str(out)).stdout
    assert "common random numbers" in text
    parties = pd.read_csv(out / "parties.csv", index_col=["scheme", "party"])
    schemes = pd.read_csv(out / "schemes.csv", index_col="scheme")
    assert list(schemes["currency"]) == ["CNY", "CNY"]
    assert ("china_nfgf_2242", "nfgf") in parties.index
    document = json.loads(invoke("compare", BASELINE, CHAIN, "--sims", "2000",
                                 "--format", "json").stdout)
    assert {r["scheme"] for r in document["parties"]} == {"bank_alone_baseline",
                                                          "china_nfgf_2242"}
    assert json.loads((out / "comparison.json").read_text()) == document
    assert invoke("plot", str(out)).stdout == f"wrote {out / 'comparison.png'}\n"
    image = tmp_path / "rates.svg"
    invoke("plot", str(out), "--per-lending", "--measure", "ES_0.99", "-o", str(image))
    assert image.read_text().lstrip().startswith("<?xml")


def test_price_prints_csv_and_json(tmp_path: Path) -> None:
    args = ("price", WANGCHENG, "--party", "guarantor", "--sims", "2000")
    assert "break-even" in invoke(*args).stdout
    table = pd.read_csv(io.StringIO(invoke(*args, "--format", "csv").stdout), index_col=0)
    assert "all" in table.index and "break_even" in table.columns
    document = json.loads(invoke(*args, "--format", "json", "--target", "return:0.12").stdout)
    assert document["party"] == "guarantor" and document["target"]["fee"] > 0
    invoke(*args, "--out", str(tmp_path / "fees.csv"))
    assert pd.read_csv(tmp_path / "fees.csv", index_col=0).shape == table.shape


def test_sweep_csv_plots_a_tornado(tmp_path: Path) -> None:
    out = tmp_path / "sweep.csv"
    text = invoke("sweep", WANGCHENG, "--set",
                  "arrangement.layers.guarantor.share_of_loss=0.3:0.5:0.1", "--set",
                  "defaults.correlation=0.1,0.2", "--design", "one-at-a-time", "--party", "bank",
                  "--sims", "2000", "--out", str(out)).stdout
    assert "swing" in text
    frame = pd.read_csv(out)
    assert set(frame["currency"]) == {"CNY"}
    assert invoke("plot", str(out)).stdout == f"wrote {tmp_path / 'tornado.png'}\n"
    assert (tmp_path / "tornado.png").stat().st_size > 5_000
    csv = invoke("sweep", WANGCHENG, "--set", "defaults.correlation=0.1,0.2", "--sims", "2000",
                 "--format", "csv").stdout
    assert pd.read_csv(io.StringIO(csv)).shape[0] == 2 * 4 * 7  # points x parties x measures


def test_contributions_prints_csv() -> None:
    csv = invoke("contributions", WANGCHENG, "--sims", "2000", "--format", "csv").stdout
    frame = pd.read_csv(io.StringIO(csv))
    assert {"party", "ES"} <= set(frame.columns)


@pytest.mark.parametrize("kind", ["distribution", "exceedance", "tail-shares", "convergence"])
def test_plot_every_kind_of_a_saved_result(tmp_path: Path, kind: str) -> None:
    out = tmp_path / "run"
    invoke("run", WANGCHENG, "--sims", "2000", "--out", str(out), "-q")
    image = tmp_path / f"{kind}.png"
    extra = ["--party", "bank"] if kind != "tail-shares" else []
    assert invoke("plot", str(out), "--kind", kind, "-o", str(image),
                  *extra).stdout == f"wrote {image}\n"
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_every_kind_of_a_saved_importance_sampled_run(tmp_path: Path) -> None:
    # The saved weights come back with the result, so the plots are the weighted ones.
    out = tmp_path / "run"
    invoke("run", WANGCHENG, "--sims", "2000", "--tail-level", "0.99", "--out", str(out), "-q")
    assert (out / "weights.csv").is_file()
    for kind in ("distribution", "exceedance", "tail-shares", "convergence"):
        image = tmp_path / f"{kind}.png"
        assert invoke("plot", str(out), "--kind", kind, "-o",
                      str(image)).stdout == f"wrote {image}\n"
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_cash_and_npl_paths_of_a_saved_timeline(tmp_path: Path) -> None:
    scenario = tmp_path / "dated.yaml"
    scenario.write_text(yaml.safe_dump(timeline_mapping()))
    out = tmp_path / "run"
    invoke("run", str(scenario), "--sims", "200", "--timeline", "--out", str(out), "-q")
    for kind, extra in (("cash_paths", ["--party", "guarantor"]), ("npl-paths", [])):
        image = tmp_path / f"{kind}.png"
        assert invoke("plot", str(out), "--kind", kind, "-o", str(image),
                      *extra).stdout == f"wrote {image}\n"
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert invoke("plot", str(out), "--kind", "cash-paths").stdout == (
        f"wrote {out / 'cash-paths.png'}\n")
    for extra, message in (
            (["--kind", "npl-paths", "--party", "bank"], "--party: not used by --kind "
                                                         "npl-paths"),
            (["--kind", "cash-paths", "--party", "bank", "--party", "guarantor"],
             "--kind cash-paths shows one party, not 2")):
        result = invoke("plot", str(out), *extra, code=2)
        assert message in result.stderr and len(result.stderr.splitlines()) == 1
    plain = tmp_path / "plain"
    invoke("run", str(scenario), "--sims", "200", "--out", str(plain), "-q")
    result = invoke("plot", str(plain), "--kind", "npl-paths", code=2)
    assert result.stderr == ("error: this result has no timeline: simulate it with "
                             "timeline=True (risksim run SCENARIO --timeline --out DIR)\n")
    assert not list(plain.glob("*.png"))


def test_plot_refuses_what_it_cannot_draw(tmp_path: Path) -> None:
    out = tmp_path / "run"
    invoke("run", WANGCHENG, "--sims", "2000", "--out", str(out), "-q")
    cases = [
        (["--kind", "tornado"], "--kind tornado plots a sweep, and this is a result"),
        (["--kind", "convergence", "--level", "0.9"], "--level: not used by --kind "
                                                       "convergence"),
        (["--party", "bnak"], "unknown party 'bnak'"),
        (["-o", str(tmp_path / "x.jpg")], "expected a .png, .svg or .pdf file"),
    ]
    for extra, message in cases:
        result = invoke("plot", str(out), *extra, code=2)
        assert message in result.stderr and len(result.stderr.splitlines()) == 1
    assert not list(tmp_path.glob("*.png")) and not list(out.glob("*.png"))
    result = invoke("plot", str(tmp_path), code=2)
    assert "not something to plot" in result.stderr


def test_docs_check_reports_a_stale_folder(tmp_path: Path) -> None:
    (tmp_path / "cli.md").write_text("old\n")
    result = invoke("docs", "-o", str(tmp_path), "--check", code=1)
    assert f"stale: {tmp_path / 'cli.md'}" in result.stderr
    assert not (tmp_path / "tour.md").exists()  # --check writes nothing
