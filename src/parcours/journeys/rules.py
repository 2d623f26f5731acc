"""Journeys by rule, not by clustering: paths made only of purchases, and single steps.

**Purchase paths.** A purchase history cut into instances is not a journey to discover.
A customer who buys every few weeks leaves instances such as ``view item → order → view item →
order``. Clustered like other paths, their channel mixes and lengths make dozens of "journeys" that
all say the same thing: this customer buys. A path is a *purchase path* when every step is a
purchase or the step right before one (what led to it); such paths form two journeys of their own,
"buys once" and "buys repeatedly" (``journeys.purchase_paths: group``).

**Single steps.** A path shorter than ``journeys.min_tokens`` (a bounce: one page, then gone) has
no order or mix of steps to summarise, yet it is a behaviour, often the most common one of a web
log: such paths form one journey, "leaves after one step" (``journeys.short_paths: group``).
"""

from __future__ import annotations

from collections.abc import Collection
from itertools import pairwise

from parcours.journeys.features import Sequence
from parcours.tokens import token_activity

ONCE, REPEATEDLY, ONE_STEP = "buys once", "buys repeatedly", "leaves after one step"
PURCHASE_KINDS = (ONCE, REPEATEDLY)


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


def rule_kind(tokens: Sequence, purchases: Collection[str], min_tokens: int, enabled: Collection[str]) -> str | None:
    """The rule journey ``tokens`` belongs to, among the ``enabled`` kinds, or ``None`` (to be clustered).

    Examples
    --------
    >>> kinds = (ONCE, REPEATEDLY, ONE_STEP)
    >>> rule_kind(["order@store"], ["order"], 2, kinds), rule_kind(["home@web"], ["order"], 2, kinds)
    ('buys once', 'leaves after one step')
    >>> rule_kind(["home@web", "cart@web"], ["order"], 2, kinds) is None
    True
    """
    kind = purchase_path_kind(tokens, purchases)
    if kind is None and len(tokens) < min_tokens:
        kind = ONE_STEP
    return kind if kind in enabled else None
