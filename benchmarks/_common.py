"""Shared set-up for the benchmark scripts (not a test module)."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
STARLINK_TLE = SHARED / "starlink-2026-08-22.tle"


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
            f", load {load:.2f}")


def best_of(fn, repeat: int = 3, clock=time.perf_counter) -> float:
    """Best of ``repeat`` runs (seconds) on ``clock``: wall time by default, the least
    disturbed run by other jobs; ``time.thread_time`` gives the CPU time of this thread,
    which other jobs on a shared machine disturb far less."""
    best = float("inf")
    for _ in range(repeat):
        t0 = clock()
        fn()
        best = min(best, clock() - t0)
    return best


def real_or_preset():
    """The real Starlink snapshot when ../shared/data is present, else the 10,080-satellite
    starlink-gen2a preset as a stand-in of the same size."""
    from leonet.physics.orbits.constellation import Constellation

    if STARLINK_TLE.exists():
        return Constellation.load(STARLINK_TLE), "real Starlink snapshot 2026-08-22"
    return Constellation.load("starlink-gen2a"), "starlink-gen2a preset (shared data absent)"
