"""risksim: Monte Carlo engine for credit risk-sharing and guarantee schemes.

>>> import risksim
>>> result = risksim.simulate(risksim.load_scenario(), n_sims=2_000)
>>> list(result.losses.columns)
['gross', 'bank', 'guarantor', 'provincial_fund']

The public names are imported on first use, so that ``import risksim`` (and the CLI's
``--help``) stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from risksim.comparison import Comparison, compare
    from risksim.engine.simulate import simulate
    from risksim.errors import InputError
    from risksim.euler import contributions
    from risksim.portfolio import Portfolio
    from risksim.pricing import Pricing, PricingTerms, price
    from risksim.results import Result, load_result
    from risksim.scenario.loader import Scenario, load_scenario
    from risksim.sweeps import sweep, tornado

_PUBLIC = {
    "simulate": "risksim.engine.simulate",
    "compare": "risksim.comparison",
    "Comparison": "risksim.comparison",
    "contributions": "risksim.euler",
    "price": "risksim.pricing",
    "Pricing": "risksim.pricing",
    "PricingTerms": "risksim.pricing",
    "sweep": "risksim.sweeps",
    "tornado": "risksim.sweeps",
    "InputError": "risksim.errors",
    "Portfolio": "risksim.portfolio",
    "Result": "risksim.results",
    "load_result": "risksim.results",
    "Scenario": "risksim.scenario.loader",
    "load_scenario": "risksim.scenario.loader",
}
__all__ = ["Comparison", "InputError", "Portfolio", "Pricing", "PricingTerms", "Result",
           "Scenario", "compare", "contributions", "load_result", "load_scenario", "price",
           "simulate", "sweep", "tornado"]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'risksim' has no attribute '{name}'")
