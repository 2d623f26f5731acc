"""A vectorised pre-filter for batch matching: the rule positions an event can matter to.

An event can only be part of a rule's completed match if the rule's last step follows it, for the same
customer, within the rule's window: every partial match alive at the event started no later than it,
and must complete within the window of its start. Partial matches never fire on their own, so
dropping an event from a rule it cannot serve changes no trigger; the stream matcher, which sees
every event, gives the same triggers (the tests check batch against stream).
"""

from __future__ import annotations

import numpy as np

MAX_PLACES = 62  # a token's code and one bit per place of it share an int64


def useful_places(rules: list, places: list[list[tuple] | None], tokens: list[str], customer_codes: np.ndarray,
                  seconds: np.ndarray, token_codes: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, list]:
    """The events of ``order`` that matter to some rule, and per event its list of useful places.

    Parameters
    ----------
    rules
        The matcher's rules.
    places
        Per token code, its places in the rules (``Matcher.places_of``), ``None`` for tokens no rule has.
    tokens
        The token of each code.
    customer_codes, seconds, token_codes
        Per event: customer code, time in seconds, token code.
    order
        The events to consider, in time order.

    Returns
    -------
    tuple
        The events kept (in time order) and, aligned with them, each one's list of places.
    """
    width = max((len(p) for p in places if p), default=0)
    if width + len(places).bit_length() > MAX_PLACES or not len(order):
        return order, [places[t] for t in token_codes[order].tolist()]
    by_customer = order[np.argsort(customer_codes[order], kind="stable")]
    customer, ts, token = customer_codes[by_customer], seconds[by_customer], token_codes[by_customer]
    code_of = {t: i for i, t in enumerate(tokens)}
    reach = {}
    bits = np.zeros(len(by_customer), dtype=np.int64)
    for token_code, token_places in enumerate(places):
        if not token_places:
            continue
        rows = np.flatnonzero(token == token_code)
        for j, (r, *_rest) in enumerate(token_places):
            last = code_of.get(rules[r].pattern[-1].token)
            if last is None:
                continue
            if last not in reach:
                reach[last] = _wait_for(token == last, customer, ts)
            window = np.inf if rules[r].window_s is None else rules[r].window_s
            bits[rows] |= (reach[last][rows] <= window).astype(np.int64) << j
    keys = token.astype(np.int64) * (1 << width) + bits if width else bits
    codes, uniques = _factorize(keys)
    lists = [[p for j, p in enumerate(places[key >> width] or []) if (key >> j) & 1] for key in uniques.tolist()]
    at = np.full(len(seconds), -1, dtype=np.int64)
    at[by_customer] = np.where(bits > 0, codes, -1)
    kept = order[at[order] >= 0]
    return kept, [lists[c] for c in at[kept].tolist()]


def _wait_for(is_last: np.ndarray, customer: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Per event (rows sorted by customer, then time): seconds until the customer's next event flagged
    ``is_last`` (this one included), infinity when there is none."""
    n = len(is_last)
    following = np.where(is_last, np.arange(n), n)
    following = np.minimum.accumulate(following[::-1])[::-1]
    found = following < n
    target = np.where(found, following, 0)
    found &= customer[target] == customer
    return np.where(found, ts[target] - ts, np.inf)


def _factorize(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import pandas as pd

    codes, uniques = pd.factorize(keys)
    return codes, np.asarray(uniques)
