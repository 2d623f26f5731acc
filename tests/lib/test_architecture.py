"""The library stays pure: no dagster anywhere in src/parcours, mlflow only in parcours.tracking."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "parcours"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


MODULES = sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_library_module_does_not_import_dagster(path: Path) -> None:
    assert "dagster" not in _imports(path)


@pytest.mark.parametrize("path", [p for p in MODULES if "tracking" not in p.parts], ids=lambda p: p.name)
def test_only_tracking_imports_mlflow(path: Path) -> None:
    assert "mlflow" not in _imports(path)

