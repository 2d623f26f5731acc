"""The marketer's report opened in headless Chromium (Debian's): it renders, offline, without a JavaScript error."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: The page's sections and tables wider than the screen, or that scroll sideways inside it.
WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll('main section, main table')]
    .filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > window.innerWidth + 1)
    .map(e => e.id || e.className || e.tagName)"""
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def opened_report(demo_home, tmp_path_factory) -> dict:
    """The demo's report.html in Chromium with every network request refused: errors, requests, screenshot, text."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `scripts/system-deps test` (Debian: apt-get install chromium)")
    report = demo_home / "demo" / "output" / "report.html"
    seen: dict = {"errors": [], "remote": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        page.on("pageerror", lambda error: seen["errors"].append(str(error)))
        page.on("console", lambda message: seen["errors"].append(message.text) if message.type == "error" else None)
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                   else (seen["remote"].append(route.request.url), route.abort()))
        page.goto(report.as_uri(), wait_until="load")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        seen["png"] = page.screenshot(full_page=False)
        seen["ranking_text"] = page.inner_text("#ranking")
        seen["plots"] = page.locator(".js-plotly-plot").count()
        seen["cards"] = page.locator("section.card").count()
        seen["withheld"] = page.locator("section.card p.withheld").count()
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.goto(report.as_uri(), wait_until="load")
        phone.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        seen["too_wide_on_a_phone"] = phone.evaluate(WIDER_THAN_THE_SCREEN)
        browser.close()
    (tmp_path_factory.mktemp("screenshot") / "report.png").write_bytes(seen["png"])
    return seen


def test_the_report_runs_without_a_javascript_error(opened_report) -> None:
    assert opened_report["errors"] == []


def test_the_report_asks_nothing_from_the_network(opened_report) -> None:
    assert opened_report["remote"] == []


def test_the_screenshot_is_not_blank(opened_report) -> None:
    pixels = np.asarray(Image.open(io.BytesIO(opened_report["png"])).convert("L"), dtype=float)
    background = np.bincount(pixels.astype(int).ravel()).argmax()
    assert pixels.std() > 20 and (pixels != background).mean() > 0.10


def test_the_first_screen_shows_the_ranked_journeys(opened_report, demo_home) -> None:
    ranking = pd.read_csv(demo_home / "demo" / "output" / "journey_ranking.csv")
    measured = ranking[ranking.status != "not measured"]
    text = opened_report["ranking_text"]
    assert "Ranked journeys" in text
    assert all(name in text for name in measured.name)
    if measured.empty:
        assert "No journey's effect could be measured on this log." in text


def test_every_figure_and_card_is_drawn(opened_report, demo_home) -> None:
    ranking = pd.read_csv(demo_home / "demo" / "output" / "journey_ranking.csv")
    cards = min(30, len(ranking))
    assert opened_report["cards"] == cards
    # value at stake, landscape, and the step flow of each card with a path over the privacy floor
    assert opened_report["plots"] >= 2 + cards - opened_report["withheld"]
    assert opened_report["withheld"] < cards


def test_nothing_scrolls_sideways_on_a_phone(opened_report) -> None:
    assert opened_report["too_wide_on_a_phone"] == []
