"""Suspension of new lending (M11): a trigger that stops a bank (or the whole scheme) from
granting the later vintages of its covered loans.

Vintage v of group g (a lender, or the whole scheme) is granted unless the group's ratio in
the year before passed the threshold (``reactivate="next_year_below"``), or in any year
before (``"never"``); vintage 0 is always granted. The ratio of year y is measured on the
loans granted so far:

    ratio_{g,y} = Σ numerator of granted covered loans of g defaulting in year y
                  ÷ Σ_v granted_{g,v} · volume_{g,v,y}

with ``loss_rate`` (loss), ``npl_ratio`` (outstanding at the start of the year) or
``default_rate`` (count, against the number of loans outstanding). Loans never granted
cannot default, pay no fee and are dropped from the events before any rule applies.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from risksim.rules.base import Ledger, LossEvents


def cell_sums(cell: np.ndarray, n_cells: int, values: np.ndarray) -> np.ndarray:
    """Per-loan ``values`` (n_loans, …) summed by ``cell`` (loans with cell −1 left out),
    shape (n_cells, …)."""
    covered = cell >= 0
    flat = values.reshape(values.shape[0], -1)[covered]
    sums = np.zeros((n_cells, flat.shape[1]))
    np.add.at(sums, cell[covered], flat)
    return sums.reshape((n_cells, *values.shape[1:]))


@dataclass(frozen=True, eq=False)
class LendingSuspension:
    """Decides, per simulation, which vintages of each group are granted.

    Records ``<layer>.lending_suspended`` (some vintage of some group was not granted) and
    ``<layer>.lending_forgone`` (the exposure not lent, money).

    Attributes
    ----------
    layer : str
        The layer whose trigger this is (names the indicators).
    metric : str
        ``loss_rate``, ``npl_ratio`` or ``default_rate``.
    threshold : float
        Largest tolerated ratio.
    reactivate : str
        ``next_year_below`` or ``never``.
    cell : numpy.ndarray
        Per loan, its (group, vintage) cell g·V + v, or −1 for loans the layer does not cover.
    volume : numpy.ndarray
        (n_groups, n_vintages, n_years) covered volume (or number of loans for
        ``default_rate``) outstanding at the start of each year.
    exposure : numpy.ndarray
        (n_groups · n_vintages,) covered exposure of each cell (money).
    outstanding_by_year : numpy.ndarray
        (n_loans, n_years) outstanding at the start of each year (for ``npl_ratio``).
    """

    layer: str
    metric: Literal["loss_rate", "npl_ratio", "default_rate"]
    threshold: float
    reactivate: Literal["next_year_below", "never"]
    cell: np.ndarray
    volume: np.ndarray
    exposure: np.ndarray
    outstanding_by_year: np.ndarray

    @property
    def indicators(self) -> tuple[str, ...]:
        """``<layer>.lending_suspended`` and ``<layer>.lending_forgone``."""
        return (f"{self.layer}.lending_suspended", f"{self.layer}.lending_forgone")

    def granted(self, events: LossEvents) -> np.ndarray:
        """Whether each (simulation, group, vintage) is granted, shape (n_sims, G, V)."""
        n_groups, n_vintages, n_years = self.volume.shape
        granted = np.ones((events.n_sims, n_groups, n_vintages), dtype=bool)
        cell = self.cell[events.loan]
        covered = cell >= 0
        numerator = self._numerator(events) * covered
        group = np.where(covered, cell // n_vintages, 0)
        stopped = np.zeros((events.n_sims, n_groups), dtype=bool)
        for year in range(min(n_years, n_vintages) - 1):
            live = covered & (events.year == year) & granted[events.sim, group,
                                                             np.maximum(cell, 0) % n_vintages]
            totals = np.bincount(events.sim[live] * n_groups + group[live],
                                 weights=numerator[live], minlength=events.n_sims * n_groups)
            denominator = np.einsum("sgv,gv->sg", granted, self.volume[:, :, year])
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio = np.nan_to_num(totals.reshape(events.n_sims, n_groups) / denominator)
            passed = ratio > self.threshold
            stopped = stopped | passed if self.reactivate == "never" else passed
            granted[:, :, year + 1] = ~stopped
        return granted

    def apply(self, events: LossEvents) -> LossEvents:
        """The events of granted (or uncovered) loans, with ``refused``: per simulation,
        which (group, vintage) cells were not granted, shape (n_sims, G·V)."""
        granted = self.granted(events)
        n_vintages = self.volume.shape[1]
        cell = self.cell[events.loan]
        safe = np.maximum(cell, 0)
        kept = (cell < 0) | granted[events.sim, safe // n_vintages, safe % n_vintages]
        refused = ~granted.reshape(events.n_sims, -1)
        return replace(events.select(kept), refused=refused)

    def per_cell(self, values: np.ndarray) -> np.ndarray:
        """Per-loan ``values`` (n_loans, …) summed over the covered loans of each cell."""
        return cell_sums(self.cell, self.exposure.size, values)

    def measure(self, events: LossEvents, ledger: Ledger) -> list[np.ndarray]:
        """The indicators' values per simulation, in the order of ``indicators`` (from the
        refused cells of ``events``; the ledger, which every monitor is given, is not read)."""
        assert events.refused is not None, "the events were not filtered by this gate"
        return [events.refused.any(axis=1).astype(float), events.refused @ self.exposure]

    def _numerator(self, events: LossEvents) -> np.ndarray:
        if self.metric == "loss_rate":
            return events.loss
        if self.metric == "default_rate":
            return events.counts
        return self.outstanding_by_year[events.loan, events.year]
