"""Events in a PostgreSQL table, read where they live, accounted for as a file's rows are."""

import csv
import io

import pandas as pd
import pytest

from parcours.engine import connect
from parcours.ingest import check_columns, ingest_events
from parcours.ingest.database import describe_input, is_database, parse_database
from parcours.ingest.errors import EventLogSchemaError
from parcours.settings import IngestSettings
from parcours.synthetic import generate_demo_log
from tests.deploy.conftest import USER, Postgres, postgres  # noqa: F401  (the session's PostgreSQL server)

COLUMNS = ["customer_id", "ts", "activity", "channel", "revenue"]


def test_a_url_names_a_database_and_a_path_does_not() -> None:
    assert is_database("postgresql://ana@db/shop?table=events") and is_database("duckdb:///tmp/x.duckdb?table=e")
    assert not is_database("/data/events.csv") and not is_database("logs/*.parquet")
    assert not is_database("file:///data/events.csv")


def test_the_password_is_never_shown() -> None:
    spec = "postgresql://ana:s3cret@db:5432/shop?table=events"
    table = parse_database(spec)
    assert "s3cret" in table.url and "s3cret" not in table.shown and "s3cret" not in describe_input(spec)
    assert (table.table, table.schema) == ("events", None)


def test_a_url_without_a_table_says_how_to_name_it() -> None:
    with pytest.raises(EventLogSchemaError, match=r"\?table=events"):
        parse_database("postgresql://ana:s3cret@db/shop")


@pytest.fixture(scope="module")
def demo_in_postgres(postgres, tmp_path_factory) -> tuple[str, object]:  # noqa: F811
    """The demo log's rows (its malformed lines left out: a table cannot hold them) as text columns of a
    PostgreSQL table, and the same rows as a CSV file."""
    import psycopg2

    folder = tmp_path_factory.mktemp("demo")
    written = generate_demo_log(300, seed=7).write(folder)
    with open(written["events.csv"], newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], [r for r in rows[1:] if len(r) == len(rows[0])]
    assert len(body) < len(rows) - 1  # the demo log has malformed lines, and they are left out
    file = folder / "events_table_rows.csv"
    with open(file, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *body])
    postgres.create_database("shop")
    connection = psycopg2.connect(host="127.0.0.1", port=postgres.port, user=USER, dbname="shop")
    with connection, connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA crm")
        cursor.execute(f"CREATE TABLE crm.events ({', '.join(f'{c} text' for c in header)})")
        buffer = io.StringIO()
        csv.writer(buffer).writerows(body)
        buffer.seek(0)
        cursor.copy_expert(f"COPY crm.events ({', '.join(header)}) FROM STDIN WITH (FORMAT csv)", buffer)
        cursor.execute("CREATE TABLE typed (who bigint, at timestamptz, what text, amount double precision)")
        cursor.execute("INSERT INTO typed VALUES (7, '2024-03-01 10:00:00+01', 'order', 12.5), "
                       "(7, '2024-03-02 10:00:00+00', 'view', NULL), (NULL, '2024-03-03 10:00:00+00', 'view', NULL)")
    connection.close()
    return f"postgresql://{USER}@127.0.0.1:{postgres.port}/shop", file


def test_a_table_is_ingested_as_its_rows_in_a_file_would_be(demo_in_postgres) -> None:
    url, file = demo_in_postgres
    from_table = ingest_events(connect(), IngestSettings(), f"{url}?table=crm.events")
    from_file = ingest_events(connect(), IngestSettings(), file)
    ours, theirs = from_table.summary, from_file.summary
    assert (ours.rows_in, ours.clean, ours.quarantined, ours.duplicates) == (
        theirs.rows_in, theirs.clean, theirs.quarantined, theirs.duplicates)
    assert ours.by_reason == theirs.by_reason and ours.quarantined > 0 and ours.duplicates > 0
    key = ["customer_id", "ts", "activity"]
    table_events = from_table.events.select(*COLUMNS).to_pandas().sort_values(key, ignore_index=True)
    file_events = from_file.events.select(*COLUMNS).to_pandas().sort_values(key, ignore_index=True)
    pd.testing.assert_frame_equal(table_events, file_events)


def test_quarantined_table_rows_name_the_table_and_their_row(demo_in_postgres) -> None:
    url, _ = demo_in_postgres
    quarantine = ingest_events(connect(), IngestSettings(), f"{url}?table=crm.events").quarantine.to_pandas()
    assert set(quarantine.source) == {f"{url}?table=crm.events"} and quarantine.line.min() >= 1


def test_typed_columns_are_read_with_their_types(demo_in_postgres) -> None:
    url, _ = demo_in_postgres
    settings = IngestSettings(columns={"customer_id": "who", "ts": "at", "activity": "what", "revenue": "amount",
                                       "channel": None})
    result = ingest_events(connect(), settings, f"{url}?table=typed")
    events = result.events.to_pandas().sort_values("ts", ignore_index=True)
    assert events.customer_id.tolist() == ["7", "7"] and events.revenue.iloc[0] == 12.5
    assert events.ts.iloc[0] == pd.Timestamp("2024-03-01 09:00:00", tz="UTC")
    assert result.summary.by_reason["missing_customer_id"] == result.summary.quarantined == 1


def test_a_missing_table_or_column_is_named_before_any_row_is_read(demo_in_postgres) -> None:
    url, _ = demo_in_postgres
    with pytest.raises(EventLogSchemaError, match="no table 'nowhere'"):
        check_columns(connect(), IngestSettings(), f"{url}?table=nowhere")
    with pytest.raises(EventLogSchemaError, match="typed"):
        check_columns(connect(), IngestSettings(), f"{url}?table=typed")


def test_the_cli_validates_a_table_and_shows_no_password(demo_in_postgres, monkeypatch) -> None:
    from typer.testing import CliRunner

    from parcours_pipelines.cli import app

    url, _ = demo_in_postgres
    monkeypatch.setenv("PGPASSWORD", "unused-with-trust")
    spec = url.replace(f"{USER}@", f"{USER}:s3cret@") + "?table=crm.events"
    result = CliRunner().invoke(app, ["validate", spec])
    assert result.exit_code == 0, result.output
    assert f"{url}?table=crm.events:" in result.output and "s3cret" not in result.output


def test_the_cli_names_a_missing_table_in_one_line(demo_in_postgres, monkeypatch, capsys) -> None:
    from parcours_pipelines.cli import main

    url, _ = demo_in_postgres
    monkeypatch.setattr("sys.argv", ["parcours", "run", "--events", f"{url}?table=nowhere", "--out", "/tmp/unused"])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code != 0 and "no table 'nowhere'" in capsys.readouterr().err
