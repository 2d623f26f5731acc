import gzip
from pathlib import Path

import pandas as pd
import pytest

from parcours.ingest import EventLogSchemaError, read_events, resolve_event_files
from parcours.settings import ColumnMapping, IngestSettings


def _rows(raw) -> pd.DataFrame:
    return raw.table.order_by(["file_idx", "line"]).to_pandas()


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_csv_delimiter_is_detected(con, tmp_path, settings, delimiter) -> None:
    path = tmp_path / "e.csv"
    path.write_text(delimiter.join(["customer_id", "ts", "activity"]) + "\n"
                    + delimiter.join(["a", "2024-01-01T00:00:00Z", "view"]) + "\n")
    rows = _rows(read_events(con, settings, path))
    assert rows.loc[0, ["customer_id", "activity"]].tolist() == ["a", "view"]


def test_gzipped_csv_is_read(con, tmp_path, settings) -> None:
    path = tmp_path / "e.csv.gz"
    with gzip.open(path, "wt") as out:
        out.write("customer_id,ts,activity\na,2024-01-01T00:00:00Z,view\nb,2024-01-02T00:00:00Z,order\n")
    assert read_events(con, settings, path).rows_in == 2


def test_malformed_lines_are_kept_with_their_physical_line(con, write_csv, settings) -> None:
    path = write_csv(["a,2024-01-01T00:00:00Z,view,web,", "broken", "b,2024-01-02T00:00:00Z,view,web,", "x,y,z,w,v,u"])
    rows = _rows(read_events(con, settings, path))
    assert rows.line.tolist() == [2, 3, 4, 5]
    assert rows.raw_line.tolist()[1::2] == ["broken", "x,y,z,w,v,u"]
    assert rows.customer_id.tolist()[::2] == ["a", "b"]


def test_apostrophes_do_not_merge_rows(con, write_csv, settings) -> None:
    raw = read_events(con, settings, write_csv(["a,2024-01-01,view,web,O'Brien", "b,2024-01-02,view,web,it's"]))
    assert raw.rows_in == 2


def test_quoted_fields_keep_delimiters_and_doubled_quotes(con, write_csv, settings) -> None:
    rows = _rows(read_events(con, settings, write_csv(['a,2024-01-01,"view, then ""buy""",web,'])))
    assert rows.activity.tolist() == ['view, then "buy"']


def test_missing_mapped_column_names_file_column_and_existing_columns(con, write_csv) -> None:
    path = write_csv(["u1,2024-01-01,view"], header="user,ts,action")
    with pytest.raises(EventLogSchemaError) as err:
        read_events(con, IngestSettings(columns=ColumnMapping(customer_id="user", activity="event")), path)
    message = str(err.value)
    assert str(path) in message and "'event'" in message and "user, ts, action" in message


def test_optional_column_left_at_its_default_may_be_absent(con, write_csv, settings) -> None:
    raw = read_events(con, settings, write_csv(["a,2024-01-01,view"], header="customer_id,ts,activity"))
    assert not raw.has_channel and not raw.has_revenue


def test_optional_column_mapped_explicitly_must_exist(con, write_csv) -> None:
    path = write_csv(["a,2024-01-01,view"], header="customer_id,ts,activity")
    with pytest.raises(EventLogSchemaError, match="'touchpoint' \\(for channel\\)"):
        read_events(con, IngestSettings(columns=ColumnMapping(channel="touchpoint")), path)


def test_unreadable_parquet_names_the_file(con, tmp_path, settings) -> None:
    path = tmp_path / "bad.parquet"
    path.write_text("not parquet")
    with pytest.raises(EventLogSchemaError, match="bad.parquet: cannot be read as Parquet"):
        read_events(con, settings, path)


def test_nothing_matching_is_an_error(tmp_path) -> None:
    with pytest.raises(EventLogSchemaError, match="no event files found"):
        resolve_event_files(tmp_path / "*.csv")


@pytest.fixture
def parquet_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "events"
    folder.mkdir()
    for day, customers in (("2024-01-01", ["a", "b"]), ("2024-01-02", ["c"])):
        frame = pd.DataFrame({"customer_id": customers, "ts": pd.to_datetime([f"{day}T10:00:00Z"] * len(customers)),
                              "activity": "view", "channel": "web", "revenue": 1.5})
        frame.to_parquet(folder / f"day={day}.parquet")
    (folder / "_SUCCESS").write_text("")
    return folder


def test_parquet_folder_is_read_in_file_order_with_row_numbers(con, parquet_folder, settings) -> None:
    rows = _rows(read_events(con, settings, parquet_folder))
    assert rows.customer_id.tolist() == ["a", "b", "c"]
    assert rows.line.tolist() == [1, 2, 1]
    assert rows.file_idx.tolist() == [0, 0, 1]


def test_parquet_glob_is_read(con, parquet_folder, settings) -> None:
    assert read_events(con, settings, str(parquet_folder / "day=2024-01-0*.parquet")).rows_in == 3


XES = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <trace><string key="concept:name" value="case1"/>
    <event><string key="concept:name" value="submit"/><date key="time:timestamp" value="2024-01-01T10:00:00.000+01:00"/></event>
    <event><string key="concept:name" value="approve"/><date key="time:timestamp" value="2024-01-02T10:00:00.000+01:00"/></event>
  </trace>
  <trace><string key="concept:name" value="case2"/>
    <event><string key="concept:name" value="submit"/><date key="time:timestamp" value="2024-01-03T10:00:00.000Z"/></event>
  </trace>
</log>
"""


def test_xes_is_read_through_pm4py_with_standard_keys(con, tmp_path, settings) -> None:
    path = tmp_path / "log.xes"
    path.write_text(XES)
    raw = read_events(con, settings, path)
    rows = _rows(raw)
    assert rows.customer_id.tolist() == ["case1", "case1", "case2"]
    assert rows.activity.tolist() == ["submit", "approve", "submit"]
    assert not raw.has_channel
