"""Streaming a long, fine grid through `iter_propagate` within a memory budget: ~10,700
satellites at 1 s steps, peak resident memory against the budget, and against what the
whole ephemeris would need at once.

Target (issue 2): a 24 h x 1 s run of 10,000 satellites stays under a budget (default 2 GiB).
The chunk size depends only on the number of satellites and the budget, so the peak seen
on one hour holds for a day (a day is 24 times the work: `python bench_memory.py 24h`).
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
from _common import machine, real_or_preset

from leonet.physics.timegrid import TimeGrid

BUDGET = 512 * 1024**2


def main() -> None:
    duration = sys.argv[1] if len(sys.argv) > 1 else "1h"
    sats, label = real_or_preset()
    grid = TimeGrid.range("2026-08-23T00:00:00Z", duration, "1s")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t0 = time.perf_counter()
    lowest = np.inf
    for eph in sats.iter_propagate(grid, max_bytes=BUDGET, dtype=np.float32):
        lowest = min(lowest, float(np.nanmin(eph.alt_km)))  # touch the geodetic outputs
    dt = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    whole = len(grid) * len(sats) * (6 * 4 + 1)
    print(f"{label}: {len(sats):,} satellites x {len(grid):,} instants ({duration} at 1 s); "
          f"{machine()}")
    print(f"streamed in {dt:.1f} s ({len(grid) * len(sats) / dt / 1e6:.2f} M/s); "
          f"lowest altitude {lowest:.0f} km")
    print(f"budget {BUDGET / 2**20:.0f} MiB; peak RSS {peak / 2**20:.0f} MiB "
          f"(before propagating {before / 2**20:.0f} MiB); the whole float32 ephemeris at "
          f"once would be {whole / 2**30:.1f} GiB (a day: {whole * 86400 / len(grid) / 2**30:.0f} "
          f"GiB)")


if __name__ == "__main__":
    main()
