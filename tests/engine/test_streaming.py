"""Streaming mode: the full run's measures from bounded memory, each with its grid error."""

from __future__ import annotations

import numpy as np
import pytest

import risksim
from risksim.engine.backends.process import ProcessBackend
from risksim.engine.backends.serial import SerialBackend
from risksim.engine.jobs import BlockJob
from risksim.engine.runner import execute
from risksim.engine.streaming import StreamAccumulator, StreamingGrid
from risksim.results.streaming import StreamingResult
from risksim.streams import BLOCK_SIZE
from tests.builders import scenario_mapping, segment

N_SIMS = 6 * BLOCK_SIZE + 321
LEVELS = [0.9, 0.99, 0.999]


@pytest.fixture(scope="module")
def scenario() -> risksim.Scenario:
    mapping = scenario_mapping(
        [segment("a", 500, pd=0.04, lgd={"beta": {"mean": 0.45, "sd": 0.2}}, tenor_years=2)],
        horizon={"years": 2, "periods_per_year": 1},
        layers=[{"party": "guarantor", "share_of_loss": 0.6, "annual_budget": 12.0},
                {"party": "bank", "residual": True}])
    mapping["arrangement"]["fees"] = [{"name": "guarantee_fee", "payer": "bank",
                                       "payee": "guarantor", "annual_rate": 0.01}]
    return risksim.load_scenario(mapping)


@pytest.fixture(scope="module")
def full(scenario: risksim.Scenario) -> risksim.Result:
    return risksim.simulate(scenario, n_sims=N_SIMS, seed=12, levels=LEVELS)


def _stream(scenario: risksim.Scenario, grid: StreamingGrid, backend: object = None
            ) -> StreamingResult:
    plan = scenario.plan
    accumulator = execute(backend or SerialBackend(), BlockJob(plan, 12, N_SIMS, grid))
    assert isinstance(accumulator, StreamAccumulator)
    columns = ["gross", *plan.parties, *plan.indicators, *(f.name for f in plan.fees)]
    return StreamingResult(accumulator, columns, len(plan.parties), len(plan.indicators),
                           {"levels": LEVELS, "fees": {}})


def test_streaming_gives_the_full_runs_measures_when_the_tail_is_kept_exactly(
        scenario: risksim.Scenario, full: risksim.Result) -> None:
    streamed = risksim.simulate(scenario, n_sims=N_SIMS, seed=12, levels=LEVELS,
                                streaming=True)
    expected = full.summary()
    got = streamed.summary()
    assert (got.filter(like="_grid") == 0).all().all()
    np.testing.assert_allclose(got[expected.columns].to_numpy(), expected.to_numpy(),
                               rtol=1e-11)
    np.testing.assert_allclose(streamed.probabilities().to_numpy(),
                               full.probabilities().to_numpy(), rtol=1e-12)
    assert len(streamed.probabilities()) >= 1
    np.testing.assert_allclose(streamed.fee_summary()[["expected", "se"]].to_numpy(float),
                               full.fee_summary()[["expected", "se"]].to_numpy(float),
                               rtol=1e-11)
    thresholds = [0.0, float(full.losses["gross"].median()), 1e9]
    got_p = streamed.exceedance(thresholds)
    np.testing.assert_allclose(got_p["probability"], full.exceedance(thresholds)["probability"])
    assert (got_p["grid"] == 0).all()


def test_histogram_measures_are_within_their_stated_grid_error(
        scenario: risksim.Scenario, full: risksim.Result) -> None:
    # Keep only 5 exact top values on a coarse grid: the measures come from the histogram.
    upper = float(full.losses["gross"].max()) * 1.5
    streamed = _stream(scenario, StreamingGrid(upper, 3, 5, bins=200, top=5))
    got = streamed.summary()
    expected = full.summary()
    for level in ("0.9", "0.99"):
        for measure in ("VaR", "ES"):
            error = got[f"{measure}_{level}_grid"]
            assert (error > 0).all()
            assert (abs(got[f"{measure}_{level}"] - expected[f"{measure}_{level}"])
                    <= error * (1 + 1e-12)).all()
    thresholds = [float(full.losses["gross"].quantile(0.95))]
    got_p = streamed.exceedance(thresholds).iloc[0]
    exact = full.exceedance(thresholds).iloc[0]["probability"]
    assert abs(got_p["probability"] - exact) <= got_p["grid"]


def test_accumulator_is_the_same_for_any_backend_and_grouping(
        scenario: risksim.Scenario) -> None:
    grid = StreamingGrid(100.0, 3, 5, bins=1000, top=50)
    serial = _stream(scenario, grid).accumulator.to_arrays()
    process = _stream(scenario, grid, ProcessBackend(2)).accumulator.to_arrays()
    assert serial.keys() == process.keys()
    for name in serial:
        assert np.array_equal(serial[name], process[name]), name


def test_memory_does_not_grow_with_the_number_of_simulations(
        scenario: risksim.Scenario) -> None:
    grid = StreamingGrid(100.0, 3, 5, bins=1000, top=50)

    def nbytes(n_sims: int) -> int:
        accumulator = execute(SerialBackend(), BlockJob(scenario.plan, 3, n_sims, grid))
        assert isinstance(accumulator, StreamAccumulator)
        assert accumulator.count == n_sims
        return sum(a.nbytes for a in accumulator.to_arrays().values()
                   if a.dtype.kind != "U")

    assert nbytes(2 * BLOCK_SIZE) == nbytes(8 * BLOCK_SIZE)
