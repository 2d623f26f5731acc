"""Reading event files on Spark: CSV and Parquet files (folders of them) as Spark reads them, in parallel.

The raw table is the one every reader produces (:mod:`parcours.ingest.raw`), so validation, stitching
and de-duplication run on it unchanged. What differs from the DuckDB readers, and why:

- the rows are split by Spark's own CSV parser, in parallel across files and across the splits of a
  large file; a record it cannot split into the header's fields (too few or too many fields, a stray
  quote) is kept whole as a malformed row (``raw_line``), and its fields are not used;
- ``line`` is the record's number in its file plus one for the header: the physical line unless quoted
  line breaks or blank lines come before it (Spark does not say where a record starts). It is found
  without sorting the file: each split's rows are consecutive, so a row's number is its split's offset
  (the rows of the file's earlier splits) plus its place in the split;
- a Parquet row's ``line`` is its row number in the file (Spark's ``_metadata.row_index``);
- the text encoding is the setting's, UTF-8 under ``auto`` (DuckDB's reader looks at the bytes; on a
  cluster the driver does not read every byte to guess).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import ibis
import ibis.expr.types as ir
import pyarrow.parquet as pq

from parcours.ingest.delimited import header_line, split_header
from parcours.ingest.errors import EventLogSchemaError
from parcours.ingest.raw import RawSource, resolve_mapping, standardise, table_ids, unmapped
from parcours.ingest.records import EXCERPT_CHARS
from parcours.settings import IngestSettings

#: The text a malformed row carries in ``malformed`` (Spark gives no reason of its own).
MALFORMED = "Spark's CSV parser could not split this record into the header's fields"
_CORRUPT = "_parcours_corrupt"


def read_spark_files(con: ibis.BaseBackend, settings: IngestSettings, files: list[Path], indices: list[int],
                     fmt: str) -> tuple[list[ir.Table], dict[int, RawSource]]:
    """The CSV or Parquet files among the event files, read by Spark, grouped so that one scan reads many files.

    Parameters
    ----------
    con
        The Ibis PySpark backend (:func:`parcours.engine.connect_spark`).
    settings
        Column mapping, delimiter, quote and encoding.
    files, indices
        The files of format ``fmt`` and their positions among all event files (``file_idx``).
    fmt
        ``"csv"`` or ``"parquet"``.

    Returns
    -------
    tuple
        One raw table per group of files with the same columns, and each file's :class:`RawSource` by index.

    Raises
    ------
    EventLogSchemaError
        If a file cannot be read, has no header, or lacks a mapped column.
    """
    groups: dict[tuple, list[tuple[int, Path]]] = {}
    for idx, file in zip(indices, files, strict=True):
        shape = _csv_shape(file, settings) if fmt == "csv" else (tuple(_parquet_names(file)),)
        groups.setdefault(shape, []).append((idx, file))
    tables, sources = [], {}
    for shape, members in groups.items():
        table, found = (_read_csv(con, settings, members, *shape) if fmt == "csv"
                        else _read_parquet(con, settings, members, list(shape[0])))
        tables.append(table)
        sources.update(found)
    return tables, sources


def _csv_shape(path: Path, settings: IngestSettings) -> tuple[str, tuple[str, ...], str]:
    """The file's delimiter, header names and encoding, from its first line (no row is read)."""
    encoding = "utf-8" if settings.encoding == "auto" else settings.encoding
    delimiter, names = split_header(path, header_line(path, encoding), settings)
    return delimiter, tuple(names), encoding


def _parquet_names(path: Path) -> list[str]:
    try:
        return pq.read_schema(path).names
    except Exception as exc:  # pyarrow raises several types for a non-Parquet file
        raise EventLogSchemaError(f"{path}: cannot be read as Parquet ({exc})") from exc


def _read_csv(con: ibis.BaseBackend, settings: IngestSettings, members: list[tuple[int, Path]],
              delimiter: str, names: tuple[str, ...], encoding: str) -> tuple[ir.Table, dict[int, RawSource]]:
    from pyspark.sql import functions as F  # noqa: N812 - PySpark's own convention
    from pyspark.sql.types import StringType, StructField, StructType

    columns = resolve_mapping(members[0][1], list(names), settings.columns)
    schema = StructType([*(StructField(n, StringType()) for n in names), StructField(_CORRUPT, StringType())])
    frame = (con._session.read.schema(schema)
             .options(header=True, sep=delimiter, quote=settings.quote, escape=settings.quote, encoding=encoding,
                      mode="PERMISSIVE", columnNameOfCorruptRecord=_CORRUPT, multiLine=False)
             .csv([str(f) for _, f in members]))
    frame = frame.select(*[F.col(f"`{n}`") for n in names], F.col(_CORRUPT),
                         F.col("_metadata.file_path").alias("_file"),
                         F.col("_metadata.file_block_start").alias("_start"),
                         F.monotonically_increasing_id().alias("_mono"))
    splits = (frame.groupBy("_file", "_start")
              .agg(F.count(F.lit(1)).alias("_rows"), F.min("_mono").alias("_first"),
                   F.count(_corrupt_with(names[0])).alias("_bad")).collect())
    offsets, per_file = _offsets(splits, members)
    frame = frame.join(F.broadcast(con._session.createDataFrame(offsets, "_file string, _start long, _first long, "
                                                                         "_offset long, _file_idx long")),
                       ["_file", "_start"])
    frame = frame.select(
        *[F.when(F.col(_CORRUPT).isNull(), F.col(f"`{n}`")).alias(n) for n in names],
        _corrupt_with(names[0]).alias(_CORRUPT),
        (F.col("_offset") + F.col("_mono") - F.col("_first") + 2).alias("_line"), F.col("_file_idx"))
    view = _register(con, frame, "csv")
    good = standardise(view, columns, view._line, view._file_idx, raw_line=view[_CORRUPT].substr(0, EXCERPT_CHARS),
                       extras=unmapped(list(names), columns))
    table = good.mutate(malformed=ibis.ifelse(good.raw_line.notnull(), MALFORMED, ibis.null("string")))
    sources = {idx: RawSource(str(f), "csv", per_file[idx][0], per_file[idx][1], columns) for idx, f in members}
    return table, sources


def _corrupt_with(first: str):
    """The corrupt-record column, read with the first field: a query that selects the raw line alone (and no
    field) is refused by Spark otherwise (``QUERY_ONLY_CORRUPT_RECORD_COLUMN``). The condition is never true,
    but Spark cannot know it, so the field stays in the scan."""
    from pyspark.sql import functions as F  # noqa: N812 - PySpark's own convention

    return F.when(F.length(F.col(f"`{first}`")) < 0, F.lit(None)).otherwise(F.col(_CORRUPT))


def _offsets(splits: list, members: list[tuple[int, Path]]) -> tuple[list[tuple], dict[int, tuple[int, int]]]:
    """Each split's offset (the rows of its file's earlier splits) and file index; each file's rows and
    malformed rows."""
    index = {str(f): idx for idx, f in members}
    rows, per_file = [], {idx: (0, 0) for idx, _ in members}
    running: dict[str, int] = {}
    for split in sorted(splits, key=lambda s: (s["_file"], s["_start"])):
        idx = index.get(_local_path(split["_file"]))
        if idx is None:
            raise EventLogSchemaError(f"{split['_file']}: Spark read a file that is not among the event files")
        offset = running.get(split["_file"], 0)
        running[split["_file"]] = offset + split["_rows"]
        rows.append((split["_file"], split["_start"], split["_first"], offset, idx))
        n, bad = per_file[idx]
        per_file[idx] = (n + split["_rows"], bad + split["_bad"])
    return rows, per_file


def _local_path(uri: str) -> str:
    """The path of a ``file:`` URI as Spark writes it (other schemes are kept whole)."""
    parsed = urlparse(uri)
    return str(Path(unquote(parsed.path)).resolve()) if parsed.scheme in ("", "file") else uri


def _read_parquet(con: ibis.BaseBackend, settings: IngestSettings, members: list[tuple[int, Path]],
                  names: list[str]) -> tuple[ir.Table, dict[int, RawSource]]:
    from pyspark.sql import functions as F  # noqa: N812 - PySpark's own convention

    columns = resolve_mapping(members[0][1], names, settings.columns)
    uris = {str(f): idx for idx, f in members}
    frame = con._session.read.parquet(*[str(f) for _, f in members])
    frame = frame.select(*[F.col(f"`{n}`") for n in names], F.col("_metadata.file_path").alias("_file"),
                         F.col("_metadata.row_index").alias("_row"))
    paths = [r["_file"] for r in frame.select("_file").distinct().collect()]
    lookup = con._session.createDataFrame([(p, uris[_local_path(p)]) for p in paths if _local_path(p) in uris],
                                          "_file string, _file_idx long")
    frame = frame.join(F.broadcast(lookup), "_file")
    view = _register(con, frame, "parquet")
    table = standardise(view, columns, view._row + 1, view._file_idx, extras=unmapped(names, columns))
    sources = {idx: RawSource(str(f), "parquet", pq.read_metadata(f).num_rows, 0, columns) for idx, f in members}
    return table, sources


def _register(con: ibis.BaseBackend, frame, kind: str) -> ir.Table:
    name = f"_parcours_spark_{kind}_{next(table_ids)}"
    frame.createOrReplaceTempView(name)
    return con.table(name)


__all__ = ["MALFORMED", "read_spark_files"]
