"""Asset metadata for the Dagster UI: row counts, column schemas, previews and small tables."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import Any

import dagster as dg
import ibis.expr.types as ir
import pandas as pd

from parcours.catalogue import column_descriptions
from parcours.spreadsheet import round_for_spreadsheet
from parcours.stages import SKIPPED


def table_metadata(table: ir.Table | pd.DataFrame, asset: str, preview_rows: int = 10) -> dict[str, Any]:
    """``dagster/row_count``, ``dagster/column_schema`` (typed, each column described from the catalogue of
    :mod:`parcours.catalogue`) and the first rows as a typed, rounded table."""
    if isinstance(table, pd.DataFrame):
        n_rows, schema, head = len(table), {c: _kind(t) for c, t in table.dtypes.items()}, table.head(preview_rows)
    else:
        n_rows = int(table.count().to_pyarrow().as_py())
        schema = {c: _kind(t) for c, t in table.schema().items()}
        head = table.head(preview_rows).to_pandas()
    columns = table_schema(schema, asset)
    return {"dagster/row_count": n_rows, "dagster/column_schema": columns, "preview": table_value(head, asset)}


def table_schema(kinds: Mapping[str, str], asset: str) -> dg.TableSchema:
    """The columns ``name → kind`` of the table ``asset`` writes, each with its description from the catalogue."""
    described = column_descriptions(asset)
    return dg.TableSchema(columns=[dg.TableColumn(name, kind, description=described.get(name) or None)
                                   for name, kind in kinds.items()])


def table_value(frame: pd.DataFrame, asset: str = "") -> dg.MetadataValue:
    """A pandas frame as Dagster table metadata: typed columns (described when ``asset`` is catalogued), decimals
    rounded to four significant digits of their column's largest value (two decimals at least), no ``nan``:
    a missing value is an empty cell, a list reads ``a → b``."""
    rounded = round_for_spreadsheet(frame, digits=4)
    records = [dg.TableRecord({name: _cell(value) for name, value in row.items()})
               for row in rounded.to_dict("records")]
    kinds = {name: _kind(dtype) for name, dtype in frame.dtypes.items()}
    return dg.MetadataValue.table(records, schema=table_schema(kinds, asset))


#: Summary numbers that count something (the library returns every summary as a float, as MLflow's metrics are):
#: shown as integers. Prefixed names (``holdout_customers``, ``purchases_...``) are matched on their last part too.
COUNTS = frozenset({
    "instances", "customers", "events", "max_tokens", "distinct_sequences", "tokens", "edges", "transitions",
    "variants", "singletons", "top", "journeys", "variants_clustered", "seed_clusters", "merged_same_steps",
    "journeys_discovered", "instances_sampled", "families", "customers_without_purchase", "actual_purchases",
    "variants_used", "instances_not_replayed", "silent_transitions", "places", "profiled_pairs", "pair_occurrences",
    "deviating_occurrences", "deviating_instances",
})
#: Summary numbers that are yes/no (1.0 or 0.0 in the library's float dicts): shown as booleans.
FLAGS = frozenset({"hessian_positive_definite", "seeded_by_density"})


def numbers(stats: Mapping[str, Any], digits: int = 6) -> dict[str, Any]:
    """Summary numbers as the Dagster UI should show them: counts as integers, yes/no as booleans, other decimals
    rounded to ``digits`` significant digits (as the CSV files are), and a number that could not be computed (NaN)
    left out.

    Examples
    --------
    >>> numbers({"customers": 390.0, "spend_hessian_positive_definite": 1.0, "share": 0.014873574,
    ...          "rmse": float("nan")})
    {'customers': 390, 'spend_hessian_positive_definite': True, 'share': 0.0148736}
    """
    shown: dict[str, Any] = {}
    for key, value in stats.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            shown[key] = value
        elif value != value:  # NaN: not computed, so not shown as a number
            continue
        elif _named(key, FLAGS):
            shown[key] = bool(value)
        elif _named(key, COUNTS) and float(value).is_integer():
            shown[key] = int(value)
        else:
            shown[key] = float(f"{value:.{digits}g}")
    return shown


def _named(key: str, names: frozenset[str]) -> bool:
    """Whether ``key`` or a suffix of it after an ``_`` is one of ``names``."""
    parts = key.split("_")
    return any("_".join(parts[i:]) in names for i in range(len(parts)))


def markdown_table(frame: pd.DataFrame) -> str:
    """A markdown table (lists and long text shortened) for ``MetadataValue.md``."""
    if frame.empty:
        return "_(no rows)_"
    shown = frame.map(lambda v: _short(v))
    return shown.to_markdown(index=False)


#: The widest picture the Dagster UI's metadata panel shows without scrolling, in pixels.
PANEL_WIDTH = 960


def image(png: bytes, alt: str) -> dg.MetadataValue:
    """A PNG shown inline in the Dagster UI (markdown with a data URI), scaled down to :data:`PANEL_WIDTH`."""
    return dg.MetadataValue.md(f"![{alt}](data:image/png;base64,{base64.b64encode(fit_to_panel(png)).decode()})")


def fit_to_panel(png: bytes, width: int = PANEL_WIDTH) -> bytes:
    """``png`` scaled down (aspect kept) to ``width`` pixels when it is wider; as it is otherwise."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as picture:
        if picture.width <= width:
            return png
        height = max(1, round(picture.height * width / picture.width))
        out = io.BytesIO()
        picture.resize((width, height), Image.Resampling.LANCZOS).save(out, format="PNG", optimize=True)
        return out.getvalue()


def counts_table(counts: Mapping[str, int], key: str, value: str = "rows") -> dg.MetadataValue:
    """A two-column table of counts, largest first."""
    frame = pd.DataFrame({key: list(counts), value: list(counts.values())}).sort_values(value, ascending=False)
    return table_value(frame.astype({value: "int64"}))


def facts_table(facts: list) -> dg.MetadataValue:
    """A two-column table of (what, value) lines, the values as text."""
    frame = pd.DataFrame(list(facts), columns=["what", "value"])
    return table_value(frame.astype({"value": "string"}))


#: The assets that skip (with a typed empty or not-estimated output) when the log cannot support them.
SKIPPABLE = ("customer_value", "customer_value_holdout", "journey_impact")


def skipped_output(context: dg.AssetExecutionContext, value: Any, reason: str,
                   output_name: str = "result") -> dg.Output:
    """The typed empty (or not-estimated) output of a stage this log cannot support, its reason in the metadata."""
    name = context.asset_key.to_user_string() if output_name == "result" else output_name
    context.log.warning(f"{name} skipped: {reason}")
    shown = table_metadata(value, name) if isinstance(value, pd.DataFrame | ir.Table) else {}
    return dg.Output(value, output_name, metadata={**shown, SKIPPED: reason})


def latest_metadata(instance: dg.DagsterInstance, asset: str) -> Mapping[str, Any]:
    """The metadata of ``asset``'s latest materialisation in this instance; empty when it has none."""
    event = instance.get_latest_materialization_event(dg.AssetKey(asset))
    return event.asset_materialization.metadata if event and event.asset_materialization else {}


def skipped_stages(instance: dg.DagsterInstance) -> dict[str, str]:
    """The skippable assets whose latest materialisation was skipped, and why."""
    keys = [dg.AssetKey(name) for name in SKIPPABLE]
    skipped = {}
    for key, entry in instance.get_latest_materialization_events(keys).items():
        materialization = entry.asset_materialization if entry else None
        reason = materialization.metadata.get(SKIPPED) if materialization else None
        if reason is not None:
            skipped[key.to_user_string()] = str(getattr(reason, "value", reason))
    return skipped


def _short(value: Any, width: int = 60) -> Any:
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    if isinstance(value, list):
        value = " → ".join(map(str, value))
    if isinstance(value, str) and len(value) > width:
        return value[: width - 1] + "…"
    return value


def _kind(dtype: Any) -> str:
    """A column type as the Dagster UI names it: int, float, bool, timestamp, list or string."""
    text = str(dtype).lower().lstrip("!")
    for kind, marks in (("bool", ("bool",)), ("int", ("int",)), ("float", ("float", "double", "decimal")),
                        ("timestamp", ("timestamp", "datetime", "date")), ("list", ("array", "list"))):
        if any(text.startswith(mark) for mark in marks):
            return kind
    return "string"


def _cell(value: Any) -> str | int | float | bool | None:
    """One value as a table record takes it: Python scalars, lists joined, missing as ``None``."""
    value = _short(value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "item"):
        return value.item()
    return str(value)
