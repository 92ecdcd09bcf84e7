"""Result of a streaming run: measures from exact moments, exact top tails and histograms.

A :class:`StreamingResult` holds the run's :class:`~risksim.engine.streaming.StreamAccumulator`
instead of every simulation. Its measures follow :mod:`risksim.stats.measures` and state, beside
the Monte Carlo error, the error of reading them from the grid:

* EL and SD (with their standard errors) come from exact power sums: the values of the
  full-sample estimators, up to rounding.
* VaR at level a is the order statistic L_(r), r = ⌈aN⌉. When it lies among the exact top
  values (N − r + 1 ≤ top) it is exact (grid error 0); otherwise it is the midpoint of its
  histogram bin, within w/2 of L_(r) (w the bin width): ``VaR_a_grid`` = w/2. The bounds of
  the order-statistic interval are widened by their own grid error.
* ES at level a is the mean of the k = N − r largest losses: exact while k ≤ top, else the
  top values plus the next k − top losses read as bin midpoints, within
  (k − top)/k · w/2 of the sample ES: ``ES_a_grid``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from risksim.engine.streaming import StreamAccumulator
from risksim.results.base import ResultBase, computed_once
from risksim.results.result import SUMMARY_FILE, json_default, summary_document
from risksim.stats import measures
from risksim.util.files import write_atomically


@dataclass(frozen=True, eq=False)
class StreamingResult(ResultBase):
    """Loss distributions of a streaming run.

    Attributes
    ----------
    accumulator : StreamAccumulator
        Exact moments, histograms and top tails of every column.
    columns : list of str
        Column names: ``gross``, the parties, the indicators, the fees.
    n_parties, n_indicators : int
        How many of the columns are parties and indicators.
    metadata : mapping
        As :attr:`risksim.Result.metadata`, with ``streaming`` (grid upper end, bin width,
        bins, exact top values).
    """

    accumulator: StreamAccumulator
    columns: list[str]
    n_parties: int
    n_indicators: int
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def parties(self) -> list[str]:
        """Party names."""
        return self.columns[1:1 + self.n_parties]

    @property
    def loss_columns(self) -> list[str]:
        """``gross`` and each party: the columns with distributions."""
        return self.columns[:1 + self.n_parties]

    @property
    def n_sims(self) -> int:
        """Number of simulations."""
        return self.accumulator.count

    @computed_once
    def summary(self, levels: Sequence[float] | None = None,
                confidence: float = 0.95) -> pd.DataFrame:
        """EL, SD, VaR and ES per loss column with Monte Carlo and grid errors.

        The columns of :meth:`risksim.Result.summary`, and per level L ``VaR_L_grid`` and
        ``ES_L_grid``: the largest difference between the reported value and the value of
        the full-sample estimator that the histogram allows (0 when exact). Money.
        """
        z = measures._z(confidence)
        checked = [measures._level(level) for level in (levels or self.levels)]
        rows = {self.columns[j]: self._row(j, checked, z) for j in range(1 + self.n_parties)}
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("party")

    def _moments(self, j: int) -> tuple[float, float, float, float]:
        """(mean, its se, sample SD, its se) of column j from the exact power sums."""
        acc = self.accumulator
        n = int(acc.finite[j])
        s1, s2, s3, s4 = (acc.power_sums[k][j] for k in range(4))
        mu = s1 / n
        var = (s2 - n * mu * mu) / (n - 1) if n > 1 else Fraction(0)
        m4 = (s4 - 4 * mu * s3 + 6 * mu * mu * s2 - 3 * n * mu ** 4) / n
        var_f = float(var)
        sd_se = (math.sqrt(max(float(m4 - var * var), 0.0) / (4 * n * var_f))
                 if var_f > 0 else 0.0)
        return float(mu), math.sqrt(var_f / n), math.sqrt(var_f), sd_se

    def _at_rank(self, j: int, rank: int) -> tuple[float, float]:
        """(value, grid error) of the order statistic L_(rank) of loss column j."""
        acc, grid = self.accumulator, self.accumulator.grid
        from_top = acc.count - rank + 1
        top = acc.top[j]
        if from_top <= top.size:
            return float(top[top.size - from_top]), 0.0
        slot = int(np.searchsorted(np.cumsum(acc.histogram[j]), rank))
        if slot == 0 or slot == grid.bins + 1:
            return math.nan, math.inf
        return (slot - 0.5) * grid.width, grid.width / 2

    def _tail(self, j: int, k: int) -> tuple[float, float, float]:
        """(mean, sample variance, grid error of the mean) of the k largest losses of j."""
        acc, grid = self.accumulator, self.accumulator.grid
        top = acc.top[j]
        if k <= top.size:
            tail = top[top.size - k:]
            return float(tail.mean()), float(tail.var(ddof=1)) if k > 1 else 0.0, 0.0
        rest = acc.histogram[j] - np.bincount(grid.bin_of(top), minlength=grid.bins + 2)
        wanted = k - top.size
        counts = rest[::-1]
        taken = np.minimum(counts, np.maximum(wanted - (np.cumsum(counts) - counts), 0))
        if taken[0] > 0 or taken[-1] > 0:  # beyond the grid, outside the exact top values
            return math.nan, math.nan, math.inf
        midpoints = (np.arange(grid.bins + 2)[::-1] - 0.5) * grid.width
        total = float(top.sum() + taken @ midpoints)
        squares = float(top @ top + taken @ midpoints**2)
        mean = total / k
        variance = max(squares - k * mean * mean, 0.0) / (k - 1)
        return mean, variance, wanted / k * grid.width / 2

    def _row(self, j: int, levels: list[float], z: float) -> dict[str, float]:
        n = self.accumulator.count
        el, el_se, sd, sd_se = self._moments(j)
        row = {"EL": el, "EL_se": el_se, "SD": sd, "SD_se": sd_se}
        for level in levels:
            name = f"{level:g}"
            r = measures._rank(level, n)
            spread = z * math.sqrt(n * level * (1 - level))
            a = min(max(math.floor(n * level - spread), 1), n)
            b = min(max(math.ceil(n * level + spread), 1), n)
            var, var_grid = self._at_rank(j, r)
            lower, lower_grid = self._at_rank(j, a)
            upper, upper_grid = self._at_rank(j, b)
            k = max(n - r, 1)
            es, tail_var, es_grid = self._tail(j, k)
            es_se = math.sqrt((tail_var + level * (es - var) ** 2) / (n * (1 - level)))
            row |= {f"VaR_{name}": var, f"VaR_{name}_lo": lower - lower_grid,
                    f"VaR_{name}_hi": upper + upper_grid, f"ES_{name}": es,
                    f"ES_{name}_se": es_se, f"VaR_{name}_grid": var_grid,
                    f"ES_{name}_grid": es_grid}
        return row

    def exceedance(self, thresholds: Iterable[float], confidence: float = 0.95) -> pd.DataFrame:
        """P(loss > threshold) per loss column, as :meth:`risksim.Result.exceedance`, with
        ``grid``: the share of simulations in the threshold's bin, which the histogram
        cannot place on either side (0 when the exact top values decide)."""
        acc, grid = self.accumulator, self.accumulator.grid
        z = measures._z(confidence)
        n = acc.count
        records = []
        for j in range(1 + self.n_parties):
            top = acc.top[j]
            for threshold in thresholds:
                full = top.size == grid.top
                if not full or top[0] <= threshold:
                    count, unplaced = int(np.count_nonzero(top > threshold)), 0
                else:
                    slot = int(grid.bin_of(np.array([threshold]))[0])
                    count = int(acc.histogram[j, slot + 1:].sum())
                    unplaced = int(acc.histogram[j, slot])
                estimate = measures.proportion(count, n, z)
                records.append({
                    "party": self.columns[j], "threshold": threshold,
                    "probability": estimate.value, "se": estimate.se,
                    "lower": estimate.lower, "upper": estimate.upper,
                    "grid": unplaced / n})
        return pd.DataFrame.from_records(records)

    def layer_summary(self) -> pd.DataFrame:
        """Empty: a streaming run keeps distributions of the parties, not of their layers."""
        return pd.DataFrame()

    def recovery_summary(self) -> pd.DataFrame:
        """Empty: compensation and recovery rates need the full run."""
        return pd.DataFrame()

    def probabilities(self, confidence: float = 0.95) -> pd.DataFrame:
        """Probability of each 0/1 indicator, as :meth:`risksim.Result.probabilities`."""
        z = measures._z(confidence)
        acc, n = self.accumulator, self.accumulator.count
        rows = {}
        first = 1 + self.n_parties
        for j in range(first, first + self.n_indicators):
            if acc.binary[j]:
                estimate = measures.proportion(int(acc.power_sums[0][j]), n, z)
                rows[self.columns[j]] = {"probability": estimate.value, "se": estimate.se,
                                         "lower": estimate.lower, "upper": estimate.upper}
        frame = pd.DataFrame.from_dict(rows, orient="index",
                                       columns=["probability", "se", "lower", "upper"])
        return frame.rename_axis("indicator")

    def fee_summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """Expected amount of each fee with its standard error and bounds, payer and payee."""
        z = measures._z(confidence)
        rows = {}
        for j in range(1 + self.n_parties + self.n_indicators, len(self.columns)):
            name = self.columns[j]
            value, se, _, _ = self._moments(j)
            parties = self.metadata.get("fees", {}).get(name, {})
            rows[name] = {"payer": parties.get("payer"), "payee": parties.get("payee"),
                          "expected": value, "se": se, "lower": value - z * se,
                          "upper": value + z * se}
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=[
            "payer", "payee", "expected", "se", "lower", "upper"])
        return frame.rename_axis("fee")

    def to_json(self) -> str:
        """The metadata and every summary table as JSON text (``summary.json``'s content)."""
        return json.dumps(summary_document(self), indent=2, default=json_default)

    def save(self, directory: str | Path) -> list[Path]:
        """Write ``summary.json`` (metadata, summary with grid errors, probabilities, fees)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        document = {**summary_document(self), "files": []}
        text = json.dumps(document, indent=2, default=json_default)
        return [write_atomically(directory / SUMMARY_FILE,
                                 lambda p: Path(p).write_text(text + "\n", "utf-8"))]
