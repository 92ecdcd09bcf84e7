"""The reference loss distribution of the benchmark book B1 (``b1.yaml`` over ``b1.csv``),
kept once: every test and benchmark that compares with it imports it from here.

Source: ``shared/data/README.md`` of the risksim design notes, "b1.csv — the benchmark book
B1". 10,000 loans, PD drawn from {0.5, 1, 2, 3, 5}%, lognormal EAD (median 1 m yuan, sigma
1.0, whole yuan), LGD 0.45, asset correlation 0.15 to one factor, one year; the loss is
Σ EAD·LGD over the defaulted loans. How the figures were obtained:

* EL is exact: Σ EAD·PD·LGD over the book.
* VaR and ES are semi-analytic: for each factor value z on a grid (trapezoid rule, step 0.04,
  |z| ≤ 9) the conditional loss is a sum of independent Bernoulli losses, computed exactly on
  a 50,000-yuan lattice by FFT; refining the lattice from 100,000 to 50,000 yuan moves every
  measure by at most 0.015%, and the notes state each figure to ±0.05%. A 2,000,000-simulation
  plain Monte Carlo run agrees within 1.2 standard errors, three independent engines within
  1.5.

VaR is the lower empirical quantile (the ⌈aN⌉-th order statistic), ES the mean of the worst
N(1 − a) losses, as in :mod:`risksim.stats.measures`.

The one tolerance rule (:func:`tolerance`): an estimate x̂ with Monte Carlo standard error s
of a measure whose reference r is within ±u·r of the true value θ agrees with it when

    |x̂ − r| ≤ 4·s + u·|r|,

because x̂ − r = (x̂ − θ) + (θ − r): the first term is asymptotically normal with standard
deviation s, so it exceeds 4·s with probability 6.3e-5 (a fixed seed then never flakes and
a real bias of a few standard errors shows); the second is bounded by u·|r|, a bound rather
than a standard deviation, so it is added as it is (u = 0 for the exact EL).
"""

from __future__ import annotations

REFERENCE: dict[str, float] = {
    "EL": 168_049_466.73,
    "VaR_0.99": 815.40e6,
    "ES_0.99": 1_031.46e6,
    "VaR_0.999": 1_317.25e6,
    "ES_0.999": 1_547.59e6,
}
"""B1's gross loss distribution over one year (yuan), by measure."""

RELATIVE_UNCERTAINTY: dict[str, float] = {"EL": 0.0, "VaR_0.99": 0.0005, "ES_0.99": 0.0005,
                                          "VaR_0.999": 0.0005, "ES_0.999": 0.0005}
"""u: the bound on each reference's own error, as a fraction of it."""

STANDARD_ERRORS = 4.0
"""How many Monte Carlo standard errors an estimate may be off."""


def tolerance(measure: str, standard_error: float) -> float:
    """4·s + u·|r|: how far an estimate of ``measure`` (a key of :data:`REFERENCE`) with
    Monte Carlo standard error ``standard_error`` (yuan) may lie from the reference (yuan)."""
    reference = REFERENCE[measure]
    return STANDARD_ERRORS * standard_error + RELATIVE_UNCERTAINTY[measure] * abs(reference)


def agrees(measure: str, estimate: float, standard_error: float) -> bool:
    """Whether ``estimate`` of ``measure`` is within :func:`tolerance` of the reference."""
    return abs(estimate - REFERENCE[measure]) <= tolerance(measure, standard_error)
