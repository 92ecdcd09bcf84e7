"""``simulate``: run a scenario on a backend and collect the result."""

from __future__ import annotations

import platform
from collections.abc import Mapping, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from risksim import progress as bars
from risksim.engine.backends import TASKS_PER_WORKER, make_backend, split_blocks
from risksim.engine.plan import SimulationPlan
from risksim.engine.streams import BLOCK_SIZE, STREAM_VERSION
from risksim.errors import InputError
from risksim.results import Result
from risksim.rules.build import guaranteed_share
from risksim.scenario.loader import Scenario, load_scenario


def simulate(scenario: Scenario | str | Path | Mapping[str, Any] | None = None,
             n_sims: int | None = None, seed: int | None = None, backend: str | None = None,
             *, workers: int | None = None, levels: Sequence[float] | None = None,
             progress: bool | None = None) -> Result:
    """Simulate a scenario's loss distribution per party.

    Parameters
    ----------
    scenario : Scenario, path, mapping or None
        The scenario (None: the embedded default).
    n_sims, seed, backend, workers, levels : optional
        Override the scenario's ``simulation`` section; None keeps what the file says
        (defaults: 100,000 simulations, seed 1, serial backend, levels 0.95/0.99/0.999).
    progress : bool, optional
        Show a progress bar (True), never (False), or on a long run watched in a terminal
        or notebook (None; :mod:`risksim.progress`). The result is the same either way.

    Returns
    -------
    Result
        Per-simulation losses of ``gross`` and each party (scenario currency), and metadata.
    """
    scenario = load_scenario(scenario)
    settings = scenario.spec.simulation
    n_sims = settings.n_sims if n_sims is None else n_sims
    seed = settings.seed if seed is None else seed
    backend_name = backend or settings.backend
    if workers is None and backend_name == "process":
        workers = settings.workers
    levels = list(settings.levels if levels is None else levels)
    _check_arguments(n_sims, seed, workers, backend_name, levels)
    runner = make_backend(backend_name, workers)
    tasks = split_blocks(n_sims, runner.n_workers * TASKS_PER_WORKER)
    with bars.setting(progress), bars.bar(n_sims, "simulating"):
        values = np.concatenate(runner.run(scenario.plan, seed, n_sims, tasks))
    return result_from_values(scenario, values, seed, levels, backend=backend_name,
                              workers=workers)


def run_settings(scenario: Scenario, n_sims: int | None, seed: int | None,
                 levels: Sequence[float] | None) -> tuple[int, int, list[float]]:
    """(n_sims, seed, levels): the arguments given, else the scenario's, checked."""
    settings = scenario.spec.simulation
    n_sims = settings.n_sims if n_sims is None else n_sims
    seed = settings.seed if seed is None else seed
    levels = list(settings.levels if levels is None else levels)
    _check_arguments(n_sims, seed, None, "serial", levels)
    return n_sims, seed, levels


def result_from_values(scenario: Scenario, values: np.ndarray, seed: int, levels: list[float],
                       *, backend: str = "serial", workers: int | None = None) -> Result:
    """The Result of ``values``, the stacked block outputs of
    :func:`~risksim.engine.block.allocate` (per simulation: gross, parties, indicators, fees).
    """
    plan = scenario.plan
    n_sims = len(values)
    index = pd.RangeIndex(n_sims, name="simulation")
    n_losses, n_indicators = 1 + len(plan.parties), len(plan.indicators)
    losses = pd.DataFrame(values[:, :n_losses], columns=["gross", *plan.parties], index=index)
    indicators = pd.DataFrame(values[:, n_losses:n_losses + n_indicators],
                              columns=list(plan.indicators), index=index)
    fees = pd.DataFrame(values[:, n_losses + n_indicators:],
                        columns=[fee.name for fee in plan.fees], index=index)
    return Result(losses=losses, indicators=indicators, fees=fees,
                  metadata=_metadata(scenario, plan, n_sims, seed, backend, workers, levels))


def _check_arguments(n_sims: int, seed: int, workers: int | None, backend: str,
                     levels: list[float]) -> None:
    if n_sims < 1:
        raise InputError(f"{n_sims} simulations: expected at least 1", path="n_sims")
    if seed < 0:
        raise InputError(f"seed {seed}: expected an integer >= 0", path="seed")
    if workers is not None and workers < 1:
        raise InputError(f"{workers} workers: expected at least 1", path="workers")
    if workers not in (None, 1) and backend == "serial":
        raise InputError(f"{workers} workers need the process backend, not serial",
                         path="workers")
    if not levels or any(not 0 < level < 1 for level in levels):
        raise InputError(f"{levels}: expected levels strictly between 0 and 1", path="levels")


def _guaranteed_volume(scenario: Scenario, plan: SimulationPlan) -> dict[str, float]:
    """Σ share × exposure for each party whose recoveries are tracked (money)."""
    if not plan.tracks_recoveries:
        return {}
    arrangement, portfolio = scenario.spec.arrangement, scenario.portfolio
    lender = arrangement.layers[-1].party
    return {party: float(guaranteed_share(arrangement, party, portfolio)
                         @ portfolio["exposure"])
            for party in arrangement.parties if party != lender}


def _metadata(scenario: Scenario, plan: SimulationPlan, n_sims: int, seed: int, backend: str,
              workers: int | None, levels: list[float]) -> dict[str, Any]:
    return {
        "scenario": {"name": scenario.name, "source": scenario.source, "hash": scenario.hash()},
        "currency": scenario.spec.currency,
        "horizon_years": scenario.spec.horizon.years,
        "n_sims": n_sims, "seed": seed, "levels": levels,
        "block_size": BLOCK_SIZE, "stream_version": STREAM_VERSION,
        "backend": backend, "workers": workers,
        "fees": {fee.name: {"payer": fee.payer, "payee": fee.payee} for fee in plan.fees},
        "guaranteed_volume": _guaranteed_volume(scenario, plan),
        "npl_tolerance": (scenario.spec.npl_tolerance.model_dump()
                          if scenario.spec.npl_tolerance is not None else None),
        "versions": {name: version(name) for name in ("risksim", "numpy", "scipy", "pandas")}
        | {"python": platform.python_version()},
    }
