"""Comparisons, sweeps, pricing and contributions run their blocks on any backend: the
same common random numbers, so the same tables bit for bit."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import risksim
from risksim.analysis.common import SharedCells
from risksim.analysis.compare import _outputs
from risksim.analysis.contributions import contributions
from risksim.analysis.price import price
from risksim.analysis.sweep import sweep
from risksim.cli.commands import main
from risksim.streams import BLOCK_SIZE
from tests.builders import scenario_mapping, segment

N_SIMS = 3 * BLOCK_SIZE + 7  # four blocks: several tasks on two workers
LAYERS = [{"party": "guarantor", "share_of_loss": 0.5, "per_loan_cap": 0.8},
          {"party": "bank", "residual": True}]


def _scheme(share: float) -> risksim.Scenario:
    layers = [dict(LAYERS[0], share_of_loss=share), LAYERS[1]]
    return risksim.load_scenario(scenario_mapping(
        [segment("a", 300, pd=0.03, lgd={"beta": {"mean": 0.5, "sd": 0.2}}),
         segment("b", 60, pd=0.08, exposure=2.0)], layers=layers))


def test_compare_is_the_same_on_the_process_backend() -> None:
    schemes = [_scheme(0.5), _scheme(0.7)]
    serial = risksim.compare(schemes, n_sims=N_SIMS, seed=5)
    process = risksim.compare(schemes, n_sims=N_SIMS, seed=5, backend="process", workers=2)
    pd.testing.assert_frame_equal(process.parties, serial.parties, check_exact=True)
    pd.testing.assert_frame_equal(process.schemes, serial.schemes, check_exact=True)


def test_sweep_price_and_contributions_are_the_same_on_the_process_backend() -> None:
    scheme = _scheme(0.5)
    setting = {"arrangement.layers.guarantor.share_of_loss": [0.3, 0.6]}
    pd.testing.assert_frame_equal(
        sweep(scheme, setting, n_sims=N_SIMS, seed=6, backend="process", workers=2).table,
        sweep(scheme, setting, n_sims=N_SIMS, seed=6).table, check_exact=True)
    pd.testing.assert_frame_equal(
        price(scheme, "guarantor", n_sims=N_SIMS, seed=7, backend="process", workers=2).table,
        price(scheme, "guarantor", n_sims=N_SIMS, seed=7).table, check_exact=True)
    pd.testing.assert_frame_equal(
        contributions(scheme, "segment", n_sims=N_SIMS, seed=8, backend="process",
                      workers=2).table,
        contributions(scheme, "segment", n_sims=N_SIMS, seed=8).table, check_exact=True)


def test_the_outputs_sent_to_workers_pickle() -> None:
    # Spawned worker processes and Dask receive the job pickled: no closures in it.
    scheme = _scheme(0.5)
    for outputs in (_outputs(scheme), SharedCells().allocation(scheme.plan)):
        copy = pickle.loads(pickle.dumps(outputs))
        assert type(copy) is type(outputs)


def test_the_sweep_command_runs_on_worker_processes(tmp_path: Path) -> None:
    path = tmp_path / "scheme.yaml"
    path.write_text(json.dumps(scenario_mapping(  # JSON is YAML
        [segment("a", 300, pd=0.03)], layers=LAYERS)))
    runner = CliRunner()
    command = ["sweep", str(path), "--set", "arrangement.layers.guarantor.share_of_loss=0.3,0.6",
               "--sims", str(N_SIMS), "--seed", "3", "--format", "csv", "--quiet"]
    serial = runner.invoke(main, command)
    process = runner.invoke(main, [*command, "--backend", "process", "--workers", "2"])
    assert serial.exit_code == 0 and process.exit_code == 0, process.output
    assert process.output == serial.output
    bad = runner.invoke(main, [*command, "--backend", "serial", "--workers", "2"])
    assert bad.exit_code == 2
    assert "workers need the process or dask backend" in bad.output


@pytest.mark.parametrize("command", ["price", "compare", "contributions", "sweep", "run"])
def test_every_command_that_simulates_says_where_it_runs(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    for option in ("--backend", "--workers", "--address"):
        assert option in result.output


def test_warnings_are_one_line_on_the_command_line(tmp_path: Path) -> None:
    mapping = scenario_mapping([segment("a", 200, pd=0.02)])
    mapping["simulation"]["levels"] = [0.99, 0.999]
    path = tmp_path / "scheme.yaml"
    path.write_text(json.dumps(mapping))
    result = CliRunner().invoke(main, ["run", str(path), "--sims", "1000", "--tail-level",
                                       "0.999", "--quiet"])
    assert result.exit_code == 0
    warned = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warned == [line for line in result.stderr.splitlines() if line.strip()]
    assert len(warned) == 1 and "measures at 0.99 rest on fewer than 5" in warned[0]
