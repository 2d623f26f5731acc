"""Read CSV, Parquet and XES event files into one raw Ibis table, keeping where each row came from.

The raw table has one row per input row, malformed CSV rows included, with the mapped columns under
their canonical names (original values, original types), ``source`` (the file), ``line`` (the
physical line in a CSV file with a header, exact unless blank lines or quoted line breaks come
before the row; the row number in Parquet; the event position in XES),
``file_idx`` (the file's position in sorted order), ``raw_line`` and ``malformed`` (the text and the
parser's complaint for CSV rows that could not be split into columns).
"""

from __future__ import annotations

import glob as globlib
from pathlib import Path

import duckdb
import ibis
import ibis.expr.types as ir
import pyarrow.parquet as pq

from parcours.engine import temporary_table
from parcours.ingest.database import check_database_columns, is_database, parse_database, read_database
from parcours.ingest.delimited import csv_header, read_csv
from parcours.ingest.errors import EventLogSchemaError
from parcours.ingest.raw import RawEvents, RawSource, extra_columns, resolve_mapping, standardise, table_ids, unmapped
from parcours.ingest.spark import read_spark_files
from parcours.schema import INPUT_COLUMNS
from parcours.settings import ColumnMapping, IngestSettings

__all__ = ["RawEvents", "RawSource", "check_columns", "read_events", "resolve_event_files"]

_EXTENSIONS = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".gz": "csv",
    ".parquet": "parquet", ".pq": "parquet", ".xes": "xes",
}
_XES_DEFAULTS = {"customer_id": "case:concept:name", "ts": "time:timestamp", "activity": "concept:name"}


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
    """Read every event file under ``path`` (or the database table it names) into one raw table on ``con``.

    Parameters
    ----------
    con
        The Ibis DuckDB connection; CSV files are materialised in it as temporary tables.
    settings
        Column mapping, format and CSV delimiter.
    path
        A file, a folder or a glob; or a database table as a URL (:mod:`parcours.ingest.database`).

    Returns
    -------
    RawEvents
        The union of all files and what was read from each.

    Raises
    ------
    EventLogSchemaError
        If a file cannot be read or lacks a mapped column.
    """
    if is_database(path) and con.name == "pyspark":
        raise EventLogSchemaError(f"{parse_database(str(path)).shown}: a database table is read on the DuckDB "
                                  "engine; with --engine spark, give the events as CSV or Parquet files")
    if is_database(path):
        table, source = read_database(con, parse_database(str(path)), 0, settings.columns)
        return RawEvents(table=table, sources=(source,))
    files = resolve_event_files(path)
    tables, sources = [], {}
    spark = con.name == "pyspark"  # Spark's own readers for CSV and Parquet (:mod:`parcours.ingest.spark`)
    for fmt in ("parquet", "csv") if spark else ():
        chosen = [i for i, f in enumerate(files) if _format(f, settings) == fmt]
        if chosen:
            found_tables, found = read_spark_files(con, settings, [files[i] for i in chosen], chosen, fmt)
            tables.extend(found_tables)
            sources.update(found)
    parquet = [] if spark else [i for i, f in enumerate(files) if _format(f, settings) == "parquet"]
    if parquet:
        table, found = _read_parquet(con, [files[i] for i in parquet], parquet, settings.columns)
        tables.append(table)
        sources.update(zip(parquet, found, strict=True))
    for idx, file in enumerate(files):
        fmt = _format(file, settings)
        if fmt == "csv" and not spark:
            table, sources[idx] = read_csv(con, file, idx, settings)
        elif fmt == "xes":
            table, sources[idx] = _read_xes(con, file, idx, settings.columns)
        else:
            continue
        tables.append(table)
    if len(tables) > 1 and len({t.schema() for t in tables}) > 1:
        extras = list(dict.fromkeys(c for t in tables for c in extra_columns(t)))  # files may differ in them
        order = [*tables[0].select(*[c for c in tables[0].columns if c not in extras]).columns, *extras]
        tables = [t.mutate(**{c: t[c].cast("string") for c in INPUT_COLUMNS},
                           **{c: ibis.null("string") for c in extras if c not in t.columns}).select(*order)
                  for t in tables]
    table = ibis.union(*tables) if len(tables) > 1 else tables[0]
    return RawEvents(table=table, sources=tuple(sources[i] for i in range(len(files))))


def check_columns(con: ibis.BaseBackend, settings: IngestSettings, path: str | Path) -> list[Path]:
    """Check that every event file exists, can be opened and has the mapped columns, without reading rows.

    CSV headers are sniffed and Parquet footers read; XES files are only checked to exist (their
    keys are known once parsed).

    Returns
    -------
    list of Path
        The event files.

    Raises
    ------
    EventLogSchemaError
        As :func:`read_events` would, but before any row is read.
    """
    if is_database(path):
        check_database_columns(parse_database(str(path)), settings.columns)
        return []
    files = resolve_event_files(path)
    for file in files:
        fmt = _format(file, settings)
        if fmt == "parquet":
            try:
                names = pq.read_schema(file).names
            except Exception as exc:  # pyarrow raises several types for a non-Parquet file
                raise EventLogSchemaError(f"{file}: cannot be read as Parquet ({exc})") from exc
            resolve_mapping(file, names, settings.columns)
        elif fmt == "csv":
            names = csv_header(con, file, settings)
            resolve_mapping(file, names, settings.columns)
    return files


def _format_of(path: Path, strict: bool = False) -> str | None:
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    for suffix in reversed(suffixes):
        if suffix in _EXTENSIONS and not (suffix == ".gz" and len(suffixes) > 1):
            return _EXTENSIONS[suffix]
    return None if strict else "csv"


def _format(path: Path, settings: IngestSettings) -> str:
    return settings.format if settings.format != "auto" else _format_of(path) or "csv"


def _read_parquet(con: ibis.BaseBackend, files: list[Path], indices: list[int],
                  mapping: ColumnMapping) -> tuple[ir.Table, list[RawSource]]:
    """All Parquet files in one scan; DuckDB's ``file_index`` says which file a row came from."""
    sources, columns, names = [], None, {}
    for file in files:
        try:
            meta = pq.read_metadata(file)
        except Exception as exc:  # pyarrow raises several types for a non-Parquet file
            raise EventLogSchemaError(f"{file}: cannot be read as Parquet ({exc})") from exc
        found = resolve_mapping(file, meta.schema.names, mapping)
        names.update(dict.fromkeys(meta.schema.names))
        columns = columns or found
        if found != columns:
            raise EventLogSchemaError(f"{file}: provides columns {found}, other files {columns}")
        sources.append(RawSource(str(file), "parquet", meta.num_rows, 0, found))
    listed = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
    try:
        table = con.sql(f"SELECT *, file_index AS _file_index FROM read_parquet([{listed}], "
                        "file_row_number = true, union_by_name = true)")
    except duckdb.Error as exc:
        raise EventLogSchemaError(f"{files[0].parent}: cannot read the Parquet files ({exc})") from exc
    position = table._file_index.cast("int64")
    file_idx = position if indices == list(range(len(files))) else position.substitute(dict(enumerate(indices)))
    extras = [c for c in unmapped(list(names), columns) if c not in ("file_row_number", "file_index")]
    return standardise(table, columns, table.file_row_number + 1, file_idx, extras=extras), sources


def _read_xes(con: ibis.BaseBackend, path: Path, idx: int, mapping: ColumnMapping) -> tuple[ir.Table, RawSource]:
    import pm4py  # imported lazily: it prints a licence banner and takes a second to import

    try:
        frame = pm4py.read_xes(str(path), return_legacy_log_object=False)
    except Exception as exc:  # pm4py surfaces lxml and its own errors
        raise EventLogSchemaError(f"{path}: cannot be read as XES ({exc})") from exc
    columns = resolve_mapping(path, list(frame.columns), mapping, defaults=_XES_DEFAULTS)
    frame = frame.copy()
    for col in frame.columns:
        if hasattr(frame[col], "dt"):
            frame[col] = frame[col].map(lambda v: v.isoformat() if v is not None and v == v else None)
        frame[col] = frame[col].astype("string")
    frame["_line"] = range(1, len(frame) + 1)
    table = temporary_table(con, f"_parcours_xes_{next(table_ids)}", frame)
    extras = unmapped(list(frame.columns), columns)
    standard = standardise(table, columns, table._line, ibis.literal(idx), extras=extras)
    return standard, RawSource(str(path), "xes", len(frame), 0, columns)
