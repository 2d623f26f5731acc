import pandas as pd
import pytest

from parcours.synthetic.entry import JOURNEYS, entry_effects, generate_entry_log
from parcours.synthetic.entry_trial import entry_inputs, score_entry_log

pytestmark = pytest.mark.slow  # statistical: a generated trial estimated and scored against its truth


@pytest.fixture(scope="module")
def log():
    return generate_entry_log(2_000, "measured", seed=5)


@pytest.fixture(scope="module")
def scored(log):
    return score_entry_log(log)


def test_every_planted_journey_is_an_input_and_the_rest_is_no_journey(log) -> None:
    _, instances, assignments, journeys = entry_inputs(log)
    labels = assignments.to_pandas()
    assert list(journeys.name) == [j.name for j in JOURNEYS]
    assert set(labels.journey_id) == {-1, *journeys.journey_id}
    assert len(labels) == instances.count().to_pyarrow().as_py()


def test_each_estimate_is_scored_against_the_truth_over_the_customers_it_kept(log, scored) -> None:
    row = scored.table.dropna(subset=["effect"]).iloc[0]
    kept = scored.impact.support.index[scored.impact.support[row.journey_id].to_numpy(bool)]
    window = log.day(scored.impact.design.observation_start), log.day(scored.impact.design.landmark)
    assert row.truth == pytest.approx(entry_effects(log, *window, customer_ids=kept)[row["name"]])
    assert row.covered == (row.ci_low <= row.truth <= row.ci_high)
    assert row.strong == (abs(row.truth) >= 3 * row.std_error)


def test_customers_already_in_a_journey_are_not_in_its_trial(log, scored) -> None:
    impact, entries = scored.impact, log.entries
    design = impact.design
    under_way = entries[(entries.start_ts < pd.Timestamp(design.observation_start, tz="UTC"))
                        & (entries.end_ts >= pd.Timestamp(design.placebo_start, tz="UTC"))]
    for k, journey in enumerate(JOURNEYS):
        already = impact.support.index.isin(under_way.customer_id[under_way.journey == journey.name])
        assert already.sum() > 0 and not impact.support[k].to_numpy(bool)[already].any()
        assert impact.propensities[k][already].isna().all()
