"""Checks on journey instances."""

import dagster as dg
import ibis.expr.types as ir

from parcours.instances import count_covered_events


@dg.asset_check(asset="journey_instances", blocking=True, additional_ins={"event_log": dg.AssetIn("event_log")})
def journey_instances_cover_every_event(journey_instances: ir.Table, event_log: ir.Table) -> dg.AssetCheckResult:
    """Every clean event belongs to exactly one journey instance."""
    covered, events = count_covered_events(journey_instances, event_log)
    return dg.AssetCheckResult(passed=covered == events, metadata={"events": events, "in_instances": covered})
