import json

import dagster as dg
import pandas as pd
import pytest

from parcours.stages import SKIPPED
from parcours_pipelines.definitions import defs
from parcours_pipelines.defs.ingest.checks import event_log_accounts_for_every_row
from tests.pipelines.conftest import SHOP_COLUMNS, table_column

VALUE = {"customer_value", "customer_value_holdout", "journey_impact", "trigger_rules", "trigger_rule_scores",
         "journey_ranking", "journey_report"}


def _materialize(resources: dict, *, value: bool = False) -> dg.ExecuteInProcessResult:
    """The whole graph; without value and what needs it unless asked (three shop customers cannot be valued)."""
    definitions = defs()
    assets = [a for a in definitions.assets if value or not {k.to_user_string() for k in a.keys} & VALUE]
    checks = [c for c in definitions.asset_checks if value or not {k.asset_key.to_user_string()
                                                                    for k in c.check_keys} & VALUE]
    return dg.materialize([*assets, *checks], resources=resources, raise_on_error=False)


@pytest.mark.slow
def test_graph_materialises_and_only_the_quarantine_share_warns(shop_csv, run_resources, tmp_path) -> None:
    """The shop log quarantines 3 of its 11 rows on purpose, above ``ingest.max_quarantine_share``: that warning
    check must fail (it sees the share), and every other check must pass."""
    result = _materialize(run_resources([f"ingest.path={shop_csv}", *SHOP_COLUMNS]))
    assert result.success
    evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    share = next(e for e in result.get_asset_check_evaluations() if e.check_name == "event_quarantine_is_a_small_share")
    assert share.metadata["share"].value == round(3 / 11, 6) > share.metadata["limit"].value
    assert evaluations == {"event_log_accounts_for_every_row": True, "event_log_has_events": True,
                           "event_quarantine_is_a_small_share": False, "journey_instances_cover_every_event": True,
                           "process_map_starts_every_instance": True, "variants_cover_every_instance": True,
                           "journey_assignments_cover_every_instance": True, "journey_clusters_are_stable": True,
                           "ingest_summary_adds_up": True, "log_profile_describes_the_event_log": True,
                           "journey_timing_is_one_row_per_journey_with_ordered_times": True,
                           "temporal_profile_times_are_consistent": True, "temporal_deviations_exceed_their_profile": True,
                           "process_model_fits_the_variants_it_was_built_from": True,
                           "journeys_are_one_named_row_each": True, "journey_models_fit_their_journeys": True}
    out = tmp_path / "out"
    assert {p.name for p in out.iterdir() if not p.name.startswith(".")} == {
                                                "event_log.parquet", "quarantine.csv", "ingest_summary.json",
                                                "log_profile.json",
                                                "journey_instances.parquet", "process_map.csv", "variants.csv",
                                                "journey_timing.csv", "process_model", "temporal_profile.csv",
                                                "temporal_deviations.parquet", "journey_clusters.parquet",
                                                "journeys.csv", "journey_assignments.csv", "journey_models"}
    summary = json.loads((out / "ingest_summary.json").read_text())
    assert (summary["rows_in"], summary["clean"], summary["quarantined"], summary["duplicates"]) == (11, 6, 3, 2)
    quarantine = pd.read_csv(out / "quarantine.csv")
    assert quarantine[["line", "reason"]].values.tolist() == [
        [5, "missing_customer_id"], [6, "unparseable_time"], [12, "bad_revenue"]]
    instances = pd.read_parquet(out / "journey_instances.parquet")
    assert instances.journey_instance_id.tolist() == ["u1:1", "u2:1", "u2:2", "u3:1"]
    assert list(instances.tokens[1]) == ["store_visit@store", "order@store"]
    edges = pd.read_csv(out / "process_map.csv")
    assert {"source", "target", "count", "customers", "median_s", "p90_s"} <= set(edges.columns)
    visit = edges[(edges.source == "store_visit@store") & (edges.target == "order@store")].iloc[0]
    assert (visit["count"], visit.median_s) == (1, 0)  # 09:00-05:00 is 14:00Z, the time of the order
    table = pd.read_csv(out / "variants.csv")
    assert {"variant", "count", "customers", "cum_share"} <= set(table.columns) and table.cum_share.iloc[-1] == 1
    assert {p.name for p in (out / "process_model").iterdir()} == {"summary.json", "model.bpmn", "model.pnml",
                                                                  "bpmn.svg", "petri_net.svg"}
    assert (out / "process_model" / "bpmn.svg").read_text().lstrip().startswith("<?xml")
    journeys = pd.read_csv(out / "journeys.csv")
    assert {"journey_id", "name", "n_instances", "n_customers", "representative"} <= set(journeys.columns)
    assignments = pd.read_csv(out / "journey_assignments.csv")
    assert list(assignments.columns) == ["customer_id", "journey_instance_id", "journey_id", "probability"]
    assert assignments.journey_instance_id.tolist() == ["u1:1", "u2:1", "u2:2", "u3:1"]
    profile = pd.read_csv(out / "temporal_profile.csv")
    assert profile[(profile.source == "store_visit@store") & (profile.target == "order@store")].mean_s.tolist() == [0]


@pytest.mark.slow
def test_materialisation_carries_metadata_for_the_ui(shop_csv, run_resources) -> None:
    result = _materialize(run_resources([f"ingest.path={shop_csv}", *SHOP_COLUMNS]))
    materialisations = {e.asset_key.to_user_string(): e.event_specific_data.materialization.metadata
                        for e in result.get_asset_materialization_events()}
    assert materialisations["event_log"]["dagster/row_count"].value == 6
    assert "missing_customer_id" in table_column(materialisations["event_quarantine"]["by_reason"], "reason")
    assert materialisations["journey_instances"]["instances"].value == 4
    assert materialisations["process_map"]["instances"].value == 4
    assert any("store_visit@store" in v for v in table_column(materialisations["variants"]["top_variants"], "variant"))
    assert 0 < materialisations["process_model"]["log_fitness"].value <= 1
    assert materialisations["process_map"]["map"].value.startswith("![process map](data:image/png;base64,")
    assert materialisations["process_model"]["bpmn"].value.startswith("![BPMN model](data:image/png;base64,")
    assert materialisations["temporal_deviations"]["profiled_pairs"].value > 0


@pytest.mark.slow
def test_customer_value_on_three_customers_is_skipped_with_the_rule_it_breaks(shop_csv, run_resources,
                                                                             tmp_path) -> None:
    result = _materialize(run_resources([f"ingest.path={shop_csv}", *SHOP_COLUMNS]), value=True)
    assert result.success and not [e for e in result.all_events if e.is_step_failure]
    metadata = {e.asset_key.to_user_string(): e.event_specific_data.materialization.metadata
                for e in result.get_asset_materialization_events()}
    reason = metadata["customer_value"][SKIPPED].value
    assert "fewer than value.min_repeat_buyers=20" in reason and metadata["customer_value_holdout"][SKIPPED].value == reason
    assert pd.read_csv(tmp_path / "out" / "customer_value.csv").empty  # typed and empty: the header only
    impact = pd.read_csv(tmp_path / "out" / "journey_impact.csv")
    assert impact.effect.isna().all() and impact.note.notna().all() and (tmp_path / "out" / "report.html").exists()


@pytest.mark.slow
def test_an_empty_event_log_blocks_journey_instances(tmp_path, run_resources) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("customer_id,ts,activity\n,2024-01-01,view\na,never,view\n")
    result = _materialize(run_resources([f"ingest.path={path}"]))
    assert not result.success
    failed = {e.check_name for e in result.get_asset_check_evaluations() if not e.passed}
    assert "event_log_has_events" in failed
    done = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "journey_instances" not in done


def test_accounting_check_fails_when_rows_are_missing(con) -> None:
    import ibis

    events = ibis.memtable({"x": [1, 2]})
    quarantine = ibis.memtable({"x": [1]})
    summary = {"rows_in": 5, "duplicates": 1}
    result = event_log_accounts_for_every_row(event_log=events, ingest_summary=summary, event_quarantine=quarantine)
    assert not result.passed and result.metadata["unaccounted"].value == 1
