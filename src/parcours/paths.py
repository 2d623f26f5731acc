"""The one place for default locations.

Every default path is absolute and built from :data:`PROJECT_ROOT`, so that the CLI, ``dagster dev``
from the repository root and ``dg dev`` from ``pipelines/`` land in the same places whatever the
working directory. Environment variables override them:

- ``PARCOURS_HOME``: data, the Dagster instance, the DuckDB engine file and the MLflow store;
- ``PARCOURS_CONF``: the folder of ``conf/*.yaml`` files.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def parcours_home() -> Path:
    """Return the folder that holds data, the Dagster instance and the MLflow store."""
    return Path(os.environ.get("PARCOURS_HOME", PROJECT_ROOT / ".parcours")).resolve()


def conf_dir() -> Path:
    """Return the folder of domain configuration files (``conf/*.yaml``)."""
    return Path(os.environ.get("PARCOURS_CONF", PROJECT_ROOT / "conf")).resolve()


def demo_dir(home: Path | None = None) -> Path:
    """Return the folder where ``parcours demo`` writes the demo log, its truth and its outputs."""
    return (home or parcours_home()) / "demo"


def default_events_path(home: Path | None = None) -> Path:
    """Return the demo event log, the input of a run when no ``ingest.path`` is configured."""
    return demo_dir(home) / "events.csv"


def default_output_dir(home: Path | None = None) -> Path:
    """Return the output folder of runs started from the Dagster UI or a schedule."""
    return demo_dir(home) / "output"


def dagster_home(home: Path | None = None) -> Path:
    """Return the Dagster instance folder shared by the CLI and the UI."""
    return (home or parcours_home()) / "dagster"


def engine_database(home: Path | None = None) -> Path:
    """Return the DuckDB database file the Ibis engine works in."""
    return (home or parcours_home()) / "engine" / "parcours.duckdb"


def mlflow_tracking_uri(home: Path | None = None) -> str:
    """Return the default MLflow tracking URI: a SQLite store with an absolute path."""
    return f"sqlite:///{(home or parcours_home()) / 'mlflow' / 'mlflow.db'}"


def tracking_uri(home: Path | None = None) -> str:
    """The MLflow tracking URI the runs log to: ``MLFLOW_TRACKING_URI`` when set, else the home's SQLite store."""
    return os.environ.get("MLFLOW_TRACKING_URI") or mlflow_tracking_uri(home)


def is_tracking_server(uri: str) -> bool:
    """Whether ``uri`` is a tracking server (which serves its own UI and decides where artifacts go)."""
    return uri.startswith(("http://", "https://"))


def mlflow_artifact_root(home: Path | None = None) -> Path:
    """Return the default folder for MLflow artifacts."""
    return (home or parcours_home()) / "mlflow" / "artifacts"
