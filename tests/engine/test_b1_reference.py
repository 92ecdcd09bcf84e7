"""B1, the benchmark book, against its published semi-analytic reference.

Reference: shared/data/README.md of the design notes (FFT over the factor, ±0.05%; EL exact
as Σ EAD·PD·LGD). VaR is the ⌈aN⌉-th order statistic, ES the mean of the worst N(1 − a).
"""

from __future__ import annotations

import numpy as np
import pytest

import risksim
from risksim.stats import measures
from tests.builders import B1_SCENARIO

REFERENCE = {
    "EL": 168_049_466.73,
    0.99: (815.40e6, 1_031.46e6),     # VaR, ES
    0.999: (1_317.25e6, 1_547.59e6),
}
REFERENCE_RELATIVE_UNCERTAINTY = 0.0005


@pytest.fixture(scope="module")
def gross() -> np.ndarray:
    result = risksim.simulate(B1_SCENARIO, n_sims=100_000, seed=20240601)
    return result.losses["gross"].to_numpy()


def _check(estimate: measures.Estimate, reference: float, what: str) -> None:
    # 4 Monte Carlo standard errors, plus the reference's own stated uncertainty.
    tolerance = 4 * estimate.se + REFERENCE_RELATIVE_UNCERTAINTY * reference
    assert abs(estimate.value - reference) <= tolerance, (what, estimate.value, reference)


def test_expected_loss_is_exact_sum() -> None:
    book = risksim.load_scenario(B1_SCENARIO).portfolio
    exact = float(np.sum(book["exposure"] * book["pd"] * book["lgd"]))
    assert exact == pytest.approx(REFERENCE["EL"], abs=0.01)


def test_b1_el_var_es_match_reference(gross: np.ndarray) -> None:
    _check(measures.mean(gross), REFERENCE["EL"], "EL")
    for level in (0.99, 0.999):
        var_ref, es_ref = REFERENCE[level]
        _check(measures.value_at_risk(gross, level), var_ref, f"VaR {level}")
        _check(measures.expected_shortfall(gross, level), es_ref, f"ES {level}")
