"""Schemes compared on common random numbers: the result of :func:`risksim.compare`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from risksim.results.base import ResultBase
from risksim.results.result import Result
from risksim.util.files import write_csv

PARTIES_CSV = "parties.csv"
SCHEMES_CSV = "schemes.csv"


@dataclass(frozen=True)
class Comparison(ResultBase):
    """Schemes side by side on common random numbers.

    Attributes
    ----------
    parties : pandas.DataFrame
        Index (scheme, party), ``gross`` included. Per measure M (``EL``, ``VaR_<a>``,
        ``ES_<a>``): ``M``, ``M_diff`` (to the baseline's party of the same name; NaN when
        it has none), ``M_diff_se`` (paired) and ``M_diff_se_unpaired``; and
        ``break_even``, ``fee_charged``, ``subsidy_rate``, ``subsidy_rate_se`` (annual rates;
        NaN for the lender and ``gross``). Money in each scheme's currency.
    schemes : pandas.DataFrame
        One row per scheme: ``lending``, ``fiscal_cost_rate`` (+ ``_se``), ``multiplier``
        (+ ``_se``), ``effective_coverage`` (+ ``_se``), ``capital_without``,
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
        """:attr:`parties` as a flat frame, one row per (scheme, party)."""
        return self.parties.reset_index()

    def save(self, directory: str | Path) -> list[Path]:
        """Write ``parties.csv`` and ``schemes.csv`` into ``directory`` (each atomically)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        return [write_csv(self.parties, directory / PARTIES_CSV),
                write_csv(self.schemes, directory / SCHEMES_CSV)]

    @classmethod
    def load(cls, directory: str | Path) -> Comparison:
        """The tables a :meth:`save` wrote (the schemes' own results are not saved)."""
        directory = Path(directory)
        parties = pd.read_csv(directory / PARTIES_CSV, index_col=["scheme", "party"])
        schemes_file = directory / SCHEMES_CSV
        schemes = (pd.read_csv(schemes_file, index_col="scheme") if schemes_file.is_file()
                   else pd.DataFrame())
        return cls(parties=parties, schemes=schemes, results={})
