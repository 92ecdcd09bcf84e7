"""Contract tests run on every shipped scenario file (and the embedded default): each loads,
simulates, conserves every loss, keeps every party within its terms, and says its sources."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import risksim
from risksim.scenario.json_schema import SCHEMA_FILE
from tests.builders import ROOT

FILES = sorted(ROOT.glob("scenarios/*.yaml"))
REQUIRED_SCHEMES = {"bank_alone_baseline", "wangcheng_patent_loan", "china_nfgf_2242",
                    "risk_pool_annual_cap_trigger", "sba_7a", "eif_capped_50_20",
                    "japan_cgc_80", "npl_tolerance_3pp"}


def test_the_real_schemes_are_shipped() -> None:
    assert {path.stem for path in FILES} >= REQUIRED_SCHEMES


@pytest.mark.parametrize("path", [*FILES, None], ids=[p.stem for p in FILES] + ["default"])
def test_scenario_contract(path: Path | None) -> None:
    scenario = risksim.load_scenario(path)
    result = risksim.simulate(scenario, n_sims=1_000, seed=3)
    losses = result.losses
    parties = losses[list(scenario.parties)]
    assert np.allclose(parties.sum(axis=1), losses["gross"], rtol=1e-9, atol=1e-3)
    assert (parties.to_numpy() >= -1e-9).all()
    assert losses["gross"].mean() > 0
    assert (result.fees.to_numpy() >= 0).all()
    assert set(np.unique(result.probabilities()["probability"] >= 0)) <= {True}
    summary = result.summary()
    assert (summary["VaR_0.99"] <= summary["ES_0.99"] + 1e-9).all()


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario_file_cites_sources_and_marks_illustrative_values(path: Path) -> None:
    text = path.read_text("utf-8")
    assert text.startswith(f"# yaml-language-server: $schema=../risksim/data/{SCHEMA_FILE}")
    comments = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    assert "SCENARIOS.md" in comments or "variant of" in comments
    assert "[U" in comments or "[V" in comments
