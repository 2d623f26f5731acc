import numpy as np
import pandas as pd

from parcours.triggers import Matcher, match_events, parse_rules
from tests.lib.triggers.conftest import HOUR, rule_document


def _events(rows: list[tuple[str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "ts", "token"])


def test_an_ordered_pattern_fires_with_other_events_between(one_rule) -> None:
    events = _events([("a", 0, "view_item@web"), ("a", 1 * HOUR, "search@web"), ("a", 2 * HOUR, "add_to_cart@web"),
                      ("b", 2 * HOUR, "order@web"), ("a", 3 * HOUR, "order@web")])
    fired = match_events(parse_rules(one_rule), events)
    assert fired[["customer_id", "rule_id", "matched_at", "fire_at", "action_id"]].values.tolist() == [
        ["a", "web-cart", 3 * HOUR, 4 * HOUR, "store_invite"]]


def test_steps_out_of_order_do_not_fire(one_rule) -> None:
    events = _events([("a", 0, "add_to_cart@web"), ("a", HOUR, "view_item@web"), ("a", 2 * HOUR, "order@web")])
    assert match_events(parse_rules(one_rule), events).empty


def test_a_gap_too_long_breaks_the_match_and_a_fresh_start_repairs_it(one_rule) -> None:
    events = _events([("a", 0, "view_item@web"), ("a", 7 * HOUR, "add_to_cart@web"),  # gap 7h > 6h
                      ("a", 8 * HOUR, "view_item@web"), ("a", 9 * HOUR, "add_to_cart@web"),
                      ("a", 10 * HOUR, "order@web")])
    assert match_events(parse_rules(one_rule), events).matched_at.tolist() == [10 * HOUR]


def test_the_whole_pattern_must_fit_the_window() -> None:
    rules = parse_rules(rule_document(window_s=4 * HOUR))
    events = _events([("a", 0, "view_item@web"), ("a", 3 * HOUR, "add_to_cart@web"), ("a", 5 * HOUR, "order@web")])
    assert match_events(rules, events).empty


def test_the_latest_start_is_kept_so_a_later_view_rescues_the_window() -> None:
    rules = parse_rules(rule_document(window_s=4 * HOUR))
    events = _events([("a", 0, "view_item@web"), ("a", 2 * HOUR, "view_item@web"),
                      ("a", 3 * HOUR, "add_to_cart@web"), ("a", 5 * HOUR, "order@web")])
    assert match_events(rules, events).matched_at.tolist() == [5 * HOUR]


def test_the_cap_limits_triggers_per_customer() -> None:
    rules = parse_rules(rule_document(cap_per_customer=2))
    one_match = [("view_item@web", 0), ("add_to_cart@web", HOUR), ("order@web", 2 * HOUR)]
    events = _events([("a", day * 86_400 + t, token) for day in range(3) for token, t in one_match])
    assert len(match_events(rules, events)) == 2


def test_one_event_completes_a_match_and_starts_no_other() -> None:
    rules = parse_rules(rule_document(pattern=[{"token": "view_item@app"}, {"token": "view_item@app"}],
                                      cap_per_customer=10))
    events = _events([("a", t * HOUR, "view_item@app") for t in range(4)])
    assert match_events(rules, events).matched_at.tolist() == [1 * HOUR, 3 * HOUR]


def test_conditions_read_the_customers_attributes() -> None:
    rules = parse_rules(rule_document(conditions=[{"attribute": "tier", "op": "in", "values": ["high"]}]))
    match = [("view_item@web", 0), ("add_to_cart@web", HOUR), ("order@web", 2 * HOUR)]
    events = _events([(c, t, token) for c in ("rich", "poor", "unknown") for token, t in match])
    fired = match_events(rules, events, {"rich": {"tier": "high"}, "poor": {"tier": "low"}})
    assert fired.customer_id.tolist() == ["rich"]


def test_batch_and_stream_give_identical_triggers() -> None:
    rng = np.random.default_rng(0)
    tokens = ["view_item@web", "add_to_cart@web", "order@web", "search@web", "view_item@app"]
    document = rule_document(cap_per_customer=3)
    document["rules"] += [  # a shorter window, a single step, and a rule sharing tokens at other positions
        {**document["rules"][0], "rule_id": "short", "window_s": 3 * HOUR},
        {**document["rules"][0], "rule_id": "single", "pattern": [{"token": "view_item@app"}], "cap_per_customer": 2},
        {**document["rules"][0], "rule_id": "app-web", "window_s": None,
         "pattern": [{"token": "view_item@app"}, {"token": "view_item@web"}, {"token": "order@web"}]}]
    rules = parse_rules(document)
    events = _events([(f"c{rng.integers(50)}", float(rng.uniform(0, 30 * 86_400)), str(rng.choice(tokens)))
                      for _ in range(5_000)])
    batch = match_events(rules, events.sample(frac=1, random_state=1))  # any input order: time decides
    matcher = Matcher(rules)
    stream = [t.__dict__ for row in events.sort_values("ts").itertuples()
              for t in matcher.feed(row.customer_id, row.ts, row.token)]
    assert set(batch.rule_id) == {"web-cart", "short", "single", "app-web"}
    assert len(batch) > 10 and batch.to_dict("records") == stream


def test_timestamps_are_read_as_seconds(one_rule) -> None:
    start = pd.Timestamp("2025-01-01", tz="UTC")
    events = _events([("a", 0, "view_item@web"), ("a", HOUR, "add_to_cart@web"), ("a", 2 * HOUR, "order@web")])
    events["ts"] = start + pd.to_timedelta(events.ts, unit="s")
    assert match_events(parse_rules(one_rule), events).matched_at.tolist() == [start.timestamp() + 2 * HOUR]


def test_a_trigger_reports_when_its_pattern_started(one_rule) -> None:
    events = _events([("a", 0, "view_item@web"), ("a", HOUR, "view_item@web"), ("a", 2 * HOUR, "add_to_cart@web"),
                      ("a", 3 * HOUR, "order@web")])
    assert match_events(parse_rules(one_rule), events).started_at.tolist() == [HOUR]


def test_the_global_frequency_cap_spans_rules_and_counts_what_it_holds_back() -> None:
    document = rule_document(pattern=[{"token": "order@web"}], cap_per_customer=10)
    document["rules"].append({**document["rules"][0], "rule_id": "other"})
    events = _events([("a", h * HOUR, "order@web") for h in (0, 1, 30)])
    fired = match_events(parse_rules(document), events, frequency_cap=(2, 24 * HOUR))
    assert fired.matched_at.tolist() == [0, 0, 30 * HOUR, 30 * HOUR] and fired.attrs["capped"] == 2


def _random_rule_set(rng: np.random.Generator, tokens: list[str]) -> tuple[dict, tuple[int, float] | None]:
    rules = []
    for i in range(int(rng.integers(1, 6))):
        steps = [{"token": str(t)} for t in rng.choice(tokens, int(rng.integers(1, 4)))]
        for step in steps[1:]:
            if rng.random() < 0.5:
                step["max_gap_s"] = float(rng.uniform(1, 10)) * HOUR
        rules.append({"rule_id": f"r{i}", "journey_id": i, "pattern": steps,
                      "window_s": None if rng.random() < 0.3 else float(rng.uniform(2, 48)) * HOUR,
                      "delay_s": float(rng.choice([0.0, HOUR, 30 * HOUR])), "cap_per_customer": int(rng.integers(1, 4)),
                      "conditions": [{"attribute": "tier", "op": str(rng.choice(["in", "not_in"])), "values": ["gold"]}]
                      if rng.random() < 0.3 else [],
                      "action": None, "evidence": {}})
    cap = (int(rng.integers(1, 4)), float(rng.uniform(1, 72)) * HOUR) if rng.random() < 0.5 else None
    return {"schema_version": 1, "rule_set_version": "random", "rules": rules}, cap


def test_batch_and_stream_agree_on_random_rule_sets_caps_and_conditions() -> None:
    rng = np.random.default_rng(7)
    tokens = ["a@w", "b@w", "c@w", "d@w"]
    attributes = {f"c{i}": {"tier": "gold" if i % 3 == 0 else "silver"} for i in range(12)}
    for _ in range(40):
        document, cap = _random_rule_set(rng, tokens)
        rules = parse_rules(document)
        events = _events([(f"c{rng.integers(12)}", float(rng.integers(0, 200)) * HOUR / 2, str(rng.choice(tokens)))
                          for _ in range(400)])
        batch = match_events(rules, events, attributes, frequency_cap=cap)
        matcher = Matcher(rules, attributes, frequency_cap=cap)
        ordered = events.sort_values("ts", kind="stable")
        stream = [t.__dict__ for row in ordered.itertuples() for t in matcher.feed(row.customer_id, row.ts, row.token)]
        assert batch.to_dict("records") == stream, document
        assert batch.attrs["capped"] == matcher.capped
