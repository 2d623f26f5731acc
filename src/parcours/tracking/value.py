"""The customer value models in MLflow: parameters, diagnostics, holdout metrics, the holdout chart,
and a pyfunc registered as ``parcours-clv`` (aliased ``candidate`` when the fit is healthy).

The pyfunc carries the fitted pymc-marketing models as NetCDF (their inference data) and, for a
MAP fit, the Laplace approximation; ``predict`` takes RFM rows and returns the same columns as
``customer_value.csv``: ``mlflow.pyfunc.load_model("models:/parcours-clv@candidate")``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd
from mlflow import MlflowClient
from mlflow.models import ModelSignature
from mlflow.types import ColSpec, Schema

from parcours.tracking.models import CANDIDATE, annotate_version, pinned_requirements
from parcours.value.models import MODEL_NAMES

CLV_MODEL = "parcours-clv"
RFM_INPUTS = (("customer_id", "string"), ("frequency", "long"), ("recency", "double"), ("T", "double"),
              ("monetary", "double"))
OUTPUTS = ("p_alive", "expected_purchases", "expected_spend", "clv", "clv_low", "clv_high")


class CustomerValueModel(mlflow.pyfunc.PythonModel):
    """``predict`` takes one row per customer (``customer_id``, ``frequency``, ``recency``, ``T`` in the
    model's time unit, ``monetary``) and returns ``p_alive``, ``expected_purchases``, ``expected_spend``,
    ``clv``, ``clv_low`` and ``clv_high`` over the horizon the model was published with."""

    def load_context(self, context: Any) -> None:
        """Rebuild both fits from their NetCDF files (and Laplace approximations) and read the settings."""
        from parcours.settings import ValueSettings
        from parcours.value.serialize import load_fit

        artifacts = context.artifacts
        self.settings = ValueSettings.model_validate_json(Path(artifacts["settings"]).read_text())
        self.purchases = load_fit(Path(artifacts["purchases"]), Path(artifacts["purchases_laplace"]))
        self.spend = load_fit(Path(artifacts["spend"]), Path(artifacts["spend_laplace"]))

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict | None = None) -> pd.DataFrame:
        """Predictions for each input row, in order."""
        from parcours.value.predict import predict_customers

        rfm = model_input.assign(customer_id=model_input.customer_id.astype(str))
        return predict_customers(self.purchases, self.spend, rfm, self.settings)[list(OUTPUTS)]


def log_customer_value(value: Any, figures: list[Any]) -> str:
    """Log a :class:`parcours.value.CustomerValue` to the active run and register its model.

    Logs the settings and dates as parameters; holdout errors, fit diagnostics and the CLV
    distribution as metrics; the holdout buckets as a table; ``figures`` as a section of ``figures.html``; then
    registers the pyfunc as ``parcours-clv``, tags the version with its health (``healthy``, ``health``) and,
    when it is healthy, points ``candidate`` at it: an unhealthy model is registered for inspection only.

    Returns
    -------
    str
        The registered model version.
    """
    from parcours.tracking import log_figures

    mlflow.log_params({f"value.{k}": (json.dumps(v) if isinstance(v, list) else v) for k, v in value.params.items()})
    mlflow.log_metrics({f"value.{k}": float(v) for k, v in value.metrics.items() if np.isfinite(v)})
    mlflow.log_table(value.buckets, "value/holdout_buckets.json")
    log_figures(figures, "customer_value", "Customer value")
    with tempfile.TemporaryDirectory() as tmp:
        artifacts = _write_artifacts(value, Path(tmp))
        info = mlflow.pyfunc.log_model(
            name="customer_value", python_model=CustomerValueModel(), artifacts=artifacts,
            signature=ModelSignature(inputs=Schema([ColSpec(t, n) for n, t in RFM_INPUTS]),
                                     outputs=Schema([ColSpec("double", n) for n in OUTPUTS])),
            input_example=_example(value.values), registered_model_name=CLV_MODEL,
            pip_requirements=pinned_requirements(["pymc-marketing", "pymc", "pytensor", "xarray", "h5netcdf"]))
    version = str(info.registered_model_version)
    annotate_version(CLV_MODEL, version, _description(value), {
        "healthy": bool(value.health.healthy), "health": value.health.summary(),
        "purchase_model": MODEL_NAMES.get(value.params["purchase_model_used"], value.params["purchase_model_used"]),
        **{k: value.metrics.get(k, float("nan")) for k in ("holdout_purchases_error_share",
                                                             "holdout_revenue_error_share")}})
    client = MlflowClient()
    if value.health.healthy:  # an unhealthy model is kept for inspection, never offered to use
        client.set_registered_model_alias(CLV_MODEL, CANDIDATE, version)
    return version


def _description(value: Any) -> str:
    """What the version predicts, from which data, and how it did on the holdout."""
    params, metrics = value.params, value.metrics
    purchases = MODEL_NAMES.get(params["purchase_model_used"], params["purchase_model_used"])
    errors = ", ".join(f"{what} {metrics[key]:+.1%}" for what, key in (
        ("purchases", "holdout_purchases_error_share"), ("revenue", "holdout_revenue_error_share"))
        if np.isfinite(metrics.get(key, np.nan)))
    verdict = "healthy: aliased candidate" if value.health.healthy else f"not healthy ({value.health.summary()})"
    return (f"Customer lifetime value: {purchases} for purchases and Gamma-Gamma for spend, refitted on the data up "
            f"to {params['as_of']}. Holdout from {params['landmark']} to {params['holdout_end']}, total error "
            f"{errors or 'not computed'}; {verdict}.")


def _write_artifacts(value: Any, folder: Path) -> dict[str, str]:
    from parcours.settings import ValueSettings
    from parcours.value.serialize import save_fit

    paths = {"settings": folder / "settings.json"}  # the settings alone: the run's dates and model names are not
    settings = {k: v for k, v in value.params.items() if k in ValueSettings.model_fields}  # settings (extra=forbid)
    paths["settings"].write_text(json.dumps(settings, default=str))
    for name, fit in (("purchases", value.purchases), ("spend", value.spend)):
        paths[name], paths[f"{name}_laplace"] = save_fit(fit, folder / f"{name}.nc", folder / f"{name}_laplace.json")
    return {k: str(v) for k, v in paths.items()}


def load_customer_value_model(alias: str = CANDIDATE) -> Any:
    """The registered customer value model (a pyfunc) under ``alias``."""
    return mlflow.pyfunc.load_model(f"models:/{CLV_MODEL}@{alias}")


def _example(values: pd.DataFrame) -> pd.DataFrame:
    """Three customers' RFM rows, typed as the signature says."""
    example = values[[n for n, _ in RFM_INPUTS]].head(3)
    return example.astype({n: "float64" for n, t in RFM_INPUTS if t == "double"})
