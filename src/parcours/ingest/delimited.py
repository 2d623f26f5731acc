"""Reading CSV files: DuckDB for a file it reads whole, the careful reader for a damaged one; every line counted."""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import ibis
import ibis.expr.types as ir

from parcours.ingest.errors import EventLogSchemaError
from parcours.ingest.raw import RawSource, attribute_name, resolve_mapping, standardise, table_ids, unmapped
from parcours.ingest.records import (
    EXCERPT_CHARS,
    MAX_RECORD_CHARS,
    encoding_of,
    file_facts,
    open_text,
    split_records,
)
from parcours.schema import INPUT_COLUMNS
from parcours.settings import IngestSettings

#: The delimiters tried, in this order, when the setting gives none and DuckDB's sniffer does not split the header.
DELIMITERS = (",", ";", "\t", "|")
#: Python codec names DuckDB's reader decodes itself, and its names for them; other encodings go through Python.
DUCKDB_ENCODINGS = {"utf-8": "utf-8", "iso8859-1": "latin-1"}


@dataclass(frozen=True)
class Dialect:
    """How a CSV file is split: its delimiter, its header's names, and whether DuckDB's sniffer found the same."""

    delimiter: str
    names: list[str]
    sniffer_agrees: bool


def csv_header(con: ibis.BaseBackend, path: Path, settings: IngestSettings) -> list[str]:
    """The column names of a CSV file, found exactly as :func:`read_csv` finds them (no row is read).

    The preflight of ``parcours run`` uses it, so a file that ingests (dirty lines quarantined) is never
    refused before the ingest sees it.

    Raises
    ------
    EventLogSchemaError
        If the file has no header line, or a name twice.
    """
    return csv_dialect(con, path, settings, encoding_of(path, settings.encoding, file_facts(path))).names


def csv_dialect(con: ibis.BaseBackend, path: Path, settings: IngestSettings, encoding: str = "utf-8") -> Dialect:
    """The delimiter (the setting's, else the one that splits the header as DuckDB's sniffer does, else the
    common one that splits it most) and the header's names, read from the file's first line itself.

    Raises
    ------
    EventLogSchemaError
        If the file has no header line, or a name twice (a clear error naming them).
    """
    first = header_line(path, encoding)
    sniffed = _sniffed_names(con, path, settings) if encoding in DUCKDB_ENCODINGS else None
    delimiter, names = split_header(path, first, settings, sniffed)
    return Dialect(delimiter, names, sniffed == names)


def header_line(path: Path, encoding: str) -> str:
    """The first line of a CSV file, without its line ending or byte-order mark.

    Raises
    ------
    EventLogSchemaError
        If it is empty (the file has no header).
    """
    with open_text(path, encoding) as handle:
        first = handle.readline().rstrip("\r\n").removeprefix("\ufeff")
    if not first.strip():
        raise EventLogSchemaError(f"{path}: no header line (the first line is empty)")
    return first


def split_header(path: Path, first: str, settings: IngestSettings,
                 sniffed: list[str] | None = None) -> tuple[str, list[str]]:
    """The delimiter and the names of the header line ``first`` of the CSV file ``path`` (the rule of
    :func:`csv_dialect`; ``sniffed`` is a parser's own split of the header, when there is one to agree with).

    Raises
    ------
    EventLogSchemaError
        If the header names a column twice.
    """
    delimiter = settings.delimiter or _delimiter(first, sniffed, settings.quote)
    names = next(csv.reader([first], delimiter=delimiter, quotechar=settings.quote))
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise EventLogSchemaError(f"{path}: the header names {', '.join(map(repr, twice))} more than once; "
                                  "each column needs a name of its own")
    return delimiter, names


def _sniffed_names(con: ibis.BaseBackend, path: Path, settings: IngestSettings) -> list[str] | None:
    """The header DuckDB's sniffer finds, or None when it cannot sniff the file (the careful reader will)."""
    try:
        return list(con.read_csv(str(path), **_options(settings), ignore_errors=True).columns)
    except duckdb.Error:
        return None


def _delimiter(first: str, sniffed: list[str] | None, quote: str) -> str:
    splits = {d: next(csv.reader([first], delimiter=d, quotechar=quote)) for d in DELIMITERS}
    agreeing = [d for d, names in splits.items() if names == sniffed and len(names) > 1]
    return agreeing[0] if agreeing else max(DELIMITERS, key=lambda d: len(splits[d]))  # ties: the first, ","


def _options(settings: IngestSettings, delimiter: str | None = None) -> dict[str, object]:
    options: dict[str, object] = {"all_varchar": True, "header": True, "quote": settings.quote,
                                  "escape": settings.quote}
    if delimiter or settings.delimiter:
        options["delim"] = delimiter or settings.delimiter
    return options


def read_csv(con: ibis.BaseBackend, path: Path, idx: int, settings: IngestSettings) -> tuple[ir.Table, RawSource]:
    """One CSV file as the raw table (see :mod:`parcours.ingest.raw`), its malformed lines included.

    DuckDB reads the file when its sniffer splits the header as the file does and its rows (read and
    rejected) account for every physical line; otherwise the careful reader does
    (:mod:`parcours.ingest.records`): a stray quote, a field over DuckDB's line limit, a line break
    inside a quoted field or a blank line cost that record alone, each with its own line.
    """
    facts = file_facts(path)
    encoding = encoding_of(path, settings.encoding, facts)
    dialect = csv_dialect(con, path, settings, encoding)
    lines = facts.lines
    if dialect.sniffer_agrees:
        names = {k: f"_parcours_{k}_{next(table_ids)}" for k in ("view", "raw", "rejects", "scans")}
        try:
            table, source = _read_with_duckdb(con, path, idx, settings, dialect, DUCKDB_ENCODINGS[encoding], names)
        except duckdb.Error:  # e.g. a field over DuckDB's line limit: the careful reader quarantines that row
            table, source = None, None
        if source is not None and source.rows + 1 == lines:
            return table, replace(source, lines=lines, lines_accounted=lines)
        for name in names.values():  # the careful reader reads the file again: free what DuckDB's parse kept
            con.raw_sql(f'DROP VIEW IF EXISTS "{name}"' if name == names["view"] else f'DROP TABLE IF EXISTS "{name}"')
    return _read_carefully(con, path, idx, settings, dialect, lines, encoding)


def _read_with_duckdb(con: ibis.BaseBackend, path: Path, idx: int, settings: IngestSettings,
                      dialect: Dialect, encoding: str, names: dict[str, str]) -> tuple[ir.Table, RawSource]:
    options = _options(settings, dialect.delimiter) | {"ignore_errors": True, "store_rejects": True,
                                                       "rejects_table": names["rejects"],
                                                       "rejects_scan": names["scans"], "encoding": encoding}
    view = con.read_csv(str(path), table_name=names["view"], **options)
    columns = resolve_mapping(path, list(view.columns), settings.columns)
    raw = con.create_table(names["raw"], view.mutate(_rec=ibis.row_number()), temp=True)
    rejects = _csv_rejects(con, names["rejects"])
    n_rejected = rejects.count().to_pyarrow().as_py()
    lined = _physical_line(raw, rejects, n_rejected)
    extras = unmapped(list(view.columns), columns)
    good = standardise(lined, columns, lined._line, ibis.literal(idx), extras=extras)
    bad = rejects.select(
        **{c: ibis.null("string") for c in INPUT_COLUMNS},
        line=rejects.line.cast("int64"), file_idx=ibis.literal(idx).cast("int64"),
        raw_line=rejects.csv_line.cast("string").substr(0, EXCERPT_CHARS),
        malformed=rejects.error_message.cast("string").substr(0, EXCERPT_CHARS),
        **{attribute_name(c): ibis.null("string") for c in extras},
    )
    rows = raw.count().to_pyarrow().as_py() + n_rejected
    source = RawSource(str(path), "csv", rows, n_rejected, columns)
    return (good.union(bad) if n_rejected else good), source


def _read_carefully(con: ibis.BaseBackend, path: Path, idx: int, settings: IngestSettings, dialect: Dialect,
                    lines: int, encoding: str) -> tuple[ir.Table, RawSource]:
    """The file split by :func:`parcours.ingest.records.split_records`, its good records read by DuckDB."""
    columns = resolve_mapping(path, dialect.names, settings.columns)
    positional = [f"c{i}" for i in range(len(dialect.names))]
    bad: dict[str, list] = {"line": [], "csv_line": [], "error_message": []}
    accounted, good = 1, 0
    with tempfile.TemporaryDirectory(prefix="parcours-csv-") as folder:
        copy = Path(folder) / "records.csv"
        with open_text(path, encoding) as handle, copy.open("w", newline="", encoding="utf-8") as out:
            handle.readline()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["_line", *positional])
            for record in split_records(handle, delimiter=dialect.delimiter, quote=settings.quote,
                                        n_fields=len(positional)):
                accounted += record.lines
                if record.problem:
                    bad["line"].append(record.line)
                    bad["csv_line"].append(record.text)
                    bad["error_message"].append(record.problem)
                elif record.fields:
                    writer.writerow([record.line, *record.fields])
                    good += 1
        view = con.read_csv(str(copy), header=True, auto_detect=False, delim=",", quote='"', escape='"',
                            max_line_size=8 * MAX_RECORD_CHARS,
                            columns={"_line": "BIGINT", **{c: "VARCHAR" for c in positional}})
        raw = con.create_table(f"_parcours_careful_{next(table_ids)}", view, temp=True)
    named = raw.rename({name: c for name, c in zip(dialect.names, positional, strict=True)})
    extras = unmapped(dialect.names, columns)
    table = standardise(named, columns, named._line, ibis.literal(idx), extras=extras)
    if bad["line"]:
        rejects = ibis.memtable(bad, schema={"line": "int64", "csv_line": "string", "error_message": "string"})
        table = table.union(rejects.select(
            **{c: ibis.null("string") for c in INPUT_COLUMNS}, line=rejects.line,
            file_idx=ibis.literal(idx).cast("int64"), raw_line=rejects.csv_line, malformed=rejects.error_message,
            **{attribute_name(c): ibis.null("string") for c in extras}))
    source = RawSource(str(path), "csv", good + len(bad["line"]), len(bad["line"]), columns, lines=lines,
                       lines_accounted=accounted)
    return table, source


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


