"""Terms that limit what a layer pays: caps, budgets, funds, triggers, capital.

Each limit takes the per-event amounts a layer would pay and returns the amounts it may pay
(never more, never negative). Aggregate limits act on per-(simulation, year) or
per-simulation totals and cut the events inside a total pro rata. A limit may record
per-simulation indicators (did the cap bind, in which year did the fund run dry).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal, Protocol

import numpy as np

from risksim.rules.base import Ledger, LossEvents


class Limit(Protocol):
    """A term that can only lower a layer's payments.

    ``per_loan`` is True when the limit is not linear in each loan's loss (a cap per loan or
    per borrower), so the events of alike loans cannot be summed before it applies;
    ``loan_arrays`` are the per-loan arrays it reads (loans alike for it share their values).
    """

    @property
    def per_loan(self) -> bool:
        """Whether the limit must see each loan's events separately."""

    @property
    def loan_arrays(self) -> tuple[np.ndarray, ...]:
        """Per-loan arrays the limit reads."""

    def indicator_names(self, layer: str) -> tuple[str, ...]:
        """Names of the indicators this limit records for ``layer``."""

    def limit(self, amounts: np.ndarray, ledger: Ledger, layer: str) -> np.ndarray:
        """The part of ``amounts`` (per event) that may be paid."""


def scale_to_totals(amounts: np.ndarray, key: np.ndarray, allowed_totals: np.ndarray,
                    totals: np.ndarray) -> np.ndarray:
    """Cut amounts pro rata so that each key's total becomes ``allowed_totals[key]``.

    amount_i × allowed_k / total_k for the events i of key k (unchanged where total is 0).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(totals > allowed_totals, allowed_totals / totals, 1.0)
    return amounts * factor[key]


@dataclass(frozen=True)
class ClaimDenial:
    """Each claim is denied, independently, with ``probability``: the layer pays nothing on it.

    Uses the events' ``claim_uniform`` draws: claim i is denied when U_i < probability.
    """

    probability: float
    per_loan: ClassVar[bool] = True
    loan_arrays: ClassVar[tuple[np.ndarray, ...]] = ()

    def indicator_names(self, layer: str) -> tuple[str, ...]:
        """Claim denial records no indicator."""
        return ()

    def limit(self, amounts: np.ndarray, ledger: Ledger, layer: str) -> np.ndarray:
        """Zero the denied claims."""
        uniform = ledger.events.claim_uniform
        assert uniform is not None, "the plan did not draw claim uniforms"
        return np.where(uniform < self.probability, 0.0, amounts)


def record_binding(ledger: Ledger, name: str, amounts: np.ndarray,
                   allowed: np.ndarray) -> None:
    """Record, per simulation, whether a limit cut any of its events' amounts."""
    cut = ledger.events.per_simulation((allowed < amounts).astype(float))
    ledger.record(name, (cut > 0).astype(float))


@dataclass(frozen=True)
class PerLoanCap:
    """At most ``cap`` (money) for any one loan. Records ``<layer>.per_loan_cap_binds``."""

    cap: float
    per_loan: ClassVar[bool] = True
    loan_arrays: ClassVar[tuple[np.ndarray, ...]] = ()

    def indicator_names(self, layer: str) -> tuple[str, ...]:
        """``<layer>.per_loan_cap_binds``."""
        return (f"{layer}.per_loan_cap_binds",)

    def limit(self, amounts: np.ndarray, ledger: Ledger, layer: str) -> np.ndarray:
        """min(amount, cap) per event."""
        allowed = np.minimum(amounts, self.cap)
        record_binding(ledger, self.indicator_names(layer)[0], amounts, allowed)
        return allowed


@dataclass(frozen=True, eq=False)
class PerBorrowerCap:
    """At most ``cap`` (money) for all defaulted loans of one borrower in a simulation.

    ``borrower`` maps each loan to a borrower number. Records
    ``<layer>.per_borrower_cap_binds``.
    """

    cap: float
    borrower: np.ndarray
    per_loan: ClassVar[bool] = True
    loan_arrays: ClassVar[tuple[np.ndarray, ...]] = ()

    def indicator_names(self, layer: str) -> tuple[str, ...]:
        """``<layer>.per_borrower_cap_binds``."""
        return (f"{layer}.per_borrower_cap_binds",)

    def limit(self, amounts: np.ndarray, ledger: Ledger, layer: str) -> np.ndarray:
        """Cut each borrower's amounts pro rata to the cap."""
        events = ledger.events
        keys = events.sim * (int(self.borrower.max()) + 1) + self.borrower[events.loan]
        _, key = np.unique(keys, return_inverse=True)
        totals = np.bincount(key, weights=amounts)
        allowed = scale_to_totals(amounts, key, np.full(totals.size, self.cap), totals)
        record_binding(ledger, self.indicator_names(layer)[0], amounts, allowed)
        return allowed


@dataclass(frozen=True)
class PeriodCap:
    """Total payments at most ``amount`` (money) over the horizon or in each year.

    Serves both a cap rate (rate × covered volume) and an annual budget. Records
    ``<layer>.<label>_binds``: whether the cap cut anything in the simulation.
    """

    amount: float
    per: Literal["horizon", "year"]
    label: str
    per_loan: ClassVar[bool] = False
    loan_arrays: ClassVar[tuple[np.ndarray, ...]] = ()

    def indicator_names(self, layer: str) -> tuple[str, ...]:
        """``<layer>.<label>_binds``."""
        return (f"{layer}.{self.label}_binds",)

    def limit(self, amounts: np.ndarray, ledger: Ledger, layer: str) -> np.ndarray:
        """Cut each (simulation[, year]) total to ``amount`` pro rata."""
        events = ledger.events
        if self.per == "year":
            key = events.sim * events.n_years + events.year
            totals = events.per_simulation_year(amounts).ravel()
        else:
            key, totals = events.sim, events.per_simulation(amounts)
        allowed = np.minimum(totals, self.amount)
        binds = (totals > self.amount).reshape(events.n_sims, -1).any(axis=1)
        ledger.record(self.indicator_names(layer)[0], binds.astype(float))
        return scale_to_totals(amounts, key, allowed, totals)


@dataclass(frozen=True, eq=False)
class GroupCap:
    """Payments on the loans of each group at most that group's cap (money).

    Groups are vintages (a cap rate × each vintage's own covered volume) or lenders (a cap
    per bank). Records ``<layer>.<label>_binds``: whether any group's cap cut anything.

    Attributes
    ----------
    amount_by_group : numpy.ndarray
        The cap of each group (money), indexed by group number.
    group : numpy.ndarray
        Per loan, its group number (0 .. number of groups − 1).
    label : str
        Name of the term in the indicator.
    """

    amount_by_group: np.ndarray
    group: np.ndarray
    label: str = "cap_rate"
    per_loan: ClassVar[bool] = False

    @property
    def loan_arrays(self) -> tuple[np.ndarray, ...]:
        """The group of each loan."""
        return (self.group,)

    def indicator_names(self, layer: str) -> tuple[str, ...]:
        """``<layer>.<label>_binds``."""
        return (f"{layer}.{self.label}_binds",)

    def limit(self, amounts: np.ndarray, ledger: Ledger, layer: str) -> np.ndarray:
        """Cut each (simulation, group) total to its cap pro rata."""
        events = ledger.events
        n_groups = self.amount_by_group.size
        key = events.sim * n_groups + self.group[events.loan]
        totals = np.bincount(key, weights=amounts, minlength=events.n_sims * n_groups)
        allowed = np.minimum(totals, np.tile(self.amount_by_group, events.n_sims))
        binds = (totals > allowed).reshape(events.n_sims, -1).any(axis=1)
        ledger.record(self.indicator_names(layer)[0], binds.astype(float))
        return scale_to_totals(amounts, key, allowed, totals)


@dataclass(frozen=True)
class FundBalance:
    """A finite fund: pays claims year by year while its balance lasts, pro rata when short.

    balance_0 = initial; paid_y = min(claims_y, balance_y);
    balance_{y+1} = balance_y − paid_y + refill_per_year.
    Records ``<layer>.fund_exhausted`` (a claim went unpaid) and
    ``<layer>.fund_exhausted_year`` (1-based year of the first shortfall; NaN if none).
    """

    initial: float
    refill_per_year: float
    per_loan: ClassVar[bool] = False
    loan_arrays: ClassVar[tuple[np.ndarray, ...]] = ()

    def indicator_names(self, layer: str) -> tuple[str, ...]:
        """``<layer>.fund_exhausted`` and ``<layer>.fund_exhausted_year``."""
        return (f"{layer}.fund_exhausted", f"{layer}.fund_exhausted_year")

    def limit(self, amounts: np.ndarray, ledger: Ledger, layer: str) -> np.ndarray:
        """Pay each year's claims out of the running balance."""
        events = ledger.events
        claims = events.per_simulation_year(amounts)
        paid = np.empty_like(claims)
        balance = np.full(events.n_sims, self.initial)
        for year in range(events.n_years):
            paid[:, year] = np.minimum(claims[:, year], balance)
            balance = balance - paid[:, year] + self.refill_per_year
        short = claims > paid
        first = np.where(short.any(axis=1), short.argmax(axis=1) + 1.0, np.nan)
        names = self.indicator_names(layer)
        ledger.record(names[0], short.any(axis=1).astype(float))
        ledger.record(names[1], first)
        key = events.sim * events.n_years + events.year
        return scale_to_totals(amounts, key, paid.ravel(), claims.ravel())


@dataclass(frozen=True, eq=False)
class DepositBalance:
    """A risk deposit resized every year to the lending it backs (M10, M20; Hunan 潇湘财银贷).

    With V_y the covered volume outstanding at the start of year y and B_y the balance:

        B_y' = min(max(B_y, V_y / max_multiple), V_y / min_multiple)    (top up, or cut)
        share_y = the tier of the multiple m_y = V_y / B_y'
        paid_y = min(share_y / share_max · claims_y, B_y'),   B_{y+1} = B_y' − paid_y

    where claims_y are the layer's claims at the largest tier's share. Records
    ``<layer>.fund_exhausted``, ``<layer>.fund_exhausted_year`` (as :class:`FundBalance`)
    and ``<layer>.deposit_top_up``, the money added by top-ups over the horizon.

    Attributes
    ----------
    initial : float
        The deposit at the start (money).
    volume_by_year : numpy.ndarray
        V_y, covered volume outstanding at the start of each year (money).
    min_multiple, max_multiple : float
        Required lending multiple, and the multiple above which the deposit is topped up
        (``inf`` for none).
    tier_from, tier_share : numpy.ndarray
        The tiers: share ``tier_share[k]`` from multiple ``tier_from[k]`` (increasing).
    """

    initial: float
    volume_by_year: np.ndarray
    min_multiple: float
    max_multiple: float
    tier_from: np.ndarray
    tier_share: np.ndarray
    per_loan: ClassVar[bool] = False
    loan_arrays: ClassVar[tuple[np.ndarray, ...]] = ()

    def indicator_names(self, layer: str) -> tuple[str, ...]:
        """The fund's indicators and ``<layer>.deposit_top_up``."""
        return (f"{layer}.fund_exhausted", f"{layer}.fund_exhausted_year",
                f"{layer}.deposit_top_up")

    def limit(self, amounts: np.ndarray, ledger: Ledger, layer: str) -> np.ndarray:
        """Pay each year's share of the claims out of the resized balance."""
        events = ledger.events
        claims = events.per_simulation_year(amounts)
        paid = np.empty_like(claims)
        balance = np.full(events.n_sims, self.initial)
        top_up = np.zeros(events.n_sims)
        short = np.zeros_like(claims, dtype=bool)
        for year in range(events.n_years):
            volume = self.volume_by_year[year]
            resized = np.minimum(np.maximum(balance, volume / self.max_multiple),
                                 volume / self.min_multiple)
            top_up += np.maximum(resized - balance, 0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                multiple = np.where(resized > 0, volume / resized, np.inf)
            tier = np.searchsorted(self.tier_from, multiple * (1 + 1e-12), side="right") - 1
            wanted = claims[:, year] * self.tier_share[tier] / self.tier_share.max()
            paid[:, year] = np.minimum(wanted, resized)
            short[:, year] = wanted > paid[:, year]
            balance = resized - paid[:, year]
        first = np.where(short.any(axis=1), short.argmax(axis=1) + 1.0, np.nan)
        for name, value in zip(self.indicator_names(layer),
                               (short.any(axis=1).astype(float), first, top_up), strict=True):
            ledger.record(name, value)
        key = events.sim * events.n_years + events.year
        return scale_to_totals(amounts, key, paid.ravel(), claims.ravel())


@dataclass(frozen=True, eq=False)
class Suspension:
    """The layer pays nothing on a group's loans in a year whose ratio passes the threshold.

    ratio_{g,y} = numerator ÷ denominator over group g's covered loans in year y:
    ``loss_rate`` the loss of those defaulting ÷ their volume outstanding; ``default_rate``
    the number defaulting ÷ the number outstanding; ``npl_ratio`` the principal outstanding
    at default of those defaulting ÷ their volume outstanding; ``compensation_rate`` the
    layer's own claims (before this trigger) ÷ their volume outstanding. The group is the
    whole scheme, or each lender (a pool that stops compensating one bank, M11). With
    ``reactivate="never"`` a group stays suspended from its first such year on. Records
    ``<layer>.suspended`` (some group suspended in some year) and, with a warning level,
    ``<layer>.warning`` (some ratio above it); with several groups also
    ``<layer>.groups_suspended`` (how many were suspended).

    Attributes
    ----------
    covered : numpy.ndarray
        Per loan, 1.0 if the layer covers it, else 0.0.
    denominator : numpy.ndarray
        Number (``default_rate``) or volume (the other metrics) of covered loans
        outstanding, shape (n_groups, n_years).
    group : numpy.ndarray
        Per loan, its group number (all 0 for one scheme-wide trigger).
    """

    metric: Literal["loss_rate", "default_rate", "npl_ratio", "compensation_rate"]
    threshold: float
    reactivate: Literal["next_year_below", "never"]
    covered: np.ndarray
    denominator: np.ndarray
    group: np.ndarray
    warning: float | None = None
    per_loan: ClassVar[bool] = False

    @property
    def loan_arrays(self) -> tuple[np.ndarray, ...]:
        """The covered-loan mask and the groups."""
        return (self.covered, self.group)

    @property
    def n_groups(self) -> int:
        """Number of groups watched separately."""
        return int(self.denominator.shape[0])

    def indicator_names(self, layer: str) -> tuple[str, ...]:
        """``<layer>.suspended`` (``.warning``, ``.groups_suspended`` when they apply)."""
        names = [f"{layer}.suspended"]
        if self.warning is not None:
            names.append(f"{layer}.warning")
        if self.n_groups > 1:
            names.append(f"{layer}.groups_suspended")
        return tuple(names)

    def limit(self, amounts: np.ndarray, ledger: Ledger, layer: str) -> np.ndarray:
        """Zero the amounts of suspended (simulation, group, year) cells."""
        events = ledger.events
        ratio = self.ratio(events, amounts)
        suspended = ratio > self.threshold
        if self.reactivate == "never":
            suspended = np.logical_or.accumulate(suspended, axis=2)
        ever = np.asarray(suspended.any(axis=2))
        values = [ever.any(axis=1)]
        if self.warning is not None:
            values.append((ratio > self.warning).any(axis=(1, 2)))
        if self.n_groups > 1:
            values.append(ever.sum(axis=1))
        for name, value in zip(self.indicator_names(layer), values, strict=True):
            ledger.record(name, value.astype(float))
        return np.where(suspended[events.sim, self.group[events.loan], events.year], 0.0,
                        amounts)

    def ratio(self, events: LossEvents, claims: np.ndarray) -> np.ndarray:
        """The trigger's ratio per (simulation, group, year), shape (n_sims, n_groups,
        n_years); ``claims`` are the layer's per-event claims before the trigger."""
        numerator = self._numerator(events, claims) * self.covered[events.loan]
        cell = (events.sim * self.n_groups + self.group[events.loan]) * events.n_years
        totals = np.bincount(cell + events.year, weights=numerator,
                             minlength=events.n_sims * self.n_groups * events.n_years)
        totals = totals.reshape(events.n_sims, self.n_groups, events.n_years)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = totals / self.denominator
        return np.nan_to_num(ratio, nan=0.0)

    def _numerator(self, events: LossEvents, claims: np.ndarray) -> np.ndarray:
        """Each event's contribution to the ratio's numerator."""
        if self.metric == "loss_rate":
            return events.loss
        if self.metric == "default_rate":
            return events.counts
        if self.metric == "compensation_rate":
            return claims
        assert events.principal is not None, "the plan did not compute the principal"
        return events.principal


@dataclass(frozen=True, eq=False)
class Capital:
    """The party can pay at most its capital over the horizon; claims beyond it go unpaid.

    Each claim consumes capital by its retained part: with ``retained`` r_i (the share of
    the layer's payment on loan i that the party keeps once its counter-guarantors have
    reimbursed their shares, ``capital_basis: net``) the claim c_i consumes r_i·c_i; without
    (``capital_basis: gross``) all of it. Claims are paid period by period while capital
    lasts (pro rata in the period it runs out), so the party's payments satisfy
    Σ r_i·paid_i ≤ capital. Records ``<layer>.insolvent`` (a claim went unpaid) and
    ``<layer>.capital_used`` (Σ r_i·paid_i over the horizon, money).

    With a leverage limit (M13, Decree 683: 10x, 15x for small-business guarantors) it also
    records the leverage λ_t = A_t ÷ N_t at the start (t = 0) and the end of each year
    (t = 1 … n_years): A_t the weighted liability of the guarantees outstanding at t — the
    loans neither matured nor defaulted before t (a defaulted guarantee is compensated or,
    unpaid, leaves the party insolvent; either way it is no longer a liability) — and N_t
    the net assets, capital less the capital consumed before t (λ_t = inf once N_t ≤ 0).
    ``<layer>.max_leverage`` is max_t λ_t, ``<layer>.leverage_year_<k>`` is λ_k (end of year
    k) and ``<layer>.leverage_breach`` is 1.0 if some λ_t passed the limit.

    Attributes
    ----------
    capital : float
        Net assets at the start (money).
    n_periods, periods_per_year : int
        The horizon's periods.
    retained : numpy.ndarray or None
        Per loan, r_i (fraction); None for the gross basis (r_i = 1).
    liability_by_loan : numpy.ndarray or None
        Per loan, its weighted guarantee liability if outstanding at t = 0 … n_years,
        shape (n_loans, n_years + 1) (money).
    max_leverage : float or None
        Largest allowed liability ÷ net assets.
    """

    capital: float
    n_periods: int
    periods_per_year: int
    retained: np.ndarray | None = None
    liability_by_loan: np.ndarray | None = None
    max_leverage: float | None = None
    per_loan: ClassVar[bool] = False

    @property
    def loan_arrays(self) -> tuple[np.ndarray, ...]:
        """The retained shares and the liabilities (loans alike in both are alike here)."""
        return tuple(array for array in (self.retained, self.liability_by_loan)
                     if array is not None)

    @property
    def n_years(self) -> int:
        """Years of the horizon (rounded up)."""
        return -(-self.n_periods // self.periods_per_year)

    def indicator_names(self, layer: str) -> tuple[str, ...]:
        """``<layer>.insolvent``, ``<layer>.capital_used`` (and the leverage indicators with
        a limit)."""
        names = (f"{layer}.insolvent", f"{layer}.capital_used")
        if self.max_leverage is None:
            return names
        return (*names, f"{layer}.max_leverage", f"{layer}.leverage_breach",
                *(f"{layer}.leverage_year_{k}" for k in range(1, self.n_years + 1)))

    def limit(self, amounts: np.ndarray, ledger: Ledger, layer: str) -> np.ndarray:
        """Pay period by period out of the remaining capital."""
        events = ledger.events
        key = events.sim * self.n_periods + events.period
        consumed = amounts if self.retained is None else amounts * self.retained[events.loan]
        claims = np.bincount(key, weights=consumed, minlength=events.n_sims * self.n_periods)
        claims = claims.reshape(events.n_sims, -1)
        paid = np.empty_like(claims)
        remaining = np.full(events.n_sims, self.capital)
        for period in range(self.n_periods):
            paid[:, period] = np.minimum(claims[:, period], remaining)
            remaining -= paid[:, period]
        names = self.indicator_names(layer)
        ledger.record(names[0], (claims > paid).any(axis=1).astype(float))
        ledger.record(names[1], paid.sum(axis=1))
        if self.max_leverage is not None and self.liability_by_loan is not None:
            leverage = self._leverage(events, paid)
            highest = leverage.max(axis=1)
            ledger.record(names[2], highest)
            ledger.record(names[3], (highest > self.max_leverage).astype(float))
            for k, name in enumerate(names[4:], start=1):
                ledger.record(name, leverage[:, k])
        return scale_to_totals(amounts, key, paid.ravel(), claims.ravel())

    def _leverage(self, events: LossEvents, paid: np.ndarray) -> np.ndarray:
        """λ_t = A_t ÷ N_t per simulation and t = 0 … n_years, shape (n_sims, n_years + 1).

        A_t = Σ_i liability_i(t) − Σ_{events e defaulted in a period < t·ppy} count_e ·
        liability_{loan e}(t);  N_t = capital − Σ_{periods < t·ppy} paid.
        """
        assert self.liability_by_loan is not None
        boundary = np.minimum(np.arange(self.n_years + 1) * self.periods_per_year,
                              self.n_periods)  # first period after t
        released = self.liability_by_loan[events.loan]  # (n_events, n_years + 1)
        if events.count is not None:
            released *= events.count[:, None]
        released *= events.period[:, None] < boundary[None, :]
        liability = self.liability_by_loan.sum(axis=0) - np.column_stack(
            [np.zeros(events.n_sims)]  # nothing has defaulted before t = 0
            + [events.per_simulation(released[:, t]) for t in range(1, boundary.size)])
        used_before = np.concatenate([np.zeros((paid.shape[0], 1)), np.cumsum(paid, axis=1)],
                                     axis=1)[:, boundary]
        net_assets = self.capital - used_before
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(net_assets > 0, np.maximum(liability, 0.0) / net_assets, np.inf)
