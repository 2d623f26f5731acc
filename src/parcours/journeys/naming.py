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
from parcours.tokens import split_token, token_activity

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
    return read_steps(tokens)


def read_steps(tokens: Sequence) -> str:
    """Steps as words; steps all on one channel say it once.

    Examples
    --------
    >>> read_steps(["catalog@mobile", "product_view@mobile"]), read_steps(["order@web", "visit@store"])
    ('mobile: catalog → product view', 'web order → store visit')
    """
    channels = {split_token(t)[1] for t in tokens}
    if len(tokens) > 1 and len(channels) == 1 and "" not in channels:
        return f"{channels.pop()}: " + " → ".join(split_token(t)[0].replace("_", " ") for t in tokens)
    return " → ".join(readable(t) for t in tokens)


def journey_outcome(sequences: list[Sequence], weights: np.ndarray, purchases: list[str]) -> dict:
    """How a journey ends: ``conversion_share`` (instances with a purchase after their first step: a
    journey that opens with the order it follows up is not a conversion; NaN in a log without
    purchases) and ``stops_at`` (the last step most of its instances end on, with its share)."""
    weights = np.asarray(weights, dtype=float)
    total = weights.sum()
    if not len(sequences) or total == 0:
        return {"conversion_share": float("nan"), "stops_at": ""}
    bought = np.array([any(token_activity(t) in purchases for t in s[1:]) for s in sequences], dtype=float)
    last: Counter = Counter()
    for tokens, weight in zip(sequences, weights, strict=True):
        last[tokens[-1]] += weight
    step, share = last.most_common(1)[0]
    return {"conversion_share": float(bought @ weights / total) if purchases else float("nan"),
            "stops_at": f"{readable(step)} ({share / total:.0%})"}


def with_outcome(name: str, outcome: dict, purchases: list[str]) -> str:
    """The name, told how the journey ends: ``…, buys`` when most of it converts (unless the name
    already says a purchase), ``…, leaves`` when most does not; unchanged in a log without purchases.

    Examples
    --------
    >>> with_outcome("web cart", {"conversion_share": 0.8}, ["order"])
    'web cart, buys'
    >>> with_outcome("web cart → web order", {"conversion_share": 0.8}, ["order"])
    'web cart → web order'
    >>> with_outcome("catalog", {"conversion_share": 0.02}, ["payment_done"])
    'catalog, leaves'
    """
    share = outcome.get("conversion_share", float("nan"))
    if not purchases or share != share:
        return name
    if share >= 0.5:
        said = any(readable(f"{p}").lower() in name.lower() for p in purchases)
        return name if said else f"{name}, buys"
    return f"{name}, leaves"


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
