"""Loss given default: what one default costs, in the scenario's currency.

For loan i defaulting in period t (period length Δ years):

    outstanding_i(t) = EAD_i                          (bullet)
                     = EAD_i · max(0, 1 − tΔ / T_i)   (instalment: straight-line principal)
    base_i(t)        = max(0, outstanding_i(t) − (1 − h_i)·C_i)     collateral C, haircut h
    loss             = LGD · base_i(t) + k · (outstanding_i(t) − LGD · base_i(t))
                       + interest_i(t)
    interest_i(t)    = outstanding_i(t) · r_i · d / 360     annual rate r, d days unpaid

The accrued interest of the d days before default (``accrued_interest_days``) is lost with
the principal and not recovered. Days count 30/360, the convention of the timeline
(:mod:`risksim.scenario.timeline`) and of Chinese loan interest (daily rate = annual rate
÷ 360), so the interest lost and the dates of the claims agree. A workout cost k
(``workout_cost_rate``) is spent out of each recovery, so recoveries are net of it (and
shared net of it, M16).

LGD is the loan's mean LGD (fixed), or a beta draw with that mean and sd. With Frye–Jacobs
dependence the mean is replaced by the conditional LGD given the period's conditional
default rate cPD, and a beta draw keeps the loan's concentration κ = m(1 − m)/sd² − 1.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from risksim.models.frye_jacobs import frye_jacobs_lgd
from risksim.portfolio import Portfolio
from risksim.scenario.timeline import DAYS_PER_YEAR


@dataclass(frozen=True, eq=False)
class LossModel:
    """Per-loan loss parameters (arrays indexed by loan).

    Attributes
    ----------
    exposure, tenor_years, collateral_recovery : numpy.ndarray
        EAD (money), tenor (years), collateral value after haircut (1 − h)·C (money).
    origination_year : numpy.ndarray
        Year of the horizon each loan is granted in (its vintage).
    instalment : numpy.ndarray of bool
        True for straight-line amortising loans.
    lgd_mean, lgd_concentration : numpy.ndarray
        Mean LGD and beta concentration κ (``inf`` for a fixed LGD).
    period_years : float
        Length of one period Δ in years.
    frye_jacobs : bool
        Whether the mean LGD follows the conditional default rate.
    period_pd, asset_correlation : numpy.ndarray
        Per-period PD and asset correlation, used by the Frye–Jacobs function.
    interest_fraction : numpy.ndarray
        Accrued interest lost at default per unit of outstanding principal, r_i · d / 360.
    workout_cost_rate : float
        Fraction k of each gross recovery spent on the workout.
    """

    exposure: np.ndarray
    tenor_years: np.ndarray
    origination_year: np.ndarray
    instalment: np.ndarray
    collateral_recovery: np.ndarray
    lgd_mean: np.ndarray
    lgd_concentration: np.ndarray
    period_years: float
    frye_jacobs: bool
    period_pd: np.ndarray
    asset_correlation: np.ndarray
    interest_fraction: np.ndarray
    workout_cost_rate: float = 0.0

    @classmethod
    def for_portfolio(cls, portfolio: Portfolio, *, period_years: float, frye_jacobs: bool,
                      period_pd: np.ndarray, asset_correlation: np.ndarray,
                      accrued_interest_days: float = 0.0,
                      workout_cost_rate: float = 0.0) -> LossModel:
        """Collect the loss parameters of ``portfolio`` (interest unpaid for
        ``accrued_interest_days`` days is lost at default; ``workout_cost_rate`` of each
        recovery is spent on the workout)."""
        mean, sd = portfolio["lgd"], portfolio["lgd_sd"]
        with np.errstate(divide="ignore", invalid="ignore"):
            concentration = np.where(sd > 0, mean * (1 - mean) / sd**2 - 1.0, np.inf)
        return cls(
            exposure=portfolio["exposure"], tenor_years=portfolio["tenor_years"],
            origination_year=portfolio["origination_year"],
            instalment=portfolio["amortisation"] == "instalment",
            collateral_recovery=(1 - portfolio["collateral_haircut"])
            * portfolio["collateral_value"],
            lgd_mean=mean, lgd_concentration=concentration, period_years=period_years,
            frye_jacobs=frye_jacobs, period_pd=period_pd, asset_correlation=asset_correlation,
            interest_fraction=portfolio["interest_rate"] * accrued_interest_days / DAYS_PER_YEAR,
            workout_cost_rate=workout_cost_rate)

    @functools.cached_property
    def accrues_interest(self) -> bool:
        """Whether some loan loses accrued interest at default."""
        return bool((self.interest_fraction > 0).any())

    def interest(self, loans: np.ndarray, periods: np.ndarray) -> np.ndarray:
        """Accrued interest lost at default, interest_i(t) (money)."""
        return self.outstanding(loans, periods) * self.interest_fraction[loans]

    @functools.cached_property
    def mean_loss(self) -> np.ndarray:
        """Each loan's loss at its mean LGD on its full exposure (money):
        L = LGD·max(0, EAD − (1 − h)·C), plus k·(EAD − L) + EAD·r·d/360."""
        principal_loss = self.lgd_mean * np.maximum(0.0, self.exposure - self.collateral_recovery)
        return (principal_loss + self.workout_cost_rate * (self.exposure - principal_loss)
                + self.exposure * self.interest_fraction)

    @functools.cached_property
    def fixed_loss(self) -> np.ndarray | None:
        """Each loan's loss when it is the same whenever the loan defaults (fixed LGD, no
        Frye–Jacobs, bullet repayment): :attr:`mean_loss`; else None."""
        if self.frye_jacobs or self.random_lgd or self.instalment.any():
            return None
        return self.mean_loss

    @functools.cached_property
    def random_lgd(self) -> bool:
        """Whether any loan draws its LGD at random."""
        return bool(np.isfinite(self.lgd_concentration).any())

    def outstanding(self, loans: np.ndarray, periods: np.ndarray) -> np.ndarray:
        """Principal outstanding at default, outstanding_i(t) (money)."""
        if not self.instalment.any():  # bullet loans: the principal does not change
            return self.exposure[loans]
        start = periods * self.period_years - self.origination_year[loans]
        tenor = self.tenor_years[loans]
        return self.exposure[loans] * np.where(
            self.instalment[loans], np.maximum(0.0, 1.0 - start / tenor), 1.0)

    def loss_base(self, loans: np.ndarray, periods: np.ndarray) -> np.ndarray:
        """Outstanding exposure net of collateral recovery at default, base_i(t) (money)."""
        if not self.instalment.any():  # bullet loans: the base does not change over time
            return np.maximum(0.0, self.exposure - self.collateral_recovery)[loans]
        return np.maximum(0.0, self.outstanding(loans, periods)
                          - self.collateral_recovery[loans])

    def event_losses(self, rng: np.random.Generator, loans: np.ndarray, periods: np.ndarray,
                     conditional_pd: np.ndarray | None) -> np.ndarray:
        """Loss of each default event (money).

        Parameters
        ----------
        rng : numpy.random.Generator
            The block's stream; beta LGDs are drawn from it in event order.
        loans, periods : numpy.ndarray
            Loan index and period of each default.
        conditional_pd : numpy.ndarray or None
            The conditional PD of each event's group (needed with Frye–Jacobs).
        """
        fixed = self.fixed_loss
        if fixed is not None:
            return fixed[loans]
        loss = self._principal_losses(rng, loans, periods, conditional_pd)
        if self.workout_cost_rate > 0:
            loss += self.workout_cost_rate * (self.outstanding(loans, periods) - loss)
        return loss + (self.interest(loans, periods) if self.accrues_interest else 0.0)

    def _principal_losses(self, rng: np.random.Generator, loans: np.ndarray,
                          periods: np.ndarray, conditional_pd: np.ndarray | None) -> np.ndarray:
        """LGD · base_i(t) of each default event (money)."""
        mean = self.lgd_mean[loans]
        if self.frye_jacobs:
            assert conditional_pd is not None
            mean = frye_jacobs_lgd(conditional_pd, self.period_pd[loans], mean,
                                   self.asset_correlation[loans])
        lgd = mean
        if self.random_lgd:
            kappa = self.lgd_concentration[loans]
            drawn = np.isfinite(kappa) & (mean > 0) & (mean < 1)
            lgd = mean.copy()
            a, b = kappa[drawn] * mean[drawn], kappa[drawn] * (1 - mean[drawn])
            lgd[drawn] = rng.beta(a, b)
        return lgd * self.loss_base(loans, periods)
