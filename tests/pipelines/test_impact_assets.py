"""journey_impact on journeys the pipeline discovered itself (not planted labels), through Dagster."""

import json

import dagster as dg
import pandas as pd
import pytest

from parcours.synthetic import generate_demo_log
from parcours_pipelines.definitions import defs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    return generate_demo_log(3_000, seed=5).write(tmp_path_factory.mktemp("demo"))


def test_discovered_journeys_get_effects_with_the_planted_signs(demo_files, run_resources, tmp_path) -> None:
    resources = run_resources([f"ingest.path={demo_files['events.csv']}",
                               f"ingest.identity.path={demo_files['identities.csv']}"])
    result = dg.materialize([*defs().assets, *defs().asset_checks], resources=resources)
    assert result.success
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert evaluations["journey_impact_is_one_coherent_row_per_journey"].passed
    assert "journey_impact_estimates_pass_their_checks" in evaluations
    out = tmp_path / "out"
    impact = pd.read_csv(out / "journey_impact.csv")
    assert set(impact.journey_id) == set(pd.read_csv(out / "journeys.csv").journey_id)
    effect = impact.set_index("journey_id")
    for planted, sign in (("web_to_store", 1), ("complaint_churn", -1)):
        journey = _discovered(out, demo_files, planted)
        row = effect.loc[journey]
        assert row.finding and sign * row.ci_low > 0 and sign * row.ci_high > 0, (planted, row.to_dict())
    metadata = {e.asset_key.to_user_string(): e.event_specific_data.materialization.metadata
                for e in result.get_asset_materialization_events()}["journey_impact"]
    assert metadata["forest_plot"].value.startswith("![journey impact: effects with their 95% intervals]")
    assert metadata["journeys_estimated"].value >= 4 and metadata["landmark"].value


def _discovered(out, demo_files, planted: str) -> int:
    """The discovered journey holding most of the planted journey's observation-window instances."""
    truth = pd.read_csv(demo_files["customers_truth.csv"], usecols=["customer_id", "planted_journey"])
    window = json.loads(demo_files["truth.json"].read_text())["windows"]["observation"]
    instances = pd.read_parquet(out / "journey_instances.parquet", columns=["journey_instance_id", "start_ts"])
    instances = instances[instances.start_ts.between(pd.Timestamp(window[0]), pd.Timestamp(window[1]))]
    assignments = pd.read_csv(out / "journey_assignments.csv").merge(truth, on="customer_id")
    assignments = assignments[assignments.journey_instance_id.isin(instances.journey_instance_id)]
    mine = assignments[(assignments.planted_journey == planted) & (assignments.journey_id >= 0)]
    return int(mine.journey_id.value_counts().index[0])
