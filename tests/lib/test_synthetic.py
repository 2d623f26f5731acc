import numpy as np
import pandas as pd
import pytest

from parcours.ingest import ingest_events
from parcours.instances import journey_instances
from parcours.settings import EpisodeSettings, IdentitySettings, IngestSettings
from parcours.synthetic import PLANTED, generate_demo_log
from parcours.synthetic.journeys import is_window_journey
from parcours.synthetic.timeline import LANDMARK, PRE_END


@pytest.fixture(scope="module")
def demo():
    return generate_demo_log(3_000, seed=11)


def test_same_seed_gives_the_same_log() -> None:
    first, second = generate_demo_log(200, seed=5), generate_demo_log(200, seed=5)
    pd.testing.assert_frame_equal(first.events, second.events)
    assert not generate_demo_log(200, seed=6).events.equals(first.events)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [11, 12, 13])
def test_ingest_finds_exactly_the_planted_dirty_rows(seed, tmp_path, con) -> None:
    demo = generate_demo_log(1_500, seed=seed)
    paths = demo.write(tmp_path)
    identity = IdentitySettings(path=str(paths["identities.csv"]))
    summary = ingest_events(con, IngestSettings(identity=identity), paths["events.csv"]).summary
    expected = demo.truth["expected_ingest"]
    assert (summary.rows_in, summary.clean, summary.quarantined, summary.duplicates) == (
        expected["rows_in"], expected["clean"], expected["quarantined"], expected["duplicates"])
    planted = {k: v for k, v in demo.truth["dirty_rows"].items() if k != "duplicate"}
    assert {k: v for k, v in summary.by_reason.items() if v} == {k: v for k, v in planted.items() if v}


def test_stitching_folds_every_device_into_its_customer(demo, tmp_path, con) -> None:
    paths = demo.write(tmp_path)
    result = ingest_events(con, IngestSettings(identity=IdentitySettings(path=str(paths["identities.csv"]))),
                           paths["events.csv"])
    ids = set(result.events.customer_id.to_pandas())
    assert not any(i.startswith("D") for i in ids)
    devices_in_log = demo.events.customer_id[demo.events.customer_id.str.startswith("D")].nunique()
    assert 0 < devices_in_log <= demo.truth["devices"]
    assert result.summary.identities["merged_identities"] == devices_in_log


def test_journey_choice_is_confounded_with_value(demo) -> None:
    means = demo.customers.groupby("planted_journey").value.mean()
    assert means["web_to_store"] - means["complaint_churn"] > 0.5


def test_observed_outcome_is_the_potential_outcome_of_the_realised_journey(demo) -> None:
    truth = demo.customers
    for journey in [*(j.name for j in PLANTED), "none"]:
        mine = truth[truth.planted_journey == journey]
        np.testing.assert_allclose(mine.outcome_observed, mine[f"outcome_{journey}"])


def test_planted_effects_have_their_signs(demo) -> None:
    effects = {name: spec["mean_effect"] for name, spec in demo.truth["journeys"].items()}
    assert effects["web_to_store"] > effects["newsletter_nurture"] > 0 > effects["complaint_churn"]
    assert effects["cart_abandon"] == 0


def test_every_planted_journey_has_customers(demo) -> None:
    assert all(spec["customers"] > 50 for spec in demo.truth["journeys"].values())


def test_customers_keep_buying_between_the_periods(demo) -> None:
    """No month before the landmark goes without orders: a pause in everybody's orders is no story a value
    model could fit (the calendar's periods are for the journeys, not for the purchases)."""
    orders = demo.events[demo.events.activity.eq("order")]
    when = pd.to_datetime(orders.ts, utc=True, format="mixed", errors="coerce").dropna()
    days = (when - pd.Timestamp(demo.truth["windows"]["pre_period"][0])).dt.days
    monthly = np.bincount(days[(days >= 0) & (days < LANDMARK // 30 * 30)] // 30)  # whole months; dirty rows out
    assert monthly.min() > 0.5 * monthly[: PRE_END // 30].mean(), monthly


def test_each_customer_has_one_window_journey_apart_from_the_orders_around_it(demo, tmp_path, con) -> None:
    paths = demo.write(tmp_path)
    events = ingest_events(con, IngestSettings(identity=IdentitySettings(path=str(paths["identities.csv"]))),
                           paths["events.csv"]).events
    instances = journey_instances(events, EpisodeSettings()).select("customer_id", "start_ts").to_pandas()
    window = instances[is_window_journey(instances, demo.customers)]
    assert window.customer_id.is_unique
    assert set(window.customer_id) == set(demo.customers.customer_id[demo.customers.window_first.notna()])
    assert (window.start_ts.to_numpy() == window.customer_id.map(
        demo.customers.set_index("customer_id").window_first).to_numpy()).all()


def test_ensure_demo_log_generates_once_and_only_without_an_ingest_path(tmp_path) -> None:
    from parcours.paths import default_events_path
    from parcours.settings import Settings
    from parcours.synthetic import ensure_demo_log

    assert ensure_demo_log(Settings(), customers=50, home=tmp_path) is True
    assert default_events_path(tmp_path).exists()
    assert ensure_demo_log(Settings(), customers=50, home=tmp_path) is False
    configured = Settings.model_validate({"ingest": {"path": "/data/events.csv"}})
    assert ensure_demo_log(configured, home=tmp_path / "other") is False
