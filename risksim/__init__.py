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
    from risksim.analysis.compare import compare
    from risksim.analysis.contributions import contributions
    from risksim.analysis.price import PricingTerms, price
    from risksim.analysis.simulate import simulate
    from risksim.analysis.sweep import sweep, tornado
    from risksim.compile.scenario import Scenario, load_scenario
    from risksim.errors import InputError
    from risksim.portfolio import Portfolio
    from risksim.results.comparison import Comparison
    from risksim.results.contributions import Contributions
    from risksim.results.fee_curve import FeeCurve
    from risksim.results.pricing import Pricing
    from risksim.results.result import Result, load_result
    from risksim.results.sweep import Sweep

_PUBLIC = {
    "simulate": "risksim.analysis.simulate",
    "compare": "risksim.analysis.compare",
    "Comparison": "risksim.results.comparison",
    "Contributions": "risksim.results.contributions",
    "contributions": "risksim.analysis.contributions",
    "price": "risksim.analysis.price",
    "Pricing": "risksim.results.pricing",
    "FeeCurve": "risksim.results.fee_curve",
    "PricingTerms": "risksim.analysis.price",
    "sweep": "risksim.analysis.sweep",
    "Sweep": "risksim.results.sweep",
    "tornado": "risksim.analysis.sweep",
    "InputError": "risksim.errors",
    "Portfolio": "risksim.portfolio",
    "Result": "risksim.results.result",
    "load_result": "risksim.results.result",
    "Scenario": "risksim.compile.scenario",
    "load_scenario": "risksim.compile.scenario",
}
__all__ = ["Comparison", "Contributions", "FeeCurve", "InputError", "Portfolio", "Pricing",
           "PricingTerms", "Result", "Scenario", "Sweep", "compare", "contributions", "load_result",
           "load_scenario", "price", "simulate", "sweep", "tornado"]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'risksim' has no attribute '{name}'")
