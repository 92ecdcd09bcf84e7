"""Summing the events of alike loans into cells changes no allocation."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import risksim
from risksim.compile.build import compile_plan
from risksim.engine.block import allocate, draw_loss_events
from risksim.streams import block_generator
from tests.builders import scenario_mapping, segment

LAYERS = [
    {"party": "guarantor", "share_of_loss": {"by": "exposure", "bands": [
        {"up_to": 2e5, "value": 0.8}, {"value": 0.6}]}, "eligible": {"max_tenor_years": 2.5}},
    {"party": "nfgf", "share_of_layer": {"party": "guarantor", "share": 0.25},
     "cap_rate": {"rate": 0.01, "per": "year"}, "excess_to": "guarantor"},
    {"party": "pool", "share_of_loss": 0.1, "annual_budget": 3e5, "fund": {"balance": 8e5},
     "suspend_if": {"metric": "default_rate", "above": 0.06}},
    {"party": "junior", "tranche": {"attach": 0.0, "detach": 0.01}, "capital": 2e5},
    {"party": "bank", "residual": True},
]


@pytest.mark.parametrize("metric", ["default_rate", "loss_rate"])
def test_cells_allocate_exactly_as_events(metric: str) -> None:
    layers = [dict(layer) for layer in LAYERS]
    layers[2] = {**layers[2], "suspend_if": {"metric": metric, "above": 0.03}}
    segments = [segment("a", 300, exposure=1e5, pd=0.04, tenor_years=2),
                segment("b", 200, exposure=5e5, pd=0.02, tenor_years=3,
                        lgd={"beta": {"mean": 0.5, "sd": 0.2}})]
    mapping = scenario_mapping(segments, layers=layers,
                               horizon={"years": 3, "periods_per_year": 2}, correlation=0.25)
    plan = compile_plan(risksim.load_scenario(mapping))
    # two classes: segment a (80%, eligible) and segment b (ineligible: tenor 3 > 2.5)
    assert plan.class_representative is not None and plan.class_representative.size == 2
    events = draw_loss_events(plan, block_generator(4, 0), 2_000)
    by_cells = allocate(plan, events)
    by_events = allocate(dataclasses.replace(plan, loan_class=None,
                                             class_representative=None), events)
    assert np.allclose(by_cells, by_events, rtol=1e-10, atol=1e-6, equal_nan=True)
    assert by_cells[:, 5:].any()  # some cap, budget or trigger indicator fired
