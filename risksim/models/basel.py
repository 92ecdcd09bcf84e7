"""Basel II/III internal-ratings-based (IRB) capital formulas.

Source: BCBS, *International Convergence of Capital Measurement and Capital Standards: A Revised
Framework — Comprehensive Version*, June 2006, paragraphs 272-273 (corporate and SME), 320
(effective maturity), 328-330 (retail); the same formulas are CRE31 of the consolidated Basel
Framework. The capital requirement is the Vasicek 99.9% quantile of the default rate less the
PD, times LGD, times a maturity adjustment:

    K  = LGD·[Φ((Φ⁻¹(PD) + √R·Φ⁻¹(0.999)) / √(1 - R)) - PD]·MA
    RW = 12.5·K·scaling_factor,   RWA = RW·EAD

PD, LGD, R and K are decimals; K is a fraction of EAD; RW is a fraction (0.9232 means 92.32%);
M is in years. The formulas are for exposures not in default: for a defaulted exposure Basel
sets K = max(0, LGD - best estimate of expected loss) (paragraph 272), which these functions do
not compute.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr, ndtri

from risksim.errors import InputError
from risksim.models.arguments import FloatArray, FloatOrArray, checked, result_value

CORRELATION_KINDS = ("corporate", "sme", "retail_other")
"""The ``kind`` values accepted by :func:`basel_correlation`."""

BASEL_CONFIDENCE = 0.999
"""Confidence level of the IRB capital requirement (the factor's 99.9% bad state)."""


def _correlation_weight(pd: FloatArray, decay: float) -> FloatArray:
    """Basel weight w = (1 - e^(-decay·PD)) / (1 - e^(-decay)), from 0 (PD → 0) to 1 (PD = 1)."""
    return np.expm1(-decay * pd) / np.expm1(-decay)


def basel_correlation(pd: npt.ArrayLike, kind: str = "corporate",
                      annual_sales_eur_m: npt.ArrayLike | None = None) -> FloatOrArray:
    """Supervisory asset correlation R of the IRB risk-weight functions.

    * ``"corporate"`` (paragraph 272): R = 0.12·w + 0.24·(1 - w),
      w = (1 - e^(-50·PD)) / (1 - e^(-50)).
    * ``"sme"`` (paragraph 273): the corporate R less the firm-size adjustment
      0.04·(1 - (S - 5)/45), S the borrower's annual sales in EUR millions. Paragraph 273 itself
      treats reported sales below EUR 5m as EUR 5m, so S < 5 gives the full reduction of 0.04;
      sales of EUR 50m or more make the borrower a corporate, not an SME, and get the corporate
      R (the adjustment is 0 at S = 50).
    * ``"retail_other"`` (paragraph 330): R = 0.03·w + 0.16·(1 - w),
      w = (1 - e^(-35·PD)) / (1 - e^(-35)).

    Parameters
    ----------
    pd : float or array_like
        One-year probability of default, in (0, 1] (no PD floor is applied here).
    kind : {"corporate", "sme", "retail_other"}
        The risk-weight function.
    annual_sales_eur_m : float or array_like, optional
        Annual sales S in EUR millions, ≥ 0; required for ``"sme"``, refused for other kinds.

    Returns
    -------
    float or numpy.ndarray
        Asset correlation R (decimal); broadcast over ``pd`` and ``annual_sales_eur_m``, a
        float for scalar arguments.

    Raises
    ------
    InputError
        A ValueError, for an unknown ``kind``, a PD outside (0, 1], negative or missing sales
        for ``"sme"``, or sales given for another kind.
    """
    if kind not in CORRELATION_KINDS:
        raise InputError(f"kind must be one of {', '.join(CORRELATION_KINDS)}; got {kind!r}")
    if (annual_sales_eur_m is None) == (kind == "sme"):
        raise InputError("annual_sales_eur_m is required for kind 'sme' and only for it")
    pd_array = checked("pd", pd, 0.0, 1.0, "(]")
    if kind == "retail_other":
        weight = _correlation_weight(pd_array, 35.0)
        return result_value(0.03 * weight + 0.16 * (1.0 - weight))
    weight = _correlation_weight(pd_array, 50.0)
    corporate = 0.12 * weight + 0.24 * (1.0 - weight)
    if annual_sales_eur_m is None:
        return result_value(corporate)
    sales = np.clip(checked("annual_sales_eur_m", annual_sales_eur_m, 0.0, np.inf, "[)"),
                    5.0, 50.0)
    return result_value(corporate - 0.04 * (1.0 - (sales - 5.0) / 45.0))


def maturity_adjustment(pd: npt.ArrayLike, maturity_years: npt.ArrayLike) -> FloatOrArray:
    """Maturity adjustment MA = (1 + (M - 2.5)·b) / (1 - 1.5·b), b = (0.11852 - 0.05478·ln PD)².

    Paragraph 272. At M = 2.5 years MA = 1/(1 - 1.5·b) > 1: the calibration folds the effect of
    a 2.5-year maturity into K, and MA = 1 only at M = 1 year.

    Parameters
    ----------
    pd : float or array_like
        One-year probability of default, in (0, 1].
    maturity_years : float or array_like
        Effective maturity M in years, in (0, 5]. Paragraph 320 caps M at 5 years and floors it
        at 1 year except for the short-term exposures of paragraphs 321-323, so the floor is
        the caller's to apply.

    Returns
    -------
    float or numpy.ndarray
        The dimensionless factor MA; broadcast over the arguments, a float for scalars.

    Raises
    ------
    InputError
        A ValueError, when an argument is outside its range.
    """
    pd_array = checked("pd", pd, 0.0, 1.0, "(]")
    maturity = checked("maturity_years", maturity_years, 0.0, 5.0, "(]")
    b = (0.11852 - 0.05478 * np.log(pd_array)) ** 2
    return result_value((1.0 + (maturity - 2.5) * b) / (1.0 - 1.5 * b))


def irb_capital(pd: npt.ArrayLike, lgd: npt.ArrayLike, correlation: npt.ArrayLike,
                maturity_years: npt.ArrayLike = 2.5, *,
                maturity_adjusted: bool = True) -> FloatOrArray:
    """IRB capital requirement K per unit of EAD (paragraphs 272 and 328-330).

    K = LGD·[Φ((Φ⁻¹(PD) + √R·Φ⁻¹(0.999)) / √(1 - R)) - PD]·MA

    with MA from :func:`maturity_adjustment` for corporate, sovereign and bank exposures, and
    MA = 1 for retail (``maturity_adjusted=False``). At PD = 1 the formula gives K = 0 (the
    99.9% default rate equals the PD); Basel's own treatment of defaulted exposures,
    K = max(0, LGD - best-estimate EL), is not this formula's.

    Parameters
    ----------
    pd : float or array_like
        One-year probability of default, in (0, 1].
    lgd : float or array_like
        Loss given default, fraction of EAD in [0, 1].
    correlation : float or array_like
        Asset correlation R, in [0, 1) (e.g. from :func:`basel_correlation`).
    maturity_years : float or array_like, default 2.5
        Effective maturity M in years, in (0, 5]; not used when ``maturity_adjusted`` is False.
    maturity_adjusted : bool, default True
        Whether to apply the maturity adjustment (False for retail exposures).

    Returns
    -------
    float or numpy.ndarray
        K as a fraction of EAD; broadcast over the arguments, a float for scalar arguments.

    Raises
    ------
    InputError
        A ValueError, when an argument is outside its range.
    """
    pd_array = checked("pd", pd, 0.0, 1.0, "(]")
    lgd_array = checked("lgd", lgd, 0.0, 1.0, "[]")
    correlation_array = checked("correlation", correlation, 0.0, 1.0, "[)")
    stressed_pd = ndtr((ndtri(pd_array) + np.sqrt(correlation_array) * ndtri(BASEL_CONFIDENCE))
                       / np.sqrt(1.0 - correlation_array))
    capital = lgd_array * (stressed_pd - pd_array)
    if maturity_adjusted:
        capital = capital * maturity_adjustment(pd_array, maturity_years)
    return result_value(capital)


def irb_risk_weight(pd: npt.ArrayLike, lgd: npt.ArrayLike, correlation: npt.ArrayLike,
                    maturity_years: npt.ArrayLike = 2.5, *, scaling_factor: float = 1.0,
                    maturity_adjusted: bool = True) -> FloatOrArray:
    """IRB risk weight RW = 12.5·K·scaling_factor, so that RWA = RW·EAD.

    12.5 is the reciprocal of the 8% minimum capital ratio; the Basel II scaling factor is 1.06
    (paragraph 44, kept by the CRR, removed in Basel III final).

    Parameters
    ----------
    pd, lgd, correlation, maturity_years, maturity_adjusted
        As for :func:`irb_capital`.
    scaling_factor : float, default 1.0
        Multiplier on the risk weight, > 0 (1.06 for Basel II / CRR).

    Returns
    -------
    float or numpy.ndarray
        Risk weight as a fraction (0.9232 means 92.32%); broadcast over the arguments.

    Raises
    ------
    InputError
        A ValueError, when an argument is outside its range.
    """
    factor = float(checked("scaling_factor", scaling_factor, 0.0, np.inf, "()"))
    capital = irb_capital(pd, lgd, correlation, maturity_years,
                          maturity_adjusted=maturity_adjusted)
    return result_value(np.asarray(12.5 * factor * capital))
