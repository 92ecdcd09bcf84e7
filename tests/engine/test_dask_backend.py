"""The Dask backend: same bits as serial on a local cluster and on separate processes,
a lost worker's blocks recomputed, and a clear error when a worker runs another risksim."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import risksim
from risksim.engine.backends.dask import DaskBackend, check_worker_versions, worker_versions
from risksim.engine.jobs import BlockJob
from risksim.engine.runner import missing_ranges, run_job
from risksim.streams import BLOCK_SIZE
from tests.builders import scenario_mapping, segment

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

N_SIMS = 5 * BLOCK_SIZE + 77
SEED = 41


def _mapping() -> dict:
    return scenario_mapping(
        [segment("a", 600, pd=0.03, lgd={"beta": {"mean": 0.5, "sd": 0.2}}),
         segment("b", 80, pd=0.1, exposure=3.0, lgd=0.7)],
        defaults={"model": "t_copula", "degrees_of_freedom": 6},
        layers=[{"party": "guarantor", "share_of_loss": 0.5, "per_loan_cap": 1.5},
                {"party": "bank", "residual": True}])


@pytest.fixture(scope="module")
def scenario() -> risksim.Scenario:
    return risksim.load_scenario(_mapping())


@pytest.fixture(scope="module")
def serial_values(scenario: risksim.Scenario) -> np.ndarray:
    return risksim.simulate(scenario, n_sims=N_SIMS, seed=SEED).losses.to_numpy()


@pytest.fixture(scope="module")
def cluster() -> Iterator[distributed.LocalCluster]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        yield local


def test_embedded_cluster_gives_the_serial_bits(scenario: risksim.Scenario,
                                                serial_values: np.ndarray) -> None:
    result = risksim.simulate(scenario, n_sims=N_SIMS, seed=SEED, backend="dask", workers=2)
    assert np.array_equal(result.losses.to_numpy(), serial_values)
    assert result.metadata["backend"] == "dask"


def test_the_embedded_cluster_leaves_no_scratch_space(scenario: risksim.Scenario,
                                                      tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Dask's workers keep a scratch folder (``dask-scratch-space`` in the temp folder by
    default): the embedded cluster's goes into a folder of its own, removed afterwards."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    with dask.config.set({"temporary-directory": str(temp)}):  # where Dask's scratch goes
        result = risksim.simulate(scenario, n_sims=N_SIMS, seed=SEED, backend="dask",
                                  workers=1)
    assert result.metadata["backend"] == "dask"
    assert list(temp.iterdir()) == []


def test_a_lost_worker_is_replaced_and_its_blocks_recomputed(
        scenario: risksim.Scenario, serial_values: np.ndarray,
        cluster: distributed.LocalCluster) -> None:
    with distributed.Client(cluster.scheduler_address) as client:
        before = set(client.scheduler_info()["workers"])
        victim = sorted(before)[0]
        pid = client.run(os.getpid, workers=[victim])[victim]
    backend = DaskBackend(address=cluster.scheduler_address, min_task_seconds=0.0)
    assert backend.n_workers == 2
    results = {}
    stream = run_job(backend, BlockJob(scenario.plan, SEED, N_SIMS), missing_ranges(N_SIMS, []))
    for i, (task, rows) in enumerate(stream):
        results[task] = rows
        if i == 1:  # the pilot and one Dask task are done: kill a worker mid-run
            os.kill(pid, signal.SIGKILL)
    with distributed.Client(cluster.scheduler_address) as client:
        client.wait_for_workers(2, timeout=30)
        after = set(client.scheduler_info()["workers"])
    assert victim not in after  # the worker really died (its nanny started a new one)
    blocks = [b for start, stop in sorted(results) for b in range(start, stop)]
    assert blocks == list(range(6))  # every block once
    assert np.array_equal(np.concatenate([results[t] for t in sorted(results)])[:, :3],
                          serial_values)


def test_worker_with_another_risksim_is_refused() -> None:
    here = worker_versions()
    check_worker_versions({"tcp://127.0.0.1:1": here})
    with pytest.raises(risksim.InputError,
                       match=r"Dask worker tcp://127.0.0.1:2 runs risksim 0.0.1 .*same risksim"):
        check_worker_versions({"tcp://127.0.0.1:1": here, "tcp://127.0.0.1:2": ("0.0.1", 1)})


def test_unreachable_scheduler_is_a_one_line_error() -> None:
    with pytest.raises(risksim.InputError, match="cannot reach the Dask scheduler"):
        DaskBackend(address="tcp://127.0.0.1:9", connect_timeout=1.0)
    # a refused connection is told as such at once (the client itself would wait out its
    # 30 s connect timeout and say it timed out)
    with pytest.raises(risksim.InputError, match="connection refused"):
        DaskBackend(address="tcp://127.0.0.1:9")


@pytest.mark.slow
def test_scheduler_and_workers_started_as_separate_processes(
        tmp_path: Path, scenario: risksim.Scenario, serial_values: np.ndarray) -> None:
    dask = Path(sys.executable).parent / "dask"
    file = tmp_path / "scheduler.json"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    processes = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", "0",
                                   "--no-dashboard", "--scheduler-file", str(file)],
                                  env=env, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        processes.append(subprocess.Popen(
            [str(dask), "worker", "--scheduler-file", str(file), "--nworkers", "2",
             "--nthreads", "1", "--no-dashboard"], env=env, stderr=subprocess.DEVNULL))
        address = json.loads(file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        with distributed.Client(address) as client:
            client.wait_for_workers(2, timeout=60)
        scenario_file = tmp_path / "scenario.json"
        out = tmp_path / "out"
        scenario_file.write_text(json.dumps(_mapping()))
        subprocess.run([sys.executable, "-m", "risksim", "run", str(scenario_file), "--sims",
                        str(N_SIMS), "--seed", str(SEED), "--address", address, "--out",
                        str(out)], check=True, capture_output=True, timeout=300)
        result = risksim.load_result(out)
        assert result.metadata["backend"] == "dask"
        assert np.array_equal(result.losses.to_numpy(), serial_values)
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=30)


def test_common_random_number_runs_give_the_serial_tables_on_dask(
        scenario: risksim.Scenario, cluster: distributed.LocalCluster) -> None:
    # compare and contributions send their jobs (plans and per-chunk outputs) to the workers
    from risksim.analysis.contributions import contributions

    other = risksim.load_scenario(_mapping() | {"arrangement": {
        "parties": ["bank", "guarantor"],
        "layers": [{"party": "guarantor", "share_of_loss": 0.8},
                   {"party": "bank", "residual": True}]}})
    serial = risksim.compare([scenario, other], n_sims=N_SIMS, seed=SEED)
    on_dask = risksim.compare([scenario, other], n_sims=N_SIMS, seed=SEED,
                              address=cluster.scheduler_address)
    assert on_dask.parties.equals(serial.parties)
    assert contributions(scenario, "segment", n_sims=N_SIMS, seed=SEED,
                         address=cluster.scheduler_address).table.equals(
        contributions(scenario, "segment", n_sims=N_SIMS, seed=SEED).table)
