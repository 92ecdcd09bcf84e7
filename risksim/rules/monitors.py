"""Monitors: rules that pay nothing and measure a ratio the regulator watches (M12).

They read the loss events themselves (never cells of alike loans), since the ratio they
measure depends on each defaulted loan's exposure; what the parties paid they read from the
ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from risksim.rules.base import Ledger, LossEvents
from risksim.rules.compensation import compensation

NplBasis = Literal["gross", "net"]
NPL_BASES: tuple[NplBasis, ...] = ("gross", "net")
"""The two NPL definitions, in the order of the indicators."""


@dataclass(frozen=True, eq=False)
class NplTolerance:
    """The lender's yearly NPL ratio, gross and net of compensation, against its tolerance.

    With O_i(y) the scheduled outstanding of loan i at the start of year y, D(y) the loans
    defaulting in year y (a non-performing loan is written off within the year after it
    defaults, so the stock at the year's end is the year's defaults; loans that defaulted
    earlier stay in the scheduled book, which understates the ratio by about the cumulative
    default rate) and C_i = Σ_j s_j·P_i the compensation the other parties pay for loan i
    (their shares s_j of its loss times its principal P_i at default,
    :mod:`risksim.rules.compensation`):

        gross NPL ratio(y) = Σ_{i∈D(y)} O_i(y) ÷ Σ_i O_i(y)
        net NPL ratio(y)   = Σ_{i∈D(y)} (O_i(y) − C_i) ÷ Σ_i O_i(y)

    The gross ratio is the regulator's stock of loans 90 days past due; the net one the
    lender's NPL once guarantors and funds have compensated it (the compensated part of a
    defaulted loan leaves its NPL, as in Chinese practice). The tolerance is breached in a
    year whose ratio on ``basis`` is above ``threshold`` = overall NPL ratio + margin
    (CBIRC 2019: + 3 percentage points).

    Records, per simulation and basis b: ``npl.<b>.year_<y>`` (the ratio of year y, 1-based),
    ``npl.<b>.max_ratio`` (the highest yearly ratio) and ``npl.<b>.breach`` (1.0 if any year
    breached the tolerance); then ``npl.max_ratio`` and ``npl.breach`` on ``basis``, the
    tolerance test.

    Attributes
    ----------
    threshold : float
        Largest tolerated NPL ratio.
    outstanding_by_year : numpy.ndarray
        (n_loans, n_years) outstanding exposure at the start of each year.
    basis : {"net", "gross"}
        The definition the tolerance test uses.
    lender : str
        The party whose NPL it is; every other party compensates it.
    parties : tuple of str
        Every party of the scheme.
    """

    threshold: float
    outstanding_by_year: np.ndarray
    basis: NplBasis
    lender: str
    parties: tuple[str, ...]

    @property
    def indicators(self) -> tuple[str, ...]:
        """Per basis the yearly ratios, the highest and the breach; then the test's two."""
        years = self.outstanding_by_year.shape[1]
        per_basis = tuple(name for basis in NPL_BASES for name in (
            *(f"npl.{basis}.year_{year + 1}" for year in range(years)),
            f"npl.{basis}.max_ratio", f"npl.{basis}.breach"))
        return (*per_basis, "npl.max_ratio", "npl.breach")

    def measure(self, events: LossEvents, ledger: Ledger) -> list[np.ndarray]:
        """The indicators' values per simulation, in the order of ``indicators``.

        ``ledger`` holds the allocation of ``events`` (or of their cells by loan class:
        compensation is linear in the principal, so cells give the same yearly sums).
        """
        book = self.outstanding_by_year.sum(axis=0)
        npl = events.per_simulation_year(self.outstanding_by_year[events.loan, events.year])
        ratios = {"gross": _ratio(npl, book), "net": _ratio(npl - self._compensated(ledger),
                                                              book)}
        values: list[np.ndarray] = []
        for basis in NPL_BASES:
            highest = ratios[basis].max(axis=1)
            values += [*ratios[basis].T, highest, _breach(highest, self.threshold)]
        chosen = ratios[self.basis].max(axis=1)
        return [*values, chosen, _breach(chosen, self.threshold)]

    def _compensated(self, ledger: Ledger) -> np.ndarray:
        """Σ C_i of the loans defaulting in each year, per (simulation, year) (money)."""
        others = [party for party in self.parties if party != self.lender]
        paid = compensation(ledger, others)
        total = sum(paid.values(), np.zeros_like(ledger.events.loss))
        return ledger.events.per_simulation_year(total)


def _ratio(amounts: np.ndarray, book: np.ndarray) -> np.ndarray:
    """``amounts`` (n_sims, n_years) over the book of each year; 0 in a year without book."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(book > 0, amounts / np.where(book > 0, book, 1.0), 0.0)


def _breach(highest: np.ndarray, threshold: float) -> np.ndarray:
    """1.0 where the highest yearly ratio is above ``threshold``, else 0.0."""
    return (highest > threshold).astype(float)
