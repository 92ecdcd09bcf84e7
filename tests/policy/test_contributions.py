"""Euler risk contributions add up to the party's measures, and follow the risk."""

from __future__ import annotations

import numpy as np
import pytest

import risksim
from risksim.stats import measures
from tests.builders import ROOT, scenario_mapping, segment


def test_contributions_add_up_exactly() -> None:
    scenario = risksim.load_scenario(ROOT / "scenarios" / "china_nfgf_2242.yaml")
    found = risksim.contributions(scenario, "loan", level=0.99, n_sims=3_000, seed=5)
    frame = found.table
    result = risksim.simulate(scenario, n_sims=3_000, seed=5)
    for party, group in frame.groupby("party"):
        losses = result.losses[party].to_numpy()
        assert group["ES"].sum() == pytest.approx(
            measures.expected_shortfall(losses, 0.99).value, rel=1e-12)
        assert group["VaR"].sum() == pytest.approx(
            measures.value_at_risk(losses, 0.99).value, rel=1e-12)
        assert group["EL"].sum() == pytest.approx(losses.mean(), rel=1e-12)
        assert group["ES_share"].sum() == pytest.approx(1.0, rel=1e-12)
        assert found.totals[party]["ES"] == pytest.approx(group["ES"].sum(), rel=1e-12)


def test_riskier_segments_contribute_more_per_loan() -> None:
    # two segments alike but for PD: the riskier one's ES contribution is larger (by more
    # than 4 of its standard errors), and the units are the segments
    mapping = scenario_mapping([segment("safe", count=500, pd=0.01),
                                segment("risky", count=500, pd=0.05)], correlation=0.2)
    frame = risksim.contributions(risksim.load_scenario(mapping), "segment",
                                  n_sims=4_000).table
    es = frame.set_index("unit")["ES"]
    se = frame.set_index("unit")["ES_se"]
    assert list(es.index) == ["risky", "safe"]
    assert es["risky"] - es["safe"] > 4 * np.hypot(se["risky"], se["safe"])


def test_unknown_unit_or_party() -> None:
    scenario = risksim.load_scenario(scenario_mapping([segment(count=10)]))
    with pytest.raises(risksim.InputError, match="unknown unit 'sectr'; did you mean 'sector'"):
        risksim.contributions(scenario, "sectr", n_sims=100)
    with pytest.raises(risksim.InputError, match="unknown party 'bnak'"):
        risksim.contributions(scenario, parties=["bnak"], n_sims=100)


def test_weighted_tail_sets_by_hand() -> None:
    # Losses 1..5 with weights; a = 0.7, N = 5: the tail holds the worst simulations whose
    # weights add up to at most (1 - a)N = 1.5: loss 5 (w 0.5) and 4 (w 0.75) make 1.25,
    # adding 3 (w 1.0) would make 2.25. VaR = 3, the largest loss outside the tail, and
    # the tail's ES = (0.5*5 + 0.75*4)/1.25 = 4.4.
    from risksim.analysis.contributions import euler_parts, tail_sets

    total = np.array([3.0, 1.0, 5.0, 2.0, 4.0])
    weights = np.array([1.0, 1.5, 0.5, 1.25, 0.75])
    sets = tail_sets(total, 0.7, window=0.2, weights=weights)
    assert sets.tail.tolist() == [False, False, True, False, True]
    assert sets.var == 3.0
    assert sets.es == pytest.approx(4.4, rel=1e-15)
    # two units splitting every loss 1:3 take 1/4 and 3/4 of ES
    es, _ = euler_parts(np.column_stack([total / 4, 3 * total / 4]), sets)
    assert es.tolist() == pytest.approx([1.1, 3.3], rel=1e-15)
    # the summary's weighted VaR is the same loss
    assert measures.weighted_summarize(total, weights, [0.7])["VaR_0.7"] == 3.0


def test_importance_sampled_contributions_agree_with_plain_ones() -> None:
    # The segments' ES contributions at 99% under importance sampling (weighted tail) and
    # under plain sampling estimate the same E[L_u | tail]: within 4 combined standard
    # errors, the sampled ones far tighter for a quarter of the simulations.
    mapping = scenario_mapping([segment("safe", count=400, pd=0.01),
                                segment("risky", count=200, pd=0.04, exposure=2.0)],
                               correlation=0.2)
    scenario = risksim.load_scenario(mapping)
    plain = risksim.contributions(scenario, "segment", level=0.99, n_sims=40_000,
                                  seed=3).table.set_index("unit")
    sampled_frame = risksim.contributions(scenario, "segment", level=0.99, n_sims=10_000,
                                          seed=4, tail_level=0.99)
    sampled = sampled_frame.table.set_index("unit")
    for unit in ("safe", "risky"):
        gap = abs(plain.loc[unit, "ES"] - sampled.loc[unit, "ES"])
        assert gap <= 4 * np.hypot(plain.loc[unit, "ES_se"], sampled.loc[unit, "ES_se"])
        assert sampled.loc[unit, "ES_se"] < plain.loc[unit, "ES_se"]
    # the draws and weights are those of simulate(..., tail_level=0.99): the weighted EL
    # contributions add up to its weighted EL
    run = risksim.simulate(scenario, n_sims=10_000, seed=4, tail_level=0.99)
    assert sampled["EL"].sum() == pytest.approx(run.summary().loc["bank", "EL"], rel=1e-12)
    totals = sampled_frame.totals["bank"]
    assert sampled["ES"].sum() == pytest.approx(totals["ES"], rel=1e-12)
    assert sampled["VaR"].sum() == pytest.approx(totals["VaR"], rel=1e-12)


def test_units_without_the_attribute_are_named_or_refused() -> None:
    rated = risksim.load_scenario(scenario_mapping([segment("a", 50, rating="A"),
                                                    segment("b", 50)]))
    frame = risksim.contributions(rated, "rating", n_sims=200, seed=1).table
    assert sorted(frame["unit"]) == ["(no rating)", "A"]
    unrated = risksim.load_scenario(scenario_mapping([segment("a", 50)]))
    with pytest.raises(risksim.InputError, match="by: no loan of the portfolio has a rating"):
        risksim.contributions(unrated, "rating", n_sims=200)
