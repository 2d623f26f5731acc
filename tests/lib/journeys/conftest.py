import ibis
import numpy as np
import pandas as pd
import pytest

from parcours.ingest import ingest_events
from parcours.instances import journey_instances
from parcours.mining import variants
from parcours.settings import EpisodeSettings, IngestSettings, JourneySettings


def variants_table(rows: list[tuple[str, int]], hours: float = 24.0) -> pd.DataFrame:
    """(variant text, count) → a variants table as the ``variants`` asset writes it."""
    table = pd.DataFrame(rows, columns=["variant", "count"])
    table["n_tokens"] = table.variant.str.split(" → ").map(len)
    table["median_duration_s"] = hours * 3600
    return table


@pytest.fixture
def blobs() -> tuple[np.ndarray, np.ndarray]:
    """Three identical tight groups of 12 variants, far apart, each variant 3 tokens long.

    HDBSCAN never returns its root as a cluster, so the tests keep a third group to split from.
    """
    rng = np.random.default_rng(0)
    group = rng.normal(0, 0.01, (12, 3))
    return np.vstack([group + offset for offset in np.eye(3)]), np.full(36, 3)


@pytest.fixture(scope="session")
def demo_journeys(tmp_path_factory):
    """Journeys discovered on a 5,000-customer demo log, with the log's truth and its instances."""
    from parcours.journeys import discover_journeys
    from parcours.synthetic import generate_demo_log

    log = generate_demo_log(5_000, seed=1)
    paths = log.write(tmp_path_factory.mktemp("demo"))
    con = ibis.duckdb.connect()
    instances = journey_instances(ingest_events(con, IngestSettings(), paths["events.csv"]).events, EpisodeSettings())
    table = variants(instances).to_pandas()
    frame = instances.select("customer_id", "start_ts", "tokens").to_pandas()
    return discover_journeys(table, JourneySettings(), purchases=["order"]), log, frame, table
