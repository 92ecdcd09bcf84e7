"""The random-stream contract: a seed gives bit-identical losses on every backend."""

from __future__ import annotations

import os

import numpy as np
import pytest

import risksim
from risksim.compile.build import compile_plan
from risksim.engine.backends.base import split_range
from risksim.engine.backends.process import ProcessBackend
from risksim.engine.backends.serial import SerialBackend
from risksim.engine.block import replay_block
from risksim.engine.jobs import BlockJob
from risksim.streams import BLOCK_SIZE, block_generator, n_blocks
from tests.builders import scenario_mapping, segment

N_SIMS = 3 * BLOCK_SIZE + 123  # three full blocks and a partial one


@pytest.fixture(scope="module")
def scenario() -> risksim.Scenario:
    mapping = scenario_mapping(
        [segment("a", 400, pd=0.03, lgd={"beta": {"mean": 0.5, "sd": 0.2}}),
         segment("b", 50, pd=0.2, exposure=3.0, lgd=0.7, tenor_years=2)],
        horizon={"years": 2, "periods_per_year": 2},
        layers=[{"party": "guarantor", "share_of_loss": 0.4},
                {"party": "bank", "residual": True}])
    return risksim.load_scenario(mapping)


@pytest.fixture(scope="module")
def serial_losses(scenario: risksim.Scenario) -> np.ndarray:
    return risksim.simulate(scenario, n_sims=N_SIMS, seed=99).losses.to_numpy()


def test_block_stream_is_the_documented_seed_sequence() -> None:
    expected = np.random.Generator(np.random.PCG64DXSM(np.random.SeedSequence(7, spawn_key=(3,))))
    assert block_generator(7, 3).random(5).tolist() == expected.random(5).tolist()
    assert n_blocks(N_SIMS) == 4


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_process_backend_is_bit_identical_to_serial(scenario: risksim.Scenario,
                                                    serial_losses: np.ndarray,
                                                    workers: int) -> None:
    result = risksim.simulate(scenario, n_sims=N_SIMS, seed=99, backend="process",
                              workers=workers)
    assert np.array_equal(result.losses.to_numpy(), serial_losses)


@pytest.mark.parametrize("n_tasks", [1, 2, 4])
def test_grouping_of_blocks_into_tasks_does_not_change_results(
        scenario: risksim.Scenario, serial_losses: np.ndarray, n_tasks: int) -> None:
    job = BlockJob(compile_plan(scenario), 99, N_SIMS)
    tasks = split_range((0, n_blocks(N_SIMS)), n_tasks)
    assert len(tasks) == n_tasks
    assert [b for start, stop in tasks for b in range(start, stop)] == list(range(4))
    for backend in (SerialBackend(), ProcessBackend(2)):
        done = dict(backend.imap(job, tasks))  # in the order tasks complete
        stacked = np.concatenate([done[task] for task in tasks])
        assert np.array_equal(stacked, serial_losses)


def test_other_seed_gives_other_losses(scenario: risksim.Scenario,
                                       serial_losses: np.ndarray) -> None:
    other = risksim.simulate(scenario, n_sims=N_SIMS, seed=100).losses.to_numpy()
    assert not np.array_equal(other, serial_losses)


def test_blocks_are_independent_of_the_run_length(scenario: risksim.Scenario,
                                                  serial_losses: np.ndarray) -> None:
    # Full blocks depend only on (seed, block): a longer run starts with the same blocks.
    longer = risksim.simulate(scenario, n_sims=5 * BLOCK_SIZE, seed=99).losses.to_numpy()
    assert np.array_equal(longer[:3 * BLOCK_SIZE], serial_losses[:3 * BLOCK_SIZE])


def test_allocator_tuning_applies_on_glibc() -> None:
    import platform
    import sys

    from risksim.engine.memory import keep_freed_memory

    expected = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert keep_freed_memory() is expected


def test_process_backend_spawns_when_threads_run(scenario: risksim.Scenario,
                                                  serial_losses: np.ndarray) -> None:
    # fork is unsafe with threads (as in Jupyter): the backend spawns fresh interpreters,
    # which receive the plan by pickling, and must give the same bits.
    import threading

    from risksim.engine.backends import process

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert process._start_method() == "spawn"
        result = risksim.simulate(scenario, n_sims=N_SIMS, seed=99, backend="process",
                                  workers=2)
    finally:
        stop.set()
        thread.join()
    assert np.array_equal(result.losses.to_numpy(), serial_losses)


def test_replayed_block_allocates_the_same_losses_event_by_event(
        scenario: risksim.Scenario, serial_losses: np.ndarray) -> None:
    events, ledger = replay_block(scenario.plan, 99, N_SIMS, 3)
    replayed = ledger.party_losses(events.per_simulation(events.loss))
    simulated = serial_losses[3 * BLOCK_SIZE:, 1:]
    assert replayed.shape == simulated.shape
    # Same draws; only the order of summation differs (events, not cells of alike loans).
    np.testing.assert_allclose(replayed, simulated, rtol=1e-12, atol=1e-9)
    assert events.loss.size == sum(paid.size for paid in ledger.paid.values()) // 2


def process_id(blocks: tuple[int, int]) -> int:
    """A job that says which process ran it."""
    return os.getpid()


def test_a_single_task_runs_in_this_process_and_several_in_workers() -> None:
    backend = ProcessBackend(2)
    assert [pid for _, pid in backend.imap(process_id, [(0, 1)])] == [os.getpid()]
    pids = [pid for _, pid in backend.imap(process_id, [(0, 1), (1, 2)])]
    assert len(pids) == 2 and os.getpid() not in pids
