"""Layers that pay a share: of each loan's loss, of an earlier layer, a slice of the portfolio
loss, or whatever is left."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field
from typing import Literal

import numpy as np

from risksim.rules.base import Ledger, LossEvents
from risksim.rules.limits import Limit


@dataclass(frozen=True)
class CoverageBase:
    """What a share of loss is a share of (M5), per event (money).

    ``loss``: L − I + c·I, the loss net of recoveries with the covered part c of the accrued
    interest I (c = min(1, interest-days cap ÷ days accrued), 1 without a cap);
    ``principal_loss``: L − I; ``principal``: the principal outstanding at default, before
    recoveries.
    """

    kind: Literal["loss", "principal_loss", "principal"] = "loss"
    interest_covered: float = 1.0

    @property
    def needs_principal(self) -> bool:
        """Whether the events must carry the principal at default."""
        return self.kind == "principal"

    def amount(self, events: LossEvents) -> np.ndarray:
        """The base of each event (money)."""
        if self.kind == "principal":
            assert events.principal is not None, "the plan did not compute the principal"
            return events.principal
        if events.interest is None:
            return events.loss
        return events.loss - events.interest * (
            1.0 - (self.interest_covered if self.kind == "loss" else 0.0))


@dataclass(frozen=True, eq=False)
class LimitedLayer:
    """What every paying layer has: a party, limits applied in order, and where cuts go.

    Parameters
    ----------
    party : str
        Who pays.
    limits : tuple of Limit
        Caps, budgets, triggers and capital, applied in order.
    excess_to : str or None
        Who pays what the limits cut; None leaves it to the layers after.
    layer : str
        The layer's name in indicators and in ``Ledger.layer_paid`` (default: the party).
    records_paid : bool
        Record ``<layer>.paid``, the layer's payments per simulation (for a party with
        several layers, whose own loss does not show each layer's).
    """

    party: str
    _: KW_ONLY
    limits: tuple[Limit, ...] = ()
    excess_to: str | None = None
    layer: str = ""
    records_paid: bool = False

    @property
    def name(self) -> str:
        """The layer's name: ``layer`` or the party."""
        return self.layer or self.party

    @property
    def indicators(self) -> tuple[str, ...]:
        """Indicators recorded by the limits (and ``<layer>.paid`` when recorded)."""
        own = (f"{self.name}.paid",) if self.records_paid else ()
        return tuple(n for limit in self.limits for n in limit.indicator_names(self.name)) + own

    @property
    def per_loan(self) -> bool:
        """Whether a limit needs each loan's events separately (not linear in the loss)."""
        return any(limit.per_loan for limit in self.limits)

    @property
    def loan_arrays(self) -> tuple[np.ndarray, ...]:
        """Per-loan arrays the layer reads: loans alike in all of them are alike for it."""
        return tuple(array for limit in self.limits for array in limit.loan_arrays)

    def limited(self, wanted: np.ndarray, ledger: Ledger) -> np.ndarray:
        """What the limits allow of ``wanted`` (per event), recorded as the layer's payment."""
        allowed = wanted
        for limit in self.limits:
            allowed = limit.limit(allowed, ledger, self.name)
        ledger.layer_paid[self.name] = allowed
        if self.records_paid:
            ledger.record(f"{self.name}.paid", ledger.events.per_simulation(allowed))
        return allowed

    def pay_within_limits(self, wanted: np.ndarray, ledger: Ledger) -> None:
        """Pay what the limits allow; ``excess_to`` (if named) pays what they cut."""
        allowed = self.limited(wanted, ledger)
        ledger.pay(self.party, allowed)
        if self.excess_to is not None:
            ledger.pay(self.excess_to, wanted - allowed)


@dataclass(frozen=True, eq=False)
class ShareOfLoss(LimitedLayer):
    """The party pays a share of each defaulted loan's loss, within the layer's limits.

    payment_i = min(share_loan(i) × base_i, unallocated_i), then cut by each limit.

    Parameters
    ----------
    share : float or numpy.ndarray
        One share for every loan, or one per loan (0 for loans the layer does not cover).
    base : CoverageBase
        What the share is a share of (default: the loss).
    """

    share: float | np.ndarray
    base: CoverageBase = field(default_factory=CoverageBase)

    @property
    def loan_arrays(self) -> tuple[np.ndarray, ...]:
        """The per-loan shares (when they vary) and the limits' arrays."""
        own = () if np.isscalar(self.share) else (np.asarray(self.share),)
        return own + super().loan_arrays

    @property
    def per_loan(self) -> bool:
        """Whether each loan's events are needed: a share of the principal, cut to the loss
        left, is not linear in the loss (nor are some limits)."""
        return self.base.needs_principal or super().per_loan

    def apply(self, ledger: Ledger) -> None:
        """Pay the share of every event's loss, within the limits."""
        events = ledger.events
        share = self.share if np.isscalar(self.share) else np.asarray(self.share)[events.loan]
        self.pay_within_limits(np.minimum(share * self.base.amount(events), ledger.unallocated),
                               ledger)


@dataclass(frozen=True, eq=False)
class ShareOfLayer(LimitedLayer):
    """A counter-guarantee: the party takes over a share of what an earlier layer paid.

    amount_i = share_loan(i) × paid_by_upstream_layer_i, cut by the limits; the cut part
    stays with the upstream party, or moves to ``excess_to`` when named. The share is one
    number or one per loan (with a bonus for some loans).
    """

    upstream: str
    upstream_party: str
    share: float | np.ndarray

    @property
    def loan_arrays(self) -> tuple[np.ndarray, ...]:
        """The per-loan shares (when they vary) and the limits' arrays."""
        own = () if np.isscalar(self.share) else (np.asarray(self.share),)
        return own + super().loan_arrays

    def apply(self, ledger: Ledger) -> None:
        """Move the share of the upstream layer's payments to this party."""
        share = np.asarray(self.share)
        per_event = share if share.ndim == 0 else share[ledger.events.loan]
        wanted = per_event * ledger.layer_paid[self.upstream]
        allowed = self.limited(wanted, ledger)
        ledger.transfer(self.upstream_party, self.party, allowed)
        if self.excess_to is not None:
            ledger.transfer(self.upstream_party, self.excess_to, wanted - allowed)


@dataclass(frozen=True, eq=False)
class TrancheOfLoss(LimitedLayer):
    """The party takes the slice [attach, detach) (money) of each simulation's loss, spread
    pro rata over the loss of its events still unallocated when the layer applies.

    ``of="portfolio"`` (``tranche``): the slice is of the portfolio loss L (all the
    simulation's events), and the layer pays what is still unallocated of it,

        pays = min(min(max(L − attach, 0), detach − attach), U),

    U the unallocated loss of the simulation, so stacked tranches (0–8%, 8–20%, 20–100% of
    the volume) pay the standard slices whatever their order. ``of="remaining"``
    (``tranche_of_remaining``): the slice attaches on U itself,
    pays = min(max(U − attach, 0), detach − attach).
    """

    attach: float
    detach: float
    of: Literal["portfolio", "remaining"] = "portfolio"

    def apply(self, ledger: Ledger) -> None:
        """Pay the slice of every simulation's loss."""
        events = ledger.events
        remaining = events.per_simulation(ledger.unallocated)
        sliced = remaining if self.of == "remaining" else events.per_simulation(events.loss)
        slice_ = np.minimum(np.clip(sliced - self.attach, 0.0, self.detach - self.attach),
                            remaining)
        with np.errstate(invalid="ignore", divide="ignore"):
            factor = np.where(remaining > 0, slice_ / remaining, 0.0)
        self.pay_within_limits(ledger.unallocated * factor[events.sim], ledger)


@dataclass(frozen=True)
class Residual:
    """The party (normally the lender) pays whatever the earlier rules left."""

    party: str
    indicators: tuple[str, ...] = ()
    per_loan = False
    loan_arrays: tuple[np.ndarray, ...] = ()

    def apply(self, ledger: Ledger) -> None:
        """Pay all of the unallocated loss."""
        ledger.pay_rest(self.party)
