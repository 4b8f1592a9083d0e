"""The dashboard in Debian's chromium: it loads with nothing fetched off the machine and no
console errors, draws the satellites on a non-blank WebGL canvas, shows the positions the API
serves (checked against skyfield in test_api), recolours the policy map when the slider
crosses a policy change, and explains a point in `leonet policy explain`'s words."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from leonet.cli import main
from tests.browser import chromium

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[3] / "reports" / "screenshots"
# Software WebGL on a loaded 2-core machine: the first layers can take a while to draw.
READY_MS = 60_000


def _record_speed(page) -> None:
    """Write (never assert: timings depend on the machine) the first render's steps and the
    frame rate to reports/screenshots/dashboard-speed.json; benchmarks/bench_dashboard.py
    measures them for BENCHMARKS.md."""
    speed = page.evaluate("""() => new Promise(done => {
        const f0 = window.leonet.frames, t0 = performance.now();
        setTimeout(() => done({timings_ms: window.leonet.timings,
            frames_per_s: (window.leonet.frames - f0) * 1000 / (performance.now() - t0)}), 3000);
    })""")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "dashboard-speed.json").write_text(json.dumps(speed, indent=1),
                                                      encoding="utf-8")
    print(f"dashboard speed: {speed}")


def _explain(page, lat: str, lon: str) -> None:
    page.evaluate("([lat, lon]) => { document.querySelector('#lat').value = lat; "
                  "document.querySelector('#lon').value = lon; "
                  "document.querySelector('#explain-form').dispatchEvent("
                  "new Event('submit', {cancelable: true})); }", [lat, lon])


def test_globe_loads_offline_and_explains_like_the_cli(dashboard_url) -> None:
    with chromium() as (page, log):
        page.goto(dashboard_url)
        page.wait_for_function("window.leonet && window.leonet.satellites > 0 "
                               "&& window.leonet.frames > 5", timeout=READY_MS)
        n_drawn = page.evaluate("window.leonet.satellites")
        _record_speed(page)
        # A picture that is not blank: the globe, outlines and satellites make its pixels vary.
        shot = Image.open(io.BytesIO(page.screenshot())).convert("L")
        variance = float(np.asarray(shot, dtype=np.float64).var())
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "dashboard-globe.png"))

        # Crossing 7 Sep 2023 (Crimea never activated) changes the policy in force.
        # Input goes through the DOM: Playwright's synthetic mouse waits on a renderer that
        # software WebGL keeps busy.
        page.evaluate("[...document.querySelectorAll('#events button')].find("
                      "b => b.textContent.startsWith('2023-09-07')).click()")
        page.wait_for_function("window.leonet.policyVersion === '2023-09-07'",
                               timeout=READY_MS)
        _explain(page, "44.95", "34.1")
        page.wait_for_function("document.querySelector('#explain').textContent.length > 0",
                               timeout=READY_MS)
        shown = page.inner_text("#explain")
        time_shown = page.inner_text("#time-label")
        page.screenshot(path=str(SCREENSHOTS / "dashboard-explain.png"))
        assert page.is_hidden("#message")
    assert n_drawn == 4408
    assert variance > 100
    assert log.off_machine() == [] and log.refused == []
    assert log.console_errors == [] and log.page_errors == []
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["policy", "explain", "--policy", "scenarios/crimea-2023.toml", "--lat",
                     "44.95", "--lon", "34.1", "--time", time_shown]) == 0
    assert shown.strip() == out.getvalue().strip()
    assert "crimea-not-activated" in shown


def test_bad_request_is_shown_as_a_message(dashboard_url) -> None:
    with chromium() as (page, log):
        page.goto(dashboard_url)
        page.wait_for_function("window.leonet && window.leonet.frames > 0", timeout=READY_MS)
        _explain(page, "95", "0")
        page.wait_for_selector("#message:not([hidden])", timeout=READY_MS)
        text = page.inner_text("#message")
    assert text.startswith("422") and "lat_deg" in text
    assert log.off_machine() == []


def test_route_caption_is_the_apis_route(dashboard_url) -> None:
    """Picking Kyiv shows, for the sky's instant, the serving satellite and RTT that
    /api/route gives (itself checked against `leonet route` in test_api), drawn in gold."""
    with chromium() as (page, log):
        page.goto(dashboard_url)
        page.wait_for_function("window.leonet && window.leonet.satellites > 0",
                               timeout=READY_MS)
        page.evaluate("document.querySelector('#route-form').dispatchEvent("
                      "new Event('submit', {cancelable: true}))")
        page.wait_for_function("/RTT|no service/.test(document.querySelector("
                               "'#route-label').textContent)", timeout=READY_MS)
        caption = page.inner_text("#route-label")
        time = caption.split(": ", 1)[0]
        doc = page.evaluate("(t) => fetch(`api/route?place=Kyiv&start=${t}&duration_s=0`)"
                            ".then(r => r.json())", time)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "dashboard-route.png"))
    step = doc["steps"][0]
    assert step["time"] == time
    serving = next(h["name"] for h in step["path"] if h["kind"] == "satellite")
    assert f"served by {serving};" in caption
    assert f"RTT {step['rtt_ms']:.1f} ms" in caption
    assert log.console_errors == [] and log.off_machine() == []
