"""Process mining on journey instances: directly-follows graphs and variants on the engine."""

from parcours.mining.discovery import (
    END,
    START,
    describe_process_map,
    describe_variants,
    directly_follows,
    filter_variants,
    variants,
)
from parcours.mining.timing import timing_by_journey, timing_summary

__all__ = [
    "END",
    "START",
    "describe_process_map",
    "describe_variants",
    "directly_follows",
    "filter_variants",
    "timing_by_journey",
    "timing_summary",
    "variants",
]
