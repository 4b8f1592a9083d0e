"""The dashboard in Debian's chromium: it loads with nothing fetched off the machine and no
console errors, draws the satellites on a non-blank WebGL canvas, shows the positions the API
serves (checked against skyfield in test_api), recolours the policy map when the slider
crosses a policy change, and explains a point in `leonet policy explain`'s words."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from leonet.cli import main
from tests.browser import chromium

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[3] / "reports" / "screenshots"
# Software WebGL on a loaded 2-core machine: the first layers can take a while to draw.
READY_MS = 60_000


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
        # A canvas that is not blank: its pixels vary (the globe, outlines, satellites).
        variance = page.evaluate("""() => {
            const c = document.querySelector('canvas');
            const g = document.createElement('canvas'); g.width = 200; g.height = 150;
            const x = g.getContext('2d'); x.drawImage(c, 0, 0, 200, 150);
            const d = x.getImageData(0, 0, 200, 150).data; let s = 0, s2 = 0, n = 0;
            for (let i = 0; i < d.length; i += 4) { const v = d[i] + d[i+1] + d[i+2];
                s += v; s2 += v * v; n++; }
            return s2 / n - (s / n) ** 2; }""")
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
