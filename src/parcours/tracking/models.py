"""Models in the MLflow registry: the journey classifier as a pyfunc, aliased ``candidate``.

The pyfunc wraps :class:`parcours.journeys.JourneyClassifier`; loading it needs parcours (not
Dagster): ``mlflow.pyfunc.load_model("models:/parcours-journey-classifier@candidate")``.
"""

from __future__ import annotations

from typing import Any

import mlflow
import numpy as np
import pandas as pd
from mlflow import MlflowClient
from mlflow.models import ModelSignature
from mlflow.types import ColSpec, Schema
from mlflow.types.schema import Array

from parcours.schema import JOURNEY_ID, VARIANT_SEPARATOR

JOURNEY_CLASSIFIER = "parcours-journey-classifier"
CANDIDATE = "candidate"


class JourneyClassifierModel(mlflow.pyfunc.PythonModel):
    """``predict`` takes a frame with ``tokens`` (one list of tokens per row, e.g.
    ``["view_item@web", "order@web"]``) and returns ``journey_id`` (``-1``: no journey) and
    ``probability`` per row."""

    def __init__(self, classifier: Any) -> None:
        self.classifier = classifier

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict | None = None) -> pd.DataFrame:
        """Journey id and membership probability of each row's token sequence."""
        sequences = [list(tokens) for tokens in model_input["tokens"]]
        return self.classifier.predict(sequences)[[JOURNEY_ID, "probability"]]


def register_journey_classifier(classifier: Any, journeys: pd.DataFrame, params: dict[str, Any],
                                metrics: dict[str, float]) -> str:
    """Log the classifier, its parameters, quality metrics and journey table to the active run,
    register it as ``parcours-journey-classifier`` and point the ``candidate`` alias at it.

    Returns
    -------
    str
        The registered model version.
    """
    signature = ModelSignature(
        inputs=Schema([ColSpec(Array("string"), "tokens")]),
        outputs=Schema([ColSpec("long", JOURNEY_ID), ColSpec("double", "probability")]),
    )
    mlflow.log_params({f"journeys.{k}": v for k, v in params.items()})
    mlflow.log_metrics({f"journeys.{k}": float(v) for k, v in metrics.items() if pd.notna(v)})
    mlflow.log_table(journeys, "journeys/journeys.json")
    info = mlflow.pyfunc.log_model(name="journey_classifier", python_model=JourneyClassifierModel(classifier),
                                   signature=signature, registered_model_name=JOURNEY_CLASSIFIER,
                                   input_example=_example(classifier),
                                   pip_requirements=pinned_requirements(["scikit-learn", "scipy"]))
    version = str(info.registered_model_version)
    quality = {k: metrics.get(k, float("nan")) for k in ("journeys", "stability", "noise_share", "coverage")}
    annotate_version(JOURNEY_CLASSIFIER, version, (
        f"Assigns a path of activity@channel tokens to one of {quality['journeys']:.0f} discovered journeys, or to "
        f"noise (-1). Bootstrap stability {quality['stability']:.2f}, noise share {quality['noise_share']:.1%}, "
        f"coverage {quality['coverage']:.1%}."), quality)
    MlflowClient().set_registered_model_alias(JOURNEY_CLASSIFIER, CANDIDATE, version)
    return version


def annotate_version(model: str, version: str, description: str, quality: dict[str, Any]) -> None:
    """Give a registered version a description people read and its quality figures as tags (rounded, as text;
    a missing figure is not tagged), so the registry tells versions apart without opening their runs."""
    client = MlflowClient()
    client.update_model_version(model, version, description=description)
    for key, value in quality.items():
        if isinstance(value, bool):
            client.set_model_version_tag(model, version, key, str(value).lower())
        elif isinstance(value, int | float) and np.isfinite(value):
            client.set_model_version_tag(model, version, key, f"{value:.4g}")
        elif isinstance(value, str):
            client.set_model_version_tag(model, version, key, value[:5000])


def _example(classifier: Any) -> pd.DataFrame:
    """One known sequence, the most frequent the classifier saw, as the model's input example."""
    known = next(iter(classifier.known), "view_item@web → order@web")
    return pd.DataFrame({"tokens": [known.split(VARIANT_SEPARATOR)]})


def pinned_requirements(extra: list[str]) -> list[str]:
    """What a pyfunc needs (parcours, mlflow, pandas, numpy and ``extra``), pinned to the versions running
    now: inferring them costs a subprocess."""
    from importlib.metadata import PackageNotFoundError, version

    pinned = []
    for name in ["parcours", "mlflow", "pandas", "numpy", *extra]:
        try:
            pinned.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            continue
    return pinned


def load_journey_classifier(alias: str = CANDIDATE) -> Any:
    """The registered journey classifier (a pyfunc) under ``alias``."""
    return mlflow.pyfunc.load_model(f"models:/{JOURNEY_CLASSIFIER}@{alias}")
