"""Streaming a long, fine grid through `iter_propagate` within a memory budget: ~10,700
satellites at 1 s steps, peak resident memory against the budget, and against what the
whole ephemeris would need at once.

Target (issue 2): a 24 h x 1 s run of 10,000 satellites stays under a budget (default 2 GiB).
The loop below holds each chunk (and its geodetic outputs) while the next is computed, as a
user's loop does, so the peak is reached once two full chunks exist: with 10,744 satellites a
chunk is about 45 minutes of 1 s steps, so one hour shows less than the day does. The figure
is `python bench_memory.py 24h 2 1` (a day, 2 GiB, one process: 11 minutes of one core).
Arguments: duration (default 1h), budget in GiB (default 2, the library's default), worker
processes (default: leonet's choice). Printed: the streaming memory (peak resident memory
less what the process held before) against the budget, and the whole process's peak
(interpreter, libraries and the satellites' records come on top of the budget).
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
from _common import machine, real_or_preset

from leonet.physics.orbits.propagate import DEFAULT_MAX_BYTES
from leonet.physics.timegrid import TimeGrid


def main() -> None:
    duration = sys.argv[1] if len(sys.argv) > 1 else "1h"
    budget = int(float(sys.argv[2]) * 1024**3) if len(sys.argv) > 2 else DEFAULT_MAX_BYTES
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else None
    sats, label = real_or_preset()
    grid = TimeGrid.range("2026-08-23T00:00:00Z", duration, "1s")
    # Load the compiled kernels (numba and LLVM take ~60 MiB) before the baseline is taken:
    # they are the program, not the stream.
    float(np.nanmin(sats.propagate(grid[:2], dtype=np.float32, workers=1).alt_km))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t0 = time.perf_counter()
    lowest = np.inf
    for eph in sats.iter_propagate(grid, max_bytes=budget, dtype=np.float32,
                                    workers=workers):
        lowest = min(lowest, float(np.nanmin(eph.alt_km)))  # touch the geodetic outputs
    dt = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    whole = len(grid) * len(sats) * (6 * 4 + 1)
    print(f"{label}: {len(sats):,} satellites x {len(grid):,} instants ({duration} at 1 s); "
          f"{machine()}")
    print(f"streamed in {dt:.1f} s ({len(grid) * len(sats) / dt / 1e6:.2f} M/s); "
          f"lowest altitude {lowest:.0f} km")
    stream = peak - before
    verdict = "within" if stream <= budget else "OVER"
    print(f"budget {budget / 2**20:.0f} MiB; streaming memory {stream / 2**20:.0f} MiB, "
          f"{verdict} the budget (ratio {stream / budget:.2f}); process peak RSS "
          f"{peak / 2**20:.0f} MiB (before propagating {before / 2**20:.0f} MiB); the whole "
          f"float32 ephemeris at once would be {whole / 2**30:.1f} GiB (a day: "
          f"{whole * 86400 / len(grid) / 2**30:.0f} GiB)")


if __name__ == "__main__":
    main()
