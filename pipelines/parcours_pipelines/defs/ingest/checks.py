"""Checks on the ingest: nothing lost, something left, and not too much quarantined."""

import dagster as dg
import ibis.expr.types as ir

from parcours.ingest import account_for_rows
from parcours_pipelines.resources import SettingsResource

_SUMMARY_AND_QUARANTINE = {"ingest_summary": dg.AssetIn("ingest_summary"),
                           "event_quarantine": dg.AssetIn("event_quarantine")}


@dg.asset_check(asset="event_log", blocking=True, additional_ins=_SUMMARY_AND_QUARANTINE)
def event_log_accounts_for_every_row(
    event_log: ir.Table, ingest_summary: dict, event_quarantine: ir.Table
) -> dg.AssetCheckResult:
    """Rows read = rows in the stored event log + rows in the stored quarantine + duplicates dropped, and
    the CSV files' physical lines (counted on their bytes, apart from the parse) = the lines the rows span."""
    accounting = account_for_rows(ingest_summary, event_log, event_quarantine)
    return dg.AssetCheckResult(passed=accounting.ok, metadata={
        "rows_in": accounting.rows_in, "clean": accounting.clean, "quarantined": accounting.quarantined,
        "duplicates": accounting.duplicates, "unaccounted": accounting.unaccounted,
        "lines_in_files": accounting.lines_in_files, "lines_accounted": accounting.lines_accounted,
    })


@dg.asset_check(asset="event_log", blocking=True)
def event_log_has_events(event_log: ir.Table) -> dg.AssetCheckResult:
    """At least one event survived validation."""
    n_rows = int(event_log.count().to_pyarrow().as_py())
    return dg.AssetCheckResult(passed=n_rows > 0, metadata={"rows": n_rows})


@dg.asset_check(asset="event_quarantine", additional_ins={"ingest_summary": dg.AssetIn("ingest_summary")})
def event_quarantine_is_a_small_share(ingest_summary: dict, settings: SettingsResource) -> dg.AssetCheckResult:
    """Warns when more than ``ingest.max_quarantine_share`` of the input rows were quarantined."""
    limit = settings.load().ingest.max_quarantine_share
    rows_in, quarantined = ingest_summary.get("rows_in") or 0, ingest_summary.get("quarantined") or 0
    share = quarantined / rows_in if rows_in else 0.0
    return dg.AssetCheckResult(
        passed=share <= limit, severity=dg.AssetCheckSeverity.WARN,
        metadata={"share": round(share, 6), "limit": limit},
    )


@dg.asset_check(asset="ingest_summary")
def ingest_summary_adds_up(ingest_summary: dict) -> dg.AssetCheckResult:
    """Rows read = clean + quarantined + duplicates, the quarantine's reasons add up to it, and there are no more
    customers than clean events."""
    counts = {k: ingest_summary.get(k) for k in ("rows_in", "clean", "quarantined", "duplicates", "customers")}
    if any(not isinstance(v, int) for v in counts.values()):
        return dg.AssetCheckResult(passed=False, metadata={"missing": ", ".join(k for k, v in counts.items()
                                                                               if not isinstance(v, int))})
    by_reason = sum((ingest_summary.get("by_reason") or {}).values())
    passed = (counts["rows_in"] == counts["clean"] + counts["quarantined"] + counts["duplicates"]
              and by_reason == counts["quarantined"] and counts["customers"] <= counts["clean"])
    return dg.AssetCheckResult(passed=bool(passed), metadata={**counts, "quarantined_by_reason": by_reason})


@dg.asset_check(asset="log_profile", additional_ins={"ingest_summary": dg.AssetIn("ingest_summary")})
def log_profile_describes_the_event_log(log_profile: dict, ingest_summary: dict) -> dg.AssetCheckResult:
    """The profile counts the events and customers the ingest kept, and its activities' rows add up to the events."""
    profile = {k: log_profile.get(k) for k in ("events", "customers")}
    ingest = {"events": ingest_summary.get("clean"), "customers": ingest_summary.get("customers")}
    activity_rows = sum((log_profile.get("activity_rows") or {}).values())
    passed = profile == ingest and profile["events"] is not None and activity_rows == profile["events"]
    return dg.AssetCheckResult(passed=bool(passed), metadata={
        "profile_events": profile["events"], "ingest_events": ingest["events"],
        "profile_customers": profile["customers"], "ingest_customers": ingest["customers"],
        "activity_rows": activity_rows})
