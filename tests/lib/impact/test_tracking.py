import mlflow

from parcours import tracking
from parcours.impact.figures import forest_figure
from parcours.tracking.impact import log_journey_impact


def test_impact_is_logged_as_params_metrics_tables_and_figures(tmp_mlflow, small_impact) -> None:
    with tracking.pipeline_run("run-impact") as run:
        log_journey_impact(small_impact, [forest_figure(small_impact.table)])
    logged = mlflow.get_run(run.info.run_id)
    estimated = small_impact.table[small_impact.table.effect.notna()]
    first = estimated.iloc[0]
    assert logged.data.metrics[f"impact.effect.{first.journey_id}"] == first.effect
    assert logged.data.metrics["impact.findings"] == small_impact.metrics["findings"]
    assert logged.data.params["impact.landmark"] == small_impact.design.landmark.isoformat()
    assert logged.data.params["impact.outcome"] == "net_revenue" and logged.data.params["impact.fdr"] == "0.05"
    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(run.info.run_id, "impact")}
    assert artifacts == {"impact/journey_impact.json", "impact/balance.json"}
    page = mlflow.artifacts.load_text(f"{logged.info.artifact_uri}/figures/journey_impact.html")
    assert "Journey impact" in page and "plotly" in page
