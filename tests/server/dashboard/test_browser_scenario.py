"""The coverage map, the terminals, the timeline and the incidents in Debian's chromium: the
coverage layer draws, jumping across a policy change on the timeline recolours the terminals
whose rule changed (in the palette's colour of the rule `leonet policy explain` names), a
terminal's explanation is the CLI's text, an unknown terminal is a message; nothing is fetched
off the machine and the console stays clean."""

from __future__ import annotations

import io
import shlex
from contextlib import redirect_stdout

import numpy as np
import pytest
from PIL import Image

from leonet.cli import main
from leonet.reporting.palette import palette_for
from tests.browser import chromium
from tests.server.dashboard.test_browser import SCREENSHOTS

pytestmark = pytest.mark.browser
# The scenario's replay (fleet, detection, events) runs on the first request after the first
# frame: seconds alone, minutes on a loaded 2-core machine with software WebGL beside it.
REPLAY_MS = 400_000
READY_MS = 120_000
BEFORE, AFTER = "2024-02-12", "2026-02-03"  # occupied areas denied; whitelist required


def _jump(page, day: str) -> str:
    """Click the timeline's policy mark of ``day``; the terminals' instant once loaded."""
    old = page.evaluate("window.leonet.terminalsInstant")
    page.evaluate("(d) => [...document.querySelectorAll('#marks .mark-policy')].find("
                  "b => b.dataset.time.startsWith(d)).click()", day)
    page.wait_for_function("(old) => window.leonet.terminalsInstant !== old", arg=old,
                           timeout=READY_MS)
    return page.evaluate("window.leonet.terminalsInstant")


def _explain_terminal(page, tid: str) -> None:
    """Type ``tid`` in the terminal box and press Explain (through the DOM: Playwright's
    synthetic input waits on a renderer that software WebGL keeps busy)."""
    page.evaluate("(id) => { document.querySelector('#terminal-id').value = id; "
                  "document.querySelector('#terminal-form').dispatchEvent("
                  "new Event('submit', {cancelable: true})); }", tid)


def _rules(page, instant: str) -> dict[int, int]:
    rows = np.array(page.evaluate(
        "(t) => fetch('api/terminals?time=' + t).then(r => r.arrayBuffer())"
        ".then(b => Array.from(new Float32Array(b)))", instant), dtype=np.float32).reshape(-1, 5)
    return {int(t): int(r) for t, r in zip(rows[:, 2], rows[:, 4], strict=True)}


def _cli(command: str) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(shlex.split(command)[1:]) in (0, None)
    return out.getvalue().strip()


def _grey(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float64)


def test_coverage_terminals_and_timeline(dashboard_url) -> None:
    with chromium() as (page, log):
        page.goto(dashboard_url)
        page.wait_for_function("window.leonet && window.leonet.frames > 5 && "
                               "window.leonet.coverageVersion > 0 && window.leonet.terminalsReady",
                               timeout=REPLAY_MS)
        meta = page.evaluate("fetch('api/meta').then(r => r.json())")
        ids = page.evaluate("fetch('api/terminals/ids').then(r => r.json())")["ids"]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

        # The coverage layer draws: switching it off changes the map's pixels.
        page.evaluate("document.getElementById('show-links').click()")  # a still sky
        on = page.screenshot(path=str(SCREENSHOTS / "dashboard-coverage.png"))
        page.evaluate("document.getElementById('show-coverage').click()")
        # The map redraws within the next animation frames.
        page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        off = page.screenshot()
        page.evaluate("document.getElementById('show-coverage').click()")
        n_cells = page.evaluate("window.leonet.coverageCells")

        # Across a policy change on the timeline, terminals whose rule changed change colour.
        t_before = _jump(page, BEFORE)
        t_after = _jump(page, AFTER)
        page.screenshot(path=str(SCREENSHOTS / "dashboard-terminals.png"))
        before, after = _rules(page, t_before), _rules(page, t_after)
        names = [r["name"] for r in meta["rules"]]
        changed = [t for t in after if t in before and before[t] != after[t]
                   and names[after[t]] not in ("default", "suspended")]
        tid = ids[changed[0]]
        colour_after = page.evaluate("(id) => window.leonet.terminalColour(id)", tid)
        explained = page.evaluate(
            "([id, t]) => fetch(`api/terminals/${id}/explain?time=${t}`).then(r => r.json())",
            [tid, t_after])
        _jump(page, BEFORE)
        colour_before = page.evaluate("(id) => window.leonet.terminalColour(id)", tid)

        # The terminal's explanation in the page, and an unknown terminal as a message.
        _jump(page, AFTER)
        _explain_terminal(page, tid)
        page.wait_for_function("(id) => document.querySelector('#explain').textContent"
                               ".includes(id)", arg=tid, timeout=READY_MS)
        shown = page.inner_text("#explain")
        page.screenshot(path=str(SCREENSHOTS / "dashboard-terminal-explain.png"))
        # Chromium logs the refused request itself as a console error; nothing else may.
        errors = [*log.console_errors, *log.page_errors]
        _explain_terminal(page, "nobody-00001")
        page.wait_for_selector("#message:not([hidden])", timeout=READY_MS)
        message = page.inner_text("#message")
        n_marks = page.evaluate("document.querySelectorAll('#marks .mark').length")
        n_events = len(page.evaluate("fetch('api/events').then(r => r.json())"))
    assert n_cells == 355  # Ukraine at res 4, the scenario's coverage region
    assert np.abs(_grey(on) - _grey(off)).max() > 30
    palette = palette_for(names)
    hex_of = lambda rgba: "#" + "".join(f"{c:02x}" for c in rgba[:3])  # noqa: E731
    assert hex_of(colour_after) == palette[names[after[changed[0]]]]
    assert hex_of(colour_before) == palette[names[before[changed[0]]]]
    assert colour_before != colour_after
    # The rule the page coloured by is the one `leonet policy explain` gives for the terminal.
    cli = _cli(explained["command"])
    assert f"'{names[after[changed[0]]]}'" in cli
    assert shown.split("\n", 1)[1].strip() == explained["text"].strip()
    assert explained["text"].strip().endswith(cli)
    assert message.startswith("404") and "nobody-00001" in message
    assert n_marks == n_events > 10
    assert log.off_machine() == [] and log.refused == []
    assert errors == [] and log.page_errors == []
    assert all("404" in e for e in log.console_errors)
