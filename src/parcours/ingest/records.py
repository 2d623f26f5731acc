"""A CSV file's physical lines and records, counted and split without trusting a parser.

DuckDB's reader is fast, and right on a clean file; on a damaged one its count of rows is the
parser's, not the file's: one stray quote makes it read the rest of the file as one field, and a
3 MB field refuses the whole file. So the ingest counts the file's lines on its own
(:func:`count_lines`), and when DuckDB's rows do not account for them, reads the file again with
:func:`split_records`: records bounded in lines and bytes, each damaged one quarantined alone with its
line, never the rest of the file.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

#: A quoted field may span at most this many lines (a multi-line comment); past it, the quote is stray.
MAX_RECORD_LINES = 100
#: A record may hold at most this many characters (DuckDB's own default line limit is 2,000,000 bytes).
MAX_RECORD_CHARS = 1_000_000
#: Characters of a damaged line kept in the quarantine's ``raw_line`` and in messages.
EXCERPT_CHARS = 200

_BLOCK = 1 << 24


def open_text(path: Path, encoding: str = "utf-8") -> IO[str]:
    """The file as text, line endings untouched (``.gz`` decompressed); undecodable bytes become U+FFFD."""
    binary = gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")  # noqa: SIM115 - returned open
    return io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="")


@dataclass(frozen=True)
class FileFacts:
    """What a CSV file's bytes say before any parse: its physical lines, and whether they are UTF-8."""

    lines: int
    utf8: bool


def encoding_of(path: Path, setting: str, facts: FileFacts) -> str:
    """The file's text encoding: the setting's, or with ``auto`` UTF-8 when every byte decodes as UTF-8,
    else Windows-1252 (what Excel and most Windows tools write; Latin-1's printable characters and ``€``).

    Raises
    ------
    EventLogSchemaError
        For a UTF-16 or UTF-32 file (a byte-order mark says so): its line ends are not single bytes.
    """
    from parcours.ingest.errors import EventLogSchemaError

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        start = handle.read(4)
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise EventLogSchemaError(f"{path}: a UTF-16 or UTF-32 file; convert it to UTF-8 first "
                                  f"(iconv -f UTF-16 -t UTF-8 {path.name} > {path.stem}-utf8.csv)")
    if setting != "auto":
        return setting
    return "utf-8" if facts.utf8 else "cp1252"


def file_facts(path: Path) -> FileFacts:
    """Count the file's physical lines (see :func:`count_lines`) and check its bytes are UTF-8, in one read."""
    import codecs

    opener = gzip.open if path.suffix == ".gz" else open
    lines, previous, utf8 = 0, b"", True
    decoder = codecs.getincrementaldecoder("utf-8")()
    with opener(path, "rb") as handle:
        while block := handle.read(_BLOCK):
            joined = previous + block[:1]
            # a \r\n split across two blocks was counted as a lone \r in the first: take it back
            lines += block.count(b"\n") + block.count(b"\r") - block.count(b"\r\n") - (joined == b"\r\n")
            previous = block[-1:]
            if utf8 and not (block.isascii() and not decoder.getstate()[0]):
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return FileFacts(lines + (previous not in (b"", b"\n", b"\r")), utf8)


def count_lines(path: Path) -> int:
    """The file's physical lines: ``\\n``, ``\\r\\n`` and a lone ``\\r`` each end one; a last unended line counts.

    Counted on the bytes, in blocks, independently of any CSV parse (blank lines included).

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile(delete=False) as f:
    ...     _ = f.write(b"a\\r\\nb\\rc\\n\\nd")
    >>> count_lines(Path(f.name)); os.unlink(f.name)
    5
    """
    return file_facts(path).lines


@dataclass(frozen=True)
class Record:
    """One record of a CSV file: its first physical line, the lines it spans, its fields or what is wrong."""

    line: int
    lines: int
    fields: list[str] | None
    text: str
    problem: str | None = None


def split_records(handle: IO[str], *, delimiter: str, quote: str, n_fields: int, first_line: int = 2
                  ) -> Iterator[Record]:
    """The records after the header, each parsed alone; blank lines are records of no field.

    A record ends at the first line end where its text is whole: every field either unquoted
    (quotes inside one are kept as they are) or quoted, with doubled quotes inside. A record still not
    whole after :data:`MAX_RECORD_LINES` lines or :data:`MAX_RECORD_CHARS` characters (or at the end
    of the file) has a stray quote: its first line is quarantined alone, and the lines after it are
    read again. A record with the wrong number of fields is damaged on its own.
    """
    whole = _record_pattern(delimiter, quote)
    pending: list[str] = []
    number = first_line
    lines = iter(handle)
    while True:
        if not pending and (line := next(lines, None)) is not None:
            pending = [line]
        if not pending:
            return
        used = _gather(pending, lines, quote, whole)
        if not used:
            yield _damaged(pending[0], number, "unterminated quote: a quoted field is never closed (or is "
                                               "followed by more text before the delimiter)")
            pending, number = pending[1:], number + 1
            continue
        yield _parse("".join(pending[:used]), used, number, delimiter, quote, n_fields)
        pending, number = pending[used:], number + used


def _record_pattern(delimiter: str, quote: str) -> re.Pattern[str]:
    d, q = re.escape(delimiter), re.escape(quote)
    field = rf"(?:{q}(?:[^{q}]|{q}{q})*{q}|[^{q}{d}\r\n][^{d}\r\n]*|)"
    return re.compile(rf"{field}(?:{d}{field})*(?:\r\n|\n|\r)?")


def _gather(pending: list[str], lines: Iterator[str], quote: str, whole: re.Pattern[str]) -> int:
    """How many lines of ``pending`` (read further into it) the next record spans; 0 when it never closes."""
    size = 0
    for used in range(1, MAX_RECORD_LINES + 1):
        if used > len(pending):
            more = next(lines, None)
            if more is None:
                return 0
            pending.append(more)
        size += len(pending[used - 1])
        if size > MAX_RECORD_CHARS:
            return 1 if used == 1 else 0  # one oversize line is damaged on its own
        text = pending[0] if used == 1 else "".join(pending[:used])
        if quote not in text or whole.fullmatch(text):
            return used
    return 0


def _parse(text: str, used: int, line: int, delimiter: str, quote: str, n_fields: int) -> Record:
    body = text.rstrip("\r\n")
    if not body:
        return Record(line, used, [], text)
    if len(text) > MAX_RECORD_CHARS:
        return _damaged(text, line, f"a record of {len(text):,} characters (at most {MAX_RECORD_CHARS:,})", used)
    fields = next(csv.reader([body], delimiter=delimiter, quotechar=quote, doublequote=True))
    if len(fields) != n_fields:
        return _damaged(text, line, f"{len(fields)} fields, expected {n_fields}", used)
    return Record(line, used, fields, text)


def _damaged(text: str, line: int, problem: str, lines: int = 1) -> Record:
    return Record(line, lines, None, excerpt(text.rstrip("\r\n")), problem)


def excerpt(text: str) -> str:
    """At most :data:`EXCERPT_CHARS` characters of ``text``, the cut said."""
    return text if len(text) <= EXCERPT_CHARS else f"{text[:EXCERPT_CHARS]}… ({len(text):,} characters)"
