"""compare's NPL-tolerance breach probabilities and tail capital relief per scheme."""

from __future__ import annotations

import math

import numpy as np

import risksim
from tests.builders import scenario_mapping, segment

N_SIMS = 6_000


def schemes() -> list[dict]:
    """The bank alone and with a guarantor taking 50% of every loss, on one book of 400
    loans (PD 3%, LGD 0.8), each with an NPL tolerance of 1.5% + 3pp (net basis)."""
    book = [segment(count=400, pd=0.03, lgd=0.8)]
    mappings = [scenario_mapping(book), scenario_mapping(book, layers=[
        {"party": "guarantor", "share_of_loss": 0.5}, {"party": "bank", "residual": True}])]
    for name, mapping in zip(("alone", "shared"), mappings, strict=True):
        mapping["name"] = name
        mapping["npl_tolerance"] = {"overall_npl_ratio": 0.015, "margin": 0.03}
    return mappings


def test_breach_probabilities_with_paired_errors() -> None:
    comparison = risksim.compare(schemes(), n_sims=N_SIMS, seed=6)
    table = comparison.schemes
    alone = comparison.results["alone"].indicators
    shared = comparison.results["shared"].indicators
    # gross: the same defaults, the same breaches: difference 0 with paired error 0
    assert table.loc["shared", "npl_gross_breach"] == table.loc["alone", "npl_gross_breach"]
    assert table.loc["shared", "npl_gross_breach_diff"] == 0.0
    assert table.loc["shared", "npl_gross_breach_diff_se"] == 0.0
    # net: lower under the scheme by more than 4 paired standard errors
    fall = (shared["npl.net.breach"] - alone["npl.net.breach"]).to_numpy()
    paired_se = fall.std(ddof=1) / math.sqrt(N_SIMS)  # sd(x_B − x_A)/√N
    assert np.isclose(table.loc["shared", "npl_net_breach_diff"], fall.mean(), rtol=1e-12)
    assert np.isclose(table.loc["shared", "npl_net_breach_diff_se"], paired_se, rtol=1e-12)
    assert table.loc["shared", "npl_net_breach_diff"] < -4 * paired_se
    p = table.loc["alone", "npl_breach"]  # the test on the net basis; alone, net = gross
    assert np.isclose(table.loc["alone", "npl_breach_se"], math.sqrt(p * (1 - p) / (N_SIMS - 1)),
                      rtol=1e-12)  # sd (ddof 1) of a 0/1 variable over √N
    assert 0.05 < p < 0.95


def test_tail_relief_per_scheme() -> None:
    table = risksim.compare(schemes(), n_sims=2_000, seed=6).schemes
    assert math.isnan(table.loc["alone", "tail_relief_rate_ES_0.999"])  # a lender alone
    # the guarantor's uncapped half: every capital measure halves (the Basel figure
    # differs: its guarantor carries a 20% risk weight)
    assert np.isclose(table.loc["shared", "tail_relief_rate_ES_0.999"], 0.5, rtol=1e-12)
    assert np.isclose(table.loc["shared", "tail_relief_rate_VaR_0.999"], 0.5, rtol=1e-12)
