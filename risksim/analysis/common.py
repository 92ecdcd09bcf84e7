"""Common random numbers: several scenarios allocated on the same simulated defaults.

Who defaults, when, and what each default loses depend only on the portfolio, the default
model (stress included) and the horizon, never on the arrangement: a block draws every loss
first, then (only when some layer denies claims) one claim-denial uniform per event, and the
principal at default that recovery sharing needs is computed, not drawn. So scenarios that
agree on those three parts (the same :func:`defaults_key`) are allocated on the very same
events, drawn once per block, and each one's result is bit-identical to its own
``simulate(scenario, n_sims, seed)``. Scenarios that differ there (another PD, another
correlation, another book) are drawn separately with the same seed: still common random
numbers by seed, but their defaults are no longer the same.

The point is to draw once and allocate many times; the blocks themselves run on any
backend (:class:`CommonJob`), each task drawing its blocks once for every scenario.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from risksim.analysis.simulate import result_from_values, run_settings
from risksim.compile.plan import SimulationPlan
from risksim.compile.scenario import Scenario
from risksim.engine.backends.base import Backend
from risksim.engine.backends.serial import SerialBackend
from risksim.engine.block import allocate, class_cells, draw_chunks, draw_sampled_chunks
from risksim.engine.importance import tail_sampling
from risksim.engine.jobs import BlockRange
from risksim.engine.runner import run_job
from risksim.errors import InputError
from risksim.results.result import Result
from risksim.rules.base import LossEvents
from risksim.streams import BLOCK_SIZE, block_generator, block_size, n_blocks
from risksim.util import progress

BlockOutput = Callable[[LossEvents, int, np.ndarray | None], np.ndarray]
"""Outputs of one scenario from the events of a chunk of a block, the index of the chunk's
first simulation in the run and, under importance sampling, the likelihood-ratio weight of
each of the chunk's simulations (None otherwise): per simulation, shape (n, k), or anything
stacked along axis 0."""


def defaults_key(scenario: Scenario) -> str:
    """SHA-256 (hex) of everything the draws of loss events read from the compiled plan.

    The periods, every attribute of the default model (PDs, loadings or sector weights,
    ν), every group of loans (members, active window), every array of the loss
    model and a trigger that suspends lending (it decides which loans are granted at all):
    two scenarios with the same key draw the same events from the same seed, whatever their
    arrangements (or loan attributes that only rules read, such as rating or size class).
    """
    plan = scenario.plan
    digest = hashlib.sha256()
    model = plan.default_model
    digest.update(repr((plan.n_periods, plan.periods_per_year, model.name,
                        len(plan.groups))).encode())
    for value in vars(model).values():
        digest.update(np.asarray(value).tobytes())
    for group in plan.groups:
        digest.update(np.array([group.members.size, group.first_period,
                                group.end_period]).tobytes() + group.members.tobytes())
    for field in dataclasses.fields(plan.loss_model):
        digest.update(np.asarray(getattr(plan.loss_model, field.name)).tobytes())
    gate = plan.origination  # a lending trigger decides which loans exist at all
    if gate is not None:
        digest.update(repr((gate.metric, gate.threshold, gate.reactivate)).encode())
        digest.update(gate.cell.tobytes() + gate.volume.tobytes())
    return digest.hexdigest()


def shared_chunks(plans: Sequence[SimulationPlan], rng: np.random.Generator,
                  n: int) -> Iterator[LossEvents]:
    """The loss events of a block of ``n`` simulations, chunk by chunk, with what any of
    ``plans`` needs of them.

    The claim-denial uniforms come last in a chunk's draws and the principal at default is
    computed, so adding them for one plan leaves every other draw as it was.
    """
    return draw_chunks(plans[0], rng, n,
                       draws_claims=any(plan.draws_claims for plan in plans),
                       needs_principal=any(plan.needs_principal for plan in plans))


def _check_plain(scenario: Scenario, sampled: bool = False) -> None:
    """Common random numbers here are plain Monte Carlo draws (or, when ``sampled``, the
    importance sampling the caller asked for): a scenario that asks for another way of
    drawing is an error, never silently run another way."""
    settings = scenario.spec.simulation
    keys = (("qmc_replicates", settings.qmc_replicates),) + (
        () if sampled else (("tail_level", settings.tail_level),))
    for key, value in keys:
        if value is not None:
            raise InputError(f"{key} {value}: comparisons, sweeps, pricing and "
                             "contributions run plain Monte Carlo on common random numbers "
                             "(contributions: importance sampling too); remove it",
                             source=scenario.source, path=f"simulation.{key}")


@dataclasses.dataclass(frozen=True, eq=False)
class CommonJob:
    """Each scenario's outputs on ranges of blocks of one run, on common random numbers:
    what a backend runs on each task (picklable when the outputs are).

    Attributes
    ----------
    plans : tuple of SimulationPlan
        The scenarios' compiled plans.
    outputs : tuple of BlockOutput
        Each scenario's outputs of a chunk's events.
    groups : tuple of tuple of int
        The scenarios (indices) sharing each chunk's events: one :func:`defaults_key` each.
    seed, n_sims : int
        The run's seed and length.
    """

    plans: tuple[SimulationPlan, ...]
    outputs: tuple[BlockOutput, ...]
    groups: tuple[tuple[int, ...], ...]
    seed: int
    n_sims: int

    def __call__(self, blocks: BlockRange) -> list[np.ndarray]:
        """Per scenario, its outputs on blocks ``blocks[0] .. blocks[1] − 1`` stacked."""
        stacked: list[list[np.ndarray]] = [[] for _ in self.plans]
        for members in self.groups:
            plans = [self.plans[i] for i in members]
            for block in range(*blocks):
                first = block * BLOCK_SIZE
                for events, weights in self._chunks(plans, block):
                    for i in members:
                        stacked[i].append(self.outputs[i](events, first, weights))
                    first += events.n_sims
        return [np.concatenate(parts) for parts in stacked]

    def _chunks(self, plans: list[SimulationPlan],
                block: int) -> Iterator[tuple[LossEvents, np.ndarray | None]]:
        """The chunks of block ``block`` shared by ``plans``, with their weights under
        importance sampling (one plan then: its sampling draws as ``simulate`` does)."""
        rng, n = block_generator(self.seed, block), block_size(self.n_sims, block)
        if plans[0].sampling is None:
            yield from ((events, None) for events in shared_chunks(plans, rng, n))
            return
        for events, log_weight in draw_sampled_chunks(plans[0], rng, self.seed, block, n):
            yield events, np.exp(log_weight)


def run_common(scenarios: Sequence[Scenario], outputs: Sequence[BlockOutput], n_sims: int,
               seed: int, backend: Backend | None = None,
               tail_level: float | None = None) -> list[np.ndarray]:
    """Each scenario's ``outputs`` over ``n_sims`` simulations, on common random numbers.

    Scenarios with the same :func:`defaults_key` share every chunk's events (drawn once);
    each group is drawn from ``seed``. Tasks (ranges of blocks) run on ``backend`` (default:
    this process); results are assembled in block order, so they are the same on every
    backend. With ``tail_level`` (one scenario only), the draws are importance-sampled as
    ``simulate(scenario, n_sims, seed, tail_level=tail_level)`` draws them.

    Returns
    -------
    list of numpy.ndarray
        Per scenario, its outputs of every block stacked, shape (n_sims, k).
    """
    groups: dict[str, list[int]] = {}
    for index, scenario in enumerate(scenarios):
        _check_plain(scenario, sampled=tail_level is not None)
        groups.setdefault(defaults_key(scenario), []).append(index)
    plans = tuple(scenario.plan for scenario in scenarios)
    if tail_level is not None:
        assert len(plans) == 1, "importance sampling runs one scenario"
        plans = (dataclasses.replace(plans[0],
                                     sampling=tail_sampling(plans[0], tail_level, seed)),)
    job = CommonJob(plans, tuple(outputs), tuple(tuple(members) for members in groups.values()),
                    seed, n_sims)
    with progress.bar(n_sims, f"{len(scenarios)} scenarios, common draws"):
        done = dict(run_job(backend or SerialBackend(), job, [(0, n_blocks(n_sims))]))
    tasks = sorted(done)
    return [np.concatenate([done[task][i] for task in tasks]) for i in range(len(scenarios))]


def simulate_common(scenarios: Sequence[Scenario], n_sims: int | None = None,
                    seed: int | None = None, levels: Sequence[float] | None = None,
                    backend: Backend | None = None) -> list[Result]:
    """Simulate several scenarios on common random numbers.

    ``n_sims``, ``seed`` and ``levels`` default to the first scenario's ``simulation``
    section and apply to all; tasks run on ``backend`` (default: this process). Each result
    equals ``simulate(scenario, n_sims, seed)``.
    """
    n_sims, seed, levels = run_settings(scenarios[0], n_sims, seed, levels)
    shared = SharedCells()
    outputs = [shared.allocation(scenario.plan) for scenario in scenarios]
    values = run_common(scenarios, outputs, n_sims, seed, backend)
    return [result_from_values(scenario, value, seed, levels)
            for scenario, value in zip(scenarios, values, strict=True)]


class SharedCells:
    """Events summed by loan class, computed once per chunk for all plans with the same
    classes (a sweep of a share leaves them alike), then allocated by each plan."""

    def __init__(self) -> None:
        self._events: LossEvents | None = None
        self._cells: dict[str, LossEvents] = {}

    def allocation(self, plan: SimulationPlan) -> BlockOutput:
        """The block output of :func:`~risksim.engine.block.allocate` for ``plan``."""
        return _SharedAllocation(self, plan, _class_key(plan))

    def cells(self, plan: SimulationPlan, key: str, events: LossEvents) -> LossEvents:
        """:func:`~risksim.engine.block.class_cells` of ``events`` for plans of class key
        ``key``, summed once per chunk."""
        if events is not self._events:
            self._events, self._cells = events, {}
        if key not in self._cells:
            self._cells[key] = class_cells(plan, events)
        return self._cells[key]


@dataclasses.dataclass(frozen=True, eq=False)
class _SharedAllocation:
    """``plan``'s allocation of a chunk's events, on the cells ``shared`` holds for them."""

    shared: SharedCells
    plan: SimulationPlan
    key: str

    def __call__(self, events: LossEvents, first: int, weights: np.ndarray | None) -> np.ndarray:
        return allocate(self.plan, events, self.shared.cells(self.plan, self.key, events))


def _class_key(plan: SimulationPlan) -> str:
    """What decides :func:`~risksim.engine.block.class_cells` for ``plan``."""
    digest = hashlib.sha256(repr(len(plan.rules) < 2).encode())
    for array in (plan.loan_class, plan.class_representative):
        digest.update(b"-" if array is None else array.tobytes())
    return digest.hexdigest()
