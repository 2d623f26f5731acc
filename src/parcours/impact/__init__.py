"""Journey impact: what being in each discovered journey does to customer value, estimated as a target trial.

The estimator (scikit-learn) loads when one of its names is first used, so the stages that only read
an effect's state (:mod:`parcours.impact.status`: the report, the CLI summary) do not pay for it.
"""

from importlib import import_module
from typing import Any

_FROM = {"IMPACT_COLUMNS": "estimate", "JourneyImpact": "estimate", "estimate_journey_impact": "estimate",
         "ImpactDesignError": "design", "TrialDesign": "design", "trial_design": "design"}

__all__ = sorted(_FROM)


def __getattr__(name: str) -> Any:
    if name in _FROM:
        return getattr(import_module(f"parcours.impact.{_FROM[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
