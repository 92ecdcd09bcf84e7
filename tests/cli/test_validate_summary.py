"""``risksim validate`` summarises each valid file: its book in numbers, its arrangement in
words (issue 13.5)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from risksim.cli.commands import main
from tests.builders import scenario_mapping, segment


def small_scheme() -> dict:
    """Five loans: two of 1,000,000 with PD 2% and LGD 0.5, three of 500,000 with PD 10% and
    LGD 0.4; a guarantor, a fund on a budget with a trigger, the bank; a fee with a ceiling."""
    mapping = scenario_mapping(
        [segment("large", 2, exposure=1.0e6, pd=0.02, lgd=0.5),
         segment("small", 3, exposure=5.0e5, pd=0.10, lgd=0.4)],
        layers=[{"party": "guarantor", "share_of_loss": 0.4, "per_loan_cap": 3.0e5},
                {"party": "fund", "share_of_loss": 0.2, "annual_budget": 5.0e4,
                 "suspend_if": {"metric": "loss_rate", "above": 0.03}},
                {"party": "bank", "residual": True}],
        parties=["bank", "guarantor", "fund"])
    mapping["arrangement"]["fees"] = [{"name": "g_fee", "payer": "borrower",
                                       "payee": "guarantor", "annual_rate": 0.01,
                                       "max_rate": 0.01}]
    mapping["arrangement"]["recoveries"] = {"first_to": []}
    return mapping


def test_validate_prints_the_book_and_the_arrangement(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small_scheme(), sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    first, *rest = result.stdout.splitlines()
    assert first.startswith(f"{path}: ok - test scenario (5 loans")
    book, arrangement = " ".join(" ".join(rest).split()).split(" Arrangement, ")
    # volume V = 2 × 1,000,000 + 3 × 500,000 = 3,500,000; mean exposure V/5 = 700,000;
    # mean PD (2 × 0.02 + 3 × 0.10)/5 = 0.34/5 = 6.80%;
    # EL = 2 × 0.02 × 0.5 × 1,000,000 + 3 × 0.10 × 0.4 × 500,000 = 20,000 + 60,000 = 80,000,
    # 80,000 / 3,500,000 = 2.2857% of the volume
    assert book == ("Book: 5 loans, volume CNY 3,500,000, mean exposure CNY 700,000, mean PD "
                    "6.80% a year; expected loss in a year at these PDs EL = Σ PD·LGD·EAD = "
                    "CNY 80,000 (2.29% of the volume; before stress, collateral and "
                    "amortisation).")
    assert arrangement == (
        "in layer order: (1) guarantor pays 40.00% of each loss, at most CNY 300,000 per "
        "loan; (2) fund pays 20.00% of each loss, within a budget of CNY 50,000 a year, pays "
        "nothing that year once the loss rate of its covered loans is above 3.00%; (3) bank "
        "keeps the rest. Fees: borrower pays guarantor 1.00% a year of the guaranteed part "
        "(ceiling 1.00%). Recoveries are shared pro rata to the claims.")


def test_a_term_without_its_own_words_is_still_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from risksim import load_scenario
    from risksim.present import scenario_summary
    from risksim.present.scenario_summary import WORDED, arrangement_text

    # a term added to the schema without wording here (per_loan_cap, as if unworded) is
    # named with its value, never left out
    monkeypatch.setattr(scenario_summary, "WORDED", WORDED - {"per_loan_cap"})
    assert "per loan, per_loan_cap: 300000;" in arrangement_text(load_scenario(small_scheme()))
    monkeypatch.undo()
    mapping = small_scheme()
    mapping["arrangement"]["layers"][0]["claim_denial_probability"] = 0.05
    text = arrangement_text(load_scenario(mapping))
    assert "each claim denied with probability 5.00%" in text
    mapping["arrangement"]["layers"] = [{"party": "guarantor", "share_of_loss": 0.4},
                                        {"party": "bank", "residual": True}]
    mapping["arrangement"]["parties"] = ["bank", "guarantor"]
    mapping["arrangement"]["recoveries"] = {"first_to": ["guarantor"]}
    del mapping["arrangement"]["fees"]
    text = arrangement_text(load_scenario(mapping))
    assert text.endswith("Recoveries go first to guarantor, the rest pro rata to the claims.")


def test_a_cap_rate_on_the_guaranteed_part_says_so() -> None:
    # eif_capped_50_20: cap_rate {rate: 0.20, of: guaranteed}, the EIF's definition
    from click.testing import CliRunner

    from risksim.cli.commands import main
    from tests.builders import ROOT

    eif = ROOT / "scenarios" / "eif_capped_50_20.yaml"
    result = CliRunner().invoke(main, ["validate", str(eif)])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "at most 20.00% of the guaranteed part of the covered volume per horizon" in text
