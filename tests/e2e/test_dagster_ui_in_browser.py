"""The Dagster UI on the demo's instance, in headless Chromium: the `journeys` asset page as a data scientist reads it."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest

from parcours.catalogue import column_descriptions

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def ui_pages(demo_home) -> dict[str, dict]:
    """What the UI shows on the demo's instance: the `journeys` asset's page (its text and the targets of its
    links) and Overview → Timeline (its text)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    from parcours_pipelines.ui import dismiss_the_community_prompt, running_ui

    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `scripts/system-deps test` (Debian: apt-get install chromium)")
    with running_ui(demo_home) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{url}/assets/journeys", wait_until="networkidle")
        dismiss_the_community_prompt(page)
        page.get_by_text("Column name").wait_for(timeout=60_000)
        seen = {"journeys": {"text": page.inner_text("body"),
                             "links": [a.get_attribute("href") for a in page.locator("a").all()]}}
        page.goto(f"{url}/overview/timeline", wait_until="networkidle")
        with contextlib.suppress(PlaywrightTimeout):  # a timeline without the run: its test reports what it shows
            page.get_by_text("parcours_job").first.wait_for(timeout=30_000)
        seen["timeline"] = {"text": page.inner_text("body")}
        browser.close()
    return seen


@pytest.fixture(scope="module")
def journeys_page(ui_pages) -> dict:
    return ui_pages["journeys"]


def test_journeys_page_lists_the_columns_with_their_descriptions(journeys_page) -> None:
    described = column_descriptions("journeys")
    assert "Columns" in journeys_page["text"]
    missing = [name for name, text in described.items() if text not in journeys_page["text"]]
    assert missing == []


def test_journeys_page_shows_the_journeys_as_a_table(journeys_page) -> None:
    assert "Show schema" in journeys_page["text"] and "buys once" in journeys_page["text"]
    assert "nan" not in journeys_page["text"].split()


def test_journeys_page_links_the_report(journeys_page, demo_home) -> None:
    assert (demo_home / "demo" / "output" / "report.html").as_uri() in journeys_page["links"]


def test_timeline_shows_the_demo_run_launched_from_the_command_line(ui_pages) -> None:
    text = ui_pages["timeline"]["text"]
    assert "parcours_job" in text and "No runs" not in text, text[-2000:]
