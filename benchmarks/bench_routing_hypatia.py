"""The reference workload of Hypatia's Starlink-550 run: 1,584 satellites, +Grid lasers,
100 ground stations, all-pairs ground-station routes with next hops, at one instant.

Target (issue 3): <= 15 ms per time step on one core. Hypatia (satgenpy, networkx) needs
15.2 CPU-seconds per step on this machine class; the ratio printed is against that figure.
The baseline measured in this run is an independent scipy.sparse.csgraph Dijkstra on the
same graph (ground stations as separate source and sink nodes).
"""

from __future__ import annotations

import numba
import numpy as np
from _common import SHARED, best_of, machine
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from leonet.physics.hypatia import read_hypatia_dir
from leonet.physics.links import ground_links

HYPATIA_CPU_S_PER_STEP = 15.2
FOLDER = SHARED / "hypatia-starlink550"


def scipy_baseline(inputs, r: np.ndarray) -> np.ndarray:
    """All-pairs ground-station lengths with csgraph: satellites, then each ground station
    twice (a source with edges up, a sink with edges down), so none relays."""
    n, g = inputs.n_sats, len(inputs.stations)
    length = inputs.isls.lengths_km(r)
    gsl = ground_links(inputs.stations, r, min_elevation_deg=0.0,
                       max_range_km=inputs.max_gsl_length_km)
    pt = np.repeat(np.arange(g), np.diff(gsl.indptr))
    rows = np.concatenate([inputs.isls.a, inputs.isls.b, n + pt, gsl.sat])
    cols = np.concatenate([inputs.isls.b, inputs.isls.a, gsl.sat, n + g + pt])
    w = np.concatenate([length, length, gsl.length_km, gsl.length_km])
    m = coo_matrix((w, (rows, cols)), shape=(n + 2 * g, n + 2 * g)).tocsr()
    d = dijkstra(m, directed=True, indices=np.arange(n, n + g))
    return d[:, n + g:]


def _series(inputs, grid) -> None:
    """Every instant of the grid: propagation (one SGP4 call for the grid), then routes
    repaired from the previous instant's, and all 9,900 paths extracted."""
    eph = inputs.constellation.propagate(grid, ut1=False, workers=1)
    previous = None
    for k in range(eph.n_times):
        previous = inputs.routes(eph.r_ecef_km[k], previous)
        assert previous.paths[0].size > 0


def main() -> None:
    if not FOLDER.exists():
        print(f"skipped: {FOLDER} is absent (see ../shared/data/README.md)")
        return
    numba.set_num_threads(1)
    inputs = read_hypatia_dir(FOLDER)
    print(f"Hypatia Starlink-550 inputs: {inputs.n_sats:,} satellites, {inputs.isls.n_links:,} "
          f"lasers, {len(inputs.stations)} ground stations; {machine()}")
    grid = inputs.grid(0.0, 10.0, 0.1)  # 101 instants, as Hypatia's 100 ms steps
    eph = inputs.constellation.propagate(grid, ut1=False, workers=1)
    inputs.routes(eph.r_ecef_km[0])  # load the compiled kernels

    def routes_only(k: int = 0):
        return inputs.routes(eph.r_ecef_km[k])

    def full_step(k: int = 0):
        """One instant from scratch: propagation, laser lengths, ground links, all-pairs
        routes and every path."""
        e = inputs.constellation.propagate(grid[k:k + 1], ut1=False, workers=1)
        return inputs.routes(e.r_ecef_km[0]).paths

    t_routes = best_of(routes_only, 20)
    t_full = best_of(full_step, 20)
    t_series = best_of(lambda: _series(inputs, grid), 3) / len(grid)
    t_scipy = best_of(lambda: scipy_baseline(inputs, eph.r_ecef_km[0]), 5)
    ours = routes_only().length_km
    ref = scipy_baseline(inputs, eph.r_ecef_km[0])
    off = ~np.eye(len(inputs.stations), dtype=bool)
    assert np.allclose(ours[off], ref[off], rtol=0, atol=1e-6), "disagrees with csgraph"
    print(f"graph + ground links + routes with forwarding state: {t_routes * 1e3:7.2f} ms")
    print(f"one instant from scratch (propagate, route, paths):  {t_full * 1e3:7.2f} ms")
    print(f"per step over {len(grid)} steps of 100 ms, everything:  {t_series * 1e3:7.2f} ms  "
          "(target <= 15 ms; propagation, routes repaired from the previous step, paths)")
    print(f"scipy csgraph baseline (lengths only, same run):      {t_scipy * 1e3:7.2f} ms  "
          f"-> leonet {t_scipy / t_routes:.1f}x faster")
    print(f"ratio to Hypatia's {HYPATIA_CPU_S_PER_STEP} CPU-s per step: "
          f"{HYPATIA_CPU_S_PER_STEP / t_series:,.0f}x per step in a series, "
          f"{HYPATIA_CPU_S_PER_STEP / t_full:,.0f}x for one instant from scratch")


if __name__ == "__main__":
    main()
