"""trigger_rules through Dagster on a demo log, then the published rules replayed on a fresh seed's log."""

import json

import ibis
import numpy as np
import pandas as pd
import pytest

from parcours import paths
from parcours.ingest import ingest_events
from parcours.settings import IdentitySettings, IngestSettings, load_settings
from parcours.synthetic import generate_demo_log
from parcours.synthetic.journeys import is_window_journey
from parcours.triggers import fire_rules, load_rule_set, validate_rule_set
from tests.pipelines.conftest import BACKGROUND, labelled_assignments

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def published(demo_run) -> dict:
    return json.loads((demo_run.out / "trigger_rules.json").read_text())


def test_trigger_rules_are_published_valid_and_checked(demo_run, published) -> None:
    evaluations = {e.check_name: e for e in demo_run.result.get_asset_check_evaluations()}
    assert evaluations["trigger_rules_follow_the_schema_and_their_thresholds"].passed
    validate_rule_set(published)
    scores = pd.read_csv(demo_run.out / "trigger_rules.csv")
    assert set(scores.rule_id[scores.published]) == {r["rule_id"] for r in published["rules"]}
    assert published["backtest"]["passed"] and evaluations["trigger_rules_pass_their_backtest"].passed


def test_rules_enter_the_planted_journeys_with_the_precision_they_claim_on_a_fresh_seed(demo_run, published,
                                                                                        tmp_path) -> None:
    planted_of = _planted_journey_of(demo_run)
    assert {"web_to_store", "complaint_churn"} <= {planted_of[r["journey_id"]] for r in published["rules"]}
    fresh = generate_demo_log(3_000, seed=6)
    fired = _fire_on(fresh, demo_run.out / "trigger_rules.json", tmp_path)
    fired = fired.assign(truly=_truly_at(fired, fresh.customers))
    for rule in published["rules"]:
        mine = fired[fired.rule_id == rule["rule_id"]]
        hits = mine.truly == planted_of[rule["journey_id"]]
        claimed, n = rule["evidence"]["backtest"]["precision"], len(mine)
        assert n >= 20, (rule["rule_id"], n)
        assert _wilson_upper(hits.mean(), n) >= claimed - 1e-9, (rule["rule_id"], hits.mean(), n, claimed)


def _planted_journey_of(demo_run) -> dict[int, str]:
    """What each discovered journey truly is: what most of its instances are (a planted journey, browsing, or
    the background orders around the window's journeys)."""
    assigned = labelled_assignments(demo_run.out, demo_run.files)
    assigned = assigned[assigned.journey_id >= 0]
    return assigned.groupby("journey_id").truly.agg(lambda s: s.value_counts().index[0]).to_dict()


def _truly_at(fired: pd.DataFrame, truth: pd.DataFrame) -> pd.Series:
    """What the instance each rule fired in truly is: a match between the customer's first and last window
    event is in their window journey (their planted journey, or ``none``), any other in a background order."""
    inside = is_window_journey(fired.assign(start_ts=fired.matched_at), truth)
    return fired.customer_id.map(truth.set_index("customer_id").planted_journey).where(inside, BACKGROUND)


def _fire_on(log, rules_path, folder) -> pd.DataFrame:
    """Ingest (identities stitched) a demo log and fire the published rules on it, as one stream."""
    files = log.write(folder)
    settings = IngestSettings(identity=IdentitySettings(path=str(files["identities.csv"])))
    events = ingest_events(ibis.duckdb.connect(), settings, files["events.csv"]).events
    frame = events.select("customer_id", "ts", "activity", "channel").to_pandas()
    return fire_rules(load_rule_set(rules_path), frame, load_settings(paths.conf_dir()).episodes)


def _wilson_upper(share: float, n: int, z: float = 2.58) -> float:
    """The Wilson score interval's upper end (99%) of a proportion."""
    centre = share + z * z / (2 * n)
    spread = z * np.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    return (centre + spread) / (1 + z * z / n)
