"""Every result kind shares one base: a summary, a tidy frame, files, plots by name, and a
notebook view that shows what the command line prints."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

import risksim
from risksim.results.base import ResultBase
from tests.builders import scenario_mapping, segment

matplotlib.use("Agg")

SHARE = "arrangement.layers.guarantor.share_of_loss"


def _mapping(name: str = "base check") -> dict:
    mapping = scenario_mapping(
        [segment("a", 300, exposure=1.0e6, pd=0.05, lgd=0.5)],
        layers=[{"party": "guarantor", "share_of_loss": 0.4},
                {"party": "bank", "residual": True}], n_sims=2_000)
    mapping["name"] = name
    return mapping


@pytest.fixture(scope="module")
def results() -> dict[str, ResultBase]:
    scenario = risksim.load_scenario(_mapping())
    other = _mapping()
    other["arrangement"]["layers"][0]["share_of_loss"] = 0.6
    return {
        "run": risksim.simulate(scenario, seed=1),
        "streaming": risksim.simulate(scenario, seed=1, streaming=True),
        "comparison": risksim.compare([scenario, risksim.load_scenario(other)], seed=1),
        "pricing": risksim.price(scenario, "guarantor", seed=1),
        "sweep": risksim.sweep(scenario, {SHARE: [0.3, 0.5]}, design="one_at_a_time",
                               seed=1),
        "contributions": risksim.contributions(scenario, "segment", seed=1),
    }


class _Cells(HTMLParser):
    """The text of every table cell of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self._open = tag in ("td", "th")
        if self._open:
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        self._open = False

    def handle_data(self, data: str) -> None:
        if self._open:
            self.cells[-1] += data


@pytest.mark.parametrize("kind", ["run", "streaming", "comparison", "pricing", "sweep",
                                  "contributions"])
def test_the_notebook_view_shows_what_the_command_line_prints(
        results: dict[str, ResultBase], kind: str) -> None:
    result = results[kind]
    page = result._repr_html_()
    parser = _Cells()
    parser.feed(page)
    assert "<table>" in page and parser.cells
    printed = result.report()
    for cell in parser.cells:  # every cell of the view is in the printed report
        assert cell in printed, (kind, cell)
    # figures carry their Monte Carlo error in brackets, as the command line prints them
    assert any(re.fullmatch(r"[-+]?[\d,.]+%? \([\d,.]+%?\)", cell) for cell in parser.cells)


def test_the_view_escapes_text_from_the_scenario() -> None:
    result = risksim.simulate(risksim.load_scenario(_mapping("<script>alert(1)</script>")),
                              n_sims=500)
    page = result._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_every_kind_has_its_plots_by_name(results: dict[str, ResultBase]) -> None:
    assert dir(results["run"].plot) == sorted(
        ["distribution", "exceedance", "tail_shares", "convergence", "cash_paths",
         "npl_paths"])
    assert dir(results["comparison"].plot) == ["comparison"]
    assert dir(results["sweep"].plot) == ["tornado"]
    assert results["sweep"].plot.tornado(party="bank").get_xlabel().startswith("bank ES")
    assert results["comparison"].plot.comparison().get_title()
    with pytest.raises(AttributeError, match="no plot 'exceedance' of a Sweep"):
        results["sweep"].plot.exceedance()


def test_tables_and_frames(results: dict[str, ResultBase]) -> None:
    run = results["run"]
    assert run.to_frame().equals(run.summary())
    assert list(results["comparison"].to_frame().columns[:2]) == ["scheme", "party"]
    assert results["contributions"].to_frame()["unit"].tolist() == ["a"] * 2  # one a party
    totals = results["contributions"].summary()
    assert set(totals.index) == {"bank", "guarantor"} and "ES" in totals
    assert results["sweep"].paths == [SHARE]
    assert results["pricing"].to_frame()["tier"].tolist() == ["all"]


def test_saved_results_read_back(results: dict[str, ResultBase], tmp_path: Path) -> None:
    sweep = results["sweep"]
    [written] = sweep.save(tmp_path / "sweep.csv")
    pd.testing.assert_frame_equal(risksim.Sweep.load(written).table, sweep.table)
    comparison = results["comparison"]
    comparison.save(tmp_path / "compare")
    back = risksim.Comparison.load(tmp_path / "compare")
    pd.testing.assert_frame_equal(back.parties, comparison.parties, check_exact=False,
                                  rtol=1e-15)
    [table] = results["contributions"].save(tmp_path / "contributions.csv")
    assert pd.read_csv(table)["ES"].sum() == pytest.approx(
        results["contributions"].table["ES"].sum(), rel=1e-15)


def test_statistics_are_computed_once_per_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    from risksim.stats import measures

    result = risksim.simulate(risksim.load_scenario(_mapping()), n_sims=500)
    calls: list[int] = []
    summarize = measures.summarize
    monkeypatch.setattr(measures, "summarize", lambda *a, **k: calls.append(1) or summarize(
        *a, **k))
    first = result.summary()
    columns = len(calls)
    assert columns == 3  # gross, bank, guarantor
    first.loc["bank", "EL"] = -1.0  # a caller's change does not reach the cache
    again = result.summary()
    assert len(calls) == columns and again.loc["bank", "EL"] > 0
    result.summary(levels=[0.9])
    assert len(calls) == 2 * columns  # other arguments: computed for them
    result.report()
    result.summary_document()
    assert len(calls) == 2 * columns


def test_a_streaming_run_draws_the_exceedance_of_the_full_run() -> None:
    """A streaming run keeps every loss exactly while there are at most TOP_TAIL of them:
    its curve is then the full run's P(L > x) at every point drawn (same seed, same
    losses), and its VaR marker the full run's VaR."""
    from risksim.engine.streaming import TOP_TAIL

    scenario = risksim.load_scenario(_mapping())
    n = 20_000
    assert n <= TOP_TAIL
    streamed = risksim.simulate(scenario, n_sims=n, seed=4, streaming=True)
    full = risksim.simulate(scenario, n_sims=n, seed=4)
    assert dir(streamed.plot) == ["exceedance"]
    ax = streamed.plot.exceedance(parties=["gross", "bank"])
    for party in ("gross", "bank"):
        [curve] = [line for line in ax.get_lines() if line.get_label() == party]
        x, p = curve.get_xdata(), curve.get_ydata()
        assert len(x) > 20
        expected = full.exceedance(list(x))
        expected = expected[expected["party"] == party]["probability"].to_numpy()
        assert p.tolist() == expected.tolist()
        [var] = [line for line in ax.get_lines() if line.get_label() == f"{party} VaR 99%"]
        assert var.get_xdata()[0] == full.summary().loc[party, "VaR_0.99"]
