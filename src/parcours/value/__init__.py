"""Customer lifetime value: RFM on the engine, BG/NBD or Pareto/NBD + Gamma-Gamma, holdout check."""

from parcours.value.estimate import VALUE_COLUMNS, CustomerValue, describe_values, estimate_customer_value
from parcours.value.rfm import CustomerValueError, rfm_summary

__all__ = ["VALUE_COLUMNS", "CustomerValue", "CustomerValueError", "describe_values", "estimate_customer_value",
           "rfm_summary"]
