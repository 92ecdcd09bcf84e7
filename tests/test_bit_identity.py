"""Every shipped scenario gives the same bits as when it was recorded (issue 12: a redesign
that moves code must not change one number).

``tests/data/bit_identity.json`` holds, for every file in ``scenarios/`` and the embedded
default at two seeds, SHA-256 digests of the per-simulation losses, of the rules' indicators
and of the fees, and the summary table to the last bit (``float.hex``). It was written by
``python -m tests.test_bit_identity --record`` before the layers were moved; record again
only for a change that is meant to change results, and say so in its commit.

The digests are of float64 bytes, and ``np.exp``/``np.log`` may differ in the last bit
between numpy builds and CPU instruction sets (DESIGN.md): on another numpy version or
machine kind the digests are not compared, the summary is compared to 1e-9 relative.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import risksim
from risksim.streams import BLOCK_SIZE
from tests.builders import ROOT

RECORD = ROOT / "tests" / "data" / "bit_identity.json"
FILES = sorted(ROOT.glob("scenarios/*.yaml"))
SEEDS = (3, 20261201)
N_SIMS = 2 * BLOCK_SIZE + 123
"""Two whole blocks and part of a third."""


def _digest(frame: pd.DataFrame) -> str:
    """SHA-256 of the column names and the float64 values of ``frame`` (row-major)."""
    digest = hashlib.sha256("\x1f".join(map(str, frame.columns)).encode())
    digest.update(np.ascontiguousarray(frame.to_numpy(dtype=np.float64)).tobytes())
    return digest.hexdigest()


def _fingerprint(path: Path | None, seed: int) -> dict[str, Any]:
    result = risksim.simulate(risksim.load_scenario(path), n_sims=N_SIMS, seed=seed)
    summary = result.summary()
    return {"losses": _digest(result.losses), "indicators": _digest(result.indicators),
            "fees": _digest(result.fees),
            "summary": {party: {key: float(value).hex() for key, value in row.items()}
                        for party, row in summary.to_dict(orient="index").items()}}


def _environment() -> dict[str, str]:
    return {"numpy": np.__version__, "machine": platform.machine()}


def _cases() -> list[tuple[str, Path | None, int]]:
    return [(path.stem if path else "default", path, seed)
            for path in [*FILES, None] for seed in SEEDS]


def record() -> None:
    """Write :data:`RECORD` from the code as it is now."""
    cases = {f"{name}@{seed}": _fingerprint(path, seed) for name, path, seed in _cases()}
    RECORD.write_text(json.dumps({"environment": _environment(), "n_sims": N_SIMS,
                                  "cases": cases}, indent=1, sort_keys=True) + "\n", "utf-8")


@pytest.fixture(scope="module")
def recorded() -> dict[str, Any]:
    return dict(json.loads(RECORD.read_text("utf-8")))


def test_every_scenario_and_seed_is_recorded(recorded: dict[str, Any]) -> None:
    assert recorded["n_sims"] == N_SIMS
    assert sorted(recorded["cases"]) == sorted(f"{name}@{seed}" for name, _, seed in _cases())


@pytest.mark.slow
@pytest.mark.parametrize(("name", "path", "seed"), _cases(),
                         ids=[f"{name}@{seed}" for name, _, seed in _cases()])
def test_results_are_bit_identical_to_the_record(recorded: dict[str, Any], name: str,
                                                 path: Path | None, seed: int) -> None:
    expected = recorded["cases"][f"{name}@{seed}"]
    found = _fingerprint(path, seed)
    assert found["summary"].keys() == expected["summary"].keys()
    if recorded["environment"] == _environment():
        assert found == expected
        return
    for party, row in expected["summary"].items():
        for key, value in row.items():
            assert float.fromhex(found["summary"][party][key]) == pytest.approx(
                float.fromhex(value), rel=1e-9, abs=1e-9, nan_ok=True), (party, key)


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit("usage: python -m tests.test_bit_identity --record")
    record()
    print(f"wrote {RECORD}")
