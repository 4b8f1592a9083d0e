"""The dashboard's headline numbers (issue 12): server time and bytes of one hour of positions
at 15 s for the ~10.7k-satellite snapshot, first render of the demo scenario, frames per
second in headless Debian chromium (software WebGL: SwiftShader) with the snapshot animated
and links on, and the worst frame with a coverage map on (Ukraine at res 5, all land at res 4)
while the sky runs and the map recolours every 15-s sample.

Ratios against baselines measured in the same run: the endpoint's CPU time against bare
python-sgp4 (`SatrecArray.sgp4`, TEME, no frames) for the same samples; the dashboard's frame
rate against chromium's on an empty page (the display's ceiling on this machine).

The snapshot is animated over the week of its elements (2026-08-21 … 25), in a scenario
written to a temporary folder: far from their epoch the elements of satellites launched later
do not propagate, and the shipped scenarios end in March 2026.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import STARLINK_TLE, machine
from sgp4.api import SatrecArray

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from leonet.commands.dashboard import DEFAULT_SCENARIO, scenario_path
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.timegrid import TimeGrid
from leonet.scenario import load_scenario
from leonet.server.dashboard.view import ScenarioView
from tests.browser import chromium

ROOT = Path(__file__).resolve().parents[1]
LEONET = str(Path(sys.executable).with_name("leonet"))
COUNT_S = 10.0
# The issue's two maps, recoloured with the sky's clock, and all land once a window.
COVERAGE_CASES = [("UA", 5, "in_view"), ("land", 4, "in_view"), ("land", 4, "percent_covered")]
SKY_START = "2026-08-22T00:00:00Z"
SNAPSHOT_WEEK = """\
[scenario]
name = "snapshot-week"
title = "The real snapshot's week"
seed = 1
start = "2026-08-21T00:00:00Z"
end = "2026-08-25T00:00:00Z"
step = "1d"

[constellation]
source = "{source}"

[[policies]]
file = "{root}/scenarios/ukraine-2026.toml"
from = "2026-02-03T00:00:00Z"
event = "Whitelist required, speed cut-off"

[[groups]]
id = "residents"
n = 200
place = {{ cities = ["UA"] }}
mobility = {{ static = 1.0 }}
plan = "residential"
"""
SELECT_SHELL = ("(v) => { const e = document.getElementById('links-shell'); e.value = v; "
                "e.dispatchEvent(new Event('change')); "
                "return new Promise(r => setTimeout(r, 500)); }")
SET_CHECKBOX = ("([id, v]) => { const e = document.getElementById(id); if (e.checked !== v) "
                "{ e.checked = v; e.dispatchEvent(new Event('change')); } }")


def server_side(source: str) -> None:
    scn = load_scenario(scenario_path(DEFAULT_SCENARIO))
    sats = Constellation.load(source)
    view = ScenarioView(scn, sats, source=source)
    view.check_time = lambda t, where="time": t  # the snapshot's week is outside the scenario
    t0_ns = int(np.datetime64(SKY_START.rstrip("Z"), "ns").astype(np.int64))
    c0 = time.process_time()
    r = view.positions(t0_ns, 3600.0)
    ours = time.process_time() - c0
    grid = TimeGrid.range(SKY_START, "1h", "15s")
    arr = SatrecArray(list(sats.satrecs))
    c0 = time.process_time()
    arr.sgp4(grid.jd, grid.fr)
    base = time.process_time() - c0
    print(f"positions 1 h at 15 s, {len(sats):,} satellites: {r.nbytes / 1e6:.1f} MB, "
          f"{ours:.2f} s CPU (target <= 40 MB, <= 1 s); bare sgp4 {base:.2f} s; "
          f"ratio {ours / base:.2f}")


def browser_side(source: str, label: str, shells: list[str]) -> None:
    """First render and frame rates of ``source`` with the links of each of ``shells`` (a
    `links-shell` option value: "" every shell, "near1584" the shell closest to the issue's
    1,584, "off" links off)."""
    proc = subprocess.Popen([LEONET, "dashboard", source, "--port", "0"],
                            stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip().removeprefix("Dashboard: ")
        with chromium() as (page, log):
            page.goto("about:blank")
            base = page.evaluate(_count_frames())
            t0 = time.perf_counter()
            page.goto(url)
            page.wait_for_function("window.leonet && window.leonet.timings.firstSkyFrame "
                                   "&& window.leonet.timings.firstMapFrame", timeout=120_000)
            wall = time.perf_counter() - t0
            steps = page.evaluate("window.leonet.timings")
            first = max(steps["firstSkyFrame"], steps["firstMapFrame"]) / 1000
            n = page.evaluate("window.leonet.satellites")
            print(f"{label}: {n:,} satellites drawn; first render {first:.2f} s after the "
                  f"request (page clock; {wall:.2f} s seen by the driver; target <= 2 s); "
                  f"steps {steps}")
            sizes = page.evaluate("fetch('api/meta').then(r => r.json()).then(m => m.shells)")
            for shell in shells:
                page.evaluate(SET_CHECKBOX, ["show-links", shell != "off"])
                if shell == "near1584":
                    shell = str(int(np.argmin(np.abs(np.array(sizes) - 1584))))
                if shell != "off":
                    page.evaluate(SELECT_SHELL, shell)
                page.evaluate(_count_frames(2.0))
                fps = page.evaluate(_count_frames())
                what = ("links off" if shell == "off" else "links of " + page.evaluate(
                    "document.getElementById('links-shell').selectedOptions[0].textContent"))
                print(f"  {what}: {fps:.1f} frames/s vs empty page {base:.1f} (ratio "
                      f"{fps / base:.2f}; target >= 30)")
            print(f"  requests off the machine: {len(log.off_machine())}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def coverage_frames(cases: list[tuple[str, int, str]]) -> None:
    """Worst frame (longest requestAnimationFrame interval) over `COUNT_S` with the coverage map
    of each ``(region, res, figure)`` on while the sky runs: satellites in view are
    recoloured every 15-s sample of the sky's clock (four times a second), percent covered
    every 10-minute window (every 10 s); baseline: the same page with coverage off."""
    proc = subprocess.Popen([LEONET, "dashboard", DEFAULT_SCENARIO, "--port", "0"],
                            stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip().removeprefix("Dashboard: ")
        with chromium() as (page, log):
            page.goto(url)
            page.wait_for_function("window.leonet && window.leonet.coverageVersion > 0",
                                   timeout=300_000)
            page.evaluate(SET_CHECKBOX, ["show-coverage", False])
            page.evaluate(_count_frames(2.0))
            base = page.evaluate(_worst_frame())
            print(f"coverage off: worst frame {base['worst_ms']:.0f} ms, "
                  f"{base['fps']:.1f} frames/s")
            page.evaluate(SET_CHECKBOX, ["show-coverage", True])
            for region, res, figure in cases:
                page.evaluate(SET_FIGURE, figure)
                t0 = time.perf_counter()
                page.evaluate(SHOW_COVERAGE, [region, str(res)])
                page.wait_for_function("(k) => window.leonet.coverageShown === k",
                                       arg=f"region={region}&res={res}&figure={figure}",
                                       timeout=600_000)
                ready = time.perf_counter() - t0
                n = page.evaluate("window.leonet.coverageCells")
                v0 = page.evaluate("window.leonet.coverageVersion")
                page.evaluate(_count_frames(2.0))
                run = page.evaluate(_worst_frame())
                updates = page.evaluate("window.leonet.coverageVersion") - v0
                print(f"coverage {region} res {res} {figure} ({n:,} cells, first colours after "
                      f"{ready:.1f} s): worst frame {run['worst_ms']:.0f} ms "
                      f"({1000 / run['worst_ms']:.1f} frames/s; target >= 15), "
                      f"{run['fps']:.1f} frames/s, {updates} recolourings in "
                      f"~{COUNT_S + 2:.0f} s; ratio to coverage off "
                      f"{run['worst_ms'] / base['worst_ms']:.2f}")
            print(f"  requests off the machine: {len(log.off_machine())}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


SET_FIGURE = ("(v) => { const e = document.getElementById('coverage-figure'); e.value = v; "
              "e.dispatchEvent(new Event('change')); }")
SHOW_COVERAGE = ("([region, res]) => { document.getElementById('coverage-region').value = "
                 "region; document.getElementById('coverage-res').value = res; "
                 "document.getElementById('coverage-form').dispatchEvent("
                 "new Event('submit', {cancelable: true})); }")


def _worst_frame(seconds: float = COUNT_S) -> str:
    """The longest interval between requestAnimationFrame callbacks over ``seconds``, ms, and
    the mean frame rate."""
    return (f"() => new Promise(done => {{ let n = 0, worst = 0; const t0 = performance.now(); "
            f"let last = t0; const f = (t) => {{ n++; worst = Math.max(worst, t - last); "
            f"last = t; if (t - t0 < {seconds * 1000}) requestAnimationFrame(f); "
            f"else done({{worst_ms: worst, fps: n * 1000 / (t - t0)}}); }}; "
            f"requestAnimationFrame(f); }})")


def _count_frames(seconds: float = COUNT_S) -> str:
    """requestAnimationFrame callbacks per second over ``seconds`` (the issue's measure)."""
    return (f"() => new Promise(done => {{ let n = 0; const t0 = performance.now(); "
            f"const f = (t) => {{ n++; if (t - t0 < {seconds * 1000}) requestAnimationFrame(f); "
            f"else done(n * 1000 / (t - t0)); }}; requestAnimationFrame(f); }})")


def main() -> None:
    print(f"machine: {machine()} (shared with other jobs: loaded)")
    if sys.argv[1:] == ["coverage"]:
        coverage_frames(COVERAGE_CASES)
        return
    source = str(STARLINK_TLE) if STARLINK_TLE.exists() else "starlink-gen2a"
    server_side(source)
    browser_side(DEFAULT_SCENARIO, "demo scenario (starlink-gen1, 4,408 satellites)", [""])
    with tempfile.TemporaryDirectory() as tmp:
        week = Path(tmp) / "snapshot-week.scenario.toml"
        week.write_text(SNAPSHOT_WEEK.format(source=source, root=ROOT), encoding="utf-8")
        browser_side(str(week), Path(source).name, ["1", "near1584", "off"])
    coverage_frames(COVERAGE_CASES)


if __name__ == "__main__":
    main()
