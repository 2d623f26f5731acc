"""CSV cells safe to open in a spreadsheet (OWASP's rule against CSV injection), and read back as they were.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return runs as a formula
when a CSV file is opened in Excel, LibreOffice or Google Sheets; an activity called
``=HYPERLINK(...)`` in a customer's log would run on a marketer's machine. Every CSV file parcours
writes prefixes such a cell with ``'`` (OWASP's advice: the spreadsheet shows the text, and runs
nothing). A text cell that already starts with ``'`` gets one too, so :func:`restore_text` reads
every file parcours wrote back to the values it was given. Numbers are never touched: ``-3.5`` in a
number column stays a number.
"""

from __future__ import annotations

import re
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd

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
