from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import ibis
import numpy as np
import pandas as pd
import pytest

from parcours.instances import journey_instances
from parcours.settings import CatalogueAction, EpisodeSettings, TriggerSettings

HOUR = 3_600.0
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def rule_document(**overrides) -> dict:
    """One valid rule: web view → add to cart → order within a day, each step within 6 hours."""
    rule = {"rule_id": "web-cart", "journey_id": 3, "journey_name": "web add to cart → web order",
            "pattern": [{"token": "view_item@web"}, {"token": "add_to_cart@web", "max_gap_s": 6 * HOUR},
                        {"token": "order@web", "max_gap_s": 6 * HOUR}],
            "window_s": 24 * HOUR, "delay_s": HOUR, "cap_per_customer": 1,
            "action": {"action_id": "store_invite", "label": "Invite to the store", "channel": "email"},
            "evidence": {"precision": 0.8}}
    rule.update(overrides)
    return {"schema_version": 1, "rule_set_version": "test", "rules": [rule]}


@pytest.fixture
def one_rule() -> dict:
    return rule_document()


KINDS = {  # journey id → (tokens, representative path); 0 browses, 1 carts then visits the store, 2 complains
    0: ("view_item@web", "order@web"),
    1: ("view_item@web", "add_to_cart@web", "order@web", "store_visit@store"),
    2: ("order@web", "delivery_issue@web", "complaint@phone"),
}


@dataclass
class MiniWorld:
    """Hand-made journeys: events (Ibis), their instances and assignments, the journeys and their effects."""

    events: object
    instances: object
    assignments: object
    journeys: pd.DataFrame
    impact: pd.DataFrame


def mini_world(customers: int = 600, seed: int = 0, drift: bool = False) -> MiniWorld:
    """Each customer lives one or two instances (60+ days apart, so they never chain) of journeys 0, 1 or 2,
    steps 1-6 hours apart, over ~200 days. With ``drift``, browsing instances after day 110 also hold a
    delivery issue: journey 2's entry step stops telling it apart."""
    rng = np.random.default_rng(seed)
    rows, labels = [], []
    for c in range(customers):
        customer = f"C{c:04d}"
        starts = [rng.uniform(0, 90)] + ([rng.uniform(150, 200)] if rng.random() < 0.5 else [])
        for episode, day in enumerate(starts, start=1):
            kind = int(rng.choice(3, p=[0.4, 0.4, 0.2]))
            tokens = list(KINDS[kind])
            if drift and kind == 0 and day > 110:
                tokens.insert(1, "delivery_issue@web")
            t = T0 + timedelta(days=day)
            for token in tokens:
                activity, channel = token.split("@")
                rows.append((customer, t, activity, channel))
                t += timedelta(hours=float(rng.uniform(1, 6)))
            labels.append((customer, f"{customer}:{episode}", kind, 1.0))
    frame = pd.DataFrame(rows, columns=["customer_id", "ts", "activity", "channel"])
    frame = frame.assign(revenue=np.nan, event_seq=np.arange(len(frame)), source="mini.csv")
    events = ibis.memtable(frame)
    instances = journey_instances(events, EpisodeSettings())
    assignments = ibis.memtable(pd.DataFrame(labels, columns=["customer_id", "journey_instance_id", "journey_id",
                                                              "probability"]))
    journeys = pd.DataFrame({"journey_id": list(KINDS), "name": ["browse", "cart then store", "complaint"],
                             "representative": [" → ".join(t) for t in KINDS.values()]})
    impact = pd.DataFrame({"journey_id": [0, 1, 2], "effect": [5.0, 50.0, -80.0], "finding": [False, True, True]})
    return MiniWorld(events, instances, assignments, journeys, impact)


CATALOGUE = [CatalogueAction(step="store_visit@store", when="raises", action_id="store_invitation",
                             label="Invitation to the store", channel="email", delay_hours=24),
             CatalogueAction(step="complaint", when="destroys", action_id="service_recovery",
                             label="Service-recovery call", channel="phone")]


@pytest.fixture(scope="session")
def world() -> MiniWorld:
    return mini_world()


@pytest.fixture
def trigger_settings() -> TriggerSettings:
    return TriggerSettings(actions=CATALOGUE)


@pytest.fixture(scope="session")
def mined(world):
    """The rule set mined, back-tested and published on the mini world (catalogue above)."""
    from parcours.triggers import mine_trigger_rules, trigger_data

    settings = TriggerSettings(actions=CATALOGUE)
    data = trigger_data(world.events, world.instances, world.assignments, EpisodeSettings(), settings)
    return mine_trigger_rules(data, world.journeys, world.impact, settings, max_window_s=30 * 86_400.0)
