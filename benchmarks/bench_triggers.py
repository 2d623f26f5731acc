"""Trigger-rule matching at 1M and 5M events: the parcours matcher in batch and as a stream, beside regex
search over each customer's path (how path-analytics tools find a sequence).

The events are the journey steps bench_mining prepared (cached in data/<size>/steps.parquet: one row per
clean event with its ``activity@channel`` token). The rule set is fixed here: the five single-step rules
the demo publishes and seven multi-step ones (the planted journeys' entries, windows of 3 days), each
capped at one trigger per customer, under a global cap of 2 per 7 days.

- parcours-batch: ``match_events`` (sort, factorise ids, one pass of the incremental matcher).
- parcours-stream: ``Matcher.feed`` called event by event in time order, as a live consumer would.
- regex (the peer): per customer, the tokens joined in time order into one string, then each rule's
  steps searched as an ordered regular expression. It has no windows, gaps, caps or times: it only
  says which customers match at all, so it does less than the matcher.

Events per second = events in the log / wall seconds of the case (loading the Parquet file excluded).
Run: ``python benchmarks/bench_triggers.py [--sizes 1000000 5000000]`` (after bench_mining's data).
"""

from __future__ import annotations

import time
from pathlib import Path

from bench_ingest import DATA, measure_cases, timed

CASES = ("parcours-batch", "parcours-stream", "regex")
SINGLE = ("add_to_cart@web", "delivery_issue@web", "add_to_cart@app", "email_click@email", "address_change@web")
MULTI = (("view_item@web", "add_to_cart@web", "order@web"), ("order@web", "delivery_issue@web", "complaint@phone"),
         ("view_item@app", "add_to_cart@app", "cart_abandon@app"), ("email_open@email", "email_click@email",
                                                                   "order@web"),
         ("address_change@web", "view_item@app", "order@app"), ("social_click@social", "view_item@app", "order@app"),
         ("store_visit@store", "order@store"))
DAY = 86_400.0


def rule_set() -> dict:
    """The benchmark's twelve rules as a rule-set document."""
    patterns = [(p,) for p in SINGLE] + list(MULTI)
    return {"schema_version": 1, "rule_set_version": "bench", "frequency_cap": {"max_triggers": 2, "period_s": 7 * DAY},
            "rules": [{"rule_id": f"r{i}", "journey_id": i, "pattern": [{"token": t} for t in p],
                       "window_s": 3 * DAY if len(p) > 1 else DAY, "delay_s": 0, "cap_per_customer": 1,
                       "action": None, "evidence": {}} for i, p in enumerate(patterns)]}


def prepare(n_events: int) -> Path:
    """The steps of bench_mining (run it first): fails with the command to run when they are missing."""
    path = DATA / f"{n_events}" / "steps.parquet"
    if not path.exists():
        raise SystemExit(f"{path} is missing: run `python bench_mining.py --sizes {n_events}` first")
    return path


def _events(n_events: int):
    import pandas as pd

    steps = pd.read_parquet(prepare(n_events), columns=["customer_id", "ts", "token", "event_seq"])
    return steps.sort_values(["ts", "event_seq"], ignore_index=True).drop(columns="event_seq")


def run_batch(events) -> dict:
    from parcours.triggers import match_events, parse_rule_set

    rules = parse_rule_set(rule_set())
    fired = match_events(rules.rules, events, frequency_cap=rules.frequency_cap)
    return {"triggers": len(fired), "customers": int(fired.customer_id.nunique()),
            "held_back_by_cap": fired.attrs["capped"]}


def run_stream(events) -> dict:
    from parcours.triggers import Matcher, parse_rule_set
    from parcours.triggers.matcher import seconds_since_epoch

    rules = parse_rule_set(rule_set())
    matcher, fired = Matcher(rules.rules, frequency_cap=rules.frequency_cap), []
    for customer, ts, token in zip(events.customer_id.tolist(), seconds_since_epoch(events.ts).tolist(),
                                   events.token.tolist(), strict=True):
        fired.extend(matcher.feed(customer, ts, token))
    return {"triggers": len(fired), "customers": len({t.customer_id for t in fired}),
            "held_back_by_cap": matcher.capped}


def run_regex(events) -> dict:
    import re

    paths = events.groupby("customer_id", sort=False).token.agg(" ".join)
    matched = set()
    for rule in rule_set()["rules"]:
        steps = [re.escape(s["token"]) for s in rule["pattern"]]
        pattern = re.compile(r"(?:^| )" + r"(?: .*?)? ".join(steps) + r"(?= |$)")
        matched |= {(c, rule["rule_id"]) for c, path in paths.items() if pattern.search(path)}
    return {"triggers": len(matched), "customers": len({c for c, _ in matched}), "held_back_by_cap": None}


def _one(case: str, n_events: int) -> None:
    import json

    import parcours.triggers as stage  # its names load on first use: all of them, before measuring

    for name in stage.__all__:
        getattr(stage, name)

    events = _events(n_events)
    run = {"parcours-batch": run_batch, "parcours-stream": run_stream, "regex": run_regex}[case]
    start = time.perf_counter()
    result = timed(run, events)
    result["events_per_s"] = round(len(events) / (time.perf_counter() - start))
    print(json.dumps({"events": len(events), **result}))


if __name__ == "__main__":
    measure_cases(__file__, __doc__, CASES, [1_000_000, 5_000_000], _one)
