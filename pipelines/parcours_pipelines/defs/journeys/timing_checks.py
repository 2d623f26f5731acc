"""Checks on the journeys' timing and temporal profile: one row per journey, times that are consistent, and
deviations that really exceed their profile."""

import dagster as dg
import ibis.expr.types as ir

from parcours_pipelines.resources import SettingsResource


@dg.asset_check(asset="journey_timing")
def journey_timing_is_one_row_per_journey_with_ordered_times(journey_timing: ir.Table) -> dg.AssetCheckResult:
    """One row per group, conversion a share, no more customers than instances, and p10 ≤ p50 ≤ p90 of durations."""
    t = journey_timing
    bad = (t.converted.isnull() | (t.converted < 0) | (t.converted > 1) | (t.customers > t.instances)
           | (t.duration_p10_days > t.duration_p50_days) | (t.duration_p50_days > t.duration_p90_days))
    stats = t.aggregate(rows=t.count(), groups=t.group.nunique(), bad=t.count(where=bad)).to_pyarrow().to_pylist()[0]
    stats = {k: int(v or 0) for k, v in stats.items()}
    return dg.AssetCheckResult(passed=stats["rows"] == stats["groups"] and stats["bad"] == 0, metadata=stats)


@dg.asset_check(asset="temporal_profile")
def temporal_profile_times_are_consistent(temporal_profile: ir.Table) -> dg.AssetCheckResult:
    """Each step pair is seen in at least one instance, at least once per instance, with times and spreads that are
    not negative and a share of direct successions between 0 and 1."""
    t = temporal_profile
    bad = ((t.instances < 1) | (t.pairs < t.instances) | (t.mean_s < 0) | (t.median_s < 0) | (t.std_s < 0)
           | t.directly.isnull() | (t.directly < 0) | (t.directly > 1))
    stats = t.aggregate(pairs=t.count(), inconsistent=t.count(where=bad)).to_pyarrow().to_pylist()[0]
    return dg.AssetCheckResult(passed=int(stats["inconsistent"] or 0) == 0,
                               metadata={k: int(v or 0) for k, v in stats.items()})


@dg.asset_check(asset="temporal_deviations")
def temporal_deviations_exceed_their_profile(temporal_deviations: ir.Table,
                                             settings: SettingsResource) -> dg.AssetCheckResult:
    """Every instance listed has at least one step pair further than ``mining.temporal_zeta`` standard deviations
    from its journey's typical time (a pair whose typical time never varies has no such number: any change counts)."""
    zeta, t = settings.load().mining.temporal_zeta, temporal_deviations
    bad = (t.deviating_pairs < 1) | (t.max_zeta.notnull() & (t.max_zeta < zeta * (1 - 1e-9)))
    stats = t.aggregate(instances=t.count(), not_deviating=t.count(where=bad)).to_pyarrow().to_pylist()[0]
    return dg.AssetCheckResult(passed=int(stats["not_deviating"] or 0) == 0,
                               metadata={**{k: int(v or 0) for k, v in stats.items()}, "zeta": zeta})
