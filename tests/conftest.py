"""Shared fixtures and the hypothesis profile."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from tests.builders import B1_SCENARIO

# CI explores the same hypothesis examples on every run (a failure there is reproducible);
# local runs keep drawing new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def b1_scenario_path() -> Path:
    """The benchmark book B1's scenario file."""
    return B1_SCENARIO
