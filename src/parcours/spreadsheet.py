"""CSV cells safe to open in a spreadsheet (OWASP's rule against CSV injection), and read back as they were.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return runs as a formula
when a CSV file is opened in Excel, LibreOffice or Google Sheets; an activity called
``=HYPERLINK(...)`` in a customer's log would run on a marketer's machine. Every CSV file parcours
writes prefixes such a cell with ``'`` (OWASP's advice: the spreadsheet shows the text, and runs
nothing). A text cell that already starts with ``'`` gets one too, so :func:`restore_text` reads
every file parcours wrote back to the values it was given. Numbers are never touched: ``-3.5`` in a
number column stays a number.

Two more things make a file open right in a spreadsheet. Every CSV file starts with UTF-8's byte-order mark,
without which Excel reads UTF-8 as the local code page and "→" turns to garbage (pandas, DuckDB and Spark
skip the mark when they read). And a table's decimals are rounded to six significant digits of its column's
largest value (:func:`round_for_spreadsheet`), instead of the 17 digits a float prints with.
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

#: UTF-8's byte-order mark, as its three bytes.
BYTE_ORDER_MARK = "\ufeff".encode()
#: Significant digits kept of a decimal column's largest value.
SIGNIFICANT_DIGITS = 6
#: The first characters that make a spreadsheet run a cell as a formula (OWASP), and the escape itself.
RISKY_START = r"^[=+\-@\t\r']"
_ESCAPED = r"^'[=+\-@\t\r']"


def neutralise(table: ir.Table) -> ir.Table:
    """``table`` with every text cell that a spreadsheet would run prefixed by ``'`` (an Ibis expression)."""
    risky = {name: ibis.ifelse(table[name].re_search(RISKY_START), "'" + table[name], table[name])
             for name, dtype in table.schema().items() if dtype.is_string()}
    return table.mutate(**risky) if risky else table


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`neutralise` for a pandas frame: its text columns (``object`` or ``string``), numbers untouched.

    Examples
    --------
    >>> neutralise_frame(pd.DataFrame({"name": ["=1+1", "ok", "'x"], "effect": [-1.5, 2.0, 0.0]})).to_dict("list")
    {'name': ["'=1+1", 'ok', "''x"], 'effect': [-1.5, 2.0, 0.0]}
    """
    out = frame.copy()
    for name in out.columns:
        if pd.api.types.is_object_dtype(out[name]) or pd.api.types.is_string_dtype(out[name]):
            out[name] = out[name].map(escape)
    return out


def escape(cell: object) -> object:
    """One cell made safe: a text that a spreadsheet would run gets a leading ``'``; anything else is kept."""
    return "'" + cell if isinstance(cell, str) and re.match(RISKY_START, cell) else cell


def restore_text(column: ir.StringValue) -> ir.StringValue:
    """A text column of a file parcours wrote, read back: the ``'`` that :func:`neutralise` added, removed."""
    return ibis.ifelse(column.re_search(_ESCAPED), column.substr(1), column)


def unescape(cell: str | None) -> str | None:
    """One cell of a CSV file parcours wrote, as it was given.

    Examples
    --------
    >>> unescape("'=1+1"), unescape("''x"), unescape("'ok"), unescape("-2")
    ('=1+1', "'x", "'ok", '-2')
    """
    return cell[1:] if isinstance(cell, str) and re.match(_ESCAPED, cell) else cell


def read_written_csv(path: str | Path) -> pd.DataFrame:
    """A CSV file parcours wrote, read with pandas and its text cells unescaped (the CLI's summary reads them so)."""
    frame = pd.read_csv(path)
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column):
            frame[name] = column.map(unescape)
    return frame


def round_for_spreadsheet(frame: pd.DataFrame, digits: int = SIGNIFICANT_DIGITS) -> pd.DataFrame:
    """``frame`` with each decimal column rounded to ``digits`` significant digits of its largest value, and to
    two decimals at least.

    One number of decimals per column, so a column reads alike down the sheet, and no value loses more than
    the column's largest keeps: money keeps its cents, a share below 1 six decimals.

    Examples
    --------
    >>> frame = pd.DataFrame({"euros": [-122345.6789, 3.14159], "share": [0.123456789, 0.9], "n": [1, 2]})
    >>> round_for_spreadsheet(frame).to_dict("list")
    {'euros': [-122345.68, 3.14], 'share': [0.123457, 0.9], 'n': [1, 2]}
    """
    out = frame.copy()
    for name in out.columns:
        decimals = spreadsheet_decimals(out[name], digits)
        if decimals is not None:
            out[name] = out[name].round(decimals)
    return out


def spreadsheet_decimals(column: pd.Series, digits: int = SIGNIFICANT_DIGITS) -> int | None:
    """The decimals :func:`round_for_spreadsheet` keeps of ``column``: ``digits`` significant digits of its largest
    finite value, two at least; ``None`` for a column that is not decimal or has no finite value but 0."""
    if not pd.api.types.is_float_dtype(column):
        return None
    values = column.to_numpy(dtype=float)
    finite = abs(values[np.isfinite(values) & (values != 0)])
    if not len(finite):
        return None
    return max(2, digits - (math.floor(math.log10(float(finite.max()))) + 1))


def with_byte_order_mark(path: Path) -> None:
    """Put UTF-8's byte-order mark at the start of the text file ``path`` (written without one)."""
    marked = path.with_name(f".{path.name}.bom")
    with path.open("rb") as source, marked.open("wb") as target:
        target.write(BYTE_ORDER_MARK)
        shutil.copyfileobj(source, target, length=1 << 20)
    marked.replace(path)
