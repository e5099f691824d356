"""Lesson 11's emergency room in Voila, used as a nurse would: no code on the page, a case
chosen, naloxone given, the readout changes; axe-core finds no serious or critical
violations. Screenshots (1366x768 and 390x844) land in test-artifacts/."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from conftest import ARTIFACTS, voila

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = pytest.mark.browser

READOUT = ".itsim-er-readout"


@pytest.fixture(scope="module")
def voila_lesson11():
    yield from voila("11_emergencies")


def _open(browser, url, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    page.wait_for_selector("text=Emergency room", timeout=180_000)
    page.wait_for_selector(READOUT + " >> text=Breathing", timeout=120_000)
    return page


def _breathing(page) -> float:
    text = page.inner_text(READOUT)
    return float(re.search(r"Breathing: ([\d.]+)", text).group(1))


def test_the_emergency_room_runs_in_voila_without_code(voila_lesson11, browser):
    page = _open(browser, voila_lesson11, 1366, 768)
    try:
        assert page.locator(".jp-InputArea-editor, .CodeMirror, .cm-editor").count() == 0
        assert "import " not in page.inner_text("body")
        room = page.locator(".itsim-er")
        room.scroll_into_view_if_needed()
        page.get_by_label("Case").select_option(label="Slow breathing after a refill into the "
                                                      "access port")
        page.wait_for_selector(READOUT + " >> text=Minute 0", timeout=60_000)
        room.get_by_role("button", name="Wait 1 h").click()
        page.wait_for_selector(READOUT + " >> text=Minute 60", timeout=60_000)
        slow = _breathing(page)
        room.get_by_role("button", name="Naloxone 2 mg IV").click()
        page.wait_for_selector(READOUT + " >> text=Naloxone 2 mg IV", timeout=60_000)
        room.get_by_role("button", name="Wait 2 min").click()
        page.wait_for_selector(READOUT + " >> text=Minute 62", timeout=60_000)
        assert _breathing(page) > slow + 2, page.inner_text(READOUT)
        # the whole panel fits one laptop screen, Reset included
        box = room.bounding_box()
        assert box["height"] <= 768 and box["width"] <= 1366, box
        reset = room.locator("button[title='Start the case again']")
        assert reset.is_visible()
        room.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        room.screenshot(path=str(ARTIFACTS / "emergency_room_1366.png"))
        page.screenshot(path=str(ARTIFACTS / "emergency_room_1366_page.png"))
    finally:
        page.close()


def test_the_emergency_room_on_a_phone(voila_lesson11, browser):
    page = _open(browser, voila_lesson11, 390, 844)
    try:
        room = page.locator(".itsim-er")
        room.scroll_into_view_if_needed()
        assert room.bounding_box()["width"] <= 390 + 1
        ARTIFACTS.mkdir(exist_ok=True)
        room.screenshot(path=str(ARTIFACTS / "emergency_room_390.png"))
    finally:
        page.close()


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core not installed: npm install in "
                    "tests/browser (.ci/run does it)")
def test_lesson_11_has_no_serious_accessibility_violations(voila_lesson11, browser):
    page = _open(browser, voila_lesson11, 1366, 768)
    try:
        time.sleep(1)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document)")
        bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert bad == [], bad
    finally:
        page.close()
