"""A finished run's outputs, read back as the pipeline wrote them: what the notebooks open on.

The output folder holds every file the catalogue (:mod:`parcours.catalogue`) lists. Reading them is
seconds where recomputing the run is minutes, and it shows exactly the numbers the report and the
Dagster UI show. The run's MLflow metrics (the fitted parameters, the quality numbers) are read from
the MLflow run the pipeline logged into, found by the Dagster run id in ``run_stats.json``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from parcours import paths
from parcours.catalogue import OUTPUTS


class RunOutputsNotFoundError(FileNotFoundError):
    """The folder holds no finished run's outputs."""


class RunOutputs:
    """The files one run wrote, by asset name (``outputs["journeys"]``) or file name (``outputs["journeys.csv"]``).

    Parameters
    ----------
    folder
        The run's output folder. Default: ``$PARCOURS_OUTPUT``, else the demo's and the UI's output folder
        (``$PARCOURS_HOME/demo/output``).

    Raises
    ------
    RunOutputsNotFoundError
        When the folder has no ``ingest_summary.json``: no run has finished there.
    """

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = Path(folder or os.environ.get("PARCOURS_OUTPUT") or paths.default_output_dir())
        if not (self.folder / "ingest_summary.json").exists():
            raise RunOutputsNotFoundError(
                f"{self.folder}: no finished run's outputs (no ingest_summary.json); run `make demo` or "
                "`parcours run --events FILE --out FOLDER` first, or point PARCOURS_OUTPUT at a run's output folder")

    def __getitem__(self, name: str) -> Any:
        """A table as a pandas frame (CSV text unescaped as parcours reads its own files), a JSON file as a dict."""
        path = self.path(name)
        if not path.exists():
            raise RunOutputsNotFoundError(f"{path}: this run did not write {path.name}")
        if path.suffix == ".csv":
            from parcours.spreadsheet import read_written_csv

            return read_written_csv(path)
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        if path.suffix == ".json":
            return json.loads(path.read_text(encoding="utf-8"))
        return path

    def path(self, name: str) -> Path:
        """Where the output ``name`` (an asset or a file name) is in this run's folder."""
        by_asset = {o.asset: o.file for o in OUTPUTS}
        return self.folder / by_asset.get(name, name)

    def files(self) -> pd.DataFrame:
        """Every catalogued output: ``asset``, ``file``, ``one_row_per`` and ``written`` (by this run or not)."""
        return pd.DataFrame([{"asset": o.asset, "file": o.file, "one_row_per": o.row,
                              "written": (self.folder / o.file).exists()} for o in OUTPUTS])

    @property
    def dagster_run_id(self) -> str | None:
        """The Dagster run that wrote ``run_stats.json`` last (None when the run kept no statistics)."""
        stats = self.folder / "run_stats.json"
        return json.loads(stats.read_text())["total"]["run_id"] if stats.exists() else None

    def metrics(self, prefix: str = "", tracking_uri: str | None = None) -> pd.Series:
        """The run's MLflow metrics starting with ``prefix`` (the prefix dropped), from the MLflow run it logged into.

        Empty when the MLflow run cannot be found (a run tracked elsewhere, or its store removed).
        """
        from parcours.tracking import pipeline_metrics

        run_id = self.dagster_run_id
        store = tracking_uri or paths.tracking_uri()
        logged = pipeline_metrics(store, run_id) if run_id else {}
        chosen = {k.removeprefix(prefix): v for k, v in logged.items() if k.startswith(prefix)}
        return pd.Series(chosen, name="value", dtype=float).sort_index()


#: Set to 1 to have the notebooks recompute from the event log with the library instead of reading the run.
RECOMPUTE_VARIABLE = "PARCOURS_NOTEBOOK_RECOMPUTE"


def recompute_requested() -> bool:
    """Whether the notebooks should recompute from the event log (``PARCOURS_NOTEBOOK_RECOMPUTE=1``) rather than
    open the last run's outputs."""
    return os.environ.get(RECOMPUTE_VARIABLE, "").strip().lower() in {"1", "true", "yes"}


def run_settings(folder: str | Path | None = None) -> Any:
    """The settings of ``conf/`` with the ``auto`` values the run resolved from its log (``log_profile.json``), so a
    notebook that recomputes uses what the run used; the settings as they are when no run has finished there."""
    from parcours.ingest.resolve import apply_resolutions
    from parcours.settings import load_settings

    settings = load_settings(paths.conf_dir())
    try:
        resolved = RunOutputs(folder)["log_profile"].get("resolved", [])
    except RunOutputsNotFoundError:
        return settings
    return apply_resolutions(settings, resolved)


def ingest_run_input(folder: str | Path | None = None) -> tuple[Any, Any]:
    """The run's settings (:func:`run_settings`) and its input ingested again with the library: what a notebook
    recomputes from. The demo log is generated when it is missing (``PARCOURS_NOTEBOOK_CUSTOMERS`` customers, or
    the ``demo`` settings' number)."""
    from parcours.engine import connect
    from parcours.ingest import ingest_events, resolve_input
    from parcours.synthetic import ensure_demo_log

    settings = run_settings(folder)
    ensure_demo_log(settings, int(os.environ.get("PARCOURS_NOTEBOOK_CUSTOMERS", 0)) or None)
    path, ingest_settings = resolve_input(settings.ingest)
    return settings, ingest_events(connect(), ingest_settings, path)
