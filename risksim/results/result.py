"""Result of a simulation: per-simulation losses per party, measures, files.

``Result.losses`` has one row per simulation and one column per party plus ``gross``, in the
scenario's currency, net of recoveries, over the horizon. ``Result.summary()`` gives EL, SD,
VaR and ES per party, each with its Monte Carlo error.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from risksim.errors import InputError
from risksim.results.base import ResultBase, computed_once
from risksim.stats import measures
from risksim.stats.exceedance import exceedance, run_mean
from risksim.stats.influence import CapitalRelief, capital_relief, measure_names
from risksim.stats.replicates import replicate_labels, replicate_means
from risksim.util.files import write_atomically, write_csv

if TYPE_CHECKING:
    from risksim.results.timeline import TimelineResult

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

    @computed_once
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


@dataclass(frozen=True, eq=False)
class Result(ResultBase):
    """Losses of every simulation, with what produced them.

    Attributes
    ----------
    losses : pandas.DataFrame
        One row per simulation (index ``simulation``), columns ``gross`` then each party.
    indicators : pandas.DataFrame
        One row per simulation, one column per indicator recorded by the rules:
        ``<layer>.cap_rate_binds``, ``<layer>.annual_budget_binds``, ``<layer>.suspended``,
        ``<layer>.fund_exhausted`` (1.0 or 0.0) and ``<layer>.fund_exhausted_year`` (1-based,
        NaN when the fund lasted), ``<layer>.insolvent``, ``<layer>.capital_used`` (money)
        and, with a leverage limit, ``<layer>.max_leverage``, ``<layer>.leverage_year_<k>``
        and ``<layer>.leverage_breach`` (see :meth:`guarantor_summary`).
    fees : pandas.DataFrame
        One row per simulation, one column per fee: the amount paid (scenario currency);
        who pays and who receives each fee is in ``metadata["fees"]``. Fees are cash flows
        beside the losses, never netted into them.
    metadata : Mapping
        Scenario name, source and hash, currency, seed, number of simulations, levels,
        block size and stream version, backend, fees, and package versions; ``sampling``
        for runs with quasi-Monte Carlo or importance sampling. A quasi-Monte Carlo run
        (``sampling["qmc_replicates"]`` = R, simulation s in replicate s mod R) takes every
        standard error and band of its summaries from the spread of the R replicate
        estimates (:func:`~risksim.stats.measures.replicate_estimate`) when N ≥ 2R.
    weights : pandas.Series or None
        Importance-sampling runs: the likelihood-ratio weight of each simulation (the model's
        density over the sampling density of its draws). Every measure, error band and
        probability of the result weights the simulations by it, and so does every plot of
        it (:mod:`risksim.present.plots`); None for plain runs.
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
    def loss_columns(self) -> list[str]:
        """``gross`` and each party: the columns of :attr:`losses`."""
        return list(self.losses.columns)

    @property
    def n_sims(self) -> int:
        """Number of simulations."""
        return len(self.losses)

    @computed_once
    def summary(self, levels: Sequence[float] | None = None,
                confidence: float = 0.95) -> pd.DataFrame:
        """EL, SD, VaR and ES per party (rows ``gross`` then each party), with errors.

        Columns: ``EL``, ``EL_se``, ``SD``, ``SD_se`` and per level L ``VaR_L``,
        ``VaR_L_lo``, ``VaR_L_hi`` (order-statistic confidence bounds at ``confidence``),
        ``ES_L``, ``ES_L_se``. Amounts in the scenario's currency. Under quasi-Monte Carlo
        (R replicates, N ≥ 2R) every error comes from the spread of the R replicate
        estimates: se = sd(θ̂_1, …, θ̂_R)/√R, VaR bounds VaR ± z·se.
        """
        return _summarize(self.losses, self.levels if levels is None else list(levels),
                          confidence, self._weights, self._replicates).rename_axis("party")

    @computed_once
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
        return qmc_replicates(self.metadata)

    def _exceedance(self, values: np.ndarray, thresholds: Sequence[float],
                    confidence: float) -> list[measures.Estimate]:
        """P(value > x) at each threshold x, weighted and with replicate errors as this run
        asks (:func:`risksim.stats.exceedance.exceedance`)."""
        return exceedance(values, thresholds, confidence, self._weights,
                          self._replicate_labels(values.size))

    def _replicate_labels(self, n: int) -> np.ndarray | None:
        """:func:`replicate_labels` of this result's n simulations."""
        return replicate_labels(n, self._replicates)

    @computed_once
    def probabilities(self, confidence: float = 0.95) -> pd.DataFrame:
        """Probability of each 0/1 indicator (a cap binds, a trigger fires, a pool runs dry).

        One row per indicator: ``probability`` p (share of simulations; weighted under
        importance sampling, (1/N) Σ w_i 1{indicator_i}), its standard error ``se`` and
        bounds ``lower``, ``upper`` at ``confidence``:

        * plain Monte Carlo: se = √(p(1−p)/N) and Wilson score bounds;
        * importance sampling: se = sd(w_i 1{indicator_i})/√N, bounds p ± z·se;
        * quasi-Monte Carlo (R replicates, N ≥ 2R): se = sd(p_1, …, p_R)/√R with p_r the
          (weighted) share of replicate r's simulations, bounds p ± z·se
          (:func:`~risksim.stats.measures.replicate_estimate`);

        bounds clipped to [0, 1].
        """
        rows = {}
        for name in self.indicators.columns:
            values = self.indicators[name].to_numpy()
            if np.isin(values, (0.0, 1.0)).all():
                [est] = self._exceedance(values, [0.5], confidence)
                rows[name] = {"probability": est.value, "se": est.se, "lower": est.lower,
                              "upper": est.upper}
        frame = pd.DataFrame.from_dict(rows, orient="index",
                                       columns=["probability", "se", "lower", "upper"])
        return frame.rename_axis("indicator")

    @computed_once
    def fee_summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """Expected amount of each fee with its standard error and bounds, payer and payee.

        ``expected`` = (1/N) Σ w_i F_i (money; w_i = 1 without importance sampling), ``se``
        = sd(w_i F_i)/√N, or under quasi-Monte Carlo (R replicates, N ≥ 2R) sd(F̄_1, …,
        F̄_R)/√R with F̄_r the same mean over replicate r's simulations; bounds
        ``lower``, ``upper`` = expected ± z·se.
        """
        rows = {}
        for name in self.fees.columns:
            values = self.fees[name].to_numpy()
            est = run_mean(values, confidence, self._weights, self._replicate_labels(values.size))
            parties = self.metadata.get("fees", {}).get(name, {})
            rows[name] = {"payer": parties.get("payer"), "payee": parties.get("payee"),
                          "expected": est.value, "se": est.se, "lower": est.lower,
                          "upper": est.upper}
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=[
            "payer", "payee", "expected", "se", "lower", "upper"])
        return frame.rename_axis("fee")

    @computed_once
    def recovery_summary(self) -> pd.DataFrame:
        """Compensation and recovery in the Chinese definitions (DOMAIN §6), per party.

        From the ``<party>.compensation``, ``<party>.recoveries`` and ``<party>.released``
        indicators (scenarios with a ``recoveries`` section): expected compensation C (代偿,
        the party's share of each defaulted loan's principal,
        :mod:`risksim.rules.compensation`), recoveries R and guarantees released G (loans
        matured or defaulted, :class:`~risksim.rules.compensation.ReleasedGuarantees`),
        money over the horizon; the compensation rate 代偿率 = E[C] ÷ E[G] with its standard
        error ``compensation_rate_se``; the recovery rate 代偿回收率 = E[R] ÷ E[C] and the
        loss rate 代偿损失率 = 1 − E[R] ÷ E[C], with ``rate_se``. Each ratio of means X/Y
        has the delta-method standard error √(Var(X − ρY)/N)/E[Y], ρ = E[X]/E[Y] (X, Y
        weighted by w_i under importance sampling); under quasi-Monte Carlo (R replicates,
        N ≥ 2R) it comes from the replicates instead: sd(ρ_1, …, ρ_R)/√R with ρ_r = X̄_r/Ȳ_r
        the ratio of the (weighted) means over replicate r's simulations; NaN when some
        replicate's Ȳ_r is 0 (its ratio is undefined).
        """
        rows = {}
        weights = 1.0 if self._weights is None else self._weights
        for party in self.metadata.get("guaranteed_volume", {}):
            compensation, recoveries, released = (
                weights * self.indicators[f"{party}.{what}"].to_numpy()
                for what in ("compensation", "recoveries", "released"))
            rate, rate_se = self._ratio(recoveries, compensation)
            compensation_rate, compensation_rate_se = self._ratio(compensation, released)
            rows[party] = {"compensation": compensation.mean(), "recoveries": recoveries.mean(),
                           "released": released.mean(), "compensation_rate": compensation_rate,
                           "compensation_rate_se": compensation_rate_se,
                           "recovery_rate": rate, "loss_rate": 1 - rate, "rate_se": rate_se}
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=[
            "compensation", "recoveries", "released", "compensation_rate",
            "compensation_rate_se", "recovery_rate", "loss_rate", "rate_se"])
        return frame.rename_axis("party")

    def _ratio(self, numerator: np.ndarray, denominator: np.ndarray) -> tuple[float, float]:
        """mean(numerator) ÷ mean(denominator) and its standard error (:meth:`_ratio_se`);
        NaN for a denominator of mean 0, and for the error of a single simulation."""
        mean = denominator.mean()
        if mean <= 0:
            return float("nan"), float("nan")
        rate = float(numerator.mean() / mean)
        return rate, (self._ratio_se(numerator, denominator, rate) if numerator.size > 1
                      else float("nan"))

    @computed_once
    def guarantor_summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """Capital and leverage of every layer with capital (issue 13.5), one row per layer.

        From the layer's indicators (:class:`~risksim.rules.limits.Capital`) and its terms
        in ``metadata["capital"]``: ``capital`` (money) and ``leverage_limit``;
        ``p_insolvent`` and ``p_leverage_breach``, each with its standard error ``_se`` (as
        in :meth:`probabilities`); the capital consumed over the horizon, its mean
        ``capital_used`` with ``capital_used_se`` and at each level L ``capital_used_L``
        with order-statistic bounds ``_lo``, ``_hi`` (as VaR in :meth:`summary`); and the
        leverage λ (liability of outstanding guarantees ÷ net assets, inf once the capital
        is gone): ``max_leverage`` over the horizon and ``leverage_year_k`` at the end of
        each year k, each as its median (``_median``) and its quantile at each level L
        (``_L``), the smallest λ with (weighted) share of simulations ≤ λ at least L.
        """
        levels = self.levels
        probabilities = self.probabilities(confidence)
        rows = {}
        for layer, terms in self.metadata.get("capital", {}).items():
            row: dict[str, float] = {"capital": terms["capital"],
                                     "leverage_limit": terms["leverage_limit"] or np.nan}
            for key, indicator in (("p_insolvent", "insolvent"),
                                   ("p_leverage_breach", "leverage_breach")):
                estimate = probabilities.reindex([f"{layer}.{indicator}"]).to_numpy(float)[0]
                row[key], row[f"{key}_se"] = float(estimate[0]), float(estimate[1])
            used = _summarize(self.indicators[[f"{layer}.capital_used"]], levels, confidence,
                              self._weights, self._replicates).iloc[0]
            row["capital_used"], row["capital_used_se"] = used["EL"], used["EL_se"]
            for level in levels:
                for suffix in ("", "_lo", "_hi"):
                    row[f"capital_used_{level:g}{suffix}"] = used[f"VaR_{level:g}{suffix}"]
            leverage = [c for c in self.indicators.columns if c.startswith(f"{layer}.")
                        and (c.endswith(".max_leverage") or ".leverage_year_" in c)]
            for column in leverage:
                name = column[len(layer) + 1:]
                values = self.indicators[column].to_numpy()
                for label, level in (("median", 0.5), *((f"{q:g}", q) for q in levels)):
                    row[f"{name}_{label}"] = float(np.quantile(
                        values, level, method="inverted_cdf", weights=self._weights))
            rows[layer] = row
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("layer")

    def _ratio_se(self, numerator: np.ndarray, denominator: np.ndarray, rate: float) -> float:
        """Standard error of the ratio of means ``rate`` = mean(numerator) ÷ mean(denominator)
        > 0 (weighted values): from the replicates' own ratios under quasi-Monte Carlo
        (NaN when a replicate's denominator is 0), else by the delta method (see
        :meth:`recovery_summary`)."""
        labels = self._replicate_labels(numerator.size)
        if labels is None:
            residual = numerator - rate * denominator
            return float(residual.std(ddof=1) / np.sqrt(residual.size) / denominator.mean())
        replicate_denominators = replicate_means(denominator, labels)
        if not (replicate_denominators > 0).all():
            return float("nan")
        return measures.replicate_estimate(
            rate, replicate_means(numerator, labels) / replicate_denominators).se

    @computed_once
    def capital_relief(self, levels: Sequence[float] | None = None) -> pd.DataFrame:
        """The lender's economic capital alone and under the scheme, from the simulated tail.

        One row per measure M (``VaR_<a>`` then ``ES_<a>`` at each level a): the capital
        K = M − EL of the gross loss (the lender bearing it alone, column ``alone``) and of
        the lender's loss under the scheme (``with_scheme``), the relief K_alone − K_scheme
        and its rate (K_alone − K_scheme) ÷ K_alone, each with its standard error (the
        relief's paired: both are measured on the same simulations,
        :func:`risksim.stats.influence.capital_relief`). Unlike the Basel substitution figure
        (:mod:`risksim.analysis.capital`) it sees every cap, budget and trigger of the scheme.

        Empty when the run has no lender with other parties beside it (``metadata["lender"]``),
        or weights its simulations (importance sampling, quasi-Monte Carlo): the influence
        errors are those of plain Monte Carlo.
        """
        lender = self.metadata.get("lender")
        columns = [f.name for f in fields(CapitalRelief)]
        if (lender not in self.parties or len(self.parties) < 2 or self.weights is not None
                or self._replicates is not None or self.n_sims < 2):
            return pd.DataFrame(columns=columns).rename_axis("measure")
        chosen = self.levels if levels is None else list(levels)
        gross, retained = self.losses["gross"].to_numpy(), self.losses[lender].to_numpy()
        rows = {measure: asdict(capital_relief(gross, retained, measure))
                for measure in measure_names(chosen)[1:]}
        return pd.DataFrame.from_dict(rows, orient="index", columns=columns).rename_axis(
            "measure")

    def exceedance(self, thresholds: Iterable[float], confidence: float = 0.95) -> pd.DataFrame:
        """P(loss > threshold) per party and threshold, with standard error and bounds.

        Returns a tidy frame: ``party``, ``threshold``, ``probability``, ``se``, ``lower``,
        ``upper``; the errors as in :meth:`probabilities` (plain Monte Carlo: √(p(1−p)/N)
        and Wilson bounds; quasi-Monte Carlo with R replicates and N ≥ 2R: sd(p_1, …,
        p_R)/√R from the replicates' own exceedance shares, bounds p ± z·se in [0, 1]).
        """
        thresholds = list(thresholds)
        records = []
        for name in self.losses.columns:
            estimates = self._exceedance(self.losses[name].to_numpy(), thresholds, confidence)
            records += [{"party": name, "threshold": threshold, "probability": est.value,
                         "se": est.se, "lower": est.lower, "upper": est.upper}
                        for threshold, est in zip(thresholds, estimates, strict=True)]
        return pd.DataFrame.from_records(records)

    def summary_document(self) -> dict[str, Any]:
        """The metadata (versions, seed, block size, scenario hash, ...) and every summary
        table (the guarantors' too, and the timeline's when there is one), as
        ``summary.json`` holds them."""
        timeline = {} if self.timeline is None else {"timeline": self.timeline.document()}
        relief = json.loads(self.capital_relief().to_json(orient="index"))
        guarantors = json.loads(self.guarantor_summary().to_json(orient="index"))
        return {**summary_document(self), "capital_relief": relief,
                "guarantor_summary": guarantors, **timeline}

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
        written = [write_csv(self.losses, directory / LOSSES_CSV)]
        if _has_pyarrow():
            written.append(write_atomically(directory / LOSSES_PARQUET, self.losses.to_parquet))
        for frame, name in ((self.indicators, INDICATORS_CSV), (self.fees, FEES_CSV)):
            if len(frame.columns):
                written.append(write_csv(frame, directory / name))
        if self.timeline is not None:
            written += self.timeline.save(directory)
        if self.weights is not None:
            written.append(write_csv(self.weights.to_frame(), directory / WEIGHTS_CSV))
        document = {**self.summary_document(), "files": [p.name for p in written]}
        text = json.dumps(document, indent=2, default=json_default)
        written.append(write_atomically(directory / SUMMARY_FILE,
                                     lambda p: Path(p).write_text(text + "\n", "utf-8")))
        return written


def _summarize(frame: pd.DataFrame, levels: list[float], confidence: float,
               weights: np.ndarray | None = None,
               replicates: int | None = None) -> pd.DataFrame:
    """The measures of :func:`risksim.stats.measures.summarize` (weighted: of
    :func:`~risksim.stats.measures.weighted_summarize`) for each column of ``frame``.

    With quasi-Monte Carlo ``replicates`` R, the point estimates use every simulation and
    the errors come from the R independent scramblings: for EL, SD and ES, se = s_R/√R with
    s_R the standard deviation of the R replicate estimates; VaR's bounds are VaR ± z·s_R/√R.
    """
    rows = {name: _row(frame[name].to_numpy(), weights, levels, confidence)
            for name in frame.columns}
    labels = replicate_labels(len(frame), replicates)
    if labels is not None:
        members = [labels == r for r in range(int(labels.max()) + 1)]  # r = 0, …, R − 1
        for name in frame.columns:
            values = frame[name].to_numpy()
            estimates = pd.DataFrame([
                _row(values[member], None if weights is None else weights[member], levels,
                     confidence) for member in members])
            row = rows[name]
            for key in ("EL", "SD", *(f"ES_{level:g}" for level in levels)):
                row[f"{key}_se"] = measures.replicate_estimate(
                    row[key], estimates[key], confidence).se
            for level in levels:
                key = f"VaR_{level:g}"
                var = measures.replicate_estimate(row[key], estimates[key], confidence)
                row[f"{key}_lo"], row[f"{key}_hi"] = var.lower, var.upper
    return pd.DataFrame.from_dict(rows, orient="index")


def qmc_replicates(metadata: Mapping[str, Any]) -> int | None:
    """R of a quasi-Monte Carlo run, from its metadata (``sampling["qmc_replicates"]``),
    else None."""
    replicates = (metadata.get("sampling") or {}).get("qmc_replicates")
    return None if replicates is None else int(replicates)


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
        from risksim.results.timeline import TimelineResult

        timeline = TimelineResult.load(directory, document["timeline"])
    weights = (pd.read_csv(directory / WEIGHTS_CSV, index_col="simulation", **_EXACT_FLOATS)
               ["weight"] if WEIGHTS_CSV in files else None)
    for key in ("summary", "layer_summary", "probabilities", "fee_summary", "recovery_summary",
                "capital_relief", "files", "result_format", "timeline"):
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
