"""Fees: cash flows beside the losses, paid on each loan while it performs (M14).

For a fee with upfront rate u_i and annual rate a_i on the base B_i(y) of loan i in year y
(the outstanding exposure at the start of year y, times the guaranteed share for a
guarantee fee; B_i at origination for the upfront fee), a loan that defaults in year d pays

    u_i·B_i(origination) + Σ_{y ≤ d} a_i·B_i(y)

(the annual fee is paid at the start of each year, so the year of default is paid), and a
loan that never defaults pays every year until it matures. Per simulation:

    fee = Σ_i [u_i·B_i(origination) + Σ_y a_i·B_i(y)] − Σ_defaults Σ_{y > d} a_i·B_i(y)

which needs only the (sparse) default events.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from risksim.rules.base import LossEvents


@dataclass(frozen=True, eq=False)
class FeeSchedule:
    """One fee, compiled for a portfolio.

    Attributes
    ----------
    name, payer, payee : str
        The fee's name, who pays (a party or ``borrower``) and who receives it.
    performing_total : float
        What the fee brings in when no loan defaults (money).
    forgone_after : numpy.ndarray
        (n_loans, n_years): annual fees a loan no longer pays when it defaults in year d,
        Σ_{y > d} a·B(y).
    performing_by_year : numpy.ndarray
        (n_years,): what the fee brings in at the start of each year when no loan defaults,
        the upfront fees of the loans granted that year included (money).
    """

    name: str
    payer: str
    payee: str
    performing_total: float
    forgone_after: np.ndarray
    performing_by_year: np.ndarray

    @classmethod
    def compile(cls, name: str, payer: str, payee: str, upfront_rate: np.ndarray,
                annual_rate: np.ndarray, upfront_base: np.ndarray, base_by_year: np.ndarray,
                origination_year: np.ndarray) -> FeeSchedule:
        """Build from per-loan rates, the base at origination, the (n_loans, n_years) base
        and each loan's year of origination."""
        annual = annual_rate[:, None] * base_by_year
        after = np.cumsum(annual[:, ::-1], axis=1)[:, ::-1]  # Σ_{y' ≥ y}
        forgone = np.concatenate([after[:, 1:], np.zeros((len(annual), 1))], axis=1)
        upfront = upfront_rate * upfront_base
        total = float(np.sum(upfront) + annual.sum())
        by_year = annual.sum(axis=0) + np.bincount(origination_year.astype(np.int64),
                                                   weights=upfront,
                                                   minlength=annual.shape[1])[:annual.shape[1]]
        return cls(name, payer, payee, total, forgone, by_year)

    def by_year(self, events: LossEvents) -> np.ndarray:
        """Fee paid at the start of each year, shape (n_sims, n_years) (money): what the
        performing book pays that year less, for year y ≥ 1, the annual fee a·B(y) of the
        loans that defaulted before y. Summed over years it is :meth:`collected`."""
        paid = np.tile(self.performing_by_year, (events.n_sims, 1))
        for year in range(1, paid.shape[1]):
            earlier = events.year < year
            loans = events.loan[earlier]
            forgone = self.forgone_after[loans, year - 1] - self.forgone_after[loans, year]
            paid[:, year] -= np.bincount(events.sim[earlier], weights=forgone,
                                         minlength=events.n_sims)
        return paid

    def collected(self, events: LossEvents) -> np.ndarray:
        """Fee paid in each simulation (money)."""
        forgone = events.per_simulation(self.forgone_after[events.loan, events.year])
        return self.performing_total - forgone
