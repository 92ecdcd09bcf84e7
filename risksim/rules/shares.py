"""Per-loan (occurrence) shares of loss, and the residual kept by the lender."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from risksim.rules.base import Ledger


@dataclass(frozen=True)
class ShareOfLoss:
    """The party pays a fixed share of each defaulted loan's loss, at most a cap per loan.

    payment = min(share_of_loss × loss, per_loan_cap)

    Parameters
    ----------
    party : str
        Who pays.
    share_of_loss : float
        Fraction of each loan's loss, in [0, 1].
    per_loan_cap : float or None
        Largest payment for one loan (money); None for no cap.
    """

    party: str
    share_of_loss: float
    per_loan_cap: float | None = None

    def apply(self, ledger: Ledger) -> None:
        """Pay the share of every event's loss."""
        amounts = self.share_of_loss * ledger.events.loss
        if self.per_loan_cap is not None:
            amounts = np.minimum(amounts, self.per_loan_cap)
        ledger.pay(self.party, amounts)


@dataclass(frozen=True)
class Residual:
    """The party (normally the lender) pays whatever the earlier rules left."""

    party: str

    def apply(self, ledger: Ledger) -> None:
        """Pay all of the unallocated loss."""
        ledger.pay_rest(self.party)
