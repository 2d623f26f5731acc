"""parcours: discovered customer journeys, their causal effect on lifetime value, and trigger rules."""

__version__ = "0.1.0"
