"""Every notebook runs top to bottom on a small demo log (run by `make test` after the rest)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.py"))


@pytest.mark.notebooks
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(notebook: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PARCOURS_HOME": str(tmp_path), "PARCOURS_NOTEBOOK_CUSTOMERS": "300", "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(notebook)], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
