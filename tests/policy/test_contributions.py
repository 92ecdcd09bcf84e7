"""Euler risk contributions add up to the party's measures, and follow the risk."""

from __future__ import annotations

import numpy as np
import pytest

import risksim
from risksim import measures
from tests.builders import ROOT, scenario_mapping, segment


def test_contributions_add_up_exactly() -> None:
    scenario = risksim.load_scenario(ROOT / "scenarios" / "china_nfgf_2242.yaml")
    frame = risksim.contributions(scenario, "loan", level=0.99, n_sims=3_000, seed=5)
    result = risksim.simulate(scenario, n_sims=3_000, seed=5)
    for party, group in frame.groupby("party"):
        losses = result.losses[party].to_numpy()
        assert group["ES"].sum() == pytest.approx(
            measures.expected_shortfall(losses, 0.99).value, rel=1e-12)
        assert group["VaR"].sum() == pytest.approx(
            measures.value_at_risk(losses, 0.99).value, rel=1e-12)
        assert group["EL"].sum() == pytest.approx(losses.mean(), rel=1e-12)
        assert group["ES_share"].sum() == pytest.approx(1.0, rel=1e-12)


def test_riskier_segments_contribute_more_per_loan() -> None:
    # two segments alike but for PD: the riskier one's ES contribution is larger (by more
    # than 4 of its standard errors), and the units are the segments
    mapping = scenario_mapping([segment("safe", count=500, pd=0.01),
                                segment("risky", count=500, pd=0.05)], correlation=0.2)
    frame = risksim.contributions(risksim.load_scenario(mapping), "segment", n_sims=4_000)
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
