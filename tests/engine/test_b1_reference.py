"""B1, the benchmark book, against its semi-analytic reference (benchmarks/b1_reference.py:
the figures, their source and derivation, and the one tolerance rule, 4 Monte Carlo standard
errors plus the reference's own stated uncertainty)."""

from __future__ import annotations

import numpy as np
import pytest

import risksim
from benchmarks.b1_reference import REFERENCE, tolerance
from risksim.stats import measures
from tests.builders import B1_SCENARIO


@pytest.fixture(scope="module")
def gross() -> np.ndarray:
    result = risksim.simulate(B1_SCENARIO, n_sims=100_000, seed=20240601)
    return result.losses["gross"].to_numpy()


def _check(estimate: measures.Estimate, measure: str) -> None:
    reference = REFERENCE[measure]
    assert abs(estimate.value - reference) <= tolerance(measure, estimate.se), (
        measure, estimate.value, reference, estimate.se)


def test_expected_loss_is_exact_sum() -> None:
    book = risksim.load_scenario(B1_SCENARIO).portfolio
    exact = float(np.sum(book["exposure"] * book["pd"] * book["lgd"]))
    assert exact == pytest.approx(REFERENCE["EL"], abs=0.01)


def test_b1_el_var_es_match_reference(gross: np.ndarray) -> None:
    _check(measures.mean(gross), "EL")
    for level in (0.99, 0.999):
        _check(measures.value_at_risk(gross, level), f"VaR_{level:g}")
        _check(measures.expected_shortfall(gross, level), f"ES_{level:g}")
