"""The course in a real browser: a lesson run in JupyterLab, the patients' pages in Voila, and
axe-core on the Voila page. Screenshots of each test land in test-artifacts/."""
from __future__ import annotations

import json
import time
import urllib.request

from pathlib import Path

import pytest

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"    # see conftest.py

pytestmark = pytest.mark.browser

IDLE = """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session
            && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle'; }"""


def wait_idle(page, seconds: float):
    end, calm = time.time() + seconds, 0
    while time.time() < end:
        calm = calm + 1 if page.evaluate(IDLE) else 0
        if calm >= 4:
            return
        time.sleep(0.5)
    raise AssertionError("the kernel did not become idle")


def close_sessions(base: str, token: str):
    """JupyterLab reuses a notebook's running kernel: start each test from a clean state."""
    with urllib.request.urlopen(f"{base}/api/sessions?token={token}") as r:
        sessions = json.load(r)
    for s in sessions:
        req = urllib.request.Request(f"{base}/api/sessions/{s['id']}?token={token}",
                                     method="DELETE")
        urllib.request.urlopen(req).close()


def test_a_lesson_runs_in_jupyterlab_and_a_slider_moves_the_figure(lab, page):
    base, token = lab
    close_sessions(base, token)
    page.goto(f"{base}/lab/tree/lessons/04_the_trial.ipynb?token={token}")
    page.wait_for_selector(".jp-Notebook", timeout=90_000)
    wait_idle(page, 90)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    time.sleep(2)
    wait_idle(page, 240)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                          ", .jp-RenderedText[data-mime-type='application/vnd.jupyter.error']")
    assert errors.count() == 0
    plot = page.locator(".js-plotly-plot").first
    plot.wait_for(timeout=60_000)
    plot.scroll_into_view_if_needed()
    # the element appears before plotly.js has drawn into it (slow on a busy machine)
    page.wait_for_function("() => { const p = document.querySelector('.js-plotly-plot');"
                           " return p && p.data && p.data.length > 0 && p.data[0].y }",
                           timeout=60_000)
    before = page.evaluate("() => JSON.stringify(document.querySelector('.js-plotly-plot')"
                           ".data[0].y)")
    handle = page.locator(".widget-slider .noUi-handle").first      # Response to baclofen
    handle.focus()
    for _ in range(5):
        handle.press("ArrowLeft")
    deadline = time.time() + 30
    after = before
    while time.time() < deadline and after == before:
        time.sleep(0.5)
        after = page.evaluate("() => JSON.stringify(document.querySelector('.js-plotly-plot')"
                              ".data[0].y)")
    assert after != before, "moving the slider did not change the figure"


def test_patient_pages_in_voila_hide_code_and_answer(voila_app, page):
    page.goto(voila_app)
    page.wait_for_selector("text=My refill calendar", timeout=120_000)
    page.wait_for_selector("text=Next refill", timeout=60_000)
    assert page.locator(".jp-InputArea-editor, .CodeMirror, .cm-editor").count() == 0
    assert "import" not in page.inner_text("body")
    # the refill calendar: 20 mL at 0.25 mL/day from 3 Dec 2026. Not sure of the pump: the
    # earliest date of the three kinds (the valve pump's 3 mL point on Tuesday 9 February,
    # planned a week before it)
    rate = page.get_by_label("Pump rate")
    rate.fill("0.25 mL/day")
    rate.press("Enter")
    page.wait_for_selector("text=Tuesday 02 February 2027", timeout=30_000)
    page.wait_for_selector("text=earliest dates of the three kinds", timeout=30_000)
    # a programmable pump: alarm after 72 days (Saturday 13 February); the refill is
    # planned a week before it, on a weekday
    page.get_by_label("Pump type").select_option(label="set with a programmer")
    page.wait_for_selector("text=Friday 05 February 2027", timeout=30_000)
    page.wait_for_selector("text=Saturday 13 February 2027", timeout=30_000)
    # a pump with no battery has no alarm: the low date instead, and what sets the date
    page.get_by_label("Pump type").select_option(label="no battery (Codman)")
    page.wait_for_selector("text=Your pump has no low-medicine alarm", timeout=30_000)
    readout = page.locator(".widget-html-content", has_text="Next refill: on or before").last
    assert "alarm would sound" not in readout.inner_text()
    assert "What sets this date" in readout.inner_text()
    # the alarm chooser: a two-tone alarm is an emergency if the team cannot be reached
    page.get_by_label("A two-tone sound, about three seconds long").check()
    page.wait_for_selector("text=Call your doctor straight away", timeout=30_000)
    page.wait_for_selector("[role=alert] >> text=go to the emergency department now",
                           timeout=30_000)
    # the warning-signs sorter: fever is an infection or (baclofen) withdrawal, both right
    page.get_by_label("Fever").select_option(label="the wound or an infection")
    page.wait_for_selector("text=can be a sign of the wound", timeout=30_000)
    page.get_by_label("Fever").select_option(label="too little medicine")
    page.wait_for_selector("text=Both answers are right", timeout=30_000)
    page.get_by_label("Slow or shallow breathing").select_option(label="too much medicine")
    page.wait_for_selector("text=⚠ EMERGENCY: Call an ambulance", timeout=30_000)
    # the emergency card stands out in words, and travel advice follows the pump kind
    assert page.locator("text=⚠ EMERGENCY: go now").count() == 1
    page.get_by_label("My pump is").select_option(label="a valve pump (Prometra)")
    page.wait_for_selector("text=pressure chamber (hyperbaric oxygen)", timeout=30_000)


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core not installed: npm install in "
                    "tests/browser (.ci/run does it)")
def test_patient_pages_have_no_serious_accessibility_violations(voila_app, page):
    page.goto(voila_app)
    page.wait_for_selector("text=Next refill", timeout=120_000)
    page.wait_for_selector("text=sorted correctly", timeout=60_000)    # the last widget
    page.wait_for_selector("audio", timeout=60_000)
    time.sleep(1)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == [], bad
