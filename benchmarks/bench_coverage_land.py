"""Coverage figures of merit over all land on Earth (every res-4 H3 cell whose centre is in a
country of the shipped boundary edition, Antarctica included) from the real Starlink snapshot
over 24 h at 60 s, with a progress bar and a bounded memory budget, against a numpy brute
force timed on a sample of instants in the same run.

Target (issue 4): <= 10 minutes on this 2-core machine; print the speed-up.
"""

from __future__ import annotations

import time

from _common import machine, real_or_preset
from _coverage import brute_force_per_instant, peak_rss_mib

from leonet.commands.common import progress_bar
from leonet.physics.coverage import coverage
from leonet.physics.timegrid import TimeGrid
from leonet.regional.cells import land_cells

MASK_DEG = 25.0
BUDGET_BYTES = 256 * 1024**2  # ephemeris chunks; everything else is a few arrays per cell


def main() -> None:
    sats, label = real_or_preset()
    grid = TimeGrid.range("2026-08-23T00:00:00Z", "24h", "60s")
    t0 = time.perf_counter()
    cells = land_cells(4)
    t_cells = time.perf_counter() - t0
    points = cells.points(MASK_DEG)
    print(f"{label}: {len(sats):,} satellites; all land: {len(cells):,} res-4 cells "
          f"({cells.total_area_km2 / 1e6:.1f} M km², found in {t_cells:.1f} s); "
          f"{len(grid):,} instants; {machine()}")
    coverage(points, sats, grid[:3])  # load the compiled kernels outside the timing
    rss_before = peak_rss_mib()
    t0 = time.perf_counter()
    with progress_bar("coverage of all land", len(grid)) as advance:
        fig = coverage(points, sats, grid, max_bytes=BUDGET_BYTES, progress=advance)
    took = time.perf_counter() - t0
    rss_run = peak_rss_mib()
    # The brute force would need the same propagation: it is not counted, only the pairs.
    per_instant, agree = brute_force_per_instant(points, sats, grid, MASK_DEG, 3)
    brute = per_instant * len(grid)
    print(f"leonet coverage, 24 h at 60 s:  {took:6.1f} s (target <= 600 s)")
    print(f"numpy brute force (estimated):  {brute:6.0f} s = {len(grid):,} x "
          f"{per_instant:.2f} s per instant (timed on 3 instants, propagation not counted); "
          f"speed-up {brute / took:.0f}x")
    print(f"agreement with the brute force on the sampled instants: {agree:.6%}")
    print(f"peak memory during the run {rss_run:,.0f} MiB (before it {rss_before:,.0f} MiB; "
          f"ephemeris budget {BUDGET_BYTES / 1024**2:.0f} MiB)")
    covered = fig.percent_covered >= 100.0
    print(f"land area covered all the time: {cells.area_km2[covered].sum() / 1e6:.1f} of "
          f"{cells.total_area_km2 / 1e6:.1f} M km²; mean {fig.mean_in_view.mean():.1f} in view")


if __name__ == "__main__":
    main()
