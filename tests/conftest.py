"""Shared fixtures: an in-memory engine, tiny hand-built logs, temporary homes and MLflow stores."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import ibis
import pytest

from parcours.engine import connect
from parcours.settings import ColumnMapping, IngestSettings

os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

REPO = Path(__file__).resolve().parents[1]
MODULE_MARK = re.compile(r"^pytestmark = pytest\.mark\.(\w+)", re.M)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """A test module marked as a whole with a marker the run deselects (``-m "not slow"``) is not even imported.

    Its tests would be deselected anyway; not importing it saves what its imports cost (pymc, MLflow, pm4py:
    most of ``make test-fast``'s start-up). ``None`` leaves the decision to pytest."""
    if collection_path.suffix != ".py" or not collection_path.name.startswith("test_"):
        return None
    found = MODULE_MARK.search(collection_path.read_text())
    return True if found and f"not {found.group(1)}" in (config.option.markexpr or "") else None
NOW = datetime(2025, 1, 1, tzinfo=UTC)
HEADER = "customer_id,ts,activity,channel,revenue"


@pytest.fixture
def con() -> Iterator[ibis.BaseBackend]:
    """A fresh in-memory DuckDB connection."""
    connection = connect()
    yield connection
    connection.disconnect()


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write lines (header first) to a CSV file under ``tmp_path`` and return its path."""

    def write(lines: list[str], name: str = "events.csv", header: str | None = HEADER) -> Path:
        path = tmp_path / name
        path.write_text("\n".join(([header] if header else []) + lines) + "\n")
        return path

    return write


@pytest.fixture
def settings() -> IngestSettings:
    """Default ingest settings."""
    return IngestSettings()


@pytest.fixture
def shop_settings() -> IngestSettings:
    """Settings for a log with columns ``user, ts, action, touchpoint, revenue``."""
    return IngestSettings(columns=ColumnMapping(customer_id="user", activity="action", channel="touchpoint"))


@pytest.fixture
def tmp_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh PARCOURS_HOME (and DAGSTER_HOME inside it)."""
    home = tmp_path / "home"
    monkeypatch.setenv("PARCOURS_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    return home


@pytest.fixture
def tmp_mlflow(tmp_path: Path) -> Iterator[str]:
    """An MLflow SQLite store under ``tmp_path``, configured as the current tracking store."""
    import mlflow

    from parcours import tracking

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    tracking.configure(uri, "parcours-test", tmp_path / "artifacts")
    yield uri
    mlflow.set_tracking_uri(None)


@pytest.fixture(autouse=True)
def _keep_mlflow_environment() -> Iterator[None]:
    """MLflow 3 records the tracking store in ``MLFLOW_*`` variables; keep one test's store from leaking."""
    before = {k: v for k, v in os.environ.items() if k.startswith("MLFLOW_")}
    yield
    for key in [k for k in os.environ if k.startswith("MLFLOW_") and k not in before]:
        del os.environ[key]
    os.environ.update(before)


SHARED_LOGS = Path(__file__).resolve().parents[1].parent / "shared" / "logs"
#: The column mapping each shared log needs (its README), nothing more.
SHARED_LOG_MAPPINGS = {
    "running_example": ["ingest.columns.customer_id=case_id", "ingest.columns.ts=timestamp"],
    "receipt": ["ingest.columns.customer_id=case_id", "ingest.columns.ts=timestamp"],
    "bpic2013_incidents": ["ingest.columns.customer_id=case_id", "ingest.columns.ts=timestamp"],
    "ecom_clickstream": ["ingest.columns.customer_id=user_id", "ingest.columns.activity=event",
                         "ingest.columns.ts=timestamp", "ingest.columns.channel=platform"],
    "cdnow_full": ["ingest.columns.ts=timestamp"],
}


def shared_log(name: str) -> Path:
    """The events file of a log in ../shared/logs; a missing one fails the test (CI has them beside the checkout)."""
    folder = SHARED_LOGS / name
    files = sorted(folder.glob("events.*")) if folder.is_dir() else []
    if not files:
        pytest.fail(f"{folder}: no events file; the public logs of ../shared/logs must be beside this checkout")
    return files[0]
