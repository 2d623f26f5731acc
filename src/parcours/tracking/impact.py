"""Journey impact in MLflow: the design, the per-journey table and balance, run-level counts and the figures."""

from __future__ import annotations

from typing import Any

import mlflow
import numpy as np


def log_journey_impact(impact: Any, figures: list[Any]) -> None:
    """Log a :class:`parcours.impact.JourneyImpact` to the active run.

    Parameters (``impact.*``): the windows, the outcome, the covariates and the settings. Metrics: the
    run's counts and ``impact.value_at_stake_of_findings`` (the findings' value at stake, summed): a few
    numbers to compare runs by, not one chart per journey. Each journey's effect, interval and q-value
    are in the table ``impact/journey_impact.json``, beside ``impact/balance.json``. Figures:
    the ``journey_impact`` section of ``figures.html``.
    """
    from parcours.tracking import log_figures

    mlflow.log_params({f"impact.{k}": v[:6000] for k, v in impact.params.items()})
    metrics = {f"impact.{k}": float(v) for k, v in impact.metrics.items()}
    findings = impact.table[impact.table.finding.fillna(False).astype(bool)]
    metrics["impact.value_at_stake_of_findings"] = float(findings.value_at_stake.sum())
    mlflow.log_metrics({k: v for k, v in metrics.items() if np.isfinite(v)})
    mlflow.log_table(impact.table.astype({"note": "object"}), "impact/journey_impact.json")
    mlflow.log_table(impact.balance, "impact/balance.json")
    log_figures(figures, "journey_impact", "Journey impact")
