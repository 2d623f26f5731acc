"""Discovery with the default settings on logs shaped like users' logs: coverage, representativeness
beside weighted k-medoids with as many journeys, and purchase histories kept to a few journeys."""

import ibis
import pytest

from parcours.ingest import ingest_events
from parcours.ingest.resolve import settled
from parcours.instances import journey_instances
from parcours.journeys import discover_journeys
from parcours.journeys.rules import purchase_path_kind
from parcours.mining import variants
from parcours.settings import EpisodeSettings, IngestSettings, JourneySettings, Settings
from tests.conftest import SHARED_LOGS

pytestmark = pytest.mark.slow  # discovery on the shared third-party logs

ECOM = {"customer_id": "user_id", "activity": "event", "ts": "timestamp", "channel": "platform"}


def _discover(path, columns: dict, **episodes):
    ingested = ingest_events(ibis.duckdb.connect(), IngestSettings(columns=columns), str(path))
    settings = settled(Settings(episodes=EpisodeSettings(**episodes)), ingested.events, has_revenue=True)
    table = variants(journey_instances(ingested.events, settings.episodes)).to_pandas()
    purchases = settings.episodes.conversion_activities
    return discover_journeys(table, JourneySettings(bootstrap_rounds=0), purchases=purchases), purchases


def _shop(tmp_path, url_pages: bool):
    from parcours.synthetic.clickstream import generate_clickstream

    path = tmp_path / "shop.csv"
    generate_clickstream(2_000, seed=5, url_pages=url_pages).drop(columns="intent").to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("log", "episodes"), [
    ("ecom_clickstream", {"inactivity_gap_days": None}), ("ecom_clickstream", {"session_column": "session_id"}),
    ("shop", {"session_column": "session_id"}), ("shop with URL pages", {"session_column": "session_id"}),
])
def test_journeys_cover_the_paths_and_summarise_them_as_well_as_kmedoids(log, episodes, tmp_path) -> None:
    if log == "ecom_clickstream":
        discovery, _ = _discover(SHARED_LOGS / log / "events.csv.gz", ECOM, **episodes)
    else:
        discovery, _ = _discover(_shop(tmp_path, url_pages="URL" in log), {}, **episodes)
    quality = discovery.quality
    assert quality["coverage"] >= 0.85 and quality["representativeness_ratio"] <= 1.05
    assert 3 <= len(discovery.journeys) <= 30


def _purchase_path_share(discovery, purchases):
    """Per journey, the share of its instances that are purchase paths."""
    variants = discovery.variants[discovery.variants.journey_id >= 0]
    bought = variants.variant.str.split(" → ").map(lambda p: purchase_path_kind(p, purchases) is not None)
    return (variants["count"] * bought).groupby(variants.journey_id).sum() / variants.groupby("journey_id")["count"].sum()


def test_a_purchase_history_makes_at_most_three_purchase_only_journeys(tmp_path) -> None:
    """The history's paths are a few journeys of their own; the journeys lived after it are found beside them
    (clustered with the rest, the history takes every journey there is) and hold hardly any of its paths."""
    from parcours.synthetic.entry import generate_entry_log

    path = tmp_path / "entry.csv"
    generate_entry_log(3_000, scenario="measured", seed=1).events.to_csv(path, index=False)
    discovery, purchases = _discover(path, {})
    share = _purchase_path_share(discovery, purchases)
    purchase_only, lived = share[share > 0.5], share[share <= 0.5]
    assert 1 <= len(purchase_only) <= 3, share
    assert len(lived) >= 3, share
    assert (lived < 0.05).all(), share


def test_url_pages_are_folded_into_a_readable_few(tmp_path) -> None:
    discovery, _ = _discover(_shop(tmp_path, url_pages=True), {}, session_column="session_id")
    steps = {t for v in discovery.variants.variant for t in v.split(" → ")}
    assert len(steps) <= 2 * 40 and any("/product/{id}" in s for s in steps)
