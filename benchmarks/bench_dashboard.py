"""The dashboard's headline numbers (issue 12): server time and bytes of one hour of positions
at 15 s for the ~10.7k-satellite snapshot, first render of the demo scenario, and frames per
second in headless Debian chromium (software WebGL) with the snapshot animated and links on.

Ratios against baselines measured in the same run: the endpoint's CPU time against bare
python-sgp4 (`SatrecArray.sgp4`, TEME, no frames) for the same samples; the dashboard's frame
rate against chromium's on an empty page (the display's ceiling).
"""

from __future__ import annotations

import subprocess
import sys
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

LEONET = str(Path(sys.executable).with_name("leonet"))
COUNT_S = 10.0
# An instant in the snapshot's own week, inside the scenario's span plus margin.
SKY_START = "2026-03-01T00:00:00Z"


def server_side(source: str) -> None:
    scn = load_scenario(scenario_path(DEFAULT_SCENARIO))
    sats = Constellation.load(source)
    view = ScenarioView(scn, sats, source=source)
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


def browser_side(extra: list[str], label: str) -> None:
    proc = subprocess.Popen([LEONET, "dashboard", "--port", "0", *extra],
                            stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip().removeprefix("Dashboard: ")
        with chromium() as (page, log):
            page.goto("about:blank")
            base = page.evaluate(_count_frames())
            t0 = time.perf_counter()
            page.goto(url)
            page.wait_for_function("window.leonet && window.leonet.satellites > 0",
                                   timeout=120_000)
            first = time.perf_counter() - t0
            n = page.evaluate("window.leonet.satellites")
            fps = page.evaluate(_count_frames())
        print(f"{label}: {n:,} satellites drawn; first render {first:.2f} s (target <= 2 s); "
              f"{fps:.1f} frames/s vs empty page {base:.1f} (ratio {fps / base:.2f}; "
              f"target >= 30); requests off the machine: {len(log.off_machine())}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _count_frames() -> str:
    return (f"() => new Promise(done => {{ let n = 0; const t0 = performance.now(); "
            f"const f = (t) => {{ n++; if (t - t0 < {COUNT_S * 1000}) requestAnimationFrame(f); "
            f"else done(n * 1000 / (t - t0)); }}; requestAnimationFrame(f); }})")


def main() -> None:
    print(f"machine: {machine()} (shared with other jobs: loaded)")
    source = str(STARLINK_TLE) if STARLINK_TLE.exists() else "starlink-gen2a"
    server_side(source)
    browser_side([], "demo scenario (starlink-gen1, 4,408 satellites)")
    browser_side(["--constellation", source], f"{Path(source).name}")


if __name__ == "__main__":
    main()
