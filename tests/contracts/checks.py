"""The contract every scenario meets, one check function each (as ``scipy.stats`` runs every
distribution through common checks). Each raises AssertionError naming what broke.

Each check was shown to fail by breaking the product on purpose; the mutation that turned
each red is named in its docstring.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import risksim
from risksim.compile.scenario import derive_scenario
from risksim.engine.block import replay_block
from risksim.scenario.timeline import TimelineSpec
from risksim.streams import BLOCK_SIZE

RTOL = 1e-9
"""Rounding allowed between two sums of the same money (relative to the larger amount)."""


def ledger_conserves(scenario: risksim.Scenario) -> None:
    """On the raw ledger of a block (event by event, before the guard that checks
    per-simulation totals): every event's loss is paid in full by the parties, nothing is
    left unallocated, and no payment is negative.

    Caught: ``Ledger.pay_rest`` paying 99% of what is left (the residual layer).
    """
    events, ledger = replay_block(scenario.plan, 7, 500, 0)
    paid = np.sum([ledger.paid[party] for party in scenario.parties], axis=0)
    slack = RTOL * np.maximum(events.loss, 1.0)
    assert (np.abs(paid - events.loss) <= slack).all(), "payments do not add up to the loss"
    assert (np.abs(ledger.unallocated) <= slack).all(), "a loss is left unallocated"
    for party in scenario.parties:
        assert (ledger.paid[party] >= -slack).all(), f"{party} pays a negative amount"


def serial_equals_process(scenario: risksim.Scenario) -> None:
    """Serial and two worker processes give the same losses, indicators and fees, bit for
    bit (two whole blocks and part of a third).

    Caught: the process backend's workers drawing block b + 1's stream for block b.
    """
    n = 2 * BLOCK_SIZE + 37
    serial = risksim.simulate(scenario, n_sims=n, seed=11)
    process = risksim.simulate(scenario, n_sims=n, seed=11, backend="process", workers=2)
    for table in ("losses", "indicators", "fees"):
        assert np.array_equal(getattr(serial, table).to_numpy(),
                              getattr(process, table).to_numpy(), equal_nan=True), table


def save_and_load(scenario: risksim.Scenario, folder: Path) -> None:
    """A saved result reads back with the same losses, indicators, fees and summary.

    Caught: ``losses.csv`` written with ``float_format="%.12g"`` (with Parquet unused).
    """
    result = risksim.simulate(scenario, n_sims=600, seed=5)
    result.save(folder)
    back = risksim.load_result(folder)
    for table in ("losses", "indicators", "fees"):
        saved, read = getattr(result, table), getattr(back, table)
        if saved.columns.empty:  # nothing of that kind: nothing written, nothing read
            assert read.columns.empty, table
            continue
        pd.testing.assert_frame_equal(read, saved, check_exact=True)
    pd.testing.assert_frame_equal(back.summary(), result.summary(), check_exact=True)


def streaming_within_its_error(scenario: risksim.Scenario) -> None:
    """A streaming run's summary is the full run's within the error it states: EL exactly
    (exact power sums, to rounding), VaR and ES within their grid error ``*_grid``.

    Caught: EL from the power sums divided by n + 1. (At 3,000 simulations the exact top
    tail holds every loss, so VaR and ES are exact here; the histogram's part is checked
    in tests/engine/test_streaming.py, on runs longer than the tail.)
    """
    n = 3_000
    full = risksim.simulate(scenario, n_sims=n, seed=9).summary()
    streamed = risksim.simulate(scenario, n_sims=n, seed=9, streaming=True).summary()
    scale = max(float(full["ES_0.999"].abs().max()), 1.0) if "ES_0.999" in full else 1.0
    for party in full.index:
        assert streamed.loc[party, "EL"] == pytest.approx(full.loc[party, "EL"], rel=RTOL,
                                                          abs=RTOL * scale), party
        for level in scenario.spec.simulation.levels:
            for measure in ("VaR", "ES"):
                key = f"{measure}_{level:g}"
                gap = abs(streamed.loc[party, key] - full.loc[party, key])
                assert gap <= streamed.loc[party, f"{key}_grid"] + RTOL * scale, (party, key)


IMMEDIATE = TimelineSpec.model_validate({
    "claim_after_days": 0, "npl_after_days": 0, "payment_lag_days": 0,
    "workout_lag": {"fixed": 0.0}})
"""No lags at all (and unlimited cash: no party states any)."""


def timeline_totals_are_the_allocation(scenario: risksim.Scenario) -> None:
    """With no lags and unlimited cash, each party's dated loss flows add up to its
    allocated loss in every simulation, every claim is paid on its default date, and each
    fee is received and paid as the engine says.

    Caught: the timeline leaving recoveries out of each party's loss flows.
    """
    spec = scenario.spec.model_copy(update={"timeline": IMMEDIATE})
    result = risksim.simulate(dataclasses.replace(scenario, spec=spec), n_sims=300, seed=4,
                              timeline=True)
    assert result.timeline is not None
    parties = list(result.parties)

    def flows(column: str) -> np.ndarray:
        assert result.timeline is not None
        return result.timeline.parties[column].unstack("party")[parties].to_numpy()

    allocated = result.losses[parties].to_numpy()
    scale = max(float(result.losses["gross"].max()), 1.0)
    np.testing.assert_allclose(-flows("loss_flows"), allocated, rtol=RTOL, atol=RTOL * scale)
    assert (flows("unpaid_at_end") == 0).all()
    assert np.nan_to_num(flows("mean_days_to_payment")).max() < 1e-9
    expected = np.zeros_like(allocated)
    for fee in scenario.plan.fees:
        amount = result.fees[fee.name].to_numpy()
        for name, sign in ((fee.payee, 1.0), (fee.payer, -1.0)):
            if name in parties:
                expected[:, parties.index(name)] += sign * amount
    np.testing.assert_allclose(flows("fee_flows"), expected, rtol=RTOL, atol=1e-6)


def more_coverage(scenario: risksim.Scenario) -> tuple[risksim.Scenario, str] | None:
    """The scenario with the share of loss of its first plain-share layer raised by up to
    10 points (staying inside the room the other shares leave), and that layer's party;
    None when it has no such layer or no room."""
    layers = scenario.spec.arrangement.layers
    plain = [i for i, layer in enumerate(layers)
             if isinstance(layer.share_of_loss, float) and layer.deposit is None]
    if not plain:
        return None
    taken = sum(float(layer.share_of_loss) for layer in layers
                if isinstance(layer.share_of_loss, float))
    raise_by = min(0.1, (1.0 - taken) / 2)
    if raise_by < 1e-6:
        return None
    data: dict[str, Any] = scenario.spec.model_dump(exclude_unset=True)
    chosen = data["arrangement"]["layers"][plain[0]]
    chosen["share_of_loss"] = round(chosen["share_of_loss"] + raise_by, 12)
    return (derive_scenario(scenario, data, f"{scenario.source} with more coverage"),
            layers[plain[0]].party)


def more_coverage_never_raises_the_lenders_loss(scenario: risksim.Scenario) -> None:
    """Raising a layer's share of loss never raises the lender's (the residual party's)
    loss in any simulation, on common random numbers.

    Caught: the share rule paying min(share, 1 − share) of each loss.
    """
    found = more_coverage(scenario)
    if found is None:
        pytest.skip("no layer with a plain share of loss and room to raise it")
    covered, _ = found
    lender = scenario.spec.arrangement.layers[-1].party
    before = risksim.simulate(scenario, n_sims=2_000, seed=13).losses
    after = risksim.simulate(covered, n_sims=2_000, seed=13).losses
    slack = RTOL * np.maximum(before["gross"].to_numpy(), 1.0)
    rise = after[lender].to_numpy() - before[lender].to_numpy()
    worst = int(np.argmax(rise))
    assert (rise <= slack).all(), (f"{lender} loses {rise[worst]:.6g} more in simulation "
                                   f"{worst} with more coverage")


def higher_pd_never_lowers_expected_gross_loss(scenario: risksim.Scenario) -> None:
    """A PD multiplied by up to 1.5 (every PD staying at most 1) never lowers the expected
    gross loss: on common random numbers the paired difference of means is above −4 of
    its standard errors (it is in distribution, not simulation by simulation, that a
    higher PD means more defaults).

    Caught: the stress's PD multiplier applied as a divisor.
    """
    current = scenario.spec.defaults.stress.pd_multiplier
    highest = float(np.max(scenario.portfolio.columns["pd"])) * current
    factor = min(1.5, 1.0 / highest) if highest > 0 else 1.5
    if factor < 1.01:
        pytest.skip("a PD is already 1: no higher PD")
    data: dict[str, Any] = scenario.spec.model_dump(exclude_unset=True)
    data.setdefault("defaults", {}).setdefault("stress", {})["pd_multiplier"] = (
        current * factor)
    riskier = derive_scenario(scenario, data, f"{scenario.source} with PD x{factor:.3g}")
    n = 2_000
    before = risksim.simulate(scenario, n_sims=n, seed=17).losses["gross"].to_numpy()
    after = risksim.simulate(riskier, n_sims=n, seed=17).losses["gross"].to_numpy()
    difference = after - before
    se = difference.std(ddof=1) / np.sqrt(n)
    assert difference.mean() >= -4 * se, (difference.mean(), se)
