"""Path analyses as product-analytics tools draw them: the step matrix, an ordered funnel with its drop-offs and a
comparison of two segments' steps (retentioneering's step matrix, funnel and segment diff).

All three read the variants (distinct token sequences with how many instances follow each, as ``variants.csv``
or ``journey_clusters.parquet`` hold them), weighting each variant by its count: exact for every instance, and
as cheap as the number of distinct sequences, not of events.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from parcours.mining.discovery import END, VARIANT_SEPARATOR


def _steps(variants: pd.DataFrame) -> pd.Series:
    """Each variant's tokens as a list."""
    return variants["variant"].fillna("").map(lambda text: text.split(VARIANT_SEPARATOR) if text else [])


def step_matrix(variants: pd.DataFrame, max_steps: int = 10, top_tokens: int = 15) -> pd.DataFrame:
    """The share of instances at each step that are on each token (``[end]``: the instance has ended).

    Parameters
    ----------
    variants
        ``variant`` (tokens joined by `` → ``) and ``count`` (instances).
    max_steps
        The steps shown, from the first.
    top_tokens
        The tokens shown (the most frequent over those steps); the others are summed as ``other``.

    Returns
    -------
    pandas.DataFrame
        One row per token, one column per step (1 to ``max_steps``); each column sums to 1.

    Examples
    --------
    >>> table = pd.DataFrame({"variant": ["a → b", "a"], "count": [3, 1]})
    >>> step_matrix(table, max_steps=2)  # doctest: +NORMALIZE_WHITESPACE
             1     2
    token
    a      1.0  0.00
    b      0.0  0.75
    [end]  0.0  0.25
    """
    steps = _steps(variants)
    total = float(variants["count"].sum())
    cells = {}
    for tokens, count in zip(steps, variants["count"], strict=True):
        for step in range(1, max_steps + 1):
            token = tokens[step - 1] if step <= len(tokens) else END
            cells[(token, step)] = cells.get((token, step), 0.0) + count
    matrix = pd.Series(cells).unstack(fill_value=0.0).reindex(columns=range(1, max_steps + 1), fill_value=0.0) / total
    tokens = [t for t in matrix.sum(axis=1).sort_values(ascending=False).index if t != END][:top_tokens]
    rest = matrix.drop(index=[*tokens, END], errors="ignore").sum()
    shown = matrix.reindex(tokens)
    if rest.any():
        shown.loc["other"] = rest
    shown.loc[END] = matrix.loc[END] if END in matrix.index else 0.0
    shown.index.name = "token"
    return shown


def funnel(variants: pd.DataFrame, stages: Sequence[str]) -> pd.DataFrame:
    """How many instances reach each stage of an ordered funnel (other steps may come between), and who drops off.

    Returns
    -------
    pandas.DataFrame
        One row per stage: ``stage``, ``instances`` (that reached it, in order), ``share_of_start``,
        ``share_of_previous`` and ``dropped`` (instances that reached the stage before and not this one).

    Examples
    --------
    >>> funnel(pd.DataFrame({"variant": ["a → x → b", "a", "b → a"], "count": [2, 1, 1]}), ["a", "b"])
      stage  instances  share_of_start  share_of_previous  dropped
    0     a          4             1.0                1.0        0
    1     b          2             0.5                0.5        2
    """
    reached = [0] * len(stages)
    for tokens, count in zip(_steps(variants), variants["count"], strict=True):
        depth = 0
        for token in tokens:
            if depth < len(stages) and token == stages[depth]:
                depth += 1
        for stage in range(depth):
            reached[stage] += count
    frame = pd.DataFrame({"stage": list(stages), "instances": reached})
    start = frame.instances.iloc[0] if len(frame) else 0
    previous = frame.instances.shift(1).fillna(start)
    frame["share_of_start"] = frame.instances / start if start else 0.0
    frame["share_of_previous"] = (frame.instances / previous.where(previous > 0)).fillna(0.0)
    frame["dropped"] = (previous - frame.instances).astype(int)
    return frame


def compare_segments(variants: pd.DataFrame, in_segment: pd.Series, top: int = 15) -> pd.DataFrame:
    """Which steps set a segment of instances apart: the share of its instances that take each token, against
    the share of the other instances.

    Parameters
    ----------
    variants
        ``variant`` and ``count``.
    in_segment
        A boolean per variant row: the segment (say, one journey's variants, or the converting ones).
    top
        The tokens kept, by the largest difference either way.

    Returns
    -------
    pandas.DataFrame
        One row per token: ``token``, ``segment`` and ``rest`` (shares of instances taking it at least once),
        ``difference`` (segment − rest), most distinctive first.

    Examples
    --------
    >>> table = pd.DataFrame({"variant": ["a → b", "a", "c"], "count": [1, 1, 2]})
    >>> compare_segments(table, pd.Series([True, True, False]))
      token  segment  rest  difference
    0     a      1.0   0.0         1.0
    1     c      0.0   1.0        -1.0
    2     b      0.5   0.0         0.5
    """
    taken = pd.DataFrame([{"token": t, "row": i} for i, tokens in enumerate(_steps(variants)) for t in set(tokens)])
    if taken.empty:
        return pd.DataFrame(columns=["token", "segment", "rest", "difference"])
    counts = variants["count"].to_numpy()
    flags = in_segment.to_numpy(dtype=bool)
    taken["count"] = counts[taken.row]
    taken["in_segment"] = flags[taken.row]
    sizes = {True: counts[flags].sum(), False: counts[~flags].sum()}
    shares = taken.pivot_table(index="token", columns="in_segment", values="count", aggfunc="sum", fill_value=0)
    shares = shares.reindex(columns=[True, False], fill_value=0)
    frame = pd.DataFrame({"segment": shares[True] / sizes[True] if sizes[True] else 0.0,
                          "rest": shares[False] / sizes[False] if sizes[False] else 0.0})
    frame["difference"] = frame.segment - frame.rest
    order = frame.difference.abs().sort_values(ascending=False, kind="stable").index
    return frame.loc[order].head(top).reset_index().rename(columns={"index": "token"})
