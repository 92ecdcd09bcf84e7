"""Chinese text in plots draws from a CJK font found without the user's help; with no CJK
font, one warning line instead of one per character.

The suite's machines get their font as the README tells users to: the ``[cjk]`` extra
(``mplfonts``), installed by ``pip install -e ".[dev]"``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Text

import risksim
import risksim.present.plots as rp
from risksim.present import fonts
from tests.builders import scenario_mapping, segment, timeline_mapping

NAME = "望城专利质押贷款：担保公司 40% + 省风险补偿基金 20%"


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def dated() -> risksim.Result:
    mapping = timeline_mapping()
    mapping["name"] = NAME
    return risksim.simulate(mapping, n_sims=300, seed=3, timeline=True)


@pytest.fixture(scope="module")
def comparison() -> risksim.Comparison:
    schemes = []
    for name, share in (("银行独担", None), ("担保 50%", 0.5)):
        layers = [{"party": "bank", "residual": True}]
        if share:
            layers.insert(0, {"party": "guarantor", "share_of_loss": share})
        mapping = scenario_mapping([segment(count=200, pd=0.05)], layers=layers)
        mapping["name"] = name
        schemes.append(mapping)
    return risksim.compare(schemes, n_sims=1_000, seed=2)


def _drawn(ax: plt.Axes, path: Path) -> list[str]:
    """Save the figure; the warnings it gave, and check its CJK texts have the font."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax.figure.savefig(path, dpi=40)
    cjk = [t for t in ax.figure.findobj(Text) if fonts.needs_cjk(t.get_text())]
    assert cjk, "the plot has Chinese text"
    for text in cjk:
        assert text.get_fontfamily()[-1] == fonts.cjk_family()
    return [str(w.message) for w in caught]


PLOTS: dict[str, Callable[..., plt.Axes]] = {
    name: plot for name, plot in rp.RESULT_PLOTS.items()}


@pytest.mark.parametrize("kind", sorted(PLOTS))
def test_every_plot_of_a_chinese_scenario_draws_without_missing_glyphs(
        kind: str, dated: risksim.Result, tmp_path: Path) -> None:
    assert fonts.cjk_family() in fonts.CJK_FAMILIES  # installed by the [cjk] extra
    assert _drawn(PLOTS[kind](dated), tmp_path / f"{kind}.png") == []


def test_chinese_scheme_names_and_tick_labels_draw(comparison: risksim.Comparison,
                                                   tmp_path: Path) -> None:
    ax = rp.comparison(comparison)
    assert _drawn(ax, tmp_path / "comparison.png") == []
    ticks = [t for t in [*ax.get_xticklabels(), *ax.get_yticklabels()]
             if fonts.needs_cjk(t.get_text())]
    assert ticks and all(t.get_fontfamily()[-1] == fonts.cjk_family() for t in ticks)


def test_latin_text_keeps_its_font(dated: risksim.Result) -> None:
    ax = rp.exceedance(dated)
    own = plt.rcParams["font.family"]
    assert ax.get_xlabel() and not fonts.needs_cjk(ax.get_xlabel())
    assert ax.xaxis.label.get_fontfamily() == own


def test_without_a_cjk_font_one_warning_line_and_no_glyph_warnings(
        dated: risksim.Result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the machine's font is hidden from the lookup; the text then really lacks its glyphs
    monkeypatch.setattr(fonts, "cjk_family", lambda: None)
    fonts._warn_once.cache_clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            ax = rp.exceedance(dated)
            ax.figure.savefig(tmp_path / "boxes.png", dpi=40)
    assert [str(w.message) for w in caught] == [fonts.NO_FONT_WARNING]
    assert 'pip install "risksim[cjk]"' in fonts.NO_FONT_WARNING
    fonts._warn_once.cache_clear()


@pytest.mark.parametrize(("text", "cjk"), [("银行", True), ("bank", False), ("損失", True),
                                           ("은행", True), ("ES 99%", False), ("（", True)])
def test_cjk_characters_are_recognised(text: str, cjk: bool) -> None:
    assert fonts.needs_cjk(text) is cjk


def test_every_registered_plot_finds_fonts() -> None:
    # the plots drawn above prove the step works; this proves no plot skips it
    wrapper = fonts.finds_fonts(lambda: None).__code__
    plots = {**rp.PLOTS, "stream_exceedance": rp.stream_exceedance}
    assert [name for name, plot in plots.items() if plot.__code__ is not wrapper] == []
