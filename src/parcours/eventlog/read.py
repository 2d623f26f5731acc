"""Read CSV, Parquet and XES event files into one raw Ibis table, keeping where each row came from.

The raw table has one row per input row, malformed CSV rows included, with the mapped columns under
their canonical names (original values, original types), ``source`` (the file), ``line`` (the
physical line in a CSV file with a header, exact unless blank lines or quoted line breaks come
before the row; the row number in Parquet; the event position in XES),
``file_idx`` (the file's position in sorted order), ``raw_line`` and ``malformed`` (the text and the
parser's complaint for CSV rows that could not be split into columns).
"""

from __future__ import annotations

import csv
import glob as globlib
import gzip
import hashlib
import itertools
from dataclasses import dataclass
from pathlib import Path

import duckdb
import ibis
import ibis.expr.types as ir
import pyarrow.parquet as pq

from parcours.config import ColumnMapping, IngestSettings
from parcours.eventlog.errors import EventLogSchemaError
from parcours.schema import INPUT_COLUMNS, OPTIONAL_INPUT_COLUMNS

_EXTENSIONS = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".gz": "csv",
    ".parquet": "parquet", ".pq": "parquet", ".xes": "xes",
}
_XES_DEFAULTS = {"customer_id": "case:concept:name", "ts": "time:timestamp", "activity": "concept:name"}
_table_ids = itertools.count()


@dataclass(frozen=True)
class RawSource:
    """One input file as read: its format, row count and the mapped columns it provides."""

    path: str
    format: str
    rows: int
    malformed: int
    columns: dict[str, str | None]


@dataclass(frozen=True)
class RawEvents:
    """All input rows of a run, before validation."""

    table: ir.Table
    sources: tuple[RawSource, ...]

    @property
    def rows_in(self) -> int:
        """Number of input rows, malformed rows included."""
        return sum(s.rows for s in self.sources)

    @property
    def fingerprint(self) -> str:
        """A short hash of the input files' paths, sizes and modification times."""
        digest = hashlib.sha256()
        for source in self.sources:
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


def resolve_event_files(spec: str | Path) -> list[Path]:
    """Expand a file, a folder (recursively) or a glob into a sorted list of event files.

    Raises
    ------
    EventLogSchemaError
        If nothing matches.
    """
    path = Path(spec)
    if path.is_file():
        return [path.resolve()]
    if path.is_dir():
        files = [p for p in path.rglob("*") if p.is_file() and _format_of(p, strict=True)]
    else:
        files = [Path(p) for p in globlib.glob(str(spec), recursive=True) if Path(p).is_file()]
    if not files:
        raise EventLogSchemaError(f"{spec}: no event files found (CSV, Parquet or XES, or a folder of them)")
    return sorted(p.resolve() for p in files)


def read_events(con: ibis.BaseBackend, settings: IngestSettings, path: str | Path) -> RawEvents:
    """Read every event file under ``path`` into one raw table on ``con``.

    Parameters
    ----------
    con
        The Ibis DuckDB connection; CSV files are materialised in it as temporary tables.
    settings
        Column mapping, format and CSV delimiter.
    path
        A file, a folder or a glob.

    Returns
    -------
    RawEvents
        The union of all files and what was read from each.

    Raises
    ------
    EventLogSchemaError
        If a file cannot be read or lacks a mapped column.
    """
    files = resolve_event_files(path)
    tables, sources = [], []
    parquet = [f for f in files if _format(f, settings) == "parquet"]
    if parquet:
        table, found = _read_parquet(con, parquet, settings.columns)
        tables.append(table)
        sources.extend(found)
    for idx, file in enumerate(files):
        fmt = _format(file, settings)
        if fmt == "csv":
            table, source = _read_csv(con, file, idx, settings)
        elif fmt == "xes":
            table, source = _read_xes(con, file, idx, settings.columns)
        else:
            continue
        tables.append(table)
        sources.append(source)
    if len(tables) > 1 and len({t.schema() for t in tables}) > 1:
        tables = [t.mutate(**{c: t[c].cast("string") for c in INPUT_COLUMNS}) for t in tables]
    return RawEvents(table=ibis.union(*tables) if len(tables) > 1 else tables[0], sources=tuple(sources))


def _format_of(path: Path, strict: bool = False) -> str | None:
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    for suffix in reversed(suffixes):
        if suffix in _EXTENSIONS and not (suffix == ".gz" and len(suffixes) > 1):
            return _EXTENSIONS[suffix]
    return None if strict else "csv"


def _format(path: Path, settings: IngestSettings) -> str:
    return settings.format if settings.format != "auto" else _format_of(path) or "csv"


def _resolve_mapping(
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


def _standardise(table: ir.Table, columns: dict[str, str | None], source: ir.Value, line: ir.Value,
                 file_idx: ir.Value, raw_line: ir.Value | None = None) -> ir.Table:
    null = ibis.null("string")
    return table.select(
        **{c: (table[col] if col else null) for c, col in columns.items()},
        source=source.cast("string"),
        line=line.cast("int64"),
        file_idx=file_idx.cast("int64"),
        raw_line=null if raw_line is None else raw_line,
        malformed=null,
    )


def _read_csv(con: ibis.BaseBackend, path: Path, idx: int, settings: IngestSettings) -> tuple[ir.Table, RawSource]:
    uid = next(_table_ids)
    names = {k: f"_parcours_{k}_{uid}" for k in ("view", "raw", "rejects", "scans")}
    options: dict[str, object] = {
        "all_varchar": True, "header": True, "ignore_errors": True, "store_rejects": True,
        "rejects_table": names["rejects"], "rejects_scan": names["scans"],
    }
    if settings.delimiter:
        options["delim"] = settings.delimiter
    try:
        try:
            view = con.read_csv(str(path), table_name=names["view"], **options)
        except duckdb.InvalidInputException as exc:
            if "sniff" not in str(exc).lower():
                raise
            view = con.read_csv(str(path), table_name=names["view"], **(options | _explicit_dialect(path, settings)))
        columns = _resolve_mapping(path, list(view.columns), settings.columns)
        raw = con.create_table(names["raw"], view.mutate(_rec=ibis.row_number()), temp=True)
    except duckdb.Error as exc:
        raise EventLogSchemaError(f"{path}: cannot be read as CSV ({exc})") from exc
    rejects = _csv_rejects(con, names["rejects"])
    n_rejected = rejects.count().to_pyarrow().as_py()
    lined = _physical_line(raw, rejects, n_rejected)
    good = _standardise(lined, columns, ibis.literal(str(path)), lined._line, ibis.literal(idx))
    bad = rejects.select(
        **{c: ibis.null("string") for c in INPUT_COLUMNS},
        source=ibis.literal(str(path)), line=rejects.line.cast("int64"), file_idx=ibis.literal(idx).cast("int64"),
        raw_line=rejects.csv_line.cast("string"), malformed=rejects.error_message.cast("string"),
    )
    rows = raw.count().to_pyarrow().as_py() + n_rejected
    source = RawSource(str(path), "csv", rows, n_rejected, columns)
    return (good.union(bad) if n_rejected else good), source


def _explicit_dialect(path: Path, settings: IngestSettings) -> dict[str, object]:
    """RFC 4180 options for a file DuckDB's sniffer gives up on (mixed line ends, heavy garbage).

    Non-strict mode reads past stray carriage returns; rows with the wrong number of fields are
    still rejected (and so quarantined), though line numbers may drift in such files.
    """
    delimiter = settings.delimiter or ","
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="", errors="replace") as handle:
        header = next(csv.reader(handle, delimiter=delimiter), [])
    if not header:
        raise EventLogSchemaError(f"{path}: no header line")
    return {"auto_detect": False, "strict_mode": False, "delim": delimiter, "quote": '"', "escape": '"',
            "columns": {name: "VARCHAR" for name in header}}


def _csv_rejects(con: ibis.BaseBackend, name: str) -> ir.Table:
    """One row per rejected physical line (DuckDB logs one row per error, per scan)."""
    if name not in con.list_tables():
        return ibis.memtable({"line": [], "csv_line": [], "error_message": []},
                             schema={"line": "int64", "csv_line": "string", "error_message": "string"})
    rejects = con.table(name)
    first = rejects.mutate(_k=ibis.row_number().over(group_by="line", order_by="column_idx"))
    return first.filter(first._k == 0).select("line", "csv_line", "error_message")


def _physical_line(raw: ir.Table, rejects: ir.Table, n_rejected: int) -> ir.Table:
    """Add ``_line``: header + record number + the rejected lines that come before the record.

    The ``j``-th rejected line ``l_j`` (1-based, sorted) has ``g_j = l_j - 1 - j`` parsed records
    before it, so the 0-based record ``r`` sits after every rejected line with ``g_j <= r``.
    """
    if not n_rejected:
        return raw.mutate(_line=raw._rec + 2)
    ranked = rejects.mutate(_j=ibis.row_number().over(order_by="line") + 1)
    shifts = ranked.group_by(_g=ranked.line - 1 - ranked._j).aggregate(_shift=ranked._j.max())
    joined = raw.asof_join(shifts, on=raw._rec >= shifts._g)
    return joined.mutate(_line=joined._rec + 2 + joined._shift.fill_null(0)).drop("_g", "_shift")


def _read_parquet(con: ibis.BaseBackend, files: list[Path], mapping: ColumnMapping) -> tuple[ir.Table, list[RawSource]]:
    sources, columns = [], None
    for file in files:
        try:
            meta = pq.read_metadata(file)
        except Exception as exc:  # pyarrow raises several types for a non-Parquet file
            raise EventLogSchemaError(f"{file}: cannot be read as Parquet ({exc})") from exc
        found = _resolve_mapping(file, meta.schema.names, mapping)
        columns = columns or found
        if found != columns:
            raise EventLogSchemaError(f"{file}: provides columns {found}, other files {columns}")
        sources.append(RawSource(str(file), "parquet", meta.num_rows, 0, found))
    try:
        table = con.read_parquet([str(f) for f in files], filename=True, file_row_number=True, union_by_name=True)
    except duckdb.Error as exc:
        raise EventLogSchemaError(f"{files[0].parent}: cannot read the Parquet files ({exc})") from exc
    order = {str(f): i for i, f in enumerate(files)}
    file_idx = table.filename.substitute(order, else_=-1)
    return _standardise(table, columns, table.filename, table.file_row_number + 1, file_idx), sources


def _read_xes(con: ibis.BaseBackend, path: Path, idx: int, mapping: ColumnMapping) -> tuple[ir.Table, RawSource]:
    import pm4py  # imported lazily: it prints a licence banner and takes a second to import

    try:
        frame = pm4py.read_xes(str(path), return_legacy_log_object=False)
    except Exception as exc:  # pm4py surfaces lxml and its own errors
        raise EventLogSchemaError(f"{path}: cannot be read as XES ({exc})") from exc
    columns = _resolve_mapping(path, list(frame.columns), mapping, defaults=_XES_DEFAULTS)
    frame = frame[[c for c in columns.values() if c]].copy()
    for col in frame.columns:
        if hasattr(frame[col], "dt"):
            frame[col] = frame[col].map(lambda v: v.isoformat() if v is not None and v == v else None)
        frame[col] = frame[col].astype("string")
    frame["_line"] = range(1, len(frame) + 1)
    table = con.create_table(f"_parcours_xes_{next(_table_ids)}", frame, temp=True)
    standard = _standardise(table, columns, ibis.literal(str(path)), table._line, ibis.literal(idx))
    return standard, RawSource(str(path), "xes", len(frame), 0, columns)
