"""Fee pricing (DOMAIN §5): break-even, risk-adjusted and target fees of a party, by tier.

For the party priced, with v = 1/(1 + discount_rate), per simulation:

* claims C: what the party pays, net of the recoveries shared back to it (its loss), and
  their present value C_pv = Σ_events paid·v^(y+1) (a default of year y is paid at its end);
* the fee base B: Σ_y B(y) over the years a covered loan is outstanding and has not
  defaulted before year y, and B_pv = Σ_y B(y)·v^y (an annual fee is paid at the start of
  each year, the year of default included). B(y) is the loan's outstanding exposure
  (``base="loan"``, the loans the party covers) or that times the party's share of its loss
  (``base="guaranteed"``).

The party is priced on the claims it owes: a ``capital`` term on its layer (with its
leverage limit) is lifted, since a fee priced on claims cut by limited liability would leave
the shortfall to others. Then, per tier t (a rating, a size band, ... or the whole book):

    break-even     f_BE = E[C_pv]/E[B_pv] + admin_rate
    risk-adjusted  f_RA = (E[C_pv] + coc·a·K)/E[B_pv] + admin_rate,  a = Σ_{y=1..Y} v^y

with K the capital held for the whole Y-year horizon: ES_a(C) − E[C] (``capital="es"``),
VaR_a(C) − E[C] (``"var"``), or the Basel IRB capital of the party's share of the loans
(``"basel"``, :mod:`risksim.analysis.capital`). A tier's capital is its Euler contribution to the
book's (:mod:`risksim.analysis.contributions`), so the tiers' capitals add up to the book's.

Every fee carries its Monte Carlo standard error from the influence functions of
:mod:`risksim.stats.influence` (ratio of means; ES and VaR of the book; for a tier's VaR capital the
window is taken as given).

Targets, on common random numbers (every trial fee f sees the same simulations, and the
fee income f·B is linear in f):

* ``solvency:x`` — the smallest fee with P(C + admin·B − f·B > capital) ≤ x. The estimated
  probability is a step function of f that drops at f = R_i = (C_i − capital)/B_i + admin
  for each simulation, so its root is an order statistic of R: f* = VaR_{1−x}(R), with the
  distribution-free order-statistic band of :func:`risksim.stats.measures.value_at_risk`.
* ``return:h`` — the fee whose return on capital
  RoC(f) = ((f − admin)·E[B_pv] − E[C_pv]) / (a·K(f)), K(f) the capital of C − (f − admin)·B,
  equals h; RoC is continuous and increasing in f and is solved with Brent's method. Its band
  is the delta method: se(f*) = se(RoC(f*))/RoC'(f*).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np
import pandas as pd

from risksim.analysis.capital import covered_share, loan_capital
from risksim.analysis.common import run_common
from risksim.analysis.contributions import TailSets, euler_parts, tail_sets, unit_of_loans
from risksim.analysis.fee_ceiling import (
    above_ceiling,
    ceiling_warning,
    fee_ceiling,
    other_base_ceiling,
)
from risksim.analysis.simulate import choose_backend, run_settings
from risksim.analysis.sweep import Design
from risksim.compile.plan import SimulationPlan, outstanding_by_year
from risksim.compile.rules import guaranteed_share
from risksim.compile.scenario import Scenario, ScenarioSource, derive_scenario, load_scenario
from risksim.engine.backends.base import Backend
from risksim.engine.block import apply_rules
from risksim.errors import InputError
from risksim.results.pricing import Pricing
from risksim.rules.base import LossEvents
from risksim.rules.fees import FeeSchedule
from risksim.stats import measures
from risksim.stats.influence import influence, ratio_of_means, standard_error
from risksim.stats.measures import Estimate
from risksim.util.suggest import unknown_name_message

if TYPE_CHECKING:
    from risksim.results.fee_curve import FeeCurve

CapitalKind = Literal["es", "var", "basel"]
CAPITAL_KINDS = ("es", "var", "basel")
TARGET_KINDS = ("solvency", "return")
Z95 = 1.959963984540054
"""Two-sided 95% normal quantile, for the bands of the fees."""


@dataclass(frozen=True)
class PricingTerms:
    """What a fee must pay for, besides the expected claims.

    Attributes
    ----------
    level : float
        Level of the VaR or ES that sizes capital, in (0, 1).
    capital : {"es", "var", "basel"}
        How capital is measured.
    cost_of_capital : float
        Annual cost of capital (return required on equity above the risk-free rate).
    admin_rate : float
        Administrative cost per year, a fraction of the fee base.
    discount_rate : float
        Annual rate for present values (0: undiscounted).
    base : {"loan", "guaranteed"}
        Fee per unit of covered loan outstanding, or of its guaranteed part.
    """

    level: float = 0.99
    capital: CapitalKind = "es"
    cost_of_capital: float = 0.10
    admin_rate: float = 0.0
    discount_rate: float = 0.0
    base: Literal["loan", "guaranteed"] = "loan"


@dataclass(frozen=True)
class Simulated:
    """Per simulation and tier (N × T): claims, their PV, the fee base and its PV (money)."""

    claims: np.ndarray
    claims_pv: np.ndarray
    base: np.ndarray
    base_pv: np.ndarray

    def total(self) -> Simulated:
        """The same for the whole book (one tier)."""
        return Simulated(*(a.sum(axis=1, keepdims=True) for a in (
            self.claims, self.claims_pv, self.base, self.base_pv)))


@overload
def price(scenario: ScenarioSource, party: str, *, terms: PricingTerms | None = None,
          target: str | None = None, capital_amount: float | None = None,
          by: str | None = None, bands: Sequence[float] | None = None,
          sweep: None = None, design: Design = "grid", n_sims: int | None = None,
          seed: int | None = None, backend: str | None = None, workers: int | None = None,
          address: str | None = None) -> Pricing: ...


@overload
def price(scenario: ScenarioSource, party: str, *, terms: PricingTerms | None = None,
          target: str | None = None, capital_amount: float | None = None,
          by: str | None = None, bands: Sequence[float] | None = None,
          sweep: Mapping[str, Sequence[Any]], design: Design = "grid",
          n_sims: int | None = None, seed: int | None = None, backend: str | None = None,
          workers: int | None = None, address: str | None = None) -> FeeCurve: ...


def price(scenario: ScenarioSource, party: str, *, terms: PricingTerms | None = None,
          target: str | None = None, capital_amount: float | None = None,
          by: str | None = None, bands: Sequence[float] | None = None,
          sweep: Mapping[str, Sequence[Any]] | None = None, design: Design = "grid",
          n_sims: int | None = None, seed: int | None = None, backend: str | None = None,
          workers: int | None = None, address: str | None = None) -> Pricing | FeeCurve:
    """Price the fee of ``party``: break-even, risk-adjusted, and the one meeting a target.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        The scheme (loaded with :func:`risksim.load_scenario` when not yet).
    party : str
        A party that bears losses (a guarantor, a fund, or the lender itself).
    terms : PricingTerms, optional
        Capital measure and level, cost of capital, admin cost, discounting, fee base.
    target : str, optional
        ``"solvency:x"`` (P(exhausting capital) ≤ x) or ``"return:h"`` (return on capital
        ≥ h a year).
    capital_amount : float, optional
        The party's capital for the solvency target (money); default: its layer's
        ``capital``.
    by : str, optional
        Price tier by tier: ``segment`` or a text column (``rating``, ``sector``, ...), or a
        numeric column (``exposure``, ``tenor_years``) with ``bands``.
    bands : sequence of float, optional
        Increasing upper bounds of the size bands (the last band is open).
    sweep : mapping of str to sequence, optional
        Dotted path → the values it takes, as in :func:`risksim.sweep`: price every point
        on common random numbers and return the fee curve
        (:mod:`risksim.analysis.fee_curve`).
    design : {"grid", "one_at_a_time"}
        With ``sweep``: every combination, or each path varied alone from the base point.
    n_sims, seed : int, optional
        As in :func:`risksim.simulate`.
    backend, workers, address : optional
        Where the blocks run, as in :func:`risksim.simulate` (the same results on each).

    Returns
    -------
    Pricing or FeeCurve
        The fees (a :class:`~risksim.results.fee_curve.FeeCurve` with ``sweep``). A required
        fee above the scheme's fee ceiling (:mod:`risksim.analysis.fee_ceiling`) is flagged
        in the table's ``above_ceiling`` and warned of in one line.

    Raises
    ------
    InputError
        For an unknown party or tier attribute, bad terms or a target that cannot be met.
    """
    scenario = load_scenario(scenario)
    terms = terms or PricingTerms()
    _check_terms(terms)
    parse_target(target)  # a bad target is an error before anything is simulated
    n_sims, seed, _ = run_settings(scenario, n_sims, seed, [terms.level])
    runner = choose_backend(scenario, backend, workers, address)
    job = PricingJob(party, terms, target, capital_amount, by, list(bands or []), n_sims, seed)
    if sweep is not None:
        from risksim.analysis.fee_curve import fee_curve

        return fee_curve(scenario, job, sweep, design, runner)
    book = fee_book(scenario, party, by, bands)
    pricing = priced(book, simulate_books([book], job, runner)[0], job)
    for message in ceiling_messages(pricing, book):
        warnings.warn(message, stacklevel=2)
    return pricing


@dataclass(frozen=True)
class PricingJob:
    """What :func:`price` was asked, after the checks: the party, terms, target (text,
    parsed by :attr:`goal`), capital for a solvency target, tiers, simulations and seed."""

    party: str
    terms: PricingTerms
    target: str | None
    capital_amount: float | None
    by: str | None
    bands: list[float]
    n_sims: int
    seed: int

    @property
    def goal(self) -> tuple[str, float] | None:
        """The target as (kind, value)."""
        return parse_target(self.target)


@dataclass(frozen=True, eq=False)
class FeeBook:
    """A scenario made ready to price one party.

    Attributes
    ----------
    scenario : Scenario
        The scheme as given.
    owed : Scenario
        The same with the party's capital lifted (:func:`_uncapped`): what it is priced on.
    tier : numpy.ndarray
        Each loan's tier number.
    labels : list of str
        The tiers' names.
    """

    scenario: Scenario
    owed: Scenario
    tier: np.ndarray
    labels: list[str]


def fee_book(scenario: Scenario, party: str, by: str | None,
             bands: Sequence[float] | None) -> FeeBook:
    """``scenario`` made ready to price ``party`` tier by tier (``by``, ``bands`` as in
    :func:`price`).

    Raises
    ------
    InputError
        For a party the scenario does not have, or a bad tier attribute or bands.
    """
    if party not in scenario.parties:
        raise InputError(unknown_name_message("party", party, scenario.parties), path="party")
    if not loss_share(scenario, party).any():
        raise InputError(f"'{party}' takes on no share of any loan (it only pays what other "
                         "layers' terms cut to it): no fee base to price", path="party")
    tier, labels = _tiers(scenario, by, bands)
    return FeeBook(scenario, _uncapped(scenario, party), tier, labels)


def simulate_books(books: Sequence[FeeBook], job: PricingJob,
                   backend: Backend | None = None) -> list[Simulated]:
    """C, C_pv, B and B_pv of every simulation and tier of each book, all on common random
    numbers (:func:`~risksim.analysis.common.run_common`)."""
    outputs = [_fee_outputs(book.owed, job.party, book.tier, len(book.labels), job.terms)
               for book in books]
    values = run_common([book.owed for book in books], outputs, job.n_sims, job.seed, backend)
    return [Simulated(*np.split(value, 4, axis=1)) for value in values]


def priced(book: FeeBook, simulated: Simulated, job: PricingJob) -> Pricing:
    """The fees of ``book`` from its simulated claims and fee bases.

    The table's ``above_ceiling`` names, per tier, the fees (break-even, risk-adjusted and,
    on the book's row ``all``, the target fee) above the party's fee ceiling
    (:func:`~risksim.analysis.fee_ceiling.fee_ceiling`); empty where none is.
    """
    party, terms, goal = job.party, job.terms, job.goal
    basel = _basel_capital(book.owed, party, book.tier, len(book.labels))
    years = book.owed.plan.n_years
    table = _table(simulated, book.labels, np.bincount(book.tier, minlength=len(book.labels)),
                   terms, basel, years)
    fee = None
    if goal is not None:
        amount = _capital_amount(book.scenario, party, job.capital_amount, goal[0])
        fee = _target_fee(simulated.total(), goal, amount, terms, float(basel.sum()), years)
    ceiling = fee_ceiling(book.scenario, party, terms.base)
    required = {tier: {"break_even": float(row["break_even"]),
                       "risk_adjusted": float(row["risk_adjusted"])}
                for tier, row in table.iterrows()}
    if fee is not None:
        required["all"]["target"] = fee.value
    table["above_ceiling"] = [above_ceiling(required[tier], ceiling) for tier in table.index]
    metadata = {"party": party, "terms": terms.__dict__, "target": job.target, "by": job.by,
                "bands": job.bands, "n_sims": job.n_sims, "seed": job.seed,
                "currency": book.scenario.spec.currency, "scenario": book.scenario.name,
                "capital_amount": job.capital_amount,
                "fee_ceiling": None if ceiling is None else asdict(ceiling)}
    return Pricing(party=party, table=table, target=fee, metadata=metadata)


def ceiling_messages(pricing: Pricing, book: FeeBook) -> list[str]:
    """The warning lines of ``pricing``: its required fees above the fee ceiling (one line
    naming each), or a ceiling it could not be checked against."""
    party, base = pricing.party, pricing.metadata["terms"]["base"]
    unchecked = other_base_ceiling(book.scenario, party, base)
    if unchecked is not None:
        return [unchecked]
    ceiling = fee_ceiling(book.scenario, party, base)
    if ceiling is None:
        return []
    where = []
    for tier, row in pricing.table.iterrows():
        for name in filter(None, row["above_ceiling"].split(", ")):
            rate = (pricing.target.value if name == "target" and pricing.target is not None
                    else row[name.replace("-", "_")])
            where.append(f"{name} {rate:.4%}" + ("" if name == "target" else f" (tier {tier})"))
    return [ceiling_warning(party, ceiling, where)] if where else []


def parse_target(target: str | None) -> tuple[str, float] | None:
    """``"solvency:0.001"`` → ("solvency", 0.001); None stays None."""
    if target is None:
        return None
    kind, _, number = target.partition(":")
    if kind not in TARGET_KINDS:
        raise InputError(unknown_name_message("target", kind, TARGET_KINDS)
                         + " (e.g. solvency:0.001 or return:0.12)", path="target")
    try:
        value = float(number)
    except ValueError:
        raise InputError(f"'{number}' is not a number (e.g. {kind}:0.01)",
                         path="target") from None
    if not (0 < value < 1 if kind == "solvency" else 0 < value < 10):
        raise InputError(f"{value:g} is out of range: expected a "
                         + ("probability in (0, 1)" if kind == "solvency"
                            else "return above 0"), path="target")
    return kind, value


def fee_base_schedules(scenario: Scenario, party: str, tier: np.ndarray, n_tiers: int,
                       terms: PricingTerms) -> tuple[list[FeeSchedule], list[FeeSchedule]]:
    """Unit-rate fee schedules whose amount collected is B (and B_pv) of each tier (loans a
    lending trigger never granted are not in it)."""
    plan, portfolio = scenario.plan, scenario.portfolio
    per_cell = None if plan.origination is None else plan.origination.per_cell
    share = loss_share(scenario, party)
    base_share = share if terms.base == "guaranteed" else (share > 0).astype(float)
    by_year = base_share[:, None] * book_outstanding(scenario)
    discount = (1.0 + terms.discount_rate) ** -np.arange(plan.n_years, dtype=float)
    zeros = np.zeros(len(portfolio))
    schedules: tuple[list[FeeSchedule], list[FeeSchedule]] = ([], [])
    for t in range(n_tiers):
        in_tier = (tier == t).astype(float)
        for store, years in zip(schedules, (by_year, by_year * discount), strict=True):
            store.append(FeeSchedule.compile(f"base_{t}", "borrower", party, zeros, in_tier,
                                             zeros, years, portfolio["origination_year"],
                                             per_cell))
    return schedules


def book_outstanding(scenario: Scenario) -> np.ndarray:
    """Scheduled exposure of each loan outstanding at the start of each year of the horizon,
    shape (n_loans, n_years) (money; :func:`risksim.compile.plan.outstanding_by_year`)."""
    portfolio = scenario.portfolio
    return outstanding_by_year(portfolio["exposure"], portfolio["tenor_years"],
                               scenario.plan.loss_model.instalment,
                               portfolio["origination_year"], scenario.plan.n_years)


def loss_share(scenario: Scenario, party: str) -> np.ndarray:
    """The share of each loan's loss ``party`` takes on before caps (the lender: what the
    others leave)."""
    arrangement = scenario.spec.arrangement
    if party == arrangement.layers[-1].party:
        return 1.0 - covered_share(scenario)
    return guaranteed_share(arrangement, party, scenario.portfolio)


def simulate_fee_terms(scenario: Scenario, party: str, tier: np.ndarray, n_tiers: int,
                       terms: PricingTerms, n_sims: int, seed: int,
                       backend: Backend | None = None) -> Simulated:
    """C, C_pv, B and B_pv of every simulation and tier (tasks on ``backend``, default this
    process)."""
    outputs = _fee_outputs(scenario, party, tier, n_tiers, terms)
    values = run_common([scenario], [outputs], n_sims, seed, backend)[0]
    return Simulated(*np.split(values, 4, axis=1))


def _fee_outputs(scenario: Scenario, party: str, tier: np.ndarray, n_tiers: int,
                 terms: PricingTerms) -> _FeeTerms:
    """The block output giving C, C_pv, B and B_pv of each tier of ``scenario``."""
    plain, discounted = fee_base_schedules(scenario, party, tier, n_tiers, terms)
    return _FeeTerms(scenario.plan, party, tier, n_tiers, 1.0 / (1.0 + terms.discount_rate),
                     (*plain, *discounted))


@dataclass(frozen=True, eq=False)
class _FeeTerms:
    """Per simulation of a chunk: C and C_pv of each tier, then each fee base schedule's
    amount (the block output of :func:`simulate_fee_terms`)."""

    plan: SimulationPlan
    party: str
    tier: np.ndarray
    n_tiers: int
    discount_factor: float
    schedules: tuple[FeeSchedule, ...]

    def __call__(self, events: LossEvents, first: int, weights: np.ndarray | None) -> np.ndarray:
        paid = apply_rules(self.plan, events).paid[self.party]
        key = events.sim * self.n_tiers + self.tier[events.loan]
        size = events.n_sims * self.n_tiers
        claims = np.bincount(key, weights=paid, minlength=size)
        claims_pv = np.bincount(key, weights=paid * self.discount_factor ** (events.year + 1.0),
                                minlength=size)
        bases = [schedule.collected(events) for schedule in self.schedules]
        return np.column_stack([claims.reshape(-1, self.n_tiers),
                                claims_pv.reshape(-1, self.n_tiers), *bases])


def _check_terms(terms: PricingTerms) -> None:
    if terms.capital not in CAPITAL_KINDS:
        raise InputError(unknown_name_message("capital measure", terms.capital, CAPITAL_KINDS),
                         path="capital")
    if not 0 < terms.level < 1:
        raise InputError(f"{terms.level:g}: expected a level in (0, 1)", path="level")
    for name in ("cost_of_capital", "admin_rate", "discount_rate"):
        if not 0 <= getattr(terms, name) < 1:
            raise InputError(f"{getattr(terms, name):g}: expected a rate in [0, 1)", path=name)


def _tiers(scenario: Scenario, by: str | None,
           bands: Sequence[float] | None) -> tuple[np.ndarray, list[str]]:
    """Tier number of each loan, and the tiers' names."""
    n = len(scenario.portfolio)
    if by is None:
        return np.zeros(n, dtype=np.int64), ["all"]
    if not bands:
        return unit_of_loans(scenario, by)
    if by not in ("exposure", "tenor_years", "annual_sales_eur_m"):
        raise InputError(f"bands need a numeric attribute (exposure, tenor_years, "
                         f"annual_sales_eur_m), not '{by}'", path="by")
    bounds = np.asarray(bands, dtype=float)
    if (np.diff(bounds) <= 0).any():
        raise InputError(f"bands {list(bands)} must increase", path="bands")
    tier = np.searchsorted(bounds, scenario.portfolio[by], side="left").astype(np.int64)
    labels = [f"{by} <= {b:g}" for b in bounds] + [f"{by} > {bounds[-1]:g}"]
    return tier, labels


def _uncapped(scenario: Scenario, party: str) -> Scenario:
    """``scenario`` with the capital (leverage, capital basis) terms of ``party``'s layers
    lifted; a cap
    stated as a share of capital (a single-borrower limit) stays, in money."""
    data = scenario.spec.model_dump(exclude_unset=True)
    layers = data["arrangement"]["layers"]
    if not any(layer["party"] == party and "capital" in layer for layer in layers):
        return scenario
    for layer in layers:
        if layer["party"] == party and "capital" in layer:
            cap = layer.get("per_borrower_cap")
            if isinstance(cap, dict):
                layer["per_borrower_cap"] = cap["share_of_capital"] * layer["capital"]
            layer.pop("capital")
            layer.pop("leverage", None)
            layer.pop("capital_basis", None)
    return derive_scenario(scenario, data, f"{scenario.source} (capital of {party} lifted)")


def _basel_capital(scenario: Scenario, party: str, tier: np.ndarray, n_tiers: int) -> np.ndarray:
    """IRB capital of the party's share of each tier's loans (money)."""
    capital = loan_capital(scenario) * loss_share(scenario, party)
    return np.bincount(tier, weights=capital, minlength=n_tiers)


def _table(simulated: Simulated, labels: list[str], loans: np.ndarray, terms: PricingTerms,
           basel: np.ndarray, years: int) -> pd.DataFrame:
    rows = _tier_rows(simulated, terms, basel, years)
    if len(labels) > 1:
        labels = [*labels, "all"]
        loans = np.append(loans, loans.sum())
        rows = np.vstack([rows, _tier_rows(simulated.total(), terms,
                                           np.array([basel.sum()]), years)])
    table = pd.DataFrame(rows, index=pd.Index(labels, name="tier"), columns=[
        "expected_claims", "fee_base", "break_even", "break_even_se", "capital", "capital_se",
        "risk_adjusted", "risk_adjusted_se"])
    table.insert(0, "loans", loans)
    return table


def _tier_rows(simulated: Simulated, terms: PricingTerms, basel: np.ndarray,
               years: int) -> np.ndarray:
    """Per tier: E[C_pv], E[B_pv], f_BE, se, K, se(K), f_RA, se."""
    capital, psi_capital = _capital(simulated.claims, terms, basel)
    factor = terms.cost_of_capital * annuity(terms.discount_rate, years)
    rows = []
    for t in range(simulated.claims.shape[1]):
        claims, base = simulated.claims_pv[:, t], simulated.base_pv[:, t]
        mean_base = float(base.mean())
        if mean_base <= 0:
            raise InputError("the party covers no loan of this tier: nothing to price",
                             path="party")
        break_even, break_even_se = ratio_of_means(claims, base)
        core = break_even + factor * capital[t] / mean_base
        psi = (claims - claims.mean() + factor * psi_capital[:, t]
               - core * (base - mean_base)) / mean_base
        rows.append([claims.mean(), mean_base, break_even + terms.admin_rate, break_even_se,
                     capital[t], standard_error(psi_capital[:, t]), core + terms.admin_rate,
                     standard_error(psi)])
    return np.array(rows)


def annuity(discount_rate: float, years: int) -> float:
    """a = Σ_{y=1..Y} v^y: the PV of 1 a year paid at each year end, v = 1/(1 + rate)."""
    return float(sum((1.0 + discount_rate) ** -y for y in range(1, years + 1)))


def _capital(claims: np.ndarray, terms: PricingTerms,
             basel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each tier's capital (money) and its influence values (N × T)."""
    if terms.capital == "basel":
        return basel, np.zeros_like(claims)
    sets = tail_sets(claims.sum(axis=1), terms.level)
    es, var = euler_parts(claims, sets)
    centred = claims - claims.mean(axis=0)
    if terms.capital == "es":
        psi = _es_contribution_influence(claims, sets, es, var) - centred
        return es - claims.mean(axis=0), psi
    n = claims.shape[0]
    psi = (n / sets.m) * sets.window[:, None] * (claims * sets.var_scale - var) - centred
    return var - claims.mean(axis=0), psi


def _es_contribution_influence(claims: np.ndarray, sets: TailSets, es: np.ndarray,
                               var: np.ndarray) -> np.ndarray:
    """ψ of each tier's ES contribution: (N/k)·1{tail}·(C_t − c_t) + c_t − ES_t, with c_t the
    tier's VaR contribution (for one tier: the ψ of ES itself)."""
    n = claims.shape[0]
    return (n / sets.k) * sets.tail[:, None] * (claims - var) + var - es


def _capital_amount(scenario: Scenario, party: str, given: float | None, kind: str) -> float:
    if kind != "solvency":
        return 0.0
    if given is not None:
        if not given > 0:
            raise InputError(f"{given:g}: expected capital above 0", path="capital_amount")
        return given
    stated = [layer.capital for layer in scenario.spec.arrangement.layers
              if layer.party == party and layer.capital is not None]
    if not stated:
        raise InputError(f"the solvency target needs {party}'s capital: give it, or set "
                         "capital on its layer", path="capital_amount")
    return float(stated[0])


def _target_fee(book: Simulated, goal: tuple[str, float], capital_amount: float,
                terms: PricingTerms, basel: float, years: int) -> Estimate:
    kind, value = goal
    claims, base = book.claims[:, 0], book.base[:, 0]
    if kind == "solvency":
        with np.errstate(divide="ignore", invalid="ignore"):
            needed = np.where(base > 0, (claims - capital_amount) / base,
                              np.finfo(float).max) + terms.admin_rate
        quantile = measures.value_at_risk(needed, 1.0 - value)
        return Estimate(max(quantile.value, 0.0), quantile.se, max(quantile.lower, 0.0),
                        max(quantile.upper, 0.0))
    return _return_fee(book, value, terms, basel, years)


def _return_fee(book: Simulated, hurdle: float, terms: PricingTerms, basel: float,
                years: int) -> Estimate:
    """The fee whose return on capital is ``hurdle`` (Brent's method), with its band."""
    from scipy.optimize import brentq

    roc = _ReturnOnCapital(book, terms, basel, annuity(terms.discount_rate, years))
    low = float(book.claims_pv.mean() / book.base_pv.mean()) + terms.admin_rate
    if roc.capital(low) <= 0:
        return Estimate(low, 0.0, low, low)
    high = max(2.0 * low, 0.01)
    while roc(high) < hurdle:
        high *= 2.0
        if high > 100.0:
            raise InputError(f"no fee below 10,000% a year earns {hurdle:g} on capital",
                             path="target")
    fee = float(brentq(lambda f: roc(f) - hurdle, low, high, xtol=1e-12, rtol=1e-10))
    step = 0.01 * fee
    slope = (roc(fee + step) - roc(fee - step)) / (2.0 * step)
    se = roc.standard_error(fee) / slope
    return Estimate(fee, se, fee - Z95 * se, fee + Z95 * se)


class _ReturnOnCapital:
    """RoC(f) = ((f − admin)·E[B_pv] − E[C_pv]) / (a·K(f)) on fixed simulations."""

    def __init__(self, book: Simulated, terms: PricingTerms, basel: float,
                 annuity_factor: float) -> None:
        self.claims, self.base = book.claims[:, 0], book.base[:, 0]
        self.claims_pv, self.base_pv = book.claims_pv[:, 0], book.base_pv[:, 0]
        self.terms, self.basel, self.annuity = terms, basel, annuity_factor

    def _net(self, fee: float) -> np.ndarray:
        return self.claims - (fee - self.terms.admin_rate) * self.base

    def capital(self, fee: float) -> float:
        """K(f): the capital of the net loss C − (f − admin)·B (money)."""
        return self._capital_and_influence(fee)[0]

    def _capital_and_influence(self, fee: float) -> tuple[float, np.ndarray]:
        if self.terms.capital == "basel":
            return self.basel, np.zeros_like(self.claims)
        net = self._net(fee)
        measure = {"es": "ES", "var": "VaR"}[self.terms.capital]
        value, psi = influence(net, f"{measure}_{self.terms.level!r}")
        return value - float(net.mean()), psi - (net - net.mean())

    def __call__(self, fee: float) -> float:
        margin = fee - self.terms.admin_rate
        profit = margin * float(self.base_pv.mean()) - float(self.claims_pv.mean())
        capital = self.capital(fee)
        return math.inf if capital <= 0 else profit / (self.annuity * capital)

    def standard_error(self, fee: float) -> float:
        """se of RoC(fee) by the delta method on profit and capital."""
        capital, psi_capital = self._capital_and_influence(fee)
        margin = fee - self.terms.admin_rate
        psi_profit = (margin * (self.base_pv - self.base_pv.mean())
                      - (self.claims_pv - self.claims_pv.mean()))
        ratio = self(fee)
        psi = (psi_profit - ratio * self.annuity * psi_capital) / (self.annuity * capital)
        return standard_error(psi)
