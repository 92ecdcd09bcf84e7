"""Basel IRB capital of a scenario's loans: the lender's capital relief, a guarantor's capital.

Each loan i gets the IRB capital K_i·EAD_i (:func:`risksim.models.basel.irb_capital`, with
the maturity adjustment) from its annual PD after the scenario's stress (floored at 0.03%,
CRR art. 160(1)), its mean LGD, the asset correlation R_i the default model uses and the
effective maturity M_i = its tenor clipped to [1, 5] years (BCBS 2006 ¶320).

Under the substitution approach (BCBS 2006 ¶301-302) the guaranteed part g_i·EAD_i of a
loan takes the guarantor's risk weight RW_g instead of the borrower's:

    capital without = Σ_i K_i·EAD_i
    capital with    = Σ_i [(1 − g_i)·K_i·EAD_i + g_i·EAD_i·RW_g·8%]

g_i is the share of loan i's loss that the layers other than the lender's take on before
their caps (share-of-loss and deposit layers; a counter-guarantee moves part of a share
between guarantors and leaves g_i unchanged; tranches are not substitution cover and count
0). The substitution ignores caps, cap rates, budgets and triggers, which make real cover
smaller than g_i, so the relief is an upper bound for capped schemes; the relief the
simulated tail shows (economic capital VaR or ES − EL alone and under the scheme, with its
paired error) is :meth:`risksim.Result.capital_relief`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from risksim.compile.rules import guaranteed_share
from risksim.compile.scenario import Scenario
from risksim.models.basel import irb_capital

PD_FLOOR = 0.0003
"""Lowest PD in the IRB formula (CRR art. 160(1): 0.03%)."""

DEFAULT_GUARANTOR_RISK_WEIGHT = 0.2
"""Risk weight of the guaranteed part for the capital relief (a state-backed guarantor;
BCBS 2006 ¶54, S93)."""

MINIMUM_CAPITAL_RATIO = 0.08
"""Capital per unit of risk-weighted assets (RWA = 12.5 × capital)."""


@dataclass(frozen=True)
class CapitalRelief:
    """The lender's IRB capital without and with the scheme (money) and the relief.

    The substitution approach ignores caps, budgets and triggers: it is an upper bound for
    capped schemes. The relief seen by the simulated tail is
    :meth:`risksim.Result.capital_relief`.
    """

    without: float
    with_scheme: float
    guarantor_risk_weight: float

    def document(self) -> dict[str, float]:
        """Capital without and with the scheme, the relief rate and the guarantors' risk
        weight, as run metadata holds them."""
        return {"without": self.without, "with_scheme": self.with_scheme,
                "relief_rate": self.relief_rate,
                "guarantor_risk_weight": self.guarantor_risk_weight}

    @property
    def relief(self) -> float:
        """Capital freed by the scheme (money)."""
        return self.without - self.with_scheme

    @property
    def relief_rate(self) -> float:
        """Relief as a fraction of the capital without the scheme."""
        return self.relief / self.without if self.without > 0 else 0.0


def loan_capital(scenario: Scenario) -> np.ndarray:
    """IRB capital K_i·EAD_i of each loan (money), as the lender would hold it alone."""
    plan, portfolio = scenario.plan, scenario.portfolio
    periods_per_year = plan.periods_per_year
    annual_pd = -np.expm1(periods_per_year * np.log1p(-np.minimum(plan.loss_model.period_pd,
                                                                 1.0 - 1e-16)))
    capital = irb_capital(np.maximum(annual_pd, PD_FLOOR), portfolio["lgd"],
                          plan.loss_model.asset_correlation,
                          np.clip(portfolio["tenor_years"], 1.0, 5.0))
    return np.asarray(capital) * portfolio["exposure"]


def covered_share(scenario: Scenario) -> np.ndarray:
    """g_i: the share of each loan's loss the non-lender layers take on (before caps), ≤ 1."""
    arrangement, portfolio = scenario.spec.arrangement, scenario.portfolio
    lender = arrangement.layers[-1].party
    guarantors = dict.fromkeys(layer.party for layer in arrangement.layers
                               if layer.party != lender and layer.tranche_terms is None
                               and layer.share_of_layer is None)
    shares = sum((guaranteed_share(arrangement, party, portfolio) for party in guarantors),
                 np.zeros(len(portfolio)))
    return np.minimum(shares, 1.0)


def capital_relief(scenario: Scenario, guarantor_risk_weight: float) -> CapitalRelief:
    """The lender's IRB capital without and with the scheme's cover (substitution approach).

    Parameters
    ----------
    scenario : Scenario
        The scheme and its loans.
    guarantor_risk_weight : float
        RW_g of the guarantors, a fraction (0 for a sovereign, 0.2 for a state-backed
        guarantee bank, BCBS 2006 ¶53-54; S93).
    """
    per_loan = loan_capital(scenario)
    covered = covered_share(scenario)
    guaranteed = covered * scenario.portfolio["exposure"] * guarantor_risk_weight
    with_scheme = float(((1.0 - covered) * per_loan).sum()
                        + MINIMUM_CAPITAL_RATIO * guaranteed.sum())
    return CapitalRelief(without=float(per_loan.sum()), with_scheme=with_scheme,
                         guarantor_risk_weight=guarantor_risk_weight)
