"""Asset metadata for the Dagster UI: row counts, column schemas, previews and small tables."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import dagster as dg
import ibis.expr.types as ir
import pandas as pd


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


def _short(value: Any, width: int = 60) -> Any:
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    if isinstance(value, list):
        value = " → ".join(map(str, value))
    if isinstance(value, str) and len(value) > width:
        return value[: width - 1] + "…"
    return value
