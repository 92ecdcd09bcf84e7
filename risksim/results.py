"""Result of a simulation: per-simulation losses per party, measures, files.

``Result.losses`` has one row per simulation and one column per party plus ``gross``, in the
scenario's currency, net of recoveries, over the horizon. ``Result.summary()`` gives EL, SD,
VaR and ES per party, each with its Monte Carlo error.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from risksim import measures
from risksim.errors import InputError
from risksim.files import write_atomically

if TYPE_CHECKING:
    from risksim.plot import ResultPlots
    from risksim.timeline.result import TimelineResult

SUMMARY_FILE = "summary.json"
LOSSES_CSV = "losses.csv"
LOSSES_PARQUET = "losses.parquet"
INDICATORS_CSV = "indicators.csv"
FEES_CSV = "fees.csv"
WEIGHTS_CSV = "weights.csv"
PAID_SUFFIX = ".paid"
"""Indicators ``<layer>.paid``: what a layer of a party with several layers paid."""
_EXACT_FLOATS: dict[str, Any] = (
    {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {})
"""read_csv options that read floats back bit for bit (pandas 3 does so by default)."""
RESULT_FORMAT = 1
"""Version of the saved-result layout."""


class Summarised(Protocol):
    """A result with the summary tables that ``summary.json`` holds."""

    @property
    def metadata(self) -> Mapping[str, Any]:
        """What the run was (seed, versions, ...)."""

    def summary(self) -> pd.DataFrame:
        """Loss measures per party."""

    def layer_summary(self) -> pd.DataFrame:
        """Loss measures per layer of a party with several."""

    def probabilities(self) -> pd.DataFrame:
        """Probability of each 0/1 indicator."""

    def fee_summary(self) -> pd.DataFrame:
        """Expected fees."""

    def recovery_summary(self) -> pd.DataFrame:
        """Compensation and recovery rates."""


def summary_document(result: Summarised) -> dict[str, Any]:
    """The metadata and every summary table of ``result`` (JSON-ready but for numpy
    scalars: write it with ``json.dumps(..., default=json_default)``)."""
    tables = {"summary": result.summary(), "layer_summary": result.layer_summary(),
              "probabilities": result.probabilities(), "fee_summary": result.fee_summary(),
              "recovery_summary": result.recovery_summary()}
    return {**result.metadata, "result_format": RESULT_FORMAT,
            **{name: json.loads(table.to_json(orient="index")) for name, table in tables.items()}}


class RunMetadata:
    """What a result says about its run, from its ``metadata``: currency and levels."""

    metadata: Mapping[str, Any]

    @property
    def currency(self) -> str:
        """Currency of every amount."""
        return str(self.metadata.get("currency", ""))

    @property
    def levels(self) -> list[float]:
        """Quantile levels reported by ``summary()``."""
        return list(self.metadata.get("levels", [0.95, 0.99, 0.999]))


@dataclass(frozen=True, eq=False)
class Result(RunMetadata):
    """Losses of every simulation, with what produced them.

    Attributes
    ----------
    losses : pandas.DataFrame
        One row per simulation (index ``simulation``), columns ``gross`` then each party.
    indicators : pandas.DataFrame
        One row per simulation, one column per indicator recorded by the rules:
        ``<layer>.cap_rate_binds``, ``<layer>.annual_budget_binds``, ``<layer>.suspended``,
        ``<layer>.fund_exhausted`` (1.0 or 0.0) and ``<layer>.fund_exhausted_year`` (1-based,
        NaN when the fund lasted), ``<layer>.insolvent``.
    fees : pandas.DataFrame
        One row per simulation, one column per fee: the amount paid (scenario currency);
        who pays and who receives each fee is in ``metadata["fees"]``. Fees are cash flows
        beside the losses, never netted into them.
    metadata : Mapping
        Scenario name, source and hash, currency, seed, number of simulations, levels,
        block size and stream version, backend, fees, and package versions; ``sampling``
        for runs with quasi-Monte Carlo or importance sampling.
    weights : pandas.Series or None
        Importance-sampling runs: the likelihood-ratio weight of each simulation (the model's
        density over the sampling density of its draws). Every measure, error band and
        probability of the result weights the simulations by it; None for plain runs.
    timeline : TimelineResult or None
        Dated cash flows and the lender's monthly NPL ratio (``simulate(...,
        timeline=True)``); None otherwise.
    """

    losses: pd.DataFrame
    indicators: pd.DataFrame = field(default_factory=pd.DataFrame)
    fees: pd.DataFrame = field(default_factory=pd.DataFrame)
    metadata: Mapping[str, Any] = field(default_factory=dict)
    timeline: TimelineResult | None = None
    weights: pd.Series | None = None

    @property
    def parties(self) -> list[str]:
        """Party names (the loss columns after ``gross``)."""
        return [c for c in self.losses.columns if c != "gross"]

    @property
    def plot(self) -> ResultPlots:
        """This result's plots: ``result.plot.exceedance()``, ``.distribution()``,
        ``.tail_shares()``, ``.convergence()``, and with a timeline ``.cash_paths()`` and
        ``.npl_paths()`` (:mod:`risksim.plot`)."""
        from risksim.plot import ResultPlots

        return ResultPlots(self)

    def summary(self, levels: Sequence[float] | None = None,
                confidence: float = 0.95) -> pd.DataFrame:
        """EL, SD, VaR and ES per party (rows ``gross`` then each party), with errors.

        Columns: ``EL``, ``EL_se``, ``SD``, ``SD_se`` and per level L ``VaR_L``,
        ``VaR_L_lo``, ``VaR_L_hi`` (order-statistic confidence bounds at ``confidence``),
        ``ES_L``, ``ES_L_se``. Amounts in the scenario's currency.
        """
        return _summarize(self.losses, self.levels if levels is None else list(levels),
                          confidence, self._weights, self._replicates).rename_axis("party")

    def layer_summary(self, levels: Sequence[float] | None = None,
                      confidence: float = 0.95) -> pd.DataFrame:
        """As :meth:`summary`, one row per layer of a party that has several layers.

        From the ``<layer>.paid`` indicators: what each such layer paid in the simulation
        (before counter-guarantees take their part). Empty when every party has one layer.
        """
        paid = [c for c in self.indicators.columns if c.endswith(PAID_SUFFIX)]
        frame = self.indicators[paid].rename(columns=lambda c: c[:-len(PAID_SUFFIX)])
        return _summarize(frame, self.levels if levels is None else list(levels),
                          confidence, self._weights, self._replicates).rename_axis("layer")

    @property
    def _weights(self) -> np.ndarray | None:
        return None if self.weights is None else self.weights.to_numpy()

    @property
    def _replicates(self) -> int | None:
        """R of a quasi-Monte Carlo run (simulation s is in replicate s mod R), else None."""
        replicates = (self.metadata.get("sampling") or {}).get("qmc_replicates")
        return None if replicates is None else int(replicates)

    def _probability(self, values: np.ndarray, threshold: float,
                     confidence: float) -> measures.Estimate:
        """P(value > threshold), weighted and clipped to [0, 1] under importance sampling."""
        weights = self._weights
        if weights is None:
            return measures.exceedance_probability(values, threshold, confidence)
        est = measures.weighted_mean((values > threshold).astype(np.float64), weights,
                                     confidence)
        return measures.Estimate(est.value, est.se, max(est.lower, 0.0), min(est.upper, 1.0))

    def _mean(self, values: np.ndarray, confidence: float) -> measures.Estimate:
        weights = self._weights
        if weights is None:
            return measures.mean(values, confidence)
        return measures.weighted_mean(values, weights, confidence)

    def probabilities(self, confidence: float = 0.95) -> pd.DataFrame:
        """Probability of each 0/1 indicator (a cap binds, a trigger fires, a pool runs dry).

        One row per indicator: ``probability`` (share of simulations), its standard error
        √(p(1−p)/N) and Wilson bounds ``lower``, ``upper``.
        """
        rows = {}
        for name in self.indicators.columns:
            values = self.indicators[name].to_numpy()
            if np.isin(values, (0.0, 1.0)).all():
                est = self._probability(values, 0.5, confidence)
                rows[name] = {"probability": est.value, "se": est.se, "lower": est.lower,
                              "upper": est.upper}
        frame = pd.DataFrame.from_dict(rows, orient="index",
                                       columns=["probability", "se", "lower", "upper"])
        return frame.rename_axis("indicator")

    def fee_summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """Expected amount of each fee with its standard error and bounds, payer and payee."""
        rows = {}
        for name in self.fees.columns:
            est = self._mean(self.fees[name].to_numpy(), confidence)
            parties = self.metadata.get("fees", {}).get(name, {})
            rows[name] = {"payer": parties.get("payer"), "payee": parties.get("payee"),
                          "expected": est.value, "se": est.se, "lower": est.lower,
                          "upper": est.upper}
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=[
            "payer", "payee", "expected", "se", "lower", "upper"])
        return frame.rename_axis("fee")

    def recovery_summary(self) -> pd.DataFrame:
        """Compensation and recovery in the Chinese definitions (DOMAIN §6), per party.

        From the ``<party>.compensation`` and ``<party>.recoveries`` indicators (scenarios with
        a ``recoveries`` section): expected compensation C and recoveries R (money); the
        compensation rate 代偿率 = E[C] ÷ the party's guaranteed volume; the recovery rate
        代偿回收率 = E[R] ÷ E[C] and the loss rate 代偿损失率 = 1 − E[R] ÷ E[C], with the
        delta-method standard error of a ratio of means, √(Var(R − ρC)/N)/E[C], ρ = E[R]/E[C].
        """
        volumes = self.metadata.get("guaranteed_volume", {})
        rows = {}
        weights = 1.0 if self._weights is None else self._weights
        for party, volume in volumes.items():
            compensation = weights * self.indicators[f"{party}.compensation"].to_numpy()
            recoveries = weights * self.indicators[f"{party}.recoveries"].to_numpy()
            mean_c, mean_r = compensation.mean(), recoveries.mean()
            rate = mean_r / mean_c if mean_c > 0 else float("nan")
            residual = recoveries - rate * compensation if mean_c > 0 else recoveries
            rate_se = (residual.std(ddof=1) / np.sqrt(residual.size) / mean_c
                       if mean_c > 0 and residual.size > 1 else float("nan"))
            rows[party] = {"compensation": mean_c, "recoveries": mean_r,
                           "compensation_rate": mean_c / volume if volume > 0 else float("nan"),
                           "recovery_rate": rate, "loss_rate": 1 - rate,
                           "rate_se": rate_se}
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=[
            "compensation", "recoveries", "compensation_rate", "recovery_rate", "loss_rate",
            "rate_se"])
        return frame.rename_axis("party")

    def exceedance(self, thresholds: Iterable[float], confidence: float = 0.95) -> pd.DataFrame:
        """P(loss > threshold) per party and threshold, with standard error and Wilson bounds.

        Returns a tidy frame: ``party``, ``threshold``, ``probability``, ``se``, ``lower``,
        ``upper``.
        """
        records = []
        for name in self.losses.columns:
            values = self.losses[name].to_numpy()
            for threshold in thresholds:
                est = self._probability(values, threshold, confidence)
                records.append({"party": name, "threshold": threshold, "probability": est.value,
                                "se": est.se, "lower": est.lower, "upper": est.upper})
        return pd.DataFrame.from_records(records)

    def summary_document(self) -> dict[str, Any]:
        """The metadata (versions, seed, block size, scenario hash, ...) and every summary
        table (and the timeline's, when there is one), as ``summary.json`` holds them."""
        timeline = {} if self.timeline is None else {"timeline": self.timeline.document()}
        return {**summary_document(self), **timeline}

    def to_json(self) -> str:
        """:meth:`summary_document` as JSON text (what ``risksim run --format json`` prints)."""
        return json.dumps(self.summary_document(), indent=2, default=json_default)

    def save(self, directory: str | Path) -> list[Path]:
        """Write ``summary.json``, the losses (CSV; Parquet too when pyarrow is installed), the
        rules' indicators (``indicators.csv``) and the fees (``fees.csv``) when there are any,
        and the timeline's tables (``timeline_*.csv``) when there is one.

        Each file is written under a temporary name and renamed when complete.

        Returns
        -------
        list of Path
            The files written.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        written = [write_atomically(directory / LOSSES_CSV,
                                 self.losses.to_csv)]
        if _has_pyarrow():
            written.append(write_atomically(directory / LOSSES_PARQUET, self.losses.to_parquet))
        for frame, name in ((self.indicators, INDICATORS_CSV), (self.fees, FEES_CSV)):
            if len(frame.columns):
                written.append(write_atomically(directory / name, frame.to_csv))
        if self.timeline is not None:
            written += self.timeline.save(directory)
        if self.weights is not None:
            written.append(write_atomically(directory / WEIGHTS_CSV,
                                            self.weights.to_frame().to_csv))
        document = {**self.summary_document(), "files": [p.name for p in written]}
        text = json.dumps(document, indent=2, default=json_default)
        written.append(write_atomically(directory / SUMMARY_FILE,
                                     lambda p: Path(p).write_text(text + "\n", "utf-8")))
        return written


def _summarize(frame: pd.DataFrame, levels: list[float], confidence: float,
               weights: np.ndarray | None = None,
               replicates: int | None = None) -> pd.DataFrame:
    """The measures of :func:`risksim.measures.summarize` (weighted: of
    :func:`~risksim.measures.weighted_summarize`) for each column of ``frame``.

    With quasi-Monte Carlo ``replicates`` R, the point estimates use every simulation and
    the errors come from the R independent scramblings: for EL, SD and ES, se = s_R/√R with
    s_R the standard deviation of the R replicate estimates; VaR's bounds are VaR ± z·s_R/√R.
    """
    rows = {name: _row(frame[name].to_numpy(), weights, levels, confidence)
            for name in frame.columns}
    if replicates is not None and len(frame) >= 2 * replicates:
        z = measures._z(confidence)
        replicate = np.arange(len(frame)) % replicates
        for name in frame.columns:
            values = frame[name].to_numpy()
            estimates = pd.DataFrame([
                _row(values[replicate == r], None if weights is None
                     else weights[replicate == r], levels, confidence)
                for r in range(replicates)])
            spread = estimates.std(ddof=1) / np.sqrt(replicates)
            row = rows[name]
            for key in ("EL", "SD", *(f"ES_{level:g}" for level in levels)):
                row[f"{key}_se"] = float(spread[key])
            for level in levels:
                key = f"VaR_{level:g}"
                row[f"{key}_lo"] = row[key] - z * float(spread[key])
                row[f"{key}_hi"] = row[key] + z * float(spread[key])
    return pd.DataFrame.from_dict(rows, orient="index")


def _row(values: np.ndarray, weights: np.ndarray | None, levels: list[float],
         confidence: float) -> dict[str, float]:
    if weights is None:
        return measures.summarize(values, levels, confidence)
    return measures.weighted_summarize(values, weights, levels, confidence)


def load_result(directory: str | Path) -> Result:
    """Read a result written by :meth:`Result.save` (Parquet when present and readable)."""
    directory = Path(directory)
    summary_path = directory / SUMMARY_FILE
    if not summary_path.is_file():
        raise InputError(f"no {SUMMARY_FILE} here: not a saved result", source=str(directory))
    try:
        document = json.loads(summary_path.read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", source=str(summary_path),
                         line=exc.lineno) from None
    files = document.get("files", [])
    if (directory / LOSSES_PARQUET).is_file() and _has_pyarrow():
        losses = pd.read_parquet(directory / LOSSES_PARQUET)
    else:
        losses = pd.read_csv(directory / LOSSES_CSV, index_col="simulation", **_EXACT_FLOATS)
    indicators, fees = (
        pd.read_csv(directory / name, index_col="simulation", **_EXACT_FLOATS)
        if name in files else pd.DataFrame(index=losses.index)
        for name in (INDICATORS_CSV, FEES_CSV))
    timeline = None
    if "timeline" in document:
        from risksim.timeline.result import TimelineResult

        timeline = TimelineResult.load(directory, document["timeline"])
    weights = (pd.read_csv(directory / WEIGHTS_CSV, index_col="simulation", **_EXACT_FLOATS)
               ["weight"] if WEIGHTS_CSV in files else None)
    for key in ("summary", "layer_summary", "probabilities", "fee_summary", "recovery_summary",
                "files", "result_format", "timeline"):
        document.pop(key, None)
    return Result(losses=losses, indicators=indicators, fees=fees, metadata=document,
                  weights=weights, timeline=timeline)


def _has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
