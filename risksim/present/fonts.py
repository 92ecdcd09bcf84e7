"""Fonts for Chinese, Japanese and Korean text in plots, found without the user's help.

matplotlib draws every glyph from the first font of a text's family list that has it
(font fallback, matplotlib ≥ 3.6). A plot whose text has CJK characters (a Chinese scenario
name, party label or axis title) gets the family list [its own font, a CJK font], so Latin
text keeps its look and the CJK characters draw from the CJK font. The CJK font is the first
installed of :data:`CJK_FAMILIES`. A font installed after matplotlib built its font cache is
found too: font files whose names match :data:`CJK_FILE_NAMES` in the system's font folders,
and the Noto Sans CJK SC font of the ``mplfonts`` package (what ``pip install
"risksim[cjk]"`` installs), are added to matplotlib's font list (only added: no rcParams and
no other font setting changes).

With no CJK font anywhere, one warning line says how to get one, and matplotlib's own
per-glyph warnings ("Glyph … missing from font") are silenced for the rest of the process,
so a plot gives one line, not one per character.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

PlotFunction = TypeVar("PlotFunction", bound=Callable[..., "Axes"])

CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "Droid Sans Fallback", "SimHei", "Microsoft YaHei",
                "PingFang SC", "Heiti SC", "Hiragino Sans GB", "Arial Unicode MS")
"""CJK fonts, most preferred first (simplified Chinese forms first)."""

CJK_FILE_NAMES = re.compile(r"notosanscjk|sourcehansans|notosanssc|wqy|droidsansfallback|"
                            r"simhei|msyh|pingfang|hiragino", re.IGNORECASE)
"""File names of the fonts of :data:`CJK_FAMILIES`."""

CJK_CHARACTERS = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f"
                            "\uff00-\uffef\U00020000-\U0003134f]")
"""CJK ideographs, radicals, kana, Hangul, CJK punctuation and full-width forms."""

NO_FONT_WARNING = ("no CJK font found, so Chinese text in plots would draw as empty boxes: "
                   "pip install \"risksim[cjk]\" (or the system's Noto CJK fonts, e.g. apt "
                   "install fonts-noto-cjk)")
"""The one line a plot with CJK text gives when no CJK font is installed."""

PACKAGED_FONT = ("mplfonts", "fonts", "NotoSansCJKsc-Regular.otf")
"""The font of the ``[cjk]`` extra: package, folder, file."""


class FontWarning(UserWarning):
    """A plot's text needs a font that is not installed."""


def finds_fonts(plot: PlotFunction) -> PlotFunction:
    """Decorate a plot function (it returns its Axes) so that its figure's CJK text draws:
    :func:`with_cjk_fonts` on the figure it drew on."""

    @functools.wraps(plot)
    def drawn(*args: Any, **kwargs: Any) -> Axes:
        ax = plot(*args, **kwargs)
        with_cjk_fonts(ax.figure)
        return ax

    return drawn  # type: ignore[return-value]


def needs_cjk(text: str) -> bool:
    """Whether ``text`` has a character of :data:`CJK_CHARACTERS`."""
    return CJK_CHARACTERS.search(text) is not None


def with_cjk_fonts(figure: Figure | SubFigure) -> None:
    """Give every text of ``figure`` that has CJK characters a CJK fallback font (tick labels
    drawn later included, through each Axes' tick parameters).

    Texts without CJK characters are left as they are; with no CJK font installed, one
    :class:`FontWarning` (:data:`NO_FONT_WARNING`) instead.
    """
    from matplotlib.text import Text

    texts = [text for text in figure.findobj(Text) if needs_cjk(text.get_text())]
    if not texts:
        return
    family = cjk_family()
    if family is None:
        _warn_once()
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font",
                                category=UserWarning)
        return
    for text in texts:
        text.set_fontfamily(_with_fallback(text.get_fontfamily(), family))
    for ax in figure.axes:
        labels = [*ax.get_xticklabels(), *ax.get_yticklabels()]
        if any(needs_cjk(label.get_text()) for label in labels):
            own = labels[0].get_fontfamily() if labels else ["sans-serif"]
            ax.tick_params(labelfontfamily=_with_fallback(own, family))


def _with_fallback(families: list[str], fallback: str) -> list[str]:
    return [*[f for f in families if f != fallback], fallback]


@functools.cache
def cjk_family() -> str | None:
    """The first installed font of :data:`CJK_FAMILIES`, None if there is none (looked up
    once per process)."""
    from matplotlib import font_manager

    _add_font_files()
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in installed), None)


def _add_font_files() -> None:
    """Add the CJK font files matplotlib's cache may not know: the ``[cjk]`` extra's and
    the system's whose names match :data:`CJK_FILE_NAMES`."""
    from matplotlib import font_manager

    known = {Path(font.fname) for font in font_manager.fontManager.ttflist}
    candidates = [Path(path) for path in font_manager.findSystemFonts()
                  if CJK_FILE_NAMES.search(Path(path).name)]
    packaged = packaged_font()
    for path in ([packaged] if packaged else []) + candidates:
        if path not in known:
            font_manager.fontManager.addfont(str(path))


def packaged_font() -> Path | None:
    """The font file of the ``[cjk]`` extra, if installed (found without importing its
    package, which would change matplotlib's settings)."""
    spec = importlib.util.find_spec(PACKAGED_FONT[0])
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*PACKAGED_FONT[1:])
    return path if path.is_file() else None


@functools.cache
def _warn_once() -> None:
    warnings.warn(NO_FONT_WARNING, FontWarning, stacklevel=4)
