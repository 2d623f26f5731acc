"""Stage 5, value: customer lifetime value from RFM on the engine, BG/NBD or Pareto/NBD + Gamma-Gamma, checked on
a holdout.

The models (pymc-marketing, about 7 s to import) load when one of their names is first used
(:func:`parcours.facade.lazy_facade`), so the stages that only need the RFM arithmetic do not pay for them.
"""

from typing import TYPE_CHECKING

from parcours.facade import lazy_facade

if TYPE_CHECKING:
    from parcours.value.estimate import (
        VALUE_COLUMNS,
        CustomerValue,
        describe_values,
        empty_customer_value,
        estimate_customer_value,
    )
    from parcours.value.figures import clv_distribution_figure, holdout_figure, holdout_png
    from parcours.value.models import MODEL_NAMES
    from parcours.value.rfm import CustomerValueError, rfm_summary

__all__, __getattr__, __dir__ = lazy_facade(__name__)
