"""Sweeps by dotted path: values, paths, the tidy frame, tornado data, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import risksim
from risksim.analysis.sweep import parse_setting, parse_values
from risksim.engine.block import replay_block
from risksim.streams import block_size, n_blocks
from tests.builders import ROOT, scenario_mapping, segment

WANGCHENG = ROOT / "scenarios" / "wangcheng_patent_loan.yaml"
SHARE = "arrangement.layers.guarantor.share_of_loss"
CAP = "arrangement.layers.guarantor.per_loan_cap"


@pytest.fixture(scope="module")
def scenario() -> risksim.Scenario:
    return risksim.load_scenario(WANGCHENG)


def test_ranges_include_their_stop() -> None:
    assert parse_values("0.3:0.6:0.05", SHARE) == [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6]
    assert parse_values("1,2.5,abc", SHARE) == [1, 2.5, "abc"]
    assert parse_setting(f"{SHARE}=0.3,0.4") == (SHARE, [0.3, 0.4])


def test_grid_points_equal_separate_runs(scenario: risksim.Scenario) -> None:
    frame = risksim.sweep(scenario, {SHARE: [0.3, 0.5], "arrangement.layers[1].share_of_loss":
                                     [0.1, 0.2]}, n_sims=2_000, seed=3).table
    assert frame["point"].nunique() == 4
    assert set(frame["measure"]) == {"EL", "VaR_0.95", "ES_0.95", "VaR_0.99", "ES_0.99",
                                     "VaR_0.999", "ES_0.999"}
    row = frame[(frame[SHARE] == 0.5) & (frame["arrangement.layers[1].share_of_loss"] == 0.1)
                & (frame["party"] == "bank") & (frame["measure"] == "EL")]
    mapping = scenario.spec.model_dump(exclude_unset=True)
    mapping["arrangement"]["layers"][0]["share_of_loss"] = 0.5
    mapping["arrangement"]["layers"][1]["share_of_loss"] = 0.1
    alone = risksim.simulate(risksim.load_scenario(mapping), n_sims=2_000, seed=3)
    assert row["value"].item() == alone.losses["bank"].mean()


def test_more_cover_never_raises_the_banks_loss(scenario: risksim.Scenario) -> None:
    frame = risksim.sweep(scenario, {SHARE: parse_values("0.1:0.7:0.2", SHARE)},
                          n_sims=2_000).table
    bank = frame[(frame["party"] == "bank") & (frame["measure"] == "ES_0.99")]
    assert bank["value"].is_monotonic_decreasing


def test_tornado_ranks_the_paths_by_swing(scenario: risksim.Scenario) -> None:
    settings = {SHARE: [0.2, 0.5], "defaults.correlation": [0.05, 0.3]}
    swept = risksim.sweep(scenario, settings, design="one_at_a_time", n_sims=2_000)
    frame = swept.table
    assert frame["varied"].iloc[0] == "base"
    table = risksim.tornado(swept, "bank", "ES_0.99")
    pd.testing.assert_frame_equal(risksim.tornado(frame, "bank", "ES_0.99"), table)
    assert list(table.index) == ["defaults.correlation", SHARE]
    assert (table["swing"] > 0).all()
    assert table.loc[SHARE, "low"] == 0.5 and table.loc[SHARE, "high"] == 0.2
    with pytest.raises(risksim.InputError, match="one-at-a-time"):
        risksim.tornado(risksim.sweep(scenario, {SHARE: [0.3]}, n_sims=100), "bank", "EL")


def test_a_swept_per_loan_cap_pays_as_worked_by_hand() -> None:
    # Ten loans of 1 m that all default (PD 1) with LGD 0.5: each loses 500,000, of which
    # the guarantor's 40% is 200,000, cut to the swept cap (a key the base scenario leaves
    # unset). The guarantor pays 10·min(200,000, cap) in every simulation, the bank the rest
    # of the 5 m.
    mapping = scenario_mapping([segment(count=10, exposure=1.0e6, pd=1.0, lgd=0.5)],
                               layers=[{"party": "guarantor", "share_of_loss": 0.4},
                                       {"party": "bank", "residual": True}])
    caps = [5.0e4, 1.0e5, 3.0e5]
    frame = risksim.sweep(risksim.load_scenario(mapping), {CAP: caps}, n_sims=50, seed=1).table
    el = frame[frame["measure"] == "EL"].set_index([CAP, "party"])["value"]
    for cap, guarantor in zip(caps, [5.0e5, 1.0e6, 2.0e6], strict=True):
        assert el[cap, "guarantor"] == pytest.approx(guarantor, rel=1e-12)
        assert el[cap, "bank"] == pytest.approx(5.0e6 - guarantor, rel=1e-12)
        assert el[cap, "gross"] == pytest.approx(5.0e6, rel=1e-12)


def test_a_swept_per_loan_cap_bounds_every_simulation(scenario: risksim.Scenario) -> None:
    # Wangcheng (the guarantor pays 40% of each loan's loss, uncapped in the file) swept over
    # a per-loan cap: in every simulation the guarantor pays at most cap × the number of
    # defaults D (counted from the run's own events, replay_block), the cap binds somewhere
    # (40% of a loss reaches 4 m), and on common random numbers its EL falls as the cap falls.
    caps = [1.0e5, 5.0e5, 1.0e6, 2.0e6]
    n_sims, seed = 2_000, 3
    frame = risksim.sweep(scenario, {CAP: caps}, n_sims=n_sims, seed=seed).table
    el = frame[(frame["party"] == "guarantor") & (frame["measure"] == "EL")]
    el = el.set_index(CAP)["value"].loc[caps]
    assert (np.diff(el.to_numpy()) > 0).all()
    uncapped = risksim.simulate(scenario, n_sims=n_sims, seed=seed).losses["guarantor"]
    assert el.iloc[-1] < uncapped.mean()
    for cap in caps:
        mapping = scenario.spec.model_dump(exclude_unset=True)
        mapping["arrangement"]["layers"][0]["per_loan_cap"] = cap
        capped = risksim.load_scenario(mapping)
        paid = risksim.simulate(capped, n_sims=n_sims, seed=seed).losses["guarantor"]
        assert paid.mean() == el[cap]  # the sweep's point is this run
        defaults = np.concatenate([
            np.bincount(replay_block(capped.plan, seed, n_sims, block)[0].sim,
                        minlength=block_size(n_sims, block))
            for block in range(n_blocks(n_sims))])
        assert (paid.to_numpy() <= cap * defaults * (1 + 1e-12)).all()
        assert (paid.to_numpy() < uncapped.to_numpy()).any()


@pytest.mark.parametrize(("text", "message"), [
    ("arrangement.layers.guarantr.share_of_loss=0.3",
     "unknown item 'guarantr'; did you mean 'guarantor'?"),
    ("arrangement.layers.guarantor.share=0.3",
     "unknown key 'share'; did you mean 'share_of_layer' or 'share_of_loss'?"),
    ("arrangement.layers[7].share_of_loss=0.3", "no item 7: the list has 3"),
    ("arrangement.layers.guarantor.share_of_loss=1.4", "1.4 is above 1"),
    ("arrangement.layers.guarantor.cap_rate.rate=0.1", "is not set to a mapping"),
    ("arrangement.layers.guarantor.share_of_loss", "expected PATH=VALUES"),
    ("arrangement.layers.guarantor.share_of_loss=0.6:0.3:0.1", "expected start <= stop"),
])
def test_bad_settings_name_the_path(scenario: risksim.Scenario, text: str, message: str) -> None:
    with pytest.raises(risksim.InputError) as raised:
        risksim.sweep(scenario, dict([parse_setting(text)]), n_sims=100)
    assert message in str(raised.value)
