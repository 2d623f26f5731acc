"""A local Spark session (two cores) and the demo log, read by DuckDB and by Spark from the same files."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import ibis
import pytest

from parcours.engine import connect, connect_spark
from parcours.ingest import ingest_events
from parcours.ingest.identity import IdentityMap, read_identity_links, resolve_identities
from parcours.ingest.read import read_events
from parcours.settings import IdentitySettings, Settings, load_settings
from parcours.synthetic import generate_demo_log
from tests.conftest import REPO

#: After the demo's last real event, before its planted future times (2099).
NOW = datetime(2030, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class DemoFiles:
    """The demo log's raw rows (as DuckDB's reader produced them) and its clean event log as Parquet files,
    and its resolved identity table."""

    folder: Path
    raw: Path
    event_log: Path
    identities: IdentityMap


@pytest.fixture(scope="session")
def spark_con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ibis.BaseBackend]:
    """Ibis on Spark in local mode (session start-up is about 10 s: one session for the whole module)."""
    con = connect_spark("local[2]", warehouse_dir=tmp_path_factory.mktemp("spark-warehouse"),
                        conf={"spark.sql.shuffle.partitions": "4", "spark.driver.memory": "2g"})
    yield con
    con._session.stop()


@pytest.fixture(scope="session")
def demo_conf() -> Settings:
    """The project's settings."""
    return load_settings(REPO / "conf")


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory, demo_conf: Settings) -> DemoFiles:
    """400 demo customers (dirty rows, duplicates and device ids included), read and ingested by DuckDB."""
    folder = tmp_path_factory.mktemp("spark-demo")
    written = generate_demo_log(400, seed=11).write(folder)
    settings = demo_conf.ingest.model_copy(update={"identity": IdentitySettings(path=str(written["identities.csv"]))})
    con = connect()
    raw = read_events(con, settings, written["events.csv"])
    raw.table.to_parquet(folder / "raw.parquet")
    ingest_events(con, settings, written["events.csv"], now=NOW).events.to_parquet(
        folder / "event_log.parquet")
    con.disconnect()
    identities = resolve_identities(read_identity_links(settings.identity))
    return DemoFiles(folder, folder / "raw.parquet", folder / "event_log.parquet", identities)
