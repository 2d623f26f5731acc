"""The production deployment for real: Dagster on PostgreSQL (deploy/dagster.yaml) and MLflow behind a server."""

from __future__ import annotations

import shutil

import mlflow
import pytest
from mlflow import MlflowClient

from parcours import paths
from parcours.synthetic import generate_demo_log
from parcours_pipelines.runner import run_pipeline

pytestmark = pytest.mark.slow

MODELS = {"parcours-journey-classifier", "parcours-clv", "parcours-trigger-rules"}


@pytest.fixture(scope="module")
def production_run(postgres, mlflow_server, tmp_path_factory):
    """The whole pipeline on an 800-customer demo log, its instance in PostgreSQL, its models on the server."""
    postgres.create_database("dagster")
    home = tmp_path_factory.mktemp("production")
    (home / "dagster").mkdir()
    shutil.copy(paths.PROJECT_ROOT / "deploy" / "dagster.yaml", home / "dagster" / "dagster.yaml")
    files = generate_demo_log(800, seed=4).write(home / "demo")
    with pytest.MonkeyPatch.context() as patch:
        for key, value in {"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": str(postgres.port),
                           "DAGSTER_PG_USER": "parcours", "DAGSTER_PG_PASSWORD": "unused-with-trust-auth",
                           "DAGSTER_PG_DB": "dagster", "MLFLOW_TRACKING_URI": mlflow_server,
                           "PARCOURS_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}.items():
            patch.setenv(key, value)
        result = run_pipeline(home=home, out_dir=home / "out", overrides=[f"ingest.path={files['events.csv']}"])
    mlflow.set_tracking_uri(None)
    return result


def _query(postgres, sql: str, *args) -> list[tuple]:
    import psycopg2

    connection = psycopg2.connect(host="127.0.0.1", port=postgres.port, user="parcours", dbname="dagster")
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            return cursor.fetchall()
    finally:
        connection.close()


def test_the_run_succeeds_and_writes_the_report(production_run) -> None:
    assert production_run.success, production_run.error
    assert (production_run.out_dir / "report.html").stat().st_size > 1_000_000  # plotly.js inline


def test_the_steps_logs_are_kept_under_dagster_home(production_run) -> None:
    home = production_run.out_dir.parent
    assert list((home / "dagster" / "storage").rglob("*.out"))  # Dagster's default, not the working directory
    assert not (paths.PROJECT_ROOT / "compute_logs").exists()


def test_the_run_is_in_postgres(production_run, postgres) -> None:
    assert _query(postgres, "SELECT status FROM runs WHERE run_id = %s", production_run.run_id) == [("SUCCESS",)]


def test_the_run_is_placed_in_the_code_location_in_postgres(production_run, postgres) -> None:
    tags = _query(postgres, "SELECT value FROM run_tags WHERE run_id = %s AND key = '.dagster/repository'",
                  production_run.run_id)
    assert tags == [("__repository__@parcours",)]  # what the Timeline and the runs filter read


def test_every_asset_materialisation_is_in_postgres(production_run, postgres) -> None:
    rows = _query(postgres, "SELECT DISTINCT asset_key FROM event_logs WHERE run_id = %s AND "
                            "dagster_event_type = 'ASSET_MATERIALIZATION'", production_run.run_id)
    assert {'["journey_ranking"]', '["journey_report"]', '["trigger_rules"]', '["customer_value"]'} <= {r[0] for r in rows}


def test_the_models_are_registered_on_the_server(production_run, mlflow_server) -> None:
    client = MlflowClient(tracking_uri=mlflow_server, registry_uri=mlflow_server)
    assert {model.name for model in client.search_registered_models()} >= MODELS
    for name in MODELS - {"parcours-clv"}:
        assert "candidate" in client.get_registered_model(name).aliases
    clv = client.get_model_version("parcours-clv", "1")  # a candidate exactly when its health check passed
    assert clv.tags["healthy"] in ("true", "false") and ("candidate" in clv.aliases) == (clv.tags["healthy"] == "true")


def test_the_mlflow_run_is_tagged_and_its_artifacts_are_served(production_run, mlflow_server) -> None:
    client = MlflowClient(tracking_uri=mlflow_server)
    experiment = client.get_experiment_by_name("parcours")
    runs = client.search_runs([experiment.experiment_id])
    run = next(r for r in runs if r.data.tags.get("dagster_run_id") == production_run.run_id)
    assert run.info.artifact_uri.startswith("mlflow-artifacts:")  # through the server, not a local path
    assert {"report", "figures.html"} <= {a.path for a in client.list_artifacts(run.info.run_id)}
    mlflow.set_tracking_uri(mlflow_server)  # mlflow-artifacts: URIs resolve through the tracking server
    try:
        figures = mlflow.artifacts.load_text(f"{run.info.artifact_uri}/figures.html")
    finally:
        mlflow.set_tracking_uri(None)
    assert figures.count("<section id=") == 4 and figures.count("plotly.js v") == 1
