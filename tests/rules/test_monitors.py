"""The NPL tolerance monitor: hand-worked ratios and the exact breach probability."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import risksim
from risksim.models.analytic import finite_pool_default_pmf
from tests.builders import scenario_mapping, segment, two_vintages_with_lending_stop


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


def three_year_book(layers: list[dict] | None = None, basis: str | None = None,
                    overall: float = 0.11) -> dict:
    """Ten 3-year bullet loans of 100 and one 2-year loan of 100 granted in year 2.

    Year 1: the two ``early`` loans (LGD 0.5) surely default; year 2: the ``late`` loan
    (LGD 1) does; the seven ``good`` ones never do. The guarantor takes 40% of every loss
    unless ``layers`` say otherwise. Tolerance: ``overall`` + 3pp.
    """
    segments = [segment("early", 2, exposure=100.0, pd=1.0, lgd=0.5, tenor_years=3),
                segment("late", 1, exposure=100.0, pd=1.0, lgd=1.0, tenor_years=2,
                        origination_year=1),
                segment("good", 7, exposure=100.0, pd=0.0, tenor_years=3)]
    layers = layers or [{"party": "guarantor", "share_of_loss": 0.4},
                        {"party": "bank", "residual": True}]
    mapping = with_tolerance(scenario_mapping(segments, layers=layers,
                                              horizon={"years": 3, "periods_per_year": 1}),
                             overall)
    if basis is not None:
        mapping["npl_tolerance"]["basis"] = basis
    return mapping


# Book at the start of each year (scheduled, defaulted loans included):
#   year 1: early 2 × 100 + good 7 × 100             =   900 (late not yet granted)
#   year 2: early 200 + good 700 + late 100          = 1,000
#   year 3: early 200 + good 700 + late 100 (age 1)  = 1,000
# Gross NPL: year 1 = 200 / 900; year 2 = 100 / 1,000; year 3 = 0.
# Compensation C = 40% of the principal at default: early 2 × 40 = 80, late 40.
# Net NPL: year 1 = (200 − 80) / 900 = 120 / 900; year 2 = (100 − 40) / 1,000 = 60 / 1,000.
BOOK = (900.0, 1000.0, 1000.0)
GROSS_NPL = (200.0, 100.0, 0.0)
NET_NPL = (120.0, 60.0, 0.0)


@pytest.mark.parametrize("recoveries", [False, True])
def test_hand_worked_gross_and_net_npl_over_three_years(recoveries: bool) -> None:
    mapping = three_year_book()
    if recoveries:  # the same compensation amounts whether or not recoveries are shared
        mapping["arrangement"]["recoveries"] = {"first_to": []}
    result = risksim.simulate(mapping, n_sims=4, seed=1)
    ind = result.indicators
    for year in range(3):
        assert np.allclose(ind[f"npl.gross.year_{year + 1}"] * BOOK[year], GROSS_NPL[year],
                           rtol=0, atol=1e-9)
        assert np.allclose(ind[f"npl.net.year_{year + 1}"] * BOOK[year], NET_NPL[year],
                           rtol=0, atol=1e-9)
    # tolerance 11% + 3pp = 14%: gross 22.2% breaches it, net 13.3% does not
    assert np.allclose(ind["npl.gross.max_ratio"], 200 / 900)
    assert np.allclose(ind["npl.net.max_ratio"], 120 / 900)
    assert (ind["npl.gross.breach"] == 1.0).all() and (ind["npl.net.breach"] == 0.0).all()
    assert (ind["npl.breach"] == 0.0).all()  # the test runs on the net ratio by default
    if recoveries:  # 代偿: 80 + 40, what the net NPL takes out
        assert np.allclose(ind["guarantor.compensation"], 120.0, rtol=0, atol=1e-9)


def test_the_tolerance_test_runs_on_the_named_basis() -> None:
    for basis, breach, highest in (("gross", 1.0, 200 / 900), ("net", 0.0, 120 / 900)):
        ind = risksim.simulate(three_year_book(basis=basis), n_sims=3, seed=2).indicators
        assert (ind["npl.breach"] == breach).all()
        assert np.allclose(ind["npl.max_ratio"], highest)


def test_compensation_through_cells_equals_per_loan() -> None:
    # A per-loan cap makes the rules need every event; without it alike loans are summed
    # into cells. A cap of 100 never binds (the largest share is 40): same ratios.
    capped = [{"party": "guarantor", "share_of_loss": 0.4, "per_loan_cap": 100.0},
              {"party": "bank", "residual": True}]
    cells = risksim.simulate(three_year_book(), n_sims=3, seed=2).indicators
    events = risksim.simulate(three_year_book(capped), n_sims=3, seed=2).indicators
    npl = [name for name in cells.columns if name.startswith("npl.")]
    assert len(npl) == 2 * (3 + 2) + 2
    pd.testing.assert_frame_equal(cells[npl], events[npl])


def test_compensation_lowers_the_net_breach_probability_on_common_random_numbers() -> None:
    # Same book, seed and draws; the bank alone against a guarantor taking 50%. Per
    # simulation the gross ratios are equal and the net breach can only go down; the
    # mean fall is more than 4 paired standard errors.
    book = [segment(count=400, pd=0.03, lgd=0.8)]
    alone = with_tolerance(scenario_mapping(book), 0.015)
    shared = with_tolerance(scenario_mapping(book, layers=[
        {"party": "guarantor", "share_of_loss": 0.5}, {"party": "bank", "residual": True}]),
        0.015)
    n_sims = 8_000
    a = risksim.simulate(alone, n_sims=n_sims, seed=4).indicators
    b = risksim.simulate(shared, n_sims=n_sims, seed=4).indicators
    assert (a["npl.gross.year_1"] == b["npl.gross.year_1"]).all()
    assert (a["npl.gross.breach"] == b["npl.gross.breach"]).all()
    assert (a["npl.net.breach"] == a["npl.gross.breach"]).all()  # nobody compensates
    fall = (a["npl.net.breach"] - b["npl.net.breach"]).to_numpy()
    assert (fall >= 0).all()
    paired_se = fall.std(ddof=1) / math.sqrt(n_sims)
    assert fall.mean() > 4 * paired_se
    assert 0.05 < a["npl.breach"].mean() < 0.95  # the body of the distribution, not a corner


def test_the_timeline_threshold_is_the_npl_tolerance_not_another_monitors() -> None:
    # A lending-stop trigger (threshold 5%) is a monitor too; without an npl_tolerance the
    # timeline has no NPL threshold, with one it has overall + margin = 1.5% + 3pp.
    mapping = two_vintages_with_lending_stop(0.05)
    mapping["timeline"] = {"keep_paths": 1}
    result = risksim.simulate(mapping, n_sims=2, seed=1, timeline=True)
    assert result.timeline is not None
    assert result.timeline.npl_summary()["threshold"] is None
    dated = risksim.simulate(with_tolerance(mapping, 0.015), n_sims=2, seed=1, timeline=True)
    assert dated.timeline is not None
    assert dated.timeline.npl_summary()["threshold"] == pytest.approx(0.045)
