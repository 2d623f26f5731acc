import importlib

import dagster as dg
import pytest

from parcours.settings import ScheduleSettings
from parcours_pipelines.definitions import defs
from parcours_pipelines.defs import automation


def test_definitions_load() -> None:
    dg.Definitions.validate_loadable(defs())


def test_exact_asset_keys() -> None:
    keys = {key.to_user_string() for asset in defs().assets for key in asset.keys}
    assert keys == {"event_log", "event_quarantine", "ingest_summary", "log_profile", "journey_instances", "process_map", "variants",
                    "journey_timing", "process_model", "temporal_profile", "temporal_deviations",
                    "journey_clusters", "journeys", "journey_assignments", "journey_models", "customer_value",
                    "customer_value_holdout", "journey_impact", "trigger_rules", "trigger_rule_scores", "journey_ranking", "journey_report"}


def test_exact_checks() -> None:
    definitions = defs()  # checks defined apart, and checks an asset reports itself (check_specs)
    checks = {key.name for check in [*definitions.asset_checks, *definitions.assets] for key in check.check_keys}
    assert checks == {"event_log_accounts_for_every_row", "event_log_has_events",
                      "event_quarantine_is_a_small_share", "journey_instances_cover_every_event",
                      "process_map_starts_every_instance", "variants_cover_every_instance",
                      "journey_assignments_cover_every_instance", "journey_clusters_are_stable",
                      "customer_value_is_one_sane_row_per_buyer", "customer_value_holdout_error_is_small",
                      "customer_value_model_is_healthy",
                      "journey_impact_is_one_coherent_row_per_journey", "journey_impact_estimates_pass_their_checks",
                      "trigger_rules_follow_the_schema_and_their_thresholds", "trigger_rules_pass_their_backtest",
                      "journey_sizes_are_stable_between_runs", "journey_effects_are_stable_between_runs",
                      "ingest_summary_adds_up", "log_profile_describes_the_event_log",
                      "journey_timing_is_one_row_per_journey_with_ordered_times",
                      "temporal_profile_times_are_consistent", "temporal_deviations_exceed_their_profile",
                      "process_model_fits_the_variants_it_was_built_from", "journeys_are_one_named_row_each",
                      "journey_models_fit_their_journeys", "journey_ranking_is_one_row_per_journey_in_its_state",
                      "journey_report_figures_add_up", "trigger_rule_scores_say_why_each_rule_is_left_out"}


def test_every_asset_has_a_check() -> None:
    definitions = defs()
    checked = {key.asset_key for check in [*definitions.asset_checks, *definitions.assets] for key in check.check_keys}
    assets = {key for asset in definitions.assets for key in asset.keys}
    assert not {key.to_user_string() for key in assets - checked}


def test_exact_schedules_and_sensors() -> None:
    definitions = defs()
    assert {s.name for s in definitions.schedules} == {"parcours_nightly_schedule"}
    assert {s.name for s in definitions.sensors} == {"parcours_inbox_sensor", "parcours_run_stats_on_success",
                                                  "parcours_run_stats_on_failure"}


def test_schedule_follows_conf(tmp_path, monkeypatch) -> None:
    """A conf folder with its own cron and time zone: the schedule the definitions load carries them."""
    (tmp_path / "schedule.yaml").write_text("cron: 30 4 * * 1\ntimezone: Europe/Paris\n")
    monkeypatch.setenv("PARCOURS_CONF", str(tmp_path))
    try:
        importlib.reload(automation)
        schedule = next(s for s in defs().schedules if s.name == "parcours_nightly_schedule")
        assert (schedule.cron_schedule, schedule.execution_timezone) == ("30 4 * * 1", "Europe/Paris")
    finally:
        monkeypatch.undo()
        importlib.reload(automation)


def test_schedule_defaults_to_the_settings_default() -> None:
    schedule = next(s for s in defs().schedules if s.name == "parcours_nightly_schedule")
    default = ScheduleSettings()
    assert (schedule.cron_schedule, schedule.execution_timezone) == (default.cron, default.timezone)


def test_groups_are_the_defs_folders() -> None:
    groups = {spec.key.to_user_string(): spec.group_name for asset in defs().assets for spec in asset.specs}
    assert groups == {"event_log": "ingest", "event_quarantine": "ingest", "ingest_summary": "ingest",
                      "log_profile": "ingest", "journey_instances": "instances", "process_map": "mining", "variants": "mining",
                      "journey_timing": "journeys", "process_model": "mining", "temporal_profile": "journeys",
                      "temporal_deviations": "journeys", "journey_clusters": "journeys", "journeys": "journeys",
                      "journey_assignments": "journeys", "journey_models": "journeys", "customer_value": "value",
                      "customer_value_holdout": "value", "journey_impact": "impact", "trigger_rules": "triggers",
                      "trigger_rule_scores": "triggers", "journey_ranking": "report", "journey_report": "report"}


def test_every_resource_is_registered() -> None:
    assert set(defs().resources) >= {"settings", "engine", "mlflow", "io_manager"}


def test_every_launcher_names_the_code_location_parcours() -> None:
    import tomllib

    import yaml

    from parcours.paths import PROJECT_ROOT

    workspace = yaml.safe_load((PROJECT_ROOT / "pipelines" / "workspace.yaml").read_text())
    dg_project = tomllib.loads((PROJECT_ROOT / "pipelines" / "dg.toml").read_text())["project"]
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["dagster"]
    names = {workspace["load_from"][0]["python_module"]["location_name"], dg_project["code_location_name"],
             pyproject["code_location_name"]}
    assert names == {"parcours"}
    assert workspace["load_from"][0]["python_module"]["module_name"] == pyproject["module_name"]


@pytest.mark.slow
def test_loading_the_code_location_imports_no_modelling_library() -> None:
    """The UI, each step's worker and every sensor tick load the code location: the libraries that take seconds to
    import (MLflow, pymc, scikit-learn, numba, ...) load in the steps that use them."""
    import subprocess
    import sys

    heavy = ["mlflow", "pymc", "pymc_marketing", "sklearn", "numba", "pm4py", "matplotlib", "hdbscan", "plotly",
             "jinja2", "scipy", "rapidfuzz", "graphviz"]
    code = ("import sys; from parcours_pipelines.definitions import defs; defs(); "
            f"print(','.join(m for m in {heavy!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == ""


FLOW = ["ingest", "instances", "mining", "journeys", "value", "impact", "triggers", "report"]


def test_every_dependency_runs_forward_in_the_flow_of_groups() -> None:
    """The lineage reads as the flow: no asset depends on an asset of a later group, so the groups never loop."""
    graph = defs().resolve_asset_graph()
    backwards = [(parent.to_user_string(), key.to_user_string()) for key in graph.get_all_asset_keys()
                 for parent in graph.get(key).parent_keys
                 if FLOW.index(graph.get(parent).group_name) > FLOW.index(graph.get(key).group_name)]
    assert {graph.get(key).group_name for key in graph.get_all_asset_keys()} == set(FLOW) and backwards == []


def test_only_the_assets_that_report_the_ingest_counts_read_the_ingest_summary() -> None:
    """The other stages read what they need (has_revenue, has_channel) from the log profile: one edge each, not two."""
    graph = defs().resolve_asset_graph()
    readers = {key.to_user_string() for key in graph.get_all_asset_keys()
               if dg.AssetKey("ingest_summary") in graph.get(key).parent_keys}
    assert readers == {"log_profile", "journey_report"}
