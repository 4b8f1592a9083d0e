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


def best_of(fn, repeat: int = 3) -> float:
    """Best wall time of ``repeat`` runs (seconds): the least disturbed by other jobs."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def real_or_preset():
    """The real Starlink snapshot when ../shared/data is present, else the 10,080-satellite
    starlink-gen2a preset as a stand-in of the same size."""
    from leonet.physics.orbits.constellation import Constellation

    if STARLINK_TLE.exists():
        return Constellation.load(STARLINK_TLE), "real Starlink snapshot 2026-08-22"
    return Constellation.load("starlink-gen2a"), "starlink-gen2a preset (shared data absent)"
