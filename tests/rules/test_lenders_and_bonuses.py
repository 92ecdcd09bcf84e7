"""Hand-worked cases for loan-attribute terms: purpose and first-loan conditions, bonus
shares (M19), and per-lender triggers and caps (M10, M11). Loans with PD 1 or 0 and LGD 1
make every loss certain; each party's loss is worked out in the comments."""

from __future__ import annotations

import pytest

import risksim
from risksim.errors import InputError
from risksim.present.report import summary_report, text
from tests.builders import scenario_mapping, segment, two_vintages_with_lending_stop
from tests.rules.test_layers import certain_losses


def test_bonus_share_and_purpose_eligibility() -> None:
    # Pool: 30% of each eligible loss, +5 points for first loans or patent-pledged loans;
    # working-capital loans are not eligible. Losses: A 100 (first loan) → 35;
    # B 200 (patent) → 70; C 300 (working capital) → 0; D 400 → 120. Pool 225, bank 775.
    layers = [{"party": "pool", "share_of_loss": 0.30,
               "bonus": {"share": 0.05, "any_of": [{"first_loan": True},
                                                   {"collateral_types": ["patent"]}]},
               "eligible": {"exclude_purposes": ["working_capital"]}},
              {"party": "bank", "residual": True}]
    segments = [
        segment("a", 1, exposure=100.0, pd=1.0, purpose="investment", first_loan=True),
        segment("b", 1, exposure=200.0, pd=1.0, purpose="liquidity",
                collateral={"type": "patent", "value_to_exposure": 0.0}),
        segment("c", 1, exposure=300.0, pd=1.0, purpose="working_capital", first_loan=True),
        segment("d", 1, exposure=400.0, pd=1.0, purpose="liquidity")]
    losses, _ = certain_losses(layers, segments)
    assert losses == {"gross": 1000.0, "bank": 775.0, "pool": 225.0}


def two_banks() -> list[dict]:
    """Bank a: one loss of 100 among 10 loans of 100 (loss rate 10%). Bank b: one loss of 1
    among 100 loans (volume 9,901: rate 0.01%). Scheme-wide: 101 / 10,901 = 0.93%."""
    return [segment("a_bad", 1, exposure=100.0, pd=1.0, lender="a"),
            segment("a_good", 9, exposure=100.0, pd=0.0, lender="a"),
            segment("b_bad", 1, exposure=1.0, pd=1.0, lender="b"),
            segment("b_good", 99, exposure=100.0, pd=0.0, lender="b")]


@pytest.mark.parametrize(("per", "pool", "suspended"), [
    ("lender", 0.5, 1.0),    # bank a (10% > 3%) is suspended: the pool pays only b's 50% of 1
    ("scheme", 50.5, 0.0),   # 0.93% < 3%: the pool pays 50% of 101
])
def test_trigger_per_lender_suspends_only_the_bank_that_passes(per: str, pool: float,
                                                               suspended: float) -> None:
    layers = [{"party": "pool", "share_of_loss": 0.5,
               "suspend_if": {"metric": "loss_rate", "above": 0.03, "per": per}},
              {"party": "bank", "residual": True}]
    losses, indicators = certain_losses(layers, two_banks())
    assert losses == {"gross": 101.0, "bank": 101.0 - pool, "pool": pool}
    assert indicators["pool.suspended"] == suspended
    if per == "lender":
        assert indicators["pool.groups_suspended"] == 1.0


def test_cap_per_lender() -> None:
    # At most 30 for each bank: a's 50% of 100 is cut to 30; b's 0.5 stays.
    layers = [{"party": "pool", "share_of_loss": 0.5, "per_lender_cap": 30.0},
              {"party": "bank", "residual": True}]
    losses, indicators = certain_losses(layers, two_banks())
    assert losses == {"gross": 101.0, "bank": 70.5, "pool": 30.5}
    assert indicators["pool.per_lender_cap_binds"] == 1.0


def test_cap_rate_per_lender() -> None:
    # 4% of each bank's covered volume: a 40 (wants 50: cut to 40), b 396.04 (wants 0.5).
    layers = [{"party": "pool", "share_of_loss": 0.5, "cap_rate": {"rate": 0.04,
                                                                    "per": "lender"}},
              {"party": "bank", "residual": True}]
    losses, indicators = certain_losses(layers, two_banks())
    assert losses == {"gross": 101.0, "bank": 60.5, "pool": 40.5}
    assert indicators["pool.cap_rate_binds"] == 1.0


def test_counter_guarantee_bonus() -> None:
    # Guarantor 80% of each loss (A 100 → 80, B 100 → 80); the pool takes 20% of the
    # guarantor's payments, 25% on first loans (A): 20 + 16 = 36. Guarantor 160 − 36 = 124.
    layers = [{"party": "guarantor", "share_of_loss": 0.8},
              {"party": "pool", "share_of_layer": {"party": "guarantor", "share": 0.2},
               "bonus": {"share": 0.05, "any_of": [{"first_loan": True}]}},
              {"party": "bank", "residual": True}]
    segments = [segment("a", 1, exposure=100.0, pd=1.0, first_loan=True),
                segment("b", 1, exposure=100.0, pd=1.0)]
    losses, _ = certain_losses(layers, segments)
    assert losses == {"gross": 200.0, "bank": 40.0, "guarantor": 124.0, "pool": 36.0}


def test_bonus_needs_a_share_of_loss() -> None:
    layers = [{"party": "pool", "tranche": {"attach": 0.0, "detach": 0.1},
               "bonus": {"share": 0.05, "any_of": [{"first_loan": True}]}}]
    mapping = scenario_mapping(layers=[{"party": "g", "share_of_loss": 0.5}, *layers,
                                       {"party": "bank", "residual": True}])
    with pytest.raises(InputError, match="bonus adds to share_of_loss or share_of_layer"):
        risksim.load_scenario(mapping)


def test_a_party_with_two_layers_reports_each_layer() -> None:
    # The pool pays 30% of bank a's losses (100 → 30) and 20% of bank b's (200 → 40).
    layers = [{"party": "pool", "share_of_loss": 0.3, "eligible": {"lenders": ["a"]}},
              {"party": "pool", "share_of_loss": 0.2, "eligible": {"lenders": ["b"]}},
              {"party": "bank", "residual": True}]
    segments = [segment("a", 1, exposure=100.0, pd=1.0, lender="a"),
                segment("b", 1, exposure=200.0, pd=1.0, lender="b")]
    result = risksim.simulate(scenario_mapping(segments, layers=layers), n_sims=10, seed=1)
    assert result.losses.iloc[0].to_dict() == {"gross": 300.0, "bank": 230.0, "pool": 70.0}
    table = result.layer_summary()
    assert table.index.tolist() == ["pool_0", "pool_1"]
    assert table["EL"].tolist() == [30.0, 40.0]
    assert "pool_1 (layer)" in text(summary_report(result))
    single = risksim.simulate(scenario_mapping(segments, layers=layers[1:]), n_sims=10, seed=1)
    assert single.layer_summary().empty


def test_cover_falls_after_ten_years_of_guarantee_use() -> None:
    # KODIT: 80% for a borrower with 3 years of guarantee use (loss 100 → 80), 75% for one
    # with 12 years (loss 200 → 150): 230; the lender keeps 70.
    layers = [{"party": "kodit", "share_of_loss": 0.80,
               "eligible": {"guarantee_age_years_below": 10}},
              {"party": "kodit", "share_of_loss": 0.75,
               "eligible": {"guarantee_age_years_at_least": 10}},
              {"party": "lender", "residual": True}]
    segments = [segment("young", 1, exposure=100.0, pd=1.0, guarantee_age_years=3),
                segment("old", 1, exposure=200.0, pd=1.0, guarantee_age_years=12)]
    losses, _ = certain_losses(layers, segments)
    assert losses == {"gross": 300.0, "kodit": 230.0, "lender": 70.0}


@pytest.mark.parametrize(("metric", "suspended"), [
    ("loss_rate", True),           # loss 50 / volume 1,000 = 5% > 4%
    ("npl_ratio", True),           # principal 100 / 1,000 = 10% > 4%
    ("compensation_rate", False),  # the pool's claim 25 / 1,000 = 2.5% < 4%
    ("default_rate", True),        # 1 of 10 loans = 10% > 4%
])
def test_trigger_metrics(metric: str, suspended: bool) -> None:
    # Ten loans of 100; one defaults at LGD 0.5 (loss 50); the pool pays 50% of it (25).
    layers = [{"party": "pool", "share_of_loss": 0.5,
               "suspend_if": {"metric": metric, "above": 0.04}},
              {"party": "bank", "residual": True}]
    segments = [segment("bad", 1, exposure=100.0, pd=1.0, lgd=0.5),
                segment("good", 9, exposure=100.0, pd=0.0, lgd=0.5)]
    losses, indicators = certain_losses(layers, segments)
    assert losses["pool"] == (0.0 if suspended else 25.0)
    assert indicators["pool.suspended"] == float(suspended)


@pytest.mark.parametrize(("above", "suspended"), [(0.05, True), (0.2, False)])
def test_trigger_suspends_new_lending(above: float, suspended: bool) -> None:
    # Two vintages of ten 1-year loans of 100, one loss of 100 in each (LGD 1). Year 0's
    # loss rate is 100 / 1,000 = 10%: above 5% the second vintage is never granted, so its
    # loss (100) and its fees never happen. The pool pays 50%; a 1% fee on the pool's
    # guaranteed half: 10 × 50 × 1% = 5 per vintage.
    mapping = two_vintages_with_lending_stop(above)
    mapping["arrangement"]["fees"] = [{"name": "fee", "payer": "borrower", "payee": "pool",
                                       "annual_rate": 0.01}]
    result = risksim.simulate(mapping, n_sims=10, seed=1)
    gross = 100.0 if suspended else 200.0
    assert result.losses.iloc[0].to_dict() == {"gross": gross, "bank": gross / 2,
                                               "pool": gross / 2}
    assert result.fees["fee"].iloc[0] == pytest.approx(5.0 if suspended else 10.0)
    assert result.indicators["pool.lending_suspended"].iloc[0] == float(suspended)
    assert result.indicators["pool.lending_forgone"].iloc[0] == (1000.0 if suspended else 0)


@pytest.mark.parametrize(("trigger", "message"), [
    ({"metric": "compensation_rate", "above": 0.1, "action": "suspend_lending"},
     "suspend_lending decides lending before any compensation is paid"),
    ({"metric": "loss_rate", "above": 0.1, "warning": 0.05, "action": "suspend_lending"},
     "a warning level applies to suspend_compensation"),
])
def test_bad_lending_triggers(trigger: dict, message: str) -> None:
    layers = [{"party": "pool", "share_of_loss": 0.5, "suspend_if": trigger},
              {"party": "bank", "residual": True}]
    with pytest.raises(InputError, match=message):
        risksim.load_scenario(scenario_mapping(layers=layers))
