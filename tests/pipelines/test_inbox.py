import os
import time

import pytest

from parcours_pipelines.inbox import InboxError, arrivals, listing_key, scan_inbox

PATTERNS = ["*.csv", "*.parquet"]


def _file(folder, name: str, age_s: float = 3600.0, text: str = "customer_id,ts\n"):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    stamp = time.time() - age_s
    os.utime(path, (stamp, stamp))
    return path


def test_settled_event_files_are_listed_with_size_and_mtime(tmp_path) -> None:
    _file(tmp_path, "a.csv")
    _file(tmp_path, "2026/11/b.parquet")
    assert sorted(scan_inbox(tmp_path, PATTERNS)) == ["2026/11/b.parquet", "a.csv"]


def test_a_file_still_being_written_waits_for_the_next_look(tmp_path) -> None:
    _file(tmp_path, "copying.csv", age_s=5)
    assert scan_inbox(tmp_path, PATTERNS, settle_seconds=60) == {}


def test_other_files_and_hidden_ones_are_ignored(tmp_path) -> None:
    _file(tmp_path, "notes.txt")
    _file(tmp_path, ".partial.csv")
    assert scan_inbox(tmp_path, PATTERNS) == {}


def test_a_new_or_changed_file_is_an_arrival_and_an_unchanged_one_is_not(tmp_path) -> None:
    import json

    _file(tmp_path, "a.csv")
    first = scan_inbox(tmp_path, PATTERNS)
    assert arrivals(first, None) == ["a.csv"] and arrivals(first, json.dumps(first)) == []
    _file(tmp_path, "a.csv", text="customer_id,ts\nc1,2026-01-01\n")
    _file(tmp_path, "b.csv")
    second = scan_inbox(tmp_path, PATTERNS)
    assert arrivals(second, json.dumps(first)) == ["a.csv", "b.csv"]
    assert listing_key(second) != listing_key(first) and listing_key(second) == listing_key(dict(second))


def test_a_missing_inbox_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(InboxError, match="schedule.inbox is not a folder"):
        scan_inbox(tmp_path / "nowhere", PATTERNS)
