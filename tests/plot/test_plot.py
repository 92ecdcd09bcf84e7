"""Plots: what they draw, asserted on the matplotlib objects (no pixel baselines)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

import risksim
import risksim.present.plots as rp
from risksim.errors import InputError
from risksim.models.analytic import finite_pool_default_pmf
from risksim.stats import measures
from tests.builders import ROOT, scenario_mapping, segment, timeline_mapping

WANGCHENG = ROOT / "scenarios" / "wangcheng_patent_loan.yaml"
N_DATED = 300
POOL = {"n_loans": 300, "pd": 0.02, "rho": 0.2}
"""A homogeneous pool of loans of 1 with LGD 1: the gross loss is the number of defaults,
whose exact distribution is :func:`finite_pool_default_pmf`."""
N_SAMPLED = 4_000
DRAWN = ["gross", "bank = guarantor", "provincial_fund"]
"""The curves of a Wangcheng result (bank 40%, guarantor 40%, provincial fund 20%)."""
Z = measures._z(0.95)


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def result() -> risksim.Result:
    return risksim.simulate(WANGCHENG, n_sims=6_000, seed=3)


def _saved(ax: plt.Axes, tmp_path: Path, name: str) -> None:
    """The figure saves as a PNG of its own size in pixels, not blank."""
    path = tmp_path / f"{name}.png"
    ax.figure.savefig(path, dpi=50)
    pixels = plt.imread(path)
    width, height = ax.figure.get_size_inches() * 50
    assert np.allclose(pixels.shape[:2], (height, width), atol=1)  # whole pixels
    assert pixels[..., :3].std() > 0.01  # something is drawn on the white


def _line(ax: plt.Axes, label: str) -> plt.Line2D:
    matches = [line for line in ax.get_lines() if line.get_label() == label]
    assert len(matches) == 1, [line.get_label() for line in ax.get_lines()]
    return matches[0]


def test_exceedance_marks_var_and_es_at_their_values(result: risksim.Result,
                                                     tmp_path: Path) -> None:
    ax = result.plot.exceedance(level=0.99)
    summary = result.summary()
    # Wangcheng: the bank keeps 40% and the guarantor pays 40% of every loss, so their
    # curves would lie on each other: one curve, labelled with both
    for label in DRAWN:
        party = label.split(" = ")[0]
        curve = _line(ax, label)
        x, p = curve.get_xdata(), curve.get_ydata()
        losses = result.losses[party].to_numpy()
        assert np.all(np.diff(p) <= 0) and p.min() > 0  # a decreasing curve, log-safe
        assert p[5] == pytest.approx((losses > x[5]).mean())
        var = _line(ax, f"{label} VaR 99%")
        assert var.get_xdata()[0] == summary.loc[party, "VaR_0.99"]
        assert var.get_ydata()[0] == pytest.approx(0.01)
        assert _line(ax, f"{label} ES 99%").get_xdata()[0] == summary.loc[party, "ES_0.99"]
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "loss over the horizon (CNY m)"
    assert len(ax.collections) == len(DRAWN)  # one error band per curve
    assert [t.get_text() for t in ax.get_legend().get_texts()] == DRAWN
    _saved(ax, tmp_path, "exceedance")


def test_distribution_has_a_histogram_and_a_density_per_party(result: risksim.Result,
                                                              tmp_path: Path) -> None:
    ax = rp.distribution(result, bins=40)
    assert [line.get_label() for line in ax.get_lines()] == DRAWN[1:]
    assert len(ax.patches) == len(DRAWN[1:])  # one filled step outline each
    # the bars: each bin's share of the simulations (hand-computed with numpy)
    counts = np.histogram(result.losses["bank"], bins=40, range=ax.get_xlim())[0]
    shares = counts / len(result.losses)
    bank = ax.patches[0]
    drawn = np.unique(bank.get_path().vertices[:, 1].round(12))
    assert set(np.unique(shares.round(12))) <= set(drawn)
    assert drawn.max() == pytest.approx(shares.max(), rel=1e-12)
    # the smooth density is on the bars' scale: its area over the bins is the bins'
    # width times the mass that a Gaussian kernel density of the same losses (every one of
    # the 6,000: fewer than KDE_POINTS) puts inside them, its exact integral (scipy); the
    # drawn line is sampled at 400 points, so the trapezoid rule is within 1e-3 of it
    from scipy.stats import gaussian_kde

    line = _line(ax, "bank = guarantor")
    lower, upper = ax.get_xlim()
    width = (upper - lower) / 40
    area = np.trapezoid(line.get_ydata(), line.get_xdata()) / width
    inside = gaussian_kde(result.losses["bank"].to_numpy()).integrate_box_1d(lower, upper)
    assert area == pytest.approx(inside, rel=1e-3)
    assert ax.get_xlabel().endswith("(CNY m)") and "share of simulations" in ax.get_ylabel()
    _saved(ax, tmp_path, "distribution")


def test_tail_shares_add_up_to_one_per_band(result: risksim.Result, tmp_path: Path) -> None:
    ax = result.plot.tail_shares(bands=[0.5, 0.99])
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["0–50", "50–99", "99–100"]
    heights = np.array([bar.get_height() for bar in ax.patches]).reshape(
        len(result.parties), len(labels))
    np.testing.assert_allclose(heights.sum(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(heights[1], 0.4, rtol=1e-9)  # the guarantor's 40%
    _saved(ax, tmp_path, "tail_shares")


def test_convergence_ends_at_the_full_sample_estimate(result: risksim.Result,
                                                      tmp_path: Path) -> None:
    ax = result.plot.convergence(measure="VaR_0.95", party="bank", points=12)
    line = _line(ax, "bank VaR 95%")
    assert line.get_xdata()[-1] == len(result.losses)
    assert line.get_ydata()[-1] == result.summary().loc["bank", "VaR_0.95"]
    assert ax.get_xscale() == "log" and ax.get_ylabel() == "VaR 95% (CNY m)"
    _saved(ax, tmp_path, "convergence")
    with pytest.raises(InputError, match="unknown measure"):
        result.plot.convergence(measure="VaR99")


def _vertical_extent(band: PolyCollection, x: float) -> tuple[float, float]:
    """The lowest and highest y of a filled band's polygon at ``x``."""
    vertices = band.get_paths()[0].vertices
    at = vertices[np.isclose(vertices[:, 0], x, rtol=1e-12, atol=0), 1]
    return float(at.min()), float(at.max())


def test_bands_of_a_qmc_result_come_from_its_replicates() -> None:
    # The exceedance band is the one Result.exceedance reports at each threshold drawn,
    # and the convergence band at n = N is summary()'s EL ± z·EL_se: both from the 16
    # replicates, far narrower than the Wilson / s/√N bands of independent draws.
    scenario = scenario_mapping([segment("book", 2000, pd=0.02)], correlation=0.2)
    sampled = risksim.simulate(scenario, n_sims=4_000, seed=5, qmc=16)
    ax = sampled.plot.exceedance(parties=["gross"])
    curve = _line(ax, "gross")
    (band,) = ax.collections
    thresholds = curve.get_xdata()[::40]
    reported = sampled.exceedance(thresholds).query("party == 'gross'")
    for threshold, lower, upper in zip(thresholds, reported["lower"], reported["upper"],
                                       strict=True):
        assert _vertical_extent(band, threshold) == pytest.approx((lower, upper), rel=1e-9)
    middle = reported.iloc[np.argmin(np.abs(reported["probability"] - 0.3))]
    wilson = risksim.stats.measures.exceedance_probability(
        sampled.losses["gross"].to_numpy(), middle["threshold"])
    assert middle["upper"] - middle["lower"] < (wilson.upper - wilson.lower) / 2
    ax = sampled.plot.convergence(measure="EL", points=8)
    (band,) = ax.collections
    row = sampled.summary().loc["gross"]
    z = risksim.stats.measures._z(0.95)
    assert _vertical_extent(band, 4_000) == pytest.approx(
        (row["EL"] - z * row["EL_se"], row["EL"] + z * row["EL_se"]), rel=1e-9)


def test_plots_draw_on_the_axes_given_and_touch_no_other(result: risksim.Result) -> None:
    _, (left, right) = plt.subplots(1, 2)
    before = plt.get_fignums()
    assert rp.exceedance(result, parties=["bank"], ax=right) is right
    assert plt.get_fignums() == before and not left.get_lines()
    with pytest.raises(InputError, match="unknown party 'bnak'; did you mean 'bank'"):
        rp.distribution(result, parties=["bnak"])


@pytest.fixture(scope="module")
def comparison() -> risksim.Comparison:
    files = [ROOT / "scenarios" / f"{name}.yaml" for name in
             ("bank_alone_baseline", "china_nfgf_2242", "risk_pool_annual_cap_trigger")]
    return risksim.compare(files, n_sims=2_000, seed=2)


def test_comparison_stacks_expected_losses_to_the_gross(comparison: risksim.Comparison,
                                                        tmp_path: Path) -> None:
    ax = rp.comparison(comparison)
    parties = comparison.parties
    ends: dict[float, float] = {}
    for bar in ax.patches:
        y = round(bar.get_y() + bar.get_height() / 2, 6)
        ends[y] = max(ends.get(y, 0.0), bar.get_x() + bar.get_width())
    gross = _line(ax, "gross")
    for y, x in zip(gross.get_ydata(), gross.get_xdata(), strict=True):
        assert ends[round(y, 6)] == pytest.approx(x, rel=1e-9)
    assert list(gross.get_xdata()) == list(parties.xs("gross", level="party")["EL"])
    assert [t.get_text() for t in ax.get_yticklabels()] == list(comparison.schemes.index)
    assert ax.get_xlabel() == "EL (CNY m)"
    _saved(ax, tmp_path, "comparison")


def test_comparison_differences_carry_paired_error_bars(comparison: risksim.Comparison,
                                                        tmp_path: Path) -> None:
    ax = rp.comparison(comparison, measure="ES_0.99", difference=True, parties=["bank"])
    widths = [bar.get_width() for bar in ax.patches]
    expected = comparison.parties.xs("bank", level="party")["ES_0.99_diff"]
    assert widths == pytest.approx(list(expected))
    assert "bank_alone_baseline" in ax.get_title()
    _saved(ax, tmp_path, "comparison_difference")
    rates = rp.comparison(comparison, per_lending=True)
    lending = comparison.schemes["lending"].to_numpy()
    gross = comparison.parties.xs("gross", level="party")["EL"].to_numpy()
    np.testing.assert_allclose(_line(rates, "gross").get_xdata(), gross / lending)


def test_tornado_bars_run_from_the_base_to_each_extreme(tmp_path: Path) -> None:
    swept = risksim.sweep(risksim.load_scenario(WANGCHENG),
                          {"arrangement.layers.guarantor.share_of_loss": [0.3, 0.5],
                           "defaults.correlation": [0.1, 0.3]},
                          design="one_at_a_time", n_sims=2_000)
    frame = swept.table
    table = risksim.tornado(swept, "bank", "ES_0.999")
    ax = swept.plot.tornado(party="bank", measure="ES_0.999")
    base = table["base"].iloc[0]
    assert _line(ax, "base point").get_xdata()[0] == base
    bars = sorted(ax.patches, key=lambda bar: (-bar.get_y(), bar.get_width()))
    assert len(bars) == 2 * len(table)
    for bar in bars:
        assert bar.get_x() == pytest.approx(base)
    ends = sorted(bar.get_x() + bar.get_width() for bar in bars)
    assert ends == pytest.approx(sorted([*table["at_low"], *table["at_high"]]))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [".".join(p.split(".")[-2:]) for p in table.index]  # widest on top
    assert ax.get_xlabel() == "bank ES 99.9% (CNY m)"
    _saved(ax, tmp_path, "tornado")
    assert rp.tornado(table, currency="CNY").get_xlabel().endswith("(CNY m)")
    with pytest.raises(InputError, match="one-at-a-time"):
        rp.tornado(frame[frame["varied"] != "base"])


def test_draw_names_every_kind() -> None:
    with pytest.raises(InputError, match="unknown kind 'exceedence'; did you mean"):
        rp.draw("exceedence", pd.DataFrame())


@pytest.fixture(scope="module")
def dated() -> risksim.Result:
    """A run with a timeline: cash and NPL paths."""
    return risksim.simulate(risksim.load_scenario(timeline_mapping()), n_sims=N_DATED, seed=3,
                            timeline=True)


def _own_paths(ax: plt.Axes) -> list[plt.Line2D]:
    return [line for line in ax.get_lines() if line.get_label().startswith("simulation ")]


def _band_edges(ax: plt.Axes) -> tuple[np.ndarray, np.ndarray]:
    """The lowest and highest y of the band polygon at each of its x."""
    (band,) = ax.collections
    assert band.get_label() == "5–95% of simulations"
    vertices = band.get_paths()[0].vertices
    xs = np.unique(vertices[:, 0])
    low = np.array([vertices[vertices[:, 0] == x, 1].min() for x in xs])
    high = np.array([vertices[vertices[:, 0] == x, 1].max() for x in xs])
    return low, high


def test_cash_paths_show_the_band_the_median_own_paths_and_the_lowest_cash(
        dated: risksim.Result, tmp_path: Path) -> None:
    assert dated.timeline is not None
    ax = dated.plot.cash_paths()  # default: the guarantor, the party with limited cash
    table = dated.timeline.cash.xs("guarantor", level="party")
    median = _line(ax, "median")
    np.testing.assert_array_equal(median.get_xdata(), table.index.to_numpy())
    np.testing.assert_array_equal(median.get_ydata(), table["q50"].to_numpy())
    low, high = _band_edges(ax)
    np.testing.assert_allclose(low, table["q05"].to_numpy())
    np.testing.assert_allclose(high, table["q95"].to_numpy())
    own = _own_paths(ax)
    assert [line.get_label() for line in own] == [f"simulation {k}" for k in range(5)]
    kept = dated.timeline.paths.xs("guarantor", level="party")["cash"]
    np.testing.assert_array_equal(own[3].get_ydata(), kept.xs(3, level="simulation"))
    assert all(line.get_linewidth() < median.get_linewidth() for line in own)
    assert list(_line(ax, "zero").get_ydata()) == [0, 0]
    marker = _line(ax, "lowest cash")
    lowest = dated.timeline.summary().loc["guarantor", "min_cash_q05"]
    assert marker.get_ydata()[0] == pytest.approx(lowest)
    assert 0 <= marker.get_xdata()[0] <= table.index.max()
    horizon = _line(ax, "end of the horizon")  # recoveries come after the 24 months
    assert horizon.get_xdata()[0] == 24 < table.index.max()
    assert ax.get_ylabel() == "cash at month end (CNY k)"
    assert ax.get_xlabel() == "months from the start of the horizon (30/360)"
    assert "Cash of guarantor" in ax.get_title() and f"{N_DATED} simulations" in ax.get_title()
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[:3] == ["median", "5–95% of simulations", "5 simulations' own paths"]
    assert any(t.startswith("lowest cash, 5% quantile: ") and t.endswith(" CNY k")
               for t in texts)
    _saved(ax, tmp_path, "cash_paths")


def test_cash_paths_of_a_chosen_party_and_number_of_paths(dated: risksim.Result) -> None:
    _, (left, right) = plt.subplots(1, 2)
    before = plt.get_fignums()
    assert rp.cash_paths(dated, party="bank", paths=50, ax=right) is right
    assert plt.get_fignums() == before and not left.get_lines()
    assert len(_own_paths(right)) == 20  # all the paths kept, no more
    assert "Cash of bank" in right.get_title()
    assert not _own_paths(rp.cash_paths(dated, paths=0))
    with pytest.raises(InputError, match="unknown party 'bnak'; did you mean 'bank'"):
        rp.cash_paths(dated, party="bnak")


def test_npl_paths_show_the_tolerance_line(dated: risksim.Result, tmp_path: Path) -> None:
    assert dated.timeline is not None
    ax = dated.plot.npl_paths(paths=3)
    table = dated.timeline.npl_ratio
    np.testing.assert_array_equal(_line(ax, "median").get_ydata(), table["q50"].to_numpy())
    low, high = _band_edges(ax)
    np.testing.assert_allclose(low, table["q05"].to_numpy())
    np.testing.assert_allclose(high, table["q95"].to_numpy())
    own = _own_paths(ax)
    assert len(own) == 3
    kept = dated.timeline.npl_paths["ratio"].xs(1, level="simulation")
    np.testing.assert_array_equal(own[1].get_ydata(), kept.to_numpy())
    breach = dated.timeline.npl_summary()["breach_probability"]
    assert breach is not None and 0 < breach < 1
    tolerance = _line(ax, f"tolerance 4.5% (overall 1.5% + 3 pp); P(a month above) "
                          f"{breach:.1%}")
    assert list(tolerance.get_ydata()) == pytest.approx([0.045, 0.045])
    assert ax.get_ylim()[0] == 0 and ax.get_ylim()[1] > 0.045
    assert ax.yaxis.get_major_formatter()(0.05, 0).startswith("5")
    assert ax.yaxis.get_major_formatter()(0.05, 0).endswith("%")
    assert ax.get_ylabel() == "lender's NPL ratio at month end"
    assert ax.get_xlim() == (0, 24)
    assert tolerance.get_label() in [t.get_text() for t in ax.get_legend().get_texts()]
    _saved(ax, tmp_path, "npl_paths")


def test_npl_paths_without_a_tolerance_draw_no_line() -> None:
    result = risksim.simulate(risksim.load_scenario(timeline_mapping(tolerance=False)),
                              n_sims=100, seed=3, timeline=True)
    ax = rp.npl_paths(result)
    assert not [line for line in ax.get_lines() if line.get_label().startswith("tolerance")]
    assert len(_own_paths(ax)) == 5


def test_timeline_plots_need_a_timeline() -> None:
    result = risksim.simulate(risksim.load_scenario(timeline_mapping()), n_sims=50, seed=3)
    for draw in (result.plot.cash_paths, result.plot.npl_paths):
        with pytest.raises(InputError, match="no timeline") as error:
            draw()
        assert "timeline=True" in str(error.value) and "\n" not in str(error.value)


def test_a_saved_timeline_draws_the_same(dated: risksim.Result, tmp_path: Path) -> None:
    dated.save(tmp_path / "run")
    loaded = risksim.load_result(tmp_path / "run")
    assert dated.timeline is not None and loaded.timeline is not None
    for table in ("cash", "npl_ratio", "paths", "npl_paths"):
        pd.testing.assert_frame_equal(getattr(loaded.timeline, table),
                                      getattr(dated.timeline, table), rtol=1e-12)
    assert loaded.timeline.metadata["npl_threshold"] == 0.045
    for name in ("cash_paths", "npl_paths"):
        before, after = (getattr(r.plot, name)() for r in (dated, loaded))
        assert [line.get_label() for line in after.get_lines()] == [
            line.get_label() for line in before.get_lines()]
        for old, new in zip(before.get_lines(), after.get_lines(), strict=True):
            np.testing.assert_allclose(np.asarray(new.get_xydata()),
                                       np.asarray(old.get_xydata()), rtol=1e-12)
        np.testing.assert_allclose(_band_edges(after), _band_edges(before), rtol=1e-12)


# --- importance-sampled results: every plot shows the weighted (model) distribution ---------


def _pool_scenario(**segment_options: object) -> risksim.Scenario:
    """:data:`POOL`, a guarantor paying 40% of each loss and the bank the rest (segment
    options replace the pool's, e.g. a random LGD)."""
    options = {"pd": POOL["pd"], **segment_options}
    layers = [{"party": "guarantor", "share_of_loss": 0.4}, {"party": "bank", "residual": True}]
    if "annual_budget" in options:
        layers[0]["annual_budget"] = options.pop("annual_budget")
    return risksim.load_scenario(scenario_mapping(
        [segment("pool", int(POOL["n_loans"]), **options)],  # type: ignore[arg-type]
        correlation=POOL["rho"], layers=layers))


@pytest.fixture(scope="module")
def sampled() -> risksim.Result:
    """An importance-sampling run of the pool, aimed at its 99% tail."""
    result = risksim.simulate(_pool_scenario(), n_sims=N_SAMPLED, seed=5, tail_level=0.99)
    assert result.weights is not None
    return result


def _exact_exceedance(thresholds: np.ndarray) -> np.ndarray:
    """P(D > x) of the pool's number of defaults D, exactly."""
    pmf = finite_pool_default_pmf(int(POOL["n_loans"]), POOL["pd"], POOL["rho"])
    above = np.append(pmf[::-1].cumsum()[::-1][1:], 0.0)  # above[k] = P(D > k)
    return above[np.floor(thresholds).astype(int)]


def test_the_exceedance_curve_of_an_importance_sampled_run_is_the_weighted_one(
        sampled: risksim.Result, tmp_path: Path) -> None:
    # The curve, its band and the markers are what the result reports, weighted by the
    # likelihood ratios: Result.exceedance (p = (1/N) Σ w_i 1{L_i > x}, p ± z·sd(w_i 1{L_i >
    # x})/√N) and summary()'s weighted VaR and ES. The plain share of simulations above x,
    # the sampling distribution's, is what the old code drew.
    ax = sampled.plot.exceedance(parties=["gross", "guarantor"], level=0.99)
    summary = sampled.summary(levels=[0.99])
    for number, party in enumerate(("gross", "guarantor")):
        curve = _line(ax, party)
        thresholds, p = curve.get_xdata(), curve.get_ydata()
        reported = sampled.exceedance(thresholds).query("party == @party")
        np.testing.assert_allclose(p, reported["probability"], rtol=1e-9)
        band = ax.collections[number]
        for threshold, lower, upper in zip(thresholds[::20], reported["lower"][::20],
                                           reported["upper"][::20], strict=True):
            assert _vertical_extent(band, threshold) == pytest.approx((lower, upper),
                                                                      rel=1e-9)
        assert _line(ax, f"{party} VaR 99%").get_xdata()[0] == summary.loc[party, "VaR_0.99"]
        es = _line(ax, f"{party} ES 99%")
        assert es.get_xdata()[0] == summary.loc[party, "ES_0.99"]
        assert es.get_ydata()[0] == pytest.approx(float(sampled.exceedance(
            [es.get_xdata()[0]]).query("party == @party")["probability"].iloc[0]), rel=1e-9)
    # importance sampling reaches probabilities far below 1/N; the axis shows them
    lowest = _line(ax, "gross").get_ydata().min()
    assert lowest < 0.01 / N_SAMPLED and ax.get_ylim()[0] <= lowest
    _saved(ax, tmp_path, "exceedance_weighted")


def test_the_weighted_exceedance_curve_finds_the_model_tail(sampled: risksim.Result) -> None:
    # At the pool's exact 99.9% quantile of the number of defaults, the plotted curve is
    # the exact P(D > x) within 4 of its standard errors, and agrees with a plain run of
    # 10x the simulations within 4 combined standard errors. The unweighted share of the
    # importance sample (what the old plot drew) is tens of standard errors off.
    curve = _line(sampled.plot.exceedance(parties=["gross"]), "gross")
    thresholds = curve.get_xdata()
    target = float(np.flatnonzero(_exact_exceedance(np.arange(POOL["n_loans"] + 1)) <= 1e-3)[0])
    assert target in thresholds
    plotted = float(curve.get_ydata()[np.flatnonzero(thresholds == target)[0]])
    exact = float(_exact_exceedance(np.array([target]))[0])
    se = float(sampled.exceedance([target]).query("party == 'gross'")["se"].iloc[0])
    assert 0 < se < exact / 5  # far tighter than plain sampling's √(p(1 − p)/N) ≈ p/2
    assert abs(plotted - exact) <= 4 * se
    plain = risksim.simulate(_pool_scenario(), n_sims=10 * N_SAMPLED, seed=6)
    assert plain.weights is None
    reference = plain.exceedance([target]).query("party == 'gross'").iloc[0]
    combined = float(np.hypot(se, reference["se"]))
    assert abs(plotted - reference["probability"]) <= 4 * combined
    unweighted = float((sampled.losses["gross"].to_numpy() > target).mean())
    unweighted_se = np.sqrt(unweighted * (1 - unweighted) / N_SAMPLED)
    assert abs(unweighted - reference["probability"]) > 20 * np.hypot(unweighted_se,
                                                                      reference["se"])


def _bar_heights(ax: plt.Axes, bins: int) -> np.ndarray:
    """The bar heights of the first stepfilled histogram: the outline runs (x0, 0), (x0,
    h0), (x1, h0), (x1, h1), …"""
    vertices = ax.patches[0].get_xy()
    return np.asarray(vertices[1:2 * bins:2, 1], dtype=np.float64)


def test_the_histogram_of_an_importance_sampled_run_is_weighted(sampled: risksim.Result
                                                                ) -> None:
    # Bars: (1/N) Σ w_i 1{L_i in bin}, adding up to (1/N) Σ w_i over every loss; the line:
    # the weighted kernel density times the bin width and that mass.
    gross = sampled.losses["gross"].to_numpy()
    assert sampled.weights is not None
    weights = sampled.weights.to_numpy()
    mass = weights.sum() / N_SAMPLED
    assert abs(mass - 1) > 1e-3  # so the sum below tells weighted bars from shares
    bins = 30
    ax = rp.distribution(sampled, parties=["gross"], bins=bins, upper=float(gross.max()))
    heights = _bar_heights(ax, bins)
    assert heights.sum() == pytest.approx(mass, rel=1e-6)
    expected, edges = np.histogram(gross, bins=bins, range=(0.0, gross.max()),
                                   weights=weights / N_SAMPLED)
    np.testing.assert_allclose(heights, expected, rtol=1e-6, atol=1e-12)
    from scipy.stats import gaussian_kde

    line = _line(ax, "gross")
    density = gaussian_kde(gross, weights=weights)(line.get_xdata())
    np.testing.assert_allclose(line.get_ydata(), density * (edges[1] - edges[0]) * mass,
                               rtol=1e-9)
    assert ax.get_ylabel().startswith("probability")


def test_convergence_of_an_importance_sampled_run_is_the_weighted_estimate(
        sampled: risksim.Result) -> None:
    # At each n: the weighted mean of the first n losses, (1/n) Σ w_i L_i, ± z·sd(w_i L_i)/√n;
    # at N, summary()'s weighted VaR.
    ax = sampled.plot.convergence(measure="EL", points=8)
    line = _line(ax, "gross EL")
    (band,) = ax.collections
    assert sampled.weights is not None
    gross, weights = sampled.losses["gross"].to_numpy(), sampled.weights.to_numpy()
    for n, value in zip(line.get_xdata(), line.get_ydata(), strict=True):
        est = measures.weighted_mean(gross[:n], weights[:n])
        assert value == pytest.approx(est.value, rel=1e-12)
        assert _vertical_extent(band, n) == pytest.approx((est.lower, est.upper), rel=1e-9)
    assert line.get_ydata()[-1] == pytest.approx(sampled.summary().loc["gross", "EL"],
                                                 rel=1e-12)
    var = _line(sampled.plot.convergence(measure="VaR_0.99", points=4), "gross VaR 99%")
    assert var.get_ydata()[-1] == sampled.summary().loc["gross", "VaR_0.99"]


def test_tail_shares_of_an_importance_sampled_run_use_the_weighted_tail() -> None:
    # A guarantor paying 40% of each loss up to 8 a year: its share of the gross loss falls
    # in the tail. The band above the 99% quantile holds the simulations above summary()'s
    # weighted VaR 99% (a continuous LGD: no ties), each weighted by w_i.
    result = risksim.simulate(_pool_scenario(lgd={"beta": {"mean": 0.5, "sd": 0.2}},
                                             annual_budget=8.0),
                              n_sims=3_000, seed=5, tail_level=0.99)
    assert result.weights is not None
    ax = result.plot.tail_shares(parties=["guarantor"], bands=[0.9, 0.99])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0–90", "90–99", "99–100"]
    heights = [bar.get_height() for bar in ax.patches]
    gross, weights = result.losses["gross"].to_numpy(), result.weights.to_numpy()
    guarantor = result.losses["guarantor"].to_numpy()
    var = result.summary(levels=[0.9, 0.99]).loc["gross"]
    tail = gross > var["VaR_0.99"]
    middle = (gross > var["VaR_0.9"]) & ~tail
    for rows, height in ((middle, heights[1]), (tail, heights[2])):
        expected = (weights[rows] * guarantor[rows]).sum() / (weights[rows] * gross[rows]).sum()
        assert height == pytest.approx(expected, rel=1e-9)
    assert heights[2] < 0.35  # the budget binds in the tail


def test_bands_of_an_importance_sampled_qmc_result_come_from_its_weighted_replicates(
        ) -> None:
    # Quasi-Monte Carlo and importance sampling at once: the band at each threshold is
    # p ± z·sd(p_1, …, p_R)/√R, p_r the weighted share of replicate r (Result.exceedance).
    both = risksim.simulate(_pool_scenario(), n_sims=2_000, seed=5, qmc=8, tail_level=0.99)
    assert both.weights is not None
    ax = both.plot.exceedance(parties=["gross"])
    curve = _line(ax, "gross")
    (band,) = ax.collections
    thresholds = curve.get_xdata()[::15]
    reported = both.exceedance(thresholds).query("party == 'gross'")
    np.testing.assert_allclose(curve.get_ydata()[::15], reported["probability"], rtol=1e-9)
    for threshold, lower, upper in zip(thresholds, reported["lower"], reported["upper"],
                                       strict=True):
        assert _vertical_extent(band, threshold) == pytest.approx((lower, upper), rel=1e-9)


def test_a_saved_importance_sampled_run_draws_the_same(sampled: risksim.Result,
                                                       tmp_path: Path) -> None:
    sampled.save(tmp_path / "run")
    loaded = risksim.load_result(tmp_path / "run")
    assert loaded.weights is not None
    for kind in ("exceedance", "distribution", "convergence"):
        before, after = (getattr(r.plot, kind)() for r in (sampled, loaded))
        assert len(after.get_lines()) == len(before.get_lines())
        for old, new in zip(before.get_lines(), after.get_lines(), strict=True):
            np.testing.assert_allclose(np.asarray(new.get_xydata()),
                                       np.asarray(old.get_xydata()), rtol=1e-12)


def test_fee_curve_points_are_the_tables_with_their_bands(tmp_path: Path) -> None:
    scenario = ROOT / "scenarios" / "wangcheng_patent_loan.yaml"
    with pytest.warns(UserWarning, match="above its fee ceiling"):
        curve = risksim.price(scenario, "guarantor", terms=risksim.PricingTerms(
            base="guaranteed"), target="solvency:0.01", capital_amount=2.0e7, n_sims=1_000,
            seed=2, sweep={"arrangement.layers.guarantor.share_of_loss": [0.5, 0.3, 0.4]})
    ax = curve.plot.fee_curve()
    book = curve.book().sort_values("arrangement.layers.guarantor.share_of_loss")
    x = book["arrangement.layers.guarantor.share_of_loss"].to_numpy()
    lines = {line.get_label(): line for line in ax.lines}
    for name, label in (("break_even", "break-even"), ("risk_adjusted", "risk-adjusted"),
                        ("target", "target")):
        assert np.array_equal(lines[label].get_xdata(), x)
        assert np.array_equal(lines[label].get_ydata(), book[name].to_numpy())
    # the bands: ± 1.96 se around break-even, the target's own band
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 3
    top = bands[0].get_paths()[0].vertices[:, 1]
    z = 1.959963984540054
    assert np.allclose(top.max(), (book["break_even"] + z * book["break_even_se"]).max())
    target_band = bands[2].get_paths()[0].vertices[:, 1]
    assert np.isclose(target_band.max(), book["target_upper"].max())
    assert lines["fee ceiling 1% (x: above it)"].get_ydata()[0] == 0.01
    _saved(ax, tmp_path, "fee_curve")
    # risksim plot draws it from the CSV the command line writes
    out = tmp_path / "curve.csv"
    curve.save(out)
    from click.testing import CliRunner

    from risksim.cli.commands import main

    result = CliRunner().invoke(main, ["plot", str(out)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "fee-curve.png").is_file()
    drawn = rp.fee_curve(risksim.FeeCurve.load(out), fees=["target"])
    assert np.allclose(drawn.lines[0].get_ydata(), book["target"].to_numpy(), rtol=1e-12)
    with pytest.raises(InputError, match="unknown fee 'cost'"):
        rp.fee_curve(curve, fees=["cost"])


def test_parties_with_different_losses_are_never_merged(tmp_path: Path) -> None:
    # the guarantor's share moved to 41%: its losses now differ from the bank's (39%) in
    # every simulation with a loss, so each keeps its own curve
    text = WANGCHENG.read_text(encoding="utf-8")
    path = tmp_path / "wangcheng_41.yaml"
    path.write_text(text.replace("{party: guarantor, share_of_loss: 0.40}",
                                 "{party: guarantor, share_of_loss: 0.41}"), encoding="utf-8")
    other = risksim.simulate(path, n_sims=2_000, seed=3)
    labels = [t.get_text() for t in other.plot.exceedance().get_legend().get_texts()]
    assert labels == ["gross", *other.parties]


def _error_bar_halves(ax: plt.Axes) -> list[float]:
    """Half the width of every horizontal error bar drawn (money), sorted (a bar of a party
    a scheme lacks has no segment)."""
    from matplotlib.collections import LineCollection

    halves = [abs(segment[1][0] - segment[0][0]) / 2 for collection in ax.collections
              if isinstance(collection, LineCollection) for segment in collection.get_segments()
              if len(segment) == 2]
    return sorted(halves)


def test_comparison_absolute_bars_carry_their_error_bars(comparison: risksim.Comparison
                                                         ) -> None:
    # ± z·se of each party present, z = 1.96 at 95%: the measure's own Monte Carlo error
    ax = rp.comparison(comparison, measure="ES_0.99", parties=["bank", "pool"])
    table = comparison.parties
    present = table.loc[table.index.get_level_values("party").isin(["bank", "pool"])]
    assert _error_bar_halves(ax) == pytest.approx(sorted(Z * present["ES_0.99_se"]))
    stacked = rp.comparison(comparison)  # EL: each party's error at its segment's end
    parties = table.drop(index="gross", level="party")
    assert _error_bar_halves(stacked) == pytest.approx(sorted(Z * parties["EL_se"]))


def test_rates_per_lending_name_each_schemes_horizon(comparison: risksim.Comparison) -> None:
    ax = rp.comparison(comparison, per_lending=True)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        f"{name} (3 years)" for name in comparison.schemes.index]  # all three: 3-year books
    assert "over each scheme's horizon" in ax.get_xlabel()


def test_tornado_bars_carry_the_sweeps_error_bars() -> None:
    swept = risksim.sweep(risksim.load_scenario(WANGCHENG),
                          {"defaults.correlation": [0.1, 0.3]}, design="one_at_a_time",
                          n_sims=2_000)
    table = risksim.tornado(swept, "bank", "ES_0.99")
    ax = swept.plot.tornado(party="bank", measure="ES_0.99")
    assert _error_bar_halves(ax) == pytest.approx(
        sorted(Z * table[["se_low", "se_high"]].to_numpy().ravel()))
    chosen = swept.table[(swept.table["party"] == "bank")
                         & (swept.table["measure"] == "ES_0.99")]
    assert table["se_high"].iloc[0] == chosen.loc[chosen["value"].idxmax(), "se"]
    legend = ax.get_legend()
    assert legend.get_bbox_to_anchor().x0 >= ax.get_window_extent().x1 - 1  # beside the bars


@pytest.mark.parametrize(("text", "lines"), [
    # width 10: "aaaa bbbb" is 9 wide, with " cc" it would be 12
    ("aaaa bbbb cc", ["aaaa bbbb", "cc"]),
    ("abcdefghijklmn", ["abcdefghij", "klmn"]),  # no space: broken where it must
    ("银行担保公司基金", ["银行担保公", "司基金"]),  # CJK characters are two wide
    ("", [])])
def test_long_names_wrap_and_are_never_cut(text: str, lines: list[str]) -> None:
    from risksim.present.plots.frame import wrapped

    assert wrapped(text, 10) == lines


def test_a_long_scenario_name_is_shown_whole(tmp_path: Path) -> None:
    name = ("Wangcheng patent-pledge loans under the guarantor 40% + provincial fund 20% "
            "scheme with the national fund's re-guarantee")
    mapping = scenario_mapping([segment(count=50)])
    mapping["name"] = name
    ax = risksim.simulate(mapping, n_sims=500).plot.exceedance()
    shown = ax.get_title().split("\n")
    assert " ".join(shown[1:]).startswith(name) and "…" not in ax.get_title()
    _saved(ax, tmp_path, "long_title")
