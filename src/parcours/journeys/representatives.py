"""What a journey looks like: its medoid, a few representatives, its top variants, and a name.

Distances are edit distances over tokens (rapidfuzz's Levenshtein on sequences of tokens, each
token one symbol), on the journey's most frequent variants weighted by their counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cdist

from parcours.journeys.features import Sequence


@dataclass(frozen=True)
class Representatives:
    """A journey's medoid, representatives (with the share each covers) and top variants."""

    medoid: Sequence
    representatives: list[Sequence]
    coverage: float
    top: list[Sequence]


def edit_distances(sequences: list[Sequence], others: list[Sequence] | None = None,
                   normalised: bool = False) -> np.ndarray:
    """Edit distance between token sequences (tokens are compared whole).

    Examples
    --------
    >>> edit_distances([["a@web", "b@web"]], [["a@web", "c@app", "b@web"]]).tolist()
    [[1.0]]
    """
    scorer = Levenshtein.normalized_distance if normalised else Levenshtein.distance
    return cdist(sequences, others if others is not None else sequences, scorer=scorer, dtype=np.float64,
                 workers=1)


def journey_representatives(sequences: list[Sequence], counts: np.ndarray, coverage: float = 0.25,
                            top: int = 3, max_representatives: int = 5, medoid: Sequence | None = None
                            ) -> Representatives:
    """Medoid, representative set and top variants of one journey.

    Parameters
    ----------
    sequences
        The journey's variants (at most a few hundred: the most frequent), as token lists.
    counts
        Instances per variant.
    coverage
        The representatives together cover at least this share of the journey's instances: a
        variant is covered by a representative within a tenth of the longest sequence's length
        (TraMineR's ``seqrep`` neighbourhood), representatives picked densest first.
    top
        How many of the most frequent variants to list.
    max_representatives
        Stop after this many even below ``coverage``.
    medoid
        The journey's medoid when it is already chosen (discovery's); else the variant nearest the others.
    """
    counts = np.asarray(counts, dtype=float)
    distances = edit_distances(sequences)
    centre = int(np.argmin(distances @ counts))
    radius = max(1.0, 0.1 * max(len(s) for s in sequences))
    near = distances <= radius
    covered = np.zeros(len(sequences), dtype=bool)
    chosen: list[int] = []
    while covered @ counts < coverage * counts.sum() and len(chosen) < max_representatives:
        gain = near[:, ~covered] @ counts[~covered]
        gain[chosen] = -1
        pick = int(np.argmax(gain))
        chosen.append(pick)
        covered |= near[pick]
    order = np.argsort(-counts, kind="stable")[:top]
    return Representatives(medoid=list(medoid) if medoid is not None else sequences[centre],
                           representatives=[sequences[i] for i in chosen],
                           coverage=float(covered @ counts / counts.sum()), top=[sequences[i] for i in order])
