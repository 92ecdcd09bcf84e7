"""Turn the arrangement into rule objects for one portfolio, in the order they apply."""

from __future__ import annotations

from collections import Counter

import numpy as np

from risksim.errors import InputError
from risksim.portfolio import Portfolio
from risksim.rules.base import Rule
from risksim.rules.limits import (
    Capital,
    FundBalance,
    Limit,
    PerBorrowerCap,
    PeriodCap,
    PerLoanCap,
    Suspension,
)
from risksim.rules.shares import Residual, ShareOfLayer, ShareOfLoss, TrancheOfLoss
from risksim.scenario.arrangement import (
    Arrangement,
    BandedShare,
    CategoryShare,
    Eligibility,
    Layer,
    Share,
    Trigger,
)


def build_rules(arrangement: Arrangement, portfolio: Portfolio,
                outstanding_by_year: np.ndarray) -> tuple[Rule, ...]:
    """One rule per layer, in the order written in the scenario.

    Parameters
    ----------
    arrangement : Arrangement
        The validated arrangement.
    portfolio : Portfolio
        The loans (attributes decide tiered shares, eligibility and volumes).
    outstanding_by_year : numpy.ndarray
        (n_loans, n_years) exposure outstanding at the start of each year, 0 once matured.

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
            covered = _covered_by(arrangement, upstream, portfolio, names)
            rules.append(ShareOfLayer(
                layer.party, upstream=names[_layer_index(arrangement, upstream)],
                upstream_party=upstream, share=layer.share_of_layer.share,
                limits=_limits(layer, covered, portfolio, outstanding_by_year),
                excess_to=layer.excess_to, layer=names[index]))
            continue
        if layer.tranche is not None:
            volume = float(portfolio["exposure"].sum())
            rules.append(TrancheOfLoss(
                layer.party, layer.tranche.attach * volume, layer.tranche.detach * volume,
                limits=_limits(layer, np.ones(len(portfolio), bool), portfolio,
                               outstanding_by_year),
                excess_to=layer.excess_to, layer=names[index]))
            continue
        share = _share_by_loan(layer, portfolio, path)
        rules.append(ShareOfLoss(
            layer.party, share, limits=_limits(layer, share > 0, portfolio, outstanding_by_year),
            excess_to=layer.excess_to, layer=names[index]))
    return tuple(rules)


def layer_names(arrangement: Arrangement) -> list[str]:
    """Each layer's name: its party, or ``<party>_<index>`` when a party has several layers."""
    counts = Counter(layer.party for layer in arrangement.layers)
    return [layer.party if counts[layer.party] == 1 else f"{layer.party}_{index}"
            for index, layer in enumerate(arrangement.layers)]


def _layer_index(arrangement: Arrangement, party: str) -> int:
    return next(i for i, layer in enumerate(arrangement.layers) if layer.party == party)


def _covered_by(arrangement: Arrangement, party: str, portfolio: Portfolio,
                names: list[str]) -> np.ndarray:
    """Loans the (share_of_loss) layer of ``party`` covers, following chains upwards."""
    index = _layer_index(arrangement, party)
    layer = arrangement.layers[index]
    if layer.share_of_layer is not None:
        return _covered_by(arrangement, layer.share_of_layer.party, portfolio, names)
    if layer.tranche is not None:
        return np.ones(len(portfolio), dtype=bool)
    return _share_by_loan(layer, portfolio, f"arrangement.layers[{index}]") > 0


def _share_by_loan(layer: Layer, portfolio: Portfolio, path: str) -> np.ndarray:
    """The layer's share of each loan's loss (0 where the loan is not eligible)."""
    assert layer.share_of_loss is not None
    share = _tiered_share(layer.share_of_loss, portfolio, f"{path}.share_of_loss")
    if layer.eligible is not None:
        share = np.where(_eligible(layer.eligible, portfolio), share, 0.0)
    return share


def _tiered_share(share: Share, portfolio: Portfolio, path: str) -> np.ndarray:
    n = len(portfolio)
    if isinstance(share, float):
        return np.full(n, share)
    if isinstance(share, BandedShare):
        values = portfolio[share.by]
        if np.isnan(values).any():
            raise InputError(f"tiers by '{share.by}', which some loans lack", path=path)
        bounds = np.array([band.up_to for band in share.bands[:-1]], dtype=float)
        shares = np.array([band.share for band in share.bands])
        return shares[np.searchsorted(bounds, values, side="left")]
    return _category_share(share, portfolio, path)


def _category_share(share: CategoryShare, portfolio: Portfolio, path: str) -> np.ndarray:
    values = portfolio[share.by]
    known = np.isin(values, list(share.values))
    if share.default is None and not known.all():
        loan = portfolio["loan_id"][int(np.argmax(~known))]
        raise InputError(f"loan '{loan}' has {share.by} '{values[~known][0]}', which has no "
                         "share and there is no default", path=path)
    lookup = {**share.values}
    return np.array([lookup.get(v, share.default or 0.0) for v in values], dtype=float)


def _eligible(rules: Eligibility, portfolio: Portfolio) -> np.ndarray:
    ok = np.ones(len(portfolio), dtype=bool)
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


def _limits(layer: Layer, covered: np.ndarray, portfolio: Portfolio,
            outstanding_by_year: np.ndarray) -> tuple[Limit, ...]:
    """The layer's limits in the documented order (see risksim.scenario.arrangement)."""
    limits: list[Limit] = []
    if layer.per_loan_cap is not None:
        limits.append(PerLoanCap(layer.per_loan_cap))
    if layer.per_borrower_cap is not None:
        _, borrower = np.unique(portfolio["borrower_id"], return_inverse=True)
        limits.append(PerBorrowerCap(layer.per_borrower_cap, borrower))
    if layer.suspend_if is not None:
        limits.append(_suspension(layer.suspend_if, covered, outstanding_by_year))
    if layer.cap_rate is not None:
        volume = float(np.sum(portfolio["exposure"] * covered))
        limits.append(PeriodCap(layer.cap_rate.rate * volume, layer.cap_rate.per, "cap_rate"))
    if layer.annual_budget is not None:
        limits.append(PeriodCap(layer.annual_budget, "year", "annual_budget"))
    if layer.fund is not None:
        limits.append(FundBalance(layer.fund.balance, layer.fund.refill_per_year))
    if layer.capital is not None:
        limits.append(Capital(layer.capital))
    return tuple(limits)


def _suspension(trigger: Trigger, covered: np.ndarray,
                outstanding_by_year: np.ndarray) -> Suspension:
    mask = covered.astype(float)
    if trigger.metric == "loss_rate":
        denominator = mask @ outstanding_by_year
    else:
        denominator = mask @ (outstanding_by_year > 0)
    return Suspension(trigger.metric, trigger.above, trigger.reactivate, mask, denominator)
