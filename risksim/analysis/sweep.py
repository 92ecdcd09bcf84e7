"""Sensitivity sweeps: scenario values set by dotted path, every point on common random numbers.

A path walks the scenario file's keys: ``arrangement.layers.guarantor.share_of_loss``. A list
item is named by its ``party`` (layers) or ``name`` (segments, fees), or by its position
(``layers[0]`` or ``layers.0``); a party with several layers is named by position. Any key
the schema allows can be set, also one the scenario leaves out (``per_loan_cap``).

Values are a list (``0.3,0.4,0.5``) or a range ``start:stop:step`` whose stop is included
(``0.3:0.6:0.05`` is 7 points). Several paths make a grid (every combination) or, with
``design="one_at_a_time"``, vary each path alone from the scenario's own values (the base
point): the data of a tornado chart.

Points that leave the loans, default model and horizon unchanged reuse the same drawn
defaults (:mod:`risksim.analysis.common`): only the allocation is repeated per point.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel

from risksim.analysis.common import simulate_common
from risksim.analysis.simulate import choose_backend
from risksim.compile.scenario import (
    Scenario,
    ScenarioSource,
    derive_scenario,
    load_scenario,
    parse_path,
)
from risksim.errors import InputError
from risksim.results.sweep import Sweep
from risksim.stats.influence import influence, measure_names, standard_error
from risksim.util.suggest import unknown_name_message

Design = Literal["grid", "one_at_a_time"]
MAX_POINTS = 10_000
"""Most points one sweep may have."""


def parse_values(text: str, path: str) -> list[Any]:
    """``"0.3:0.6:0.05"`` → [0.3, 0.35, …, 0.6]; ``"a,b"`` → ["a", "b"]; numbers as floats.

    Range points are start + i·step rounded to 12 significant digits, stop included.
    """
    if text.count(":") == 2:
        start, stop, step = (_number(part, path) for part in text.split(":"))
        if step <= 0 or stop < start:
            raise InputError(f"range '{text}': expected start <= stop and a step above 0",
                             path=path)
        count = math.floor((stop - start) / step + 1e-9) + 1
        if count > MAX_POINTS:
            raise InputError(f"range '{text}' has {count} points, above {MAX_POINTS}", path=path)
        return [float(f"{start + i * step:.12g}") for i in range(count)]
    return [_scalar(part.strip()) for part in text.split(",") if part.strip()]


def parse_setting(text: str) -> tuple[str, list[Any]]:
    """``"PATH=VALUES"`` → (path, values)."""
    path, sep, values = text.partition("=")
    if not sep or not path.strip() or not values.strip():
        raise InputError(f"'{text}': expected PATH=VALUES, e.g. "
                         "arrangement.layers.guarantor.share_of_loss=0.3:0.6:0.05", path="--set")
    return path.strip(), parse_values(values.strip(), path.strip())


def _number(text: str, path: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError(f"'{text}' is not a number", path=path) from None


def _scalar(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return {"true": True, "false": False, "null": None}.get(text, text)


def set_value(scenario: Scenario, data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` to ``value`` in ``data`` (the mapping of ``scenario``'s spec).

    Raises
    ------
    InputError
        At ``path``, for a key the schema does not have (nearest key suggested), a list item
        that is not there, or a missing mapping on the way.
    """
    node: Any = data
    model: Any = scenario.spec
    parts = list(parse_path(path))
    if not parts:
        raise InputError("empty path", path=path)
    for depth, part in enumerate(parts):
        where = ".".join(str(p) for p in parts[:depth + 1])
        last = depth == len(parts) - 1
        if isinstance(node, list):
            index = _item_index(node, part, path)
            if last:
                node[index] = value
                return
            node, model = node[index], model[index]
            continue
        key = str(part)
        if key not in _valid_keys(node, model):
            raise InputError(_unknown_key(key, _valid_keys(node, model)), path=path)
        if last:
            node[key] = value
            return
        if key not in node or not isinstance(node[key], dict | list):
            raise InputError(f"{where} is not set to a mapping or list in the scenario; set "
                             "it there first", path=path)
        node = node[key]
        model = getattr(model, key) if isinstance(model, BaseModel) else model[key]


def _unknown_key(key: str, valid: list[str]) -> str:
    """The unknown-key message, suggesting the keys that start with ``key`` if any."""
    longer = sorted(name for name in valid if name.startswith(key))
    if longer:
        return f"unknown key '{key}'; did you mean {' or '.join(repr(n) for n in longer)}?"
    return unknown_name_message("key", key, valid)


def _valid_keys(node: dict[str, Any], model: Any) -> list[str]:
    if isinstance(model, BaseModel):
        return list(type(model).model_fields)
    return list(node)


def _item_index(items: list[Any], part: str | int, path: str) -> int:
    if isinstance(part, int) or str(part).isdigit():
        index = int(part)
        if not 0 <= index < len(items):
            raise InputError(f"no item {index}: the list has {len(items)}", path=path)
        return index
    names = [item.get("party", item.get("name")) if isinstance(item, dict) else None
             for item in items]
    matches = [i for i, name in enumerate(names) if name == part]
    if not matches:
        raise InputError(unknown_name_message("item", part, [n for n in names if n]),
                         path=path)
    if len(matches) > 1:
        raise InputError(f"'{part}' names items {matches}; address one by position, e.g. "
                         f"[{matches[0]}]", path=path)
    return matches[0]


def sweep_points(settings: Mapping[str, Sequence[Any]], design: Design,
                 base: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The points of a sweep, each with what it varies: every combination (``grid``), or
    the base point (``base``) then each path alone (the path)."""
    paths = list(settings)
    if design == "grid":
        points = [("grid", dict(zip(paths, combo, strict=True)))
                  for combo in itertools.product(*settings.values())]
    else:
        points = [("base", dict(base))] + [(path, {**base, path: value}) for path in paths
                                           for value in settings[path]]
    if len(points) > MAX_POINTS:
        raise InputError(f"{len(points)} points, above {MAX_POINTS}", path="--set")
    return points


def sweep(scenario: ScenarioSource, settings: Mapping[str, Sequence[Any]], *,
          design: Design = "grid", n_sims: int | None = None, seed: int | None = None,
          levels: Sequence[float] | None = None, backend: str | None = None,
          workers: int | None = None, address: str | None = None) -> Sweep:
    """Simulate ``scenario`` at every point of a sweep, on common random numbers.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        The scenario swept (loaded with :func:`risksim.load_scenario` when not yet).
    settings : mapping of str to sequence
        Dotted path → the values it takes.
    design : {"grid", "one_at_a_time"}
        Every combination, or each path varied alone from the base point.
    n_sims, seed, levels : optional
        As in :func:`risksim.simulate`.
    backend, workers, address : optional
        Where the blocks run, as in :func:`risksim.simulate` (the same results on each).

    Returns
    -------
    Sweep
        Its ``table``, tidy: one row per point, party (``gross`` included) and measure
        (``EL``, ``SD``, ``VaR_<a>``, ``ES_<a>``), columns ``point``, one per path (its
        value), ``varied`` (one-at-a-time: the path varied, ``base`` for the base point),
        ``party``, ``measure``, ``value`` and ``se`` (money), ``currency``.
    """
    scenario = load_scenario(scenario)
    points, scenarios = sweep_scenarios(scenario, settings, design)
    results = simulate_common(scenarios, n_sims, seed, levels,
                              choose_backend(scenario, backend, workers, address))
    records = []
    for number, ((varied, point), result) in enumerate(zip(points, results, strict=True)):
        for party in result.losses.columns:
            losses = result.losses[party].to_numpy()
            for measure, value, se in _measures(losses, result.levels):
                records.append({"point": number, **point, "varied": varied, "party": party,
                                "measure": measure, "value": value, "se": se,
                                "currency": result.currency})
    first = results[0]
    return Sweep(table=pd.DataFrame.from_records(records), metadata={
        "scenario": scenario.name, "design": design, "paths": list(settings),
        "n_sims": len(first.losses), "seed": first.metadata.get("seed"),
        "levels": first.levels, "currency": first.currency})


def sweep_scenarios(scenario: Scenario, settings: Mapping[str, Sequence[Any]],
                    design: Design) -> tuple[list[tuple[str, dict[str, Any]]], list[Scenario]]:
    """The points of a sweep of ``scenario`` (:func:`sweep_points`, the base point from the
    scenario's own values) and the scenario derived at each (:func:`at_point`).

    Raises
    ------
    InputError
        For no settings, a bad path or too many points.
    """
    if not settings:
        raise InputError("nothing to sweep: give at least one PATH=VALUES", path="--set")
    base = {path: _current(scenario, path) for path in settings}
    points = sweep_points(settings, design, base)
    return points, [at_point(scenario, point) for _, point in points]


def _measures(losses: np.ndarray, levels: list[float]) -> list[tuple[str, float, float]]:
    rows = []
    for measure in measure_names(levels):
        value, psi = influence(losses, measure)
        rows.append((measure, value, standard_error(psi)))
    return rows


def _current(scenario: Scenario, path: str) -> Any:
    """The value ``path`` has in ``scenario`` (None when unset), after checking the path."""
    set_value(scenario, scenario.spec.model_dump(exclude_unset=True), path, None)
    node: Any = scenario.spec.model_dump()
    for part in parse_path(path):
        node = (node[_item_index(node, part, path)] if isinstance(node, list)
                else node.get(str(part)))
        if node is None:
            return None
    return node


def at_point(scenario: Scenario, point: Mapping[str, Any]) -> Scenario:
    """``scenario`` with every path of ``point`` set to its value (a value None, a path the
    scenario leaves unset, stays unset)."""
    data = scenario.spec.model_dump(exclude_unset=True)
    for path, value in point.items():
        if value is not None:
            set_value(scenario, data, path, value)
    label = ", ".join(f"{path}={value}" for path, value in point.items())
    return derive_scenario(scenario, data, f"{scenario.source} with {label}")


def tornado(sweep: Sweep | pd.DataFrame, party: str, measure: str) -> pd.DataFrame:
    """Tornado-chart data of a one-at-a-time sweep (a :class:`~risksim.results.sweep.Sweep`
    or its table): :meth:`~risksim.results.sweep.Sweep.tornado`."""
    return (sweep if isinstance(sweep, Sweep) else Sweep(table=sweep)).tornado(party, measure)
