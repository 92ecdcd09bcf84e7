"""The columns of what a block returns: one row per simulation, in this order —

``gross``, each party's loss (scenario currency), each indicator the rules and monitors
record, the amount of each fee paid (scenario currency), and, under weighted importance
sampling, the likelihood-ratio weight of the simulation.

Every reader of the engine's arrays takes their columns from one :class:`ColumnLayout`,
never by counting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from risksim.compile.plan import SimulationPlan


@dataclass(frozen=True)
class ColumnLayout:
    """The names and places of a block's output columns.

    Attributes
    ----------
    parties, indicators, fees : tuple of str
        The parties (after ``gross``), the indicators, the fees, in column order.
    weighted : bool
        Whether a last column holds the likelihood-ratio weight of each simulation.
    """

    parties: tuple[str, ...]
    indicators: tuple[str, ...]
    fees: tuple[str, ...]
    weighted: bool = False

    @classmethod
    def of(cls, plan: SimulationPlan) -> ColumnLayout:
        """The layout of the blocks of ``plan``."""
        return cls(parties=tuple(plan.parties), indicators=tuple(plan.indicators),
                   fees=tuple(fee.name for fee in plan.fees),
                   weighted=plan.sampling is not None and plan.sampling.weighted)

    @property
    def loss_names(self) -> tuple[str, ...]:
        """``gross`` and each party: the loss columns."""
        return ("gross", *self.parties)

    @property
    def names(self) -> tuple[str, ...]:
        """Every column but the weight: losses, indicators, fees."""
        return (*self.loss_names, *self.indicators, *self.fees)

    @property
    def width(self) -> int:
        """How many columns a block returns (the weight included)."""
        return len(self.names) + self.weighted

    @property
    def losses(self) -> slice:
        """Where the loss columns are."""
        return slice(0, len(self.loss_names))

    @property
    def indicator_columns(self) -> slice:
        """Where the indicator columns are."""
        start = len(self.loss_names)
        return slice(start, start + len(self.indicators))

    @property
    def fee_columns(self) -> slice:
        """Where the fee columns are."""
        return slice(self.indicator_columns.stop, len(self.names))

    def weights(self, values: np.ndarray) -> np.ndarray | None:
        """The weight column of ``values`` (a block's output), None when unweighted."""
        return values[:, len(self.names)] if self.weighted else None
