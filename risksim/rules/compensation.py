"""Compensation (代偿): what the parties pay the lender for each defaulted loan they cover.

A party j that takes on the share s_j = p_j / L of an event's loss L (its payment p_j before
recoveries are shared) compensates the lender

    C_j = s_j · P

its share of the principal P outstanding at default (money). What it later recovers on the
loan is its recovered compensation (代偿回收, :mod:`risksim.rules.recoveries`). The lender's
net NPL (:mod:`risksim.rules.monitors`) and the compensation indicators of recovery sharing
use these amounts, computed here once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from risksim.rules.base import Ledger


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
