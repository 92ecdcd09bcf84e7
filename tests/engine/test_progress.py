"""Progress bars: shown where asked, off with --quiet, never changing a result."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from click.testing import CliRunner

import risksim
from risksim.cli.commands import main
from risksim.util import progress
from tests.builders import B1_SCENARIO, ROOT


def test_bars_never_change_the_losses_on_either_backend(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "DELAY", 0.0)
    plain = risksim.simulate(B1_SCENARIO, n_sims=6_500, seed=4, progress=False)
    assert capsys.readouterr().err == ""
    for backend, workers in (("serial", None), ("process", 2)):
        shown = risksim.simulate(B1_SCENARIO, n_sims=6_500, seed=4, backend=backend,
                                 workers=workers, progress=True)
        pd.testing.assert_frame_equal(shown.losses, plain.losses, check_exact=True)
        bar = capsys.readouterr().err
        assert "simulating" in bar and "/6500 [" in bar, bar


def test_the_process_backend_moves_the_bar_once_per_task(
        monkeypatch: pytest.MonkeyPatch) -> None:
    moves: list[int] = []
    monkeypatch.setattr(progress, "advance", moves.append)
    risksim.simulate(B1_SCENARIO, n_sims=9_000, seed=1, backend="process", workers=2)
    assert sum(moves) == 9_000
    assert len(moves) == 5  # split_range: 5 blocks in at most 8 tasks, one block each


def test_bars_are_off_when_nobody_watches_and_inside_setting_false() -> None:
    assert not progress.enabled()  # pytest's standard error is not a terminal
    with progress.setting(True):
        assert progress.enabled()
        with progress.setting(None):
            assert progress.enabled()  # None keeps the enclosing choice
        with progress.setting(False):
            assert not progress.enabled()
            with progress.bar(10, "off") as move:
                move(3)  # does nothing, raises nothing
    progress.advance(5)  # no bar open: nothing


def test_quiet_turns_bars_off_in_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    original = progress.bar

    def spy(total: int, description: str, unit: str = "sims"):  # type: ignore[no-untyped-def]
        seen.append(progress.enabled())
        return original(total, description, unit)

    monkeypatch.setattr(progress, "bar", spy)
    monkeypatch.setattr(progress, "_is_terminal", lambda stream: True)
    scenario = str(ROOT / "scenarios" / "wangcheng_patent_loan.yaml")
    for extra, expected in (([], True), (["--quiet"], False)):
        result = CliRunner().invoke(main, ["run", scenario, "--sims", "2000", *extra])
        assert result.exit_code == 0, result.output
        assert seen.pop() is expected
    result = CliRunner().invoke(main, ["sweep", scenario, "--set",
                                       "defaults.correlation=0.1,0.2", "--sims", "2000", "-q"])
    assert result.exit_code == 0, result.output
    assert seen == [False]


def test_a_bar_writes_to_standard_error_only(monkeypatch: pytest.MonkeyPatch) -> None:
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    with progress.setting(True), progress.bar(4, "work", unit="blocks") as move:
        move(2)
        progress.advance(2)
    assert "work" in err.getvalue() and "/4 [" in err.getvalue()
