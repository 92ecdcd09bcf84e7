"""The default models by their scenario key ``defaults.model``: a new model is one file and
one line here; the plan and the engine reach every model through
:class:`~risksim.models.base.DefaultModel`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from risksim.models.base import DefaultModel
from risksim.models.copula import build_copula
from risksim.models.creditrisk_plus import build_creditrisk_plus
from risksim.portfolio import Portfolio
from risksim.scenario.schema import DefaultModelSpec

DEFAULT_MODELS: dict[str, Callable[[DefaultModelSpec, Portfolio], DefaultModel[Any, Any]]] = {
    "gaussian_copula": build_copula,
    "t_copula": build_copula,
    "creditrisk_plus": build_creditrisk_plus,
}
"""Builder of each model from the scenario's ``defaults`` and the loans."""


def build_default_model(spec: DefaultModelSpec,
                        portfolio: Portfolio) -> DefaultModel[Any, Any]:
    """The default model ``spec.model`` configured for ``portfolio``."""
    return DEFAULT_MODELS[spec.model](spec, portfolio)
