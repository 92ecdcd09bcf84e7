"""The arrangement section of a scenario: the parties and the layers that share each loss."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from risksim.scenario.base import RESERVED_NAMES, Fraction, Money, Name, StrictModel
from risksim.suggest import unknown_name_message


class Layer(StrictModel):
    """One layer of the arrangement: who pays what of each loan's loss.

    ``share_of_loss`` is the fraction of each defaulted loan's loss the party pays, at most
    ``per_loan_cap`` (money) per loan; ``residual: true`` makes the party pay whatever the
    layers before it left (the lender, normally last).
    """

    party: Name
    share_of_loss: Fraction | None = None
    per_loan_cap: Money | None = None
    residual: bool = False

    @model_validator(mode="after")
    def _one_kind(self) -> Layer:
        if self.residual == (self.share_of_loss is not None):
            raise ValueError("give either share_of_loss or residual: true")
        if self.residual and self.per_loan_cap is not None:
            raise ValueError("per_loan_cap applies to a share_of_loss layer, not the residual")
        return self


class Arrangement(StrictModel):
    """The parties of the scheme and its layers, applied in the order written."""

    parties: Annotated[list[Name], Field(min_length=1)]
    layers: Annotated[list[Layer], Field(min_length=1)]

    @model_validator(mode="after")
    def _consistent(self) -> Arrangement:
        parties = self.parties
        for name in parties:
            if parties.count(name) > 1:
                raise ValueError(f"party '{name}' is declared twice")
            if name in RESERVED_NAMES:
                raise ValueError(f"'{name}' is reserved and cannot name a party")
        for layer in self.layers:
            if layer.party not in parties:
                raise ValueError(unknown_name_message("party", layer.party, parties)
                                 + " (declare it under parties)")
        unused = [p for p in parties if p not in {layer.party for layer in self.layers}]
        if unused:
            raise ValueError(f"party '{unused[0]}' has no layer")
        residual = [i for i, layer in enumerate(self.layers) if layer.residual]
        if residual != [len(self.layers) - 1]:
            raise ValueError("exactly one layer, the last, must be residual: true "
                             "(the lender keeps what the others do not pay)")
        total = sum(layer.share_of_loss or 0.0 for layer in self.layers)
        if total > 1.0 + 1e-12:
            raise ValueError(f"shares of loss add up to {total:g}, above 1")
        return self
