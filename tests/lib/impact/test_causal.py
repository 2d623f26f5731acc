import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from parcours.impact.causal import (
    SINGLE_THREAD_BELOW,
    NoOverlapError,
    aipw_effect,
    at_risk,
    benjamini_hochberg,
    common_support,
    cross_fit_mean,
    effective_sample_size,
    inverse_propensity_weights,
    journey_workers,
    nuisance_threads,
    permuted_label_effect,
    standardized_mean_differences,
)

pytestmark = pytest.mark.slow  # statistical: AIPW, weighting and placebo checks on simulated data


def confounded(n: int, effect: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Better customers (high x0) choose the journey more often and are worth more anyway."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    t = (rng.random(n) < 1 / (1 + np.exp(-(1.2 * x[:, 0] - 0.5 * x[:, 1])))).astype(int)
    y = 50 + 30 * x[:, 0] + 10 * x[:, 1] ** 2 + effect * t + rng.normal(0, 10, n)
    return x, t, y


def test_aipw_removes_the_confounding_the_naive_difference_keeps() -> None:
    x, t, y = confounded(4_000, effect=5.0, seed=0)
    result = aipw_effect(x, t, y, seed=0)
    assert result.naive_diff > 20  # better customers chose the journey
    assert result.ci_low < 5.0 < result.ci_high and abs(result.effect - 5.0) < 3
    assert result.n_treated == t.sum() and 0 <= result.trimmed_share < 0.2


def test_aipw_is_right_when_only_the_outcome_model_is_right() -> None:
    x, t, y = confounded(4_000, effect=-8.0, seed=1)
    x = np.column_stack([x, x[:, 1] ** 2])  # the outcome is linear in these
    result = aipw_effect(x[:, [0, 1, 3]], t, y, propensity_model=_Constant(), outcome_model=LinearRegression(),
                         trim=0.0)
    assert abs(result.effect + 8.0) < 2


class _Constant(LogisticRegression):
    """A propensity model that ignores the covariates (the share treated for everyone)."""

    def fit(self, x, t):
        self.share_ = float(np.mean(t))
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, x):
        return np.column_stack([np.full(len(x), 1 - self.share_), np.full(len(x), self.share_)])


def test_a_random_label_has_no_effect() -> None:
    x, _, y = confounded(3_000, effect=0.0, seed=2)
    placebo = np.random.default_rng(9).random(len(y)) < 0.3
    result = aipw_effect(x, placebo, y, seed=0)
    assert result.ci_low < 0 < result.ci_high and result.p_value > 0.01


def test_weighting_balances_the_covariates() -> None:
    x, t, y = confounded(4_000, effect=0.0, seed=3)
    result = aipw_effect(x, t, y, seed=0)
    before = np.abs(standardized_mean_differences(x, t))
    after = np.abs(standardized_mean_differences(x, t, inverse_propensity_weights(t, result.propensity)))
    assert before[0] > 0.5 and np.all(after < 0.1)


def test_everyone_treated_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="treated and untreated"):
        aipw_effect(np.zeros((10, 1)), np.ones(10), np.zeros(10))


def test_benjamini_hochberg_matches_the_textbook_example() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005])
    assert benjamini_hochberg(p) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert benjamini_hochberg(np.array([0.9])) == pytest.approx([0.9])


def test_common_support_keeps_a_rare_treatment() -> None:
    rng = np.random.default_rng(0)
    e = rng.uniform(0.002, 0.02, 10_000)  # a journey one customer in a hundred lives
    t = (rng.random(10_000) < e).astype(int)
    kept = common_support(e, t, 0.01)
    assert kept.mean() > 0.8 and not (e >= 0.02).any()  # fixed bounds [0.02, 0.98] would keep nobody
    assert common_support(e, t, 0.0).all()


def test_common_support_drops_customers_unlike_anyone_treated() -> None:
    e = np.r_[np.full(50, 0.001), np.linspace(0.2, 0.8, 1_000)]
    t = np.r_[np.zeros(50, int), (np.arange(1_000) % 2)]
    assert not common_support(e, t, 0.01)[:50].any()


def test_customers_unlike_anyone_treated_are_not_at_risk_rather_than_trimmed() -> None:
    rng = np.random.default_rng(2)
    x, t, y = confounded(3_000, effect=5.0, seed=2)
    done = rng.random(3_000) < 0.4  # lived a journey already, one at a time: none of them enters this one
    t = np.where(done, 0, t)
    x = np.column_stack([x, done])
    result = aipw_effect(x, t, y, seed=2)
    assert not result.kept[done].any() and result.not_at_risk_share >= done.mean()
    # counted against overlap they would make it 0.4 or more; among the customers at risk, trimming is
    # what this confounding always costs (the bound of the test without them above)
    assert result.trimmed_share < 0.2
    assert at_risk(result.propensity, t, 0.0).all()


def test_nuisance_threads_are_one_on_small_samples_and_never_more_than_asked(monkeypatch) -> None:
    import parcours.impact.causal as causal

    monkeypatch.setattr(causal.os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    monkeypatch.setattr(causal, "cores_busy_elsewhere", lambda: 0)
    assert nuisance_threads("auto", SINGLE_THREAD_BELOW - 1) == 1
    assert nuisance_threads("auto", SINGLE_THREAD_BELOW) == 4  # at most 4, with 8 cores free
    assert nuisance_threads(3, 100) == 3 and nuisance_threads(0, 10**6) == 1


def test_nuisance_threads_leave_the_cores_other_processes_are_running_on(monkeypatch) -> None:
    import parcours.impact.causal as causal

    monkeypatch.setattr(causal.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(causal, "cores_busy_elsewhere", lambda: 0)
    assert nuisance_threads("auto", 50_000) == 2
    monkeypatch.setattr(causal, "cores_busy_elsewhere", lambda: 1)
    assert nuisance_threads("auto", 50_000) == 1
    monkeypatch.setattr(causal, "cores_busy_elsewhere", lambda: 5)
    assert nuisance_threads("auto", 50_000) == 1 and nuisance_threads(2, 50_000) == 2


def test_journey_workers_are_the_free_cores_and_never_more_than_the_journeys(monkeypatch) -> None:
    import parcours.impact.causal as causal

    monkeypatch.setattr(causal.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    monkeypatch.setattr(causal, "cores_busy_elsewhere", lambda: 1)
    assert journey_workers("auto", 9) == 3 and journey_workers("auto", 2) == 2 and journey_workers("auto", 0) == 1
    monkeypatch.setattr(causal, "cores_busy_elsewhere", lambda: 6)
    assert journey_workers("auto", 9) == 1
    assert journey_workers(2, 9) == 2 and journey_workers(8, 3) == 3 and journey_workers(0, 3) == 1


def test_cores_busy_elsewhere_does_not_count_this_process() -> None:
    from parcours.impact.causal import cores_busy_elsewhere

    assert 0 <= cores_busy_elsewhere() < 64


def test_separated_groups_are_a_no_overlap_error() -> None:
    x = np.r_[np.zeros(200), np.ones(200)][:, None] + np.random.default_rng(1).normal(0, 0.01, (400, 1))
    t = np.r_[np.zeros(200, int), np.ones(200, int)]
    with pytest.raises(NoOverlapError, match="share a range of propensities"):
        aipw_effect(x, t, np.ones(400), trim=0.05, propensity_model=LogisticRegression(C=1e6))


def test_effective_sample_size_shrinks_with_uneven_weights() -> None:
    assert effective_sample_size(np.ones(100)) == 100
    assert effective_sample_size(np.r_[np.ones(99), 100.0]) < 5


def test_a_permuted_label_with_the_pooled_outcome_model_finds_no_effect() -> None:
    x, t, y = confounded(4_000, effect=10.0, seed=4)
    m = cross_fit_mean(x, y, seed=4)
    assert np.corrcoef(m, y)[0, 1] > 0.8  # it learnt E[y | x]
    rng = np.random.default_rng(4)
    p_values = []
    for _ in range(20):
        shuffled = rng.permutation(t)
        result = aipw_effect(x, shuffled, y, propensity=np.full(len(t), t.mean()), outcomes=(m, m))
        assert result.trimmed_share == 0
        p_values.append(result.p_value)
    assert np.mean(np.array(p_values) < 0.05) <= 0.15  # about 5% by chance, never the real effect's p ~ 0
    assert aipw_effect(x, t, y, propensity=np.full(len(t), t.mean()), outcomes=(m, m)).p_value < 1e-6


def test_a_permuted_label_is_refuted_at_its_level_when_a_few_outcomes_dwarf_the_rest() -> None:
    rng = np.random.default_rng(6)
    y = rng.lognormal(3, 1.0, 5_000)
    y[:5] = 3_000.0  # whales: most random draws leave them all in the large arm
    t = np.zeros(5_000, int)
    t[:400] = 1
    draws = [permuted_label_effect(rng.permutation(t), y) for _ in range(2_000)]
    effects = np.array([d.effect for d in draws])
    assert draws[0].std_error == pytest.approx(effects.std(), rel=0.1)  # the randomisation variance
    assert 0.005 <= np.mean([d.p_value < 0.05 for d in draws]) <= 0.08

