"""The simulation plan: everything a worker needs, compiled once from a scenario.

Loans that share per-period PD, the default model's parameters (a copula's factor loadings,
CreditRisk+'s sector weights) and active periods form a group; the engine evaluates one
conditional PD per (simulation, group), through the model (:mod:`risksim.models.base`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from risksim.models.base import DefaultModel
from risksim.models.loss import LossModel
from risksim.rules.base import Rule
from risksim.rules.compensation import ReleasedGuarantees
from risksim.rules.fees import Charge
from risksim.rules.limits import ClaimDenial, Suspension
from risksim.rules.monitors import NplTolerance
from risksim.rules.origination import LendingSuspension
from risksim.rules.recoveries import RecoverySharing
from risksim.rules.shares import LimitedLayer, ShareOfLoss

if TYPE_CHECKING:
    from risksim.engine.systematic import Sampling


@dataclass(frozen=True, eq=False)
class LoanGroup:
    """Loans with the same conditional default probability.

    Attributes
    ----------
    members : numpy.ndarray
        Loan indices (int64), increasing.
    conditions : object
        The default model's parameters of the group
        (:meth:`~risksim.models.base.DefaultModel.group_conditions`), read by the model alone.
    first_period, end_period : int
        The loans can default in periods first_period .. end_period − 1: from their
        origination until their tenor ends (or the horizon does).
    """

    members: np.ndarray
    conditions: Any
    first_period: int
    end_period: int

    def active(self, period: int) -> bool:
        """Whether the group's loans are outstanding in ``period``."""
        return self.first_period <= period < self.end_period


@dataclass(frozen=True, eq=False)
class SimulationPlan:
    """A compiled scenario: groups, loss model, rules and parties.

    Attributes
    ----------
    n_periods : int
        Periods in the horizon.
    default_model : DefaultModel
        Who defaults: draws the systematic variables and gives each group's conditional PD.
    groups : tuple of LoanGroup
        Groups of loans with equal conditional PD, in a fixed order.
    loss_model : LossModel
        Loss per default.
    rules : tuple of Rule
        Risk-sharing rules in the order they apply.
    parties : tuple of str
        Party names (columns of the result, after ``gross``).
    periods_per_year : int
        Periods in a year.
    fees : tuple of Charge
        Fees of the arrangement (columns after the indicators).
    monitors : tuple of NplTolerance, ReleasedGuarantees or LendingSuspension
        Ratios measured on the events themselves (columns after the rules' indicators).
    origination : LendingSuspension or None
        A trigger that suspends new lending: it drops the events of loans never granted
        before any rule applies (it is also a monitor, for its indicators).
    loan_class, class_representative : numpy.ndarray or None
        Loans alike for every rule share a class (``loan_class`` per loan; one
        representative loan per class); the rules then allocate events summed by class.
        None when a rule needs each loan's events (a per-loan or per-borrower cap).
    sampling : Sampling or None
        Quasi-Monte Carlo or importance sampling of the systematic variables
        (:mod:`risksim.engine.systematic`); None for plain Monte Carlo.
    """

    n_periods: int
    periods_per_year: int
    default_model: DefaultModel[Any, Any]
    groups: tuple[LoanGroup, ...]
    loss_model: LossModel
    rules: tuple[Rule, ...]
    parties: tuple[str, ...]
    fees: tuple[Charge, ...] = ()
    monitors: tuple[NplTolerance | ReleasedGuarantees | LendingSuspension, ...] = ()
    origination: LendingSuspension | None = None
    loan_class: np.ndarray | None = None
    class_representative: np.ndarray | None = None
    sampling: Sampling | None = None

    @property
    def active_cells(self) -> list[tuple[int, int]]:
        """(period, group index) of every group active in the period, in draw order."""
        return [(period, g) for period in range(self.n_periods)
                for g, group in enumerate(self.groups) if group.active(period)]

    @property
    def n_loans(self) -> int:
        """Loans in the book."""
        return int(self.loss_model.exposure.size)

    @property
    def n_years(self) -> int:
        """Years in the horizon, a partial last year counting as one."""
        return -(-self.n_periods // self.periods_per_year)

    @property
    def indicators(self) -> tuple[str, ...]:
        """Per-simulation indicators the rules record (columns after the parties)."""
        from_rules = tuple(name for rule in self.rules for name in rule.indicators)
        return from_rules + tuple(name for monitor in self.monitors for name in monitor.indicators)

    @property
    def tracks_recoveries(self) -> bool:
        """Whether recoveries are shared (and tracked per party)."""
        return any(isinstance(rule, RecoverySharing) for rule in self.rules)

    @property
    def needs_principal(self) -> bool:
        """Whether the events carry the principal at default (recoveries, principal base)."""
        return self.tracks_recoveries or any(
            isinstance(rule, ShareOfLoss) and rule.base.needs_principal for rule in self.rules
        ) or any(isinstance(limit, Suspension) and limit.metric == "npl_ratio"
                 for rule in self.rules if isinstance(rule, LimitedLayer)
                 for limit in rule.limits) or any(isinstance(monitor, NplTolerance)
                                                  for monitor in self.monitors)

    @property
    def draws_claims(self) -> bool:
        """Whether some layer denies claims at random (one uniform per event is drawn)."""
        return any(isinstance(limit, ClaimDenial) for rule in self.rules
                   if isinstance(rule, LimitedLayer) for limit in rule.limits)


def active_window(origination_year: np.ndarray, tenor_years: np.ndarray, periods_per_year: int,
                  n_periods: int) -> np.ndarray:
    """First and end period of each loan, shape (n_loans, 2).

    first = origination_year × periods_per_year; end = min(n_periods, first +
    ⌈tenor × periods_per_year⌉): the loan can default in periods first .. end − 1.
    """
    first = (origination_year * periods_per_year).astype(np.int64)
    length = np.maximum(np.ceil(tenor_years * periods_per_year - 1e-9).astype(np.int64), 1)
    return np.column_stack([first, np.minimum(first + length, n_periods)])


def classify_loans(rules: tuple[Rule, ...],
                   n_loans: int) -> tuple[np.ndarray, np.ndarray] | tuple[None, None]:
    """Classes of loans alike for every rule, and a representative loan of each class.

    (None, None) when some rule is not linear in each loan's loss and needs every event.
    """
    if any(rule.per_loan for rule in rules):
        return None, None
    arrays = [array for rule in rules for array in rule.loan_arrays]
    if not arrays:
        return np.zeros(n_loans, dtype=np.int64), np.zeros(1, dtype=np.int64)
    _, first, inverse = np.unique(np.column_stack(arrays), axis=0, return_index=True,
                                  return_inverse=True)
    return inverse.ravel().astype(np.int64), first.astype(np.int64)


def outstanding_by_year(exposure: np.ndarray, tenor_years: np.ndarray, instalment: np.ndarray,
                        origination_year: np.ndarray, n_years: int) -> np.ndarray:
    """Exposure outstanding at the start of each year, shape (n_loans, n_years).

    :func:`outstanding_at` the times 0, 1, ..., n_years − 1.
    """
    return outstanding_at(exposure, tenor_years, instalment, origination_year,
                          np.arange(n_years, dtype=float))


def outstanding_at(exposure: np.ndarray, tenor_years: np.ndarray, instalment: np.ndarray,
                   origination_year: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Scheduled exposure outstanding at ``times`` (years), shape (n_loans, times).

    With age a = t − origination year: 0 before origination (a < 0) and from maturity
    (a ≥ T); EAD for bullet loans, EAD·(1 − a/T) for straight-line instalment loans.
    """
    age = times[None, :] - origination_year[:, None]
    tenor = tenor_years[:, None]
    remaining = np.where(instalment[:, None], np.maximum(0.0, 1.0 - age / tenor), 1.0)
    return np.where((age >= 0) & (age < tenor), exposure[:, None] * remaining, 0.0)


def group_loans(model: DefaultModel[Any, Any], period_pd: np.ndarray,
                window: np.ndarray) -> tuple[LoanGroup, ...]:
    """Group loans by (per-period PD, the model's group keys, active window); loans with PD 0
    are left out.

    They can never default, so no group needs them. ``window`` is from :func:`active_window`.
    """
    can_default = np.flatnonzero(period_pd > 0)
    if can_default.size == 0:
        return ()
    keys = np.column_stack([period_pd[can_default], model.group_keys()[can_default],
                            window[can_default]])
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.cumsum(np.bincount(inverse, minlength=len(unique)))[:-1]
    members = np.split(can_default[order], bounds)
    conditions = model.group_conditions(unique[:, 0], unique[:, 1:-2])
    return tuple(LoanGroup(members=loans, conditions=condition, first_period=int(key[-2]),
                           end_period=int(key[-1]))
                 for key, loans, condition in zip(unique, members, conditions, strict=True))
