import pandas as pd

from parcours.triggers.fire import screen_events


def test_screening_keeps_usable_events_and_names_what_is_wrong_with_the_others() -> None:
    events = pd.DataFrame({"customer_id": ["a", {"nested": 1}, "c", "", "e"],
                           "ts": ["2025-03-01T10:00:00Z", "2025-03-01T10:00:00Z", "yesterday", "2025-03-01T10:00:00Z",
                                  "2025-03-01T10:00:00Z"],
                           "activity": ["view", "view", "view", "view", "vi\x00ew"]})
    usable, errors = screen_events(events)
    assert usable.customer_id.tolist() == ["a"]
    assert errors.row.tolist() == [1, 2, 3, 4] and errors.customer_id.tolist() == [None, "c", "", "e"]
    assert [e.split(":")[0] for e in errors.error] == ["customer_id", "ts", "customer_id", "activity"]
