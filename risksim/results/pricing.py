"""Fees priced for one party, tier by tier: the result of :func:`risksim.price`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from risksim.results.base import ResultBase
from risksim.stats.measures import Estimate
from risksim.util.files import write_csv


@dataclass(frozen=True)
class Pricing(ResultBase):
    """Fees of one party, tier by tier, with their Monte Carlo standard errors.

    Attributes
    ----------
    party : str
        The party priced.
    table : pandas.DataFrame
        One row per tier (and ``all`` for the book): ``loans``, ``expected_claims`` (E[C_pv],
        money), ``fee_base`` (E[B_pv], money), ``break_even`` and ``risk_adjusted`` (annual
        rates) each with ``_se``, ``capital`` (money) with ``capital_se``, and
        ``above_ceiling``: the fees above the scheme's fee ceiling (``break-even``,
        ``risk-adjusted``, on ``all`` also ``target``), comma-separated, empty if none.
    target : Estimate or None
        The fee meeting the target (annual rate) with its band, when a target was given.
    metadata : dict
        Terms, target, tiers, simulations, seed, currency, and ``fee_ceiling``
        (``{"rate": ..., "fee": ...}``, the ``max_rate`` applied and the fee stating it, or
        None).
    """

    party: str
    table: pd.DataFrame
    target: Estimate | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def fee_ceiling(self) -> float | None:
        """The scheme's fee ceiling the fees were checked against (annual rate), if any."""
        ceiling = self.metadata.get("fee_ceiling")
        return None if ceiling is None else float(ceiling["rate"])

    @property
    def no_fee_needed(self) -> bool:
        """Whether the solvency target is met with no fee at all (its fee is 0)."""
        return (self.target is not None and str(self.metadata.get("target")).startswith(
            "solvency") and self.target.value == 0.0)

    def schedule(self, column: str = "risk_adjusted") -> dict[str, Any]:
        """The tiers' fees as a scenario fee rate (``annual_rate`` of a fee).

        A mapping ``{by: <attribute>, values: {tier: rate}}`` for text tiers, or
        ``{by: <attribute>, bands: [...]}`` for size bands; one number for a single tier.
        """
        rates = self.table[column].drop("all", errors="ignore")
        by, bands = self.metadata["by"], self.metadata["bands"]
        if by is None:
            return {"annual_rate": round(float(rates.iloc[0]), 6)}
        if bands:
            tiers = [{"up_to": up_to, "value": round(float(rate), 6)}
                     for up_to, rate in zip([*bands, None], rates, strict=True)]
            return {"annual_rate": {"by": by, "bands": tiers}}
        return {"annual_rate": {"by": by, "values": {
            str(tier): round(float(rate), 6) for tier, rate in rates.items()}}}

    def summary(self) -> pd.DataFrame:
        """The fees of each tier (:attr:`table`)."""
        return self.table

    def to_frame(self) -> pd.DataFrame:
        """:attr:`table` with the tier as a column."""
        return self.table.reset_index()

    def save(self, path: str | Path) -> list[Path]:
        """Write :attr:`table` as CSV to ``path`` (atomically)."""
        return [write_csv(self.table, Path(path))]
