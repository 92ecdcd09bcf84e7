"""Recovery sharing: the order of operations of :mod:`risksim.rules.recoveries` on
hand-worked books (PD 1, fixed LGD, to the yuan), and its conservation, limits and
monotonicity as properties over random payments and random schemes (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import risksim
from risksim.engine.block import replay_block
from risksim.rules.base import Ledger, LossEvents
from risksim.rules.recoveries import RecoverySharing
from tests.builders import scenario_mapping, segment
from tests.contracts.ledger import ROUNDING, every_loss_paid_once, within_terms


def _ten_loans(lgd: float, layers: list[dict], first_to: list[str]) -> risksim.Result:
    """Ten loans of 100 that all default (principal 1,000) at a fixed LGD."""
    mapping = scenario_mapping([segment("book", 10, exposure=100.0, pd=1.0, lgd=lgd)],
                               layers=layers)
    mapping["arrangement"]["recoveries"] = {"first_to": first_to}
    return risksim.simulate(mapping, n_sims=3, seed=1)


def test_nearly_recovered_large_loans_keep_conservation() -> None:
    # Issue 15: 50 loans of 100 m yuan that all default, at beta LGDs of mean 5% and sd 20%
    # (concentration 0.05·0.95/0.04 − 1 = 0.1875: many draws near 0, so losses of a few
    # yuan or less against a principal of 1e8). The guarantor pays 40% of each loss and
    # claims 4e7. The old rule computed the net as claim − recovery (two numbers of ~4e7),
    # whose rounding (~1e-8) is beyond the ledger's slack of 1e-9 on a tiny loss: the
    # ledger's own conservation guard refused the allocation ("redistributed payments do
    # not add up to the losses"). Pro rata the shares of the loss stay as the layers paid
    # them: guarantor 0.4 × gross, bank 0.6 × gross; the guarantor recovers 40% of the
    # recovery, 0.4 × (5e9 − gross).
    layers = [{"party": "guarantor", "share_of_loss": 0.4},
              {"party": "bank", "residual": True}]
    mapping = scenario_mapping(
        [segment("big", 50, exposure=1.0e8, pd=1.0, lgd={"beta": {"mean": 0.05, "sd": 0.2}})],
        layers=layers)
    mapping["arrangement"]["recoveries"] = {"first_to": []}
    result = risksim.simulate(mapping, n_sims=5, seed=1)
    gross = result.losses["gross"].to_numpy()
    assert result.losses["guarantor"].to_numpy() == pytest.approx(0.4 * gross, rel=1e-12)
    assert result.losses["bank"].to_numpy() == pytest.approx(0.6 * gross, rel=1e-12)
    assert result.indicators["guarantor.recoveries"].to_numpy() == pytest.approx(
        0.4 * (5.0e9 - gross), rel=1e-12)


def test_the_lender_may_come_first() -> None:
    # Loss 10 × 100 × 0.6 = 600, recovery 400. Guarantor 50% (no limit): claims 500, the
    # bank 500. The bank recovers first: min(500, 400) = 400, net 100; the guarantor gets
    # nothing back: net 500. Sum 600.
    result = _ten_loans(0.6, [{"party": "guarantor", "share_of_loss": 0.5},
                              {"party": "bank", "residual": True}], ["bank"])
    row = result.losses.iloc[0]
    assert (row["guarantor"], row["bank"]) == (pytest.approx(500.0), pytest.approx(100.0))
    assert result.indicators["guarantor.compensation"].iloc[0] == pytest.approx(500.0)
    assert result.indicators["guarantor.recoveries"].iloc[0] == pytest.approx(0.0, abs=1e-9)


def test_a_limited_party_keeps_its_pro_rata_recovery() -> None:
    # Loss 600, recovery 400. Layers: guarantor 40% with capital (limited) pays 240, pool
    # 20% (plain share) pays 120, bank the rest 240. Claims (share of 1,000): 400, 200, 400.
    # The bank first: the guarantor keeps its pro-rata recovery (400 − 240 = 160), net 240;
    # the pool bears min(200, 600 − 240) = 200 (recovers 0); the bank the rest,
    # min(400, 160) = 160 (recovers 240). 240 + 200 + 160 = 600; 160 + 0 + 240 = 400.
    layers = [{"party": "guarantor", "share_of_loss": 0.4, "capital": 1.0e6},
              {"party": "pool", "share_of_loss": 0.2},
              {"party": "bank", "residual": True}]
    result = _ten_loans(0.6, layers, ["bank"])
    row = result.losses.iloc[0]
    assert row["guarantor"] == pytest.approx(240.0)
    assert row["pool"] == pytest.approx(200.0)
    assert row["bank"] == pytest.approx(160.0)
    assert result.indicators["guarantor.recoveries"].iloc[0] == pytest.approx(160.0)
    assert result.indicators["pool.recoveries"].iloc[0] == pytest.approx(0.0, abs=1e-9)


def test_a_capital_limited_party_first_never_exceeds_its_capital() -> None:
    # LGD 0.8: loss 800, recovery 200. Guarantor 50% with capital 240: it would pay 400,
    # capital cuts it to 240; the bank pays 560. Claims: 1,000 × 240/800 = 300 and 700.
    # Guarantor first: the bank (pro-rata group) bears min(700, 800) = 700, the guarantor
    # the rest, min(min(300, 240), 100) = 100: it recovers 200 (the whole recovery), the
    # bank 0. Guarantor 100 <= 240, bank 700.
    layers = [{"party": "guarantor", "share_of_loss": 0.5, "capital": 240.0},
              {"party": "bank", "residual": True}]
    result = _ten_loans(0.8, layers, ["guarantor"])
    row = result.losses.iloc[0]
    assert (row["guarantor"], row["bank"]) == (pytest.approx(100.0), pytest.approx(700.0))
    assert result.indicators["guarantor.compensation"].iloc[0] == pytest.approx(300.0)
    assert result.indicators["guarantor.recoveries"].iloc[0] == pytest.approx(200.0)


def test_a_party_comes_once_in_the_order() -> None:
    mapping = scenario_mapping(layers=[{"party": "g", "share_of_loss": 0.5},
                                       {"party": "bank", "residual": True}])
    mapping["arrangement"]["recoveries"] = {"first_to": ["bank", "g", "bank"]}
    with pytest.raises(risksim.InputError,
                       match=r"recoveries\.first_to\[2\]: 'bank' comes twice"):
        risksim.load_scenario(mapping)


PARTIES = ("a", "b", "c", "bank")
Waterfall = tuple[RecoverySharing, np.ndarray, np.ndarray, np.ndarray]


@st.composite
def waterfalls(draw: st.DrawFn) -> Waterfall:
    """A rule over four parties (the bank last) with a random order and limited set, and
    per-event losses, shortfalls and pre-recovery shares of the loss (rows: parties)."""
    n = draw(st.integers(1, 8))
    order = draw(st.permutations(PARTIES))[:draw(st.integers(0, 4))]
    limited = tuple(p for p in PARTIES[:-1] if draw(st.booleans()))
    money = st.floats(0.0, 1e9)
    loss = np.array(draw(st.lists(money, min_size=n, max_size=n)))
    # the shortfall is at least the loss; it may be much larger (a nearly full recovery)
    shortfall = loss * np.array(draw(st.lists(st.floats(1.0, 1e12), min_size=n,
                                              max_size=n)))
    weights = np.array(draw(st.lists(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n),
                                     min_size=4, max_size=4)))
    return RecoverySharing(tuple(order), PARTIES, limited), loss, shortfall, weights


def _share(rule: RecoverySharing, loss: np.ndarray, shortfall: np.ndarray,
           weights: np.ndarray) -> Ledger:
    """The ledger after the layers paid ``weights / Σ weights`` of each loss (the bank the
    rest) and recoveries were shared."""
    n = loss.size
    events = LossEvents(sim=np.zeros(n, int), loan=np.arange(n), period=np.zeros(n, int),
                        year=np.zeros(n, int), loss=loss, n_sims=1, n_years=1,
                        principal=shortfall)
    ledger = Ledger(events, PARTIES)
    total = weights.sum(axis=0)
    shares = np.where(total > 0, weights / np.where(total > 0, total, 1.0), 0.0)
    for party, share in zip(PARTIES[:-1], shares[:-1], strict=True):
        ledger.pay(party, np.minimum(share * loss, ledger.unallocated))
    ledger.pay_rest("bank")
    before = {party: ledger.paid[party].copy() for party in PARTIES}
    rule.apply(ledger)
    ledger.layer_paid.update(before)  # kept for the checks below
    return ledger


@settings(max_examples=300, deadline=None, database=None)
@given(drawn=waterfalls())
def test_waterfall_conserves_and_respects_claims_and_limits(drawn: Waterfall) -> None:
    rule, loss, shortfall, weights = drawn
    ledger = _share(rule, loss, shortfall, weights)
    slack = ROUNDING * np.maximum(loss, 1.0)
    net = {party: ledger.paid[party] for party in PARTIES}
    assert (np.abs(sum(net.values()) - loss) <= slack).all()
    for party in PARTIES:
        claim = np.where(loss > 0, shortfall * ledger.layer_paid[party] / np.where(
            loss > 0, loss, 1.0), 0.0)
        assert (net[party] >= 0).all()
        assert (net[party] <= claim * (1 + ROUNDING) + slack).all()
        if party in rule.limited:  # never more than its terms allowed
            assert (net[party] <= ledger.layer_paid[party] + slack).all()
        if not rule.first_to:  # pro rata: the layers' payments unchanged
            assert (np.abs(net[party] - ledger.layer_paid[party]) <= slack).all()


@settings(max_examples=300, deadline=None, database=None)
@given(drawn=waterfalls(), party=st.sampled_from(PARTIES[:-1]), more=st.floats(0.0, 1.0))
def test_more_coverage_never_raises_the_lenders_net_loss(drawn: Waterfall, party: str,
                                                         more: float) -> None:
    # Moving part of what the bank paid before recoveries to another party (more coverage
    # from it) never raises what the bank bears after them, in any event.
    rule, loss, shortfall, weights = drawn
    richer = weights.copy()
    row = PARTIES.index(party)
    richer[row] += more * richer[-1]
    richer[-1] *= 1.0 - more
    lender = _share(rule, loss, shortfall, weights).paid["bank"]
    covered = _share(rule, loss, shortfall, richer).paid["bank"]
    assert (covered <= lender + ROUNDING * np.maximum(loss, 1.0)).all()


@st.composite
def schemes(draw: st.DrawFn) -> tuple[list[dict], dict, bool]:
    """A guarantor with random limiting terms, an optional plain pool, the bank last, and a
    random priority order (the bank may come first). Also whether the guarantor's terms are
    per event (then more coverage raises its payment on every event)."""
    share = draw(st.floats(0.05, 0.6))
    guarantor: dict = {"party": "guarantor", "share_of_loss": share}
    terms = draw(st.sets(st.sampled_from(["per_loan_cap", "annual_budget", "capital",
                                          "cap_rate"]), max_size=2))
    if "per_loan_cap" in terms:
        guarantor["per_loan_cap"] = draw(st.floats(0.01, 0.5))
    if "annual_budget" in terms:
        guarantor["annual_budget"] = draw(st.floats(0.05, 2.0))
    if "capital" in terms:
        guarantor["capital"] = draw(st.floats(0.05, 3.0))
    if "cap_rate" in terms:
        guarantor["cap_rate"] = {"rate": draw(st.floats(0.001, 0.1)), "per": "year"}
    layers = [guarantor]
    if draw(st.booleans()):
        layers.append({"party": "pool", "share_of_loss": draw(st.floats(0.0, 1.0 - share))})
    layers.append({"party": "bank", "residual": True})
    parties = [layer["party"] for layer in layers]
    order = draw(st.permutations(parties))[:draw(st.integers(0, len(parties)))]
    return layers, {"first_to": list(order)}, terms <= {"per_loan_cap"}


book = st.builds(lambda n, pd, lgd, rate: [segment(
    "book", n, exposure={"median": 1.0, "p95": 3.0}, pd=pd, lgd=lgd, tenor_years=2,
    interest_rate=rate, amortisation="instalment",
    collateral={"type": "property", "value_to_exposure": 0.5})],
                 st.integers(1, 40), st.floats(0.0, 0.5),
                 st.one_of(st.floats(0.0, 1.0), st.just({"beta": {"mean": 0.4, "sd": 0.2}})),
                 st.floats(0.0, 0.2))


def _mapping(segments: list[dict], layers: list[dict], recoveries: dict, seed: int) -> dict:
    mapping = scenario_mapping(segments, layers=layers,
                               horizon={"years": 2, "periods_per_year": 2}, seed=seed)
    mapping["portfolio"]["accrued_interest_days"] = 90.0
    mapping["arrangement"]["recoveries"] = recoveries
    return mapping


@settings(max_examples=30, deadline=None, database=None)
@given(segments=book, drawn=schemes(), seed=st.integers(0, 2**31))
def test_random_schemes_with_an_order_conserve_and_keep_their_terms(
        segments: list[dict], drawn: tuple[list[dict], dict, bool], seed: int) -> None:
    layers, recoveries, _ = drawn
    plan = risksim.load_scenario(_mapping(segments, layers, recoveries, seed)).plan
    ledger = replay_block(plan, seed, 100, 0)[1]
    every_loss_paid_once(ledger)
    within_terms(plan, ledger)  # asserts every layer's terms on what it paid
    # and what the guarantor bears in the end never exceeds what its layer paid under them
    rule = plan.rules[-1]
    assert isinstance(rule, RecoverySharing)
    slack = ROUNDING * np.maximum(ledger.events.loss, 1.0)
    if "guarantor" in rule.limited:
        assert (ledger.paid["guarantor"] <= ledger.layer_paid["guarantor"] + slack).all()


@settings(max_examples=20, deadline=None, database=None)
@given(segments=book, drawn=schemes(), seed=st.integers(0, 2**31), extra=st.floats(0.0, 0.3))
def test_random_schemes_more_per_event_coverage_never_raises_the_lenders_loss(
        segments: list[dict], drawn: tuple[list[dict], dict, bool], seed: int,
        extra: float) -> None:
    # The exact scope: the guarantor's terms are per event (a share, a per-loan cap), so a
    # larger share raises its payment on every event; the waterfall then never raises the
    # bank's loss in any simulation. (Aggregate terms cut per simulation or year and move
    # payments between events; their scope is the layers', not the recoveries'.)
    layers, recoveries, per_event = drawn
    if not per_event:
        return
    richer = [dict(layer) for layer in layers]
    taken = sum(layer.get("share_of_loss", 0.0) for layer in richer[1:-1])
    richer[0]["share_of_loss"] = min(1.0 - taken, richer[0]["share_of_loss"] + extra)
    run = [risksim.simulate(_mapping(segments, ls, recoveries, seed), n_sims=100)
           .losses["bank"].to_numpy() for ls in (layers, richer)]
    assert (run[1] <= run[0] + 1e-9 * np.maximum(run[0], 1.0)).all()
