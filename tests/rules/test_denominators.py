"""The denominators of triggers and of yearly cap rates are the documented outstanding of
each year: the covered loans granted and not yet defaulted or matured at its start, the
same as the fee base. Hand-worked on a PD 0/1 book with two vintages (to the yuan)."""

from __future__ import annotations

import pytest

import risksim
from tests.builders import scenario_mapping, segment

# Two years. Vintage 0: 3 loans of 100 that default in year 0 (PD 1, LGD 0.2: loss 20
# each) and 7 loans of 100 that never default (PD 0), both two-year; vintage 1: 5 one-year
# loans of 100 that default in year 1 (PD 1, LGD 0.5: loss 50 each).
#   year 0: outstanding 10 loans, 1,000; defaults 3, principal 300, loss 60
#   year 1: outstanding 7 + 5 = 12 loans, 700 + 500 = 1,200 (the 3 defaulted loans no
#           longer count; the scheduled book would be 15 loans, 1,500); defaults 5,
#           principal 500, loss 250
BOOK = [segment("bad", 3, exposure=100.0, pd=1.0, lgd=0.2, tenor_years=2),
        segment("good", 7, exposure=100.0, pd=0.0, lgd=0.2, tenor_years=2),
        segment("later", 5, exposure=100.0, pd=1.0, lgd=0.5, tenor_years=1,
                origination_year=1)]


def losses(guarantor: dict) -> risksim.Result:
    """The guarantor pays 50% of each loss under ``guarantor``'s terms, the bank the rest;
    the borrowers pay the guarantor 1% a year of each performing loan."""
    layers = [{"party": "guarantor", "share_of_loss": 0.5, **guarantor},
              {"party": "bank", "residual": True}]
    mapping = scenario_mapping(BOOK, layers=layers, correlation=0.0,
                               horizon={"years": 2, "periods_per_year": 1})
    mapping["arrangement"]["fees"] = [{"name": "fee", "payer": "borrower",
                                       "payee": "guarantor", "annual_rate": 0.01,
                                       "base": "loan"}]
    return risksim.simulate(mapping, n_sims=3, seed=1)


@pytest.mark.parametrize(("metric", "above"), [
    # year 0: 60 / 1,000 = 6%; year 1: 250 / 1,200 = 20.8% > 18% (250 / 1,500 = 16.7%)
    ("loss_rate", 0.18),
    # year 0: 3 / 10 = 30%; year 1: 5 / 12 = 41.7% > 35% (5 / 15 = 33.3%)
    ("default_rate", 0.35),
    # year 0: 300 / 1,000 = 30%; year 1: 500 / 1,200 = 41.7% > 35% (500 / 1,500 = 33.3%)
    ("npl_ratio", 0.35),
    # the guarantor's claims: year 0: 30 / 1,000 = 3%; year 1: 125 / 1,200 = 10.4% > 9%
    # (125 / 1,500 = 8.3%)
    ("compensation_rate", 0.09),
])
def test_trigger_denominator_is_the_years_outstanding(metric: str, above: float) -> None:
    # Year 0 is paid (30), year 1 is suspended (its 125 stays with the bank): guarantor 30,
    # bank 310 − 30 = 280. Against the scheduled book year 1 would be paid too (155).
    result = losses({"suspend_if": {"metric": metric, "above": above}})
    row = result.losses.iloc[0]
    assert (row["gross"], row["guarantor"], row["bank"]) == pytest.approx((310.0, 30.0, 280.0))
    assert result.indicators["guarantor.suspended"].iloc[0] == 1.0


def test_yearly_cap_rate_is_on_the_years_outstanding() -> None:
    # Cap 10% a year: year 0 0.1 × 1,000 = 100 (the 30 claimed is paid); year 1
    # 0.1 × 1,200 = 120 of the 125 claimed. Guarantor 150, bank 160. (On the whole
    # volume, 0.1 × 1,500 = 150 a year, nothing would bind: 155.)
    result = losses({"cap_rate": {"rate": 0.1, "per": "year"}})
    row = result.losses.iloc[0]
    assert (row["guarantor"], row["bank"]) == pytest.approx((150.0, 160.0))
    assert result.indicators["guarantor.cap_rate_binds"].iloc[0] == 1.0


def test_the_fee_base_is_the_same_outstanding() -> None:
    # 1% of 1,000 at the start of year 0 and of 1,200 at the start of year 1: 22.
    fees = losses({}).fees
    assert fees.iloc[0].sum() == pytest.approx(22.0)
