"""Turn the scenario's arrangement into rule objects, in the order they apply."""

from __future__ import annotations

from risksim.rules.base import Rule
from risksim.rules.shares import Residual, ShareOfLoss
from risksim.scenario.arrangement import Arrangement


def build_rules(arrangement: Arrangement) -> tuple[Rule, ...]:
    """One rule per layer, in the order written in the scenario."""
    rules: list[Rule] = []
    for layer in arrangement.layers:
        if layer.residual:
            rules.append(Residual(layer.party))
        else:
            assert layer.share_of_loss is not None
            rules.append(ShareOfLoss(layer.party, layer.share_of_loss, layer.per_loan_cap))
    return tuple(rules)
