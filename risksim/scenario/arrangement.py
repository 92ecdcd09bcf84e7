"""The arrangement section of a scenario: the parties and the layers that share each loss.

Layers apply in the order written (the "inuring order"). Within a layer the terms apply in
a fixed order, per-loan ("occurrence") terms first, then aggregate terms on per-simulation
totals:

    eligible → share_of_loss / share_of_layer → claim_denial_probability → per_loan_cap
             → per_borrower_cap → per_lender_cap → suspend_if → cap_rate → annual_budget
             → fund / deposit → capital

Where what a term cuts goes, and the exact scope of the monotonicity invariant: see
:class:`Arrangement`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from risksim.scenario.base import RESERVED_NAMES, Fraction, Money, Name, StrictModel, located
from risksim.util.suggest import unknown_name_message

NumericAttribute = Literal["exposure", "tenor_years", "annual_sales_eur_m", "origination_year",
                           "guarantee_age_years", "interest_rate"]
TextAttribute = Literal["rating", "sector", "region", "size_class", "purpose", "lender",
                        "collateral_type"]


class Band(StrictModel):
    """One band of a tiered rate: loans with the attribute at most ``up_to`` (None: no bound)."""

    up_to: Annotated[float, Field(gt=0.0)] | None = None
    value: Fraction


class BandedValue(StrictModel):
    """A rate tiered by a numeric loan attribute, e.g. SBA 85% up to 150,000 and 75% above.

    Bands are given in increasing ``up_to``; the last has no ``up_to``. A loan takes the value
    of the first band whose ``up_to`` is at or above its attribute.
    """

    by: NumericAttribute
    bands: Annotated[list[Band], Field(min_length=1)]

    @model_validator(mode="after")
    def _increasing(self) -> BandedValue:
        bounds = [band.up_to for band in self.bands]
        if bounds[-1] is not None:
            raise ValueError("the last band must have no up_to (it takes every larger loan)")
        finite = [b for b in bounds[:-1] if b is not None]
        if len(finite) != len(bounds) - 1 or finite != sorted(set(finite)):
            raise ValueError("bands need increasing up_to values, every band but the last")
        return self

    def largest(self) -> float:
        """The largest value of any band."""
        return max(band.value for band in self.bands)


class CategoryValue(StrictModel):
    """A rate by a text attribute (rating, sector, ...); ``default`` for other values."""

    by: TextAttribute
    values: Annotated[dict[str, Fraction], Field(min_length=1)]
    default: Fraction | None = None

    def largest(self) -> float:
        """The largest value of any category."""
        return max([*self.values.values(), self.default or 0.0])


Tiered = Fraction | BandedValue | CategoryValue
"""A rate for every loan: one number, bands of a numeric attribute, or categories."""


def largest(rate: Tiered) -> float:
    """The largest value a tiered rate takes."""
    return rate if isinstance(rate, float) else rate.largest()


class LayerShare(StrictModel):
    """A counter-guarantee: ``share`` of what ``party``'s layer pays (after its own terms)."""

    party: Name
    share: Fraction


class Tranche(StrictModel):
    """A slice from ``attach`` to ``detach``, as fractions of the volume of the loans
    (V = Σ exposure), over the horizon (EIF first-loss pieces, M9).

    Under ``tranche`` the slice is of the portfolio loss L of the simulation: the layer pays
    min(max(L − attach·V, 0), (detach − attach)·V), so tranches written 0–8% / 8–20% /
    20–100% in any order give the standard answer. Under ``tranche_of_remaining`` it is of
    what the layers before it left unallocated.
    """

    attach: Fraction
    detach: Fraction

    @model_validator(mode="after")
    def _ordered(self) -> Tranche:
        if self.detach <= self.attach:
            raise ValueError(f"detach ({self.detach:g}) must be above attach ({self.attach:g})")
        return self


class MultipleTier(StrictModel):
    """The share of loss taken when the lending multiple achieved is at least ``at_least``."""

    at_least: Annotated[float, Field(gt=0.0)]
    share: Fraction


class Deposit(StrictModel):
    """A pre-funded risk deposit with a required lending multiple (M10; Hunan 潇湘财银贷).

    The bank must lend at least ``min_multiple`` × the deposit. The multiple achieved,
    m = volume of the covered loans ÷ ``amount``, picks the share of each loss the deposit
    pays (the last tier whose ``at_least`` is at most m: 60% from 5x, 70% from 10x). Below
    ``min_multiple`` the deposit is cut to volume ÷ min_multiple, above ``max_multiple`` it is
    topped up to volume ÷ max_multiple (so the multiple is within bounds). The deposit then
    pays its share of each loss while its balance lasts, like a ``fund``. ``resize:
    at_start`` resizes once, against the volume of the covered loans; ``yearly`` resizes the
    balance left at the start of every year against the covered volume then outstanding, and
    takes that year's share from that year's multiple (the top-ups are recorded).
    """

    amount: Money
    min_multiple: Annotated[float, Field(gt=0.0)]
    max_multiple: Annotated[float, Field(gt=0.0)] | None = None
    split: Annotated[list[MultipleTier], Field(min_length=1)]
    resize: Literal["at_start", "yearly"] = "at_start"

    @model_validator(mode="after")
    def _ordered(self) -> Deposit:
        bounds = [tier.at_least for tier in self.split]
        if bounds != sorted(set(bounds)):
            raise located("tiers need increasing at_least values", "split")
        if bounds[0] > self.min_multiple:
            raise located(f"the first tier starts at {bounds[0]:g}, above min_multiple "
                          f"{self.min_multiple:g}: no share for a multiple in between", "split")
        if self.max_multiple is not None and self.max_multiple < self.min_multiple:
            raise located("max_multiple must be at least min_multiple", "max_multiple")
        return self

    def largest_share(self) -> float:
        """The share of the highest tier."""
        return max(tier.share for tier in self.split)

    def resized(self, volume: float) -> tuple[float, float]:
        """(deposit after resizing, share of loss) for a covered lending ``volume``."""
        amount = max(self.amount, volume / self.max_multiple) if self.max_multiple else self.amount
        amount = min(amount, volume / self.min_multiple)
        multiple = volume / amount
        share = [tier.share for tier in self.split if tier.at_least <= multiple + 1e-12][-1]
        return amount, share


class Eligibility(StrictModel):
    """Which loans a layer covers; the others stay with the later layers (the lender).

    A loan is eligible when it meets every condition given: at most ``max_exposure`` and
    ``max_tenor_years``; a rating, sector, purpose, collateral type and lender among those
    listed (and none of the excluded); a size class (a generated segment's name unless it
    sets one) among those listed; ``first_loan`` as stated; a guarantee age (years the
    borrower has used guarantees) below or at least the ages given (KODIT: lower cover after
    10 years).
    """

    max_exposure: Money | None = None
    max_tenor_years: Money | None = None
    ratings: list[str] | None = None
    exclude_ratings: list[str] | None = None
    sectors: list[str] | None = None
    exclude_sectors: list[str] | None = None
    purposes: list[str] | None = None
    exclude_purposes: list[str] | None = None
    collateral_types: list[str] | None = None
    exclude_collateral_types: list[str] | None = None
    lenders: list[str] | None = None
    exclude_lenders: list[str] | None = None
    size_classes: list[str] | None = None
    exclude_size_classes: list[str] | None = None
    first_loan: bool | None = None
    guarantee_age_years_below: Annotated[float, Field(gt=0.0)] | None = None
    guarantee_age_years_at_least: Annotated[float, Field(ge=0.0)] | None = None


class Bonus(StrictModel):
    """An extra share (of the loss, or of the upstream layer for a counter-guarantee) for
    the loans that meet any of the conditions in ``any_of`` (M19; Anhui: +5 points for first
    loans, credit loans and IP-pledge loans)."""

    share: Fraction
    any_of: Annotated[list[Eligibility], Field(min_length=1)]


class CapRate(StrictModel):
    """Payments at most ``rate`` × a base: over the horizon, in each year, for each vintage
    (the loans granted in one year, against their own volume) or for each lender (a per-bank
    cap: each bank's covered loans against their own volume, M10).

    The base (``of``) is the ``volume`` of the covered loans (Σ exposure), or the
    ``guaranteed`` part of it (Σ exposure × the layer's share of each loan): the EIF's
    definition, cap amount = cap rate × guarantee rate × portfolio volume (COSME LGF, S73),
    so ``{rate: 0.20, of: guaranteed}`` under a 50% guarantee caps payments at 10% of the
    volume.
    """

    rate: Fraction
    per: Literal["horizon", "year", "vintage", "lender"] = "horizon"
    of: Literal["volume", "guaranteed"] = "volume"


class Trigger(StrictModel):
    """Suspend the layer for a year when a ratio of its covered loans passes a threshold.

    ``loss_rate``: gross loss of the covered loans defaulting in the year ÷ their volume
    outstanding in the year; ``default_rate``: number of them defaulting ÷ number outstanding;
    ``npl_ratio``: principal outstanding at default of those defaulting ÷ volume outstanding;
    ``compensation_rate``: the layer's own claims in the year ÷ volume outstanding.
    ``reactivate``: ``next_year_below`` resumes paying in a later year whose ratio is back
    below the threshold; ``never`` suspends for the rest of the horizon. ``warning`` is a
    lower level whose passing is only recorded (the layer keeps paying). ``per: lender``
    watches each bank's covered loans separately and suspends only the banks that pass.
    ``action: suspend_lending`` stops new lending instead of compensation: the covered loans
    of later vintages are not granted (they never default and pay no fee), and the layer
    keeps paying on the loans already granted.
    """

    metric: Literal["loss_rate", "default_rate", "npl_ratio", "compensation_rate"]
    above: Fraction
    warning: Fraction | None = None
    reactivate: Literal["next_year_below", "never"] = "next_year_below"
    per: Literal["scheme", "lender"] = "scheme"
    action: Literal["suspend_compensation", "suspend_lending"] = "suspend_compensation"

    @model_validator(mode="after")
    def _warning_below(self) -> Trigger:
        if self.action == "suspend_lending" and self.metric == "compensation_rate":
            raise located("suspend_lending decides lending before any compensation is "
                          "paid; use loss_rate, npl_ratio or default_rate", "metric")
        if self.action == "suspend_lending" and self.warning is not None:
            raise located("a warning level applies to suspend_compensation", "warning")
        if self.warning is not None and self.warning >= self.above:
            raise located(f"warning ({self.warning:g}) must be below above ({self.above:g})",
                          "warning")
        return self


class CapitalShare(StrictModel):
    """A cap stated as a fraction of the layer's capital (net assets): the single-borrower
    limit of 10% of a guarantor's net assets (M6, CBIRC 2018)."""

    share_of_capital: Fraction


class Fund(StrictModel):
    """A finite pool: ``balance`` at the start, topped up by ``refill_per_year`` each year."""

    balance: Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
    refill_per_year: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] = 0.0


class Leverage(StrictModel):
    """A guarantor's leverage limit (M13): weighted liability at most ``limit`` × net assets.

    Guarantees of loans up to ``small_loan_max`` count at ``small_loan_weight`` (CBIRC 2018:
    75% for single-household balances up to 5 m yuan).
    """

    limit: Annotated[float, Field(gt=0.0)]
    small_loan_weight: Fraction = 1.0
    small_loan_max: Money | None = None


class Layer(StrictModel):
    """One layer of the arrangement: who pays what of each loan's loss.

    ``share_of_loss`` is the fraction of each defaulted loan's loss the party pays (a number,
    ``{by: exposure, bands: [...]}`` or ``{by: rating, values: {...}}``) of its ``base``
    (M5): the ``loss`` net of recoveries, with the accrued interest lost at default (at most
    ``interest_days_cap`` days of it); the ``principal_loss`` without interest; or the
    ``principal`` outstanding at default before recoveries (never more than the loss left);
    ``share_of_layer`` makes it a counter-guarantor of an earlier layer; ``tranche`` gives it
    a slice of the portfolio loss (attach and detach as fractions of the volume; of a slice
    that earlier layers have already paid, it pays only what is left), and
    ``tranche_of_remaining`` a slice of what the layers before it left unallocated (the slice
    attaches on that remaining loss, not on the portfolio's). ``residual: true``
    makes the party pay whatever the layers before it left (the lender, last). The other
    terms are caps, budgets and triggers applied in the order of the module docstring;
    ``claim_denial_probability`` denies each claim independently with that probability
    (M15: lender non-compliance), and a denied claim's loss stays with the later layers.
    ``per_lender_cap`` caps what the layer pays on each bank's loans (per institution, M6).
    ``capital`` is the party's net assets: its payments consume it, and what it cannot pay
    goes to ``excess_to`` (else to the later layers). Under ``capital_basis: net`` (the
    default) a payment consumes capital only by the part the party keeps after its
    counter-guarantors (``share_of_layer`` layers naming it) reimburse their shares, as
    China's re-guarantee system relieves a guarantor; ``gross`` consumes the whole payment.
    """

    party: Name
    share_of_loss: Tiered | None = None
    base: Literal["loss", "principal_loss", "principal"] = "loss"
    interest_days_cap: Annotated[float, Field(gt=0.0)] | None = None
    bonus: Bonus | None = None
    share_of_layer: LayerShare | None = None
    tranche: Tranche | None = None
    tranche_of_remaining: Tranche | None = None
    deposit: Deposit | None = None
    residual: bool = False
    eligible: Eligibility | None = None
    claim_denial_probability: Fraction | None = None
    per_loan_cap: Money | None = None
    per_borrower_cap: Money | CapitalShare | None = None
    per_lender_cap: Money | None = None
    suspend_if: Trigger | None = None
    cap_rate: CapRate | None = None
    annual_budget: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] | None = None
    fund: Fund | None = None
    capital: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] | None = None
    capital_basis: Literal["net", "gross"] | None = None
    leverage: Leverage | None = None
    excess_to: Name | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Layer:
        kinds = [self.share_of_loss is not None, self.share_of_layer is not None,
                 self.tranche is not None, self.tranche_of_remaining is not None,
                 self.deposit is not None, self.residual]
        if sum(kinds) != 1:
            raise ValueError("give exactly one of share_of_loss, share_of_layer, tranche, "
                             "tranche_of_remaining, deposit or residual: true")
        if self.deposit is not None and self.fund is not None:
            raise located("a deposit is its own fund; drop fund", "fund")
        if self.bonus is not None and self.share_of_loss is None and self.share_of_layer is None:
            raise located("a bonus adds to share_of_loss or share_of_layer, which this layer "
                          "lacks", "bonus")
        if self.share_of_loss is None and self.base != "loss":
            raise located("base applies to share_of_loss layers", "base")
        if self.interest_days_cap is not None and self.base != "loss":
            raise located(f"interest_days_cap caps the interest in the loss; base "
                          f"'{self.base}' covers no interest", "interest_days_cap")
        if self.tranche_terms is not None and self.eligible is not None:
            raise ValueError("eligible does not apply to a tranche: it slices the portfolio")
        terms = [name for name in ("eligible", "claim_denial_probability", "per_loan_cap",
                                   "per_borrower_cap", "per_lender_cap", "suspend_if",
                                   "leverage", "cap_rate", "annual_budget", "fund", "capital",
                                   "excess_to")
                 if getattr(self, name) is not None]
        if self.tranche_terms is not None and "per_borrower_cap" in terms:
            raise ValueError("per_borrower_cap does not apply to a tranche")
        if self.residual and terms:
            raise ValueError(f"{terms[0]} does not apply to the residual layer: it pays "
                             "whatever is left")
        if self.excess_to == self.party:
            raise located("excess_to must name another party", "excess_to")
        if self.capital_basis is not None and self.capital is None:
            raise located("capital_basis needs the layer's capital", "capital_basis")
        if self.leverage is not None and self.capital is None:
            raise located("leverage needs the layer's capital (its net assets)", "leverage")
        if isinstance(self.per_borrower_cap, CapitalShare) and self.capital is None:
            raise located("a cap as a share of capital needs the layer's capital",
                          "per_borrower_cap")
        return self

    @property
    def tranche_terms(self) -> Tranche | None:
        """The layer's tranche, of the portfolio loss or of the remaining loss (or None)."""
        return self.tranche or self.tranche_of_remaining


class ExperienceRating(StrictModel):
    """A yearly charge set by the payee's claims experience (M17, Japan 負担金方式):
    rate_y = ``multiplier`` × last year's claims ÷ guaranteed base, ``initial_rate`` in the
    first year (e.g. the expected claims rate × multiplier)."""

    multiplier: Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
    initial_rate: Fraction = 0.0


class Fee(StrictModel):
    """A fee on each loan, paid by ``payer`` (a party, or ``borrower``) to ``payee`` (M14).

    ``upfront_rate`` is charged once at origination, ``annual_rate`` at the start of every
    year the loan is outstanding and has not defaulted. Both apply to ``base``: the
    ``guaranteed`` part (the loan's outstanding exposure × the share of ``layer``, by
    default the payee's layer) or the whole ``loan``. ``max_rate`` states a regulatory
    ceiling (China: 1%): a rate above it is an error, never cut silently.
    ``experience_rating`` makes it a yearly charge whose rate follows the payee's claims
    (instead of ``annual_rate`` and ``upfront_rate``).
    """

    name: Name
    payer: Name
    payee: Name
    upfront_rate: Tiered = 0.0
    annual_rate: Tiered = 0.0
    base: Literal["guaranteed", "loan"] = "guaranteed"
    layer: Name | None = None
    max_rate: Fraction | None = None
    experience_rating: ExperienceRating | None = None

    @model_validator(mode="after")
    def _within_ceiling(self) -> Fee:
        if self.payer == self.payee:
            raise located("payer and payee must differ", "payee")
        if self.experience_rating is not None:
            for key in ("upfront_rate", "annual_rate"):
                if getattr(self, key) != 0.0:
                    raise located("an experience-rated charge sets its own rate; drop "
                                  f"{key}", key)
        if self.max_rate is not None:
            for key in ("upfront_rate", "annual_rate"):
                if largest(getattr(self, key)) > self.max_rate + 1e-15:
                    raise located(f"{largest(getattr(self, key)):g} is above max_rate "
                                  f"{self.max_rate:g}", key)
        if self.base == "loan" and self.layer is not None:
            raise located("layer applies to base: guaranteed only", "layer")
        return self

    @property
    def guaranteed_by(self) -> str:
        """The party whose layer defines the guaranteed part."""
        return self.layer or self.payee


class Recoveries(StrictModel):
    """How recoveries on a defaulted loan are shared (M16), tracked per party.

    The order of operations: (1) the layers, in order, allocate each loss net of recoveries
    under all their terms (caps, budgets, funds, capital, triggers, tranches bind on these
    amounts); (2) each party's claim (compensation) is its share of the shortfall at default
    (principal outstanding plus the accrued interest lost), in proportion to what it paid;
    (3) the recovery (shortfall − loss) repays the parties of ``first_to`` in turn, each up to
    its claim (the lender may be one of them, e.g. ``first_to: [bank]``), then all the others
    pro rata to their claims (``first_to: []`` is the pro-rata rule of the NFGF re-guarantee
    rules); (4) a party with a limiting term on one of its layers (tranche, deposit,
    interest_days_cap, a per-loan, per-borrower or per-lender cap, suspend_if, cap_rate,
    annual_budget, fund, capital) always keeps at least its pro-rata recovery, so a priority
    order never makes it bear more than its terms allowed; the recovery the order moves
    comes from the parties without such terms and the lender. Every party's net loss is at
    most its claim, the parties' losses add up to the loss, and more coverage never raises
    the lender's loss. Every party's compensation (claims) and recoveries are recorded.
    """

    first_to: list[Name] = Field(default_factory=list)


class Arrangement(StrictModel):
    """The parties of the scheme, its layers applied in the order written, and its fees.

    Where what a term cuts goes, per kind of layer:

    - ``share_of_loss``, ``tranche``, ``tranche_of_remaining`` and ``deposit`` layers:
      what their caps, budgets, triggers, fund or capital cut is paid by ``excess_to``
      when named (a backstop such as a central budget, which needs no layer of its own),
      otherwise it stays unallocated for the layers after, in the end the residual lender;
    - ``share_of_layer`` layers (counter-guarantees): what their terms cut stays with the
      party they counter-guarantee, or goes to ``excess_to`` when named.

    Monotonicity, and its exact scope: raising the share of one ``share_of_loss`` layer
    never raises the lender's loss in any simulation in which that layer's capital does not
    bind under the larger share (its ``<layer>.insolvent`` is 0), whatever the other
    layers' terms (caps, budgets, funds, loss-, default- and NPL-rate triggers,
    counter-guarantees, tranches of either kind, pro-rata recovery sharing). Where the
    capital binds no such claim is made: the claims it cuts flow as above (to
    ``excess_to``, or on to the later layers and in the end back to the lender), so what
    the lender bears then follows what the exhausted capital could still pay, not the share
    alone (the economics of an insolvent guarantor). Outside the scope too: a
    ``compensation_rate`` trigger (it watches the layer's own claims), and an ``excess_to``
    that names the lender itself (a cut, e.g. of a counter-guarantee's cap, then goes
    straight to the lender, ahead of the later layers, such as a tranche, that would
    otherwise have taken that loss).
    """

    parties: Annotated[list[Name], Field(min_length=1)]
    layers: Annotated[list[Layer], Field(min_length=1)]
    fees: list[Fee] = Field(default_factory=list)
    recoveries: Recoveries | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Arrangement:
        self._check_parties()
        self._check_chains()
        self._check_capital_basis()
        self._check_fees()
        self._check_recoveries()
        self._check_lending_triggers()
        residual = [i for i, layer in enumerate(self.layers) if layer.residual]
        if residual != [len(self.layers) - 1]:
            wrong = next((i for i in residual if i != len(self.layers) - 1),
                         len(self.layers) - 1)
            raise located("exactly one layer, the last, must be residual: true (the lender "
                          "keeps what the others do not pay)", "layers", wrong)
        return self

    def _check_parties(self) -> None:
        parties = self.parties
        for index, name in enumerate(parties):
            if parties.index(name) != index:
                raise located(f"party '{name}' is declared twice", "parties", index)
            if name in RESERVED_NAMES:
                raise located(f"'{name}' is reserved and cannot name a party", "parties", index)
        for index, layer in enumerate(self.layers):
            named: tuple[tuple[str, str | None], ...] = (("party", layer.party),
                                                         ("excess_to", layer.excess_to))
            for key, named_party in named:
                if named_party is not None and named_party not in parties:
                    raise located(unknown_name_message("party", named_party, parties)
                                  + "; declare it under parties", "layers", index, key)
        paying = {layer.party for layer in self.layers} | {
            layer.excess_to for layer in self.layers if layer.excess_to is not None}
        for index, name in enumerate(parties):
            if name not in paying:
                raise located(f"party '{name}' has no layer and is no layer's excess_to",
                              "parties", index)

    def _check_lending_triggers(self) -> None:
        gates = [i for i, layer in enumerate(self.layers)
                 if layer.suspend_if is not None and layer.suspend_if.action == "suspend_lending"]
        if len(gates) > 1:
            raise located("only one layer's trigger may suspend lending", "layers", gates[1],
                          "suspend_if", "action")

    def _check_recoveries(self) -> None:
        if self.recoveries is None:
            return
        for index, layer in enumerate(self.layers):
            if layer.base == "principal":
                raise located("base: principal pays on the principal before recoveries; with "
                              "recovery sharing use base: loss (claims are shares of the "
                              "principal and recoveries flow back)", "layers", index, "base")
        order = self.recoveries.first_to
        for index, party in enumerate(order):
            if party not in self.parties:
                raise located(unknown_name_message("party", party, self.parties),
                              "recoveries", "first_to", index)
            if order.index(party) != index:
                raise located(f"'{party}' comes twice in the recovery order (each party once)",
                              "recoveries", "first_to", index)

    def _check_fees(self) -> None:
        names = [fee.name for fee in self.fees]
        share_layers = {layer.party for layer in self.layers
                        if layer.share_of_loss is not None or layer.share_of_layer is not None}
        for index, fee in enumerate(self.fees):
            if names.index(fee.name) != index:
                raise located(f"fee name '{fee.name}' is used twice", "fees", index, "name")
            for key, party in (("payer", fee.payer), ("payee", fee.payee)):
                allowed = [*self.parties, "borrower"]
                if party not in allowed:
                    raise located(unknown_name_message("party", party, allowed),
                                  "fees", index, key)
            if fee.experience_rating is not None and fee.payee not in share_layers:
                raise located(f"an experience-rated charge needs the payee's claims; "
                              f"'{fee.payee}' has no share layer", "fees", index, "payee")
            if fee.base == "guaranteed" and fee.guaranteed_by not in share_layers:
                raise located(f"'{fee.guaranteed_by}' has no share layer to define the "
                              "guaranteed part; name one with layer, or use base: loan",
                              "fees", index, "layer" if fee.layer else "payee")

    def _check_capital_basis(self) -> None:
        """On the net basis a counter-guarantor reimburses its share in full: what its own
        limits cut must go to another party, not back to the guarantor it backs."""
        limits = ("claim_denial_probability", "per_loan_cap", "per_borrower_cap",
                  "per_lender_cap", "suspend_if", "cap_rate", "annual_budget", "fund",
                  "capital")
        net = {layer.party for layer in self.layers
               if layer.capital is not None and layer.capital_basis != "gross"}
        for index, layer in enumerate(self.layers):
            upstream = layer.share_of_layer.party if layer.share_of_layer else None
            if upstream not in net or layer.excess_to not in (None, upstream):
                continue
            term = next((t for t in limits if getattr(layer, t) is not None), None)
            if term is not None:
                raise located(f"'{upstream}''s capital absorbs its net retention "
                              f"(capital_basis: net), so this counter-guarantee must reimburse "
                              f"in full: send what {term} cuts to another party with "
                              f"excess_to, or give '{upstream}' capital_basis: gross",
                              "layers", index, term)

    def _check_chains(self) -> None:
        """A counter-guarantee names the party of an earlier share_of_loss layer."""
        taken: dict[str, float] = {}
        for index, layer in enumerate(self.layers):
            if layer.share_of_layer is None:
                continue
            upstream = layer.share_of_layer.party
            earlier = [other for other in self.layers[:index] if other.party == upstream]
            at = ("layers", index, "share_of_layer", "party")
            if upstream == layer.party or not earlier:
                raise located(f"share_of_layer names '{upstream}', which has no layer before "
                              "this one (a chain points up to an earlier layer, never in a "
                              "circle)", *at)
            if len(earlier) > 1:
                raise located(f"share_of_layer names '{upstream}', which has several layers",
                              *at)
            bonus = 0.0 if layer.bonus is None else layer.bonus.share
            taken[upstream] = taken.get(upstream, 0.0) + layer.share_of_layer.share + bonus
            if taken[upstream] > 1.0 + 1e-12:
                raise located(f"counter-guarantees take {taken[upstream]:g} of '{upstream}''s "
                              "layer, above 1", *at)
