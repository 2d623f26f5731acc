from datetime import UTC, datetime

import ibis
import pandas as pd
import pytest

from parcours.ingest.validate import parse_time
from parcours.settings import IngestSettings
from tests.conftest import NOW


def _parse(values: list[str], timezone: str = "UTC") -> list:
    table = ibis.memtable({"ts": values}, schema={"ts": "string"})
    return table.select(t=parse_time(table.ts, timezone)).to_pandas().t.tolist()


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-03-01T10:00:00Z", "2024-03-01T10:00:00+00:00"),
    ("2024-03-01 12:00:00+02:00", "2024-03-01T10:00:00+00:00"),
    ("2024-03-01T05:00:00-0500", "2024-03-01T10:00:00+00:00"),
    ("2024-03-01T11:00:00.250+01", "2024-03-01T10:00:00.250000+00:00"),
    ("2024-03-01 10:00:00", "2024-03-01T10:00:00+00:00"),
])
def test_offsets_and_z_become_utc(con, text, expected) -> None:
    assert _parse([text])[0].isoformat() == expected


def test_naive_times_are_read_in_the_configured_zone(con) -> None:
    winter, summer, date_only = _parse(["2024-01-15 10:00:00", "2024-07-15 10:00:00", "2024-07-15"], "Europe/Paris")
    assert (winter.hour, summer.hour) == (9, 8)
    assert date_only == pd.Timestamp("2024-07-14T22:00:00Z")


@pytest.mark.parametrize("text", ["not a date", "2024-02-30", "31/02/2024", "", "  "])
def test_unparseable_times_become_null(con, text) -> None:
    assert pd.isna(_parse([text])[0])


def _ingest(con, write_csv, lines, settings=None):
    from parcours.ingest import ingest_events

    return ingest_events(con, settings or IngestSettings(), write_csv(lines), now=NOW)


GOOD = "a,2024-06-01T10:00:00Z,view,web,"


@pytest.mark.parametrize(("line", "reason"), [
    (",2024-06-01T10:00:00Z,view,web,", "missing_customer_id"),
    ("b,,view,web,", "unparseable_time"),
    ("b,yesterday,view,web,", "unparseable_time"),
    ("b,1900-01-01T00:00:00Z,view,web,", "time_out_of_range"),
    ("b,2099-01-01T00:00:00Z,view,web,", "future_time"),
    ("b,2024-06-01T10:00:00Z, ,web,", "missing_activity"),
    ("b,2024-06-01T10:00:00Z,order,web,12.50 EUR", "bad_revenue"),
    ("b,2024-06-01T10:00:00Z,order,web,inf", "bad_revenue"),
    ("b,2024-06-01T10:00:00Z", "malformed_row"),
])
def test_each_bad_row_is_quarantined_with_its_reason_and_line(con, write_csv, line, reason) -> None:
    result = _ingest(con, write_csv, [GOOD, line])
    quarantine = result.quarantine.to_pandas()
    assert quarantine[["line", "reason"]].to_dict("records") == [{"line": 3, "reason": reason}]
    assert result.summary.by_reason[reason] == 1 and result.summary.clean == 1


def test_quarantine_keeps_the_original_text(con, write_csv) -> None:
    row = _ingest(con, write_csv, [" b ,2024-06-01 12:00:00+02:00,order,web,12.50 EUR"]).quarantine.to_pandas().iloc[0]
    assert (row.customer_id, row.ts, row.revenue) == (" b ", "2024-06-01 12:00:00+02:00", "12.50 EUR")


def test_the_first_rule_broken_is_the_reason(con, write_csv) -> None:
    result = _ingest(con, write_csv, [",not a date,,web,abc"])
    assert result.quarantine.to_pandas().reason.tolist() == ["missing_customer_id"]


def test_unknown_activity_needs_a_vocabulary(con, write_csv) -> None:
    lines = [GOOD, "b,2024-06-01T10:00:00Z,teleport,web,"]
    assert _ingest(con, write_csv, lines).summary.quarantined == 0
    vocabulary = IngestSettings(vocabulary=["view", "order"])
    assert _ingest(con, write_csv, lines, vocabulary).summary.by_reason["unknown_activity"] == 1


def test_max_time_bounds_the_range(con, write_csv) -> None:
    bounded = IngestSettings(max_time=datetime(2024, 1, 1, tzinfo=UTC))
    result = _ingest(con, write_csv, [GOOD], bounded)
    assert result.summary.by_reason["time_out_of_range"] == 1
