"""Reading CSV files with DuckDB, keeping malformed lines (from DuckDB's reject tables) and line numbers."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import duckdb
import ibis
import ibis.expr.types as ir

from parcours.config import IngestSettings
from parcours.eventlog.errors import EventLogSchemaError
from parcours.eventlog.raw import RawSource, attribute_name, resolve_mapping, standardise, table_ids, unmapped
from parcours.schema import INPUT_COLUMNS


def csv_header(con: ibis.BaseBackend, path: Path, settings: IngestSettings) -> list[str]:
    """The column names of a CSV file, found exactly as :func:`read_csv` finds them (no row is read).

    The preflight of ``parcours run`` uses it, so a file that ingests (dirty lines quarantined) is never
    refused before the ingest sees it.

    Raises
    ------
    EventLogSchemaError
        If the file cannot be opened as CSV.
    """
    try:
        return list(_open_view(con, path, settings, _options(settings) | {"ignore_errors": True}).columns)
    except duckdb.Error as exc:
        raise EventLogSchemaError(f"{path}: cannot be read as CSV ({exc})") from exc


def _options(settings: IngestSettings) -> dict[str, object]:
    options: dict[str, object] = {"all_varchar": True, "header": True, "quote": settings.quote,
                                  "escape": settings.quote}
    if settings.delimiter:
        options["delim"] = settings.delimiter
    return options


def _open_view(con: ibis.BaseBackend, path: Path, settings: IngestSettings, options: dict[str, object],
               table_name: str | None = None) -> ir.Table:
    """DuckDB's sniffed dialect, or RFC 4180 with the file's own header when the sniffer gives up."""
    named = {"table_name": table_name} if table_name else {}
    try:
        return con.read_csv(str(path), **named, **options)
    except duckdb.InvalidInputException as exc:
        if "sniff" not in str(exc).lower():
            raise
        return con.read_csv(str(path), **named, **(options | _explicit_dialect(path, settings)))


def read_csv(con: ibis.BaseBackend, path: Path, idx: int, settings: IngestSettings) -> tuple[ir.Table, RawSource]:
    """One CSV file as the raw table (see :mod:`parcours.eventlog.raw`), its malformed lines included."""
    uid = next(table_ids)
    names = {k: f"_parcours_{k}_{uid}" for k in ("view", "raw", "rejects", "scans")}
    options = _options(settings) | {"ignore_errors": True, "store_rejects": True,
                                    "rejects_table": names["rejects"], "rejects_scan": names["scans"]}
    try:
        view = _open_view(con, path, settings, options, names["view"])
        columns = resolve_mapping(path, list(view.columns), settings.columns)
        raw = con.create_table(names["raw"], view.mutate(_rec=ibis.row_number()), temp=True)
    except duckdb.Error as exc:
        raise EventLogSchemaError(f"{path}: cannot be read as CSV ({exc})") from exc
    rejects = _csv_rejects(con, names["rejects"])
    n_rejected = rejects.count().to_pyarrow().as_py()
    lined = _physical_line(raw, rejects, n_rejected)
    extras = unmapped(list(view.columns), columns)
    good = standardise(lined, columns, lined._line, ibis.literal(idx), extras=extras)
    bad = rejects.select(
        **{c: ibis.null("string") for c in INPUT_COLUMNS},
        line=rejects.line.cast("int64"), file_idx=ibis.literal(idx).cast("int64"),
        raw_line=rejects.csv_line.cast("string"), malformed=rejects.error_message.cast("string"),
        **{attribute_name(c): ibis.null("string") for c in extras},
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
        header = next(csv.reader(handle, delimiter=delimiter, quotechar=settings.quote), [])
    if not header:
        raise EventLogSchemaError(f"{path}: no header line")
    return {"auto_detect": False, "strict_mode": False, "delim": delimiter,
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


