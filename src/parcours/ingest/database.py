"""Events in a database table that Ibis reaches (PostgreSQL, MySQL, another DuckDB file, ...), read where they live.

``--events`` (``ingest.path``) names the table as a connection URL with the table in its ``table`` query
parameter: ``postgresql://user@host:5432/shop?table=events`` (``schema.table`` for another schema). The
table's rows are streamed from the database in Arrow batches into one temporary table of the engine, each
numbered in the order the database returns them (its ``line``), so memory stays at a batch whatever the
table's size. From there the ingest is the files' own: every row is validated and ends in the event log,
the quarantine or the duplicate count, and the rows streamed must equal the rows the database counted.
A password in the URL is never shown: sources, messages and the summary carry the URL without it.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from parcours.ingest.errors import EventLogSchemaError
from parcours.ingest.raw import RawSource, resolve_mapping, standardise, table_ids, unmapped
from parcours.settings import ColumnMapping

#: Rows per Arrow batch streamed from the database.
BATCH_ROWS = 100_000
_LINE = "_parcours_line"
_FILE_SCHEMES = {"", "file"}
_streams = itertools.count()


@dataclass(frozen=True)
class DatabaseTable:
    """A table in a database: the URL to connect with (password kept), the table and its schema, and the URL
    to show (password removed)."""

    url: str
    table: str
    schema: str | None
    shown: str

    @property
    def fingerprint(self) -> str:
        """What identifies the source between runs (the shown URL: no password)."""
        return hashlib.sha256(self.shown.encode()).hexdigest()[:16]


def is_database(spec: object) -> bool:
    """Whether ``spec`` names a database table (a URL with a scheme other than ``file``) rather than files."""
    text = str(spec)
    return "://" in text and urlsplit(text).scheme.lower() not in _FILE_SCHEMES


def parse_database(spec: str) -> DatabaseTable:
    """Split ``scheme://...?table=[schema.]name`` into the connection URL and the table.

    Raises
    ------
    EventLogSchemaError
        If the URL names no table.

    Examples
    --------
    >>> t = parse_database("postgresql://ana:secret@db:5432/shop?table=crm.events&sslmode=require")
    >>> t.url, t.table, t.schema, t.shown
    ('postgresql://ana:secret@db:5432/shop?sslmode=require', 'events', 'crm', 'postgresql://ana@db:5432/shop?table=crm.events&sslmode=require')
    """
    parts = urlsplit(spec)
    query = parse_qsl(parts.query, keep_blank_values=True)
    names = [v for k, v in query if k == "table"]
    hidden = parts.netloc.rsplit("@", 1)
    user = hidden[0].split(":", 1)[0] if len(hidden) == 2 else None
    netloc = f"{user}@{hidden[1]}" if user is not None else parts.netloc
    shown = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    if not names or not names[0].strip():
        raise EventLogSchemaError(f"{shown}: name the events table in the URL, e.g. {shown.split('?')[0]}?table=events")
    schema, _, table = names[0].strip().rpartition(".")
    url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode([(k, v) for k, v in query if k != "table"]),
                      ""))
    return DatabaseTable(url, table, schema or None, shown)


def open_table(source: DatabaseTable) -> ir.Table:
    """The table on its own database, through Ibis.

    Raises
    ------
    EventLogSchemaError
        If the database cannot be reached or has no such table (the message names the URL without password).
    """
    try:
        remote = ibis.connect(source.url)
    except Exception as exc:  # each backend's driver raises its own connection errors
        raise EventLogSchemaError(f"{source.shown}: cannot connect ({_without(str(exc), source)})") from exc
    try:
        return remote.table(source.table, database=source.schema)
    except Exception as exc:  # a missing table: each driver raises its own error
        raise EventLogSchemaError(f"{source.shown}: no table {source.table!r} "
                                  f"({_without(str(exc), source)})") from exc


def check_database_columns(source: DatabaseTable, mapping: ColumnMapping) -> dict[str, str | None]:
    """Check that the table exists and holds the mapped columns, without reading a row."""
    return resolve_mapping(source.shown, open_table(source).columns, mapping)


def read_database(con: ibis.BaseBackend, source: DatabaseTable, idx: int,
                  mapping: ColumnMapping) -> tuple[ir.Table, RawSource]:
    """Stream the table's rows into a temporary table of ``con`` and shape them as the file readers do.

    Returns
    -------
    tuple
        The raw table (mapped columns, ``line`` the row's position in the stream, ``file_idx`` ``idx``)
        and the source as read.

    Raises
    ------
    EventLogSchemaError
        If the table lacks a mapped column, or its row count changed while it was read.
    """
    remote = open_table(source)
    columns = resolve_mapping(source.shown, remote.columns, mapping)
    counted = int(remote.count().to_pyarrow().as_py())
    name = f"_parcours_db_{next(table_ids)}"
    streamed = _stream_into(con, remote, name)
    if streamed != counted:
        raise EventLogSchemaError(f"{source.shown}: {counted:,} rows counted but {streamed:,} read: the table changed "
                                  "while it was read; read it again, or from a snapshot")
    table = con.table(name)
    extras = unmapped([c for c in table.columns if c != _LINE], columns)
    raw = standardise(table, columns, table[_LINE], ibis.literal(idx), extras=extras)
    return raw, RawSource(source.shown, "database", streamed, 0, columns)


def _stream_into(con: ibis.BaseBackend, remote: ir.Table, name: str) -> int:
    """Copy the rows of ``remote`` batch by batch into the temporary table ``name`` of ``con``, each numbered."""
    batches = remote.to_pyarrow_batches(chunk_size=BATCH_ROWS)
    schema = batches.schema.append(pa.field(_LINE, pa.int64()))
    seen = 0

    def numbered():
        nonlocal seen
        for batch in batches:
            lines = pa.array(range(seen + 1, seen + batch.num_rows + 1), type=pa.int64())
            seen += batch.num_rows
            yield pa.RecordBatch.from_arrays([*batch.columns, lines], schema=schema)

    reader = pa.RecordBatchReader.from_batches(schema, numbered())
    view = f"_parcours_stream_{next(_streams)}"
    raw = con.con  # DuckDB's own connection scans the reader batch by batch
    raw.register(view, reader)
    try:
        raw.execute(f'CREATE TEMPORARY TABLE "{name}" AS SELECT * FROM "{view}"')
    finally:
        raw.unregister(view)
    return seen


def _without(message: str, source: DatabaseTable) -> str:
    """A driver's message with the URL's password removed."""
    password = urlsplit(source.url).password
    return message.replace(password, "***") if password else message


def describe_input(spec: object) -> str:
    """The input as a person may read it: a file path as is, a database URL without its password."""
    return parse_database(str(spec)).shown if is_database(spec) else str(spec)
