"""``simulate``: run a scenario on a backend and collect the result."""

from __future__ import annotations

import functools
import platform
from collections.abc import Sequence
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np
import pandas as pd

from risksim.analysis.capital import DEFAULT_GUARANTOR_RISK_WEIGHT, capital_relief
from risksim.compile.plan import SimulationPlan
from risksim.compile.rules import guaranteed_share
from risksim.compile.scenario import Scenario, ScenarioSource, load_scenario
from risksim.engine.backends import make_backend
from risksim.engine.backends.base import Backend
from risksim.engine.importance import tail_sampling, warn_thin_levels
from risksim.engine.jobs import BlockJob
from risksim.engine.layout import ColumnLayout
from risksim.engine.runner import execute, run_job
from risksim.engine.streaming import StreamAccumulator, StreamingGrid
from risksim.engine.systematic import SAMPLING_STREAM_ORDER, Sampling, factor_copula
from risksim.errors import InputError
from risksim.results.result import Result
from risksim.results.streaming import StreamingResult
from risksim.rules.limits import Capital
from risksim.rules.shares import LimitedLayer
from risksim.streams import BLOCK_SIZE, STREAM_VERSION, n_blocks
from risksim.util import progress as bars

if TYPE_CHECKING:
    from risksim.results.timeline import TimelineResult


@overload
def simulate(scenario: ScenarioSource | None = None,
             n_sims: int | None = None, seed: int | None = None, backend: str | None = None,
             *, workers: int | None = None, levels: Sequence[float] | None = None,
             address: str | None = None, progress: bool | None = None,
             checkpoint: str | Path | None = None, resume: bool = False,
             streaming: Literal[False] = False, tail_level: float | None = None,
             qmc: int | None = None, timeline: bool = False) -> Result: ...


@overload
def simulate(scenario: ScenarioSource | None = None,
             n_sims: int | None = None, seed: int | None = None, backend: str | None = None,
             *, workers: int | None = None, levels: Sequence[float] | None = None,
             address: str | None = None, progress: bool | None = None,
             checkpoint: str | Path | None = None, resume: bool = False,
             streaming: Literal[True], tail_level: float | None = None,
             qmc: int | None = None, timeline: bool = False) -> StreamingResult: ...


@overload
def simulate(scenario: ScenarioSource | None = None,
             n_sims: int | None = None, seed: int | None = None, backend: str | None = None,
             *, workers: int | None = None, levels: Sequence[float] | None = None,
             address: str | None = None, progress: bool | None = None,
             checkpoint: str | Path | None = None, resume: bool = False,
             streaming: bool, tail_level: float | None = None,
             qmc: int | None = None,
             timeline: bool = False) -> Result | StreamingResult: ...


def simulate(scenario: ScenarioSource | None = None,
             n_sims: int | None = None, seed: int | None = None, backend: str | None = None,
             *, workers: int | None = None, levels: Sequence[float] | None = None,
             address: str | None = None, progress: bool | None = None,
             checkpoint: str | Path | None = None, resume: bool = False,
             streaming: bool = False, tail_level: float | None = None,
             qmc: int | None = None, timeline: bool = False) -> Result | StreamingResult:
    """Simulate a scenario's loss distribution per party.

    Parameters
    ----------
    scenario : Scenario, path, mapping or None
        The scenario (None: the embedded default).
    n_sims, seed, backend, workers, levels, address : optional
        Override the scenario's ``simulation`` section; None keeps what the file says
        (defaults: 100,000 simulations, seed 1, serial backend, levels 0.95/0.99/0.999).
        ``backend`` is ``serial``, ``process`` or ``dask``; ``address`` is a Dask
        scheduler's (``tcp://HOST:PORT``), None to start a local cluster of ``workers``.
    progress : bool, optional
        Show a progress bar (True), never (False), or on a long run watched in a terminal
        or notebook (None; :mod:`risksim.util.progress`). The result is the same either way.
    checkpoint : path or None
        Save each completed task in this folder (:mod:`risksim.engine.checkpoint`); the
        folder is left in place (delete it once the result is saved).
    resume : bool, default False
        Continue the run saved in ``checkpoint``: only the blocks it lacks are simulated,
        and the result is bit for bit that of an uninterrupted run.
    streaming : bool, default False
        Keep exact moments, histograms and the exact top tail of each party instead of
        every simulation (:mod:`risksim.engine.streaming`): memory independent of
        ``n_sims``.
    tail_level : float or None
        Importance sampling aimed at this tail level, e.g. 0.999
        (:mod:`risksim.engine.importance`): the result carries likelihood-ratio
        ``weights`` that every measure uses. None: as the scenario says (default: none).
    qmc : int or None
        Quasi-Monte Carlo for the systematic factors with this many independent Sobol
        scramblings R (a divisor of the block size, e.g. 16), whose spread gives the
        summary's errors (:mod:`risksim.engine.systematic`). None: as the scenario says.
    timeline : bool, default False
        Also date every flow on the same draws (:mod:`risksim.timeline`, set by the
        scenario's ``timeline`` section): ``Result.timeline``. The losses are the same bits
        either way; the timeline costs about 20 times the losses alone. Plain Monte Carlo
        only (no streaming, QMC, importance sampling or checkpoints).

    Returns
    -------
    Result or StreamingResult
        Per-simulation losses of ``gross`` and each party (scenario currency), and metadata;
        with ``streaming``, their distributions.
    """
    scenario = load_scenario(scenario)
    settings = scenario.spec.simulation
    n_sims, seed, levels = run_settings(scenario, n_sims, seed, levels)
    backend_name, workers, address = backend_settings(scenario, backend, workers, address)
    tail_level = settings.tail_level if tail_level is None else tail_level
    qmc = settings.qmc_replicates if qmc is None else qmc
    _check_sampling(tail_level, qmc, streaming)
    if timeline and (streaming or tail_level is not None or qmc is not None
                     or checkpoint is not None):
        raise InputError("the timeline runs on plain Monte Carlo: run it without streaming, "
                         "QMC, importance sampling or checkpoints", path="timeline")
    plan = scenario.plan
    if tail_level is not None:
        plan = replace(plan, sampling=tail_sampling(plan, tail_level, seed, qmc))
    elif qmc is not None:
        factor_copula(plan)  # refuses a model that QMC cannot draw, in one line
        plan = replace(plan, sampling=Sampling(qmc_replicates=qmc))
    runner = make_backend(backend_name, workers, address)
    layout = ColumnLayout.of(plan)
    grid = (StreamingGrid(upper=_loss_bound(plan), n_loss_columns=len(layout.loss_names),
                          n_columns=len(layout.names)) if streaming else None)
    metadata = _metadata(scenario, plan, n_sims, seed, backend_name, workers, levels)
    if plan.sampling is not None:
        metadata["sampling"] = _sampling_metadata(plan.sampling, tail_level)
    identity = {key: metadata[key] for key in ("scenario", "n_sims", "seed", "block_size",
                                               "stream_version")}
    identity["sampling"] = metadata.get("sampling")
    identity |= {"risksim": metadata["versions"]["risksim"],
                 "streaming": None if grid is None else [grid.upper, grid.bins, grid.top]}
    with bars.setting(progress), bars.bar(n_sims, "simulating"):
        if timeline:
            rows, dated = _run_timeline(scenario, runner, seed, n_sims)
            return result_from_values(scenario, rows, seed, levels, plan=plan,
                                      metadata=metadata, timeline=dated)
        values = execute(runner, BlockJob(plan, seed, n_sims, grid),
                         checkpoint=None if checkpoint is None else Path(checkpoint),
                         resume=resume, identity=identity)
    if isinstance(values, StreamAccumulator):
        assert grid is not None
        return StreamingResult(values, list(layout.names), len(layout.parties),
                               len(layout.indicators),
                               metadata | {"streaming": {"upper": grid.upper,
                                                         "bin_width": grid.width,
                                                         "bins": grid.bins, "top": grid.top}})
    if tail_level is not None:
        warn_thin_levels(levels, tail_level, n_sims)
    return result_from_values(scenario, values, seed, levels, plan=plan, metadata=metadata)


def _run_timeline(scenario: Scenario, runner: Backend, seed: int,
                  n_sims: int) -> tuple[np.ndarray, TimelineResult]:
    """The per-simulation rows and the timeline of a run (:mod:`risksim.timeline`)."""
    from risksim.results.timeline import TimelineResult
    from risksim.timeline.run import TimelineJob
    from risksim.timeline.settings import compile_timeline

    dating = compile_timeline(scenario)
    job = TimelineJob(dating, scenario.plan, seed, n_sims)
    done = dict(run_job(runner, job, [(0, n_blocks(n_sims))]))
    outputs = [block for task in sorted(done) for block in done[task]]
    values = np.concatenate([columns for columns, _ in outputs])
    return values, TimelineResult.from_blocks(dating, [block for _, block in outputs])


def run_settings(scenario: Scenario, n_sims: int | None, seed: int | None,
                 levels: Sequence[float] | None) -> tuple[int, int, list[float]]:
    """(n_sims, seed, levels): the arguments given, else the scenario's, checked."""
    settings = scenario.spec.simulation
    n_sims = settings.n_sims if n_sims is None else n_sims
    seed = settings.seed if seed is None else seed
    levels = list(settings.levels if levels is None else levels)
    _check_arguments(n_sims, seed, levels)
    return n_sims, seed, levels


def backend_settings(scenario: Scenario, backend: str | None, workers: int | None,
                     address: str | None) -> tuple[str, int | None, str | None]:
    """(backend, workers, address): the arguments given, else the scenario's, checked.

    Without a backend, an ``address`` means Dask and several ``workers`` the process
    backend (when the scenario's backend is serial); the scenario's address applies to its
    Dask backend only, and its worker count only without an address.
    """
    settings = scenario.spec.simulation
    if workers is not None and workers < 1:
        raise InputError(f"{workers} workers: expected at least 1", path="workers")
    name = backend or ("dask" if address is not None
                       else "process" if workers not in (None, 1)
                       and settings.backend == "serial" else settings.backend)
    if address is not None and name != "dask":
        raise InputError(f"an address is a Dask scheduler's: use it with the dask backend, "
                         f"not {name}", path="address")
    if name == "dask" and address is None:
        address = settings.address
    if workers is None and name != "serial" and address is None:
        workers = settings.workers
    if workers not in (None, 1) and name == "serial":
        raise InputError(f"{workers} workers need the process or dask backend, not serial",
                         path="workers")
    return name, workers, address


def choose_backend(scenario: Scenario, backend: str | None = None, workers: int | None = None,
                   address: str | None = None) -> Backend:
    """The backend runs of ``scenario`` use (see :func:`backend_settings`)."""
    return make_backend(*backend_settings(scenario, backend, workers, address))


def result_from_values(scenario: Scenario, values: np.ndarray, seed: int, levels: list[float],
                       *, backend: str = "serial", workers: int | None = None,
                       plan: SimulationPlan | None = None,
                       metadata: dict[str, Any] | None = None,
                       timeline: TimelineResult | None = None) -> Result:
    """The Result of ``values``, the stacked block outputs of
    :func:`~risksim.engine.block.simulate_block` (their columns as
    :class:`~risksim.engine.layout.ColumnLayout` places them), with the
    dated flows of the timeline when it ran. ``plan`` and ``metadata`` default to the
    scenario's plan and a fresh description of the run.
    """
    plan = scenario.plan if plan is None else plan
    n_sims = len(values)
    if metadata is None:
        metadata = _metadata(scenario, plan, n_sims, seed, backend, workers, levels)
    layout = ColumnLayout.of(plan)
    index = pd.RangeIndex(n_sims, name="simulation")
    weight = layout.weights(values)
    weights = None if weight is None else pd.Series(weight, index=index, name="weight")
    losses = pd.DataFrame(values[:, layout.losses], columns=list(layout.loss_names),
                          index=index)
    indicators = pd.DataFrame(values[:, layout.indicator_columns],
                              columns=list(layout.indicators), index=index)
    fees = pd.DataFrame(values[:, layout.fee_columns], columns=list(layout.fees), index=index)
    return Result(losses=losses, indicators=indicators, fees=fees, metadata=metadata,
                  weights=weights, timeline=timeline)


def _check_sampling(tail_level: float | None, qmc: int | None, streaming: bool) -> None:
    if tail_level is not None and not 0 < tail_level < 1:
        raise InputError(f"{tail_level}: expected a level strictly between 0 and 1",
                         path="tail_level")
    if qmc is not None and (qmc < 2 or BLOCK_SIZE % qmc):
        raise InputError(f"{qmc} replicates: expected a divisor of the block size "
                         f"{BLOCK_SIZE} of at least 2", path="qmc")
    if streaming and (tail_level is not None or qmc is not None):
        raise InputError("streaming keeps unweighted, unreplicated distributions: run "
                         "importance sampling or QMC without it", path="streaming")


def _sampling_metadata(sampling: Sampling, tail_level: float | None) -> dict[str, Any]:
    """What the run's QMC and importance sampling did (JSON-ready)."""
    return {"qmc_replicates": sampling.qmc_replicates, "tail_level": tail_level,
            "factor_shift": None if sampling.shift is None else sampling.shift.tolist(),
            "chi2_scale": sampling.chi2_scale, "twist_target": sampling.twist_target,
            "defensive_share": sampling.defensive_share,
            "sampling_stream_order": SAMPLING_STREAM_ORDER}


def _loss_bound(plan: SimulationPlan) -> float:
    """An upper bound of the gross loss (money): every loan lost whole, with its interest."""
    model = plan.loss_model
    return float(np.sum(model.exposure * (1.0 + model.interest_fraction)))


def _check_arguments(n_sims: int, seed: int, levels: list[float]) -> None:
    if n_sims < 1:
        raise InputError(f"{n_sims} simulations: expected at least 1", path="n_sims")
    if seed < 0:
        raise InputError(f"seed {seed}: expected an integer >= 0", path="seed")
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


def _capital_terms(plan: SimulationPlan) -> dict[str, dict[str, float | None]]:
    """Per layer with capital: its capital (money) and leverage limit (None without one)."""
    return {rule.name: {"capital": limit.capital, "leverage_limit": limit.max_leverage}
            for rule in plan.rules if isinstance(rule, LimitedLayer)
            for limit in rule.limits if isinstance(limit, Capital)}


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
        "lender": scenario.spec.arrangement.layers[-1].party,
        "basel_capital": _basel_capital(scenario),
        "capital": _capital_terms(plan),
        "npl_tolerance": (scenario.spec.npl_tolerance.model_dump()
                          if scenario.spec.npl_tolerance is not None else None),
        "versions": dict(_versions()),
    }


def _basel_capital(scenario: Scenario) -> dict[str, float] | None:
    """The lender's Basel IRB capital without and with the scheme (substitution approach,
    guarantors at :data:`~risksim.analysis.capital.DEFAULT_GUARANTOR_RISK_WEIGHT`); None
    for a lender alone."""
    if len(scenario.parties) < 2:
        return None
    return capital_relief(scenario, DEFAULT_GUARANTOR_RISK_WEIGHT).document()


@functools.cache
def _versions() -> dict[str, str]:
    """The versions a result depends on (read once per process: the package metadata
    lookup costs about 4 ms per package)."""
    return {name: version(name) for name in ("risksim", "numpy", "scipy", "pandas")} | {
        "python": platform.python_version()}
