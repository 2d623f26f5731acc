"""Checks on the discovered journeys: every instance assigned, and journeys stable under resampling."""

import dagster as dg
import ibis.expr.types as ir
import pandas as pd

from parcours_pipelines.metadata import latest_metadata
from parcours_pipelines.resources import SettingsResource


@dg.asset_check(asset="journey_assignments", additional_ins={"journey_instances": dg.AssetIn("journey_instances")},
                blocking=True)
def journey_assignments_cover_every_instance(journey_assignments: ir.Table,
                                             journey_instances: ir.Table) -> dg.AssetCheckResult:
    """Every journey instance has exactly one journey (or the noise label)."""
    assigned = int(journey_assignments.count().execute())
    distinct = int(journey_assignments.journey_instance_id.nunique().execute())
    instances = int(journey_instances.count().execute())
    return dg.AssetCheckResult(passed=assigned == distinct == instances,
                               metadata={"assigned": assigned, "distinct": distinct, "instances": instances})


@dg.asset_check(asset="journey_clusters", additional_ins={"journeys": dg.AssetIn("journeys")})
def journey_clusters_are_stable(context: dg.AssetCheckExecutionContext, journey_clusters: ir.Table,
                                journeys: ir.Table, settings: SettingsResource) -> dg.AssetCheckResult:
    """Warns when bootstrap resamples find different journeys (adjusted Rand index below the configured level)."""
    metadata = latest_metadata(context.instance, "journey_clusters")
    stability = metadata["stability"].value if "stability" in metadata else None
    threshold = settings.load().journeys.min_stability
    passed = stability is None or pd.isna(stability) or stability >= threshold
    return dg.AssetCheckResult(passed=bool(passed), severity=dg.AssetCheckSeverity.WARN,
                               metadata={"stability": stability, "min_stability": threshold,
                                         "journeys": int(journeys.count().execute())})


@dg.asset_check(asset="journeys")
def journeys_are_one_named_row_each(journeys: ir.Table) -> dg.AssetCheckResult:
    """One row per journey id, each named, with customers, no more customers than instances, a share of the
    instances, and shares that add up to no more than the whole."""
    t = journeys
    bad = (t.name.isnull() | (t.name.length() == 0) | (t.n_customers < 1) | (t.n_customers > t.n_instances)
           | t.share.isnull() | (t.share <= 0) | (t.share > 1))
    stats = t.aggregate(rows=t.count(), ids=t.journey_id.nunique(), bad=t.count(where=bad),
                        shares=t.share.sum()).to_pyarrow().to_pylist()[0]
    rows, ids, bad_rows = (int(stats[k] or 0) for k in ("rows", "ids", "bad"))
    shares = float(stats["shares"] or 0)
    return dg.AssetCheckResult(passed=rows == ids and bad_rows == 0 and shares <= 1 + 1e-6, metadata={
        "journeys": rows, "distinct_ids": ids, "inconsistent_rows": bad_rows, "share_of_instances": round(shares, 6)})
