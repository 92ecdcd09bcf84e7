"""Where blocks run: one file per backend (:mod:`~risksim.engine.backends.serial`,
:mod:`~risksim.engine.backends.process`, :mod:`~risksim.engine.backends.dask`), what they share
(:mod:`~risksim.engine.backends.base`), and this registry of them by name.

A new backend is one file plus one line in :data:`BACKENDS`.
"""

from __future__ import annotations

from collections.abc import Callable

from risksim.engine.backends.base import Backend
from risksim.errors import InputError
from risksim.util.suggest import unknown_name_message


def _serial(workers: int | None, address: str | None) -> Backend:
    from risksim.engine.backends.serial import SerialBackend

    return SerialBackend()


def _process(workers: int | None, address: str | None) -> Backend:
    from risksim.engine.backends.process import ProcessBackend

    return ProcessBackend(workers)


def _dask(workers: int | None, address: str | None) -> Backend:
    from risksim.engine.backends.dask import DaskBackend

    return DaskBackend(workers=workers, address=address)


BACKENDS: dict[str, Callable[[int | None, str | None], Backend]] = {
    "serial": _serial, "process": _process, "dask": _dask}
"""Each backend's name and how it is made from (workers, address)."""


def make_backend(name: str, workers: int | None = None, address: str | None = None) -> Backend:
    """The backend called ``name`` (``serial``, ``process`` or ``dask``; ``address`` is a Dask
    scheduler's, None to start a local cluster)."""
    if name not in BACKENDS:
        raise InputError(unknown_name_message("backend", name, BACKENDS), path="backend")
    return BACKENDS[name](workers, address)
