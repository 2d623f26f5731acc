"""Checks on journey impact: a coherent table, and warnings when an estimate's own checks failed."""

import dagster as dg
import ibis.expr.types as ir

from parcours.schema import JOURNEY_ID


@dg.asset_check(asset="journey_impact", blocking=True, additional_ins={"journeys": dg.AssetIn("journeys")})
def journey_impact_is_one_coherent_row_per_journey(journey_impact: ir.Table,
                                                   journeys: ir.Table) -> dg.AssetCheckResult:
    """One row per discovered journey with the contract's columns; every estimate inside its interval, its
    q-value at least its p-value, and no finding whose overlap or refutation check failed."""
    from parcours.impact import IMPACT_COLUMNS

    table = journey_impact.to_pandas()
    estimated = table[table.effect.notna()]
    problems = {
        "missing_columns": len(set(IMPACT_COLUMNS) - set(table.columns)),
        "journeys_without_a_row": len(set(journeys.journey_id.to_pandas()) - set(table.journey_id)),
        "duplicate_rows": int(table.journey_id.duplicated().sum()),
        "effects_outside_their_interval": int((~estimated.effect.between(estimated.ci_low, estimated.ci_high)).sum()),
        "q_values_below_p_values": int((estimated.q_value < estimated.p_value - 1e-12).sum()),
        "findings_with_failed_checks": int((table.finding & ~(table.overlap_ok & table.refutation_ok)).sum()),
    }
    return dg.AssetCheckResult(passed=not any(problems.values()), metadata={**problems, "rows": len(table)})


@dg.asset_check(asset="journey_impact")
def journey_impact_estimates_pass_their_checks(journey_impact: ir.Table) -> dg.AssetCheckResult:
    """Warns when an estimated journey failed overlap (trimming, balance) or refutation (placebos): its effect is
    not a finding, whatever its q-value."""
    table = journey_impact.to_pandas()
    estimated = table[table.effect.notna()]
    failed = estimated[~(estimated.overlap_ok & estimated.refutation_ok)]
    listing = failed[[JOURNEY_ID, "name", "overlap_ok", "refutation_ok", "trimmed_share", "max_smd_after",
                      "placebo_treatment_p", "placebo_outcome_p"]].round(4)
    return dg.AssetCheckResult(passed=failed.empty, severity=dg.AssetCheckSeverity.WARN, metadata={
        "estimated": len(estimated), "failed": len(failed),
        "failed_journeys": dg.MetadataValue.md(listing.to_markdown(index=False) if len(listing) else "_(none)_")})
