"""Hand-worked cases for the coverage base (M5): loss with accrued interest under a days
cap, principal loss only, and the principal before recoveries. Loans with PD 1 and fixed
LGD make every loss certain; the amounts are worked out in the comments."""

from __future__ import annotations

import pytest

import risksim
from risksim.errors import InputError
from tests.builders import scenario_mapping, segment
from tests.rules.test_layers import certain_losses

# Ten loans of 1,000 at 7.2% a year, LGD 0.5; 180 days of interest unpaid at default:
# interest 1,000 × 0.072 × 180 / 360 = 36 per loan (30/360); loss 500 + 36 = 536 per loan.
INTEREST_BOOK = [segment("book", 10, exposure=1000.0, pd=1.0, lgd=0.5, interest_rate=0.072)]


def with_interest(layers: list[dict], days: float = 180.0) -> dict:
    mapping = scenario_mapping(INTEREST_BOOK, layers=layers)
    mapping["portfolio"]["accrued_interest_days"] = days
    return mapping


def losses_of(mapping: dict) -> dict[str, float]:
    losses = risksim.simulate(mapping, n_sims=10, seed=1).losses
    assert (losses.nunique() == 1).all(), "losses should be certain"
    return {name: round(float(losses[name].iloc[0]), 6) for name in losses.columns}


@pytest.mark.parametrize(("terms", "sba"), [
    # 75% of principal loss 500 + interest capped at 120 of 180 days (24): 0.75 × 524 = 393.
    ({"interest_days_cap": 120}, 393.0),
    # no cap: 75% of 536 = 402.
    ({}, 402.0),
    # principal only: 75% of 500 = 375.
    ({"base": "principal_loss"}, 375.0),
])
def test_interest_in_the_coverage_base(terms: dict, sba: float) -> None:
    layers = [{"party": "sba", "share_of_loss": 0.75, **terms},
              {"party": "lender", "residual": True}]
    losses = losses_of(with_interest(layers))
    assert losses == {"gross": 5360.0, "lender": 5360.0 - 10 * sba, "sba": 10 * sba}


def test_interest_cap_above_the_days_accrued_covers_all_interest() -> None:
    layers = [{"party": "sba", "share_of_loss": 0.75, "interest_days_cap": 120},
              {"party": "lender", "residual": True}]
    # 90 days: interest 1,000 × 0.072 × 90 / 360 = 18, all covered: 0.75 × 518 × 10 = 3,885.
    losses = losses_of(with_interest(layers, days=90.0))
    assert losses == {"gross": 5180.0, "lender": 1295.0, "sba": 3885.0}


@pytest.mark.parametrize(("lgd", "expected"), [
    # loss 500: guarantor 40% = 200; fund 20% of the principal 1,000 = 200; bank 100.
    (0.5, {"gross": 500.0, "bank": 100.0, "fund": 200.0, "guarantor": 200.0}),
    # loss 100: guarantor 40; the fund's 200 is cut to the 60 left (never above the loss).
    (0.1, {"gross": 100.0, "bank": 0.0, "fund": 60.0, "guarantor": 40.0}),
])
def test_share_of_principal_before_recoveries(lgd: float, expected: dict) -> None:
    layers = [{"party": "guarantor", "share_of_loss": 0.4},
              {"party": "fund", "share_of_loss": 0.2, "base": "principal"},
              {"party": "bank", "residual": True}]
    losses, _ = certain_losses(layers, [segment("one", 1, exposure=1000.0, pd=1.0, lgd=lgd)])
    assert losses == expected


@pytest.mark.parametrize(("change", "message"), [
    (lambda m: m["arrangement"]["layers"][0].update(base="principal_loss",
                                                     interest_days_cap=120),
     "base 'principal_loss' covers no interest"),
    (lambda m: m["portfolio"].update(accrued_interest_days=0),
     "interest_days_cap needs interest in the loss"),
    (lambda m: m["arrangement"].update(recoveries={"first_to": []})
     or m["arrangement"]["layers"][0].update(base="principal", interest_days_cap=None),
     "base: principal pays on the principal before recoveries"),
    (lambda m: m["portfolio"].update(accrued_interest_days=-1), "-1 is below 0"),
])
def test_bad_coverage_bases_are_rejected(change, message: str) -> None:
    mapping = with_interest([{"party": "sba", "share_of_loss": 0.75, "interest_days_cap": 120},
                             {"party": "lender", "residual": True}])
    change(mapping)
    layer = mapping["arrangement"]["layers"][0]
    if layer.get("interest_days_cap") is None:
        layer.pop("interest_days_cap", None)
    with pytest.raises(InputError, match=message):
        risksim.load_scenario(mapping)


def test_share_of_principal_is_cut_loan_by_loan() -> None:
    # Two loans of 1,000 alike for every rule but their loss (900 and 100): the guarantor's
    # 40% of the loss is 360 and 40; the fund's 20% of the principal is 200 on the first,
    # cut to the 60 left on the second: 260 (not min(400, 600) = 400 on the pair summed).
    layers = [{"party": "guarantor", "share_of_loss": 0.4},
              {"party": "fund", "share_of_loss": 0.2, "base": "principal"},
              {"party": "bank", "residual": True}]
    segments = [segment("a", 1, exposure=1000.0, pd=1.0, lgd=0.9),
                segment("b", 1, exposure=1000.0, pd=1.0, lgd=0.1, size_class="a")]
    losses, _ = certain_losses(layers, segments)
    assert losses == {"gross": 1000.0, "bank": 340.0, "fund": 260.0, "guarantor": 400.0}
