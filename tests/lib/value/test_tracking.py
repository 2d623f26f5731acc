import mlflow
import pandas as pd
import pytest

from parcours import tracking


@pytest.mark.slow
def test_the_registered_model_loads_and_predicts_what_the_run_published(valued, tmp_mlflow) -> None:
    """The pyfunc rebuilds the fits from its artifacts, including the settings, which the run's parameters
    (dates, the purchase model used and the ones that degenerated) must not break."""
    from parcours.tracking.value import OUTPUTS, RFM_INPUTS, load_customer_value_model, log_customer_value

    assert valued.health.healthy, valued.health.summary()
    with tracking.pipeline_run("value-run"):
        version = log_customer_value(valued, [])
    rows = valued.values.head(20)
    predicted = load_customer_value_model().predict(rows[[n for n, _ in RFM_INPUTS]])
    pd.testing.assert_frame_equal(predicted.reset_index(drop=True), rows[list(OUTPUTS)].reset_index(drop=True),
                                  rtol=1e-6)
    registered = mlflow.MlflowClient().get_model_version("parcours-clv", version)
    error = valued.metrics["holdout_purchases_error_share"]
    assert f"total error purchases {error:+.1%}" in registered.description and "healthy: aliased candidate" in (
        registered.description)
    assert float(registered.tags["holdout_purchases_error_share"]) == pytest.approx(error, rel=1e-3)
