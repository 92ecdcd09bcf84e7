"""A scenario in words: one paragraph on the book and one on the arrangement, what
``risksim validate`` prints for a valid file.

The book: the number of loans, the volume V = Σ EAD_i, the mean exposure V/n, the mean PD
(1/n)·Σ PD_i (annual, per loan, not weighted) and the one-year expected loss at the stated
PDs, EL = Σ PD_i·LGD_i·EAD_i (:func:`risksim.models.analytic.expected_loss`: a closed form,
before stress, collateral, amortisation and vintages, which the simulation adds). Amounts in
the scenario's currency, to the unit.

The arrangement: its layers in the order they apply, each with who pays what and every term
it states (caps, budgets, funds, capital, triggers, ...), then its fees and how recoveries
are shared. A term without its own wording here is still named, with its value.
"""

from __future__ import annotations

import textwrap
from typing import Any

from pydantic import BaseModel

from risksim.compile.scenario import Scenario
from risksim.models.analytic import expected_loss
from risksim.scenario.arrangement import (
    Arrangement,
    BandedValue,
    CategoryValue,
    Fee,
    Layer,
)

WIDTH = 100
"""Width the paragraphs are wrapped to."""
BASES = {"loss": "each loss", "principal_loss": "the principal lost on each default",
         "principal": "the principal outstanding at each default"}
"""What a layer's share applies to, by its ``base``."""
WORDED = {"party", "share_of_loss", "base", "share_of_layer", "tranche", "deposit",
          "residual", "eligible", "claim_denial_probability", "per_loan_cap",
          "per_borrower_cap", "per_lender_cap", "suspend_if", "cap_rate", "annual_budget",
          "fund", "capital", "leverage", "excess_to", "interest_days_cap", "bonus"}
"""The layer terms :func:`layer_text` words; any other set term is named with its value."""


def scenario_summary(scenario: Scenario) -> str:
    """The book's paragraph and the arrangement's, each wrapped to :data:`WIDTH` and
    indented by two spaces, separated by a line break."""
    return "\n".join(textwrap.fill(paragraph, WIDTH, initial_indent="  ",
                                   subsequent_indent="  ")
                     for paragraph in (book_text(scenario), arrangement_text(scenario)))


def book_text(scenario: Scenario) -> str:
    """Loans, volume, mean exposure, mean PD and the closed-form one-year EL of the book."""
    loans = scenario.portfolio
    currency = scenario.spec.currency
    exposure, pd_, lgd = loans["exposure"], loans["pd"], loans["lgd"]
    n = len(loans)
    volume = float(exposure.sum())
    el = expected_loss(exposure, pd_, lgd)
    return (f"Book: {n:,} loans, volume {money(volume, currency)}, mean exposure "
            f"{money(volume / n, currency)}, mean PD {float(pd_.mean()):.2%} a year; "
            f"expected loss in a year at these PDs EL = Σ PD·LGD·EAD = "
            f"{money(el, currency)} ({el / volume:.2%} of the volume; before stress, "
            "collateral and amortisation).")


def arrangement_text(scenario: Scenario) -> str:
    """The layers in order, the fees and the sharing of recoveries, in words."""
    arrangement: Arrangement = scenario.spec.arrangement
    currency = scenario.spec.currency
    layers = "; ".join(f"({number}) {layer_text(layer, currency)}"
                       for number, layer in enumerate(arrangement.layers, start=1))
    text = f"Arrangement, in layer order: {layers}."
    if arrangement.fees:
        text += " Fees: " + "; ".join(fee_text(fee) for fee in arrangement.fees) + "."
    if arrangement.recoveries is not None:
        first = arrangement.recoveries.first_to
        text += (" Recoveries go first to " + ", then ".join(first)
                 + ", the rest pro rata to the claims." if first
                 else " Recoveries are shared pro rata to the claims.")
    return text


def layer_text(layer: Layer, currency: str) -> str:
    """Who pays what in ``layer``, then each of its terms."""
    return ", ".join([_what_is_paid(layer, currency), *_terms(layer, currency)])


def _what_is_paid(layer: Layer, currency: str) -> str:
    party = layer.party
    if layer.residual:
        return f"{party} keeps the rest"
    if layer.share_of_layer is not None:
        return (f"{party} pays {layer.share_of_layer.share:.2%} of what "
                f"{layer.share_of_layer.party} pays")
    if layer.tranche is not None:
        return (f"{party} takes the tranche of the portfolio loss from "
                f"{layer.tranche.attach:.2%} to {layer.tranche.detach:.2%} of the volume")
    if layer.deposit is not None:
        deposit = layer.deposit
        split = ", ".join(f"{tier.share:.2%} from {tier.at_least:g}x"
                          for tier in deposit.split)
        top = "" if deposit.max_multiple is None else f" and at most {deposit.max_multiple:g}x"
        return (f"{party} pays from a deposit of {money(deposit.amount, currency)} a share of "
                f"{BASES[layer.base]} set by the lending multiple ({split}; at least "
                f"{deposit.min_multiple:g}x{top}, resized {deposit.resize.replace('_', ' ')})")
    return f"{party} pays {tiered(layer.share_of_loss)} of {BASES[layer.base]}"


def _terms(layer: Layer, currency: str) -> list[str]:
    """Each term ``layer`` states, in words."""
    terms = []
    if layer.bonus is not None:
        terms.append(f"{layer.bonus.share:.2%} more on loans meeting "
                     f"{len(layer.bonus.any_of)} condition(s)")
    if layer.eligible is not None:
        terms.append(f"on eligible loans only ({_fields(layer.eligible)})")
    if layer.interest_days_cap is not None:
        terms.append(f"interest for at most {layer.interest_days_cap:g} days")
    if layer.claim_denial_probability is not None:
        terms.append(f"each claim denied with probability {layer.claim_denial_probability:.2%}")
    for key, what in (("per_loan_cap", "per loan"), ("per_lender_cap", "per lender")):
        if getattr(layer, key) is not None:
            terms.append(f"at most {money(getattr(layer, key), currency)} {what}")
    cap = layer.per_borrower_cap
    if cap is not None:
        terms.append(f"at most {money(cap, currency)} per borrower" if isinstance(cap, float)
                     else f"at most {cap.share_of_capital:.2%} of its capital per borrower")
    if layer.cap_rate is not None:
        base = ("the guaranteed part of the covered volume" if layer.cap_rate.of == "guaranteed"
                else "the covered volume")
        terms.append(f"in all at most {layer.cap_rate.rate:.2%} of {base} per "
                     f"{layer.cap_rate.per}")
    if layer.annual_budget is not None:
        terms.append(f"within a budget of {money(layer.annual_budget, currency)} a year")
    if layer.fund is not None:
        terms.append(f"out of a fund of {money(layer.fund.balance, currency)}"
                     + (f" refilled by {money(layer.fund.refill_per_year, currency)} a year"
                        if layer.fund.refill_per_year else ""))
    if layer.capital is not None:
        terms.append(f"out of its capital of {money(layer.capital, currency)}")
    if layer.leverage is not None:
        terms.append(f"leverage limit {layer.leverage.limit:g}x its capital")
    if layer.suspend_if is not None:
        terms.append(_trigger_text(layer))
    if layer.excess_to is not None:
        terms.append(f"what it cannot pay goes to {layer.excess_to}")
    terms += [f"{key}: {_value(getattr(layer, key))}" for key in sorted(layer.model_fields_set)
              if key not in WORDED]
    return terms


def _trigger_text(layer: Layer) -> str:
    trigger = layer.suspend_if
    assert trigger is not None
    action = ("stops new lending" if trigger.action == "suspend_lending"
              else "pays nothing")
    when = "for the rest of the horizon" if trigger.reactivate == "never" else "that year"
    watched = " of a lender" if trigger.per == "lender" else ""
    return (f"{action} {when} once the {trigger.metric.replace('_', ' ')}{watched} of its "
            f"covered loans is above {trigger.above:.2%}")


def fee_text(fee: Fee) -> str:
    """Who pays whom, at what rate, on what base, and the ceiling."""
    base = ("the loan" if fee.base == "loan" else "the guaranteed part" if fee.layer is None
            else f"the part {fee.layer} guarantees")
    if fee.experience_rating is not None:
        rate = (f"{fee.experience_rating.multiplier:g} times last year's claims rate "
                f"(first year {fee.experience_rating.initial_rate:.2%})")
    else:
        parts = [f"{tiered(fee.annual_rate)} a year"] if fee.annual_rate else []
        if fee.upfront_rate:
            parts.append(f"{tiered(fee.upfront_rate)} upfront")
        rate = " and ".join(parts) or "nothing"
    ceiling = "" if fee.max_rate is None else f" (ceiling {fee.max_rate:.2%})"
    return f"{fee.payer} pays {fee.payee} {rate} of {base}{ceiling}"


def tiered(value: float | BandedValue | CategoryValue | None) -> str:
    """A rate or share as a percentage, or its tiers (``by rating: A 50%, B 40%``)."""
    if value is None:
        return "nothing"
    if isinstance(value, BandedValue):
        return f"by {value.by} (" + ", ".join(
            (f"{band.value:.2%} up to {band.up_to:,.0f}" if band.up_to is not None
             else f"{band.value:.2%} above") for band in value.bands) + ")"
    if isinstance(value, CategoryValue):
        default = "" if value.default is None else f", otherwise {value.default:.2%}"
        return f"by {value.by} (" + ", ".join(
            f"{name} {share:.2%}" for name, share in value.values.items()) + default + ")"
    return f"{value:.2%}"


def money(amount: float, currency: str) -> str:
    """``CNY 1,500,000``: an amount to the unit."""
    return f"{currency} {amount:,.0f}"


def _fields(model: BaseModel) -> str:
    return ", ".join(f"{key}: {_value(getattr(model, key))}"
                     for key in sorted(model.model_fields_set))


def _value(value: Any) -> str:
    if isinstance(value, BaseModel):
        return "{" + _fields(value) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return f"{value:g}" if isinstance(value, float) else str(value)
