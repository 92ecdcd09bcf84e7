"""What every rule sees and how it pays: loss events and the ledger of who paid what."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np

CONSERVATION_RTOL = 1e-9
"""Relative tolerance of the conservation check (rounding of sums only)."""

PER_EVENT = ("sim", "loan", "period", "year", "loss", "count", "claim_uniform", "principal",
             "interest")
"""The :class:`LossEvents` arrays with one entry per event."""


@dataclass(frozen=True, eq=False)
class LossEvents:
    """The defaults of one block, kept sparse: one entry per defaulted loan.

    Attributes
    ----------
    sim : numpy.ndarray
        Simulation index within the block of each event.
    loan : numpy.ndarray
        Loan index (row of the portfolio).
    period : numpy.ndarray
        Period of default (0-based).
    year : numpy.ndarray
        Year of default (0-based), ``period // periods_per_year``.
    loss : numpy.ndarray
        Loss of the event in the scenario's currency.
    n_sims : int
        Simulations in the block (events reduce to arrays of this length).
    n_years : int
        Years in the horizon (rounded up).
    count : numpy.ndarray or None
        Defaults behind each entry when entries are aggregated into cells (see
        :meth:`by_class`); None means one default each.
    claim_uniform : numpy.ndarray or None
        A uniform draw per event for claim denial; None when no layer denies claims.
    principal : numpy.ndarray or None
        Principal outstanding at default (money), when recoveries are tracked or a layer's
        base is the principal; the recovery of an event is principal + interest − loss.
    interest : numpy.ndarray or None
        Accrued interest lost at default (money, part of ``loss``); None when no loan
        accrues interest.
    refused : numpy.ndarray or None
        When a trigger suspends new lending: per simulation, which (group, vintage) cells
        of loans were never granted, shape (n_sims, cells); their loans have no events.
    """

    sim: np.ndarray
    loan: np.ndarray
    period: np.ndarray
    year: np.ndarray
    loss: np.ndarray
    n_sims: int
    n_years: int
    count: np.ndarray | None = None
    claim_uniform: np.ndarray | None = None
    principal: np.ndarray | None = None
    interest: np.ndarray | None = None
    refused: np.ndarray | None = None

    @property
    def shortfall(self) -> np.ndarray:
        """What the lender is owed at default: the principal plus the accrued interest lost
        (money); the recovery of an event is shortfall − loss."""
        assert self.principal is not None, "the plan did not compute the principal"
        return self.principal if self.interest is None else self.principal + self.interest

    @property
    def counts(self) -> np.ndarray:
        """Number of defaults behind each entry."""
        return np.ones(self.loss.size) if self.count is None else self.count

    def by_class(self, loan_class: np.ndarray, representative: np.ndarray, n_periods: int,
                 periods_per_year: int) -> LossEvents:
        """The events summed into cells of (simulation, period, loan class).

        Loans of one class are alike for every rule, so a rule that is linear in the loss
        allocates a cell exactly as it would its events. Each cell's ``loan`` is a
        representative loan of its class and ``count`` its number of defaults.
        """
        n_classes = representative.size
        key = (self.sim * n_periods + self.period) * n_classes + loan_class[self.loan]
        size = self.n_sims * n_periods * n_classes
        count = np.bincount(key, minlength=size)
        cells = np.flatnonzero(count)

        def summed(values: np.ndarray | None) -> np.ndarray | None:
            return None if values is None else np.bincount(key, values, size)[cells]

        cell_class = cells % n_classes
        sim_period = cells // n_classes
        period = sim_period % n_periods
        return LossEvents(sim=sim_period // n_periods, loan=representative[cell_class],
                          period=period, year=period // periods_per_year,
                          loss=np.bincount(key, self.loss, size)[cells],
                          n_sims=self.n_sims, n_years=self.n_years,
                          count=count[cells].astype(float), principal=summed(self.principal),
                          interest=summed(self.interest), refused=self.refused)

    def select(self, kept: np.ndarray) -> LossEvents:
        """The events where ``kept`` is True, every per-event array filtered alike."""
        filtered: dict[str, Any] = {name: None if getattr(self, name) is None
                                    else getattr(self, name)[kept] for name in PER_EVENT}
        return replace(self, **filtered)

    @staticmethod
    def concatenate(parts: Sequence[LossEvents]) -> LossEvents:
        """The events of consecutive groups of simulations as one: part k's simulations are
        numbered after those of parts 0 … k − 1 (its ``sim`` offset by their ``n_sims``)."""
        if len(parts) == 1:
            return parts[0]
        offsets = np.cumsum([0] + [part.n_sims for part in parts[:-1]])
        joined: dict[str, Any] = {
            name: None if getattr(parts[0], name) is None
            else np.concatenate([getattr(part, name) for part in parts])
            for name in PER_EVENT}
        joined["sim"] = np.concatenate([part.sim + offset
                                        for part, offset in zip(parts, offsets, strict=True)])
        refused = [part.refused for part in parts if part.refused is not None]
        return replace(parts[0], **joined, refused=np.concatenate(refused) if refused else None,
                       n_sims=sum(part.n_sims for part in parts))

    def per_simulation(self, amounts: np.ndarray) -> np.ndarray:
        """Sum per-event ``amounts`` into per-simulation totals (length ``n_sims``)."""
        return np.bincount(self.sim, weights=amounts, minlength=self.n_sims)

    def per_simulation_year(self, amounts: np.ndarray) -> np.ndarray:
        """Sum per-event ``amounts`` into totals per (simulation, year), shape (n_sims, n_years)."""
        totals = np.bincount(self.sim * self.n_years + self.year, weights=amounts,
                             minlength=self.n_sims * self.n_years)
        return totals.reshape(self.n_sims, self.n_years)


class Ledger:
    """Per-event record of what each party paid and what is still unallocated.

    Rules call :meth:`pay`; the ledger refuses a payment that is negative or larger than
    what is left of the loss, so no rule can create or lose money. Besides what each party
    bears in the end (``paid``), it keeps who took over whose payments (``transfers``, a
    counter-guarantor reimbursing the layer it backs) and, after recovery sharing, what each
    party recovered (``recovered``): the timeline dates these flows.

    Parameters
    ----------
    events : LossEvents
        The losses to allocate.
    parties : sequence of str
        Party names, in the scenario's order.
    """

    def __init__(self, events: LossEvents, parties: Sequence[str]) -> None:
        self.events = events
        self.unallocated = events.loss.copy()
        self.paid = {party: np.zeros_like(events.loss) for party in parties}
        self.layer_paid: dict[str, np.ndarray] = {}
        self.indicators: dict[str, np.ndarray] = {}
        self.transfers: dict[tuple[str, str], np.ndarray] = {}
        """Per (payer, payee) of :meth:`transfer`: what the payee took over (per event)."""
        self.recovered: dict[str, np.ndarray] = {}
        """Per party but the lender: its share of each event's recovery (money), set by
        recovery sharing; ``paid`` is then net of it."""
        self.shares_before_recovery: dict[str, np.ndarray] | None = None
        """Per party: the share p_j / L of each event's loss it paid before recovery sharing
        redistributed the payments; None until it has."""
        self._slack = CONSERVATION_RTOL * np.maximum(events.loss, 1.0)

    def pay(self, party: str, amounts: np.ndarray) -> None:
        """Record that ``party`` pays ``amounts`` (per event) out of the unallocated loss."""
        remaining = self.unallocated - amounts
        if (amounts < 0).any() or (remaining < -self._slack).any():
            raise ArithmeticError(f"rule for '{party}' pays outside [0, unallocated loss]")
        self.paid[party] += amounts
        self.unallocated = np.maximum(remaining, 0.0, out=remaining)

    def transfer(self, payer: str, payee: str, amounts: np.ndarray) -> None:
        """Move ``amounts`` (per event) of what ``payer`` paid over to ``payee``."""
        slack = self._slack
        if (amounts < 0).any() or (amounts > self.paid[payer] + slack).any():
            raise ArithmeticError(f"transfer from '{payer}' exceeds what it paid")
        self.paid[payer] = np.maximum(self.paid[payer] - amounts, 0.0)
        self.paid[payee] += amounts
        key = (payer, payee)
        self.transfers[key] = self.transfers.get(key, 0.0) + amounts

    def record(self, name: str, values: np.ndarray) -> None:
        """Keep a per-simulation indicator (e.g. whether a cap bound), length ``n_sims``."""
        self.indicators[name] = values

    def replace_payments(self, paid: dict[str, np.ndarray]) -> None:
        """Set every party's per-event payments anew (a redistribution of the same losses).

        Raises
        ------
        ArithmeticError
            If a payment is negative or the payments of an event do not add up to its loss.
        """
        total = sum(paid.values(), np.zeros_like(self.events.loss))
        if any((v < -self._slack).any() for v in paid.values()) or (
                np.abs(total - self.events.loss) > self._slack).any():
            raise ArithmeticError("redistributed payments do not add up to the losses")
        self.paid = {party: np.maximum(paid[party], 0.0) for party in self.paid}

    def pay_rest(self, party: str) -> None:
        """Record that ``party`` pays everything still unallocated."""
        self.paid[party] += self.unallocated
        self.unallocated = np.zeros_like(self.unallocated)

    def party_losses(self, gross: np.ndarray) -> np.ndarray:
        """Per-simulation losses, shape (n_sims, n_parties), after checking conservation.

        Parameters
        ----------
        gross : numpy.ndarray
            Gross loss per simulation, ``events.per_simulation(events.loss)``.

        Raises
        ------
        ArithmeticError
            If any simulation's party losses do not add up to its gross loss.
        """
        events = self.events
        losses = np.column_stack([events.per_simulation(v) for v in self.paid.values()])
        gap = np.abs(losses.sum(axis=1) - gross)
        if (gap > CONSERVATION_RTOL * np.maximum(gross, 1.0)).any():
            raise ArithmeticError("party losses do not add up to the gross loss")
        return losses


class Rule(Protocol):
    """A risk-sharing rule: applied in the scenario's order, it records payments.

    A rule that records per-simulation indicators names them in ``indicators``, in the
    order of the result's columns.
    """

    @property
    def indicators(self) -> tuple[str, ...]:
        """Names of the per-simulation indicators the rule records."""

    @property
    def party(self) -> str:
        """The party that pays under this rule."""

    @property
    def per_loan(self) -> bool:
        """True when the rule is not linear in each loan's loss and needs every event."""

    @property
    def loan_arrays(self) -> tuple[np.ndarray, ...]:
        """Per-loan arrays the rule reads; loans alike in all of them are alike for it."""

    def apply(self, ledger: Ledger) -> None:
        """Record this rule's payments in ``ledger``."""
