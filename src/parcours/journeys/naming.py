"""Names a marketer can read, from what sets a journey apart from the rest.

A journey's candidate features are its tokens and adjacent token pairs. Each is scored by how
much more often the journey's instances contain it than the other instances do (support times
log-lift); the two best, read in the order they appear in the journey's medoid, make the name,
e.g. ``web order → store visit``. The result depends only on the counts, so the same data give
the same names run after run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import pairwise

import numpy as np

from parcours.journeys.features import Sequence
from parcours.tokens import split_token

_EPS = 1e-3


def readable(token: str) -> str:
    """``order@web`` → ``web order``; ``store_visit@store`` → ``store visit``; no channel → the activity.

    Examples
    --------
    >>> [readable(t) for t in ["order@web", "store_visit@store", "complaint@phone", "search"]]
    ['web order', 'store visit', 'phone complaint', 'search']
    """
    activity, channel = split_token(token)
    words = activity.replace("_", " ")
    if not channel or channel in words.split():
        return words
    return f"{channel} {words}"


def _features(tokens: Sequence) -> set[tuple[str, ...]]:
    return {(t,) for t in tokens} | {(a, b) for a, b in pairwise(tokens) if a != b}


def _support(sequences: Iterable[Sequence], counts: Iterable[int]) -> tuple[Counter, float]:
    support: Counter = Counter()
    total = 0.0
    for tokens, count in zip(sequences, counts, strict=True):
        total += count
        for feature in _features(tokens):
            support[feature] += count
    return support, total


def distinguishing_features(sequences: list[Sequence], counts: np.ndarray, labels: np.ndarray,
                            journey: int, top: int = 3) -> list[tuple[tuple[str, ...], float, float]]:
    """The features that set ``journey`` apart: ``(feature, share inside, share outside)``, best first."""
    mine = labels == journey
    inside, n_in = _support([s for s, m in zip(sequences, mine, strict=True) if m], counts[mine])
    outside, n_out = _support([s for s, m in zip(sequences, mine, strict=True) if not m], counts[~mine])
    scored = []
    for feature, hits in inside.items():
        share_in, share_out = hits / n_in, outside.get(feature, 0) / max(n_out, 1)
        score = share_in * np.log((share_in + _EPS) / (share_out + _EPS))
        scored.append((-score, -len(feature), feature, share_in, share_out))
    scored.sort()
    return [(feature, share_in, share_out) for _, _, feature, share_in, share_out in scored[:top]]


def journey_name(medoid: Sequence, features: list[tuple[str, ...]], parts: int = 2) -> str:
    """Join the best features' tokens in the order they appear in the medoid, as readable words."""
    tokens: list[str] = []
    for feature in features:
        for token in feature:
            if token not in tokens:
                tokens.append(token)
        if len(tokens) >= parts:
            break
    position = {t: i for i, t in reversed(list(enumerate(medoid)))}
    tokens.sort(key=lambda t: position.get(t, len(medoid)))
    return " → ".join(readable(t) for t in tokens)


def unique_names(names: list[str], fallbacks: list[list[str]]) -> list[str]:
    """Make names unique, first come first served: a taken name tries its fallbacks, then ``(2)``.

    Examples
    --------
    >>> unique_names(["a → b", "a → b", "a → b"], [[], ["a → b → c"], ["a → b → c"]])
    ['a → b', 'a → b → c', 'a → b → c (2)']
    """
    result: list[str] = []
    for name, extra in zip(names, fallbacks, strict=True):
        candidate = name
        for more in extra:
            if candidate not in result:
                break
            candidate = more
        suffix = 2
        base = candidate
        while candidate in result:
            candidate, suffix = f"{base} ({suffix})", suffix + 1
        result.append(candidate)
    return result
