import numpy as np
import pandas as pd
import pytest

from parcours.mining.discovery import END
from parcours.mining.paths import compare_segments, funnel, step_matrix


@pytest.fixture
def random_variants() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    tokens = list("abcdef")
    rows = {" → ".join(rng.choice(tokens, size=rng.integers(1, 8))) for _ in range(200)}
    return pd.DataFrame({"variant": sorted(rows), "count": rng.integers(1, 20, size=len(rows))})


def _instances(variants: pd.DataFrame) -> list[list[str]]:
    return [v.split(" → ") for v, n in zip(variants.variant, variants["count"], strict=True) for _ in range(n)]


def test_every_step_of_the_matrix_accounts_for_every_instance(random_variants) -> None:
    matrix = step_matrix(random_variants, max_steps=8, top_tokens=3)
    assert np.allclose(matrix.sum(), 1.0) and {"other", END} <= set(matrix.index)


def test_funnel_counts_equal_those_of_each_instance_read_one_by_one(random_variants) -> None:
    stages = ["a", "c", "e"]

    def depth(steps: list[str]) -> int:
        reached = 0
        for step in steps:
            reached += reached < len(stages) and step == stages[reached]
        return reached

    depths = [depth(steps) for steps in _instances(random_variants)]
    table = funnel(random_variants, stages)
    assert table.instances.tolist() == [sum(d > i for d in depths) for i in range(len(stages))]
    assert table.dropped.tolist() == [0, *(-np.diff(table.instances)).tolist()]


def test_segment_shares_equal_those_counted_instance_by_instance(random_variants) -> None:
    in_segment = random_variants.variant.str.startswith("a")
    table = compare_segments(random_variants, in_segment, top=6).set_index("token")
    segment = [s for s in _instances(random_variants) if s[0] == "a"]
    assert table.loc["b", "segment"] == pytest.approx(sum("b" in s for s in segment) / len(segment))
    assert table.loc["a", "rest"] == pytest.approx(
        sum("a" in s for s in _instances(random_variants) if s[0] != "a")
        / sum(1 for s in _instances(random_variants) if s[0] != "a"))
