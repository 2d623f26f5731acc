"""The architecture is a contract ([tool.importlinter] in pyproject.toml), checked here as a whole.

Each test lists every offender at once: a failing run says all that is wrong, not the first module.
"""

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
STAGES = ("ingest", "instances", "mining", "journeys", "value", "impact", "triggers", "report")


def _lint(*, path: list[Path] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``lint-imports`` on the project's contracts, importing the packages from ``path`` (default: installed)."""
    env = {"PATH": str(LINT_IMPORTS.parent), "PYTHONDONTWRITEBYTECODE": "1"}
    if path:
        env["PYTHONPATH"] = ":".join(str(p) for p in path)
    return subprocess.run([str(LINT_IMPORTS), "--config", str(CONFIG), "--no-cache"], cwd=cwd, env=env,
                          capture_output=True, text=True)


def _contracts() -> dict[str, dict]:
    return {c["id"]: c for c in tomllib.loads(CONFIG.read_text())["tool"]["importlinter"]["contracts"]}


def test_imports_keep_the_layer_contract() -> None:
    done = _lint()
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_contract_fails_on_a_planted_violation(tmp_path: Path) -> None:
    """A copy of the sources where the first stage reads the report: lint-imports names that very import."""
    for package in ("src/parcours", "pipelines/parcours_pipelines"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    profile = tmp_path / "src/parcours/ingest/profile.py"
    profile.write_text(profile.read_text() + "\nfrom parcours.report import ranking  # planted\n")
    done = _lint(path=[tmp_path / "src", tmp_path / "pipelines"], cwd=tmp_path)
    assert done.returncode != 0
    assert "BROKEN" in done.stdout and "parcours.ingest.profile -> parcours.report.ranking" in done.stdout


def test_every_library_module_is_placed_in_the_contract() -> None:
    """A new package or root module must be given its layer (and an MLflow rule) before it can land."""
    tops = {f"parcours.{p.stem}" for p in (ROOT / "src/parcours").iterdir()
            if p.name != "__init__.py" and (p.suffix == ".py" or (p / "__init__.py").exists())}
    contracts = _contracts()
    layered = {name.strip() for layer in contracts["layers"]["layers"] for name in layer.replace(":", "|").split("|")}
    unplaced = sorted(tops - layered)
    unwatched = sorted(tops - {"parcours.tracking"} - set(contracts["mlflow-in-tracking"]["source_modules"]))
    assert (unplaced, unwatched) == ([], []), f"not in a layer: {unplaced}; not kept from MLflow: {unwatched}"



def test_the_pipelines_use_each_stage_through_its_facade() -> None:
    """``from parcours.<stage> import name``, never a stage's inner module: the facade is the stage's interface."""
    offenders = []
    for path in sorted((ROOT / "pipelines/parcours_pipelines").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            parts = node.module.split(".") if isinstance(node, ast.ImportFrom) and node.module else []
            if parts[:1] == ["parcours"] and len(parts) > 2 and parts[1] in STAGES:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {node.module}")
    assert offenders == []
