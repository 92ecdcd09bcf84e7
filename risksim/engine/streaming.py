"""Streaming mode: loss distributions in memory independent of the number of simulations.

Each block's rows are reduced, as they are simulated, into a :class:`StreamAccumulator`:

* exact power sums Σx, Σx², Σx³, Σx⁴ of every column (each block's sums added as exact
  fractions, so the total does not depend on how blocks are grouped or ordered);
* per loss column (``gross`` and each party) a histogram of counts on a fixed grid of
  ``bins`` bins of width w = upper/bins over [0, upper) (``upper`` bounds the gross loss),
  with one underflow and one overflow bin;
* per loss column the ``top`` largest losses exactly.

Merging two accumulators is exact (integer counts, exact fractions, the top values of the
union), so a run gives the same accumulator whatever the backend, the number of workers or
the order tasks finish in. Memory is O(columns × (bins + top)): 2 MiB per loss column by
default, whatever the number of simulations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

GRID_BINS = 1 << 16
"""Histogram bins per loss column."""

TOP_TAIL = 1 << 16
"""Largest losses kept exactly per loss column: VaR and ES at level a are exact while
N(1 − a) + 1 ≤ TOP_TAIL (e.g. a = 0.999 up to N ≈ 6.5·10⁷)."""

POWERS = 4
"""Power sums kept per column (for EL, SD and the standard error of SD)."""


@dataclass(frozen=True)
class StreamingGrid:
    """The fixed grid every accumulator of a run shares.

    Attributes
    ----------
    upper : float
        Upper end of the histogram grid (money): at least the largest possible gross loss.
    n_loss_columns : int
        Leading columns with histograms and top tails (``gross`` and each party).
    n_columns : int
        All columns (losses, then indicators and fees: power sums only).
    bins, top : int
        Histogram bins and exact top values per loss column.
    """

    upper: float
    n_loss_columns: int
    n_columns: int
    bins: int = GRID_BINS
    top: int = TOP_TAIL

    @property
    def width(self) -> float:
        """Bin width w (money)."""
        return self.upper / self.bins

    def empty(self) -> StreamAccumulator:
        """An accumulator of no simulation."""
        return StreamAccumulator(self)

    def bin_of(self, values: np.ndarray) -> np.ndarray:
        """Histogram slot of each value: 0 underflow, 1 + ⌊x/w⌋ inside, bins + 1 overflow."""
        with np.errstate(invalid="ignore"):
            slots = np.floor(values / self.width)
        return np.clip(slots, -1, self.bins).astype(np.int64) + 1


@dataclass(eq=False)
class StreamAccumulator:
    """Power sums, histograms and top tails of the simulations added so far.

    Attributes
    ----------
    grid : StreamingGrid
        The run's grid.
    count : int
        Simulations added.
    power_sums : list of list of Fraction
        ``power_sums[k][j]`` = Σ x^(k+1) over the finite values of column j, exactly.
    finite : numpy.ndarray
        Finite values per column (indicators may be NaN, e.g. a year that never came).
    binary : numpy.ndarray
        Whether every value of a column so far is 0 or 1.
    histogram : numpy.ndarray
        int64 counts, shape (loss columns, bins + 2).
    top : list of numpy.ndarray
        The largest losses of each loss column, ascending, at most ``grid.top``.
    """

    grid: StreamingGrid
    count: int = 0
    power_sums: list[list[Fraction]] = field(default_factory=list)
    finite: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    binary: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    histogram: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int64))
    top: list[np.ndarray] = field(default_factory=list)

    def __post_init__(self) -> None:
        grid = self.grid
        if not self.power_sums:
            self.power_sums = [[Fraction(0)] * grid.n_columns for _ in range(POWERS)]
            self.finite = np.zeros(grid.n_columns, np.int64)
            self.binary = np.ones(grid.n_columns, bool)
            self.histogram = np.zeros((grid.n_loss_columns, grid.bins + 2), np.int64)
            self.top = [np.empty(0) for _ in range(grid.n_loss_columns)]

    def add(self, rows: np.ndarray) -> None:
        """Add simulations: ``rows`` of shape (simulations, columns)."""
        self.count += rows.shape[0]
        finite = np.isfinite(rows)
        values = np.where(finite, rows, 0.0)
        self.finite += finite.sum(axis=0)
        self.binary &= np.isin(rows, (0.0, 1.0)).all(axis=0)
        power = np.ones_like(values)
        for k in range(POWERS):
            power *= values
            sums = power.sum(axis=0)
            self.power_sums[k] = [a + Fraction(float(b)) for a, b in
                                  zip(self.power_sums[k], sums, strict=True)]
        for j in range(self.grid.n_loss_columns):
            self.histogram[j] += np.bincount(self.grid.bin_of(rows[:, j]),
                                             minlength=self.grid.bins + 2)
            self.top[j] = self._merged_top(self.top[j], rows[:, j])

    def merge(self, other: StreamAccumulator) -> None:
        """Add the simulations of ``other`` (an accumulator on the same grid)."""
        self.count += other.count
        self.power_sums = [[a + b for a, b in zip(mine, theirs, strict=True)]
                           for mine, theirs in zip(self.power_sums, other.power_sums,
                                                   strict=True)]
        self.finite += other.finite
        self.binary &= other.binary
        self.histogram += other.histogram
        self.top = [self._merged_top(a, b) for a, b in zip(self.top, other.top, strict=True)]

    def _merged_top(self, kept: np.ndarray, values: np.ndarray) -> np.ndarray:
        """The ``grid.top`` largest of ``kept`` (ascending) and ``values``, ascending."""
        if kept.size == self.grid.top:
            values = values[values > kept[0]]
            if not values.size:
                return kept
        return np.sort(np.concatenate([kept, values]))[-self.grid.top:]

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Named arrays (for a checkpoint file); fractions as ``"numerator/denominator"``."""
        arrays = {"count": np.array(self.count), "finite": self.finite, "binary": self.binary,
                  "histogram": self.histogram,
                  "power_sums": np.array([[str(x) for x in row] for row in self.power_sums])}
        arrays |= {f"top_{j}": values for j, values in enumerate(self.top)}
        return arrays

    @classmethod
    def from_arrays(cls, grid: StreamingGrid, arrays: dict[str, np.ndarray]) -> StreamAccumulator:
        """The accumulator saved by :meth:`to_arrays`."""
        return cls(grid, count=int(arrays["count"]),
                   power_sums=[[Fraction(str(x)) for x in row] for row in arrays["power_sums"]],
                   finite=arrays["finite"].astype(np.int64), binary=arrays["binary"].astype(bool),
                   histogram=arrays["histogram"].astype(np.int64),
                   top=[arrays[f"top_{j}"] for j in range(grid.n_loss_columns)])
