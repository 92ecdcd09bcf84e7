"""The commands on real files: what they print and what they write."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import risksim
from risksim.cli.commands import main
from risksim.streams import BLOCK_SIZE, STREAM_VERSION
from tests.builders import B1_SCENARIO, ROOT


def invoke(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_help_lists_the_commands() -> None:
    text = invoke("--help")
    for command in ("run", "validate", "schema"):
        assert f"  {command} " in text


def test_run_without_argument_prints_the_default_scenarios_summary() -> None:
    text = invoke("run", "--sims", "2000")
    rows = {line.split()[0] for line in text.splitlines() if line.strip()}
    assert {"gross", "bank", "guarantor", "provincial_fund"} <= rows
    assert "2,000 simulations, seed 7" in text
    assert "CNY m" in text


def test_run_writes_a_result_that_reads_back_exactly(tmp_path: Path) -> None:
    out = tmp_path / "b1"
    text = invoke("run", str(B1_SCENARIO), "--sims", "4000", "--seed", "3", "--out", str(out))
    written = ", ".join(str(out / name) for name in ("losses.csv", "losses.parquet",
                                                    "summary.json"))
    assert text.splitlines()[-1] == f"wrote {written}"
    assert {p.name for p in out.iterdir()} == {"summary.json", "losses.csv", "losses.parquet"}
    loaded = risksim.load_result(out)
    again = risksim.simulate(B1_SCENARIO, n_sims=4000, seed=3)
    pd.testing.assert_frame_equal(loaded.losses, again.losses, check_exact=True)
    meta = loaded.metadata
    assert (meta["seed"], meta["n_sims"]) == (3, 4000)
    assert (meta["block_size"], meta["stream_version"]) == (BLOCK_SIZE, STREAM_VERSION)
    assert meta["scenario"]["hash"] == risksim.load_scenario(B1_SCENARIO).hash()
    summary = json.loads((out / "summary.json").read_text())["summary"]
    assert summary["bank"]["EL"] == pytest.approx(again.summary().loc["bank", "EL"], rel=1e-12)
    (out / "losses.parquet").unlink()  # the CSV alone must carry the exact values too
    pd.testing.assert_frame_equal(risksim.load_result(out).losses, again.losses,
                                  check_exact=True)


def test_same_seed_same_files_other_seed_other_losses(tmp_path: Path) -> None:
    for name, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        invoke("run", str(B1_SCENARIO), "--sims", "2100", "--seed", seed, "--out",
               str(tmp_path / name))
    files = {name: {p.name: p.read_bytes() for p in (tmp_path / name).iterdir()}
             for name in "abc"}
    assert set(files["a"]) == {"summary.json", "losses.csv", "losses.parquet"}
    assert files["a"] == files["b"]  # every file, bit for bit
    a, c = (risksim.load_result(tmp_path / name).losses for name in "ac")
    assert (a["gross"] != c["gross"]).mean() > 0.5


def test_process_backend_gives_the_serial_losses(tmp_path: Path) -> None:
    for name, extra in (("serial", []), ("process", ["--backend", "process", "--workers", "2"])):
        invoke("run", str(B1_SCENARIO), "--sims", "4500", "--out", str(tmp_path / name), *extra)
    serial = risksim.load_result(tmp_path / "serial").losses
    process = risksim.load_result(tmp_path / "process").losses
    pd.testing.assert_frame_equal(serial, process, check_exact=True)
    assert risksim.load_result(tmp_path / "process").metadata["backend"] == "process"


def test_indicators_are_saved_and_read_back(tmp_path: Path) -> None:
    out = tmp_path / "pool"
    scenario = ROOT / "tests" / "data" / "pool_with_budget.yaml"
    invoke("run", str(scenario), "--sims", "3000", "--out", str(out))
    loaded = risksim.load_result(out)
    assert list(loaded.indicators.columns) == ["pool.annual_budget_binds"]
    probabilities = json.loads((out / "summary.json").read_text())["probabilities"]
    p = loaded.indicators["pool.annual_budget_binds"].mean()
    assert probabilities["pool.annual_budget_binds"]["probability"] == pytest.approx(p)
    assert 0 < p < 1


def test_validate_accepts_every_shipped_scenario() -> None:
    files = sorted([*ROOT.glob("scenarios/*.yaml"), *ROOT.glob("benchmarks/*.yaml")])
    assert B1_SCENARIO in files and len(files) >= 10
    text = invoke("validate", *map(str, files))
    # each file's line, then its summary paragraphs (indented by two spaces)
    assert [line.split(": ok - ")[0] for line in text.splitlines()
            if not line.startswith("  ")] == list(map(str, files))
    assert text.count("  Book: ") == len(files) and text.count("  Arrangement, ") == len(files)


def test_schema_command_writes_the_committed_schema(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    assert invoke("schema", "-o", str(target)) == f"wrote {target}\n"
    committed = ROOT / "risksim" / "data" / "scenario.schema.json"
    assert target.read_text() == committed.read_text()
    assert json.loads(invoke("schema"))["title"] == "risksim scenario"


def test_run_timeline_prints_liquidity_and_writes_its_tables(tmp_path: Path) -> None:
    scenario = ROOT / "scenarios" / "china_nfgf_2242.yaml"
    out = tmp_path / "dated"
    text = invoke("run", str(scenario), "--sims", "300", "--timeline", "--out", str(out))
    assert "timeline (30/360 days; claims 90 days past due" in text
    rows = {line.split()[0] for line in text.splitlines() if line.strip()}
    assert {"original_guarantor", "provincial_reguarantor", "nfgf"} <= rows
    assert "lender's monthly NPL ratio" in text
    document = json.loads((out / "summary.json").read_text())
    assert set(document["timeline"]["summary"]) == {"bank", "original_guarantor",
                                                   "provincial_reguarantor", "nfgf"}
    assert "timeline_paths.csv" in document["files"]
    loaded = risksim.load_result(out)
    assert loaded.timeline is not None
    assert len(loaded.timeline.parties) == 300 * 4


def test_run_timeline_needs_whole_repayment_dates_in_a_period(tmp_path: Path) -> None:
    mapping_file = tmp_path / "five.yaml"
    mapping_file.write_text((ROOT / "tests" / "data" / "bad" / "good_reference.yaml")
                            .read_text().replace("periods_per_year: 1", "periods_per_year: 5"))
    result = CliRunner().invoke(main, ["run", str(mapping_file), "--sims", "10",
                                       "--timeline"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {mapping_file}: horizon.periods_per_year: the "
                                    "timeline needs whole repayment dates in each period")


def test_a_backstop_party_runs_end_to_end(tmp_path: Path) -> None:
    # A central budget that only takes what the guarantor's capital cuts (issue 13.6): run
    # prints and writes its losses; pricing a fee for it is refused in one line (it has no
    # guaranteed base of its own).
    import yaml

    from tests.rules.test_layers import backstop_mapping

    path = tmp_path / "backstop.yaml"
    path.write_text(yaml.safe_dump(backstop_mapping()))
    text = invoke("run", str(path), "--sims", "20", "--out", str(tmp_path / "out"))
    assert "central_budget" in text
    losses = risksim.load_result(tmp_path / "out").losses
    assert (losses["central_budget"] == 400.0).all()
    priced = CliRunner().invoke(main, ["price", str(path), "--party", "central_budget"])
    assert priced.exit_code == 2
    assert priced.output.strip().splitlines()[-1] == (
        "error: party: 'central_budget' takes on no share of any loan (it only pays what "
        "other layers' terms cut to it): no fee base to price")
