"""Numeric features of token sequences, computed once per distinct variant.

Blocks, each scaled to comparable weight and then reduced together by a truncated SVD:

- TF-IDF of token 1..n-grams, with ``^`` and ``$`` marking the start and the end, so what a
  journey starts and ends with counts;
- first-order transitions (Markov): each adjacent pair's share of the sequence's transitions;
- length and duration (log, standardised);
- channel mix: each channel's share of the tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from parcours.tokens import split_token

Sequence = list[str]
BLOCK_WEIGHTS = {"ngrams": 1.0, "transitions": 0.5, "shape": 0.25, "channels": 0.5}


def _split(doc: str) -> list[str]:
    return doc.split(" ")


def _document(tokens: Sequence) -> str:
    return " ".join(["^", *(t.replace(" ", "_") for t in tokens), "$"])


def channel_of(token: str) -> str:
    """``order@web`` → ``web``; a token without a channel → ``""``."""
    return split_token(token)[1]


@dataclass
class SequenceFeatures:
    """Fitted feature builder: ``fit`` on the clustered variants, ``transform`` any sequences.

    Parameters
    ----------
    ngram_max
        Longest n-gram of the TF-IDF block.
    components
        SVD components (capped by the number of features and of variants).
    seed
        Seed of the randomised SVD.
    """

    ngram_max: int = 3
    components: int = 20
    seed: int = 0
    _ngrams: TfidfVectorizer | None = field(default=None, repr=False)
    _transitions: CountVectorizer | None = field(default=None, repr=False)
    _channels: list[str] = field(default_factory=list, repr=False)
    _shape_stats: np.ndarray | None = field(default=None, repr=False)
    _svd: TruncatedSVD | None = field(default=None, repr=False)

    def fit(self, sequences: list[Sequence], durations_s: np.ndarray) -> SequenceFeatures:
        """Learn the vocabularies, the scaling and the SVD from distinct variants."""
        docs = [_document(s) for s in sequences]
        self._ngrams = TfidfVectorizer(tokenizer=_split, token_pattern=None, lowercase=False,
                                       ngram_range=(1, self.ngram_max), sublinear_tf=True).fit(docs)
        self._transitions = CountVectorizer(tokenizer=_split, token_pattern=None, lowercase=False,
                                            ngram_range=(2, 2)).fit(docs)
        self._channels = sorted({channel_of(t) for s in sequences for t in s})
        shape = self._shape(sequences, durations_s)
        self._shape_stats = np.vstack([shape.mean(axis=0), shape.std(axis=0) + 1e-9])
        blocks = self._blocks(sequences, durations_s)
        n_components = max(1, min(self.components, blocks.shape[1] - 1, len(sequences) - 1))
        self._svd = TruncatedSVD(n_components=n_components, random_state=self.seed).fit(blocks)
        return self

    def transform(self, sequences: list[Sequence], durations_s: np.ndarray | None = None) -> np.ndarray:
        """Reduced, L2-normalised features (one row per sequence); unknown durations take the median."""
        if self._svd is None:
            raise RuntimeError("SequenceFeatures.transform called before fit")
        if durations_s is None:
            durations_s = np.full(len(sequences), np.nan)
        return normalize(self._svd.transform(self._blocks(sequences, durations_s)))

    @property
    def explained_variance(self) -> float:
        """Share of the features' variance the SVD keeps."""
        return float(self._svd.explained_variance_ratio_.sum()) if self._svd is not None else 0.0

    def _blocks(self, sequences: list[Sequence], durations_s: np.ndarray) -> sp.csr_matrix:
        docs = [_document(s) for s in sequences]
        ngrams = self._ngrams.transform(docs)
        transitions = normalize(self._transitions.transform(docs).astype(float), norm="l1")
        mean, std = self._shape_stats
        shape = (self._shape(sequences, durations_s) - mean) / std
        blocks = {"ngrams": ngrams, "transitions": transitions, "shape": sp.csr_matrix(shape / np.sqrt(2)),
                  "channels": sp.csr_matrix(self._channel_mix(sequences))}
        return sp.hstack([blocks[k] * w for k, w in BLOCK_WEIGHTS.items()]).tocsr()

    def _shape(self, sequences: list[Sequence], durations_s: np.ndarray) -> np.ndarray:
        hours = np.asarray(durations_s, dtype=float) / 3600
        if self._shape_stats is not None:  # unknown durations: the training mean (log scale), a neutral value
            hours = np.where(np.isnan(hours), np.expm1(self._shape_stats[0, 1]), hours)
        return np.column_stack([np.log1p([len(s) for s in sequences]), np.log1p(np.nan_to_num(hours))])

    def _channel_mix(self, sequences: list[Sequence]) -> np.ndarray:
        index = {c: i for i, c in enumerate(self._channels)}
        mix = np.zeros((len(sequences), len(self._channels)))
        for row, tokens in enumerate(sequences):
            for token in tokens:
                column = index.get(channel_of(token))
                if column is not None:
                    mix[row, column] += 1 / len(tokens)
        return mix
