"""Compare: common random numbers, exact zero differences, paired errors, policy metrics."""

from __future__ import annotations

import numpy as np
import pytest

import risksim
from risksim.analysis.common import defaults_key, simulate_common
from tests.builders import ROOT, scenario_mapping, segment

SCENARIOS = ROOT / "scenarios"


def test_common_runs_equal_separate_runs_bit_for_bit() -> None:
    # sba_7a draws claim-denial uniforms and china_nfgf_2242 tracks recoveries: sharing the
    # events must leave every scheme's result exactly as its own simulate().
    files = ["sba_7a.yaml", "china_nfgf_2242.yaml", "bank_alone_baseline.yaml"]
    scenarios = [risksim.load_scenario(SCENARIOS / f) for f in files]
    for scenario, result in zip(scenarios, simulate_common(scenarios, n_sims=2_500, seed=4),
                                strict=True):
        alone = risksim.simulate(scenario, n_sims=2_500, seed=4)
        assert result.losses.equals(alone.losses)
        assert result.fees.equals(alone.fees)
        assert result.indicators.equals(alone.indicators)


def test_a_lending_trigger_shares_draws_only_with_the_same_trigger() -> None:
    # The trigger decides which loans are granted; claim denial adds uniforms drawn before
    # the refused loans are dropped. Shared runs must still equal each scheme's own run.
    segments = [segment("v0", 400, pd=0.05, lgd=0.5),
                segment("v1", 400, pd=0.05, lgd=0.5, origination_year=1)]
    gate = {"metric": "loss_rate", "above": 0.02, "action": "suspend_lending"}
    layers = [{"party": "pool", "share_of_loss": 0.5, "suspend_if": gate},
              {"party": "bank", "residual": True}]
    denied = [{**layers[0], "claim_denial_probability": 0.2}, layers[1]]
    horizon = {"years": 2, "periods_per_year": 1}
    scenarios = [risksim.load_scenario(scenario_mapping(segments, layers=chosen,
                                                        horizon=horizon))
                 for chosen in (layers, denied, layers[1:])]
    assert defaults_key(scenarios[0]) == defaults_key(scenarios[1]) != defaults_key(
        scenarios[2])
    for scenario, result in zip(scenarios, simulate_common(scenarios, n_sims=2_500, seed=4),
                                strict=True):
        alone = risksim.simulate(scenario, n_sims=2_500, seed=4)
        assert result.losses.equals(alone.losses)
        assert result.indicators.equals(alone.indicators)


def test_defaults_key_ignores_the_arrangement_and_rule_only_attributes() -> None:
    baseline = risksim.load_scenario(SCENARIOS / "bank_alone_baseline.yaml")
    chain = risksim.load_scenario(SCENARIOS / "china_nfgf_2242.yaml")  # other size_class
    other_book = risksim.load_scenario(SCENARIOS / "sba_7a.yaml")
    assert defaults_key(baseline) == defaults_key(chain) != defaults_key(other_book)


def test_identical_schemes_differ_by_exactly_zero() -> None:
    path = SCENARIOS / "wangcheng_patent_loan.yaml"
    comparison = risksim.compare([path, path], n_sims=2_000, seed=1)
    second = comparison.parties.xs("wangcheng_patent_loan#2")
    differences = second.filter(regex="_diff(_se)?$")
    assert (differences.to_numpy() == 0.0).all()
    assert (second.filter(regex="_diff_se_unpaired$").to_numpy() > 0).all()


def test_paired_errors_are_smaller_and_metrics_are_consistent() -> None:
    files = [SCENARIOS / "bank_alone_baseline.yaml", SCENARIOS / "china_nfgf_2242.yaml"]
    comparison = risksim.compare(files, n_sims=4_000, seed=2)
    bank = comparison.parties.loc[("china_nfgf_2242", "bank")]
    for measure in ("EL", "VaR_0.99", "ES_0.99"):
        assert bank[f"{measure}_diff_se"] < bank[f"{measure}_diff_se_unpaired"]
    gross = comparison.parties.loc[("china_nfgf_2242", "gross")]
    assert gross["EL_diff"] == 0.0 and gross["ES_0.999_diff"] == 0.0
    schemes = comparison.schemes
    # 2:2:4:2 without caps binding: the others take 80% of every loss
    assert schemes.loc["china_nfgf_2242", "effective_coverage"] == pytest.approx(0.8, abs=1e-9)
    assert schemes.loc["bank_alone_baseline", "fiscal_cost_rate"] == 0.0
    assert 0 < schemes.loc["china_nfgf_2242", "capital_relief_rate"] < 0.8
    assert bool(schemes.loc["china_nfgf_2242", "paired"])
    nfgf = comparison.parties.loc[("china_nfgf_2242", "nfgf")]
    assert nfgf["subsidy_rate"] == pytest.approx(nfgf["break_even"] - nfgf["fee_charged"])


def test_schemes_on_other_books_get_unpaired_errors() -> None:
    files = [SCENARIOS / "bank_alone_baseline.yaml", SCENARIOS / "sba_7a.yaml"]
    comparison = risksim.compare(files, n_sims=2_000, seed=2, baseline="bank_alone_baseline")
    assert not comparison.schemes.loc["sba_7a", "paired"]
    gross = comparison.parties.loc[("sba_7a", "gross")]
    assert gross["EL_diff_se"] == gross["EL_diff_se_unpaired"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"baseline": "nowhere"}, "baseline: unknown scheme 'nowhere'"),
    ({"baseline": 5}, "baseline: baseline 5: expected 0 to 1"),
    ({"public": {"test scenario": ["treasury"]}}, "public.test scenario: unknown party"),
])
def test_bad_compare_arguments(kwargs: dict, message: str) -> None:
    mapping = scenario_mapping([segment(count=10)])
    with pytest.raises(risksim.InputError) as raised:
        risksim.compare([mapping, mapping], n_sims=100, **kwargs)
    assert str(raised.value).startswith(message)


def test_one_scheme_is_not_a_comparison() -> None:
    with pytest.raises(risksim.InputError, match="at least two schemes"):
        risksim.compare([SCENARIOS / "sba_7a.yaml"])


def test_importance_sampled_scenarios_are_refused_not_run_plainly() -> None:
    mapping = scenario_mapping(layers=[{"party": "g", "share_of_loss": 0.5},
                                       {"party": "bank", "residual": True}])
    mapping["simulation"]["tail_level"] = 0.999
    scenario = risksim.load_scenario(mapping)
    with pytest.raises(risksim.InputError, match=r"simulation\.tail_level: tail_level 0\.999"):
        simulate_common([scenario, scenario], n_sims=100, seed=1)


def test_who_pays_in_a_1_in_n_year_is_the_order_statistic_of_each_partys_losses() -> None:
    # VaR_a = L_(r), r = ceil(a*N), the loss of a 1-in-1/(1-a) year; ES_a the mean of the
    # N - r largest losses (Acerbi & Tasche 2002, with N*a whole here). Worked here from
    # the sorted losses of each scheme's own result, not from the comparison's code.
    files = [SCENARIOS / "bank_alone_baseline.yaml",
             SCENARIOS / "risk_pool_annual_cap_trigger.yaml"]
    n, levels = 4_000, [0.95, 0.99]
    comparison = risksim.compare(files, n_sims=n, seed=3, levels=levels)
    for (scheme, party), row in comparison.parties.iterrows():
        ordered = np.sort(comparison.results[scheme].losses[party].to_numpy())
        summary = comparison.results[scheme].summary().loc[party]
        assert row["EL"] == pytest.approx(ordered.mean(), rel=1e-12)
        assert row["EL_se"] == pytest.approx(summary["EL_se"], rel=1e-9)
        for level in levels:
            r = round(level * n)
            assert row[f"VaR_{level:g}"] == ordered[r - 1]
            band = summary[f"VaR_{level:g}_hi"] - summary[f"VaR_{level:g}_lo"]
            assert row[f"VaR_{level:g}_se"] == pytest.approx(band / (2 * 1.959964), rel=1e-6)
            assert row[f"ES_{level:g}"] == pytest.approx(ordered[r:].mean(), rel=1e-12)
            assert row[f"ES_{level:g}_se"] == pytest.approx(summary[f"ES_{level:g}_se"],
                                                            rel=1e-9)
            base = comparison.parties.loc[("bank_alone_baseline", party)] if (
                party in ("gross", "bank")) else None
            if base is not None:
                assert row[f"VaR_{level:g}_diff"] == row[f"VaR_{level:g}"] - base[
                    f"VaR_{level:g}"]
    # the pool pays in a 1-in-100 year what its budget allows: a real answer, not all of it
    pool = comparison.parties.loc[("risk_pool_annual_cap_trigger", "pool")]
    bank = comparison.parties.loc[("risk_pool_annual_cap_trigger", "bank")]
    assert pool["VaR_0.99"] < bank["VaR_0.99"]


def _hand_worked_book(years: float) -> dict:
    """Ten 3-year bullet loans of 100: two default in the first period for certain (PD 1,
    LGD 1), eight never (PD 0); a guarantor pays half of each loss, with no fee."""
    segments = [segment("bad", 2, exposure=100.0, pd=1.0, tenor_years=3),
                segment("good", 8, exposure=100.0, pd=0.0, tenor_years=3)]
    return scenario_mapping(segments, layers=[{"party": "guarantor", "share_of_loss": 0.5},
                                              {"party": "bank", "residual": True}],
                            horizon={"years": years, "periods_per_year": 2})


@pytest.mark.parametrize(("years", "lending_years"), [
    # Y = Σ_y w_y·O_y: 1,000 outstanding at the start of year 0, then the 800 that perform;
    # three whole years: 1,000 + 800 + 800; two and a half: 1,000 + 800 + 0.5·800
    (3.0, 2_600.0), (2.5, 2_200.0)])
def test_annualised_public_cost_and_multiplier_on_a_hand_worked_book(
        years: float, lending_years: float) -> None:
    alone = scenario_mapping(_hand_worked_book(years)["portfolio"]["generate"]["segments"],
                             horizon={"years": years, "periods_per_year": 2})
    comparison = risksim.compare([alone, _hand_worked_book(years)], n_sims=200, seed=1)
    scheme = comparison.schemes.iloc[1]
    # the public cost G is the guarantor's half of the 200 lost: 100 in every simulation
    lending = 1_000.0
    assert scheme["lending"] == lending
    assert scheme["lending_years"] == pytest.approx(lending_years, rel=1e-12)
    assert scheme["fiscal_cost_rate"] == pytest.approx(100 / lending, rel=1e-12)
    assert scheme["fiscal_cost_rate_annual"] == pytest.approx(100 / lending_years, rel=1e-12)
    assert scheme["multiplier"] == pytest.approx(lending / 100, rel=1e-12)
    assert scheme["multiplier_annual"] == pytest.approx(lending_years / years / 100,
                                                        rel=1e-12)
    assert scheme["fiscal_cost_rate_se"] == 0.0 and scheme["multiplier_se"] == 0.0
    assert scheme["effective_coverage"] == pytest.approx(0.5, rel=1e-12)


def test_an_unknown_public_party_is_an_error_with_the_nearest_name() -> None:
    files = [SCENARIOS / "bank_alone_baseline.yaml", SCENARIOS / "wangcheng_patent_loan.yaml"]
    with pytest.raises(risksim.InputError) as raised:
        risksim.compare(files, n_sims=100, public=["guarantor", "provincal_fund"])
    assert str(raised.value) == ("public: unknown party 'provincal_fund'; did you mean "
                                 "'provincial_fund'?")
    # a party of one scheme only is public where it exists
    comparison = risksim.compare(files, n_sims=500, public=["provincial_fund"])
    assert list(comparison.schemes["public"]) == ["", "provincial_fund"]
