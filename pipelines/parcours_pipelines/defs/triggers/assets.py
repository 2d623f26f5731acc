"""Trigger rules: mined on the earlier part of the journeys' period, back-tested on the later part, published."""

import dagster as dg
import ibis.expr.types as ir

from parcours.schema import JOURNEY_ID
from parcours_pipelines.metadata import numbers, table_metadata, table_value
from parcours_pipelines.resources import MlflowResource, SettingsResource

SHOWN = ["rule_id", "journey_name", "pattern", "action_label", "channel", "precision", "coverage", "support",
         "lead_time_h", "target_step", "target_lead_time_h", "expected_value", "published", "reason"]


@dg.multi_asset(
    group_name="triggers",
    outs={
        "trigger_rules": dg.AssetOut(
            description="The published rule set (versioned JSON, validated by its committed JSON Schema).",
            metadata={"parcours/file": "trigger_rules.json"}, kinds={"mlflow", "json"}, code_version="1"),
        "trigger_rule_scores": dg.AssetOut(
            description="Every rule mining kept: pattern, action, mining and back-test scores, published or why not.",
            metadata={"parcours/file": "trigger_rules.csv"}, kinds={"csv"}, code_version="1"),
    },
)
def trigger_rules(context: dg.AssetExecutionContext, event_log: ir.Table, log_profile: dict,
                  journey_instances: ir.Table, journey_assignments: ir.Table, journeys: ir.Table,
                  journey_impact: ir.Table, settings: SettingsResource, mlflow: MlflowResource):
    """Entry rules per journey (findings by default), back-tested out of time, with the suggested action; the set
    is registered as ``parcours-trigger-rules`` (``candidate``, and ``champion`` when its back-test passes)."""
    from parcours.tracking.triggers import log_trigger_rules
    from parcours.triggers import mine_trigger_rules, release_trigger_data, trigger_data

    conf = settings.load(log_profile)  # the tokens folded as the instances' were
    data = trigger_data(event_log, journey_instances, journey_assignments, conf.episodes, conf.triggers,
                        has_channel=log_profile["has_channel"])
    try:  # the events are read one group of customers at a time (parcours.triggers.data)
        rules = mine_trigger_rules(data, journeys.select(JOURNEY_ID, "name", "representative").to_pandas(),
                                   journey_impact.select(JOURNEY_ID, "effect", "finding").to_pandas(), conf.triggers,
                                   max_window_s=_gap_seconds(conf.episodes), version=f"dagster-{context.run.run_id}")
    finally:
        release_trigger_data(data)
    with mlflow.run_for(context):
        registered = log_trigger_rules(rules, conf.episodes)
    capped = {k: v for k, v in rules.document["backtest"]["capped"].items() if v is not None}
    table = rules.table.assign(lead_time_h=rules.table.lead_time_s / 3_600,
                               target_lead_time_h=rules.table.target_lead_time_s / 3_600)
    yield dg.Output(rules.document, output_name="trigger_rules", metadata={
        **numbers(rules.params), **numbers({f"backtest_{k}": v for k, v in capped.items()}), "champion": rules.champion,
        "registered_version": registered["version"], "aliases": registered["aliases"],
        "rules": table_value(table.loc[table.published, SHOWN], "trigger_rule_scores")})
    yield dg.Output(rules.table, output_name="trigger_rule_scores", metadata={
        **table_metadata(rules.table, "trigger_rule_scores"),
        "preview": table_value(table[SHOWN], "trigger_rule_scores")})


def _gap_seconds(episodes) -> float:
    """The longest window a rule may get: the inactivity gap (30 days without one)."""
    return (episodes.inactivity_gap_days or 30.0) * 86_400.0
