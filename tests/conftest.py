"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.builders import B1_SCENARIO


@pytest.fixture
def b1_scenario_path() -> Path:
    """The benchmark book B1's scenario file."""
    return B1_SCENARIO
