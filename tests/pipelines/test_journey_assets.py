import dagster as dg
import pandas as pd
import pytest

from parcours.synthetic import generate_demo_log
from parcours_pipelines.definitions import defs
from tests.pipelines.conftest import table_column


def _journey_graph():
    definitions = defs()
    keep = {"event_log", "event_quarantine", "ingest_summary", "log_profile", "journey_instances", "variants",
            "journey_clusters", "journeys", "journey_assignments", "journey_models"}
    assets = [a for a in definitions.assets if set(k.to_user_string() for k in a.keys) <= keep]
    checks = [c for c in definitions.asset_checks if all(k.name.startswith("journey") for k in c.check_keys)]
    return assets, checks


@pytest.fixture(scope="module")
def demo_events(tmp_path_factory):
    return generate_demo_log(1_500, seed=5).write(tmp_path_factory.mktemp("demo"))["events.csv"]


@pytest.mark.slow
def test_journeys_keep_their_ids_from_one_run_to_the_next(demo_events, run_resources) -> None:
    assets, checks = _journey_graph()
    resources = run_resources([f"ingest.path={demo_events}", "journeys.bootstrap_rounds=2"])
    with dg.instance_for_test() as instance:
        first = dg.materialize([*assets, *checks], resources=resources, instance=instance)
        second = dg.materialize([*assets, *checks], resources=resources, instance=instance)
    assert first.success and second.success
    changes = [table_column(e.event_specific_data.materialization.metadata["changes"], "change")
               for r in (first, second) for e in r.get_asset_materialization_events()
               if e.asset_key.to_user_string() == "journeys"]
    assert "born" in changes[0] and "born" not in changes[1] and "kept" in changes[1]


@pytest.mark.slow
def test_unstable_journeys_warn(demo_events, run_resources, tmp_path) -> None:
    assets, checks = _journey_graph()
    result = dg.materialize([*assets, *checks], resources=run_resources(
        [f"ingest.path={demo_events}", "journeys.bootstrap_rounds=2", "journeys.min_stability=1.0"]))
    assert result.success  # a warning, not a failure
    evaluation = next(e for e in result.get_asset_check_evaluations() if e.check_name == "journey_clusters_are_stable")
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert 0 < evaluation.metadata["stability"].value < 1
    models = tmp_path / "out" / "journey_models"
    assert (models / "summary.json").exists() and any(models.glob("*.bpmn.svg"))
    assignments = pd.read_csv(tmp_path / "out" / "journey_assignments.csv")
    assert assignments.journey_id.ge(-1).all() and assignments.probability.between(0, 1).all()
