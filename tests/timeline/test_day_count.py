"""One day count for accrued interest: the engine's loss and the timeline's cash agree on
30/360 (interest = outstanding × annual rate × days / 360), worked by hand."""

from __future__ import annotations

import pytest

import risksim
from tests.builders import scenario_mapping, segment


def test_accrued_interest_counts_30_360_in_the_engine_and_the_timeline() -> None:
    # One loan of 1,000,000 at 7.2% a year defaults (PD 1) with 90 days of interest unpaid,
    # LGD 0.5. Interest lost: 1,000,000 × 0.072 × 90 / 360 = 18,000 (on actual/365 it would
    # be 17,753.42). Loss: 500,000 + 18,000 = 518,000; the guarantor pays half, 259,000.
    # The timeline: on the default date the bank is short of principal + interest,
    # 1,018,000; its net flow over the horizon is its loss, −259,000, and so is the
    # guarantor's.
    mapping = scenario_mapping(
        [segment("one", 1, exposure=1.0e6, pd=1.0, lgd=0.5, interest_rate=0.072)],
        layers=[{"party": "guarantor", "share_of_loss": 0.5},
                {"party": "bank", "residual": True}], correlation=0.0)
    mapping["portfolio"]["accrued_interest_days"] = 90.0
    mapping["timeline"] = {"workout_lag": {"fixed": 0.5}}
    result = risksim.simulate(risksim.load_scenario(mapping), n_sims=2, seed=1, timeline=True)
    row = result.losses.iloc[0]
    assert row["gross"] == pytest.approx(518_000.0, abs=1e-6)
    assert row["guarantor"] == pytest.approx(259_000.0, abs=1e-6)
    assert result.timeline is not None
    parties = result.timeline.parties.xs(0, level="simulation")
    assert parties.loc["bank", "min_cash"] == pytest.approx(-1_018_000.0, abs=1e-6)
    assert parties.loc["bank", "net_flow"] == pytest.approx(-259_000.0, abs=1e-6)
    assert parties.loc["guarantor", "net_flow"] == pytest.approx(-259_000.0, abs=1e-6)
