"""The NPL tolerance monitor: hand-worked ratios and the exact breach probability."""

from __future__ import annotations

import math

import numpy as np
import pytest

import risksim
from risksim.models.analytic import finite_pool_default_pmf
from tests.builders import scenario_mapping, segment


def with_tolerance(mapping: dict, overall: float, margin: float = 0.03) -> dict:
    mapping["npl_tolerance"] = {"overall_npl_ratio": overall, "margin": margin,
                                "consequence": "staff lose the due-diligence exemption"}
    return mapping


def test_hand_worked_npl_ratio() -> None:
    # 3 of 10 equal loans surely default in year 1: NPL ratio 30%. Tolerance 1.5% + 3pp =
    # 4.5% is breached; with overall 28% (+3pp = 31%) it is not.
    segments = [segment("bad", 3, exposure=100.0, pd=1.0), segment("good", 7, exposure=100.0,
                                                                  pd=0.0)]
    for overall, breach in ((0.015, 1.0), (0.28, 0.0)):
        result = risksim.simulate(with_tolerance(scenario_mapping(segments), overall),
                                  n_sims=10, seed=1)
        assert np.allclose(result.indicators["npl.max_ratio"], 0.3)
        assert (result.indicators["npl.breach"] == breach).all()


def test_breach_probability_matches_the_exact_finite_pool() -> None:
    # One year, 200 equal loans, PD 3%, rho 0.15: P(breach) = P(D/200 > 4.5%) = P(D > 9),
    # from the exact distribution of the number of defaults.
    n_loans, n_sims = 200, 40_000
    mapping = with_tolerance(scenario_mapping([segment(count=n_loans, pd=0.03)]), 0.015)
    breach = risksim.simulate(mapping, n_sims=n_sims, seed=8).indicators["npl.breach"]
    exact = float(finite_pool_default_pmf(n_loans, 0.03, 0.15)[10:].sum())
    se = math.sqrt(exact * (1 - exact) / n_sims)
    assert abs(breach.mean() - exact) <= 4 * se
    assert 0.05 < exact < 0.5  # the test looks at the body, not a corner


def test_npl_tolerance_is_validated() -> None:
    mapping = scenario_mapping()
    mapping["npl_tolerance"] = {"overall_npl_ratio": 1.5}
    with pytest.raises(risksim.InputError,
                       match=r"npl_tolerance\.overall_npl_ratio: 1\.5 is above"):
        risksim.load_scenario(mapping)
