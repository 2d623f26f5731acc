"""The Dagster UI as a background process on a parcours home, for the browser tests and the screenshots."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from parcours_pipelines.runs import LOCATION

_LOADED = '{"query": "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus } } } }"}'


class DagsterUiError(RuntimeError):
    """The Dagster UI did not start, or did not load the code location in time."""


@contextmanager
def running_ui(home: Path, timeout_s: float = 240.0) -> Iterator[str]:
    """``parcours ui`` on ``home`` at a free port, until the code location has loaded; yields its URL.

    Raises
    ------
    DagsterUiError
        When the code location has not loaded within ``timeout_s`` seconds (the UI's log is in the message).
    """
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = home / "dagster-ui.log"
    command = [str(Path(sys.executable).with_name("parcours")), "ui", "--home", str(home), "--port", str(port)]
    with log.open("w") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        if not _location_loads(url, process, timeout_s):
            raise DagsterUiError(f"the Dagster UI at {url} did not load the code location {LOCATION} within "
                                 f"{timeout_s:.0f} s; its log ({log}) ends:\n{log.read_text()[-3000:]}")
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _location_loads(url: str, process: subprocess.Popen, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        try:
            request = urllib.request.Request(f"{url}/graphql", data=_LOADED.encode(),
                                             headers={"Content-Type": "application/json"})
            entries = json.load(urllib.request.urlopen(request, timeout=5))["data"]["workspaceOrError"]
            if any(e["name"] == LOCATION and e["loadStatus"] == "LOADED" for e in entries["locationEntries"]):
                return True
        except (OSError, KeyError, ValueError):
            pass
        time.sleep(2)
    return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def dismiss_the_community_prompt(page, timeout_ms: int = 10_000) -> None:
    """A new instance's UI opens with a 'Join the Dagster community' dialog over the page: skip it if it comes."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    skip = page.get_by_role("button", name="Skip")
    try:
        skip.wait_for(timeout=timeout_ms)
        skip.click()
    except PlaywrightTimeout:
        pass
