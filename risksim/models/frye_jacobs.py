"""Systematic LGD: the Frye-Jacobs LGD function of the conditional default rate.

Frye, J. and Jacobs, M. Jr. (2012), "Credit loss and systematic loss given default",
*Journal of Credit Risk* 8(1), 109-140. In the one-factor Gaussian copula with asset correlation
rho, the conditional default rate cPD and the conditional expected loss rate cEL (both fractions of
EAD) are assumed to be Vasicek-distributed with the same rho and means PD and EL = PD·LGD. Equating
their quantiles gives the LGD of a defaulted loan in the state where the default rate is cPD:

    LGD(cPD) = Φ(Φ⁻¹(cPD) - k) / cPD,   k = (Φ⁻¹(PD) - Φ⁻¹(PD·LGD)) / √(1 - rho)

By construction E_Z[cPD(Z)·LGD(cPD(Z))] = PD·LGD: the function redistributes, and does not
change, the expected loss. Since LGD ≤ 1, k ≥ 0 and LGD(cPD) rises with cPD from 0 (when k > 0)
towards 1.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr, ndtri

from risksim.models.arguments import FloatOrArray, checked, result_value


def frye_jacobs_lgd(conditional_pd: npt.ArrayLike, pd: npt.ArrayLike, lgd: npt.ArrayLike,
                    rho: npt.ArrayLike) -> FloatOrArray:
    """Conditional LGD given the conditional default rate (Frye & Jacobs 2012).

    LGD(cPD) = Φ(Φ⁻¹(cPD) - k) / cPD,   k = (Φ⁻¹(PD) - Φ⁻¹(PD·LGD)) / √(1 - rho)

    The value at cPD = 0 is the limit: 0 when k > 0 (LGD < 1) and 1 when k = 0 (LGD = 1).
    Two degenerate cases take the only value that keeps the expected loss: LGD = 0 gives 0,
    and PD = 1 (where cPD is 1 in every state) gives LGD itself.

    Parameters
    ----------
    conditional_pd : float or array_like
        Conditional default rate cPD in the state of the economy, in [0, 1].
    pd : float or array_like
        Unconditional default probability over the same period, in (0, 1].
    lgd : float or array_like
        Unconditional (expected) LGD, fraction of EAD in [0, 1].
    rho : float or array_like
        Asset correlation rho of the copula that produced cPD, in [0, 1).

    Returns
    -------
    float or numpy.ndarray
        Conditional LGD, fraction of EAD in [0, 1]; the arguments broadcast together, and a
        float is returned when they are all scalars.

    Raises
    ------
    InputError
        A ValueError, when an argument is outside its range.

    Notes
    -----
    At cPD = PD the conditional LGD is below LGD when rho > 0 and 0 < LGD < 1 (because
    k·√(1 - rho) < k), and equals it when rho = 0.
    """
    cpd, pd_array, lgd_array, rho_array = np.broadcast_arrays(
        checked("conditional_pd", conditional_pd, 0.0, 1.0, "[]"),
        checked("pd", pd, 0.0, 1.0, "(]"),
        checked("lgd", lgd, 0.0, 1.0, "[]"),
        checked("rho", rho, 0.0, 1.0, "[)"),
    )
    # Stand-in values where the degenerate cases are answered below keep k finite.
    regular = (pd_array < 1.0) & (lgd_array > 0.0)
    pd_safe = np.where(regular, pd_array, 0.5)
    lgd_safe = np.where(regular, lgd_array, 1.0)
    shift = (ndtri(pd_safe) - ndtri(pd_safe * lgd_safe)) / np.sqrt(1.0 - rho_array)
    limit_at_zero = np.where(shift == 0.0, 1.0, 0.0)
    ratio = np.divide(ndtr(ndtri(cpd) - shift), cpd, out=limit_at_zero, where=cpd > 0.0)
    return result_value(np.where(pd_array == 1.0, lgd_array, np.where(lgd_array > 0.0, ratio, 0.0)))
