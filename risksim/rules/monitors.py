"""Monitors: rules that pay nothing and measure a ratio the regulator watches (M12).

They read the loss events themselves (never cells of alike loans), since the ratio they
measure depends on each defaulted loan's exposure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from risksim.rules.base import LossEvents


@dataclass(frozen=True, eq=False)
class NplTolerance:
    """The inclusive small-business NPL ratio against the overall ratio plus a margin.

    NPL ratio in year y = Σ outstanding of the loans defaulting in year y ÷ Σ scheduled
    outstanding of the book at the start of year y (a non-performing loan is written off
    within the year after it defaults; loans that defaulted earlier stay in the scheduled
    book, which understates the ratio by about the cumulative default rate). The tolerance
    is breached in a year whose ratio is above ``threshold`` = overall NPL ratio + margin
    (CBIRC 2019: + 3 percentage points).

    Records ``npl.max_ratio`` (the highest yearly ratio in the simulation) and
    ``npl.breach`` (1.0 if any year breached the tolerance).

    Attributes
    ----------
    threshold : float
        Largest tolerated NPL ratio.
    outstanding_by_year : numpy.ndarray
        (n_loans, n_years) outstanding exposure at the start of each year.
    """

    threshold: float
    outstanding_by_year: np.ndarray
    indicators = ("npl.max_ratio", "npl.breach")

    def measure(self, events: LossEvents) -> list[np.ndarray]:
        """The indicators' values per simulation, in the order of ``indicators``."""
        npl = events.per_simulation_year(self.outstanding_by_year[events.loan, events.year])
        book = self.outstanding_by_year.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(book > 0, npl / book, 0.0)
        highest = ratio.max(axis=1)
        return [highest, (highest > self.threshold).astype(float)]
