"""Every notebook runs top to bottom as a notebook (jupytext → a Jupyter kernel, as JupyterLab runs it), on a
finished demo run's outputs and, recomputing, on its log (run by `make test` after the rest)."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.py"))
PARCOURS = str(Path(sys.executable).with_name("parcours"))

pytestmark = pytest.mark.notebooks


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> Path:
    """``parcours demo`` on 400 customers: the run the notebooks open."""
    home = tmp_path_factory.mktemp("notebook-home")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")},
           "PARCOURS_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
    done = subprocess.run([PARCOURS, "demo", "--customers", "400", "--seed", "3"], env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return home


@functools.cache
def _execute(notebook: Path, home: Path, recompute: bool = False):
    """Run ``notebook`` on a fresh kernel with ``home`` as PARCOURS_HOME; the executed notebook and its seconds
    (once per notebook and mode: the tests read the same execution)."""
    import jupytext
    import nbclient

    document = jupytext.read(notebook)
    env = {"PARCOURS_HOME": str(home), "DAGSTER_HOME": str(home / "dagster"), "MPLBACKEND": "Agg",
           "PARCOURS_NOTEBOOK_RECOMPUTE": "1" if recompute else "0", "PARCOURS_OUTPUT": ""}
    started = time.monotonic()
    with mock.patch.dict(os.environ, env):
        nbclient.NotebookClient(document, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(notebook.parent)}}).execute()
    return document, time.monotonic() - started


def _outputs(document) -> list[dict]:
    return [output for cell in document.cells if cell.cell_type == "code" for output in cell.get("outputs", [])]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_opens_on_the_last_run(notebook: Path, demo_run: Path, record_property) -> None:
    document, seconds = _execute(notebook, demo_run)
    record_property("seconds", round(seconds, 1))
    print(f"{notebook.name}: {seconds:.1f} s on the demo run")
    code = [cell for cell in document.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code)  # every cell ran, none raised
    assert not [o for o in _outputs(document) if o.output_type == "error"]
    printed = "".join(o.get("text", "") for o in _outputs(document) if o.output_type == "stream")
    assert str(demo_run / "demo" / "output") in printed or "customers valued" in printed or "journeys" in printed


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_figures_render_in_a_static_export(notebook: Path, demo_run: Path) -> None:
    document, _ = _execute(notebook, demo_run)
    figures = [o for o in _outputs(document) if "application/vnd.plotly.v1+json" in o.get("data", {})]
    pictures = [o for o in _outputs(document) if "image/svg+xml" in o.get("data", {})]
    assert figures or pictures
    assert all("text/html" in o["data"] and "Plotly.newPlot" in o["data"]["text/html"] for o in figures)


def test_the_paths_notebook_shows_the_path_analyses(demo_run: Path) -> None:
    document, _ = _execute(NOTEBOOKS[-1], demo_run)
    html = json.dumps([o.get("data", {}) for o in _outputs(document)])
    assert "Step matrix" in html and "Funnel" in html and "log_fitness" in html and "max_zeta" in html


@pytest.mark.parametrize("notebook", NOTEBOOKS[:-1], ids=lambda p: p.name)
def test_notebook_recomputes_from_the_log_when_asked(notebook: Path, demo_run: Path) -> None:
    document, _ = _execute(notebook, demo_run, recompute=True)
    assert not [o for o in _outputs(document) if o.output_type == "error"]
