from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import ibis
import numpy as np
import pandas as pd
import pytest

from parcours.ingest import ingest_events
from parcours.instances import journey_instances
from parcours.settings import EpisodeSettings, IdentitySettings, ImpactSettings, IngestSettings, ValueSettings
from parcours.synthetic import PLANTED, generate_demo_log
from parcours.synthetic.journeys import is_window_journey, planted_labels

T0 = datetime(2024, 1, 1, tzinfo=UTC)
PLACEBO_ID = 99


@dataclass
class PlantedTrial:
    """A demo log ingested, its instances labelled with their planted journey (plus a random placebo journey)."""

    log: object
    events: ibis.Table
    instances: ibis.Table
    assignments: ibis.Table
    journeys: pd.DataFrame


def planted_trial(customers: int, seed: int, tmp_path, placebo_share: float = 0.1) -> PlantedTrial:
    """Each customer's window journey gets their planted journey
    (:func:`parcours.synthetic.journeys.planted_labels`), and those of a random ``placebo_share`` of customers
    are also labelled journey 99, "placebo"."""
    log = generate_demo_log(customers, seed=seed)
    paths = log.write(tmp_path)
    con = ibis.duckdb.connect()
    settings = IngestSettings(identity=IdentitySettings(path=str(paths["identities.csv"])))
    events = ingest_events(con, settings, paths["events.csv"]).events
    instances = journey_instances(events, EpisodeSettings())
    frame = instances.select("customer_id", "journey_instance_id", "start_ts").to_pandas()
    labelled = planted_labels(frame, log.customers)
    index = {j.name: i for i, j in enumerate(PLANTED)}
    frame = frame.loc[is_window_journey(frame, log.customers), ["customer_id", "journey_instance_id"]]
    rng = np.random.default_rng(seed + 1_000)
    chosen = set(log.customers.customer_id[rng.random(len(log.customers)) < placebo_share])
    placebo = frame[frame.customer_id.isin(chosen)].assign(journey_id=PLACEBO_ID, probability=1.0)
    journeys = pd.DataFrame({"journey_id": [*index.values(), PLACEBO_ID], "name": [*index, "placebo"]})
    return PlantedTrial(log, events, instances, ibis.memtable(pd.concat([labelled, placebo])), journeys)


def hand_events(con, rows: list[tuple], name: str = "events") -> ibis.Table:
    """(customer, days after 2024-01-01, activity, channel, revenue) → an event-log table."""
    frame = pd.DataFrame(rows, columns=["customer_id", "days", "activity", "channel", "revenue"])
    frame["ts"] = [T0 + timedelta(days=d) for d in frame.days]
    frame["event_seq"] = range(len(frame))
    frame["source"] = "hand.csv"
    return con.create_table(name, frame.drop(columns="days").astype({"revenue": "float64"}), overwrite=True)


@pytest.fixture
def impact_settings() -> ImpactSettings:
    return ImpactSettings()


@pytest.fixture
def value_settings() -> ValueSettings:
    return ValueSettings()


@pytest.fixture(scope="session")
def small_trial(tmp_path_factory) -> PlantedTrial:
    """4,000 demo customers with their planted journeys."""
    return planted_trial(4_000, seed=3, tmp_path=tmp_path_factory.mktemp("trial"))


@pytest.fixture(scope="session")
def small_clv(small_trial) -> pd.DataFrame:
    """A stand-in for customer_value.csv: twice the realised outcome, so its effects are about twice as large."""
    truth = small_trial.log.customers
    return pd.DataFrame({"customer_id": truth.customer_id, "clv": 2 * truth.outcome_observed})


@pytest.fixture(scope="session")
def small_impact(small_trial, small_clv):
    """Journey impact on the small trial, with a journey nobody lives (id 50) added."""
    from parcours.impact import estimate_journey_impact

    journeys = pd.concat([small_trial.journeys, pd.DataFrame({"journey_id": [50], "name": ["nobody"]})])
    return estimate_journey_impact(small_trial.events, small_trial.instances, small_trial.assignments, journeys,
                                   ImpactSettings(), ValueSettings(), customer_value=small_clv)
