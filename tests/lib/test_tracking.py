import mlflow
import pytest

from parcours import tracking

pytestmark = pytest.mark.slow  # an MLflow store per test


def test_steps_of_one_dagster_run_log_into_one_mlflow_run(tmp_mlflow) -> None:
    with tracking.pipeline_run("run-1", {"input_fingerprint": "abc"}) as first:
        tracking.log_metrics({"a": 1})
    with tracking.pipeline_run("run-1") as again:
        tracking.log_metrics({"b": 2})
    with tracking.pipeline_run("run-2") as other:
        pass
    assert first.info.run_id == again.info.run_id != other.info.run_id
    run = mlflow.get_run(first.info.run_id)
    assert run.data.metrics == {"a": 1.0, "b": 2.0}
    assert run.data.tags["dagster_run_id"] == "run-1" and run.data.tags["input_fingerprint"] == "abc"


def test_ingest_summary_is_logged_as_metrics_and_artifact(tmp_mlflow) -> None:
    summary = {"rows_in": 5, "clean": 3, "quarantined": 1, "duplicates": 1, "customers": 2,
               "by_reason": {"missing_customer_id": 1, "bad_revenue": 0}}
    with tracking.pipeline_run("run-3") as run:
        tracking.log_ingest_summary(summary)
    logged = mlflow.get_run(run.info.run_id)
    assert logged.data.metrics["quarantined.missing_customer_id"] == 1.0
    assert mlflow.artifacts.load_dict(f"{logged.info.artifact_uri}/ingest/ingest_summary.json") == summary


def test_the_experiment_is_marked_for_model_training(tmp_mlflow) -> None:
    experiment = mlflow.get_experiment_by_name("parcours-test")
    assert experiment.tags["mlflow.experimentKind"] == "custom_model_development"  # not MLflow 3's GenAI mode


def test_an_existing_experiment_is_marked_for_model_training_too(tmp_path) -> None:
    uri = f"sqlite:///{tmp_path / 'm.db'}"
    mlflow.set_tracking_uri(uri)
    try:
        mlflow.create_experiment("older", artifact_location=(tmp_path / "a").as_uri())
        tracking.configure(uri, "older")
        assert mlflow.get_experiment_by_name("older").tags["mlflow.experimentKind"] == "custom_model_development"
    finally:
        mlflow.set_tracking_uri(None)


def test_the_run_description_is_its_mlflow_note(tmp_mlflow) -> None:
    with tracking.pipeline_run("run-described") as run:
        tracking.describe_run("**events.csv**: 3 events")
    assert mlflow.get_run(run.info.run_id).data.tags["mlflow.note.content"] == "**events.csv**: 3 events"


def test_pipeline_metrics_are_read_without_changing_the_active_store(tmp_mlflow) -> None:
    with tracking.pipeline_run("run-read") as run:
        tracking.log_metrics({"value.clv_mean": 12.5})
    with tracking.pipeline_run("run-amended", {"parcours/amended_by": "report run-later"}):
        tracking.log_metrics({"journeys.coverage": 0.9})
    store = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri("sqlite:///elsewhere.db")
    try:
        assert tracking.pipeline_metrics(store, "run-read", "parcours-test") == {"value.clv_mean": 12.5}
        assert tracking.pipeline_metrics(store, "run-later", "parcours-test") == {"journeys.coverage": 0.9}
        assert tracking.pipeline_metrics(store, "no-such-run", "parcours-test") == {}
        assert mlflow.get_tracking_uri() == "sqlite:///elsewhere.db" and run.info.run_id
    finally:
        mlflow.set_tracking_uri(store)


def _bar(title: str):
    import plotly.graph_objects as go

    return go.Figure(go.Bar(x=["a", "b"], y=[1, 2]), layout={"title": title})


def _page(run) -> str:
    return mlflow.artifacts.load_text(f"{mlflow.get_run(run.info.run_id).info.artifact_uri}/figures.html")


def test_a_runs_figures_share_one_page_with_plotly_js_once_in_flow_order(tmp_mlflow) -> None:
    with tracking.pipeline_run("run-figures") as run:
        tracking.log_figures([_bar("impact forest")], "journey_impact", "Journey impact")
        tracking.log_figures([_bar("the map"), _bar("its legend")], "process_map", "Process map")
    page = _page(run)
    assert page.count("plotly.js v") == 1  # the library's banner: embedded once for three figures
    assert page.index("id='process_map'") < page.index("the map") < page.index("its legend") < page.index(
        "id='journey_impact'") < page.index("impact forest")  # the flow's order, not the order logged
    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(run.info.run_id, "figures")}
    assert artifacts == {"figures/journey_impact.json", "figures/process_map.json"}


def test_a_rebuilt_section_replaces_its_figures_on_the_page(tmp_mlflow) -> None:
    with tracking.pipeline_run("run-rebuilt") as run:
        tracking.log_figures([_bar("first sizes")], "journeys", "Discovered journeys")
        tracking.log_figures([_bar("second sizes")], "journeys", "Discovered journeys")
    page = _page(run)
    assert "second sizes" in page and "first sizes" not in page


def test_a_run_without_figures_gets_no_figures_page(tmp_mlflow) -> None:
    with tracking.pipeline_run("run-no-figures") as run:
        assert tracking.log_figures_page() is None
    assert not [a for a in mlflow.MlflowClient().list_artifacts(run.info.run_id) if a.path == "figures.html"]
