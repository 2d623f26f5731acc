"""The batch matcher compiled (numba): the same state machine as :class:`parcours.triggers.Matcher`, run
customer by customer over arrays.

Matching is per customer (the prefixes, the per-rule caps and the global frequency cap all are), so a
batch sorted by customer, then time, gives each customer's triggers exactly as the stream would; they
are put back in stream order (event time, then the order the stream visits the rule positions). The
tests compare this with :meth:`Matcher.feed` event by event.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def match_sorted(customer, ts, token, place_from, place_to, place_rule, place_position, place_last, place_gap,
                 place_window, delay, cap, allowed, cap_count, cap_period, n_rules, longest, capacity):
    """Match events sorted by customer then time.

    Parameters are arrays: per event ``customer`` (codes), ``ts`` (seconds), ``token`` (codes); per token
    its places ``place_from[t]:place_to[t]`` in the place arrays (rule, position, last position, maximum
    gap, window; later positions first); per rule ``delay`` and ``cap``; ``allowed[customer, rule]`` (the
    conditions; one row when there are none); ``cap_count`` triggers per ``cap_period`` seconds (0: no
    global cap); ``capacity``: at most this many triggers (events times the last steps their tokens are).

    Returns
    -------
    tuple
        Per trigger: event index, place rank within the event's token, rule, start, matched, fire times;
        then the number held back by the global cap.
    """
    n = len(customer)
    out_event = np.empty(capacity, np.int64)
    out_rank = np.empty(capacity, np.int64)
    out_rule = np.empty(capacity, np.int64)
    out_start = np.empty(capacity, np.float64)
    out_matched = np.empty(capacity, np.float64)
    out_fire = np.empty(capacity, np.float64)
    start_of = np.zeros((n_rules, longest), np.float64)
    last_of = np.zeros((n_rules, longest), np.float64)
    alive = np.zeros((n_rules, longest), np.bool_)
    fired = np.zeros(n_rules, np.int64)
    done = np.zeros(n_rules, np.bool_)
    completed_at = np.full(n_rules, -1, np.int64)
    recent = np.zeros(max(cap_count, 1), np.float64)
    n_recent, held_back, found, current = 0, 0, 0, -1
    conditional = allowed.shape[0] > 1
    for i in range(n):
        c = customer[i]
        if c != current:
            alive[:, :] = False
            fired[:] = 0
            done[:] = False
            n_recent, current = 0, c
        t, k = ts[i], token[i]
        for p in range(place_from[k], place_to[k]):
            r, position = place_rule[p], place_position[p]
            if done[r] or completed_at[r] == i:
                continue
            if position == 0:
                start = t
            else:
                q = position - 1
                if not alive[r, q] or t - last_of[r, q] > place_gap[p] or t - start_of[r, q] > place_window[p]:
                    continue
                start = start_of[r, q]
            if position < place_last[p]:
                if (not alive[r, position] or start > start_of[r, position]
                        or (start == start_of[r, position] and t >= last_of[r, position])):
                    start_of[r, position], last_of[r, position], alive[r, position] = start, t, True
                continue
            alive[r, :] = False
            completed_at[r] = i
            if not allowed[c if conditional else 0, r]:
                continue
            fire_at = t + delay[r]
            if cap_count > 0:
                kept = 0
                for j in range(n_recent):
                    if abs(fire_at - recent[j]) < cap_period:
                        recent[kept] = recent[j]
                        kept += 1
                n_recent = kept
                if n_recent >= cap_count:
                    held_back += 1
                    continue
                recent[n_recent] = fire_at
                n_recent += 1
            fired[r] += 1
            if fired[r] >= cap[r]:
                done[r] = True
            out_event[found], out_rank[found], out_rule[found] = i, p - place_from[k], r
            out_start[found], out_matched[found], out_fire[found] = start, t, fire_at
            found += 1
    return (out_event[:found], out_rank[:found], out_rule[:found], out_start[:found], out_matched[:found],
            out_fire[:found], held_back)
