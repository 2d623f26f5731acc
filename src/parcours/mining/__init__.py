"""Process mining on journey instances: directly-follows graphs and variants on the engine."""

from parcours.mining.discovery import END, START, directly_follows, filter_variants, variants

__all__ = ["END", "START", "directly_follows", "filter_variants", "variants"]
