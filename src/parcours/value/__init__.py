"""Customer lifetime value: RFM on the engine, BG/NBD or Pareto/NBD + Gamma-Gamma, holdout check.

The models (pymc-marketing, about 7 s to import) load when one of their names is first used, so the stages
that only need the RFM arithmetic (the impact design, the log profile) do not pay for them.
"""

from importlib import import_module
from typing import Any

from parcours.value.rfm import CustomerValueError, rfm_summary

_FROM_ESTIMATE = ("VALUE_COLUMNS", "CustomerValue", "describe_values", "estimate_customer_value")

__all__ = [*_FROM_ESTIMATE, "CustomerValueError", "rfm_summary"]


def __getattr__(name: str) -> Any:
    if name in _FROM_ESTIMATE:
        return getattr(import_module("parcours.value.estimate"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
