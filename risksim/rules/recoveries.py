"""Recovery sharing (M16): who gets what is recovered on a defaulted loan.

Applied after every layer. For an event with principal P at default (plus the accrued
interest lost, when loans accrue interest) and loss L, the recovery is R = P − L. A party
that pays p_j of the loss has a claim c_j = (p_j / L)·P (its share of the principal). The
parties of the priority order take R in turn, each up to its claim; the rest R' goes to all
other parties pro rata to their claims. Each party's net loss is its claim less what it
recovered:

    first in order:  net_j = c_j − min(c_j, R_left)
    the others:      net_j = c_j − R'·c_j / Σ_others c

With no priority order this gives back every party's p_j exactly (the pro-rata rule).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from risksim.rules.base import Ledger
from risksim.rules.compensation import compensation, loss_shares


@dataclass(frozen=True)
class RecoverySharing:
    """Share each event's recovery: first to ``first_to`` in order, then pro rata.

    Records ``<party>.compensation`` (its compensation Σ s_j·P, the share of the principal
    at default, :func:`~risksim.rules.compensation.compensation`) and ``<party>.recoveries``
    per simulation for every party but the lender.

    Parameters
    ----------
    first_to : tuple of str
        Parties that recover first, in order.
    parties : tuple of str
        Every party; the last is the lender.
    """

    first_to: tuple[str, ...]
    parties: tuple[str, ...]
    party: str = "recoveries"
    per_loan = True
    loan_arrays: tuple[np.ndarray, ...] = ()

    @property
    def tracked(self) -> tuple[str, ...]:
        """Parties whose compensation and recoveries are recorded (all but the lender)."""
        return self.parties[:-1]

    @property
    def indicators(self) -> tuple[str, ...]:
        """``<party>.compensation`` and ``<party>.recoveries`` for each tracked party."""
        return tuple(f"{party}.{what}" for party in self.tracked
                     for what in ("compensation", "recoveries"))

    def apply(self, ledger: Ledger) -> None:
        """Redistribute the parties' payments by the recovery rule."""
        events = ledger.events
        principal = events.shortfall
        loss = events.loss
        shares = loss_shares(ledger)
        # the share of the loss each party pays, times the principal (never P/L: a
        # vanishing loss would overflow it)
        claims = {party: shares[party] * principal for party in self.parties}
        left = np.where(loss > 0, principal - loss, 0.0)
        recovered = {}
        for party in self.first_to:
            recovered[party] = np.minimum(claims[party], left)
            left = left - recovered[party]
        others = [party for party in self.parties if party not in recovered]
        pool = sum((claims[party] for party in others), np.zeros_like(loss))
        with np.errstate(invalid="ignore", divide="ignore"):
            fraction = np.where(pool > 0, left / pool, 0.0)
        for party in others:
            recovered[party] = claims[party] * fraction
        net = {party: claims[party] - recovered[party] for party in self.parties}
        lender = self.parties[-1]
        net[lender] = loss - sum((net[p] for p in self.parties[:-1]), np.zeros_like(loss))
        ledger.replace_payments(net)
        ledger.shares_before_recovery = shares
        ledger.recovered = {party: recovered[party] for party in self.tracked}
        compensated = compensation(ledger, self.tracked)
        for party in self.tracked:
            ledger.record(f"{party}.compensation", events.per_simulation(compensated[party]))
            ledger.record(f"{party}.recoveries", events.per_simulation(recovered[party]))
