"""Progress bars on long runs (tqdm): simulation blocks, comparisons, sweeps, pricing.

A bar appears only when a run lasts longer than :data:`DELAY` seconds, and only where
someone watches: standard error is a terminal, or the code runs in a Jupyter kernel (a
widget bar with the ``[notebook]`` extra, which installs ipywidgets; a text bar without
it). ``risksim <command> --quiet`` turns bars off, as does::

    with risksim.util.progress.setting(False):
        risksim.compare([...])

and ``risksim.simulate(..., progress=False)``; ``setting(True)`` forces them on (into
standard error). Bars only count finished work, never touch the random streams, and
write nothing to standard output: a run gives the same numbers and the same printed
output with or without them. With the process backend the bar moves as each task (a range
of blocks) finishes in a worker.

The engine reports work through :func:`advance`, which moves the innermost bar opened by
:func:`bar` in this thread (and does nothing when there is none), so backends need no
extra argument.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

DELAY = 1.0
"""Seconds a run must last before its bar appears."""

_SETTING: ContextVar[bool | None] = ContextVar("risksim_progress_setting", default=None)
_CURRENT: ContextVar[Callable[[int], Any] | None] = ContextVar("risksim_progress_bar",
                                                                default=None)


@contextmanager
def setting(enabled: bool | None) -> Iterator[None]:
    """Within the block, show bars (True), never (False), or where watched (None).

    ``setting(None)`` inside ``setting(False)`` keeps the bars off: None leaves the choice
    to an enclosing block, and to the terminal or notebook when there is none.
    """
    if enabled is None:
        yield
        return
    token = _SETTING.set(enabled)
    try:
        yield
    finally:
        _SETTING.reset(token)


def enabled() -> bool:
    """Whether a bar opened now would be shown (before its :data:`DELAY`)."""
    chosen = _SETTING.get()
    if chosen is not None:
        return chosen
    return in_notebook() or _is_terminal(sys.stderr)


@contextmanager
def bar(total: int, description: str, unit: str = "sims") -> Iterator[Callable[[int], Any]]:
    """A bar of ``total`` units of work, open while the block runs.

    Yields the function that moves it by a number of units; :func:`advance` moves it too.
    When bars are off the function does nothing.
    """
    if not enabled() or total <= 0:
        token = _CURRENT.set(_ignore)
        try:
            yield _ignore
        finally:
            _CURRENT.reset(token)
        return
    with _tqdm_class()(total=total, desc=description, unit=unit, unit_scale=total >= 10_000,
                       delay=DELAY, leave=False, file=sys.stderr, dynamic_ncols=True,
                       mininterval=0.2) as shown:
        token = _CURRENT.set(shown.update)
        try:
            yield shown.update
        finally:
            _CURRENT.reset(token)


def advance(units: int) -> None:
    """Move the innermost open bar by ``units`` (nothing when none is open)."""
    update = _CURRENT.get()
    if update is not None:
        update(units)


def in_notebook() -> bool:
    """Whether this code runs in a Jupyter kernel."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def _tqdm_class() -> Any:
    """The widget bar in a notebook with ipywidgets installed, else the text bar.

    Either without tqdm's monitor thread: a second thread would make the process backend
    start its workers with ``spawn`` instead of ``fork`` (slower, and it re-imports the
    main script).
    """
    base: Any
    if in_notebook() and _has_ipywidgets():
        from tqdm.notebook import tqdm as base
    else:
        from tqdm import tqdm as base
    return type("Bar", (base,), {"monitor_interval": 0})


def _has_ipywidgets() -> bool:
    from importlib.util import find_spec

    return find_spec("ipywidgets") is not None


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _ignore(units: int) -> None:
    """Moves nothing: the bar of a run whose bars are off."""
