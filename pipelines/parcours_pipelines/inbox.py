"""The inbox a nightly deployment watches: which event files arrived or changed since the last look.

Pure functions over a folder listing, so the Dagster sensor stays thin and the rules are tested
without Dagster: a file counts once it has not changed for ``settle_seconds`` (a file still being
copied in is left for the next look), and the cursor remembers each file's size and modification time.
"""

from __future__ import annotations

import hashlib
import json
import time
from fnmatch import fnmatch
from pathlib import Path


class InboxError(ValueError):
    """The configured inbox is not a folder."""


def scan_inbox(folder: str | Path, patterns: list[str], settle_seconds: float = 60.0,
               now: float | None = None) -> dict[str, list[float]]:
    """The settled event files of ``folder``: name → ``[size, mtime]``.

    Raises
    ------
    InboxError
        When ``folder`` does not exist or is not a folder.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InboxError(f"{root}: schedule.inbox is not a folder (create it, or set schedule.inbox to one)")
    now = time.time() if now is None else now
    found = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.startswith(".") or not any(fnmatch(path.name, p) for p in patterns):
            continue
        stat = path.stat()
        if now - stat.st_mtime >= settle_seconds:
            found[str(path.relative_to(root))] = [stat.st_size, stat.st_mtime]
    return found


def arrivals(current: dict[str, list[float]], cursor: str | None) -> list[str]:
    """Files new or changed since the listing stored in ``cursor`` (a JSON listing, or None on a first look)."""
    seen = json.loads(cursor) if cursor else {}
    return [name for name, stamp in current.items() if seen.get(name) != stamp]


def listing_key(current: dict[str, list[float]]) -> str:
    """A short stable key of a listing: the run key, so one set of files starts one run."""
    return hashlib.sha256(json.dumps(current, sort_keys=True).encode()).hexdigest()[:16]
