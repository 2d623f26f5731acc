import mlflow
import pytest

from parcours import tracking
from parcours.impact.figures import forest_figure
from parcours.tracking.impact import log_journey_impact

pytestmark = pytest.mark.slow  # an MLflow store per test


def test_impact_is_logged_as_params_metrics_tables_and_figures(tmp_mlflow, small_impact) -> None:
    with tracking.pipeline_run("run-impact") as run:
        log_journey_impact(small_impact, [forest_figure(small_impact.table)])
    logged = mlflow.get_run(run.info.run_id)
    findings = small_impact.table[small_impact.table.finding.fillna(False).astype(bool)]
    assert logged.data.metrics["impact.value_at_stake_of_findings"] == findings.value_at_stake.sum()
    assert not [k for k in logged.data.metrics if k.startswith(("impact.effect.", "impact.q_value."))]
    table = mlflow.load_table("impact/journey_impact.json", run_ids=[run.info.run_id])
    logged_effects = table.set_index("journey_id").effect.dropna().sort_index()
    effects = small_impact.table.set_index("journey_id").effect.dropna().sort_index()
    assert logged_effects.round(6).to_dict() == effects.round(6).to_dict()  # as JSON, to 10 decimals
    assert logged.data.metrics["impact.findings"] == small_impact.metrics["findings"]
    assert logged.data.params["impact.landmark"] == small_impact.design.landmark.isoformat()
    assert logged.data.params["impact.outcome"] == "net_revenue" and logged.data.params["impact.fdr"] == "0.05"
    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(run.info.run_id, "impact")}
    assert artifacts == {"impact/journey_impact.json", "impact/balance.json"}
    page = mlflow.artifacts.load_text(f"{logged.info.artifact_uri}/figures.html")
    assert "<section id='journey_impact'><h2>Journey impact</h2>" in page and "plotly" in page
