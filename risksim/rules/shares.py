"""Layers that pay a share: of each loan's loss, of an earlier layer, or whatever is left."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from risksim.rules.base import Ledger
from risksim.rules.limits import Limit


@dataclass(frozen=True, eq=False)
class ShareOfLoss:
    """The party pays a share of each defaulted loan's loss, then the layer's limits apply.

    payment_i = min(share_loan(i) × loss_i, unallocated_i), cut by each limit in order; the
    cut part is paid by ``excess_to`` when named, otherwise left unallocated.

    Parameters
    ----------
    party : str
        Who pays.
    share : float or numpy.ndarray
        One share for every loan, or one per loan (0 for loans the layer does not cover).
    limits : tuple of Limit
        Caps, budgets, triggers and capital, applied in order.
    excess_to : str or None
        Who pays what the limits cut.
    layer : str
        The layer's name in indicators and in ``Ledger.layer_paid`` (default: the party).
    """

    party: str
    share: float | np.ndarray
    limits: tuple[Limit, ...] = ()
    excess_to: str | None = None
    layer: str = ""

    @property
    def name(self) -> str:
        """The layer's name: ``layer`` or the party."""
        return self.layer or self.party

    @property
    def indicators(self) -> tuple[str, ...]:
        """Indicators recorded by the limits."""
        return tuple(n for limit in self.limits for n in limit.indicator_names(self.name))

    def apply(self, ledger: Ledger) -> None:
        """Pay the share of every event's loss, within the limits."""
        events = ledger.events
        share = self.share if np.isscalar(self.share) else np.asarray(self.share)[events.loan]
        wanted = np.minimum(share * events.loss, ledger.unallocated)
        allowed = apply_limits(self.limits, wanted, ledger, self.name)
        ledger.pay(self.party, allowed)
        if self.excess_to is not None:
            ledger.pay(self.excess_to, wanted - allowed)
        ledger.layer_paid[self.name] = allowed


@dataclass(frozen=True, eq=False)
class ShareOfLayer:
    """A counter-guarantee: the party takes over a share of what an earlier layer paid.

    amount_i = share × paid_by_upstream_layer_i, cut by the limits; the cut part stays with
    the upstream party, or moves to ``excess_to`` when named.
    """

    party: str
    upstream: str
    upstream_party: str
    share: float
    limits: tuple[Limit, ...] = ()
    excess_to: str | None = None
    layer: str = ""

    @property
    def name(self) -> str:
        """The layer's name: ``layer`` or the party."""
        return self.layer or self.party

    @property
    def indicators(self) -> tuple[str, ...]:
        """Indicators recorded by the limits."""
        return tuple(n for limit in self.limits for n in limit.indicator_names(self.name))

    def apply(self, ledger: Ledger) -> None:
        """Move the share of the upstream layer's payments to this party."""
        wanted = self.share * ledger.layer_paid[self.upstream]
        allowed = apply_limits(self.limits, wanted, ledger, self.name)
        ledger.transfer(self.upstream_party, self.party, allowed)
        if self.excess_to is not None:
            ledger.transfer(self.upstream_party, self.excess_to, wanted - allowed)
        ledger.layer_paid[self.name] = allowed


@dataclass(frozen=True)
class TrancheOfLoss:
    """The party takes the slice [attach, detach) (money) of each simulation's loss that is
    still unallocated when the layer applies, spread pro rata over its events.

    pays(L) = min(max(L − attach, 0), detach − attach),  L = unallocated loss of the simulation
    """

    party: str
    attach: float
    detach: float
    limits: tuple[Limit, ...] = ()
    excess_to: str | None = None
    layer: str = ""

    @property
    def name(self) -> str:
        """The layer's name: ``layer`` or the party."""
        return self.layer or self.party

    @property
    def indicators(self) -> tuple[str, ...]:
        """Indicators recorded by the limits."""
        return tuple(n for limit in self.limits for n in limit.indicator_names(self.name))

    def apply(self, ledger: Ledger) -> None:
        """Pay the slice of every simulation's remaining loss."""
        events = ledger.events
        remaining = events.per_simulation(ledger.unallocated)
        slice_ = np.clip(remaining - self.attach, 0.0, self.detach - self.attach)
        with np.errstate(invalid="ignore", divide="ignore"):
            factor = np.where(remaining > 0, slice_ / remaining, 0.0)
        wanted = ledger.unallocated * factor[events.sim]
        allowed = apply_limits(self.limits, wanted, ledger, self.name)
        ledger.pay(self.party, allowed)
        if self.excess_to is not None:
            ledger.pay(self.excess_to, wanted - allowed)
        ledger.layer_paid[self.name] = allowed


def apply_limits(limits: tuple[Limit, ...], amounts: np.ndarray, ledger: Ledger,
                 layer: str) -> np.ndarray:
    """Apply each limit in turn to the amounts a layer would pay."""
    for limit in limits:
        amounts = limit.limit(amounts, ledger, layer)
    return amounts


@dataclass(frozen=True)
class Residual:
    """The party (normally the lender) pays whatever the earlier rules left."""

    party: str
    indicators: tuple[str, ...] = ()

    def apply(self, ledger: Ledger) -> None:
        """Pay all of the unallocated loss."""
        ledger.pay_rest(self.party)
