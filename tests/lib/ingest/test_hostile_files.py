"""Hostile CSV files: each fault costs the rows it damages, each with its line, and every line is accounted for."""

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from parcours.engine import connect
from parcours.ingest import ingest_events
from parcours.ingest.errors import EventLogSchemaError
from parcours.ingest.ingest import account_for_rows
from parcours.ingest.records import EXCERPT_CHARS, count_lines
from parcours.settings import IngestSettings
from tests.conftest import HEADER, NOW


def _row(i: int, activity: str = "view") -> str:
    return f"c{i},2024-03-01T10:{i // 60 % 60:02d}:{i % 60:02d}Z,{activity},web,"


def _write(tmp_path, lines: list[str], *, end: str = "\n", header: str = HEADER, name: str = "events.csv"):
    path = tmp_path / name
    path.write_bytes((header + end + end.join(lines) + end).encode())
    return path


def _ingest(path, **settings):
    con = connect()
    result = ingest_events(con, IngestSettings(**settings), path, now=NOW)
    accounting = account_for_rows(result.summary.to_dict(), result.events, result.quarantine)
    return result, accounting, result.quarantine.to_pandas()


def test_a_stray_quote_costs_its_own_row_and_never_the_rest_of_the_file(tmp_path) -> None:
    rows = [_row(i) for i in range(40_001)]
    rows[30_000] = '"' + rows[30_000]
    result, accounting, quarantine = _ingest(_write(tmp_path, rows))
    assert (result.summary.rows_in, result.summary.clean, result.summary.quarantined) == (40_001, 40_000, 1)
    assert accounting.ok and accounting.lines_in_files == accounting.lines_accounted == 40_002
    assert quarantine.line.tolist() == [30_002] and "unterminated quote" in quarantine.detail.iloc[0]


def test_a_small_file_with_a_stray_quote_is_read_not_refused(tmp_path) -> None:
    rows = [_row(1), _row(2).replace(",view", ',"view'), _row(3)]
    result, accounting, quarantine = _ingest(_write(tmp_path, rows))
    assert (result.summary.clean, result.summary.quarantined) == (2, 1) and accounting.ok
    assert quarantine.line.tolist() == [3]


def test_a_byte_order_mark_is_not_part_of_the_first_column_name(tmp_path) -> None:
    rows = [_row(1), _row(2).replace(",view", ',"view'), _row(3)]
    path = _write(tmp_path, rows, header="\ufeff" + HEADER, end="\r\n")
    result, accounting, _ = _ingest(path)
    assert (result.summary.clean, result.summary.quarantined) == (2, 1) and accounting.ok


def test_one_oversize_field_costs_its_row_and_its_message_is_short(tmp_path) -> None:
    rows = [_row(1), _row(2, activity="x" * 3_000_000), _row(3)]
    result, accounting, quarantine = _ingest(_write(tmp_path, rows))
    assert (result.summary.clean, result.summary.quarantined) == (2, 1) and accounting.ok
    assert len(quarantine.raw_line.iloc[0]) < EXCERPT_CHARS + 40 and len(quarantine.detail.iloc[0]) < 200


def test_mixed_line_endings_are_each_a_line_end(tmp_path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(f"{HEADER}\r\n{_row(1)}\n{_row(2)}\r\n{_row(3)}\r{_row(4)}\n".encode())
    result, accounting, _ = _ingest(path)
    assert (result.summary.rows_in, result.summary.clean) == (4, 4) and accounting.ok


def test_ragged_lines_are_quarantined_one_by_one_with_their_lines(tmp_path) -> None:
    rows = [_row(1), _row(2) + ",extra", "c3,2024-03-01T10:00:00Z,view", _row(4)]
    result, accounting, quarantine = _ingest(_write(tmp_path, rows))
    assert (result.summary.clean, result.summary.quarantined) == (2, 2) and accounting.ok
    assert sorted(quarantine.line) == [3, 4]


def test_a_quoted_line_break_keeps_the_next_rows_on_their_own_lines(tmp_path) -> None:
    rows = [_row(1) + ',"two\nlines"', _row(2) + ",", _row(3) + ",,extra"]
    result, accounting, quarantine = _ingest(_write(tmp_path, rows, header=HEADER + ",note"))
    assert (result.summary.rows_in, result.summary.clean) == (3, 2) and accounting.ok
    assert quarantine.line.tolist() == [5]  # header, a record of two lines, the next, then the ragged one
    assert "two\nlines" in result.events.to_pandas().note.tolist()


@pytest.mark.parametrize("column", ["customer_id", "activity", "channel"])
@pytest.mark.parametrize("character", ["\x00", "\x01", "\t", "\x7f"])
def test_an_invisible_character_inside_an_id_activity_or_channel_is_quarantined(tmp_path, column, character) -> None:
    fields = dict(zip(HEADER.split(","), _row(1).split(","), strict=True))
    fields[column] = fields[column][:1] + character + fields[column][1:]
    result, accounting, quarantine = _ingest(_write(tmp_path, [",".join(fields.values()), _row(2)]))
    assert result.summary.clean == 1 and accounting.ok
    assert quarantine.reason.tolist() == ["control_character"] and column in quarantine.detail.iloc[0]


def test_blank_lines_are_lines_but_not_rows(tmp_path) -> None:
    result, accounting, _ = _ingest(_write(tmp_path, [_row(1), "", _row(2), ""]))
    assert (result.summary.rows_in, result.summary.clean) == (2, 2) and accounting.ok


def test_an_explicit_delimiter_reads_every_row(tmp_path) -> None:
    rows = [_row(i).replace(",", ";") for i in range(5)]
    result, accounting, _ = _ingest(_write(tmp_path, rows, header=HEADER.replace(",", ";")), delimiter=";")
    assert (result.summary.rows_in, result.summary.clean) == (5, 5) and accounting.ok


def test_a_name_twice_in_the_header_is_a_clear_error(tmp_path) -> None:
    path = _write(tmp_path, [_row(1)], header="customer_id,ts,activity,activity,revenue")
    with pytest.raises(EventLogSchemaError, match="'activity' more than once"):
        _ingest(path)


def test_lost_lines_fail_the_accounting(tmp_path) -> None:
    result, accounting, _ = _ingest(_write(tmp_path, [_row(1), _row(2)]))
    summary = result.summary.to_dict()
    summary["sources"][0]["lines_accounted"] -= 1
    assert accounting.ok and not account_for_rows(summary, result.events, result.quarantine).ok


_FAULTS = {
    "stray_quote": lambda row: row.replace(",view", ',"view'),
    "quote_at_start": lambda row: '"' + row,
    "extra_field": lambda row: row + ",extra",
    "missing_field": lambda row: row.rsplit(",", 2)[0],
    "carriage_return": lambda row: row + "\r",
    "quoted_line_break": lambda row: row.replace(",view,", ',"vi\new",'),
    "blank_line_before": lambda row: "\n" + row,
    "doubled_quotes": lambda row: row.replace(",view,", ',"say ""hi""",'),
    "lone_quote_inside": lambda row: row.replace(",view,", ',vi"ew,'),
}


@hyp_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 60), where=st.integers(0, 59), fault=st.sampled_from(sorted(_FAULTS)),
       end=st.sampled_from(["\n", "\r\n"]))
@pytest.mark.slow
def test_any_single_structural_fault_loses_no_row(tmp_path_factory, n, where, fault, end) -> None:
    rows = [_row(i) for i in range(n)]
    rows[where % n] = _FAULTS[fault](rows[where % n])
    path = _write(tmp_path_factory.mktemp("fault"), rows, end=end)
    result, accounting, _ = _ingest(path)
    summary = result.summary
    assert summary.rows_in == n, (fault, summary)
    assert summary.rows_in == summary.clean + summary.quarantined + summary.duplicates
    assert accounting.ok and accounting.lines_in_files == count_lines(path)


def test_a_time_that_does_not_match_the_format_is_quarantined_not_fatal(tmp_path) -> None:
    rows = ["a,01/02/2024,view,web,", "b,31/02/2024,view,web,", "c,2024-02-01,view,web,"]
    result, accounting, quarantine = _ingest(_write(tmp_path, rows), time_format="%d/%m/%Y")
    assert result.summary.clean == 1 and accounting.ok
    assert set(quarantine.reason) == {"unparseable_time"} and sorted(quarantine.line) == [3, 4]


def test_infinite_and_unrepresentable_times_are_unparseable_even_without_a_range(tmp_path) -> None:
    rows = ["a,-infinity,view,web,", "b,infinity,view,web,", "c,0001-01-01T00:00:00Z,view,web,", _row(1)]
    result, accounting, quarantine = _ingest(_write(tmp_path, rows), min_time=None)
    assert result.summary.clean == 1 and accounting.ok and set(quarantine.reason) == {"unparseable_time"}


def test_local_times_across_daylight_saving_follow_one_rule_and_are_counted(tmp_path) -> None:
    rows = ["a,2024-03-31 02:30:00,view,web,",  # Paris skips 02:00-03:00: read with the offset before (+01:00)
            "b,2024-10-27 02:30:00,view,web,",  # Paris repeats 02:00-03:00: the first occurrence (+02:00)
            "c,2024-10-27 03:30:00,view,web,", "d,2024-07-01 12:00:00,view,web,"]
    result, accounting, _ = _ingest(_write(tmp_path, rows), timezone="Europe/Paris")
    times = result.events.to_pandas().set_index("customer_id").ts.dt.strftime("%Y-%m-%d %H:%M").to_dict()
    assert times == {"a": "2024-03-31 01:30", "b": "2024-10-27 00:30", "c": "2024-10-27 02:30",
                     "d": "2024-07-01 10:00"}
    assert result.summary.wall_clock == {"skipped": 1, "repeated": 1} and accounting.ok


def _latin1(tmp_path, text: str, encoding: str = "latin-1"):
    path = tmp_path / "events.csv"
    path.write_bytes(text.encode(encoding))
    return path


FRENCH = (f"{HEADER}\na,2024-03-01T10:00:00Z,réclamation,web,\nb,2024-03-01T10:00:00Z,achat réussi,web,5\n"
          "c,2024-03-01T10:00:00Z,vue,web,\n")


def test_a_latin1_file_is_read_whole_with_its_accents(tmp_path) -> None:
    result, accounting, _ = _ingest(_latin1(tmp_path, FRENCH))
    assert (result.summary.clean, result.summary.quarantined) == (3, 0) and accounting.ok
    assert sorted(result.events.to_pandas().activity) == ["achat réussi", "réclamation", "vue"]


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "iso-8859-15"])
def test_an_encoding_set_by_name_is_read_by_it(tmp_path, encoding) -> None:
    result, accounting, _ = _ingest(_latin1(tmp_path, FRENCH.replace("vue", "vue €" if encoding != "latin-1"
                                                                       else "vue"), encoding), encoding=encoding)
    assert result.summary.clean == 3 and accounting.ok and "réclamation" in result.events.to_pandas().activity.tolist()


def test_a_utf16_file_is_refused_with_the_command_that_converts_it(tmp_path) -> None:
    with pytest.raises(EventLogSchemaError, match="iconv -f UTF-16"):
        _ingest(_latin1(tmp_path, FRENCH, "utf-16"))


def test_a_european_revenue_is_read_with_a_comma_decimal(tmp_path) -> None:
    rows = ["a;2024-03-01T10:00:00Z;order;web;1,50", "b;2024-03-01T10:00:00Z;order;web;1.234,50",
            "c;2024-03-01T10:00:00Z;order;web;1 234,50"]
    result, accounting, _ = _ingest(_write(tmp_path, rows, header=HEADER.replace(",", ";")), decimal=",")
    revenue = result.events.to_pandas().set_index("customer_id").revenue.to_dict()
    assert revenue == {"a": 1.5, "b": 1234.5, "c": 1234.5} and accounting.ok


def test_an_unreadable_revenue_can_keep_its_event(tmp_path) -> None:
    rows = ["a,2024-03-01T10:00:00Z,order,web,12 EUR", "b,2024-03-01T10:00:00Z,order,web,5"]
    result, accounting, quarantine = _ingest(_write(tmp_path, rows), unreadable_revenue="keep_event")
    assert (result.summary.clean, len(quarantine)) == (2, 0) and accounting.ok
    assert result.summary.revenues_unread["count"] == 1
    assert result.summary.revenues_unread["examples"][0] | {"source": None} == {"source": None, "line": 2,
                                                                                "revenue": "12 EUR"}
    by_default = _ingest(_write(tmp_path, rows, name="again.csv"))[0]
    assert by_default.summary.by_reason["bad_revenue"] == 1 and by_default.summary.clean == 1
