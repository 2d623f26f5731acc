"""The demo as a user runs it: the installed ``parcours`` command on a temporary PARCOURS_HOME, run once."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PARCOURS = str(Path(sys.executable).with_name("parcours"))
HERE = Path(__file__).resolve().parent


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """With ``-m "not slow"``, the end-to-end modules are not imported at all (all their tests are slow)."""
    return True if collection_path.suffix == ".py" and "not slow" in (config.option.markexpr or "") else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every end-to-end test runs the installed command, a server or a browser: all are slow (``make test-fast``
    leaves them out; ``make test`` runs them)."""
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.slow)


def parcours_command(home: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the installed ``parcours`` on ``home``, with no MLflow setting inherited from other tests."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}  # earlier tests point MLflow away
    env = {**inherited, "PARCOURS_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
    return subprocess.run([PARCOURS, *args], env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> Path:
    """``parcours demo`` on 400 customers, once per session: the e2e and browser tests read its outputs."""
    home = tmp_path_factory.mktemp("home")
    done = parcours_command(home, "demo", "--customers", "400", "--seed", "3")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "every row accounted for" in done.stdout
    assert "journeys: " in done.stdout and "discovered; the largest:" in done.stdout
    assert "impact: " in done.stdout and "journeys estimated" in done.stdout
    assert "triggers: " in done.stdout and "ranking: " in done.stdout
    assert f"the marketer's report: {(home / 'demo' / 'output' / 'report.html').as_uri()}" in done.stdout
    return home


