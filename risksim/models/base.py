"""The default-model interface: what the engine asks of a model of who defaults.

A default model is configured for one portfolio (by the builder that
:data:`risksim.models.registry.DEFAULT_MODELS` names for its ``defaults.model`` key), then
asked, the way ``arch`` swaps volatility processes under one mean model:

* :meth:`DefaultModel.period_pd`: each loan's unconditional PD per period;
* :meth:`DefaultModel.group_keys`: a row per loan; loans with equal rows (and equal per-period
  PD and active window) share their conditional PD, so the plan groups them and the engine
  evaluates one conditional PD per (simulation, group);
* :meth:`DefaultModel.group_conditions`: the model's own parameters of each group;
* :meth:`DefaultModel.draw`: the systematic draws of one period for n simulations, from the
  block's stream (the only draws a plain run takes before the defaults of the period);
* :meth:`DefaultModel.conditional_pd`: p_g per simulation given those draws; given them,
  the loans of a group default independently with that probability.

Quasi-Monte Carlo and importance sampling (:mod:`risksim.engine.systematic`) draw the
systematic variables as standard normal factors and a χ²_ν variable: a model supports them
when :meth:`DefaultModel.factor_sampling` returns itself (the factor copulas); others refuse
with a one-line error.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np

from risksim.errors import InputError
from risksim.portfolio import Portfolio

if TYPE_CHECKING:
    from risksim.models.copula import FactorCopula

Conditions = TypeVar("Conditions")
"""A model's parameters of one group of loans (what its conditional PD reads)."""

Draws = TypeVar("Draws")
"""A model's systematic draws of one period for a chunk of simulations."""


class DefaultModel(ABC, Generic[Conditions, Draws]):
    """A default model configured for one portfolio (a frozen dataclass: its fields, with
    :attr:`name`, say everything its draws depend on).

    Attributes
    ----------
    annual_pd : numpy.ndarray
        Annual PD per loan after any stress, fraction.
    asset_correlation : numpy.ndarray
        Asset correlation R_i per loan, in [0, 1): what LGD dependence (Frye–Jacobs) and the
        IRB capital of a loan read.
    """

    annual_pd: np.ndarray
    asset_correlation: np.ndarray

    @property
    @abstractmethod
    def name(self) -> str:
        """The scenario's ``defaults.model`` key of the model."""

    def period_pd(self, periods_per_year: int) -> np.ndarray:
        """Per-period PD with a constant hazard: p = 1 − (1 − PD_annual)^(1/periods_per_year)."""
        with np.errstate(divide="ignore"):  # PD 1: log1p(−1) = −inf, p = 1 exactly
            return -np.expm1(np.log1p(-self.annual_pd) / periods_per_year)

    @abstractmethod
    def group_keys(self) -> np.ndarray:
        """Per loan, the model's parameters that set its conditional PD, shape (n_loans, k)."""

    @abstractmethod
    def group_conditions(self, period_pd: np.ndarray,
                         keys: np.ndarray) -> Sequence[Conditions]:
        """The parameters of each group, from its per-period PD (g,) and key rows (g, k)."""

    @abstractmethod
    def draw(self, rng: np.random.Generator, n: int) -> Draws:
        """The systematic draws of one period for ``n`` simulations, from ``rng``."""

    @abstractmethod
    def conditional_pd(self, conditions: Conditions, draws: Draws) -> np.ndarray:
        """p_g per simulation, shape (n,), of the group with ``conditions`` given ``draws``."""

    def factor_sampling(self) -> FactorCopula:
        """The model, when it supports quasi-Monte Carlo and importance sampling.

        Raises
        ------
        InputError
            For a model that does not (the default).
        """
        raise InputError(f"quasi-Monte Carlo and importance sampling are not supported for "
                         f"model: {self.name}", path="defaults.model")


def stressed_pd(portfolio: Portfolio, pd_multiplier: float) -> np.ndarray:
    """Each loan's annual PD times the stress ``pd_multiplier``, fraction.

    Raises
    ------
    InputError
        At ``defaults.stress.pd_multiplier``, when it takes a PD above 1.
    """
    base_pd = portfolio["pd"]
    annual_pd = base_pd * pd_multiplier
    too_high = annual_pd > 1.0
    if too_high.any():
        i = int(np.argmax(too_high))
        raise InputError(f"PD {base_pd[i]:g} x {pd_multiplier:g} is above 1 for loan "
                         f"'{portfolio['loan_id'][i]}'", path="defaults.stress.pd_multiplier")
    return annual_pd
