"""Factor copula default model (Gaussian or Student-t), configured for one portfolio.

Loan i defaults in a period when its latent variable falls below its threshold:

    Gaussian:  Y_i = w_i·Z + √(1 − R_i)·ε_i,   default iff Y_i < Φ⁻¹(p_i)
    Student-t: default iff Y_i / √(V/ν) < t_ν⁻¹(p_i),   V ~ χ²_ν

with Z the systematic factors (correlation matrix Σ), w_i the loan's loadings, R_i = w_iᵀΣw_i
its asset correlation and p_i its per-period PD. Given the factors (and V), defaults are
independent with conditional probability

    p_i(Z, V) = Φ((c_i·√(V/ν) − w_i·Z) / √(1 − R_i)),   c_i = t_ν⁻¹(p_i)

(Gaussian: c_i = Φ⁻¹(p_i) and no √(V/ν) factor)

which depends on the loan only through (p_i, w_i): loans sharing both form a group, and
the engine evaluates Φ once per (simulation, group). The copulas are the models that support
quasi-Monte Carlo and importance sampling (:mod:`risksim.engine.systematic`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from risksim.errors import InputError
from risksim.models.base import DefaultModel, stressed_pd
from risksim.models.basel import basel_correlation
from risksim.portfolio import Portfolio
from risksim.scenario.schema import DefaultModelSpec, Factors

BASEL_KINDS = {"basel_corporate": "corporate", "basel_sme": "sme", "basel_retail": "retail_other"}


@dataclass(frozen=True, eq=False)
class CopulaGroup:
    """What sets the conditional PD of a group of loans under a factor copula.

    Attributes
    ----------
    threshold : float
        Default threshold c = Φ⁻¹(p) (or t_ν⁻¹(p)) of the per-period PD p.
    loading : numpy.ndarray
        Loadings b on the K independent factors, shape (K,).
    idiosyncratic_sd : float
        √(1 − R) with R = |b|², the asset correlation.
    """

    threshold: float
    loading: np.ndarray
    idiosyncratic_sd: float


@dataclass(frozen=True, eq=False)
class FactorDraws:
    """The systematic variables of one period: factors Z (n, K) and the t copula's mixing
    √(V/ν) (n,), None for the Gaussian copula."""

    factors: np.ndarray
    mixing: np.ndarray | None


@dataclass(frozen=True, eq=False)
class FactorCopula(DefaultModel[CopulaGroup, FactorDraws]):
    """A factor copula configured for one portfolio.

    Attributes
    ----------
    annual_pd : numpy.ndarray
        Annual PD per loan after the stress multiplier, fraction.
    asset_correlation : numpy.ndarray
        R_i per loan after the stress shift, in [0, 1).
    factor_loadings : numpy.ndarray
        (n_loans, K) loadings on K *independent* standard normal factors: the loadings w_i on
        the correlated factors times a square root of Σ, so that w_i·Z = b_i·ε.
    degrees_of_freedom : float or None
        ν of the Student-t copula; None for the Gaussian copula.
    """

    annual_pd: np.ndarray
    asset_correlation: np.ndarray
    factor_loadings: np.ndarray
    degrees_of_freedom: float | None = None

    @property
    def name(self) -> str:
        """``gaussian_copula`` or ``t_copula``."""
        return "gaussian_copula" if self.degrees_of_freedom is None else "t_copula"

    @property
    def n_factors(self) -> int:
        """Number of systematic factors K."""
        return int(self.factor_loadings.shape[1])

    def thresholds(self, period_pd: np.ndarray) -> np.ndarray:
        """Default thresholds c_i: Φ⁻¹(p_i), or t_ν⁻¹(p_i) for the Student-t copula."""
        if self.degrees_of_freedom is None:
            return np.asarray(ndtri(period_pd))
        from scipy.stats import t as student_t

        return np.asarray(student_t.ppf(period_pd, self.degrees_of_freedom))

    def group_keys(self) -> np.ndarray:
        """The loadings b_i on the independent factors, (n_loans, K)."""
        return self.factor_loadings

    def group_conditions(self, period_pd: np.ndarray, keys: np.ndarray) -> Sequence[CopulaGroup]:
        """Threshold c, loadings b and √(1 − |b|²) of each group."""
        return [CopulaGroup(threshold=float(threshold), loading=loading,
                            idiosyncratic_sd=math.sqrt(1.0 - float(loading @ loading)))
                for threshold, loading in zip(self.thresholds(period_pd), keys, strict=True)]

    def draw(self, rng: np.random.Generator, n: int) -> FactorDraws:
        """K standard normal factors per simulation, then (t copula) χ²_ν per simulation."""
        factors = rng.standard_normal((n, self.n_factors))
        mixing = None
        if self.degrees_of_freedom is not None:
            nu = self.degrees_of_freedom
            mixing = np.sqrt(rng.chisquare(nu, n) / nu)
        return FactorDraws(factors, mixing)

    def conditional_pd(self, conditions: CopulaGroup, draws: FactorDraws) -> np.ndarray:
        """p = Φ((c·√(V/ν) − b·Z)/√(1 − R)) per simulation (:func:`conditional_pd`)."""
        return conditional_pd(conditions, draws.factors, draws.mixing)

    def factor_sampling(self) -> FactorCopula:
        """The copula itself: its factors and χ² variable can be drawn by QMC or tilted."""
        return self


def conditional_pd(group: CopulaGroup, factors: np.ndarray,
                   mixing: np.ndarray | None) -> np.ndarray:
    """p = Φ(a) per simulation, a as :func:`pd_argument` gives it."""
    return np.asarray(ndtr(pd_argument(group, factors, mixing)))


def pd_argument(group: CopulaGroup, factors: np.ndarray, mixing: np.ndarray | None) -> np.ndarray:
    """a = (c·√(V/ν) − b·Z)/√(1 − R) per simulation (Gaussian: no √(V/ν)), the argument of
    the conditional PD Φ(a); factors Z (…, K), mixing √(V/ν) (…) or None."""
    shifted = group.threshold if mixing is None else group.threshold * mixing
    return np.asarray((shifted - factors @ group.loading) / group.idiosyncratic_sd)


def build_copula(spec: DefaultModelSpec, portfolio: Portfolio) -> FactorCopula:
    """Configure the copula of ``spec`` for ``portfolio`` (stress overlays applied).

    Raises
    ------
    InputError
        With the dotted path of the offending setting, when the portfolio lacks what the
        setting needs or the stress takes a PD above 1 or a correlation out of [0, 1).
    """
    annual_pd = stressed_pd(portfolio, spec.stress.pd_multiplier)
    if spec.factors is not None and spec.factors.assign_by == "loadings":
        loadings = _explicit_loadings(spec.factors, portfolio)
        base_r = np.einsum("ik,kl,il->i", loadings, spec.factors.matrix(), loadings)
        _check_range(base_r, portfolio, "defaults.factors",
                     "the loadings give an asset correlation")
    else:
        base_r = _asset_correlation(spec, portfolio)
        loadings = np.sqrt(base_r)[:, None] * _factor_indicator(spec.factors, portfolio)
    r = base_r + spec.stress.correlation_shift
    _check_range(r, portfolio, "defaults.stress.correlation_shift", "the shifted correlation is")
    if spec.stress.correlation_shift != 0.0:
        if (base_r == 0).any():
            raise InputError("cannot shift a zero asset correlation: its factor direction is "
                             "undefined", path="defaults.stress.correlation_shift")
        loadings = loadings * np.sqrt(r / base_r)[:, None]
    matrix = spec.factors.matrix() if spec.factors is not None else np.ones((1, 1))
    return FactorCopula(annual_pd=annual_pd, asset_correlation=r,
                        factor_loadings=loadings @ _matrix_root(matrix),
                        degrees_of_freedom=spec.degrees_of_freedom)


def _asset_correlation(spec: DefaultModelSpec, portfolio: Portfolio) -> np.ndarray:
    n = len(portfolio)
    source = spec.correlation
    assert source is not None  # the schema requires it of a copula
    if isinstance(source, float):
        return np.full(n, source)
    if source == "from_portfolio":
        rho = portfolio["rho"]
        _require_values(rho, portfolio, "defaults.correlation", "rho")
        return rho.copy()
    kind = BASEL_KINDS[source]
    sales = portfolio["annual_sales_eur_m"]
    if kind == "sme":
        _require_values(sales, portfolio, "defaults.correlation", "annual_sales_eur_m")
    pd_positive = np.where(portfolio["pd"] > 0, portfolio["pd"], 1.0)
    r = np.asarray(basel_correlation(pd_positive, kind, sales if kind == "sme" else None))
    # At PD = 0 the Basel weight w is 0 and the formula's limit is its upper value.
    limit = np.asarray(basel_correlation(np.full(n, 1e-300), kind,
                                         sales if kind == "sme" else None))
    return np.where(portfolio["pd"] > 0, r, limit)


def _require_values(values: np.ndarray, portfolio: Portfolio, path: str, column: str) -> None:
    missing = np.isnan(values)
    if missing.any():
        loan = portfolio["loan_id"][int(np.argmax(missing))]
        raise InputError(f"needs the portfolio column '{column}' for every loan; loan '{loan}' "
                         "has none", path=path)


def _check_range(r: np.ndarray, portfolio: Portfolio, path: str, what: str) -> None:
    bad = (r < 0) | (r >= 1)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(f"{what} {r[i]:g} for loan '{portfolio['loan_id'][i]}', outside [0, 1)",
                         path=path)


def _factor_indicator(factors: Factors | None, portfolio: Portfolio) -> np.ndarray:
    """(n, K) matrix with a 1 at each loan's factor (one column when there are no factors)."""
    n = len(portfolio)
    if factors is None:
        return np.ones((n, 1))
    attribute = portfolio[factors.assign_by]
    index = {name: k for k, name in enumerate(factors.names)}
    unknown = ~np.isin(attribute, factors.names)
    if unknown.any():
        i = int(np.argmax(unknown))
        raise InputError(f"loan '{portfolio['loan_id'][i]}' has {factors.assign_by} "
                         f"'{attribute[i]}', which is not a factor ({', '.join(factors.names)})",
                         path="defaults.factors.names")
    indicator = np.zeros((n, len(factors.names)))
    indicator[np.arange(n), [index[a] for a in attribute]] = 1.0
    return indicator


def _explicit_loadings(factors: Factors, portfolio: Portfolio) -> np.ndarray:
    missing = [name for name in factors.names if name not in portfolio.loadings]
    if missing:
        raise InputError(f"the portfolio has no column 'loading_{missing[0]}'",
                         path="defaults.factors.names")
    extra = sorted(set(portfolio.loadings) - set(factors.names))
    if extra:
        raise InputError(f"portfolio column 'loading_{extra[0]}' names no factor",
                         path="defaults.factors.names")
    return np.column_stack([portfolio.loadings[name] for name in factors.names])


def _matrix_root(matrix: np.ndarray) -> np.ndarray:
    """A square root S of a PSD correlation matrix, Σ = S Sᵀ, by eigendecomposition."""
    values, vectors = np.linalg.eigh(matrix)
    return vectors * np.sqrt(np.clip(values, 0.0, None))
