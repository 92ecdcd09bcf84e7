"""Every scenario of the registry through every contract check (tests/contracts/checks.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.contracts import checks
from tests.contracts.registry import REGISTRY, scenario

NAMES = sorted(REGISTRY)


@pytest.fixture(scope="module", params=NAMES)
def replayed(request: pytest.FixtureRequest) -> checks.Replayed:
    # module-scoped and parametrized: pytest runs every ledger check of one scenario, then
    # drops its events and ledger before the next (one scenario's at a time in memory)
    return checks.Replayed.of(scenario(request.param))


def test_every_loss_is_paid_exactly_once(replayed: checks.Replayed) -> None:
    checks.every_loss_paid_exactly_once(replayed)


def test_no_layer_pays_beyond_its_terms(replayed: checks.Replayed) -> None:
    checks.no_layer_pays_beyond_its_terms(replayed)


def test_the_simulation_is_its_ledger(replayed: checks.Replayed) -> None:
    checks.simulation_is_its_ledger(replayed)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_serial_and_process_give_the_same_bits(name: str) -> None:
    checks.serial_equals_process(scenario(name))


@pytest.mark.parametrize("name", NAMES)
def test_a_saved_result_reads_back(name: str, tmp_path: Path) -> None:
    checks.save_and_load(scenario(name), tmp_path / "result")


@pytest.mark.parametrize("name", NAMES)
def test_streaming_is_within_its_stated_error(name: str) -> None:
    checks.streaming_within_its_error(scenario(name))


@pytest.mark.parametrize("name", NAMES)
def test_the_timeline_dates_the_allocation(name: str) -> None:
    checks.timeline_totals_are_the_allocation(scenario(name))


@pytest.mark.parametrize("name", NAMES)
def test_more_coverage_never_raises_the_lenders_loss(name: str) -> None:
    checks.more_coverage_never_raises_the_lenders_loss(scenario(name))


@pytest.mark.parametrize("name", NAMES)
def test_a_higher_pd_never_lowers_the_expected_gross_loss(name: str) -> None:
    checks.higher_pd_never_lowers_expected_gross_loss(scenario(name))
