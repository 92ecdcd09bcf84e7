"""What every result has, whatever produced it (a run, a streaming run, a timeline, a
comparison, a pricing, a sweep, contributions): its metadata, its currency and levels, a
summary table, a tidy frame, files, its plots and the view a notebook shows.

Results never import the presentation layer: ``result.plot`` and the notebook view load
:mod:`risksim.present.plots` and :mod:`risksim.present.report` by name when they are asked
for, as pandas' ``DataFrame.plot`` loads its plotting backend.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

Table = TypeVar("Table", bound=Callable[..., Any])

PLOTS_MODULE = "risksim.present.plots"
"""The module that draws results (its ``plots_of(result)`` names a result's plots)."""
REPORT_MODULE = "risksim.present.report"
"""The module that reports results (its ``report_of(result)`` builds a result's report)."""


def computed_once(method: Table) -> Table:
    """Cache the table ``method`` returns for each set of arguments on the result itself
    (results are immutable, so a statistic is computed once); callers get a copy, so the
    cached table cannot be changed through them."""

    @functools.wraps(method)
    def cached(self: Any, *args: Any, **kwargs: Any) -> Any:
        tables = vars(self).setdefault("_computed", {})
        key = (method.__name__, _hashable(args), _hashable(tuple(sorted(kwargs.items()))))
        if key not in tables:
            tables[key] = method(self, *args, **kwargs)
        return tables[key].copy()

    return cached  # type: ignore[return-value]


def _hashable(value: Any) -> Any:
    """``value`` with lists made tuples, for a cache key."""
    if isinstance(value, list | tuple):
        return tuple(_hashable(item) for item in value)
    return value


class ResultBase:
    """The base of every result object.

    Attributes
    ----------
    metadata : Mapping
        What produced the result: scenario, simulations, seed, levels, currency, versions.
    """

    metadata: Mapping[str, Any]

    @property
    def currency(self) -> str:
        """Currency of every amount."""
        return str(self.metadata.get("currency", ""))

    @property
    def levels(self) -> list[float]:
        """Quantile levels reported by ``summary()``."""
        return list(self.metadata.get("levels", [0.95, 0.99, 0.999]))

    def summary(self) -> pd.DataFrame:
        """The result's main table (amounts in :attr:`currency`, each with its error)."""
        raise NotImplementedError

    def to_frame(self) -> pd.DataFrame:
        """The result as one tidy DataFrame (by default its :meth:`summary`)."""
        return self.summary()

    @property
    def plot(self) -> Plots:
        """This result's plots, as methods: ``result.plot.exceedance()`` and the others
        :func:`risksim.present.plots.plots_of` names for its kind; ``dir(result.plot)``
        lists them."""
        return Plots(self)

    def report(self) -> str:
        """What the command line prints for this result (plain text)."""
        report = import_module(REPORT_MODULE)
        return str(report.text(report.report_of(self)))

    def _repr_html_(self) -> str:
        """What a notebook shows: the command line's report as HTML tables."""
        report = import_module(REPORT_MODULE)
        return str(report.html(report.report_of(self)))


class Plots:
    """The plots of one result: each plot of its kind is a method with the result filled
    in, returning the Axes it drew on."""

    def __init__(self, result: ResultBase) -> None:
        self._result = result

    def _plots(self) -> Mapping[str, Callable[..., Axes]]:
        plots: Any = import_module(PLOTS_MODULE)
        return dict(plots.plots_of(self._result))

    def __getattr__(self, name: str) -> Callable[..., Axes]:
        if name.startswith("_"):
            raise AttributeError(name)
        available = self._plots()
        if name not in available:
            kinds = ", ".join(available) or "none"
            raise AttributeError(f"no plot '{name}' of a {type(self._result).__name__} "
                                 f"(its plots: {kinds})")
        plot = available[name]

        def drawn(**options: Any) -> Axes:
            return plot(self._result, **options)

        drawn.__doc__ = plot.__doc__
        drawn.__name__ = name
        return drawn

    def __dir__(self) -> list[str]:
        return sorted(self._plots())

    def __repr__(self) -> str:
        return f"plots of a {type(self._result).__name__}: " + ", ".join(
            f"{name}()" for name in self._plots())
