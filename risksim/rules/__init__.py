"""Risk-sharing rules: small objects that split each simulated loss among the parties."""

from risksim.rules.base import Ledger, LossEvents, Rule
from risksim.rules.shares import Residual, ShareOfLoss

__all__ = ["Ledger", "LossEvents", "Residual", "Rule", "ShareOfLoss"]
