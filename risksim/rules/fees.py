"""Fees: cash flows beside the losses, paid on each loan while it performs (M14).

For a fee with upfront rate u_i and annual rate a_i on the base B_i(y) of loan i in year y
(the outstanding exposure at the start of year y, times the guaranteed share for a
guarantee fee; B_i at origination for the upfront fee), a loan that defaults in year d pays

    u_i·B_i(origination) + Σ_{y ≤ d} a_i·B_i(y)

(the annual fee is paid at the start of each year, so the year of default is paid), and a
loan that never defaults pays every year until it matures. Per simulation:

    fee = Σ_i [u_i·B_i(origination) + Σ_y a_i·B_i(y)] − Σ_defaults Σ_{y > d} a_i·B_i(y)

which needs only the (sparse) default events. Loans never granted (a trigger suspended new
lending, :mod:`risksim.rules.origination`) pay nothing: their whole schedule is taken off,
summed by the (group, vintage) cell they were refused in.

An experience-rated charge (M17, Japan's burden-charge method 負担金方式) replaces the
annual rate by one set each year from the payee's own claims experience:

    rate_0 = initial_rate,   rate_y = multiplier × claims_{y−1} / B(y−1)    (y ≥ 1)

with claims_y what the payee's layer paid on losses of year y and B(y) the base of the
loans performing at the start of year y; the lender then pays rate_y × B(y) in year y.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from risksim.rules.base import Ledger, LossEvents


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
    refused_by_year : numpy.ndarray or None
        (cells, n_years): the same for each cell of loans a lending trigger may refuse.
    """

    name: str
    payer: str
    payee: str
    performing_total: float
    forgone_after: np.ndarray
    performing_by_year: np.ndarray
    refused_by_year: np.ndarray | None = None

    @classmethod
    def compile(cls, name: str, payer: str, payee: str, upfront_rate: np.ndarray,
                annual_rate: np.ndarray, upfront_base: np.ndarray, base_by_year: np.ndarray,
                origination_year: np.ndarray,
                per_cell: Callable[[np.ndarray], np.ndarray] | None = None) -> FeeSchedule:
        """Build from per-loan rates, the base at origination, the (n_loans, n_years) base
        and each loan's year of origination; ``per_cell`` sums per-loan fees by the cells of
        a lending trigger (:meth:`risksim.rules.origination.LendingSuspension.per_cell`)."""
        annual = annual_rate[:, None] * base_by_year
        after = np.cumsum(annual[:, ::-1], axis=1)[:, ::-1]  # Σ_{y' ≥ y}
        forgone = np.concatenate([after[:, 1:], np.zeros((len(annual), 1))], axis=1)
        upfront = upfront_rate * upfront_base
        loan_by_year = annual.copy()  # each loan's fees by year, upfront in its vintage
        loan_by_year[np.arange(len(annual)), origination_year.astype(np.int64)] += upfront
        refused = None if per_cell is None else per_cell(loan_by_year)
        return cls(name, payer, payee, float(loan_by_year.sum()), forgone,
                   loan_by_year.sum(axis=0), refused)

    def by_year(self, events: LossEvents, ledger: Ledger | None = None) -> np.ndarray:
        """Fee paid at the start of each year, shape (n_sims, n_years) (money): what the
        performing book pays that year less, for year y ≥ 1, the annual fee a·B(y) of the
        loans that defaulted before y (and all of the loans never granted). Summed over
        years it is :meth:`collected`."""
        paid = np.tile(self.performing_by_year, (events.n_sims, 1))
        for year in range(1, paid.shape[1]):
            earlier = events.year < year
            loans = events.loan[earlier]
            forgone = self.forgone_after[loans, year - 1] - self.forgone_after[loans, year]
            paid[:, year] -= np.bincount(events.sim[earlier], weights=forgone,
                                         minlength=events.n_sims)
        if events.refused is not None and self.refused_by_year is not None:
            paid -= events.refused @ self.refused_by_year
        return paid

    def collected(self, events: LossEvents, ledger: Ledger | None = None) -> np.ndarray:
        """Fee paid in each simulation (money); a fee schedule needs no ledger."""
        forgone = events.per_simulation(self.forgone_after[events.loan, events.year])
        if events.refused is not None and self.refused_by_year is not None:
            forgone = forgone + events.refused @ self.refused_by_year.sum(axis=1)
        return self.performing_total - forgone


@dataclass(frozen=True, eq=False)
class ExperienceRatedCharge:
    """A yearly charge whose rate follows the payee's claims experience (module docstring).

    Attributes
    ----------
    name, payer, payee : str
        The charge's name, who pays and who receives it.
    layer : str
        The payee's layer whose payments are its claims experience.
    multiplier, initial_rate : float
        rate_y = multiplier × last year's claims rate; rate_0 = initial_rate.
    base_by_year : numpy.ndarray
        (n_loans, n_years) base of each loan at the start of each year (money).
    refused_base : numpy.ndarray or None
        (cells, n_years): the base of each cell of loans a lending trigger may refuse.
    """

    name: str
    payer: str
    payee: str
    layer: str
    multiplier: float
    initial_rate: float
    base_by_year: np.ndarray
    refused_base: np.ndarray | None = None

    def performing_base(self, events: LossEvents) -> np.ndarray:
        """B(y) per simulation, shape (n_sims, n_years): loans defaulting in year d stop
        counting from year d + 1 (the year of default is charged, as for fees); loans never
        granted do not count."""
        n_years = self.base_by_year.shape[1]
        later = np.arange(n_years)[None, :] > events.year[:, None]
        lost = self.base_by_year[events.loan] * later * events.counts[:, None]
        by_sim = np.zeros((events.n_sims, n_years))
        np.add.at(by_sim, events.sim, lost)
        if events.refused is not None and self.refused_base is not None:
            by_sim += events.refused @ self.refused_base
        return self.base_by_year.sum(axis=0)[None, :] - by_sim

    def by_year(self, events: LossEvents, ledger: Ledger) -> np.ndarray:
        """The charge paid at the start of each year, rate_y × B(y), shape (n_sims, n_years)
        (money): the performing base from the events themselves, the claims from the ledger
        (which may hold cells of alike loans)."""
        base = self.performing_base(events)
        claims = ledger.events.per_simulation_year(ledger.layer_paid[self.layer])
        with np.errstate(invalid="ignore", divide="ignore"):
            claims_rate = np.where(base > 0, claims / base, 0.0)
        rate = np.column_stack([np.full(events.n_sims, self.initial_rate),
                                self.multiplier * claims_rate[:, :-1]])
        return rate * base

    def collected(self, events: LossEvents, ledger: Ledger) -> np.ndarray:
        """The charge paid in each simulation (money), :meth:`by_year` summed."""
        return self.by_year(events, ledger).sum(axis=1)


Charge = FeeSchedule | ExperienceRatedCharge
"""A fee or charge: cash paid by ``payer`` to ``payee``, reported beside the losses."""
