import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from parcours.engine import connect
from parcours.ingest import ingest_events
from parcours.ingest.ingest import account_for_rows
from parcours.settings import IngestSettings
from tests.conftest import HEADER, NOW


def _ingest(con, path, settings=None):
    return ingest_events(con, settings or IngestSettings(), path, now=NOW)


def test_same_instant_in_other_offsets_is_a_duplicate(con, write_csv) -> None:
    path = write_csv(["a,2024-06-01T10:00:00Z,view,web,", "a,2024-06-01 12:00:00+02:00,view,web,",
                      "a,2024-06-01T06:00:00-04:00,view,web,", "a,2024-06-01T10:00:00Z,view,app,"])
    result = _ingest(con, path)
    assert (result.summary.clean, result.summary.duplicates) == (2, 2)


def test_duplicates_need_the_same_revenue(con, write_csv) -> None:
    path = write_csv(["a,2024-06-01T10:00:00Z,order,web,10", "a,2024-06-01T10:00:00Z,order,web,10.00",
                      "a,2024-06-01T10:00:00Z,order,web,11"])
    assert _ingest(con, path).summary.duplicates == 1


def test_ties_on_time_keep_source_order(con, write_csv) -> None:
    path = write_csv(["a,2024-06-01T10:00:00Z,store_visit,store,", "b,2024-06-01T09:00:00Z,view,web,",
                      "a,2024-06-01T10:00:00Z,order,store,5", "a,2024-06-01T10:00:00Z,receipt,email,"])
    events = _ingest(con, path).events.to_pandas().sort_values(["customer_id", "ts", "event_seq"])
    assert events.activity.tolist() == ["store_visit", "order", "receipt", "view"]
    assert events.event_seq.tolist() == [2, 4, 5, 3]  # file 0: the physical line


def test_event_seq_orders_files_before_lines(con, tmp_path) -> None:
    for name in ("a.csv", "b.csv"):
        (tmp_path / name).write_text(f"{HEADER}\n{name},2024-06-01T10:00:00Z,view,web,\n")
    events = _ingest(con, str(tmp_path / "*.csv")).events.to_pandas().sort_values("event_seq")
    assert events.customer_id.tolist() == ["a.csv", "b.csv"] and events.event_seq.tolist() == [2, 2**32 + 2]


def test_event_log_has_the_canonical_schema(con, write_csv) -> None:
    events = _ingest(con, write_csv(["a,2024-06-01T10:00:00Z,order,web,10"])).events
    assert list(events.schema().names) == ["customer_id", "ts", "activity", "channel", "revenue", "event_seq", "source"]
    frame = events.to_pandas()
    assert str(frame.ts.dt.tz) == "UTC" and frame.revenue.dtype == "float64"


def test_summary_gives_examples_per_reason(con, write_csv) -> None:
    path = write_csv([",2024-06-01T10:00:00Z,view,web,"] * 3)
    summary = _ingest(con, path, IngestSettings(examples_per_reason=2)).summary
    assert [e["line"] for e in summary.examples["missing_customer_id"]] == [2, 3]


def test_rows_are_counted_across_several_files(con, tmp_path) -> None:
    for name, rows in (("a.csv", 2), ("b.csv", 3)):
        lines = [f"{name},2024-06-0{i + 1}T10:00:00Z,view,web," for i in range(rows)]
        (tmp_path / name).write_text("\n".join([HEADER, *lines]) + "\n")
    result = _ingest(con, str(tmp_path / "*.csv"))
    assert result.summary.rows_in == 5 and result.summary.clean == 5
    assert result.events.to_pandas().sort_values("event_seq").source.str.endswith("a.csv").tolist()[:2] == [True] * 2


def test_accounting_counts_the_stored_outputs(con, write_csv) -> None:
    result = _ingest(con, write_csv(["a,2024-06-01T10:00:00Z,view,web,", ",x,,,", "a,2024-06-01T10:00:00Z,view,web,"]))
    accounting = account_for_rows(result.summary.to_dict(), result.events, result.quarantine)
    assert accounting.ok and (accounting.clean, accounting.quarantined, accounting.duplicates) == (1, 1, 1)
    broken = account_for_rows(result.summary.to_dict() | {"rows_in": 4}, result.events, result.quarantine)
    assert not broken.ok and broken.unaccounted == 1


_plain = st.text(alphabet=st.characters(blacklist_characters=',"\n\r', blacklist_categories=("Cs",)), max_size=12)
_garbage = st.text(max_size=20)
_times = st.sampled_from(["2024-06-01T10:00:00Z", "2024-06-01 12:00:00+02:00", "31/02/2024", "", "2099-01-01",
                          "1900-01-01", "2024-06-01"])


def _row(fields: list[str]) -> str:
    return ",".join(fields)


@pytest.mark.slow
@hyp_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(_plain, _times, _plain, _plain, _plain).map(list), min_size=1, max_size=25))
def test_plain_garbage_rows_are_each_accounted_for(tmp_path_factory, rows) -> None:
    path = tmp_path_factory.mktemp("g") / "events.csv"
    path.write_text("\n".join([HEADER, *map(_row, rows)]) + "\n")
    con = connect()
    result = ingest_events(con, IngestSettings(delimiter=","), path, now=NOW)
    summary = result.summary
    blank = sum(1 for r in rows if _row(r).strip() == "")
    assert summary.rows_in == len(rows) - blank
    assert account_for_rows(summary.to_dict(), result.events, result.quarantine).ok


@pytest.mark.slow
@hyp_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_garbage, min_size=1, max_size=25))
def test_arbitrary_text_never_crashes_the_reader_and_loses_nothing(tmp_path_factory, lines) -> None:
    path = tmp_path_factory.mktemp("g") / "events.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", errors="surrogatepass")
    con = connect()
    result = ingest_events(con, IngestSettings(delimiter=","), path, now=NOW)
    assert account_for_rows(result.summary.to_dict(), result.events, result.quarantine).ok
    quarantine = result.quarantine.to_pandas()
    assert quarantine.reason.notna().all() and pd.Series(quarantine.line).notna().all()


def test_columns_outside_the_mapping_are_kept_as_event_attributes(con, tmp_path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text("customer_id,ts,activity,resource,source\n7,2024-06-01T10:00:00Z,Resolve ticket,Sue,mail\n"
                    "007,2024-06-01T11:00:00Z,Resolve ticket,Pete,\n")
    events = _ingest(con, path).events.to_pandas().sort_values("event_seq")
    assert list(events.columns[-2:]) == ["resource", "source_attr"]  # a name the log uses itself is suffixed
    assert events.resource.tolist() == ["Sue", "Pete"] and events.customer_id.tolist() == ["7", "007"]


def test_a_duplicate_is_identical_on_every_input_column(con, tmp_path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text("customer_id,ts,activity,resource\na,2024-06-01T10:00:00Z,Resolve,Sue\n"
                    "a,2024-06-01T10:00:00Z,Resolve,Pete\na,2024-06-01T10:00:00Z,Resolve,Pete\n")
    assert _ingest(con, path).summary.duplicates == 1


def test_duplicates_can_be_kept_as_events(con, write_csv) -> None:
    path = write_csv(["a,2024-06-01T10:00:00Z,view,web,", "a,2024-06-01T10:00:00Z,view,web,"])
    summary = _ingest(con, path, IngestSettings(duplicates="keep")).summary
    assert (summary.clean, summary.duplicates, summary.duplicates_policy) == (2, 0, "keep")


def test_identical_inputs_give_the_event_log_in_the_same_row_order(tmp_path) -> None:
    from parcours.synthetic import generate_demo_log

    path = generate_demo_log(300, seed=2).write(tmp_path)["events.csv"]
    first, second = (ingest_events(connect(), IngestSettings(), path, now=NOW).events.to_pandas() for _ in range(2))
    assert first.event_seq.is_monotonic_increasing
    pd.testing.assert_frame_equal(first, second)
