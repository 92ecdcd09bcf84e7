"""Fee curves: a party's fees priced at every point of a sweep, on common random numbers.

The points are those of :func:`risksim.sweep` (the same ``PATH=VALUES`` settings, grid or
one at a time). Each point's scenario is priced as :func:`risksim.price` prices it alone
(:mod:`risksim.analysis.price`): break-even, risk-adjusted and target fees with their
errors, the same numbers bit for bit, since the points are allocated on the very same
drawn defaults (:mod:`risksim.analysis.common`) and the draws of a point do not depend on
the others. Because the points share their simulations, the differences between points
carry far less noise than their separate errors suggest.

A required fee above the point's fee ceiling (:mod:`risksim.analysis.fee_ceiling`) is
flagged in ``above_ceiling``; one warning line says at how many points.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from risksim.analysis.fee_ceiling import other_base_ceiling
from risksim.analysis.price import PricingJob, fee_book, priced, simulate_books
from risksim.analysis.sweep import Design, sweep_scenarios
from risksim.compile.scenario import Scenario
from risksim.engine.backends.base import Backend
from risksim.results.fee_curve import FeeCurve
from risksim.results.pricing import Pricing


def fee_curve(scenario: Scenario, job: PricingJob, settings: Mapping[str, Sequence[Any]],
              design: Design, backend: Backend | None = None) -> FeeCurve:
    """Price ``job`` at every point of the sweep ``settings`` of ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        The scheme swept.
    job : PricingJob
        The party, terms, target, tiers, simulations and seed (:func:`risksim.price`).
    settings : mapping of str to sequence
        Dotted path → the values it takes (:func:`risksim.sweep`).
    design : {"grid", "one_at_a_time"}
        Every combination, or each path varied alone from the base point.
    backend : Backend, optional
        Where the blocks run (default: this process).

    Returns
    -------
    FeeCurve
        One row per point and tier.
    """
    points, scenarios = sweep_scenarios(scenario, settings, design)
    books = [fee_book(point, job.party, job.by, job.bands) for point in scenarios]
    pricings = [priced(book, simulated, job)
                for book, simulated in zip(books, simulate_books(books, job, backend),
                                           strict=True)]
    frames = [_point_rows(number, varied, point, pricing)
              for number, ((varied, point), pricing) in enumerate(zip(points, pricings,
                                                                      strict=True))]
    curve = FeeCurve(table=pd.concat(frames, ignore_index=True), metadata={
        "party": job.party, "terms": job.terms.__dict__, "target": job.target,
        "by": job.by, "bands": job.bands, "design": design, "paths": list(settings),
        "n_sims": job.n_sims, "seed": job.seed, "currency": scenario.spec.currency,
        "scenario": scenario.name})
    for message in _warnings(curve, [other_base_ceiling(book.scenario, job.party,
                                                        job.terms.base) for book in books]):
        warnings.warn(message, stacklevel=3)
    return curve


def _point_rows(number: int, varied: str, point: Mapping[str, Any],
                pricing: Pricing) -> pd.DataFrame:
    """The rows of one point: its values, then its pricing table with the book's target."""
    frame = pricing.table.reset_index()
    for position, (name, value) in enumerate({"point": number, "varied": varied,
                                              **point}.items()):
        frame.insert(position, name, [value] * len(frame))
    fee, book = pricing.target, (frame["tier"] == "all").to_numpy()
    for column, value in (("target", None if fee is None else fee.value),
                          ("target_se", None if fee is None else fee.se),
                          ("target_lower", None if fee is None else fee.lower),
                          ("target_upper", None if fee is None else fee.upper)):
        frame[column] = np.where(book, np.nan if value is None else value, np.nan)
    frame["no_fee_needed"] = [pricing.no_fee_needed if row else None for row in book]
    frame["fee_ceiling"] = np.nan if pricing.fee_ceiling is None else pricing.fee_ceiling
    above = frame.pop("above_ceiling")
    frame["above_ceiling"] = above
    frame["party"] = pricing.party
    frame["currency"] = pricing.currency
    return frame


def _warnings(curve: FeeCurve, unchecked: list[str | None]) -> list[str]:
    """One line when fees are above the ceiling at some points (and one per ceiling that
    could not be checked)."""
    messages = list(dict.fromkeys(message for message in unchecked if message))
    table = curve.table
    flagged = list(dict.fromkeys(table.loc[table["above_ceiling"] != "", "point"]))
    if flagged:
        where = ", ".join(str(number) for number in flagged)
        messages.append(f"the required fee of {curve.party} is above its fee ceiling "
                        f"(max_rate) at {len(flagged)} of {table['point'].nunique()} points "
                        f"({where}; see the above_ceiling column)")
    return messages
