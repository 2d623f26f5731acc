"""The raw table every reader produces, and the column mapping that shapes it.

One row per input row, malformed CSV rows included: the mapped columns under their canonical
names (original values and types), ``line``, ``file_idx``, ``raw_line``, ``malformed``. The file
path is joined back from :meth:`RawEvents.files` when outputs are written, so no row carries it
through the heavy work.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from pathlib import Path

import ibis
import ibis.expr.types as ir

from parcours.ingest.errors import EventLogSchemaError
from parcours.schema import INPUT_COLUMNS, OPTIONAL_INPUT_COLUMNS
from parcours.settings import ColumnMapping

table_ids = itertools.count()


@dataclass(frozen=True)
class RawSource:
    """One input file as read: its format, row count and the mapped columns it provides."""

    path: str
    format: str
    rows: int
    malformed: int
    columns: dict[str, str | None]
    #: A CSV file's physical lines, counted on its bytes apart from any parse (None for other formats).
    lines: int | None = None
    #: The lines the parse accounts for: the header, each row's lines and the blank lines.
    lines_accounted: int | None = None


@dataclass(frozen=True)
class RawEvents:
    """All input rows of a run, before validation."""

    table: ir.Table
    sources: tuple[RawSource, ...]

    @property
    def rows_in(self) -> int:
        """Number of input rows, malformed rows included."""
        return sum(s.rows for s in self.sources)

    def files(self) -> ir.Table:
        """``file_idx → source``: one row per input file (``sources`` are in ``file_idx`` order)."""
        return ibis.memtable({"file_idx": list(range(len(self.sources))), "source": [s.path for s in self.sources]},
                             schema={"file_idx": "int64", "source": "string"})

    @property
    def fingerprint(self) -> str:
        """A short hash of the input files' paths, sizes and modification times (a database table's URL, without
        password, and rows)."""
        digest = hashlib.sha256()
        for source in self.sources:
            if source.format == "database":  # a table has no size or time of its own: its rows say it changed
                digest.update(f"{source.path}|{source.rows}\n".encode())
                continue
            stat = Path(source.path).stat()
            digest.update(f"{source.path}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
        return digest.hexdigest()[:16]

    @property
    def has_channel(self) -> bool:
        """Whether any file provides a channel column."""
        return any(s.columns.get("channel") for s in self.sources)

    @property
    def has_revenue(self) -> bool:
        """Whether any file provides a revenue column."""
        return any(s.columns.get("revenue") for s in self.sources)


def resolve_mapping(
    path: Path, existing: list[str], mapping: ColumnMapping, defaults: dict[str, str] | None = None
) -> dict[str, str | None]:
    """Map canonical names to the file's columns; an optional column left at its default may be absent."""
    resolved: dict[str, str | None] = {}
    default_mapping = ColumnMapping()
    for canonical in INPUT_COLUMNS:
        column = getattr(mapping, canonical)
        is_default = column == getattr(default_mapping, canonical)
        if defaults and is_default and canonical in defaults:
            column = defaults[canonical]
        if column is None or (canonical in OPTIONAL_INPUT_COLUMNS and is_default and column not in existing):
            resolved[canonical] = None
        elif column not in existing:
            raise EventLogSchemaError.missing_column(path, canonical, column, existing)
        else:
            resolved[canonical] = column
    return resolved


#: Column names the ingest uses itself: an input column outside the mapping with one of these names is kept
#: as an event attribute under ``<name>_attr``.
RESERVED = frozenset({*INPUT_COLUMNS, "event_seq", "source", "line", "file_idx", "raw_line", "malformed", "reason",
                      "detail", "unstitched_id", *(f"{c}_raw" for c in INPUT_COLUMNS)})


def attribute_name(column: str) -> str:
    """The event-log name of an input column outside the mapping (kept as an event attribute).

    Examples
    --------
    >>> attribute_name("session_id"), attribute_name("source"), attribute_name("line")
    ('session_id', 'source_attr', 'line_attr')
    """
    return f"{column}_attr" if column in RESERVED else column


def extra_columns(table: ir.Table) -> list[str]:
    """The event attributes of a raw, staged or clean table: its columns that the ingest does not use itself."""
    return [c for c in table.columns if c not in RESERVED and not c.startswith("_")]


def unmapped(existing: list[str], columns: dict[str, str | None]) -> list[str]:
    """The input columns outside the mapping, in the file's order (internal ``_`` names left out)."""
    mapped = {c for c in columns.values() if c}
    return [c for c in existing if c not in mapped and not c.startswith("_")]


def standardise(table: ir.Table, columns: dict[str, str | None], line: ir.Value,
                file_idx: ir.Value, raw_line: ir.Value | None = None, extras: list[str] = ()) -> ir.Table:
    """The raw shape; the file is an integer (``file_idx``) until outputs are written (:meth:`RawEvents.files`).

    ``extras`` are the input columns outside the mapping: kept as text event attributes (:func:`attribute_name`).
    """
    null = ibis.null("string")
    return table.select(
        **{c: (table[col] if col else null) for c, col in columns.items()},
        line=line.cast("int64"),
        file_idx=file_idx.cast("int64"),
        raw_line=null if raw_line is None else raw_line,
        malformed=null,
        **{attribute_name(c): table[c].cast("string") for c in extras},
    )


