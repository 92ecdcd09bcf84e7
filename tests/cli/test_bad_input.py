"""Bad input: one line naming file, line, field and what was expected; exit code 2; no
traceback; nothing written.

Each file in tests/data/bad is the 16-line good_reference.yaml with one thing broken. Its
lines: 2 currency, 8 the segment, 10 the correlation, 11 arrangement, 12 parties, 14 the
guarantor layer, 15 the bank layer, 16 simulation. The expected line below was worked out
from that layout (and, for CSV files, header = line 1, first loan = line 2).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from risksim.cli import main
from tests.builders import ROOT

BAD = ROOT / "tests" / "data" / "bad"

CASES = {
    # file: (where the error points, file:line or file, then a part of the message)
    "syntax_error.yaml": ("syntax_error.yaml:15", "YAML syntax error"),
    "unknown_key_typo.yaml": ("unknown_key_typo.yaml:14",
                              "arrangement.layers[0].sahre_of_loss: unknown key "
                              "'sahre_of_loss'; did you mean 'share_of_loss'?"),
    "duplicate_key.yaml": ("duplicate_key.yaml:3", "duplicate key 'currency' (first at line 2)"),
    "pd_above_one.yaml": ("pd_above_one.yaml:8",
                          "portfolio.generate.segments[0].pd: 1.4 is above 1"),
    "shares_above_one.yaml": ("shares_above_one.yaml:13", "shares of loss add up to 1.1"),
    "zero_simulations.yaml": ("zero_simulations.yaml:16", "simulation.n_sims: 0 is below 1"),
    "undeclared_party.yaml": ("undeclared_party.yaml:14",
                              "arrangement.layers[0].party: unknown party 'guarantr'; did you "
                              "mean 'guarantor'?"),
    "no_residual_layer.yaml": ("no_residual_layer.yaml:15",
                               "arrangement.layers[1]: exactly one layer, the last, must be "
                               "residual"),
    "norway_string.yaml": ("norway_string.yaml:10",
                           "defaults.correlation: expected a valid number or 'basel_corporate'"),
    "correlation_above_one.yaml": ("correlation_above_one.yaml:10",
                                   "defaults.correlation: 1.5 is not below 1"),
    "t_copula_without_dof.yaml": ("t_copula_without_dof.yaml:9",
                                  "degrees_of_freedom is required for t_copula"),
    "stress_pd_above_one.yaml": ("stress_pd_above_one.yaml:11",
                                 "defaults.stress.pd_multiplier: PD 0.02 x 60 is above 1"),
    "missing_currency.yaml": ("missing_currency.yaml:1", "currency: missing required key"),
    "bad_currency.yaml": ("bad_currency.yaml:2", "currency: String should match pattern"),
    "basel_sme_without_sales.yaml": ("basel_sme_without_sales.yaml:10",
                                     "needs the portfolio column 'annual_sales_eur_m'"),
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
    "csv_missing_column.yaml": ("loans_missing_column.csv:1", "missing required column 'pd'"),
    "csv_unknown_column.yaml": ("loans_unknown_column.csv:1",
                                "unknown column 'pdd'; did you mean 'pd'?"),
    "csv_not_a_number.yaml": ("loans_not_a_number.csv:2", "pd: 'abc' is not a number"),
    "csv_duplicate_loan_id.yaml": ("loans_duplicate_loan_id.csv:4", "duplicate loan_id 'L1'"),
}


def test_every_bad_file_has_a_case_and_the_reference_is_good() -> None:
    assert sorted(p.name for p in BAD.glob("*.yaml")) == sorted([*CASES, "good_reference.yaml"])
    result = CliRunner().invoke(main, ["validate", str(BAD / "good_reference.yaml")])
    assert result.exit_code == 0, result.output


def check_one_line(stderr: str, name: str) -> None:
    where, message = CASES[name]
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert lines[0].startswith(f"error: {BAD / where}:"), lines[0]
    assert message in lines[0], lines[0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_validate_and_run_stop_with_one_line_and_exit_code_2(name: str, tmp_path: Path) -> None:
    runner = CliRunner()
    checked = runner.invoke(main, ["validate", str(BAD / name)])
    assert checked.exit_code == 2
    check_one_line(checked.stderr, name)
    out = tmp_path / "out"
    ran = runner.invoke(main, ["run", str(BAD / name), "--sims", "100", "--out", str(out)])
    assert ran.exit_code == 2
    check_one_line(ran.stderr, name)
    assert ran.stdout == ""
    assert not out.exists()


@pytest.mark.parametrize("name", ["unknown_key_typo.yaml", "csv_nan_value.yaml"])
def test_the_installed_command_prints_no_traceback(name: str, tmp_path: Path) -> None:
    command = Path(sys.executable).parent / "risksim"
    done = subprocess.run([str(command), "run", str(BAD / name), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    check_one_line(done.stderr, name)
    assert not (tmp_path / "o").exists()


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    for args in (["run", "--sims", "0"], ["run", "--seed", "-1"], ["run", "--backend", "gpu"],
                 ["run", "--workers", "2"], ["run", str(tmp_path / "nope.yaml")]):
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output


def test_validate_checks_every_file_and_fails_if_any_is_bad() -> None:
    good, bad = BAD / "good_reference.yaml", BAD / "pd_above_one.yaml"
    result = CliRunner().invoke(main, ["validate", str(bad), str(good), str(bad)])
    assert result.exit_code == 2
    assert result.stdout.count(": ok - ") == 1
    assert result.stderr.count("error: ") == 2
