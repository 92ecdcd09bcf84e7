"""Every scenario the contract checks run on: each shipped file in ``scenarios/``, the
embedded default, and the test scenarios that reach rules the shipped files do not (a
budgeted pool, a timeline book with a tolerance, a trigger that stops new lending)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import risksim
from tests.builders import ROOT, timeline_mapping, two_vintages_with_lending_stop

SHIPPED = sorted(ROOT.glob("scenarios/*.yaml"))

REGISTRY: dict[str, Callable[[], Any]] = {
    **{path.stem: (lambda path=path: path) for path in SHIPPED},
    "default": lambda: None,
    "test:pool_with_budget": lambda: ROOT / "tests" / "data" / "pool_with_budget.yaml",
    "test:timeline_book": timeline_mapping,
    "test:lending_stop": lambda: two_vintages_with_lending_stop(0.05),
}
"""Name → what :func:`risksim.load_scenario` loads (a path, None for the default, a
mapping)."""

_LOADED: dict[str, risksim.Scenario] = {}


def scenario(name: str) -> risksim.Scenario:
    """The registry's scenario ``name``, loaded once per test session."""
    if name not in _LOADED:
        _LOADED[name] = risksim.load_scenario(REGISTRY[name]())
    return _LOADED[name]
