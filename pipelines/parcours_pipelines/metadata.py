"""Asset metadata for the Dagster UI: row counts, column schemas, previews and small tables."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import dagster as dg
import ibis.expr.types as ir
import pandas as pd

from parcours.stages import SKIPPED


def table_metadata(table: ir.Table | pd.DataFrame, preview_rows: int = 10) -> dict[str, Any]:
    """``dagster/row_count``, ``dagster/column_schema`` and a markdown preview of the first rows."""
    if isinstance(table, pd.DataFrame):
        n_rows, schema, head = len(table), {c: str(t) for c, t in table.dtypes.items()}, table.head(preview_rows)
    else:
        n_rows = int(table.count().to_pyarrow().as_py())
        schema = {c: str(t) for c, t in table.schema().items()}
        head = table.head(preview_rows).to_pandas()
    return {
        "dagster/row_count": n_rows,
        "dagster/column_schema": dg.TableSchema(columns=[dg.TableColumn(c, t) for c, t in schema.items()]),
        "preview": dg.MetadataValue.md(markdown_table(head)),
    }


def markdown_table(frame: pd.DataFrame) -> str:
    """A markdown table (lists and long text shortened) for ``MetadataValue.md``."""
    if frame.empty:
        return "_(no rows)_"
    shown = frame.map(lambda v: _short(v))
    return shown.to_markdown(index=False)


def image(png: bytes, alt: str) -> dg.MetadataValue:
    """A PNG shown inline in the Dagster UI (markdown with a data URI)."""
    return dg.MetadataValue.md(f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode()})")


def counts_table(counts: Mapping[str, int], key: str, value: str = "rows") -> str:
    """A two-column markdown table of counts, largest first."""
    frame = pd.DataFrame({key: list(counts), value: list(counts.values())}).sort_values(value, ascending=False)
    return frame.to_markdown(index=False)


def facts_table(facts: list) -> str:
    """A two-column markdown table of (what, value) lines."""
    if not facts:
        return "_(none)_"
    return pd.DataFrame(list(facts), columns=["what", "value"]).to_markdown(index=False)


#: The assets that skip (with a typed empty or not-estimated output) when the log cannot support them.
SKIPPABLE = ("customer_value", "customer_value_holdout", "journey_impact")


def skipped_output(context: dg.AssetExecutionContext, value: Any, reason: str,
                   output_name: str = "result") -> dg.Output:
    """The typed empty (or not-estimated) output of a stage this log cannot support, its reason in the metadata."""
    name = context.asset_key.to_user_string() if output_name == "result" else output_name
    context.log.warning(f"{name} skipped: {reason}")
    shown = table_metadata(value) if isinstance(value, pd.DataFrame | ir.Table) else {}
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
