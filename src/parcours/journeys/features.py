"""Numeric features of token sequences, computed once per distinct variant.

A scikit-learn :class:`~sklearn.pipeline.Pipeline` (:func:`journey_features`) on a frame of variants
(:func:`variant_frame`: their ``tokens`` and ``duration_s``): a :class:`~sklearn.compose.ColumnTransformer`
of four blocks, each weighted to a comparable share, then reduced together by a truncated SVD and scaled to
unit length:

- TF-IDF of token 1..n-grams, with ``^`` and ``$`` marking the start and the end, so what a
  journey starts and ends with counts;
- first-order transitions (Markov): each adjacent pair's share of the sequence's transitions;
- length and duration (log, standardised);
- channel mix: each channel's share of the tokens.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, Normalizer
from sklearn.utils.validation import check_is_fitted

from parcours.tokens import split_token

Sequence = list[str]
BLOCK_WEIGHTS = {"ngrams": 1.0, "transitions": 0.5, "shape": 0.25, "channels": 0.5}
TOKENS, DURATION = "tokens", "duration_s"


def _split(doc: str) -> list[str]:
    return doc.split(" ")


def _document(tokens: Sequence) -> str:
    return " ".join(["^", *(t.replace(" ", "_") for t in tokens), "$"])


def _documents(column: pd.Series) -> list[str]:
    return [_document(tokens) for tokens in column]


def channel_of(token: str) -> str:
    """``order@web`` → ``web``; a token without a channel → ``""``."""
    return split_token(token)[1]


def variant_frame(sequences: Iterable[Sequence], durations_s: Iterable[float] | None = None) -> pd.DataFrame:
    """The features' input: one row per sequence, its ``tokens`` and ``duration_s`` (NaN: unknown)."""
    tokens = [list(s) for s in sequences]
    durations = np.full(len(tokens), np.nan) if durations_s is None else np.asarray(durations_s, dtype=float)
    return pd.DataFrame({TOKENS: pd.Series(tokens, dtype=object), DURATION: durations})


def journey_features(ngram_max: int = 3, components: int = 20, seed: int = 0) -> Pipeline:
    """The feature pipeline: ``fit`` on the clustered variants' :func:`variant_frame`, ``transform`` any.

    Parameters
    ----------
    ngram_max
        Longest n-gram of the TF-IDF block.
    components
        SVD components (capped by the number of features and of variants).
    seed
        Seed of the randomised SVD.

    Returns
    -------
    Pipeline
        ``blocks`` (the weighted column transformer), ``svd`` (:class:`CappedSVD`), ``unit`` (L2 norm).
        Rows of its output are unit vectors.
    """
    documents = FunctionTransformer(_documents)
    ngrams = make_pipeline(documents, TfidfVectorizer(tokenizer=_split, token_pattern=None, lowercase=False,
                                                      ngram_range=(1, ngram_max), sublinear_tf=True))
    transitions = make_pipeline(documents, CountVectorizer(tokenizer=_split, token_pattern=None, lowercase=False,
                                                           ngram_range=(2, 2)), Normalizer(norm="l1"))
    blocks = ColumnTransformer([("ngrams", ngrams, TOKENS), ("transitions", transitions, TOKENS),
                                ("shape", SequenceShape(), [TOKENS, DURATION]), ("channels", ChannelMix(), TOKENS)],
                               transformer_weights=BLOCK_WEIGHTS, sparse_threshold=1.0)
    return Pipeline([("blocks", blocks), ("svd", CappedSVD(components, seed)), ("unit", Normalizer())])


class SequenceShape(TransformerMixin, BaseEstimator):
    """Length and duration (log), standardised on the fitted variants; an unknown duration is their mean."""

    def fit(self, X: pd.DataFrame, y: None = None) -> SequenceShape:  # noqa: N803 -- scikit-learn's name
        shape = self._shape(X, np.nan)  # unknown durations count as 0 while learning
        self.mean_, self.scale_ = shape.mean(axis=0), shape.std(axis=0) + 1e-9
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:  # noqa: N803
        check_is_fitted(self, "mean_")
        return (self._shape(X, np.expm1(self.mean_[1])) - self.mean_) / self.scale_ / np.sqrt(2)

    @staticmethod
    def _shape(X: pd.DataFrame, unknown_hours: float) -> np.ndarray:  # noqa: N803
        hours = X[DURATION].to_numpy(dtype=float) / 3600
        hours = np.where(np.isnan(hours), unknown_hours, hours)
        return np.column_stack([np.log1p([len(s) for s in X[TOKENS]]), np.log1p(np.nan_to_num(hours))])


class ChannelMix(TransformerMixin, BaseEstimator):
    """Each channel's share of a sequence's tokens, over the channels of the fitted variants."""

    def fit(self, X: pd.Series, y: None = None) -> ChannelMix:  # noqa: N803
        self.channels_ = sorted({channel_of(t) for s in X for t in s})
        return self

    def transform(self, X: pd.Series) -> np.ndarray:  # noqa: N803
        check_is_fitted(self, "channels_")
        index = {c: i for i, c in enumerate(self.channels_)}
        mix = np.zeros((len(X), len(self.channels_)))
        for row, tokens in enumerate(X):
            for token in tokens:
                column = index.get(channel_of(token))
                if column is not None:
                    mix[row, column] += 1 / len(tokens)
        return mix


class CappedSVD(TransformerMixin, BaseEstimator):
    """:class:`~sklearn.decomposition.TruncatedSVD` with ``components`` capped by the features and the rows."""

    def __init__(self, components: int = 20, seed: int = 0) -> None:
        self.components = components
        self.seed = seed

    def fit(self, X, y: None = None) -> CappedSVD:  # noqa: N803
        n_components = max(1, min(self.components, X.shape[1] - 1, X.shape[0] - 1))
        self.svd_ = TruncatedSVD(n_components=n_components, random_state=self.seed).fit(X)
        return self

    def transform(self, X) -> np.ndarray:  # noqa: N803
        check_is_fitted(self, "svd_")
        return self.svd_.transform(X)

    @property
    def explained_variance(self) -> float:
        """Share of the features' variance the SVD keeps."""
        return float(self.svd_.explained_variance_ratio_.sum())
