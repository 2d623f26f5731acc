"""Checks that the process map and the variants agree with the journey instances."""

import dagster as dg
import ibis.expr.types as ir

from parcours.mining import count_consistency

_INSTANCES = {"journey_instances": dg.AssetIn("journey_instances")}


@dg.asset_check(asset="process_map", additional_ins=_INSTANCES)
def process_map_starts_every_instance(process_map: ir.Table, journey_instances: ir.Table) -> dg.AssetCheckResult:
    """Every journey instance has exactly one start edge and one end edge in the process map."""
    counts = count_consistency(process_map, journey_instances, kind="map")
    return dg.AssetCheckResult(passed=len(set(counts.values())) == 1, metadata=counts)


@dg.asset_check(asset="variants", additional_ins=_INSTANCES)
def variants_cover_every_instance(variants: ir.Table, journey_instances: ir.Table) -> dg.AssetCheckResult:
    """Every journey instance follows exactly one variant, and the coverage curve ends at 1."""
    counts = count_consistency(variants, journey_instances, kind="variants")
    return dg.AssetCheckResult(passed=len(set(counts.values())) == 1, metadata=counts)
