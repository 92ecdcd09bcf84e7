"""Turn the arrangement into rule objects for one portfolio, in the order they apply."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

import numpy as np

from risksim.compile.plan import outstanding_at
from risksim.errors import InputError
from risksim.portfolio import Portfolio
from risksim.rules.base import Rule
from risksim.rules.fees import Charge, ExperienceRatedCharge, FeeSchedule
from risksim.rules.limits import (
    Capital,
    ClaimDenial,
    DepositBalance,
    FundBalance,
    GroupCap,
    Limit,
    PerBorrowerCap,
    PeriodCap,
    PerLoanCap,
    Suspension,
)
from risksim.rules.origination import LendingSuspension, cell_sums
from risksim.rules.recoveries import LIMITING_TERMS, RecoverySharing
from risksim.rules.shares import CoverageBase, Residual, ShareOfLayer, ShareOfLoss, TrancheOfLoss
from risksim.scenario.arrangement import (
    Arrangement,
    BandedValue,
    CapitalShare,
    CapRate,
    CategoryValue,
    Eligibility,
    Layer,
    Tiered,
    Trigger,
)
from risksim.scenario.schema import Horizon


def build_rules(arrangement: Arrangement, portfolio: Portfolio, outstanding_by_year: np.ndarray,
                horizon: Horizon, accrued_interest_days: float = 0.0) -> tuple[Rule, ...]:
    """One rule per layer, in the order written in the scenario.

    Parameters
    ----------
    arrangement : Arrangement
        The validated arrangement.
    portfolio : Portfolio
        The loans (attributes decide tiered shares, eligibility and volumes).
    outstanding_by_year : numpy.ndarray
        (n_loans, n_years) exposure outstanding at the start of each year, 0 once matured.
    horizon : Horizon
        The scenario's horizon (capital is paid out period by period).
    accrued_interest_days : float
        Days of interest lost at default (a layer's interest-days cap is against it).

    Raises
    ------
    InputError
        With the dotted path of a layer whose terms the portfolio cannot satisfy.
    """
    names = layer_names(arrangement)
    rules: list[Rule] = []
    taken = np.zeros(len(portfolio))
    for index, layer in enumerate(arrangement.layers):
        path = f"arrangement.layers[{index}]"
        if layer.residual:
            rules.append(Residual(layer.party))
            continue
        named: dict[str, Any] = {"excess_to": layer.excess_to, "layer": names[index],
                                 "records_paid": names[index] != layer.party}
        retained = retained_share(arrangement, index, portfolio)
        if layer.share_of_layer is not None:
            upstream = layer.share_of_layer.party
            counter_share = _counter_share(layer, portfolio)
            borne = counter_share * guaranteed_share(arrangement, upstream, portfolio)
            rules.append(ShareOfLayer(
                layer.party, upstream=names[_layer_index(arrangement, upstream)],
                upstream_party=upstream, share=counter_share,
                limits=_limits(layer, borne, portfolio, outstanding_by_year, horizon, retained),
                **named))
            continue
        tranche = layer.tranche_terms
        if tranche is not None:
            volume = float(portfolio["exposure"].sum())
            rules.append(TrancheOfLoss(
                layer.party, attach=tranche.attach * volume, detach=tranche.detach * volume,
                of="portfolio" if layer.tranche is not None else "remaining",
                limits=_limits(layer, np.ones(len(portfolio)), portfolio,
                               outstanding_by_year, horizon, retained),
                **named))
            continue
        share = _share_by_loan(layer, portfolio, path)
        term = "deposit" if layer.deposit is not None else "share_of_loss"
        taken = _check_total_share(taken + share, portfolio, f"{path}.{term}")
        rules.append(ShareOfLoss(
            layer.party, share, _coverage_base(layer, accrued_interest_days),
            limits=_limits(layer, share, portfolio, outstanding_by_year, horizon, retained),
            **named))
    if arrangement.recoveries is not None:
        parties = [p for p in arrangement.parties if p != arrangement.layers[-1].party]
        limited = tuple(dict.fromkeys(
            layer.party for layer in arrangement.layers
            if any(getattr(layer, term) is not None for term in LIMITING_TERMS)))
        rules.append(RecoverySharing(tuple(arrangement.recoveries.first_to),
                                     (*parties, arrangement.layers[-1].party), limited))
    return tuple(rules)


def _check_total_share(taken: np.ndarray, portfolio: Portfolio, path: str) -> np.ndarray:
    """``taken`` (each loan's shares of loss so far), after checking none is above 1."""
    worst = int(np.argmax(taken)) if taken.size else 0
    if taken.size and taken[worst] > 1.0 + 1e-12:
        raise InputError(f"shares of loss add up to {taken[worst]:g} with this layer (loan "
                         f"'{portfolio['loan_id'][worst]}'), above 1",
                         path=path)
    return taken


def _coverage_base(layer: Layer, accrued_interest_days: float) -> CoverageBase:
    """The layer's base, with the covered part of the interest under its days cap."""
    cap = layer.interest_days_cap
    if cap is None or accrued_interest_days <= cap:
        return CoverageBase(layer.base)
    return CoverageBase(layer.base, interest_covered=cap / accrued_interest_days)


def build_fees(arrangement: Arrangement, portfolio: Portfolio, outstanding_by_year: np.ndarray,
               origination: LendingSuspension | None = None) -> tuple[Charge, ...]:
    """One schedule per fee of the arrangement, in the order written; with a lending
    trigger (``origination``), each knows what the loans it may refuse would have paid."""
    schedules: list[Charge] = []
    names = layer_names(arrangement)
    for index, fee in enumerate(arrangement.fees):
        path = f"arrangement.fees[{index}]"
        share = (guaranteed_share(arrangement, fee.guaranteed_by, portfolio)
                 if fee.base == "guaranteed" else np.ones(len(portfolio)))
        base_by_year = share[:, None] * outstanding_by_year
        rating = fee.experience_rating
        if rating is not None:
            layer = names[_layer_index(arrangement, fee.payee)]
            schedules.append(ExperienceRatedCharge(
                fee.name, fee.payer, fee.payee, layer, rating.multiplier, rating.initial_rate,
                base_by_year, None if origination is None else origination.per_cell(
                    base_by_year)))
            continue
        schedules.append(FeeSchedule.compile(
            fee.name, fee.payer, fee.payee,
            tiered_by_loan(fee.upfront_rate, portfolio, f"{path}.upfront_rate"),
            tiered_by_loan(fee.annual_rate, portfolio, f"{path}.annual_rate"),
            share * portfolio["exposure"], base_by_year, portfolio["origination_year"],
            None if origination is None else origination.per_cell))
    return tuple(schedules)


def guaranteed_share(arrangement: Arrangement, party: str, portfolio: Portfolio) -> np.ndarray:
    """The share of each loan's loss that ``party``'s first paying layer takes on (before caps).

    A counter-guarantor takes its share of the upstream layer's share; a tranche may take
    any loan's loss (1); a party that is only another layer's ``excess_to`` (a backstop,
    such as a central budget) takes on no share of its own (0): it pays only what the
    limits of the layers it backs cut.
    """
    index = next((i for i, layer in enumerate(arrangement.layers)
                  if layer.party == party and not layer.residual), None)
    if index is None:
        return np.zeros(len(portfolio))
    layer = arrangement.layers[index]
    if layer.tranche_terms is not None:  # a slice of the loss can take any loan's loss
        return np.ones(len(portfolio))
    if layer.share_of_layer is not None:
        upstream = guaranteed_share(arrangement, layer.share_of_layer.party, portfolio)
        return _counter_share(layer, portfolio) * upstream
    return _share_by_loan(layer, portfolio, f"arrangement.layers[{index}]")


def layer_names(arrangement: Arrangement) -> list[str]:
    """Each layer's name: its party, or ``<party>_<index>`` when a party has several layers."""
    counts = Counter(layer.party for layer in arrangement.layers)
    return [layer.party if counts[layer.party] == 1 else f"{layer.party}_{index}"
            for index, layer in enumerate(arrangement.layers)]


def _layer_index(arrangement: Arrangement, party: str) -> int:
    return next(i for i, layer in enumerate(arrangement.layers) if layer.party == party)


def _share_by_loan(layer: Layer, portfolio: Portfolio, path: str) -> np.ndarray:
    """The layer's share of each loan's loss (0 where the loan is not eligible)."""
    eligible = _eligible(layer.eligible, portfolio)
    if layer.deposit is not None:
        deposit_share = (layer.deposit.largest_share() if layer.deposit.resize == "yearly"
                         else _deposit_terms(layer, portfolio)[1])
        return np.where(eligible, deposit_share, 0.0)
    assert layer.share_of_loss is not None
    share = tiered_by_loan(layer.share_of_loss, portfolio, f"{path}.share_of_loss")
    return np.where(eligible, _with_bonus(share, layer, portfolio), 0.0)


def _with_bonus(share: np.ndarray | float, layer: Layer, portfolio: Portfolio) -> np.ndarray:
    """The share plus the layer's bonus for the loans that qualify (M19)."""
    share = np.broadcast_to(share, len(portfolio))
    if layer.bonus is None:
        return share
    qualifies = np.logical_or.reduce([_eligible(condition, portfolio)
                                      for condition in layer.bonus.any_of])
    return share + layer.bonus.share * qualifies


def _counter_share(layer: Layer, portfolio: Portfolio) -> np.ndarray | float:
    """A counter-guarantor's share of the upstream layer: one number, or per loan with a
    bonus."""
    assert layer.share_of_layer is not None
    if layer.bonus is None:
        return layer.share_of_layer.share
    return _with_bonus(layer.share_of_layer.share, layer, portfolio)


def _deposit_terms(layer: Layer, portfolio: Portfolio) -> tuple[float, float]:
    """The deposit after resizing and its share of loss, from the covered lending volume."""
    assert layer.deposit is not None
    eligible = _eligible(layer.eligible, portfolio)
    return layer.deposit.resized(float(portfolio["exposure"][eligible].sum()))


def tiered_by_loan(rate: Tiered, portfolio: Portfolio, path: str) -> np.ndarray:
    """The value of a tiered rate for each loan of ``portfolio``.

    Raises
    ------
    InputError
        At ``path`` when a loan lacks the attribute, or has a category with no value and
        there is no default.
    """
    n = len(portfolio)
    if isinstance(rate, float):
        return np.full(n, rate)
    if isinstance(rate, BandedValue):
        values = portfolio[rate.by]
        if np.isnan(values).any():
            raise InputError(f"tiers by '{rate.by}', which some loans lack", path=path)
        bounds = np.array([band.up_to for band in rate.bands[:-1]], dtype=float)
        tiers = np.array([band.value for band in rate.bands])
        return tiers[np.searchsorted(bounds, values, side="left")]
    return _category_values(rate, portfolio, path)


def _category_values(rate: CategoryValue, portfolio: Portfolio, path: str) -> np.ndarray:
    values = portfolio[rate.by]
    known = np.isin(values, list(rate.values))
    if rate.default is None and not known.all():
        loan = portfolio["loan_id"][int(np.argmax(~known))]
        raise InputError(f"loan '{loan}' has {rate.by} '{values[~known][0]}', which has no "
                         "value and there is no default", path=path)
    lookup = {**rate.values}
    return np.array([lookup.get(v, rate.default or 0.0) for v in values], dtype=float)


def _eligible(rules: Eligibility | None, portfolio: Portfolio) -> np.ndarray:
    """Which loans the layer covers (all of them without eligibility rules)."""
    ok = np.ones(len(portfolio), dtype=bool)
    if rules is None:
        return ok
    if rules.max_exposure is not None:
        ok &= portfolio["exposure"] <= rules.max_exposure
    if rules.max_tenor_years is not None:
        ok &= portfolio["tenor_years"] <= rules.max_tenor_years
    if rules.first_loan is not None:
        ok &= (portfolio["first_loan"] == 1.0) == rules.first_loan
    if rules.guarantee_age_years_below is not None:
        ok &= portfolio["guarantee_age_years"] < rules.guarantee_age_years_below
    if rules.guarantee_age_years_at_least is not None:
        ok &= portfolio["guarantee_age_years"] >= rules.guarantee_age_years_at_least
    lists = (("rating", rules.ratings, rules.exclude_ratings),
             ("sector", rules.sectors, rules.exclude_sectors),
             ("purpose", rules.purposes, rules.exclude_purposes),
             ("collateral_type", rules.collateral_types, rules.exclude_collateral_types),
             ("lender", rules.lenders, rules.exclude_lenders),
             ("size_class", rules.size_classes, rules.exclude_size_classes))
    for column, allowed, excluded in lists:
        if allowed is not None:
            ok &= np.isin(portfolio[column], allowed)
        if excluded is not None:
            ok &= ~np.isin(portfolio[column], excluded)
    return ok


def _limits(layer: Layer, borne: np.ndarray, portfolio: Portfolio,
            outstanding_by_year: np.ndarray, horizon: Horizon,
            retained: np.ndarray | None) -> tuple[Limit, ...]:
    """The layer's limits in the documented order (see risksim.scenario.arrangement).

    ``borne`` is the share of each loan's loss the layer takes on (before its limits); the
    loans with a positive share are the layer's covered loans. ``retained`` is the part of
    its payments its capital absorbs (see :func:`retained_share`).
    """
    covered = borne > 0
    limits: list[Limit] = []
    if layer.claim_denial_probability is not None:
        limits.append(ClaimDenial(layer.claim_denial_probability))
    if layer.per_loan_cap is not None:
        limits.append(PerLoanCap(layer.per_loan_cap))
    if layer.per_borrower_cap is not None:
        _, borrower = np.unique(portfolio["borrower_id"], return_inverse=True)
        limits.append(PerBorrowerCap(_money(layer.per_borrower_cap, layer), borrower))
    if layer.per_lender_cap is not None:
        lender = _groups("lender", portfolio)
        limits.append(GroupCap(np.full(int(lender.max()) + 1, layer.per_lender_cap), lender,
                               "per_lender_cap"))
    if layer.suspend_if is not None and layer.suspend_if.action == "suspend_compensation":
        limits.append(_suspension(layer.suspend_if, covered, portfolio, outstanding_by_year))
    if layer.cap_rate is not None:
        limits.append(_cap_rate(layer.cap_rate, borne, portfolio))
    if layer.annual_budget is not None:
        limits.append(PeriodCap(layer.annual_budget, "year", "annual_budget"))
    if layer.fund is not None:
        limits.append(FundBalance(layer.fund.balance, layer.fund.refill_per_year))
    if layer.deposit is not None:
        limits.append(_deposit(layer, covered, portfolio, outstanding_by_year))
    if layer.capital is not None:
        limits.append(_capital(layer, borne, portfolio, horizon, retained))
    return tuple(limits)


def _money(cap: float | CapitalShare, layer: Layer) -> float:
    """A cap in money: as given, or its share of the layer's capital."""
    if isinstance(cap, float):
        return cap
    assert layer.capital is not None
    return cap.share_of_capital * layer.capital


def _deposit(layer: Layer, covered: np.ndarray, portfolio: Portfolio,
             outstanding_by_year: np.ndarray) -> Limit:
    """The deposit's balance: resized once (a fund), or every year (M10, M20)."""
    deposit = layer.deposit
    assert deposit is not None
    if deposit.resize == "at_start":
        return FundBalance(_deposit_terms(layer, portfolio)[0], 0.0)
    return DepositBalance(
        deposit.amount, covered.astype(float) @ outstanding_by_year, deposit.min_multiple,
        deposit.max_multiple or np.inf, np.array([tier.at_least for tier in deposit.split]),
        np.array([tier.share for tier in deposit.split]))


def retained_share(arrangement: Arrangement, index: int,
                   portfolio: Portfolio) -> np.ndarray | None:
    """r_i: the part of layer ``index``'s payment on each loan its party keeps once the
    counter-guarantors of that layer have reimbursed their shares (as written, with their
    bonuses), r_i = 1 − Σ_j s_j(i); None when the layer's capital absorbs gross payments
    (``capital_basis: gross``, no capital, or no counter-guarantor).

    Validation makes the reimbursement whole: a counter-guarantor's own limits cut only to
    another party (``excess_to``), never back to this one.
    """
    layer = arrangement.layers[index]
    if layer.capital is None or layer.capital_basis == "gross":
        return None
    counters = [other for other in arrangement.layers[index + 1:]
                if other.share_of_layer is not None
                and other.share_of_layer.party == layer.party]
    if not counters:
        return None
    reimbursed = sum((np.broadcast_to(_counter_share(other, portfolio), len(portfolio))
                      for other in counters), np.zeros(len(portfolio)))
    return np.maximum(1.0 - reimbursed, 0.0)


def _capital(layer: Layer, borne: np.ndarray, portfolio: Portfolio, horizon: Horizon,
             retained: np.ndarray | None) -> Capital:
    """The capital term, with the weighted guarantee liability when leverage is limited.

    liability_i(t) = borne_i × weight_i × outstanding_i(t) at t = 0, 1, …, n_years (the
    start and the end of each year), weight the small-loan weight for loans up to the
    small-loan size, 1 otherwise.
    """
    assert layer.capital is not None
    capital = Capital(layer.capital, horizon.n_periods, horizon.periods_per_year,
                      retained=retained)
    leverage = layer.leverage
    if leverage is None:
        return capital
    small = (portfolio["exposure"] <= leverage.small_loan_max
             if leverage.small_loan_max is not None else np.zeros(len(portfolio), bool))
    weight = np.where(small, leverage.small_loan_weight, 1.0)
    times = np.arange(capital.n_years + 1, dtype=float)
    outstanding = outstanding_at(portfolio["exposure"], portfolio["tenor_years"],
                                 portfolio["amortisation"] == "instalment",
                                 portfolio["origination_year"], times)
    return dataclasses.replace(capital, liability_by_loan=(borne * weight)[:, None] * outstanding,
                               max_leverage=leverage.limit)


def _cap_rate(cap: CapRate, borne: np.ndarray, portfolio: Portfolio) -> Limit:
    """Cap of rate × base, or per vintage/lender: the base is the covered volume
    Σ exposure·[borne > 0] (``of: volume``) or the guaranteed volume Σ exposure·borne
    (``of: guaranteed``; ``borne`` is each loan's share the layer takes on)."""
    volume = portfolio["exposure"] * (borne if cap.of == "guaranteed" else borne > 0)
    if cap.per in ("horizon", "year"):
        return PeriodCap(cap.rate * float(volume.sum()), cap.per, "cap_rate")
    group = _groups(cap.per, portfolio)
    return GroupCap(cap.rate * np.bincount(group, weights=volume), group)


def _groups(per: str, portfolio: Portfolio) -> np.ndarray:
    """Group number of each loan: its vintage, its lender (in sorted order) or 0."""
    if per == "vintage":
        return portfolio["origination_year"].astype(np.int64)
    if per == "lender":
        return np.unique(portfolio["lender"], return_inverse=True)[1].astype(np.int64)
    return np.zeros(len(portfolio), dtype=np.int64)


def build_origination(arrangement: Arrangement, portfolio: Portfolio,
                      outstanding_by_year: np.ndarray) -> LendingSuspension | None:
    """The trigger that suspends new lending, when a layer has one (see
    :mod:`risksim.rules.origination`)."""
    names = layer_names(arrangement)
    found = [(i, layer) for i, layer in enumerate(arrangement.layers)
             if layer.suspend_if is not None and layer.suspend_if.action == "suspend_lending"]
    if not found:
        return None
    index, layer = found[0]
    trigger = layer.suspend_if
    assert trigger is not None and trigger.metric != "compensation_rate"
    covered = guaranteed_share(arrangement, layer.party, portfolio) > 0
    group = _groups(trigger.per, portfolio)
    vintage = portfolio["origination_year"].astype(np.int64)
    n_groups, n_vintages = int(group.max()) + 1, int(vintage.max()) + 1
    cell = np.where(covered, group * n_vintages + vintage, -1)
    outstanding = (outstanding_by_year if trigger.metric != "default_rate"
                   else (outstanding_by_year > 0).astype(float))
    n_cells = n_groups * n_vintages
    volume = cell_sums(cell, n_cells, outstanding).reshape(n_groups, n_vintages, -1)
    return LendingSuspension(names[index], trigger.metric, trigger.above, trigger.reactivate,
                             cell, volume, cell_sums(cell, n_cells, portfolio["exposure"]),
                             outstanding_by_year)


def _suspension(trigger: Trigger, covered: np.ndarray, portfolio: Portfolio,
                outstanding_by_year: np.ndarray) -> Suspension:
    """The trigger with, per group, the covered volume (or number) outstanding each year."""
    group = _groups(trigger.per, portfolio)
    outstanding = (outstanding_by_year if trigger.metric != "default_rate"
                   else (outstanding_by_year > 0).astype(float))
    membership = np.eye(int(group.max()) + 1)[:, group] * covered  # (n_groups, n_loans)
    return Suspension(trigger.metric, trigger.above, trigger.reactivate,
                      covered.astype(float), membership @ outstanding, group,
                      warning=trigger.warning)
