import csv
import re

import ibis
import pandas as pd

from parcours.engine import connect, read_typed_csv
from parcours.spreadsheet import neutralise, neutralise_frame

PAYLOADS = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "'quoted", "plain",
            "a=b"]


def _runs_as_formula(cell: str) -> bool:
    """What a spreadsheet runs: a cell starting with = + - @ tab or CR that is not a plain number."""
    return bool(re.match(r"[=+\-@\t\r]", cell)) and not re.fullmatch(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?", cell)


def test_a_frame_written_safe_holds_no_cell_a_spreadsheet_would_run(tmp_path) -> None:
    frame = pd.DataFrame({"name": PAYLOADS, "effect": [-1.5] * len(PAYLOADS)})
    neutralise_frame(frame).to_csv(tmp_path / "t.csv", index=False)
    with open(tmp_path / "t.csv", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not [c for c in cells if _runs_as_formula(c)] and "-1.5" in cells


def test_an_ibis_table_written_safe_reads_back_as_it_was(tmp_path) -> None:
    con = connect()
    table = ibis.memtable({"name": PAYLOADS, "n": list(range(len(PAYLOADS)))})
    path = tmp_path / "t.csv"
    con.to_csv(neutralise(table), path)
    with open(path, newline="") as handle:
        assert not [c for row in csv.reader(handle) for c in row if _runs_as_formula(c)]
    back = read_typed_csv(con, path, {"name": "string", "n": "int64"}).to_pandas()
    assert back.name.tolist() == PAYLOADS and back.n.tolist() == list(range(len(PAYLOADS)))
