"""Compensation (代偿): what the parties pay the lender for each defaulted loan they cover.

A party j that takes on the share s_j = p_j / L of an event's loss L (its payment p_j before
recoveries are shared) compensates the lender

    C_j = s_j · P

its share of the principal P outstanding at default (money). What it later recovers on the
loan is its recovered compensation (代偿回收, :mod:`risksim.rules.recoveries`). The lender's
net NPL (:mod:`risksim.rules.monitors`) and the compensation indicators of recovery sharing
use these amounts, computed here once. What the parties are released from (the base of the
compensation rate 代偿率) is :class:`ReleasedGuarantees`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from risksim.rules.base import Ledger, LossEvents


def loss_shares(ledger: Ledger) -> dict[str, np.ndarray]:
    """Per party: the share s_j = p_j / L of each event's loss it took on before recoveries.

    The shares recovery sharing saw when it has applied (``ledger.shares_before_recovery``),
    else the ledger's payments over the loss; 0 for an event without loss.
    """
    if ledger.shares_before_recovery is not None:
        return ledger.shares_before_recovery
    loss = ledger.events.loss
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return {party: np.where(loss > 0, paid / np.where(loss > 0, loss, 1.0), 0.0)
                for party, paid in ledger.paid.items()}


def compensation(ledger: Ledger, parties: Sequence[str]) -> dict[str, np.ndarray]:
    """Per party of ``parties``: its compensation C_j = s_j · P of each event (money).

    Needs the principal at default in the ledger's events (the plan's ``needs_principal``).
    """
    principal = ledger.events.principal
    assert principal is not None, "the plan did not compute the principal"
    shares = loss_shares(ledger)
    return {party: shares[party] * principal for party in parties}


@dataclass(frozen=True, eq=False)
class ReleasedGuarantees:
    """The guarantees each party is released from over the horizon: the base of 代偿率.

    A guarantee ends (解除担保) when its loan is repaid at maturity or defaults and is
    compensated. Party j's guaranteed amount of loan i is G_ij = g_ij·EAD_i (its share of
    the loan's loss before caps, times the exposure); released in a simulation:

        R_j = Σ_{i maturing within the horizon} G_ij + Σ_{i defaulting, maturing later} G_ij

    so that 代偿率 = E[C_j] ÷ E[R_j] (DOMAIN.md §6, S118-S119: 累计代偿金额 ÷
    累计解除担保金额). Records ``<party>.released`` per simulation.

    Attributes
    ----------
    parties : tuple of str
        The guaranteeing parties.
    guaranteed : numpy.ndarray
        (n_loans, parties) G_ij (money).
    matures_within : numpy.ndarray
        (n_loans,) whether loan i's tenor ends within the horizon.
    """

    parties: tuple[str, ...]
    guaranteed: np.ndarray
    matures_within: np.ndarray

    @property
    def indicators(self) -> tuple[str, ...]:
        """``<party>.released`` for each party."""
        return tuple(f"{party}.released" for party in self.parties)

    def measure(self, events: LossEvents, ledger: Ledger) -> list[np.ndarray]:
        """R_j per simulation for each party (from the events; the ledger, which every
        monitor is given, is not read)."""
        matured = self.guaranteed[self.matures_within].sum(axis=0)
        early = ~self.matures_within[events.loan]
        return [matured[j] + events.per_simulation(
            np.where(early, self.guaranteed[events.loan, j] * events.counts, 0.0))
            for j in range(len(self.parties))]
