"""Compensation (代偿) and its rates on a hand-worked book (DOMAIN.md §6, S118-S119)."""

from __future__ import annotations

import numpy as np
import pytest

import risksim
from tests.builders import scenario_mapping, segment


def released_book() -> dict:
    """Two years; a guarantor takes 40% of every loss, recoveries shared pro rata.

    defaulted: 2 loans of 100, 3-year tenor, PD 1, LGD 0.5: default in year 1
    short:     1 loan of 100, 1-year tenor, PD 1, LGD 1: defaults in year 1 (the year it
               would have matured in: released once)
    repaid:    3 loans of 100, 1-year tenor, PD 0: mature in year 1
    running:   5 loans of 100, 3-year tenor, PD 0: still outstanding at the horizon
    """
    segments = [segment("defaulted", 2, exposure=100.0, pd=1.0, lgd=0.5, tenor_years=3),
                segment("short", 1, exposure=100.0, pd=1.0, lgd=1.0, tenor_years=1),
                segment("repaid", 3, exposure=100.0, pd=0.0, tenor_years=1),
                segment("running", 5, exposure=100.0, pd=0.0, tenor_years=3)]
    mapping = scenario_mapping(segments, layers=[
        {"party": "guarantor", "share_of_loss": 0.4}, {"party": "bank", "residual": True}],
        horizon={"years": 2, "periods_per_year": 1})
    mapping["arrangement"]["recoveries"] = {"first_to": []}
    return mapping


def test_compensation_rates_against_released_guarantees() -> None:
    result = risksim.simulate(released_book(), n_sims=4, seed=1)
    ind = result.indicators
    # 代偿 C = 40% of each defaulted loan's principal: 3 × 40 = 120.
    assert np.allclose(ind["guarantor.compensation"], 120.0, rtol=0, atol=1e-9)
    # recovery 100 − 50 = 50 on each 'defaulted' loan, 40% of it to the guarantor: 2 × 20
    # = 40; nothing on the 'short' one (LGD 1).
    assert np.allclose(ind["guarantor.recoveries"], 40.0, rtol=0, atol=1e-9)
    # released (解除担保): defaulted 2 × 40 + short 40 + repaid 3 × 40 = 240; the running
    # loans' guarantees (5 × 40) are not released within the horizon.
    assert np.allclose(ind["guarantor.released"], 240.0, rtol=0, atol=1e-9)
    row = result.recovery_summary().loc["guarantor"]
    assert row["compensation_rate"] == pytest.approx(120 / 240)  # 代偿率 (not 120 / 440)
    assert row["recovery_rate"] == pytest.approx(40 / 120)       # 代偿回收率
    assert row["loss_rate"] == pytest.approx(1 - 40 / 120)       # 代偿损失率
    assert row["compensation_rate_se"] == pytest.approx(0.0, abs=1e-12)  # deterministic


def test_compensation_counts_the_principal_not_the_interest() -> None:
    # With 180 days of interest at 10% a year accrued and lost at default, the loss of a
    # defaulted loan is 50 + 100 × 10% × 180/360 = 55 (LGD on the principal, the interest
    # lost, 30/360), of the short loan 100 + 5; the guarantor's compensation stays 40% of the
    # principal, 40 a loan.
    mapping = released_book()
    mapping["portfolio"]["accrued_interest_days"] = 180
    for seg in mapping["portfolio"]["generate"]["segments"]:
        seg["interest_rate"] = 0.10
    result = risksim.simulate(mapping, n_sims=3, seed=1)
    assert np.allclose(result.losses["gross"], 200 + 3 * 100 * 0.10 * 180 / 360, rtol=1e-12)
    assert np.allclose(result.indicators["guarantor.compensation"], 120.0, rtol=0, atol=1e-9)
