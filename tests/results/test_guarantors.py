"""Guarantor figures of a run (issue 13.5): capital consumed, P(insolvency), leverage against
its limit, P(leverage breach), in the text report, --format json|csv and --out."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from scipy import stats

import risksim
from risksim.cli.commands import main
from tests.builders import scenario_mapping, segment


def leveraged_book() -> dict:
    """The book of tests/rules/test_layers.py::test_leverage_counts_outstanding_guarantees_only
    with a limit of 12: capital 100, 50 consumed in year 1, leverage 5, 13, 13, 5 at
    t = 0, 1, 2, 3 (a breach: 13 > 12)."""
    layers = [{"party": "guarantor", "share_of_loss": 0.5, "capital": 100.0,
               "leverage": {"limit": 12.0}},
              {"party": "bank", "residual": True}]
    segments = [segment("bad", 2, exposure=100.0, pd=1.0, lgd=0.5, tenor_years=3),
                segment("good", 8, exposure=100.0, pd=0.0, tenor_years=3),
                segment("new", 5, exposure=100.0, pd=0.0, tenor_years=3, origination_year=1)]
    return scenario_mapping(segments, layers=layers, horizon={"years": 3, "periods_per_year": 1})


def test_guarantor_summary_of_a_hand_worked_book() -> None:
    # Every simulation alike: capital used 50 (2 loans × 100 × LGD 0.5 × 50%), never
    # insolvent, leverage 13 at the end of years 1 and 2 and 5 at the end of year 3, max 13.
    row = risksim.simulate(leveraged_book(), n_sims=50, seed=2).guarantor_summary().loc[
        "guarantor"]
    expected = {"capital": 100.0, "leverage_limit": 12.0, "p_insolvent": 0.0,
                "p_insolvent_se": 0.0, "p_leverage_breach": 1.0, "p_leverage_breach_se": 0.0,
                "capital_used": 50.0, "capital_used_se": 0.0, "capital_used_0.99": 50.0,
                "max_leverage_median": 13.0, "max_leverage_0.99": 13.0,
                "leverage_year_1_median": 13.0, "leverage_year_2_median": 13.0,
                "leverage_year_3_median": 5.0, "leverage_year_3_0.999": 5.0}
    for name, value in expected.items():
        assert row[name] == pytest.approx(value, rel=1e-12, abs=1e-12), name


def test_insolvency_and_capital_used_match_the_binomial_closed_form() -> None:
    # 100 independent loans of 1 (correlation 0), PD 0.1, LGD 1, the guarantor pays all of
    # each loss out of capital 12, one period: defaults N ~ Binomial(100, 0.1);
    # insolvent iff N > 12, so P = P(N > 12) = binom.sf(12); capital used min(N, 12), with
    # E = Σ_k min(k, 12) pmf(k). Tolerances: 4 standard errors, √(p(1 − p)/n) for the
    # probability and sd(min(N, 12))/√n for the mean, both from the closed form.
    n_sims = 20_000
    layers = [{"party": "guarantor", "share_of_loss": 1.0, "capital": 12.0},
              {"party": "bank", "residual": True}]
    mapping = scenario_mapping([segment("book", 100, exposure=1.0, pd=0.1, lgd=1.0)],
                               layers=layers, correlation=0.0)
    row = risksim.simulate(mapping, n_sims=n_sims, seed=9).guarantor_summary().loc["guarantor"]
    k = np.arange(101)
    pmf = stats.binom.pmf(k, 100, 0.1)
    p_insolvent = stats.binom.sf(12, 100, 0.1)
    used_mean = float(np.minimum(k, 12) @ pmf)
    used_sd = float(np.sqrt((np.minimum(k, 12) - used_mean) ** 2 @ pmf))
    p_se = np.sqrt(p_insolvent * (1 - p_insolvent) / n_sims)
    assert abs(row["p_insolvent"] - p_insolvent) <= 4 * p_se
    assert row["p_insolvent_se"] == pytest.approx(p_se, rel=0.1)
    assert abs(row["capital_used"] - used_mean) <= 4 * used_sd / np.sqrt(n_sims)
    assert row["capital_used_0.95"] == 12.0  # P(N ≥ 12) ≈ 0.30 > 5%: the 95% point is capped
    assert np.isnan(row["p_leverage_breach"])  # no leverage limit


def test_run_prints_and_writes_the_guarantor_figures(tmp_path: Path) -> None:
    path = tmp_path / "book.yaml"
    path.write_text(yaml.safe_dump(leveraged_book()))
    args = ["run", str(path), "--sims", "50", "--seed", "2", "-q"]
    text = CliRunner().invoke(main, args).stdout
    lines = text.splitlines()
    capital = next(line for line in lines if line.startswith("guarantor ") and "100.00" in line)
    assert capital.split() == ["guarantor", "100.00", "50.00", "(0.00)", "50.00", "(0.00)",
                               "50.00", "(0.00)", "50.00", "(0.00)", "0.000%", "(0.000%)"]
    leverage = [line for line in lines if line.startswith("guarantor ") and "12x" in line]
    assert leverage[0].split() == ["guarantor", "12x", "100.000%", "(0.000%)", "13.00x", "/",
                                   "13.00x", "13.00x", "/", "13.00x", "13.00x", "/", "13.00x",
                                   "5.00x", "/", "5.00x"]
    document = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).stdout)
    assert document["guarantor_summary"]["guarantor"]["leverage_year_1_median"] == 13.0
    assert document["guarantor_summary"]["guarantor"]["capital_used"] == 50.0
    csv = CliRunner().invoke(main, [*args, "--format", "csv"]).stdout
    frame = pd.read_csv(io.StringIO(csv), index_col="party")
    assert frame.loc["guarantor", "capital.p_leverage_breach"] == 1.0
    assert frame.loc["guarantor", "capital.leverage_year_3_median"] == 5.0
    assert np.isnan(frame.loc["bank", "capital.capital"])
    CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out")])
    saved = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert saved["guarantor_summary"] == document["guarantor_summary"]
