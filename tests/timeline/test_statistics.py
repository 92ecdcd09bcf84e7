"""Statistical checks of the timeline's random dates against exact expectations (fixed
seed, tolerance four Monte Carlo standard errors derived here)."""

from __future__ import annotations

import numpy as np

import risksim
from risksim.stats import measures
from tests.builders import scenario_mapping, segment

N_LOANS, PD, RATE = 50, 0.3, 0.2


def test_present_value_of_uniform_default_dates_and_workout_lags() -> None:
    # Independent loans (correlation 0) of 1 with PD 0.3 and LGD 0.5, one year, 12 repayment
    # dates: a default falls on day 30j, j uniform on 1..12; its recovery 0.5 comes a
    # workout lag later, 30·M days with M = rint(12U), U uniform on [1, 3] years: M = 12 and
    # 36 with probability 1/48 each, 13..35 with 1/24 each. With v(t) = 1.2^(−t/360) the
    # lender's flows are −1 at default and +0.5 at recovery, so
    #   E[PV] = n·p·E[v(30j)]·(−1 + 0.5·E[v(30M)])   (j and M independent).
    mapping = scenario_mapping([segment("book", N_LOANS, pd=PD, lgd=0.5)], correlation=0.0)
    mapping["timeline"] = {"workout_lag": {"uniform": [1.0, 3.0]}, "discount_rate": RATE}
    result = risksim.simulate(risksim.load_scenario(mapping), n_sims=4_000, seed=21,
                              timeline=True)
    assert result.timeline is not None

    def v(days: np.ndarray) -> np.ndarray:
        return (1 + RATE) ** (-days / 360)

    default = v(30 * np.arange(1, 13)).mean()
    months = np.arange(12, 37)
    weight = np.where((months == 12) | (months == 36), 1 / 48, 1 / 24)
    recovery = (weight * v(30 * months)).sum()
    expected = N_LOANS * PD * default * (-1 + 0.5 * recovery)
    value = result.timeline.parties.xs("bank", level="party")["present_value"].to_numpy()
    estimate = measures.mean(value)
    assert abs(estimate.value - expected) <= 4 * estimate.se


def test_cures_leave_the_npl_stock_with_their_probability() -> None:
    # Loans of 1 with PD 0.3 default on day 360 (one repayment date a year), are NPLs from
    # day 450 (month 15) and written off 360 days later unless they cure after 30 days
    # (probability 0.4). At the end of month 16 (day 480) only the uncured are left:
    # E[NPL stock] = n·p·(1 − 0.4); the book is the 50 loans of 1 (tenor 2 years).
    mapping = scenario_mapping([segment("book", N_LOANS, pd=PD, lgd=1.0, tenor_years=2)],
                               correlation=0.0, horizon={"years": 2, "periods_per_year": 1})
    mapping["timeline"] = {"payments_per_year": 1, "write_off_after_days": 360,
                           "cure": {"probability": 0.4, "after_days": 30}}
    result = risksim.simulate(risksim.load_scenario(mapping), n_sims=3_000, seed=9,
                              timeline=True)
    assert result.timeline is not None
    paths = result.timeline.npl_paths["ratio"].unstack("month")
    stock = paths[16].to_numpy() * N_LOANS
    estimate = measures.mean(stock)
    # loans defaulting in year 0 only are NPLs by month 16 (year-1 defaults fall on day 720)
    expected = N_LOANS * PD * (1 - 0.4)
    assert abs(estimate.value - expected) <= 4 * estimate.se
    assert (paths[15].to_numpy() > paths[16].to_numpy()).any()  # the cures left on day 480
