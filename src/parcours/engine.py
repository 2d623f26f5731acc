"""The Ibis connection the relational work runs on (DuckDB by default) and its few helpers.

Library functions take an Ibis backend (``con``) and return Ibis expressions, so the same code runs
embedded on DuckDB and, by changing the backend, on a distributed engine (DESIGN.md §4, §6).
"""

from __future__ import annotations

import csv
import itertools
import logging
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pandas as pd
from ibis.backends.duckdb import Backend as DuckDBBackend
from ibis.common.exceptions import IbisError

from parcours.spreadsheet import restore_text

_LOCK_RETRY_SECONDS = 0.5
_log = logging.getLogger("parcours.engine")
_temporary_ids = itertools.count()
_TEMPORARY = "_parcours_tmp_"
_WAREHOUSE_PREFIX = "parcours-spark-"


class EngineLockedError(RuntimeError):
    """The DuckDB database file stayed locked by another process for longer than allowed."""


class UnknownEngineError(ValueError):
    """An engine kind parcours does not run on (it runs on ``duckdb`` and ``spark``)."""


def connect(
    database: str | Path = ":memory:",
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    lock_timeout_s: float = 600.0,
) -> DuckDBBackend:
    """Open an Ibis connection to DuckDB.

    Parameters
    ----------
    database
        A DuckDB file (created with its folder if missing) or ``":memory:"``.
    threads, memory_limit
        DuckDB's ``threads`` and ``memory_limit`` settings; ``None`` keeps DuckDB's defaults.
    lock_timeout_s
        How long to wait while another process holds the file (parallel Dagster steps share it).

    Returns
    -------
    ibis.backends.duckdb.Backend
        The connection, with UTC as its session time zone.

    Raises
    ------
    EngineLockedError
        If the file is still locked after ``lock_timeout_s`` seconds.

    Examples
    --------
    >>> con = connect()
    >>> con.sql("select 1 as x").to_pandas().x.tolist()
    [1]
    """
    kwargs: dict[str, object] = {}
    if int(duckdb.__version__.split(".")[0]) >= 2:
        # DESIGN.md §8: DuckDB 2 rejects Ibis's array-lambda syntax without this setting.
        kwargs["lambda_syntax"] = "ENABLE_SINGLE_ARROW"
    if threads:
        kwargs["threads"] = threads
    if memory_limit:
        kwargs["memory_limit"] = memory_limit
    if str(database) != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + lock_timeout_s
    said = False
    while True:
        try:
            con = ibis.duckdb.connect(str(database), **kwargs)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                if "lock" in str(exc).lower():
                    raise EngineLockedError(f"{database} is locked by another process: {exc}") from exc
                raise
            if not said:  # say at once who holds the file, and for how long this waits
                holder = re.search(r"PID \d+", str(exc))
                _log.warning("parcours: waiting up to %.0f s for %s, held by %s (another run on this home?)",
                             lock_timeout_s, database, holder.group(0) if holder else "another process")
                said = True
            time.sleep(_LOCK_RETRY_SECONDS)
    con.raw_sql("SET TimeZone = 'UTC'")
    return con


def connect_spark(
    master: str = "local[2]", *, app_name: str = "parcours", conf: dict[str, str] | None = None,
    warehouse_dir: str | Path | None = None,
) -> ibis.BaseBackend:
    """Open an Ibis connection to Spark, for the relational stages at cluster scale (DESIGN.md §6).

    The library's relational functions (ingest's validation and de-duplication, journey instances, the
    process map, variants, RFM) take any Ibis backend; this one runs them on Spark. The session keeps
    UTC as its time zone, as :func:`connect` does, and its executors use this interpreter.

    Parameters
    ----------
    master
        ``local[N]`` for N local cores, or a cluster URL (``spark://host:7077``, ``yarn``, ``k8s://...``).
    app_name
        The application's name in Spark's UI.
    conf
        Further Spark settings (``spark.executor.memory``, ...).
    warehouse_dir
        ``spark.sql.warehouse.dir``; default: a fresh temporary folder, so no ``spark-warehouse/`` is
        left in the working directory.

    Returns
    -------
    ibis.BaseBackend
        The Ibis PySpark backend over the (new or current) Spark session.

    Raises
    ------
    ModuleNotFoundError
        If PySpark is not installed (``pip install 'parcours[spark]'``).
    """
    import os
    import sys
    import tempfile

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    warehouse = str(warehouse_dir or tempfile.mkdtemp(prefix=_WAREHOUSE_PREFIX))
    builder = (SparkSession.builder.master(master).appName(app_name)
               .config("spark.sql.session.timeZone", "UTC").config("spark.sql.warehouse.dir", warehouse)
               .config("spark.ui.showConsoleProgress", "false")
               # instants in Parquet as DuckDB writes them (UTC-adjusted microseconds), not INT96
               .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
               # a CSV row is malformed whichever columns a query reads (rows are counted apart from their parse)
               .config("spark.sql.csv.parser.columnPruning.enabled", "false"))
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    _count_where_counts()
    return ibis.pyspark.connect(session)


def _count_where_counts() -> None:
    """Make Ibis's ``count(where=...)`` a count on Spark: Ibis 12 compiles it to ``SUM(CAST(cond AS BIGINT))``,
    null (not 0) where no row matches and wrong where the condition is null; Spark's ``count_if`` is the count."""
    from ibis.backends.sql.compilers.pyspark import PySparkCompiler

    def visit_count_star(self, op, *, arg, where):
        return self.f.count_if(where) if where is not None else self.f.count(sge.Star())

    import sqlglot.expressions as sge

    PySparkCompiler.visit_CountStar = visit_count_star


def disconnect(con: ibis.BaseBackend) -> None:
    """Close ``con``: DuckDB releases its file lock; a Spark session made by :func:`connect_spark` stops, and the
    temporary warehouse folder it made is removed."""
    if con.name != "pyspark":
        con.disconnect()
        return
    import shutil
    from urllib.parse import urlparse

    warehouse = Path(urlparse(con._session.conf.get("spark.sql.warehouse.dir", "")).path)
    con._session.stop()
    if warehouse.name.startswith(_WAREHOUSE_PREFIX):
        shutil.rmtree(warehouse, ignore_errors=True)


def materialise(con: ibis.BaseBackend, table: ir.Table, name: str = "result") -> ir.Table:
    """Compute ``table`` once into a temporary table of ``con`` and return it, for a result read several times.

    A temporary table rather than Ibis's ``Table.cache()``: the cache drops its table when the expression
    is collected, which fails once the connection is closed, while a temporary table simply ends with the
    connection. DuckDB spills it to disk past its memory limit. Spark has no temporary tables: there it is a
    table of the session's warehouse (Parquet files), dropped by :func:`release` or :func:`release_leftovers`.

    Examples
    --------
    >>> con = connect()
    >>> once = materialise(con, con.sql("select 1 as x"))
    >>> once.x.sum().execute(), once.count().execute()
    (1, 1)
    """
    return con.create_table(f"{_TEMPORARY}{name}_{next(_temporary_ids)}", table, temp=_has_temporary_tables(con))


def _has_temporary_tables(con: ibis.BaseBackend) -> bool:
    return con.name != "pyspark"


def temporary_table(con: ibis.BaseBackend, name: str, obj: ir.Table | pd.DataFrame) -> ir.Table:
    """``obj`` stored as the table ``name`` of ``con``, dropped with the connection (DuckDB) or by
    :func:`release_leftovers` (Spark, whose tables live in the session's warehouse); ``name`` starts ``_parcours_``."""
    return con.create_table(name, obj, temp=_has_temporary_tables(con), overwrite=not _has_temporary_tables(con))


def release(con: ibis.BaseBackend, table: ir.Table) -> bool:
    """Drop ``table`` if it is a temporary table of :func:`materialise`, once nothing will read it again.

    Returns
    -------
    bool
        Whether a table was dropped (any other expression is left alone).

    Examples
    --------
    >>> con = connect()
    >>> once = materialise(con, con.sql("select 1 as x"))
    >>> release(con, once), release(con, con.sql("select 1 as x"))
    (True, False)
    """
    try:
        name = table.get_name().rsplit(".", 1)[-1]
    except AttributeError:  # an expression, not a table of the database
        return False
    if not name.startswith(_TEMPORARY):
        return False
    con.drop_table(name, force=True)
    return True


def release_leftovers(con: ibis.BaseBackend) -> list[str]:
    """Drop every temporary table parcours made on ``con`` (``_parcours_*``): what a finished step left behind.

    Between two steps of one process nothing of the engine is shared (each step reads its inputs from the
    output folder), yet an ingest's staged rows (about 1.1 GB at 5M events) would otherwise stay in memory
    until the connection closes. On Spark they are tables of the session's warehouse (files on disk).

    Returns
    -------
    list of str
        The tables dropped.

    Examples
    --------
    >>> con = connect()
    >>> _ = materialise(con, con.sql("select 1 as x"))
    >>> len(release_leftovers(con)), release_leftovers(con)
    (1, [])
    """
    if con.name == "pyspark":
        names = [n for n in con.list_tables() if n.startswith("_parcours_")]
    elif con.name == "duckdb":
        names = [row[0] for row in con.raw_sql("SELECT table_name FROM duckdb_tables() "
                                               "WHERE temporary AND starts_with(table_name, '_parcours_')").fetchall()]
    else:
        return []
    for name in names:
        con.drop_table(name, force=True)
    return names


def iso_instant(value: datetime | None) -> str | None:
    """An instant the engine returned, as ISO 8601 with its UTC offset (Spark returns naive UTC times).

    Examples
    --------
    >>> iso_instant(datetime(2024, 1, 1, 12)), iso_instant(None)
    ('2024-01-01T12:00:00+00:00', None)
    """
    if value is None:
        return None
    return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).isoformat()


def write_parquet(table: ir.Table, path: str | Path) -> None:
    """Write ``table`` as one Parquet file at ``path``, whatever the engine.

    DuckDB writes the file itself. Spark writes a folder of part files, one per task: here its tasks
    write one part into a folder beside ``path`` (same file system), which is then moved to ``path``, so
    an output is one file on every engine (DESIGN.md §7).
    """
    path = Path(path)
    con = table._find_backend()
    if con.name != "pyspark":
        table.to_parquet(path)
        return
    import shutil

    folder = path.with_name(f"{path.name}.parts")
    shutil.rmtree(folder, ignore_errors=True)
    con._session.sql(con.compile(table)).coalesce(1).write.mode("overwrite").parquet(str(folder))
    parts = sorted(folder.glob("part-*.parquet"))
    if len(parts) != 1:
        raise RuntimeError(f"{folder}: Spark wrote {len(parts)} parts where one was asked for")
    parts[0].replace(path)
    shutil.rmtree(folder)


@ibis.udf.scalar.builtin(name="timezone")
def _duckdb_timezone(zone: str, ts: dt.Timestamp()) -> dt.Timestamp(timezone="UTC"):  # type: ignore[valid-type]
    """DuckDB's ``timezone(zone, naive)``: the instant a wall-clock time in ``zone`` denotes."""


@ibis.udf.scalar.builtin(name="epoch")
def _duckdb_epoch(ts: dt.Timestamp(timezone="UTC")) -> dt.float64:  # type: ignore[valid-type]
    """DuckDB's ``epoch(instant)``: seconds since 1970-01-01 UTC, with their fraction."""


def seconds_since_epoch(ts: ir.TimestampValue) -> ir.FloatingValue:
    """Seconds since the epoch (float, fraction kept) of aware timestamps, computed in the engine.

    Ibis's ``epoch_seconds`` compiles to ``EPOCH(CAST(ts AS TIMESTAMP))`` on DuckDB, whose time-zone
    conversion per row doubles the cost of a window over millions of events; DuckDB's ``epoch`` reads the
    instant directly. Other engines get Ibis's own.

    Examples
    --------
    >>> con = connect()
    >>> t = con.sql("select TIMESTAMPTZ '1970-01-02 00:00:00.5+00' as ts")
    >>> t.select(s=seconds_since_epoch(t.ts)).to_pandas().s.iloc[0]
    np.float64(86400.5)
    """
    try:
        duckdb = ibis.get_backend(ts).name == "duckdb"
    except IbisError:  # an unbound expression: Ibis's own, which every engine compiles
        duckdb = False
    return _duckdb_epoch(ts) if duckdb else ts.epoch_seconds().cast("float64")


@ibis.udf.scalar.builtin(name="timezone")
def _duckdb_wall_clock(zone: str, ts: dt.Timestamp(timezone="UTC")) -> dt.Timestamp():  # type: ignore[valid-type]
    """DuckDB's ``timezone(zone, instant)``: the wall-clock time in ``zone`` of an instant."""


@ibis.udf.scalar.builtin(name="try_strptime")
def _duckdb_try_strptime(text: str, fmt: str) -> dt.Timestamp():  # type: ignore[valid-type]
    """DuckDB's ``try_strptime``: null where the text does not match the format."""


@ibis.udf.scalar.builtin(name="try_strptime")
def _duckdb_try_strptime_aware(text: str, fmt: str) -> dt.Timestamp(timezone="UTC"):  # type: ignore[valid-type]
    """DuckDB's ``try_strptime`` with ``%z`` in the format: an instant."""


@ibis.udf.scalar.builtin(name="to_utc_timestamp")
def _spark_to_utc(ts: dt.Timestamp(), zone: str) -> dt.Timestamp(timezone="UTC"):  # type: ignore[valid-type]
    """Spark's ``to_utc_timestamp(wall_clock, zone)``: the instant a wall-clock time in ``zone`` denotes."""


@ibis.udf.scalar.builtin(name="from_utc_timestamp")
def _spark_from_utc(ts: dt.Timestamp(timezone="UTC"), zone: str) -> dt.Timestamp():  # type: ignore[valid-type]
    """Spark's ``from_utc_timestamp(instant, zone)``: the wall-clock time in ``zone`` of an instant."""


def _zone_functions(value: ir.Value):
    """The engine's pair (wall clock in a zone → instant, instant → wall clock in a zone), DuckDB's by default."""
    try:
        spark = ibis.get_backend(value).name == "pyspark"
    except IbisError:
        spark = False
    if spark:
        return (lambda zone, ts: _spark_to_utc(ts, zone)), (lambda zone, ts: _spark_from_utc(ts, zone))
    return _duckdb_timezone, _duckdb_wall_clock


#: DST changes are found by reading a wall-clock time with the offsets in force this long before and after it.
_DST_REACH = ibis.interval(hours=3)


def localize_to_utc(naive: ir.TimestampValue, zone: str) -> ir.TimestampValue:
    """Read naive wall-clock timestamps as local times in ``zone`` and return UTC instants.

    Daylight-saving changes follow one stated rule, Python's ``fold=0`` (PEP 495): a wall-clock
    time is read with the UTC offset in force just before the clocks changed. A time the clocks
    skipped (02:30 on the spring night in Paris) is moved on by the change (03:30); a time they
    repeated (02:30 on the autumn night) is its first occurrence. :func:`read_wall_clock` says
    which times were either.

    Parameters
    ----------
    naive
        Timestamps without a time zone.
    zone
        IANA time zone name, e.g. ``"Europe/Paris"``.

    Returns
    -------
    ibis.expr.types.TimestampValue
        Time-zone-aware UTC timestamps.
    """
    return read_wall_clock(naive, zone)[0]


def read_wall_clock(naive: ir.TimestampValue, zone: str) -> tuple[ir.TimestampValue, ir.StringValue]:
    """The UTC instants of wall-clock times in ``zone`` (the rule of :func:`localize_to_utc`) and, for each,
    ``skipped`` (a time the clocks skipped), ``repeated`` (one they repeated) or null, from one reading."""
    if zone == "UTC":
        return naive.cast(dt.Timestamp(timezone="UTC")), ibis.null("string")
    as_found, before, _, kind = _readings(naive, zone)
    return ibis.ifelse(kind.isnull(), as_found, before), kind


def _readings(naive: ir.TimestampValue, zone: str) -> tuple[ir.TimestampValue, ...]:
    """The instant DuckDB reads, the ones read with the offsets of 3 hours before and after, and the kind."""
    instant_of, wall_clock_of = _zone_functions(naive)
    as_found = instant_of(zone, naive)
    before = instant_of(zone, naive - _DST_REACH) + _DST_REACH
    after = instant_of(zone, naive + _DST_REACH) - _DST_REACH

    def shows(instant: ir.TimestampValue) -> ir.BooleanValue:
        return wall_clock_of(zone, instant) == naive

    kind = ibis.cases(
        (shows(before) & shows(after) & (before != after), "repeated"),
        (~shows(as_found), "skipped"),
        else_=ibis.null("string"),
    )
    return as_found, before, after, kind


def parse_with_format(text: ir.StringValue, fmt: str) -> ir.TimestampValue:
    """``text`` parsed with the strptime format ``fmt``, null where it does not match (a try-parse).

    Naive, unless the format reads an offset (``%z``): then the instants. DuckDB's ``try_strptime``;
    other engines get Ibis's ``as_timestamp``.
    """
    aware = "%z" in fmt or "%Z" in fmt
    try:
        duckdb = ibis.get_backend(text).name == "duckdb"
    except IbisError:
        duckdb = False
    if duckdb:
        return (_duckdb_try_strptime_aware if aware else _duckdb_try_strptime)(text, fmt)
    return text.as_timestamp(fmt)


#: Columns that hold identifiers: always text, whatever they look like ("007" stays "007", 7 is "7").
ID_COLUMNS = ("customer_id", "journey_instance_id", "rule_id", "variant", "source")


def column_types(table: ir.Table | pd.DataFrame) -> dict[str, str]:
    """Each column's Ibis type as text, for :func:`read_typed_csv` to restore after a CSV round trip.

    Examples
    --------
    >>> column_types(pd.DataFrame({"customer_id": [7], "x": [1.5]}))
    {'customer_id': 'int64', 'x': 'float64'}
    """
    schema = table.schema() if isinstance(table, ir.Table) else ibis.memtable(table).schema()
    return {name: str(dtype) for name, dtype in schema.items()}


def read_typed_csv(con: ibis.BaseBackend, path: str | Path, types: dict[str, str] | None = None) -> ir.Table:
    """A CSV output read back with the types it was written with (every field read as text, then cast).

    Without ``types`` DuckDB would guess: integer customer ids would become numbers, and a column that is
    empty on every row would become text. Identifier columns (:data:`ID_COLUMNS`) stay text; a nested type
    that CSV cannot hold stays text too. Text cells lose the ``'`` that made them safe to open in a
    spreadsheet (:mod:`parcours.spreadsheet`).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = path.write_text("customer_id,x\\n007,\\n")
    >>> t = read_typed_csv(connect(), path, {"customer_id": "int64", "x": "float64"})
    >>> str(t.schema()["customer_id"]), str(t.schema()["x"]), t.customer_id.execute()[0]
    ('string', 'float64', '007')
    """
    if types is None:  # a file written elsewhere: DuckDB's guess, identifiers kept as text
        with open(path, newline="", encoding="utf-8-sig") as handle:  # with or without a byte-order mark
            header = next(csv.reader(handle), [])
        ids = {c: "VARCHAR" for c in ID_COLUMNS if c in header}
        if con.name == "pyspark":
            return con.read_csv(str(path), header=True)
        return con.read_csv(str(path), header=True, **({"types": ids} if ids else {}))
    table = (con.read_csv(str(path), header=True, inferSchema=False, multiLine=True, escape='"')
             if con.name == "pyspark" else con.read_csv(str(path), all_varchar=True, header=True))
    casts = {}
    for name, text in (types or {}).items():
        dtype = dt.dtype(text)
        if name not in table.columns:
            continue
        if dtype.is_string() or name in ID_COLUMNS:
            casts[name] = restore_text(table[name])  # the spreadsheet escape of :mod:`parcours.spreadsheet`
        elif not dtype.is_null() and (dtype.is_primitive() or dtype.is_temporal()):
            casts[name] = table[name].cast(dtype)
    return table.mutate(**casts) if casts else table
