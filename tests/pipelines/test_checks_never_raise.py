"""No check can fail a run by raising: each one computes on empty and all-null inputs of its real shape."""

import inspect
import json

import dagster as dg
import ibis
import pytest

from parcours.engine import connect, read_typed_csv
from parcours_pipelines.definitions import defs
from parcours_pipelines.resources import SettingsResource

pytestmark = pytest.mark.slow

CHECKS = {c.node_def.name: c for c in defs().asset_checks}
FILES = {spec.key.path[-1]: (spec.metadata or {}).get("parcours/file", f"{spec.key.path[-1]}.parquet")
         for a in defs().assets for spec in a.specs}


def _inputs(out, kind: str) -> dict:
    """Every check input read from the demo run's outputs, then emptied or nulled (tables) or emptied (dicts)."""
    con, values = connect(), {}
    for name, file in FILES.items():
        path = out / file
        if not path.exists() or path.suffix not in (".csv", ".parquet", ".json"):
            continue
        if path.suffix == ".json":
            values[name] = {} if kind == "empty" else {k: None for k in json.loads(path.read_text())}
            continue
        types = path.with_name(f".{path.name}.types.json")
        table = read_typed_csv(con, path, json.loads(types.read_text())) if path.suffix == ".csv" \
            else con.read_parquet(str(path))
        table = con.create_table(f"t_{name}_{kind}", table.to_pyarrow(), temp=True)
        values[name] = table.limit(0) if kind == "empty" else table.mutate(
            **{c: ibis.null(t) for c, t in table.schema().items()})
    return values


@pytest.mark.parametrize("kind", ["empty", "all_null"])
@pytest.mark.parametrize("name", sorted(CHECKS))
def test_a_check_computes_on_degenerate_input(demo_run, name: str, kind: str) -> None:
    check = CHECKS[name]
    fn = check.node_def.compute_fn.decorated_fn
    values = _inputs(demo_run.out, kind) | {"settings": SettingsResource(),
                                            "context": dg.build_asset_check_context(instance=dg.DagsterInstance.ephemeral())}
    result = fn(**{p: values[p] for p in inspect.signature(fn).parameters})
    assert isinstance(result, dg.AssetCheckResult)
