"""The shipped scenario files: the real schemes are there, and each says its sources and
marks its illustrative values. (Every contract they meet — conservation, terms, bits,
round trips — is checked on each of them by tests/contracts.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from risksim.scenario.json_schema import SCHEMA_FILE
from tests.builders import ROOT

FILES = sorted(ROOT.glob("scenarios/*.yaml"))
REQUIRED_SCHEMES = {"bank_alone_baseline", "wangcheng_patent_loan", "china_nfgf_2242",
                    "risk_pool_annual_cap_trigger", "sba_7a", "eif_capped_50_20",
                    "japan_cgc_80", "npl_tolerance_3pp"}


def test_the_real_schemes_are_shipped() -> None:
    assert {path.stem for path in FILES} >= REQUIRED_SCHEMES


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario_file_cites_sources_and_marks_illustrative_values(path: Path) -> None:
    text = path.read_text("utf-8")
    assert text.startswith(f"# yaml-language-server: $schema=../risksim/data/{SCHEMA_FILE}")
    comments = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    assert "SCENARIOS.md" in comments or "variant of" in comments
    assert "[U" in comments or "[V" in comments
