"""The clean event log, the quarantine and the ingest summary, from one read of the event files."""

from collections.abc import Iterator

import dagster as dg
import ibis.expr.types as ir

from parcours.engine import materialise
from parcours.ingest import describe_input, describe_log, ingest_events, resolve_input
from parcours_pipelines.metadata import counts_table, facts_table, table_metadata, table_value
from parcours_pipelines.resources import EngineResource, MlflowResource, SettingsResource
from parcours_pipelines.runs import FINGERPRINT_TAG, input_tags, tag_run


@dg.multi_asset(
    outs={
        "event_log": dg.AssetOut(
            description="One row per clean, stitched, de-duplicated event in the canonical columns.",
            metadata={"parcours/file": "event_log.parquet"}, kinds={"duckdb", "parquet"}, code_version="1",
        ),
        "event_quarantine": dg.AssetOut(
            description="Input rows that could not be used: original values, file, line and reason.",
            metadata={"parcours/file": "quarantine.csv"}, kinds={"duckdb", "csv"}, code_version="1",
        ),
        "ingest_summary": dg.AssetOut(
            description="Where every input row went (clean, quarantined by reason, duplicate) and what was read.",
            metadata={"parcours/file": "ingest_summary.json"}, kinds={"json"}, code_version="1",
        ),
    },
    group_name="ingest",
)
def ingested_events(
    context: dg.AssetExecutionContext, settings: SettingsResource, engine: EngineResource, mlflow: MlflowResource
) -> Iterator[dg.Output]:
    """Read, validate, stitch and de-duplicate the event files."""
    from parcours.tracking import log_ingest_summary

    conf = settings.load()
    path, ingest_settings = resolve_input(conf.ingest)
    context.log.info(f"reading {describe_input(path)}")
    result = ingest_events(engine.connection(), ingest_settings, path)
    summary = result.summary.to_dict()
    context.log.info(f"{summary['rows_in']:,} rows: {summary['clean']:,} clean, "
                     f"{summary['quarantined']:,} quarantined, {summary['duplicates']:,} duplicates")
    tags = {**input_tags(conf), FINGERPRINT_TAG: summary["fingerprint"]}
    tag_run(context, tags)  # whoever launched the run (CLI, UI, schedule, sensor): the runs list shows what it read
    with mlflow.run_for(context, tags):
        log_ingest_summary(summary)
    events = materialise(engine.connection(), result.events, "events")  # the preview, count and file read it
    yield dg.Output(events, "event_log", metadata=table_metadata(events, "event_log"))
    yield dg.Output(result.quarantine, "event_quarantine", metadata={
        **table_metadata(result.quarantine, "event_quarantine"),
        "by_reason": counts_table(summary["by_reason"], "reason"),
    })
    yield dg.Output(summary, "ingest_summary", metadata={
        **{k: summary[k] for k in ("rows_in", "clean", "quarantined", "duplicates", "customers")},
        "by_reason": counts_table(summary["by_reason"], "reason"),
        "examples": _examples(summary["examples"]),
        "input_fingerprint": summary["fingerprint"],
    })


@dg.asset(group_name="ingest", kinds={"duckdb", "json"}, code_version="1",
          metadata={"parcours/file": "log_profile.json"})
def log_profile(context: dg.AssetExecutionContext, event_log: ir.Table, ingest_summary: dict,
                settings: SettingsResource, mlflow: MlflowResource) -> dg.Output:
    """What the log holds (customers, span, gaps, activities, money, channels, conversions) and the auto settings
    resolved from it, each with its reason."""
    from parcours.tracking import log_params

    profile = describe_log(event_log, ingest_summary, settings.load())
    with mlflow.run_for(context):
        log_params({f"resolved.{r['setting']}": r["value"] for r in profile["resolved"]})
    return dg.Output(profile, metadata={
        "profile": facts_table(profile["facts"]),
        "resolved_settings": facts_table(
            [(r["setting"], f"{r['value']} ({r['reason']})") for r in profile["resolved"]]),
        **{k: profile[k] for k in ("events", "customers", "span_days", "id_type", "has_revenue", "has_channel")},
    })


def _examples(examples: dict) -> dg.MetadataValue:
    """The first quarantined rows of each reason, as one table (the reason in each row)."""
    import pandas as pd

    rows = [row for reason_rows in examples.values() for row in reason_rows]
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return table_value(pd.DataFrame(rows, columns=columns).astype("string"), "event_quarantine")
