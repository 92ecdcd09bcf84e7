"""What every plot shares: its Axes, the money and percent axes, the title, the checks of
its arguments, and the result's weights and summary."""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from risksim.errors import InputError
from risksim.present.report import money_unit
from risksim.stats.replicates import replicate_labels
from risksim.util.suggest import unknown_name_message

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis

    from risksim.results.result import Result
    from risksim.results.streaming import StreamingResult


FIGSIZE = (7.0, 4.2)
"""Size (inches) of a figure made when no Axes is given."""


MIXED_CURRENCIES = "each scheme's currency"
"""Axis label of amounts when the schemes compared use several currencies."""


SAME_LOSS_RTOL = 1e-9
"""Losses within this fraction of the largest loss shown draw as one curve."""


TITLE_CHARS = 64
"""Widest line of a scenario name in a title, in Latin letters (a CJK character counts as
two)."""


def new_axes(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> Axes:
    """``ax``, or the Axes of a new figure (pyplot-managed, so a notebook shows it)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=figsize, layout="constrained")
    return new


def money_axis(axis: Axis, magnitude: float, currency: str) -> str:
    """Tick labels of ``axis`` in one unit fit for ``magnitude``; returns e.g. ``CNY m``."""
    from matplotlib.ticker import FuncFormatter

    scale, unit = money_unit(magnitude)
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value / scale:,.6g}"))
    if currency == MIXED_CURRENCIES:
        return f"{unit}, {currency}" if unit else currency
    return f"{currency} {unit}".strip() or "money"


def amount_text(amount: float, currency: str) -> str:
    scale, unit = money_unit(amount)
    return f"{amount / scale:,.3g} {currency} {unit}".replace("  ", " ").strip()


def color_of(index: int, count: int) -> Any:
    """The ``index``-th of ``count`` colours: the default cycle, or tab20 beyond 10."""
    if count <= 10:
        return f"C{index}"
    from matplotlib import colormaps

    return colormaps["tab20"](index % 20)


def percent_formatter() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=None)


def percent(fraction: float) -> str:
    return f"{100 * fraction:g}%"


def short_path(path: str) -> str:
    """The last two parts of a dotted path: ``guarantor.share_of_loss``."""
    return ".".join(path.split(".")[-2:])


def pairs(values: Sequence[Any]) -> list[tuple[Any, Any]]:
    return list(itertools.pairwise(values))


def title(result: Result | StreamingResult, what: str) -> str:
    """``what``, then the scenario's name (whole, on as many lines as it needs) and the
    number of simulations."""
    name = "\n".join(wrapped(str(result.metadata.get("scenario", {}).get("name", "")),
                            TITLE_CHARS))
    n = result.n_sims
    return f"{what}\n{name} ({n:,} simulations)" if name else f"{what} ({n:,} simulations)"


def wrapped(text: str, width: int) -> list[str]:
    """``text`` in lines at most ``width`` wide (a full-width or wide character, as CJK
    ones are, counting two), broken at the last space that fits, else where it must.

    Nothing is cut: the lines joined give back the text, less the spaces at the breaks.
    """
    lines, start = [], 0
    while start < len(text):
        end, used = start, 0
        while end < len(text) and used + _width(text[end]) <= width:
            used += _width(text[end])
            end += 1
        if end < len(text):
            space = text.rfind(" ", start, end + 1)
            end = space if space > start else max(end, start + 1)
        lines.append(text[start:end].strip())
        start = end + (end < len(text) and text[end] == " ")
    return lines


def _width(character: str) -> int:
    return 2 if unicodedata.east_asian_width(character) in "WF" else 1


def checked_name(name: str, valid: Sequence[str], what: str) -> str:
    if name not in valid:
        raise InputError(unknown_name_message(what, name, valid), path=what)
    return name


def chosen_parties(result: Result | StreamingResult, parties: Sequence[str] | None,
             default: list[str]) -> list[str]:
    if parties is None:
        return default
    if isinstance(parties, str):
        parties = [parties]
    return [checked_name(p, result.loss_columns, "party") for p in parties]


def merged_parties(result: Result, chosen: Sequence[str]) -> dict[str, str]:
    """The ``chosen`` columns of ``result.losses`` with the same losses in every simulation
    drawn once: each first of such a group, mapped to its label ``"bank = guarantor"``
    (a party alone keeps its name), so no curve hides another.

    The same: equal to within :data:`SAME_LOSS_RTOL` of the largest loss shown (a residual
    party computed as gross less the others' shares differs from an equal share in the
    last bits only).
    """
    frame = result.losses[list(chosen)]
    tolerance = SAME_LOSS_RTOL * float(np.abs(frame.to_numpy()).max(initial=0.0))
    groups: dict[str, list[str]] = {}
    for party in chosen:
        losses = frame[party].to_numpy()
        same = next((first for first in groups if np.allclose(
            frame[first].to_numpy(), losses, rtol=0.0, atol=tolerance)), None)
        groups.setdefault(same or party, []).append(party)
    return {first: " = ".join(members) for first, members in groups.items()}


def marked_level(result: Result | StreamingResult, level: float | None) -> float:
    if level is not None:
        if not 0 < level < 1:
            raise InputError(f"level {level}: expected a number strictly between 0 and 1",
                             path="level")
        return float(level)
    return 0.99 if 0.99 in result.levels else result.levels[-1]


def z_of(confidence: float) -> float:
    from statistics import NormalDist

    if not 0 < confidence < 1:
        raise InputError(f"confidence {confidence}: expected a number strictly between 0 "
                         "and 1", path="confidence")
    return NormalDist().inv_cdf((1 + confidence) / 2)


def weights_of(result: Result) -> np.ndarray | None:
    """The likelihood-ratio weights w_i of an importance-sampling result, else None."""
    return None if result.weights is None else result.weights.to_numpy(dtype=np.float64)


def summary_of(result: Result, columns: Sequence[str], levels: list[float], confidence: float,
             n: int | None = None) -> pd.DataFrame:
    """``result.summary(levels, confidence)`` of ``columns`` from the first ``n`` simulations
    (default: all): weighted, with quasi-Monte Carlo errors, as the result reports it."""
    from dataclasses import replace

    losses = result.losses[list(columns)].iloc[slice(n)]
    weights = None if result.weights is None else result.weights.iloc[slice(n)]
    return replace(result, losses=losses, weights=weights).summary(levels, confidence)


def replicate_labels_of(result: Result, n: int) -> np.ndarray | None:
    """The replicate of each of the first n simulations of a quasi-Monte Carlo result, or
    None when its errors are the i.i.d. ones (:func:`risksim.stats.replicates.replicate_labels`)."""
    from risksim.results.result import qmc_replicates

    return replicate_labels(n, qmc_replicates(result.metadata))
