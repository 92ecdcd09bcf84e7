"""Recovery sharing (M16): who gets what is recovered on a defaulted loan.

The order of operations, for an event with shortfall S at default (the principal
outstanding plus the accrued interest lost) and loss L (net of the recovery R = S − L):

1. The layers, in the order written, allocate L under all their terms (shares, caps,
   tranches, cap rates, budgets, funds, deposits, capital, triggers, counter-guarantees):
   party j pays p_j, Σ p_j = L. Every term binds on these amounts.
2. Each party's claim (its compensation) is its share of the shortfall,
   c_j = S · p_j / Σ_k p_k, so Σ c_j = S.
3. The recovery R repays the parties of the priority order ``first_to`` in turn, each up to
   its claim, then the others pro rata to their claims. Equivalently the loss L is borne in
   the reverse order: first the pro-rata group (pro rata to claims, each at most its claim),
   then the last party of the order, …, the first party last.
4. A party with a limiting term (:data:`LIMITING_TERMS`) keeps at least its pro-rata
   recovery, so it never bears more than the p_j its terms allowed: outside the order it
   bears exactly p_j; in the order it bears at most min(c_j, p_j). The recovery a priority
   order moves therefore comes from the parties without limiting terms (plain shares and the
   lender), never from a limited one.

So each party's net loss is

    limited, not in order:   net_j = p_j
    pro-rata group G:        net_j = c_j · min(1, L_G / C_G),   L_G = L − Σ_limited p,
                                                                C_G = Σ_G c
    in order, last first:    net_f = min(h_f, L_f),  h_f = min(c_f, p_f) if limited else c_f,
                             L_f the loss the later parties left

and the lender's is the rest, L − Σ_others net. Every net is computed from amounts of the
size of the loss (never as a claim minus a recovery, which cancels catastrophically when a
large principal is nearly all recovered). With no priority order net_j = p_j exactly.
Conservation: Σ net_j = L. Monotonicity: more coverage from any party lowers the lender's
claim or raises what the others bear before it, so the lender's net never rises.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from risksim.rules.base import Ledger
from risksim.rules.compensation import compensation, loss_shares

LIMITING_TERMS = ("tranche", "tranche_of_remaining", "deposit", "interest_days_cap",
                  "per_loan_cap", "per_borrower_cap", "per_lender_cap", "suspend_if", "cap_rate",
                  "annual_budget", "fund", "capital")
"""Layer terms that bound what a party pays; its recovery share is then never lowered."""


@dataclass(frozen=True)
class RecoverySharing:
    """Share each event's recovery: first to ``first_to`` in order, then pro rata.

    Records ``<party>.compensation`` (its compensation Σ s_j·P, the share of the principal
    at default, :func:`~risksim.rules.compensation.compensation`) and ``<party>.recoveries``
    per simulation for every party but the lender.

    Parameters
    ----------
    first_to : tuple of str
        Parties that recover first, in order (the lender may be one of them).
    parties : tuple of str
        Every party; the last is the lender.
    limited : tuple of str
        Parties with a limiting term on some layer (they keep their pro-rata recovery).
    """

    first_to: tuple[str, ...]
    parties: tuple[str, ...]
    limited: tuple[str, ...] = ()
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
        paid = ledger.paid
        shares = loss_shares(ledger)  # before the payments are replaced
        total = sum((paid[party] for party in self.parties), np.zeros_like(events.loss))
        with np.errstate(invalid="ignore", divide="ignore"):
            # the share of the loss each party pays, times the shortfall (never S/L: a
            # vanishing loss would overflow it)
            claims = {party: np.where(total > 0, paid[party] / total, 0.0) * events.shortfall
                      for party in self.parties}
        net = self._net(paid, claims, events.loss) if self.first_to else dict(paid)
        lender = self.parties[-1]
        net[lender] = events.loss - sum((net[p] for p in self.tracked),
                                        np.zeros_like(events.loss))
        ledger.replace_payments(net)
        ledger.shares_before_recovery = shares
        recovered = {party: np.maximum(claims[party] - net[party], 0.0)
                     for party in self.tracked}
        ledger.recovered = recovered
        compensated = compensation(ledger, self.tracked)
        for party in self.tracked:
            ledger.record(f"{party}.compensation", events.per_simulation(compensated[party]))
            ledger.record(f"{party}.recoveries", events.per_simulation(recovered[party]))

    def _net(self, paid: dict[str, np.ndarray], claims: dict[str, np.ndarray],
             loss: np.ndarray) -> dict[str, np.ndarray]:
        """Each party's net loss under the priority order (steps 3 and 4 above)."""
        frozen = [p for p in self.parties if p in self.limited and p not in self.first_to]
        group = [p for p in self.parties if p not in self.limited and p not in self.first_to]
        net = {party: paid[party] for party in frozen}
        left = np.maximum(loss - sum((paid[p] for p in frozen), np.zeros_like(loss)), 0.0)
        group_claims = sum((claims[p] for p in group), np.zeros_like(loss))
        binds = group_claims > left
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            fraction = np.where(binds, left / group_claims, 1.0)  # below 1 where it binds
        for party in group:
            net[party] = claims[party] * fraction
        left = np.where(binds, 0.0, left - group_claims)
        for party in reversed(self.first_to):
            bound = (np.minimum(claims[party], paid[party]) if party in self.limited
                     else claims[party])
            net[party] = np.minimum(bound, left)
            left = left - net[party]
        return net
