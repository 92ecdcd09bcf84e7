"""Plots of results, comparisons and sweeps, each ``f(data, *, ax=None, **kw) -> Axes``.

Every function draws on ``ax`` when given, else on a new figure of its own, and returns the
Axes; nothing else is touched (no pyplot state, no ``plt.show()``). Amounts stay in the
scenario's currency on the axes (a VaR marker sits at x = VaR); the tick labels show them in
one unit, e.g. ``CNY m``. The same plots of a :class:`~risksim.results.result.Result` are methods of
``result.plot``::

    result.plot.exceedance(level=0.99)
    risksim.present.plots.exceedance(result, level=0.99, ax=ax)

Of a result: :func:`distribution` (histogram and smooth density per party),
:func:`exceedance` (P(loss > x) on a log scale with VaR and ES marked and error bands),
:func:`tail_shares` (who pays in the tail: each party's share of the gross loss by quantile
band of the gross loss), :func:`convergence` (a measure against the number of simulations,
with its band). Of a result's timeline (``simulate(..., timeline=True)``, ``risksim run
--timeline``): :func:`cash_paths` (a party's cash at each month end: median, 5–95% band, a few
simulations' own paths and its lowest cash) and :func:`npl_paths` (the lender's monthly NPL
ratio against its tolerance). Of several schemes: :func:`comparison` (from
:func:`risksim.compare`). Of a sweep: :func:`tornado` (from :func:`risksim.sweep` with
``design="one_at_a_time"``). Of a fee curve (:func:`risksim.price` with ``sweep=``):
:func:`fee_curve` (the required fees against a swept value, with bands and the fee ceiling).

The plots of a result draw the model's distribution as :meth:`~risksim.Result.summary`,
:meth:`~risksim.Result.exceedance` and :meth:`~risksim.Result.probabilities` report it. An
importance-sampling run (``simulate(..., tail_level=...)``) draws from another distribution
and carries the likelihood ratios w_i in ``result.weights``: every probability, quantile,
average and band drawn then weights simulation i by w_i, e.g. P(loss > x) =
(1/N) Σ w_i 1{L_i > x}; without importance sampling every w_i = 1. Under quasi-Monte Carlo
the bands come from the replicates, as the reports' errors do."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from risksim.errors import InputError
from risksim.present.plots.comparison import comparison
from risksim.present.plots.convergence import convergence
from risksim.present.plots.distribution import distribution
from risksim.present.plots.exceedance import exceedance
from risksim.present.plots.fee_curve import fee_curve
from risksim.present.plots.paths import cash_paths, npl_paths
from risksim.present.plots.stream import stream_exceedance
from risksim.present.plots.tail_shares import tail_shares
from risksim.present.plots.tornado import tornado
from risksim.util.suggest import unknown_name_message

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["PLOTS", "RESULT_PLOTS", "cash_paths", "comparison", "convergence", "distribution",
           "draw", "exceedance", "fee_curve", "npl_paths", "plots_of", "tail_shares", "tornado"]

RESULT_PLOTS: dict[str, Callable[..., Axes]] = {
    "distribution": distribution, "exceedance": exceedance, "tail_shares": tail_shares,
    "convergence": convergence, "cash_paths": cash_paths, "npl_paths": npl_paths}
"""The plots of one run's result, by name: each is also a method of ``result.plot``."""

PLOTS: dict[str, Callable[..., Axes]] = {**RESULT_PLOTS, "comparison": comparison,
                                         "tornado": tornado, "fee_curve": fee_curve}
"""Every plot :func:`draw` knows, by name (a new plot: one file and one line here)."""


def plots_of(result: Any) -> dict[str, Callable[..., Axes]]:
    """The plots of ``result``'s kind, by name (what ``result.plot`` offers): every plot of
    :data:`RESULT_PLOTS` for a run, ``exceedance`` for a streaming run (from its top tails
    and histograms), ``comparison`` for a comparison, ``tornado`` for a one-at-a-time sweep,
    ``fee_curve`` for a fee curve; none for the other kinds."""
    from risksim.results.comparison import Comparison
    from risksim.results.fee_curve import FeeCurve
    from risksim.results.result import Result
    from risksim.results.streaming import StreamingResult
    from risksim.results.sweep import Sweep

    if isinstance(result, Result):
        return dict(RESULT_PLOTS)
    if isinstance(result, StreamingResult):
        return {"exceedance": stream_exceedance}
    if isinstance(result, Comparison):
        return {"comparison": comparison}
    if isinstance(result, Sweep):
        return {"tornado": tornado}
    if isinstance(result, FeeCurve):
        return {"fee_curve": fee_curve}
    return {}


def draw(kind: str, data: Any, *, ax: Axes | None = None, **options: Any) -> Axes:
    """The plot named ``kind`` (one of :data:`PLOTS`; ``-`` may stand for ``_``) of
    ``data``."""
    kind = kind.replace("-", "_")
    if kind not in PLOTS:
        raise InputError(unknown_name_message("kind", kind, PLOTS), path="--kind")
    return PLOTS[kind](data, ax=ax, **options)
