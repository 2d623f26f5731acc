"""The must-show of journey impact under continuous entry (issue 21): customers enter journeys at any time,
and the estimates and the gate stay right (the seeds' error rates are measured in bench_impact_entry)."""

import pandas as pd
import pytest

from parcours.settings import ImpactSettings
from parcours.synthetic.entry import CONFOUNDED, generate_entry_log
from parcours.synthetic.entry_trial import score_entry_log

pytestmark = pytest.mark.slow
CUSTOMERS = 6_000


def _runs(scenario: str, seeds: range) -> pd.DataFrame:
    frames = [score_entry_log(generate_entry_log(CUSTOMERS, scenario, seed)).table.assign(seed=seed)
              for seed in seeds]
    runs = pd.concat(frames, ignore_index=True)
    return runs[runs.effect.notna()]


@pytest.fixture(scope="module")
def measured() -> pd.DataFrame:
    return _runs("measured", range(100, 104))


@pytest.fixture(scope="module")
def unmeasured() -> pd.DataFrame:
    return _runs("unmeasured", range(100, 104))


@pytest.fixture(scope="module")
def overlapping() -> pd.DataFrame:
    return _runs("overlapping", range(100, 103))


def test_every_journey_is_estimated_in_every_seed(measured, overlapping) -> None:
    assert len(measured) == 4 * 7 and len(overlapping) == 3 * 7


def test_intervals_cover_the_truth_when_customers_enter_at_any_time(measured) -> None:
    assert measured.covered.mean() >= 0.9


def test_intervals_cover_the_truth_when_journeys_overlap(overlapping) -> None:
    assert overlapping.covered.mean() >= 0.9


def test_journeys_with_a_strong_effect_pass_the_gate(measured) -> None:
    strong = measured[measured.strong]
    assert len(strong) >= 4 and (strong.overlap_ok & strong.refutation_ok).all()
    # a finding also needs q < 0.05: at exactly 3 standard errors a test has about 85% power
    assert strong.finding.mean() >= 0.75


def test_the_placebo_outcome_fails_only_for_confounding(measured) -> None:
    # before the design knew about continuous entry, every journey's placebo failed with p < 1e-100
    assert (measured.placebo_outcome_p < ImpactSettings().refutation_alpha).sum() <= 1


def test_continuous_entry_is_not_mistaken_for_a_lack_of_overlap(measured) -> None:
    assert measured.trimmed_share.max() < ImpactSettings().max_trimmed_share
    # the balance check refuses about 1.5% of correct estimates by chance (bench_impact_entry); the old
    # design failed overlap for every journey
    assert (~measured.overlap_ok).sum() <= 1


def test_a_journey_chosen_by_an_unmeasured_trait_is_never_a_finding(unmeasured) -> None:
    confounded = unmeasured[unmeasured.name == CONFOUNDED]
    assert len(confounded) == 4 and not confounded.finding.any()
    assert not confounded.refutation_ok.any()  # refused by the placebo outcome, not by chance


def test_a_wrong_estimate_is_rarely_a_finding(measured, overlapping) -> None:
    both = pd.concat([measured, overlapping])
    assert (both.finding & ~both.covered).sum() <= 2
