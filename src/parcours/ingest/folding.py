"""Activities a person can read: a log with hundreds of page URLs or product ids folded to a few dozen.

Journeys are read by people, and a path over ``/product/1234?ref=mail``, ``/product/98`` and 600 other
pages is a path nobody can read or act on; it also makes every path distinct, so nothing repeats
enough to be typical. When a log has more distinct activities than ``episodes.max_activities``
(its profile says so), two folds apply, in this order:

1. **URLs** (when most activities look like a URL or a path): the scheme and host, the query
   string and the fragment are dropped, and every path segment that is a number or a long hex id
   becomes ``{id}``: ``https://shop.example/product/1234?ref=mail`` → ``/product/{id}``;
2. **rare activities**: if more than ``max_activities`` remain, the most frequent
   ``max_activities - 1`` (and every purchase or return activity, whatever its rank) are kept and
   the rest become ``other``.

The same fold runs on the engine (:func:`fold_expression`) and in Python (:func:`fold_url`), so
the profile's choice and the tokens agree. An explicit ``episodes.abstraction`` means the user
chose the tokens: nothing is folded then.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

import ibis.expr.types as ir

OTHER = "other"
#: (pattern, replacement) in order; the id rule twice, as a match consumes the "/" after the id.
_URL_RULES = (
    (r"^[A-Za-z][A-Za-z0-9+.-]*://[^/]*", ""),
    (r"[?#].*$", ""),
    (r"/([0-9]+|[0-9A-Fa-f-]{8,})(/|$)", r"/{id}\2"),
    (r"/([0-9]+|[0-9A-Fa-f-]{8,})(/|$)", r"/{id}\2"),
    (r"(.)/$", r"\1"),
)
_URL_LIKE = re.compile(r"^(/|[A-Za-z][A-Za-z0-9+.-]*://)")


def looks_like_url(activity: str) -> bool:
    """``/catalog/shoes`` or ``https://…``, as web analytics name a page view."""
    return bool(_URL_LIKE.match(activity))


def fold_url(activity: str) -> str:
    """The page a URL names, without host, query and ids.

    Examples
    --------
    >>> fold_url("https://shop.example/product/1234/reviews?page=2#top")
    '/product/{id}/reviews'
    >>> fold_url("/user/3f2a9c1e-77aa/orders/"), fold_url("add_to_cart")
    ('/user/{id}/orders', 'add_to_cart')
    """
    if not looks_like_url(activity):
        return activity
    for pattern, replacement in _URL_RULES:
        activity = re.sub(pattern, replacement.replace(r"\2", r"\g<2>").replace(r"\1", r"\g<1>"), activity)
    return activity


def activity_folding(rows: Mapping[str, int], max_activities: int | None, protected: Collection[str] = ()
                     ) -> dict[str, Any]:
    """The fold of a log whose activities have these ``rows``: ``fold_urls``, ``keep`` (``None``: all)
    and the counts ``before`` and ``after``.

    Examples
    --------
    >>> rows = {f"/product/{i}": 10 for i in range(50)} | {"/cart": 30, "/search?q=a": 5, "/search?q=b": 5}
    >>> folding = activity_folding(rows, 40)
    >>> folding["fold_urls"], folding["keep"], folding["before"], folding["after"]
    (True, None, 53, 3)
    """
    before = len(rows)
    if max_activities is None or before <= max_activities:
        return {"fold_urls": False, "keep": None, "before": before, "after": before}
    fold_urls = sum(looks_like_url(a) for a in rows) > before / 2
    folded: dict[str, int] = {}
    for activity, count in rows.items():
        name = fold_url(activity) if fold_urls else activity
        folded[name] = folded.get(name, 0) + int(count)
    keep = None
    if len(folded) > max_activities:
        ranked = sorted(folded, key=lambda a: (-folded[a], a))
        keep = sorted(set(ranked[:max_activities - 1]) | (set(protected) & set(folded)))
    return {"fold_urls": fold_urls, "keep": keep, "before": before,
            "after": len(folded) if keep is None else len(keep) + 1}


def fold_expression(activity: ir.StringValue, folding: Mapping[str, Any]) -> ir.StringValue:
    """:func:`activity_folding`'s fold applied to an activity column on the engine."""
    if folding.get("fold_urls"):
        url = activity
        for pattern, replacement in _URL_RULES:
            url = url.re_replace(pattern, replacement)
        activity = activity.re_search(_URL_LIKE.pattern).ifelse(url, activity)
    keep = folding.get("keep")
    if keep is not None:
        activity = activity.isin(list(keep)).ifelse(activity, OTHER)
    return activity
