"""Bad input: one line naming file, line, field and what was expected; exit code 2; no
traceback; nothing written.

Each YAML file in tests/data/bad is the 16-line good_reference.yaml with one thing broken.
Its lines: 2 currency, 3 horizon, 5 generate, 8 the segment, 9 defaults, 10 the correlation,
11 arrangement, 12 parties, 13 layers, 14 the guarantor layer, 15 the bank layer,
16 simulation. A file that reads loans from a CSV has 13 lines (5 is ``portfolio.file``), and
in a CSV the header is line 1 and the first loan line 2. The expected lines below were worked
out from that layout, not copied from the program's output.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from risksim.cli.commands import main
from tests.builders import ROOT

BAD = ROOT / "tests" / "data" / "bad"

CASES = {
    # file: (where the error points: file:line, or the file alone for a binary file; then a
    # part of the message)
    # The flow mapping opened on line 14 lacks its "}": the parser finds that out at the "{"
    # on line 15, the first token that cannot continue it (a flow mapping may span lines).
    "syntax_error.yaml": ("syntax_error.yaml:15",
                          "YAML syntax error: expected ',' or '}', but got '{' (while parsing a "
                          "flow mapping at line 14)"),
    "syntax_error_colon.yaml": ("syntax_error_colon.yaml:2",
                                "YAML syntax error: mapping values are not allowed here"),
    "unknown_key_typo.yaml": ("unknown_key_typo.yaml:14",
                              "arrangement.layers[0].sahre_of_loss: unknown key "
                              "'sahre_of_loss'; did you mean 'share_of_loss'?"),
    "duplicate_key.yaml": ("duplicate_key.yaml:3",
                           "currency: duplicate key 'currency' (first at line 2)"),
    "pd_above_one.yaml": ("pd_above_one.yaml:8",
                          "portfolio.generate.segments[0].pd: 1.4 is above 1"),
    # 0.9 + 0.2: the second share layer (line 15) takes the total above 1.
    "shares_above_one.yaml": ("shares_above_one.yaml:15",
                              "arrangement.layers[1].share_of_loss: shares of loss add up to "
                              "1.1 with this layer"),
    "zero_simulations.yaml": ("zero_simulations.yaml:16", "simulation.n_sims: 0 is below 1"),
    "undeclared_party.yaml": ("undeclared_party.yaml:14",
                              "arrangement.layers[0].party: unknown party 'guarantr'; did you "
                              "mean 'guarantor'?"),
    "no_residual_layer.yaml": ("no_residual_layer.yaml:15",
                               "arrangement.layers[1]: exactly one layer, the last, must be "
                               "residual"),
    # `correlation: no` stays the string 'no' (no YAML 1.1 booleans), which is no number.
    "norway_string.yaml": ("norway_string.yaml:10",
                           "defaults.correlation: expected a valid number or 'basel_corporate'"),
    "correlation_above_one.yaml": ("correlation_above_one.yaml:10",
                                   "defaults.correlation: 1.5 is not below 1"),
    "t_copula_without_dof.yaml": ("t_copula_without_dof.yaml:10",
                                  "defaults.model: t_copula needs degrees_of_freedom"),
    # CreditRisk+: the segment has sector trade (line 8); defaults span lines 9-10.
    "creditrisk_plus_weights_not_one.yaml": ("creditrisk_plus_weights_not_one.yaml:10",
                                             "defaults.sectors.weights.trade: the weights add "
                                             "up to 0.9, not 1"),
    "creditrisk_plus_unknown_sector.yaml": ("creditrisk_plus_unknown_sector.yaml:10",
                                            "defaults.sectors.weights.trade.trdae: unknown "
                                            "sector 'trdae'; did you mean 'trade'?"),
    "creditrisk_plus_zero_variance.yaml": ("creditrisk_plus_zero_variance.yaml:9",
                                           "defaults.sectors.variances.trade: 0 is not above 0"),
    "creditrisk_plus_with_qmc.yaml": ("creditrisk_plus_with_qmc.yaml:16",
                                      "simulation.qmc_replicates: quasi-Monte Carlo and "
                                      "importance sampling are not supported for model: "
                                      "creditrisk_plus"),
    "stress_pd_above_one.yaml": ("stress_pd_above_one.yaml:11",
                                 "defaults.stress.pd_multiplier: PD 0.02 x 60 is above 1"),
    # A missing key is reported where the mapping lacking it starts: the top level, line 1.
    "missing_currency.yaml": ("missing_currency.yaml:1", "currency: missing required key"),
    "bad_currency.yaml": ("bad_currency.yaml:2",
                          "currency: 'yuan' is not an ISO 4217 currency code; did you mean "
                          "'CNY'?"),
    "basel_sme_without_sales.yaml": ("basel_sme_without_sales.yaml:10",
                                     "defaults.correlation: needs the portfolio column "
                                     "'annual_sales_eur_m'"),
    "tenor_mix_not_one.yaml": ("tenor_mix_not_one.yaml:8",
                               "segments[0].tenor_years: mix weights add up to 0.9, not 1"),
    "levels_not_increasing.yaml": ("levels_not_increasing.yaml:16",
                                   "simulation.levels: levels must be distinct and increasing"),
    "negative_exposure_segment.yaml": ("negative_exposure_segment.yaml:8",
                                       "segments[0].exposure: -1000000.0 is not above 0"),
    "negative_cap.yaml": ("negative_cap.yaml:14",
                          "arrangement.layers[0].per_loan_cap: -5 is not above 0"),
    "missing_portfolio_file.yaml": ("missing_portfolio_file.yaml:5",
                                    "portfolio.file: portfolio file not found"),
    "csv_negative_exposure.yaml": ("loans_negative_exposure.csv:3",
                                   "exposure: -5 is not an amount >= 0"),
    "csv_nan_value.yaml": ("loans_nan_value.csv:4", "pd: missing value"),
    "csv_nan_literal.yaml": ("loans_nan_literal.csv:3", "lgd: missing value"),
    "csv_missing_column.yaml": ("loans_missing_column.csv:1", "missing required column 'pd'"),
    "csv_unknown_column.yaml": ("loans_unknown_column.csv:1",
                                "unknown column 'pdd'; did you mean 'pd'?"),
    "csv_not_a_number.yaml": ("loans_not_a_number.csv:2", "pd: 'abc' is not a number"),
    "csv_infinite_exposure.yaml": ("loans_infinite_exposure.csv:2",
                                   "exposure: 'inf' is not a finite number"),
    "csv_duplicate_loan_id.yaml": ("loans_duplicate_loan_id.csv:4",
                                   "loan_id: duplicate loan_id 'L1'"),
    # Line 3 is blank: the bad PD of the third loan is on line 5.
    "csv_blank_line.yaml": ("loans_blank_line.csv:5", "pd: 1.2 is not a probability in [0, 1]"),
    "csv_ragged_row.yaml": ("loans_ragged_row.csv:3", "5 cells where the header has 4"),
    "parquet_corrupt.yaml": ("loans_corrupt.parquet", "cannot read Parquet"),
    # The timeline files add a `timeline:` section from line 17, one key a line.
    "timeline_unknown_party.yaml": ("timeline_unknown_party.yaml:20",
                                    "timeline.parties.guarantr: unknown party 'guarantr'; did "
                                    "you mean 'guarantor'?"),
    "timeline_negative_lag.yaml": ("timeline_negative_lag.yaml:19",
                                   "timeline.payment_lag_days: -5 is below 0"),
    # Two distributions for one lag: the error is the workout_lag mapping's (line 18).
    "timeline_two_workout_lags.yaml": ("timeline_two_workout_lags.yaml:18",
                                       "timeline.workout_lag: give exactly one of fixed, "
                                       "uniform or gamma (years)"),
    # One period a year has 360 days (30/360), numbered 0 to 359.
    "timeline_day_outside_period.yaml": ("timeline_day_outside_period.yaml:18",
                                         "timeline.default_dates.day_of_period: day 400 is "
                                         "not inside a period of 360 days"),
    "timeline_unknown_schedule.yaml": ("timeline_unknown_schedule.yaml:20",
                                       "timeline.parties.guarantor.settles: Input should be "
                                       "'immediately', 'monthly', 'quarterly' or 'yearly'"),
}


def test_every_bad_file_has_a_case_and_the_reference_is_good() -> None:
    assert sorted(p.name for p in BAD.glob("*.yaml")) == sorted([*CASES, "good_reference.yaml"])
    result = CliRunner().invoke(main, ["validate", str(BAD / "good_reference.yaml")])
    assert result.exit_code == 0, result.output


def check_one_line(stderr: str, name: str, folder: str = "") -> None:
    """One line on stderr: ``error: <folder><file>:<line>: ...`` with the expected message."""
    where, message = CASES[name]
    assert stderr.endswith("\n") and stderr.count("\n") == 1, stderr
    line = stderr.rstrip("\n")
    assert line.startswith(f"error: {folder}{where}:"), line
    assert message in line, line


@pytest.mark.parametrize("name", sorted(CASES))
def test_validate_and_run_stop_with_one_line_and_exit_code_2(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD)  # so the file is named on the command line as in CASES
    runner = CliRunner()
    checked = runner.invoke(main, ["validate", name])
    assert checked.exit_code == 2, checked.output
    check_one_line(checked.stderr, name)
    assert checked.stdout == ""
    out = tmp_path / "out"
    ran = runner.invoke(main, ["run", name, "--sims", "100", "--out", str(out)])
    assert ran.exit_code == 2, ran.output
    check_one_line(ran.stderr, name)
    assert ran.stdout == ""
    assert "Traceback" not in checked.output + ran.output
    assert list(tmp_path.iterdir()) == []  # --out not created, nothing half-written


@pytest.mark.parametrize("name", ["syntax_error_colon.yaml", "unknown_key_typo.yaml",
                                  "csv_blank_line.yaml", "missing_portfolio_file.yaml"])
def test_python_m_risksim_in_a_real_process(name: str, tmp_path: Path) -> None:
    # Run from the repository root with a relative path: CSV files are named by their path
    # relative to the working directory too.
    folder = "tests/data/bad/"
    for args in (["validate", folder + name],
                 ["run", folder + name, "--out", str(tmp_path / "out")]):
        done = subprocess.run([sys.executable, "-m", "risksim", *args], cwd=ROOT,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 2, done.stderr
        assert done.stdout == ""
        check_one_line(done.stderr, name, folder)
        assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_installed_command_prints_one_line(tmp_path: Path) -> None:
    command = Path(sys.executable).parent / "risksim"
    done = subprocess.run([str(command), "run", str(BAD / "csv_nan_value.yaml"), "--out",
                           str(tmp_path / "o")], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    check_one_line(done.stderr, "csv_nan_value.yaml", f"{BAD}/")
    assert not (tmp_path / "o").exists()


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    for args in (["run", "--sims", "0"], ["run", "--seed", "-1"], ["run", "--backend", "gpu"],
                 ["run", "--sims", "many"], ["validate"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
        assert result.stdout == ""


@pytest.mark.parametrize(("args", "message"), [
    (["run", "nope.yaml"], "error: nope.yaml: scenario file not found"),
    (["validate", "nope.yaml"], "error: nope.yaml: scenario file not found"),
    (["run", "--sims", "10", "--backend", "serial", "--workers", "2"],
     "error: workers: 2 workers need the process or dask backend, not serial"),
    (["run", "--sims", "10", "--backend", "process", "--address", "tcp://127.0.0.1:1"],
     "error: address: an address is a Dask scheduler's: use it with the dask backend, "
     "not process"),
    (["run", "--sims", "10", "--out", "blocker/out"],
     "error: blocker/out: cannot create a folder here: blocker is a file"),
    # usage errors too are one line
    (["run", "--tail-level", "1.5"], "error: Invalid value for '--tail-level': 1.5 is not "
                                     "in the range 0<x<1. (see 'main run --help')"),
    (["run", "--workers", "0"], "error: Invalid value for '--workers': 0 is not in the "
                                "range x>=1. (see 'main run --help')"),
    (["sweep", "x.yaml", "--zzz"], "error: No such option '--zzz'. (see 'main sweep --help')"),
    (["simulate"], "error: No such command 'simulate'. (see 'main --help')"),
])
def test_bad_arguments_stop_with_one_line(args: list[str], message: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "blocker").write_text("a file where a folder would go")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert result.stderr == message + "\n"
    assert result.stdout == ""  # stopped before simulating
    assert [p.name for p in tmp_path.iterdir()] == ["blocker"]


def test_validate_checks_every_file_and_fails_if_any_is_bad() -> None:
    good, bad = BAD / "good_reference.yaml", BAD / "pd_above_one.yaml"
    result = CliRunner().invoke(main, ["validate", str(bad), str(good), str(bad)])
    assert result.exit_code == 2
    assert result.stdout.count(": ok - ") == 1
    assert result.stderr.count("error: ") == 2


SEVERAL_ERRORS = """\
name: several errors
currency: RMB
horizon: {years: 1, periods_per_year: 1}
portfolio:
  generate:
    segments:
      - {name: a, count: 10, exposure: -1, pd: 1.5, lgd: 0.4}
defaults: {correlation: 0.2}
arrangement:
  parties: [bank, guarantor]
  layers:
    - {party: guarantor, share_of_loss: 1.4}
    - {party: bank, residual: true}
simulation: {n_sims: 100}
"""


def test_every_error_of_a_file_is_listed_on_its_own_line(tmp_path: Path) -> None:
    path = tmp_path / "several.yaml"
    path.write_text(SEVERAL_ERRORS)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    # in the order of the file: line 2 the currency, 5 `generate` (no seed), 7 the segment's
    # exposure and PD, 12 the guarantor's share
    assert result.stderr.splitlines() == [
        f"error: {path}:2: currency: 'RMB' is not an ISO 4217 currency code; did you mean "
        "'CNY'?",
        f"error: {path}:5: portfolio.generate.seed: missing required key",
        f"error: {path}:7: portfolio.generate.segments[0].exposure: -1 is not above 0",
        f"error: {path}:7: portfolio.generate.segments[0].pd: 1.5 is above 1 (rates and "
        "levels are fractions: 0.015 for 1.5%)",
        f"error: {path}:12: arrangement.layers[0].share_of_loss: 1.4 is above 1 (rates and "
        "levels are fractions: 0.014 for 1.4%)"]
    assert result.stdout == ""
