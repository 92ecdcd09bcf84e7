"""The timeline of a run: tidy tables per simulation and as distributions, saved and read back.

Amounts are in the scenario's currency, days count 30/360 from the start of the horizon,
month m ends on day 30·m (month 0 is day 0).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from risksim.results.base import ResultBase
from risksim.scenario.timeline import DAYS_PER_MONTH
from risksim.stats import measures
from risksim.timeline.outputs import PER_PARTY, TimelineBlock
from risksim.timeline.settings import TimelineSettings
from risksim.util.files import write_csv

QUANTILES = (0.05, 0.5, 0.95)
"""Quantiles of the monthly cash and NPL-ratio distributions."""
FILES = {"parties": "timeline_parties.csv", "npl": "timeline_npl.csv",
         "cash": "timeline_cash.csv", "npl_ratio": "timeline_npl_ratio.csv",
         "paths": "timeline_paths.csv", "npl_paths": "timeline_npl_paths.csv"}
"""The file each table is saved to."""
GROSS = "gross_"
"""Prefix of the columns of the NPL ratio gross of compensation."""
_INDEX = {"parties": ["simulation", "party"], "npl": ["simulation"], "cash": ["party", "month"],
          "npl_ratio": ["month"], "paths": ["simulation", "party", "month"],
          "npl_paths": ["simulation", "month"]}


@dataclass(frozen=True, eq=False)
class TimelineResult(ResultBase):
    """Dated cash flows and the lender's NPL stock, per simulation and as distributions.

    Attributes
    ----------
    parties : pandas.DataFrame
        One row per (simulation, party): ``loss_flows`` (Σ flows settling losses: −its loss
        when every flow is paid), ``fee_flows``, ``refills``, ``net_flow``,
        ``present_value`` (of its flows at the discount rate), ``min_cash`` and
        ``min_cash_day``, ``shortfall_day`` (first day it lacked cash for a payment; NaN if
        never), ``depleted_day`` (first day a party with limited cash had none left),
        ``unpaid_at_end`` (what it still owes when every flow due has come), and from
        default to payment of its claims and reimbursements ``mean_days_to_payment``
        (amount-weighted), ``max_days_to_payment``; ``max_wait_days`` (longest a payment
        waited for cash).
    npl : pandas.DataFrame
        One row per simulation: ``max_ratio`` (highest monthly NPL ratio, net of the
        compensation received by the month end), ``months_in_breach`` (months above the
        tolerance), ``first_breach_month`` (NaN if none), ``breach`` (1.0 if any month
        breached; NaN without a stated tolerance); the same of the gross ratio (every NPL
        at its principal) prefixed ``gross_``.
    cash : pandas.DataFrame
        One row per (party, month): ``day``, ``mean``, the quantiles ``q05``, ``q50``,
        ``q95`` and ``min`` of the party's cash at the month end over all simulations.
    npl_ratio : pandas.DataFrame
        One row per month of the horizon: ``day``, ``mean``, ``q05``, ``q50``, ``q95`` of
        the lender's net NPL ratio, and ``breach_probability``; the same of the gross ratio
        prefixed ``gross_``.
    paths, npl_paths : pandas.DataFrame
        The monthly cash (``cash``) and NPL ratio (``ratio``) of the first ``keep_paths``
        simulations, one row per (simulation, party, month) / (simulation, month), and
        the gross NPL ratio (``gross_ratio``).
    metadata : Mapping
        The settings (day count, lags, schedules, starting cash, discount rate, NPL
        threshold) and counts (default events, flows, simpy events).
    """

    parties: pd.DataFrame
    npl: pd.DataFrame
    cash: pd.DataFrame
    npl_ratio: pd.DataFrame
    paths: pd.DataFrame
    npl_paths: pd.DataFrame
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_blocks(cls, settings: TimelineSettings,
                    blocks: Sequence[TimelineBlock]) -> TimelineResult:
        """Gather the blocks of a run (in block order) into tables."""
        parties = list(settings.parties)
        per_party = np.concatenate([b.per_party for b in blocks])
        n_sims = per_party.shape[0]
        months = max(b.cash.shape[2] for b in blocks)
        cash = np.concatenate([np.pad(b.cash, ((0, 0), (0, 0), (0, months - b.cash.shape[2])),
                                      mode="edge") for b in blocks])
        ratio = np.concatenate([b.npl_ratio for b in blocks])
        gross = np.concatenate([b.npl_ratio_gross for b in blocks])
        index = pd.MultiIndex.from_product([range(n_sims), parties],
                                           names=["simulation", "party"])
        party_table = pd.DataFrame(per_party.reshape(-1, len(PER_PARTY)), index=index,
                                   columns=list(PER_PARTY))
        kept = min(settings.keep_paths, n_sims)
        metadata = {**settings.describe(),
                    "default_events": sum(b.defaults for b in blocks),
                    "flows": sum(b.flows for b in blocks),
                    "simpy_events": sum(b.simpy_events for b in blocks)}
        threshold = settings.npl_threshold
        return cls(parties=party_table,
                   npl=_npl_table(ratio, threshold).join(
                       _npl_table(gross, threshold).add_prefix(GROSS)),
                   cash=_cash_table(cash, parties),
                   npl_ratio=_ratio_table(ratio, threshold).join(
                       _ratio_table(gross, threshold).drop(columns="day").add_prefix(GROSS)),
                   paths=_paths(cash[:kept], parties),
                   npl_paths=_npl_paths(ratio[:kept], gross[:kept]), metadata=metadata)

    def summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """Per party: P(liquidity shortfall) and P(cash depleted) with standard errors, the
        median day of depletion where it happens, the expected and 5% quantile of its lowest
        cash, mean days from default to payment, expected present value of its flows and
        expected unpaid at the end."""
        rows = {}
        for party, table in self.parties.groupby(level="party", sort=False):
            short = measures.exceedance_probability(
                table["shortfall_day"].notna().to_numpy(float), 0.5, confidence)
            depleted = measures.exceedance_probability(
                table["depleted_day"].notna().to_numpy(float), 0.5, confidence)
            lowest = table["min_cash"].to_numpy()
            days = table["mean_days_to_payment"].dropna().to_numpy()
            value = measures.mean(table["present_value"].to_numpy(), confidence)
            rows[party] = {
                "shortfall_probability": short.value, "shortfall_se": short.se,
                "depleted_probability": depleted.value, "depleted_se": depleted.se,
                "depleted_day_median": table["depleted_day"].median(),
                "min_cash_mean": lowest.mean(), "min_cash_q05": np.quantile(lowest, 0.05),
                "days_to_payment": days.mean() if days.size else np.nan,
                "present_value": value.value, "present_value_se": value.se,
                "unpaid_at_end": table["unpaid_at_end"].mean()}
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("party")

    def npl_summary(self, confidence: float = 0.95) -> dict[str, float | None]:
        """The monthly NPL tolerance test: threshold, P(some month above it) with its
        standard error, and the expected highest monthly ratio; net of compensation, then
        gross (keys prefixed ``gross_``)."""
        threshold = self.metadata.get("npl_threshold")
        summary: dict[str, float | None] = {"threshold": threshold}
        for prefix in ("", GROSS):
            highest = measures.mean(self.npl[f"{prefix}max_ratio"].to_numpy(), confidence)
            summary |= {f"{prefix}max_ratio_mean": highest.value,
                        f"{prefix}max_ratio_se": highest.se,
                        f"{prefix}breach_probability": None, f"{prefix}breach_se": None}
            if threshold is not None:
                breach = measures.exceedance_probability(
                    self.npl[f"{prefix}breach"].to_numpy(), 0.5, confidence)
                summary |= {f"{prefix}breach_probability": breach.value,
                            f"{prefix}breach_se": breach.se}
        return summary

    def save(self, directory: Path) -> list[Path]:
        """Write every table as CSV into ``directory`` (each under a temporary name first)."""
        return [write_csv(getattr(self, key), directory / name)
                for key, name in FILES.items()]

    def document(self) -> dict[str, Any]:
        """The summaries and metadata, for ``summary.json``."""
        return {**self.metadata, "summary": json.loads(self.summary().to_json(orient="index")),
                "npl_summary": self.npl_summary()}

    @classmethod
    def load(cls, directory: Path, document: Mapping[str, Any]) -> TimelineResult:
        """Read the tables written by :meth:`save`; ``document`` is :meth:`document`."""
        tables = {key: pd.read_csv(directory / name, index_col=_INDEX[key])
                  for key, name in FILES.items()}
        metadata = {k: v for k, v in document.items() if k not in ("summary", "npl_summary")}
        return cls(**tables, metadata=metadata)


def _npl_table(ratio: np.ndarray, threshold: float | None) -> pd.DataFrame:
    above = ratio > threshold if threshold is not None else np.zeros_like(ratio, bool)
    first = np.where(above.any(axis=1), above.argmax(axis=1) + 1.0, np.nan)
    breach = above.any(axis=1).astype(float) if threshold is not None else np.nan
    return pd.DataFrame({"max_ratio": ratio.max(axis=1, initial=0.0),
                         "months_in_breach": above.sum(axis=1), "first_breach_month": first,
                         "breach": breach}, index=pd.RangeIndex(ratio.shape[0],
                                                                name="simulation"))


def _distribution(values: np.ndarray) -> dict[str, np.ndarray]:
    """Mean and quantiles over simulations (axis 0)."""
    quantiles = np.quantile(values, QUANTILES, axis=0)
    return {"mean": values.mean(axis=0),
            **{f"q{round(100 * q):02d}": quantiles[i] for i, q in enumerate(QUANTILES)}}


def _cash_table(cash: np.ndarray, parties: list[str]) -> pd.DataFrame:
    n_months = cash.shape[2]
    columns = {key: value.ravel() for key, value in _distribution(cash).items()}
    index = pd.MultiIndex.from_product([parties, range(n_months)], names=["party", "month"])
    table = pd.DataFrame({"day": np.tile(np.arange(n_months) * DAYS_PER_MONTH, len(parties)),
                          **columns, "min": cash.min(axis=0).ravel()}, index=index)
    return table


def _ratio_table(ratio: np.ndarray, threshold: float | None) -> pd.DataFrame:
    months = np.arange(1, ratio.shape[1] + 1)
    breach = ((ratio > threshold).mean(axis=0) if threshold is not None
              else np.full(months.size, np.nan))
    return pd.DataFrame({"day": months * DAYS_PER_MONTH, **_distribution(ratio),
                         "breach_probability": breach},
                        index=pd.Index(months, name="month"))


def _paths(cash: np.ndarray, parties: list[str]) -> pd.DataFrame:
    index = pd.MultiIndex.from_product([range(cash.shape[0]), parties, range(cash.shape[2])],
                                       names=["simulation", "party", "month"])
    return pd.DataFrame({"cash": cash.ravel()}, index=index)


def _npl_paths(ratio: np.ndarray, gross: np.ndarray) -> pd.DataFrame:
    index = pd.MultiIndex.from_product([range(ratio.shape[0]), range(1, ratio.shape[1] + 1)],
                                       names=["simulation", "month"])
    return pd.DataFrame({"ratio": ratio.ravel(), "gross_ratio": gross.ravel()}, index=index)
