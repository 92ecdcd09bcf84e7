"""CreditRisk+: a gamma-mixed Poisson sector model (Credit Suisse First Boston, *CreditRisk+:
A Credit Risk Management Framework*, 1997, §A2–A10; Gundlach & Lehrbass (eds.), *CreditRisk+
in the Banking Industry*, Springer 2004, ch. 2).

K independent sector factors S_k are gamma distributed with mean 1 and variance σ_k²
(shape 1/σ_k², scale σ_k²); sector 0 is the constant S_0 = 1 (idiosyncratic risk). Given S,
loan i's defaults in a period are Poisson with intensity

    λ_i(S) = p_i (w_i0 + Σ_k w_ik S_k),   w_ik ≥ 0,  Σ_{k≥0} w_ik = 1,

p_i its per-period PD, so that E[λ_i(S)] = p_i. **Poisson, then at most once**: a loan
defaults in the period when its Poisson count is at least 1, with conditional probability

    P(default | S) = 1 − exp(−λ_i(S))   (never above 1, so nothing is capped),

and the loss of a loan is its loss given one default. Its unconditional PD is therefore
1 − E[exp(−λ_i)], below p_i by at most p_i² E[(w_i0 + w_i·S)²]/2 = p_i² (1 + Σ_k w_ik² σ_k²)/2;
the analytic reference (:func:`risksim.models.analytic.creditrisk_plus_once_pmf`) has the
same at-most-once defaults, and the classical recursion
(:func:`~risksim.models.analytic.creditrisk_plus_pmf`) counts every Poisson default.

The draws of a period are the K gammas of every simulation, from the block's stream
(``Generator.gamma``, one call of shape (n, K)); the engine then draws the defaults of each
group of loans sharing (p_i, w_i) as for any model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from risksim.errors import InputError
from risksim.models.base import DefaultModel, stressed_pd
from risksim.models.basel import basel_correlation
from risksim.portfolio import Portfolio
from risksim.scenario.schema import IDIOSYNCRATIC_SECTOR, DefaultModelSpec, Sectors


@dataclass(frozen=True, eq=False)
class SectorGroup:
    """The conditional PD of a group: per-period PD p (fraction) and weights w_0 (sector 0)
    and w (K,) on the gamma sectors."""

    pd: float
    idiosyncratic_weight: float
    weights: np.ndarray


@dataclass(frozen=True, eq=False)
class CreditRiskPlus(DefaultModel[SectorGroup, np.ndarray]):
    """CreditRisk+ configured for one portfolio.

    Attributes
    ----------
    annual_pd, asset_correlation : numpy.ndarray
        Per loan: the stressed annual PD (fraction), and the Basel corporate correlation at
        it, which IRB capital reads (CreditRisk+ has no asset correlation of its own).
    sector_weights : numpy.ndarray
        (n_loans, 1 + K) weights w_ik, column 0 the idiosyncratic sector; rows add up to 1.
    sector_variances : numpy.ndarray
        σ_k² of the K gamma sectors, shape (K,).
    """

    annual_pd: np.ndarray
    asset_correlation: np.ndarray
    sector_weights: np.ndarray
    sector_variances: np.ndarray

    @property
    def name(self) -> str:
        """``creditrisk_plus``."""
        return "creditrisk_plus"

    def group_keys(self) -> np.ndarray:
        """The sector weights (n_loans, 1 + K)."""
        return self.sector_weights

    def group_conditions(self, period_pd: np.ndarray, keys: np.ndarray) -> Sequence[SectorGroup]:
        """p, w_0 and (w_1 … w_K) of each group."""
        return [SectorGroup(pd=float(pd), idiosyncratic_weight=float(row[0]), weights=row[1:])
                for pd, row in zip(period_pd, keys, strict=True)]

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """S, shape (n, K): S_k ~ Gamma(shape 1/σ_k², scale σ_k²), mean 1, variance σ_k²."""
        variances = self.sector_variances
        return rng.gamma(1.0 / variances, variances, size=(n, variances.size))

    def conditional_pd(self, conditions: SectorGroup, draws: np.ndarray) -> np.ndarray:
        """1 − exp(−p (w_0 + w·S)) per simulation."""
        intensity = conditions.pd * (conditions.idiosyncratic_weight + draws @ conditions.weights)
        return np.asarray(-np.expm1(-intensity))


def build_creditrisk_plus(spec: DefaultModelSpec, portfolio: Portfolio) -> CreditRiskPlus:
    """Configure CreditRisk+ of ``spec`` for ``portfolio`` (the PD stress applied).

    Raises
    ------
    InputError
        With the dotted path of the setting, when a loan's attribute has no weights, a
        ``loading_`` column names no sector or lacks one, or the stressed PD is above 1.
    """
    sectors = spec.sectors
    assert sectors is not None  # the schema requires it
    annual_pd = stressed_pd(portfolio, spec.stress.pd_multiplier)
    weights = (_column_weights(sectors, portfolio) if sectors.assign_by == "loadings"
               else _mapped_weights(sectors, portfolio))
    positive = np.where(annual_pd > 0, annual_pd, 1e-300)  # the formula's limit at PD 0
    return CreditRiskPlus(
        annual_pd=annual_pd, asset_correlation=np.asarray(basel_correlation(positive,
                                                                            "corporate")),
        sector_weights=weights, sector_variances=np.array(list(sectors.variances.values())))


def _mapped_weights(sectors: Sectors, portfolio: Portfolio) -> np.ndarray:
    """(n, 1 + K) weights of each loan by the mapping of its ``assign_by`` attribute."""
    assert sectors.weights is not None
    attribute = portfolio[sectors.assign_by]
    unknown = ~np.isin(attribute, list(sectors.weights))
    if unknown.any():
        i = int(np.argmax(unknown))
        raise InputError(f"loan '{portfolio['loan_id'][i]}' has {sectors.assign_by} "
                         f"'{attribute[i]}', which has no weights", path="defaults.sectors.weights")
    names = [IDIOSYNCRATIC_SECTOR, *sectors.variances]
    table = {value: [row.get(name, 0.0) for name in names]
             for value, row in sectors.weights.items()}
    return np.array([table[value] for value in attribute], dtype=np.float64).reshape(-1, len(names))


def _column_weights(sectors: Sectors, portfolio: Portfolio) -> np.ndarray:
    """(n, 1 + K) weights from the ``loading_<sector>`` columns, the rest on sector 0."""
    names = list(sectors.variances)
    missing = [name for name in names if name not in portfolio.loadings]
    extra = sorted(set(portfolio.loadings) - set(names))
    if missing or extra:
        what = (f"has no column 'loading_{missing[0]}'" if missing
                else f"column 'loading_{extra[0]}' names no sector")
        raise InputError(f"the portfolio {what}", path="defaults.sectors.variances")
    systematic = np.column_stack([portfolio.loadings[name] for name in names])
    idiosyncratic = 1.0 - systematic.sum(axis=1)
    bad = (systematic < 0).any(axis=1) | (idiosyncratic < -1e-9)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(f"loan '{portfolio['loan_id'][i]}' has sector weights below 0 or "
                         "adding up to more than 1", path="defaults.sectors.assign_by")
    return np.column_stack([np.maximum(idiosyncratic, 0.0), systematic])
