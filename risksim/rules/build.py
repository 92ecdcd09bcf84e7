"""Turn the arrangement into rule objects for one portfolio, in the order they apply."""

from __future__ import annotations

import dataclasses
from collections import Counter

import numpy as np

from risksim.errors import InputError
from risksim.portfolio import Portfolio
from risksim.rules.base import Rule
from risksim.rules.fees import FeeSchedule
from risksim.rules.limits import (
    Capital,
    ClaimDenial,
    FundBalance,
    Limit,
    PerBorrowerCap,
    PeriodCap,
    PerLoanCap,
    Suspension,
    VintageCap,
)
from risksim.rules.recoveries import RecoverySharing
from risksim.rules.shares import Residual, ShareOfLayer, ShareOfLoss, TrancheOfLoss
from risksim.scenario.arrangement import (
    Arrangement,
    BandedValue,
    CapRate,
    CategoryValue,
    Eligibility,
    Layer,
    Tiered,
    Trigger,
)
from risksim.scenario.schema import Horizon


def build_rules(arrangement: Arrangement, portfolio: Portfolio, outstanding_by_year: np.ndarray,
                horizon: Horizon) -> tuple[Rule, ...]:
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

    Raises
    ------
    InputError
        With the dotted path of a layer whose terms the portfolio cannot satisfy.
    """
    names = layer_names(arrangement)
    rules: list[Rule] = []
    for index, layer in enumerate(arrangement.layers):
        path = f"arrangement.layers[{index}]"
        if layer.residual:
            rules.append(Residual(layer.party))
            continue
        if layer.share_of_layer is not None:
            upstream = layer.share_of_layer.party
            borne = layer.share_of_layer.share * guaranteed_share(arrangement, upstream,
                                                                  portfolio)
            rules.append(ShareOfLayer(
                layer.party, upstream=names[_layer_index(arrangement, upstream)],
                upstream_party=upstream, share=layer.share_of_layer.share,
                limits=_limits(layer, borne, portfolio, outstanding_by_year, horizon),
                excess_to=layer.excess_to, layer=names[index]))
            continue
        if layer.tranche is not None:
            volume = float(portfolio["exposure"].sum())
            rules.append(TrancheOfLoss(
                layer.party, attach=layer.tranche.attach * volume,
                detach=layer.tranche.detach * volume,
                limits=_limits(layer, np.ones(len(portfolio)), portfolio,
                               outstanding_by_year, horizon),
                excess_to=layer.excess_to, layer=names[index]))
            continue
        share = _share_by_loan(layer, portfolio, path)
        rules.append(ShareOfLoss(
            layer.party, share,
            limits=_limits(layer, share, portfolio, outstanding_by_year, horizon),
            excess_to=layer.excess_to, layer=names[index]))
    if arrangement.recoveries is not None:
        parties = [p for p in arrangement.parties if p != arrangement.layers[-1].party]
        rules.append(RecoverySharing(tuple(arrangement.recoveries.first_to),
                                     (*parties, arrangement.layers[-1].party)))
    return tuple(rules)


def build_fees(arrangement: Arrangement, portfolio: Portfolio,
               outstanding_by_year: np.ndarray) -> tuple[FeeSchedule, ...]:
    """One schedule per fee of the arrangement, in the order written."""
    schedules = []
    for index, fee in enumerate(arrangement.fees):
        path = f"arrangement.fees[{index}]"
        share = (guaranteed_share(arrangement, fee.guaranteed_by, portfolio)
                 if fee.base == "guaranteed" else np.ones(len(portfolio)))
        schedules.append(FeeSchedule.compile(
            fee.name, fee.payer, fee.payee,
            tiered_by_loan(fee.upfront_rate, portfolio, f"{path}.upfront_rate"),
            tiered_by_loan(fee.annual_rate, portfolio, f"{path}.annual_rate"),
            share * portfolio["exposure"], share[:, None] * outstanding_by_year,
            portfolio["origination_year"]))
    return tuple(schedules)


def guaranteed_share(arrangement: Arrangement, party: str, portfolio: Portfolio) -> np.ndarray:
    """The share of each loan's loss that ``party``'s first paying layer takes on (before caps).

    A counter-guarantor takes its share of the upstream layer's share; a tranche may take
    any loan's loss (1).
    """
    index = next(i for i, layer in enumerate(arrangement.layers)
                 if layer.party == party and not layer.residual)
    layer = arrangement.layers[index]
    if layer.tranche is not None:  # a slice of the portfolio can take any loan's loss
        return np.ones(len(portfolio))
    if layer.share_of_layer is not None:
        upstream = guaranteed_share(arrangement, layer.share_of_layer.party, portfolio)
        return layer.share_of_layer.share * upstream
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
        return np.where(eligible, _deposit_terms(layer, portfolio)[1], 0.0)
    assert layer.share_of_loss is not None
    share = tiered_by_loan(layer.share_of_loss, portfolio, f"{path}.share_of_loss")
    return np.where(eligible, share, 0.0)


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
    for column, allowed, excluded in (("rating", rules.ratings, rules.exclude_ratings),
                                      ("sector", rules.sectors, rules.exclude_sectors)):
        if allowed is not None:
            ok &= np.isin(portfolio[column], allowed)
        if excluded is not None:
            ok &= ~np.isin(portfolio[column], excluded)
    return ok


def _limits(layer: Layer, borne: np.ndarray, portfolio: Portfolio,
            outstanding_by_year: np.ndarray, horizon: Horizon) -> tuple[Limit, ...]:
    """The layer's limits in the documented order (see risksim.scenario.arrangement).

    ``borne`` is the share of each loan's loss the layer takes on (before its limits); the
    loans with a positive share are the layer's covered loans.
    """
    covered = borne > 0
    limits: list[Limit] = []
    if layer.claim_denial_probability is not None:
        limits.append(ClaimDenial(layer.claim_denial_probability))
    if layer.per_loan_cap is not None:
        limits.append(PerLoanCap(layer.per_loan_cap))
    if layer.per_borrower_cap is not None:
        _, borrower = np.unique(portfolio["borrower_id"], return_inverse=True)
        limits.append(PerBorrowerCap(layer.per_borrower_cap, borrower))
    if layer.suspend_if is not None:
        limits.append(_suspension(layer.suspend_if, covered, outstanding_by_year))
    if layer.cap_rate is not None:
        limits.append(_cap_rate(layer.cap_rate, covered, portfolio))
    if layer.annual_budget is not None:
        limits.append(PeriodCap(layer.annual_budget, "year", "annual_budget"))
    if layer.fund is not None:
        limits.append(FundBalance(layer.fund.balance, layer.fund.refill_per_year))
    if layer.deposit is not None:
        limits.append(FundBalance(_deposit_terms(layer, portfolio)[0], 0.0))
    if layer.capital is not None:
        limits.append(_capital(layer, borne, portfolio, outstanding_by_year, horizon))
    return tuple(limits)


def _capital(layer: Layer, borne: np.ndarray, portfolio: Portfolio,
             outstanding_by_year: np.ndarray, horizon: Horizon) -> Capital:
    """The capital term, with the weighted guarantee liability when leverage is limited.

    liability_y = Σ_i borne_i × weight_i × outstanding_i(y), weight the small-loan weight
    for loans up to the small-loan size, 1 otherwise.
    """
    assert layer.capital is not None
    capital = Capital(layer.capital, horizon.n_periods, horizon.periods_per_year)
    leverage = layer.leverage
    if leverage is None:
        return capital
    small = (portfolio["exposure"] <= leverage.small_loan_max
             if leverage.small_loan_max is not None else np.zeros(len(portfolio), bool))
    weight = np.where(small, leverage.small_loan_weight, 1.0)
    liability = (borne * weight) @ outstanding_by_year
    return dataclasses.replace(capital, liability_by_year=liability,
                               max_leverage=leverage.limit)


def _cap_rate(cap: CapRate, covered: np.ndarray, portfolio: Portfolio) -> Limit:
    """Cap of rate × covered volume (Σ exposure of the covered loans), or per vintage."""
    volume = portfolio["exposure"] * covered
    if cap.per != "vintage":
        return PeriodCap(cap.rate * float(volume.sum()), cap.per, "cap_rate")
    vintage = portfolio["origination_year"].astype(np.int64)
    return VintageCap(cap.rate * np.bincount(vintage, weights=volume), vintage)


def _suspension(trigger: Trigger, covered: np.ndarray,
                outstanding_by_year: np.ndarray) -> Suspension:
    mask = covered.astype(float)
    if trigger.metric == "loss_rate":
        denominator = mask @ outstanding_by_year
    else:
        denominator = mask @ (outstanding_by_year > 0)
    return Suspension(trigger.metric, trigger.above, trigger.reactivate, mask, denominator,
                      warning=trigger.warning)
