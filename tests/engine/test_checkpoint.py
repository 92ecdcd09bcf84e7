"""Resumable runs: a run killed mid-way and resumed gives the bytes of an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import risksim
from risksim.engine.checkpoint import MANIFEST, saved_tasks, task_file
from risksim.streams import BLOCK_SIZE, n_blocks
from tests.builders import B1_SCENARIO, scenario_mapping, segment

N_SIMS = 9 * BLOCK_SIZE + 5


@pytest.fixture(scope="module")
def scenario() -> risksim.Scenario:
    return risksim.load_scenario(scenario_mapping(
        [segment("a", 300, pd=0.05, lgd={"beta": {"mean": 0.4, "sd": 0.2}})],
        layers=[{"party": "guarantor", "share_of_loss": 0.7},
                {"party": "bank", "residual": True}]))


@pytest.mark.parametrize("streaming", [False, True])
def test_resume_runs_only_the_missing_blocks_and_gives_the_same_result(
        tmp_path: Path, scenario: risksim.Scenario, streaming: bool) -> None:
    folder = tmp_path / "checkpoint"
    whole = risksim.simulate(scenario, n_sims=N_SIMS, seed=4, backend="process", workers=2,
                             checkpoint=folder, streaming=streaming)
    tasks = saved_tasks(folder)
    assert [b for start, stop in tasks for b in range(start, stop)] == list(range(10))
    # Lose every other task (as if killed while they ran) and resume on another backend.
    lost = tasks[1::2]
    for task in lost:
        (folder / task_file(task)).unlink()
    touched = {task: (folder / task_file(task)).stat().st_mtime_ns for task in tasks[::2]}
    resumed = risksim.simulate(scenario, n_sims=N_SIMS, seed=4, checkpoint=folder, resume=True,
                               streaming=streaming)
    assert {t: (folder / task_file(t)).stat().st_mtime_ns for t in touched} == touched
    rerun = sorted(set(saved_tasks(folder)) - set(touched))
    assert [b for a, z in rerun for b in range(a, z)] == [b for a, z in lost
                                                          for b in range(a, z)]
    if streaming:
        assert resumed.summary().equals(whole.summary())
        assert resumed.n_sims == N_SIMS
    else:
        assert np.array_equal(resumed.losses.to_numpy(), whole.losses.to_numpy())


def test_checkpoint_of_another_run_is_refused(tmp_path: Path,
                                               scenario: risksim.Scenario) -> None:
    folder = tmp_path / "checkpoint"
    risksim.simulate(scenario, n_sims=N_SIMS, seed=4, checkpoint=folder)
    assert (folder / MANIFEST).is_file()
    with pytest.raises(risksim.InputError, match="unfinished run: resume it"):
        risksim.simulate(scenario, n_sims=N_SIMS, seed=4, checkpoint=folder)
    with pytest.raises(risksim.InputError, match=r"another run \(n_sims, seed differ\)"):
        risksim.simulate(scenario, n_sims=N_SIMS + 1, seed=5, checkpoint=folder, resume=True)


@pytest.mark.slow
def test_killed_command_resumes_to_the_bytes_of_an_uninterrupted_run(tmp_path: Path) -> None:
    n_sims = 100 * BLOCK_SIZE
    command = [sys.executable, "-m", "risksim", "run", str(B1_SCENARIO), "--sims", str(n_sims),
               "--seed", "8", "--quiet"]
    killed = tmp_path / "killed"
    checkpoint = killed / "checkpoint"
    process = subprocess.Popen([*command, "--out", str(killed)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    # The run at the lowest priority, so that on a loaded machine this process (polling every
    # 5 ms) is scheduled long before the run can finish its 100 blocks; kill it as soon as
    # the first task file exists, however long loading the book takes.
    os.setpriority(os.PRIO_PROCESS, process.pid, 19)
    deadline = time.monotonic() + 300
    while not saved_tasks(checkpoint):
        assert process.poll() is None, "the run ended before any block was checkpointed"
        assert time.monotonic() < deadline, "no block checkpointed within 300 s"
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    done = sum(stop - start for start, stop in saved_tasks(checkpoint))
    assert 0 < done < n_blocks(n_sims)  # killed mid-run, with some blocks saved
    assert not (killed / "losses.csv").exists()
    resumed = subprocess.run([*command, "--out", str(killed), "--resume"], capture_output=True,
                             text=True, check=True, timeout=300)
    assert f"resuming: {done:,} blocks done" in resumed.stderr
    assert not checkpoint.exists()  # removed once the result is written
    whole = tmp_path / "whole"
    subprocess.run([*command, "--out", str(whole)], check=True, capture_output=True, timeout=300)
    for name in ("losses.csv", "losses.parquet"):
        assert (killed / name).read_bytes() == (whole / name).read_bytes()
