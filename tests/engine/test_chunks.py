"""Blocks of large books are drawn in chunks of simulations: memory follows the chunk, and
every path through the engine (backends, common random numbers, replays, importance
sampling) sees the same draws."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import risksim
from risksim.analysis.common import simulate_common
from risksim.engine.block import replay_block
from risksim.engine.importance import tail_sampling
from risksim.streams import BLOCK_SIZE, CHUNK_LOAN_SIMULATIONS, chunk_sizes
from tests.builders import same_on_two_workers, scenario_mapping, segment

SEGMENTS = ((30_000, 0.01, 0.4), (10_000, 0.03, 0.6))
"""count, PD and mean LGD of each segment: 40,000 loans, more than one chunk per block."""
N_SIMS = BLOCK_SIZE + 500


@pytest.fixture(scope="module")
def scenario() -> risksim.Scenario:
    return risksim.load_scenario(scenario_mapping(
        [segment(f"s{i}", count, pd=pd, lgd={"beta": {"mean": lgd, "sd": 0.2}})
         for i, (count, pd, lgd) in enumerate(SEGMENTS)],
        layers=[{"party": "guarantor", "share_of_loss": 0.4, "per_loan_cap": 0.3},
                {"party": "bank", "residual": True}]))


@pytest.fixture(scope="module")
def serial(scenario: risksim.Scenario) -> risksim.Result:
    return risksim.simulate(scenario, n_sims=N_SIMS, seed=3)


@pytest.mark.parametrize("n_loans", [1, 10_000, 33_554, 33_555, 40_000, 10**6, 10**9])
@pytest.mark.parametrize("n", [1, 777, BLOCK_SIZE])
def test_chunks_cover_the_block_in_whole_simulations(n_loans: int, n: int) -> None:
    sizes = chunk_sizes(n_loans, n)
    per_chunk = max(1, CHUNK_LOAN_SIMULATIONS // n_loans)
    assert sum(sizes) == n
    assert all(size == per_chunk for size in sizes[:-1])
    assert 1 <= sizes[-1] <= per_chunk
    if n_loans <= 33_554:  # 2^26 / 2000: a block of such a book is one chunk
        assert sizes == [n]


def test_the_test_book_is_drawn_in_several_chunks(scenario: risksim.Scenario) -> None:
    assert scenario.plan.n_loans == sum(count for count, _, _ in SEGMENTS)
    assert len(chunk_sizes(scenario.plan.n_loans, BLOCK_SIZE)) == 2


def test_chunked_losses_have_the_exact_expected_loss(serial: risksim.Result) -> None:
    # E[gross] = sum of count x PD x exposure (1.0) x mean LGD, whatever the correlation.
    expected = sum(count * pd * lgd for count, pd, lgd in SEGMENTS)
    row = serial.summary().loc["gross"]
    assert abs(row["EL"] - expected) <= 4 * row["EL_se"]
    assert serial.losses["guarantor"].gt(0).any()


def test_chunked_runs_are_bit_identical_on_the_process_backend(
        scenario: risksim.Scenario, serial: risksim.Result) -> None:
    again = same_on_two_workers(scenario, N_SIMS, 3)
    assert np.array_equal(again.losses.to_numpy(), serial.losses.to_numpy())


def test_common_random_numbers_and_replays_draw_the_same_chunks(
        scenario: risksim.Scenario, serial: risksim.Result) -> None:
    other = risksim.load_scenario(scenario_mapping(
        [segment(f"s{i}", count, pd=pd, lgd={"beta": {"mean": lgd, "sd": 0.2}})
         for i, (count, pd, lgd) in enumerate(SEGMENTS)],
        layers=[{"party": "guarantor", "share_of_loss": 0.8},
                {"party": "bank", "residual": True}]))
    first, _ = simulate_common([scenario, other], n_sims=N_SIMS, seed=3)
    assert np.array_equal(first.losses.to_numpy(), serial.losses.to_numpy())
    events, ledger = replay_block(scenario.plan, 3, N_SIMS, 1)
    assert events.n_sims == N_SIMS - BLOCK_SIZE
    gross = serial.losses["gross"].to_numpy()[BLOCK_SIZE:]
    assert np.array_equal(events.per_simulation(events.loss), gross)
    assert np.array_equal(events.per_simulation(ledger.paid["guarantor"]),
                          serial.losses["guarantor"].to_numpy()[BLOCK_SIZE:])


def test_importance_sampled_chunks_keep_their_weights(scenario: risksim.Scenario) -> None:
    sampled = same_on_two_workers(scenario, N_SIMS, 4, tail_level=0.99)
    assert sampled.weights is not None
    # each chunk's simulations carry their own likelihood ratios: the weighted mean loss is
    # unbiased for the exact expected loss (a weight paired with another chunk's loss is not)
    expected = sum(count * pd * lgd for count, pd, lgd in SEGMENTS)
    row = sampled.summary().loc["gross"]
    assert abs(row["EL"] - expected) <= 4 * row["EL_se"]
    plan = replace(scenario.plan, sampling=tail_sampling(scenario.plan, 0.99, 4))
    events, _ = replay_block(plan, 4, N_SIMS, 0)
    assert np.array_equal(events.per_simulation(events.loss),
                          sampled.losses["gross"].to_numpy()[:BLOCK_SIZE])
