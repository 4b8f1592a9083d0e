"""All detectors over 10 M telemetry rows, against a per-row Python loop measured in the same
run.

The telemetry is the labelled set (`leonet.control.detect.labelled`: every kind of misuse
planted, hard negatives) plus enough background terminals (static, and local trips) to reach
the row count: ~35,000 terminals reporting every ~10 min for two days. Detection is timed
warm (numba kernels and policy indexes compiled, as in any run after the first), best of a
few runs; building the `Telemetry` (checks, de-duplication, sort) is timed too.

Baseline: the plainest implementation, a Python loop over the rows doing three of the nine
checks (impossible travel by haversine, the speed cut-off, and the policy's regions by
shapely, one point at a time), timed on 50,000 rows and scaled to rows per second. The ratio
compares rows per second of all nine detectors (heights above ground from the terrain
included) with those three.

Run: .venv/bin/python benchmarks/bench_detect.py [--rows 10000000] [--repeat 3]
Target (issue 7): 10 M rows through all detectors <= 30 s on this machine.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine


def baseline_rows_per_s(tel, policy, n: int = 50_000) -> float:
    """Rows per second of a per-row Python loop doing three of the eight checks: impossible
    travel (haversine against the speed limit), the speed cut-off, and the region test of
    the policy's regions (shapely, prepared geometries, one point at a time)."""
    import shapely

    geoms = [r.geometry for r in policy.regions.values() if r.geometry is not None]
    for g in geoms:
        shapely.prepare(g)
    ids = tel.terminal_id[:n].tolist()
    lat = tel.lat_deg[:n].tolist()
    lon = tel.lon_deg[:n].tolist()
    speed = tel.speed_kmh[:n].tolist()
    t = (tel.time_ns[:n] / 1e9).tolist()
    started = time.perf_counter()
    flagged = 0
    for i in range(n):
        inside = [shapely.contains_xy(g, lon[i], lat[i]) for g in geoms]
        flagged += speed[i] > 90 and inside[0]
        if i == 0 or ids[i] != ids[i - 1]:
            continue
        p1, p2 = math.radians(lat[i - 1]), math.radians(lat[i])
        h = (math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2)
             * math.sin(math.radians(lon[i] - lon[i - 1]) / 2) ** 2)
        d = 2 * 6371.0088 * math.asin(math.sqrt(h))
        flagged += d >= 10 and d - 2 > 1300 * (t[i] - t[i - 1]) / 3600
    return n / (time.perf_counter() - started)


def main() -> None:
    from leonet.control.detect import KINDS, detect
    from leonet.control.detect.labelled import labelled_traces, score

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    planted = len(labelled_traces(seed=0, n_background=0).telemetry)
    n_background = max(0, -(-(args.rows - planted) // 288))  # at least --rows in all
    t0 = time.perf_counter()
    traces = labelled_traces(seed=0, n_background=n_background)
    tel = traces.telemetry
    build_s = time.perf_counter() - t0
    print(f"telemetry: {len(tel):,} rows, {tel.n_terminals:,} terminals; generated and "
          f"checked (telemetry_from_arrays: checks, de-duplication, sort) in {build_s:.1f} s")

    # Warm up: compile the kernels and the policy indexes once (cached on disk after).
    small = tel.take(np.flatnonzero(~np.char.startswith(tel.terminal_id.astype(str), "BG-")))
    detect(small, traces.policy, terminals=traces.facts, config=traces.config)

    best = float("inf")
    found = None
    for _ in range(args.repeat):
        started = time.perf_counter()
        found = detect(tel, traces.policy, terminals=traces.facts, config=traces.config)
        best = min(best, time.perf_counter() - started)
        print(f"  run: {time.perf_counter() - started:.2f} s")
    scores = score(found, traces.labels)
    missed = sum(s["fn"] for s in scores.values())
    false = sum(s["fp"] for s in scores.values())
    rate = len(tel) / best
    base = baseline_rows_per_s(tel, traces.policy)
    kinds = ", ".join(f"{k} {v}" for k, v in found.counts_by_kind().items())
    print(f"incidents: {len(found):,} ({kinds}); labelled cases missed {missed}, "
          f"false {false}")
    print(f"all {len(KINDS)} detectors: {best:.2f} s for {len(tel):,} rows = "
          f"{rate / 1e6:.2f} M rows/s (target <= 30 s for 10 M rows)")
    print(f"baseline (Python loop per row: impossible travel, speed, shapely region test): "
          f"{base / 1e3:.1f} k rows/s "
          f"-> ratio {rate / base:.0f}x")


if __name__ == "__main__":
    main()
