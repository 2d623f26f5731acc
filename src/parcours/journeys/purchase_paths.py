"""Paths made only of purchases: a purchase history cut into instances, not a journey to discover.

A customer who buys every few weeks leaves instances such as ``view item → order → view item →
order``. Clustered like other paths, their channel mixes and lengths make dozens of "journeys" that
all say the same thing: this customer buys. A path is a *purchase path* when every step is a
purchase or the step right before one (what led to it); such paths form two journeys of their own,
"buys once" and "buys repeatedly" (``journeys.purchase_paths: group``).
"""

from __future__ import annotations

from collections.abc import Collection
from itertools import pairwise

from parcours.journeys.features import Sequence
from parcours.tokens import token_activity

ONCE, REPEATEDLY = "buys once", "buys repeatedly"


def purchases_in(tokens: Sequence, purchases: Collection[str]) -> int:
    """How many steps of ``tokens`` are purchases (``purchases`` are activities)."""
    return sum(token_activity(t) in purchases for t in tokens)


def is_purchase_path(tokens: Sequence, purchases: Collection[str]) -> bool:
    """Every step is a purchase or directly followed by one, and the path ends with a purchase.

    Examples
    --------
    >>> buys = {"order"}
    >>> is_purchase_path(["view@web", "order@web", "visit@store", "order@store"], buys)
    True
    >>> is_purchase_path(["view@web", "cart@web", "order@web"], buys), is_purchase_path(["view@web"], buys)
    (False, False)
    """
    if not purchases or not tokens:
        return False
    bought = [token_activity(t) in purchases for t in tokens]
    return bought[-1] and all(b or after for b, after in pairwise(bought))


def purchase_path_kind(tokens: Sequence, purchases: Collection[str]) -> str | None:
    """``"buys once"``, ``"buys repeatedly"`` or ``None`` (not a purchase path)."""
    if not is_purchase_path(tokens, purchases):
        return None
    return ONCE if purchases_in(tokens, purchases) == 1 else REPEATEDLY
