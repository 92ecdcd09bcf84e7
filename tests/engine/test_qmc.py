"""Quasi-Monte Carlo factors: scrambled Sobol points in a fixed order, errors from replicates."""

from __future__ import annotations

import numpy as np
from scipy.stats import qmc

import risksim
from risksim.engine.streams import BLOCK_SIZE
from risksim.engine.systematic import QMC_STREAM_KEY, sobol_uniforms
from tests.builders import scenario_mapping, segment


def test_block_rows_are_consecutive_points_of_their_replicates_sequence() -> None:
    replicates, dimension = 16, 3
    first, second = (sobol_uniforms(9, block, BLOCK_SIZE, dimension, replicates)
                     for block in (0, 1))
    for replicate in (0, 5, 15):
        stream = np.random.Generator(np.random.PCG64DXSM(
            np.random.SeedSequence(9, spawn_key=(QMC_STREAM_KEY, replicate))))
        engine = qmc.Sobol(dimension, scramble=True, bits=30, rng=stream)
        expected = engine.random_base2(8)[:2 * BLOCK_SIZE // replicates] + 0.5**31
        got = np.vstack([first[replicate::replicates], second[replicate::replicates]])
        assert np.array_equal(got, expected)
    assert first.min() > 0 and first.max() < 1


def test_qmc_expected_loss_is_exact_within_its_replicate_error_and_beats_plain() -> None:
    count, pd, exposure = 800, 0.02, 1.5
    scenario = risksim.load_scenario(scenario_mapping(
        [segment("a", count, pd=pd, exposure=exposure)], correlation=0.2))
    n_sims = 8 * BLOCK_SIZE
    sampled = risksim.simulate(scenario, n_sims=n_sims, seed=4, qmc=16)
    plain = risksim.simulate(scenario, n_sims=n_sims, seed=4)
    row = sampled.summary().loc["gross"]
    assert abs(row["EL"] - count * pd * exposure) <= 4 * row["EL_se"]
    assert row["EL_se"] < plain.summary().loc["gross", "EL_se"] / 2
    process = risksim.simulate(scenario, n_sims=n_sims, seed=4, qmc=16, backend="process",
                               workers=2)
    assert np.array_equal(process.losses.to_numpy(), sampled.losses.to_numpy())
    assert sampled.metadata["sampling"]["qmc_replicates"] == 16


def test_bad_sampling_options_are_input_errors() -> None:
    scenario = risksim.load_scenario(scenario_mapping())
    for kwargs, message in (({"qmc": 7}, "qmc: 7 replicates: expected a divisor"),
                            ({"tail_level": 1.0}, "tail_level: 1.0: expected a level"),
                            ({"qmc": 16, "streaming": True}, "streaming: streaming keeps")):
        try:
            risksim.simulate(scenario, n_sims=100, **kwargs)
        except risksim.InputError as error:
            assert str(error).startswith(message), str(error)
        else:
            raise AssertionError(f"{kwargs} accepted")
