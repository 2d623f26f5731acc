import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from parcours.journeys import NOISE, discover_journeys
from parcours.settings import JourneySettings
from parcours.synthetic.journeys import is_window_journey
from tests.lib.journeys.conftest import variants_table


def _labelled(discovery, log, instances) -> pd.DataFrame:
    """The customers' window journeys (planted or browsing) with their planted and discovered journeys."""
    frame = instances.assign(variant=instances.tokens.map(" → ".join))
    frame = frame.merge(discovery.variants[["variant", "journey_id"]], on="variant")
    frame = frame.merge(log.customers[["customer_id", "planted_journey"]], on="customer_id")
    return frame[is_window_journey(frame, log.customers)]


def test_every_variant_gets_a_journey_or_noise(demo_journeys) -> None:
    discovery, _, _, table = demo_journeys
    assert len(discovery.variants) == len(table) and discovery.variants.journey_id.ge(NOISE).all()
    assert set(discovery.journeys.journey_id) == set(discovery.variants.journey_id) - {NOISE}


def test_journeys_are_a_few_dozen_with_readable_unique_names(demo_journeys) -> None:
    journeys = demo_journeys[0].journeys
    assert 6 <= len(journeys) <= 60 and journeys.name.is_unique
    assert not journeys.name.str.contains("@").any()


def test_quality_numbers_are_reported(demo_journeys) -> None:
    quality = demo_journeys[0].quality
    assert 0 < quality["noise_share"] < 0.2 and quality["silhouette"] > 0.3 and quality["stability"] > 0.8


def test_a_planted_journey_is_named_after_what_sets_it_apart(demo_journeys) -> None:
    discovery, log, instances, _ = demo_journeys
    frame = _labelled(discovery, log, instances)
    churners = frame[frame.planted_journey == "complaint_churn"].journey_id.mode()[0]
    assert "complaint" in discovery.journeys.set_index("journey_id").name[churners]


def test_random_walkers_are_noise_or_loose_members_and_planted_journeys_are_not(demo_journeys) -> None:
    """A random walk fits a journey at best loosely: far more of it is noise or a lone step, and what
    joins a discovered journey sits far from its medoid (a low membership probability)."""
    discovery = demo_journeys[0]
    frame = _labelled(*demo_journeys[:3]).merge(discovery.variants[["variant", "probability"]], on="variant")
    one_step = discovery.journeys.journey_id[discovery.journeys.name == "leaves after one step"].tolist()
    loose = frame.journey_id.isin([NOISE, *one_step])
    walkers, planted = frame.planted_journey == "none", frame.planted_journey != "none"
    assert loose[walkers].mean() > 0.2 and loose[planted].mean() < 0.05
    assert frame.probability[walkers & ~loose].mean() < 0.5 * frame.probability[planted & ~loose].mean()


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2, 3, 4])
def test_discovered_journeys_recover_the_planted_ones(seed, tmp_path) -> None:
    """Statistical: adjusted Rand index ≥ 0.9 between planted and discovered journeys, over seeds."""
    import ibis

    from parcours.ingest import ingest_events
    from parcours.instances import journey_instances
    from parcours.mining import variants
    from parcours.settings import EpisodeSettings, IngestSettings
    from parcours.synthetic import generate_demo_log

    log = generate_demo_log(4_000, seed=seed)
    events = ingest_events(ibis.duckdb.connect(), IngestSettings(), log.write(tmp_path)["events.csv"]).events
    instances = journey_instances(events, EpisodeSettings())
    discovery = discover_journeys(variants(instances).to_pandas(), JourneySettings(bootstrap_rounds=0),
                                  purchases=["order"])
    frame = _labelled(discovery, log, instances.select("customer_id", "start_ts", "tokens").to_pandas())
    planted = frame[frame.planted_journey != "none"]
    assert adjusted_rand_score(planted.planted_journey, planted.journey_id) >= 0.9


def test_previous_ids_are_kept_across_runs(demo_journeys) -> None:
    discovery, _, _, table = demo_journeys
    previous = {row.journey_id + 100: row.representative.split(" → ") for row in discovery.journeys.itertuples()}
    again = discover_journeys(table, JourneySettings(bootstrap_rounds=0), previous=previous, purchases=["order"])
    assert set(again.journeys.journey_id) == set(previous)
    assert {c["change"] for c in again.changes} == {"kept"}


def _two_journeys(n: int) -> list[tuple[str, int]]:
    """Two journeys of ``n`` variants each: a web path and a store path, one middle step varying."""
    rows = [(f"view@web → look_{i}@web → order@web", 100 - i) for i in range(n)]
    return rows + [(f"visit@store → ask_{i}@store → order@store", 90 - i) for i in range(n)]


def test_rare_variants_beyond_the_cap_are_assigned_by_the_classifier() -> None:
    rows = [*_two_journeys(30), ("visit@store → ask_rare@store → order@store", 1)]
    settings = JourneySettings(max_variants=60, bootstrap_rounds=0, noise_distance=0.5)
    discovery = discover_journeys(variants_table(rows), settings)
    rare = discovery.variants.iloc[-1]
    assert not rare.clustered and rare.journey_id == discovery.variants.journey_id.iloc[30:60].mode()[0] != NOISE
    assert 0 < rare.probability <= 1


def test_the_classifier_recognises_seen_and_unseen_sequences(demo_journeys) -> None:
    discovery = demo_journeys[0]
    known = discovery.variants[discovery.variants.journey_id != NOISE].iloc[0]
    tokens = known.variant.split(" → ")
    result = discovery.classifier.predict([tokens, [*tokens, "unheard_of@fax"], ["view_item@web"]])
    assert result.journey_id[0] == known.journey_id and bool(result.seen[0])
    assert not result.seen[1] and result.journey_id[1] in {NOISE, *discovery.journeys.journey_id}
    assert (result.probability[1] > 0) == (result.journey_id[1] != NOISE)
    single = discovery.journeys.set_index("journey_id").name[result.journey_id[2]]
    assert single == "leaves after one step" and result.probability[2] == 1  # too short to be clustered


def test_journey_members_have_a_membership_probability(demo_journeys) -> None:
    variants = demo_journeys[0].variants
    clustered = variants[variants.clustered & (variants.journey_id != NOISE)]
    assert np.all((clustered.probability > 0) & (clustered.probability <= 1))


def test_journeys_do_not_drift_when_the_population_grows_tenfold(demo_journeys) -> None:
    discovery, _, _, table = demo_journeys
    settings = JourneySettings(bootstrap_rounds=0, sample_instances=int(table["count"].sum()))
    bigger = discover_journeys(table.assign(count=table["count"] * 10), settings, purchases=["order"])
    assert bigger.quality["instances_sampled"] == table["count"].sum()
    merged = discovery.variants.merge(bigger.variants, on="variant", suffixes=("", "_big"))
    weights = merged["count"].to_numpy()
    assert adjusted_rand_score(np.repeat(merged.journey_id, weights), np.repeat(merged.journey_id_big, weights)) > 0.8


def test_an_unseen_sequence_between_journeys_is_noise() -> None:
    discovery = discover_journeys(variants_table(_two_journeys(12)), JourneySettings(bootstrap_rounds=0))
    between = [["view@web", "look_0@web", "ask_0@store", "order@store"]]  # half of each journey
    classifier = discovery.classifier
    assert classifier.noise_distance < 0.5
    strict = classifier.predict(between)
    assert strict.journey_id[0] == NOISE and strict.probability[0] == 0
    classifier.noise_distance = 0.9
    relaxed = classifier.predict(between)
    assert relaxed.journey_id[0] != NOISE and 0 < relaxed.probability[0] < 1


def test_no_representative_or_top_variant_shown_rests_on_fewer_customers_than_the_floor() -> None:
    rows = [(f"view@web → order@web{' → view@web' * i}", 100 - i) for i in range(12)]
    rows += [(f"visit@store → order@store{' → visit@store' * i}", 90 - i) for i in range(12)]
    table = variants_table(rows)
    table = table.assign(customers=np.where(np.arange(len(table)) % 2 == 0, 3, 40))  # every other one: 3 people
    settings = JourneySettings(bootstrap_rounds=0, min_cluster_floor=10, standalone_share=0.9)
    journeys = discover_journeys(table, settings, min_customers=5).journeys
    followers = dict(zip(table.variant, table.customers, strict=True))
    shown = [p for column in ("representative", "representatives", "top_variants")
             for cell in journeys[column] for p in cell.split(" | ")]
    assert shown and all(followers[p] >= 5 for p in shown if not p.startswith("(a path of fewer"))
    assert any(p.startswith("(a path of fewer than 5 customers") for p in shown)
