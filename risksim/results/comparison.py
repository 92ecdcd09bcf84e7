"""Schemes compared on common random numbers: the result of :func:`risksim.compare`."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from risksim.results.base import ResultBase
from risksim.results.result import Result, json_default
from risksim.stats.influence import measure_names
from risksim.util.files import write_atomically, write_csv

PARTIES_CSV = "parties.csv"
SCHEMES_CSV = "schemes.csv"
COMPARISON_JSON = "comparison.json"
FIGURE_COLUMNS = ["scheme", "party", "figure", "value", "se", "diff", "diff_se"]
"""Columns of :meth:`Comparison.to_frame`."""


@dataclass(frozen=True)
class Comparison(ResultBase):
    """Schemes side by side on common random numbers.

    Attributes
    ----------
    parties : pandas.DataFrame
        Index (scheme, party), ``gross`` included. Per measure M (``EL``, ``VaR_<a>``,
        ``ES_<a>`` at every level a; VaR_a is the loss of a 1-in-1/(1 − a) year): ``M``,
        ``M_se``, ``M_diff`` (to the baseline's party of the same name; NaN when it has
        none), ``M_diff_se`` (paired) and ``M_diff_se_unpaired``; and
        ``break_even``, ``fee_charged``, ``subsidy_rate``, ``subsidy_rate_se`` (annual rates;
        NaN for the lender and ``gross``). Money in each scheme's currency.
    schemes : pandas.DataFrame
        One row per scheme (formulas in :mod:`risksim.analysis.compare`): ``lending`` (V),
        ``lending_years`` (Y), ``horizon_years``; each with its ``_se``:
        ``fiscal_cost_rate`` (over the horizon), ``fiscal_cost_rate_annual`` (per unit-year),
        ``multiplier``, ``multiplier_annual``, ``effective_coverage``; ``capital_without``,
        ``capital_with``, ``capital_relief_rate``, ``public`` (the parties counted as public),
        ``currency``, ``paired`` (whether the scheme shares the baseline's loans, default
        model and horizon, so that its differences are paired); the Basel figures use the
        substitution approach, which ignores caps, budgets and triggers. Then
        (:func:`~risksim.analysis.compare.npl_breach_figures`) ``npl_breach``,
        ``npl_net_breach``, ``npl_gross_breach``, each with ``_se``, ``_diff`` and
        ``_diff_se`` (paired); and (:func:`~risksim.analysis.compare.tail_relief_figures`)
        the lender's capital relief from the simulated tail at the highest level,
        ``tail_relief_<M>`` and ``tail_relief_rate_<M>`` with ``_se``, M = ``VaR_<a>``,
        ``ES_<a>``.
    results : dict of str to Result
        Each scheme's full result.
    metadata : dict
        Baseline, simulations, seed, levels, guarantor risk weight.
    """

    parties: pd.DataFrame
    schemes: pd.DataFrame
    results: dict[str, Result]
    metadata: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """Per (scheme, party): every measure with its difference to the baseline."""
        return self.parties

    def to_frame(self) -> pd.DataFrame:
        """Every figure as one tidy frame, one row per (scheme, party, figure): columns
        :data:`FIGURE_COLUMNS`; ``party`` is empty for the scheme's own figures (public
        cost, multiplier, coverage, relief, ...), ``diff`` and ``diff_se`` are NaN where
        there is no difference to the baseline."""
        rows = [*self._party_figures(), *self._scheme_figures()]
        return pd.DataFrame.from_records(rows, columns=FIGURE_COLUMNS)

    def _party_figures(self) -> list[dict[str, Any]]:
        figures = [*measure_names(self.levels), "break_even", "fee_charged", "subsidy_rate"]
        frame = self.parties.reset_index()
        return [{"scheme": row["scheme"], "party": row["party"], "figure": figure,
                 "value": row[figure], "se": row.get(f"{figure}_se", math.nan),
                 "diff": row.get(f"{figure}_diff", math.nan),
                 "diff_se": row.get(f"{figure}_diff_se", math.nan)}
                for row in frame.to_dict("records") for figure in figures]

    def _scheme_figures(self) -> list[dict[str, Any]]:
        columns = self.schemes.columns
        figures = [c for c in columns if f"{c}_se" in columns]
        figures += [c for c in ("lending", "lending_years", "horizon_years", "capital_without",
                                "capital_with", "capital_relief_rate") if c in columns]
        return [{"scheme": scheme, "party": "", "figure": figure, "value": row[figure],
                 "se": row.get(f"{figure}_se", math.nan),
                 "diff": row.get(f"{figure}_diff", math.nan),
                 "diff_se": row.get(f"{figure}_diff_se", math.nan)}
                for scheme, row in self.schemes.iterrows() for figure in figures]

    def document(self) -> dict[str, Any]:
        """The metadata and both tables, JSON-ready (NaN and infinity as null)."""
        return {"metadata": dict(self.metadata),
                "parties": json.loads(self.parties.reset_index().to_json(orient="records")),
                "schemes": json.loads(self.schemes.reset_index().to_json(orient="records"))}

    def json(self) -> str:
        """:meth:`document` as JSON text (UTF-8 names kept as they are)."""
        return json.dumps(self.document(), indent=2, ensure_ascii=False, default=json_default)

    def save(self, directory: str | Path) -> list[Path]:
        """Write ``parties.csv``, ``schemes.csv`` and ``comparison.json`` (the metadata and
        both tables) into ``directory``, each atomically."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        text = self.json()
        return [write_csv(self.parties, directory / PARTIES_CSV),
                write_csv(self.schemes, directory / SCHEMES_CSV),
                write_atomically(directory / COMPARISON_JSON,
                                 lambda p: Path(p).write_text(text + "\n", "utf-8"))]

    @classmethod
    def load(cls, directory: str | Path) -> Comparison:
        """The tables and metadata a :meth:`save` wrote (the schemes' own results are not
        saved)."""
        directory = Path(directory)
        parties = pd.read_csv(directory / PARTIES_CSV, index_col=["scheme", "party"])
        schemes_file, document = directory / SCHEMES_CSV, directory / COMPARISON_JSON
        schemes = (pd.read_csv(schemes_file, index_col="scheme") if schemes_file.is_file()
                   else pd.DataFrame())
        metadata = (json.loads(document.read_text(encoding="utf-8"))["metadata"]
                    if document.is_file() else {})
        return cls(parties=parties, schemes=schemes, results={}, metadata=metadata)
