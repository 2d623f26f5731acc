"""Journey impact in MLflow: the design, the per-journey table and balance, run-level counts and the figures."""

from __future__ import annotations

from typing import Any

import mlflow
import numpy as np


def log_journey_impact(impact: Any, figures: list[Any]) -> None:
    """Log a :class:`parcours.impact.JourneyImpact` to the active run.

    Parameters (``impact.*``): the windows, the outcome, the covariates and the settings. Metrics:
    the run's counts, and per estimated journey ``impact.effect.<id>``, ``impact.ci_low.<id>``,
    ``impact.ci_high.<id>`` and ``impact.q_value.<id>``. Tables: ``impact/journey_impact.json``
    and ``impact/balance.json``. Figures: ``figures/journey_impact.html``.
    """
    from parcours.tracking import log_figures

    mlflow.log_params({f"impact.{k}": v[:6000] for k, v in impact.params.items()})
    metrics = {f"impact.{k}": float(v) for k, v in impact.metrics.items()}
    for row in impact.table[impact.table.effect.notna()].itertuples():
        for column in ("effect", "ci_low", "ci_high", "q_value"):
            metrics[f"impact.{column}.{row.journey_id}"] = float(getattr(row, column))
    mlflow.log_metrics({k: v for k, v in metrics.items() if np.isfinite(v)})
    mlflow.log_table(impact.table.astype({"note": "object"}), "impact/journey_impact.json")
    mlflow.log_table(impact.balance, "impact/balance.json")
    log_figures(figures, "figures/journey_impact.html", "Journey impact")
