"""The base of a cap rate (``cap_rate.of``): the covered volume or its guaranteed part, on
hand-worked books (PD 1, LGD 1, to the euro)."""

from __future__ import annotations

import pytest

import risksim
from tests.builders import scenario_mapping
from tests.rules.test_layers import certain_losses


@pytest.mark.parametrize(("of", "eif"), [
    # volume: cap 0.20 × 1,000 = 200 of the 500 the EIF's 50% would pay
    ("volume", 200.0),
    # guaranteed (EIF: cap rate × guarantee rate × volume): 0.20 × 0.50 × 1,000 = 100
    ("guaranteed", 100.0),
])
def test_cap_rate_of_volume_or_guaranteed(of: str, eif: float) -> None:
    # Ten loans of 100 all lost (LGD 1): loss 1,000, volume 1,000; the EIF pays 50% (500)
    # up to its cap; the lender keeps the rest.
    layers = [{"party": "eif", "share_of_loss": 0.5, "cap_rate": {"rate": 0.2, "of": of}},
              {"party": "lender", "residual": True}]
    losses, indicators = certain_losses(layers)
    assert losses == {"gross": 1000.0, "eif": eif, "lender": 1000.0 - eif}
    assert indicators == {"eif.cap_rate_binds": 1.0}


@pytest.mark.parametrize(("of", "fund"), [("guaranteed", 100.0), ("volume", 150.0)])
def test_cap_rate_per_vintage_weights_each_loan_by_its_share(of: str, fund: float) -> None:
    # Two vintages: year 0 five loans of 100 with a 40% share, year 1 five loans of 200 with
    # an 80% share (shares by sector). Per vintage the guaranteed volumes are
    # 5 × 100 × 0.4 = 200 and 5 × 200 × 0.8 = 800; at cap rate 0.1: caps 20 and 80.
    # Losses (LGD 1): 500 and 1,000;
    # the layers would pay 200 and 800, the caps cut them to 20 and 80: 100 in all. On the
    # volume (500 and 1,000) the caps are 50 and 100: 150.
    segments = [{"name": "early", "count": 5, "exposure": 100.0, "pd": 1.0, "lgd": 1.0,
                 "origination_year": 0, "sector": "a"},
                {"name": "late", "count": 5, "exposure": 200.0, "pd": 1.0, "lgd": 1.0,
                 "origination_year": 1, "sector": "b"}]
    layers = [{"party": "fund", "share_of_loss": {"by": "sector", "values": {"a": 0.4,
                                                                             "b": 0.8}},
               "cap_rate": {"rate": 0.1, "per": "vintage", "of": of}},
              {"party": "bank", "residual": True}]
    mapping = scenario_mapping(segments, layers=layers,
                               horizon={"years": 2, "periods_per_year": 1})
    losses = risksim.simulate(mapping, n_sims=5, seed=1).losses
    assert losses["fund"].tolist() == pytest.approx([fund] * 5)
    assert losses["bank"].tolist() == pytest.approx([1500.0 - fund] * 5)


def test_cap_rate_base_is_named() -> None:
    layers = [{"party": "eif", "share_of_loss": 0.5, "cap_rate": {"rate": 0.2,
                                                                   "of": "guarantee"}},
              {"party": "lender", "residual": True}]
    with pytest.raises(risksim.InputError, match=r"cap_rate\.of: Input should be 'volume' or "
                                                 r"'guaranteed' \(got 'guarantee'\)"):
        risksim.load_scenario(scenario_mapping(layers=layers))
