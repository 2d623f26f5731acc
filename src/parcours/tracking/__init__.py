"""MLflow tracking: the only package of parcours that imports mlflow.

One MLflow run per pipeline run, found again by its ``dagster_run_id`` tag, so every step of a
Dagster run (in one process or several) logs into the same MLflow run.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mlflow
from mlflow.entities import Run

DAGSTER_RUN_TAG = "dagster_run_id"
FIGURES_DIR, FIGURES_PAGE = "figures", "figures.html"  # each step's figures as JSON; the run's one page of them
FIGURE_SECTIONS = ("process_map", "journeys", "customer_value", "journey_impact")  # the page's order: the flow
EXPERIMENT_KIND_TAG, MODEL_TRAINING = "mlflow.experimentKind", "custom_model_development"  # MLflow 3's UI modes

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")  # privacy by default (DESIGN.md §2)


def configure(tracking_uri: str, experiment_name: str, artifact_location: str | Path | None = None) -> str:
    """Point MLflow at a tracking store and experiment, creating the experiment if needed.

    Parameters
    ----------
    tracking_uri
        E.g. ``sqlite:////abs/path/mlflow.db`` (absolute) or ``http://127.0.0.1:5000``.
    experiment_name
        The experiment every pipeline run logs to.
    artifact_location
        Where a new experiment stores artifacts; ignored if the experiment exists. Empty or
        ``None``: the tracking server's default (its ``--artifacts-destination``).

    Returns
    -------
    str
        The experiment id.
    """
    if tracking_uri.startswith("sqlite:///"):
        Path(tracking_uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(tracking_uri)
    experiment = mlflow.get_experiment_by_name(experiment_name)
    if experiment is None:
        location = Path(artifact_location).as_uri() if artifact_location else None
        experiment_id = mlflow.create_experiment(experiment_name, artifact_location=location)
    else:
        experiment_id = experiment.experiment_id
    mlflow.set_experiment(experiment_id=experiment_id)
    if experiment is None or experiment.tags.get(EXPERIMENT_KIND_TAG) != MODEL_TRAINING:
        mlflow.set_experiment_tag(EXPERIMENT_KIND_TAG, MODEL_TRAINING)  # the UI opens on runs and models, not traces
    return experiment_id


def find_pipeline_run(dagster_run_id: str) -> Run | None:
    """Return the MLflow run tagged with ``dagster_run_id`` in the current experiment, if any."""
    runs = mlflow.search_runs(
        filter_string=f"tags.{DAGSTER_RUN_TAG} = '{dagster_run_id}'", max_results=1, output_format="list"
    )
    return runs[0] if runs else None


def pipeline_metrics(tracking_uri: str, dagster_run_id: str, experiment_name: str = "parcours") -> dict[str, float]:
    """The metrics of the MLflow run a Dagster run logged into, without touching MLflow's active store or run.

    A partial rebuild (``parcours report``) logs into the run it amends, tagged ``parcours/amended_by`` with the
    rebuild's command and Dagster run id; that run is found too. Empty when there is no such run.
    """
    client = mlflow.MlflowClient(tracking_uri)
    experiment = client.get_experiment_by_name(experiment_name)
    if experiment is None:
        return {}
    searches = (f"tags.{DAGSTER_RUN_TAG} = '{dagster_run_id}'", f"tags.`parcours/amended_by` LIKE '% {dagster_run_id}'")
    for search in searches:
        runs = client.search_runs([experiment.experiment_id], filter_string=search, max_results=1)
        if runs:
            return dict(runs[0].data.metrics)
    return {}


@contextmanager
def pipeline_run(dagster_run_id: str, tags: Mapping[str, str] | None = None,
                 run_name: str | None = None) -> Iterator[Run]:
    """Resume (or start) the MLflow run of a pipeline run and make it active.

    Parameters
    ----------
    dagster_run_id
        The Dagster run id; the MLflow run is tagged with it.
    tags
        More tags, e.g. the input fingerprint.
    run_name
        The name of a new run (default ``parcours-<first 8 characters of the Dagster run id>``).
    """
    existing = find_pipeline_run(dagster_run_id)
    all_tags = {DAGSTER_RUN_TAG: dagster_run_id, **(tags or {})}
    if existing is None:
        active = mlflow.start_run(run_name=run_name or f"parcours-{dagster_run_id[:8]}", tags=all_tags)
    else:
        active = mlflow.start_run(run_id=existing.info.run_id)
        mlflow.set_tags(dict(tags or {}))
    try:
        yield active
    finally:
        mlflow.end_run()


def log_ingest_summary(summary: Mapping[str, Any]) -> None:
    """Log the ingest counts as metrics and the whole summary as a JSON artifact."""
    metrics = {k: float(summary[k]) for k in ("rows_in", "clean", "quarantined", "duplicates", "customers")}
    metrics |= {f"quarantined.{reason}": float(n) for reason, n in summary["by_reason"].items()}
    mlflow.log_metrics(metrics)
    mlflow.log_dict(dict(summary), "ingest/ingest_summary.json")


def log_metrics(metrics: Mapping[str, float], prefix: str = "") -> None:
    """Log numeric metrics under an optional ``prefix.``."""
    mlflow.log_metrics({f"{prefix}{k}": float(v) for k, v in metrics.items()})


def log_params(params: Mapping[str, Any]) -> None:
    """Log parameters of the active run (values as text, lists joined; MLflow keeps the first value of a key)."""
    mlflow.log_params({k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in params.items()})


def describe_run(markdown: str) -> None:
    """Set the active run's description (MLflow's note, shown at the top of the run page and in the runs list)."""
    mlflow.set_tag("mlflow.note.content", markdown)


def log_text(text: str, artifact_file: str) -> None:
    """Log a text document (e.g. a PNML or BPMN model) as an artifact of the active run."""
    mlflow.log_text(text, artifact_file)


def log_figures(figures: list[Any], name: str, title: str) -> None:
    """Log plotly figures as one section of the run's figures page, ``figures.html``.

    A run has one page of figures, with plotly.js embedded once: MLflow's UI shows an HTML artifact from a
    ``blob:`` URL in a sandboxed frame, where a script shared between pages is never loaded (tried: the frame
    does not request it), so each page must carry plotly.js (4.6 MB), and one page per run carries it once.
    Each step logs its figures as ``figures/<name>.json`` (plotly's JSON; ``plotly.io.from_json`` opens it in a
    notebook) and rebuilds the page from every such file of the run (:func:`log_figures_page`).

    Parameters
    ----------
    figures
        Plotly figures, in the order they are shown.
    name
        The section's anchor and file name (``process_map`` → ``figures.html#process_map``).
    title
        The section's heading.
    """
    mlflow.log_dict({"title": title, "figures": [json.loads(f.to_json()) for f in figures]},
                    f"{FIGURES_DIR}/{name}.json")
    log_figures_page()


def log_figures_page() -> str | None:
    """Rebuild the active run's ``figures.html`` from its ``figures/*.json``, sections in flow order.

    Steps that run at the same time (the UI's multiprocess executor) can each write the page before the
    other's figures are logged; the report step, which runs after them all, calls this again so the page
    ends with every section.

    Returns
    -------
    str or None
        The page written; ``None`` when the run has logged no figures (no page is written).
    """
    run = mlflow.active_run()
    if run is None:
        raise RuntimeError("log_figures_page needs an active MLflow run (tracking.pipeline_run)")
    logged = [Path(a.path).stem for a in mlflow.MlflowClient().list_artifacts(run.info.run_id, FIGURES_DIR)
              if a.path.endswith(".json")]
    order = {name: i for i, name in enumerate(FIGURE_SECTIONS)}
    names = sorted(logged, key=lambda n: (order.get(n, len(order)), n))
    if not names:
        return None
    sections = {n: mlflow.artifacts.load_dict(f"{run.info.artifact_uri}/{FIGURES_DIR}/{n}.json") for n in names}
    page = figures_page(sections)
    mlflow.log_text(page, FIGURES_PAGE)
    return page


def figures_page(sections: Mapping[str, Mapping[str, Any]]) -> str:
    """One self-contained HTML page of figure sections (``{name: {"title", "figures"}}``): plotly.js once."""
    import plotly.io as pio

    contents = " · ".join(f"<a href='#{n}'>{html.escape(s['title'])}</a>" for n, s in sections.items())
    parts, first = [], True
    for name, section in sections.items():
        parts.append(f"<section id='{name}'><h2>{html.escape(section['title'])}</h2>")
        for figure in section["figures"]:
            parts.append(pio.from_json(json.dumps(figure)).to_html(full_html=False, include_plotlyjs=first))
            first = False
        parts.append("</section>")
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Figures · parcours</title></head>"
            f"<body style='font-family:sans-serif'><nav>{contents}</nav>" + "\n".join(parts) + "</body></html>")
