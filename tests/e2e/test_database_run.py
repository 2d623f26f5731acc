"""End to end: ``parcours run`` on events that live in a PostgreSQL table (issue 23)."""

import csv
import io
import json

import pandas as pd

from tests.deploy.conftest import USER, postgres  # noqa: F401  (the session's PostgreSQL server)
from tests.e2e.conftest import parcours_command
from tests.pipelines.conftest import SHOP


def test_run_reads_a_table_where_it_lives_and_accounts_for_every_row(postgres, tmp_path) -> None:  # noqa: F811
    import psycopg2

    header, *rows = list(csv.reader(io.StringIO(SHOP)))
    postgres.create_database("shop_e2e")
    connection = psycopg2.connect(host="127.0.0.1", port=postgres.port, user=USER, dbname="shop_e2e")
    with connection, connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE events ({', '.join(f'"{c}" text' for c in header)})")
        cursor.executemany(f"INSERT INTO events VALUES ({', '.join(['%s'] * len(header))})",
                           [[v if v != "" else None for v in row] for row in rows])
    connection.close()
    url, out = f"postgresql://{USER}@127.0.0.1:{postgres.port}/shop_e2e?table=events", tmp_path / "out"
    done = parcours_command(tmp_path / "home", "run", "--events", url, "--out", str(out), "--column",
                            "customer_id=user", "--column", "activity=action", "--column", "channel=touchpoint")
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((out / "ingest_summary.json").read_text())
    assert summary["rows_in"] == summary["clean"] + summary["quarantined"] + summary["duplicates"] == len(rows)
    quarantine = pd.read_csv(out / "quarantine.csv")
    assert (quarantine.source == url).all() and {"missing_customer_id", "unparseable_time"} <= set(quarantine.reason)
    assert (out / "journeys.csv").exists() and (out / "report.html").exists()
