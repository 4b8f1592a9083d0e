"""+Grid routing on leonet's own Walker shells against an independent slow reference: the
+Grid written here from plane/slot arithmetic, link rules applied by hand, elevation from
textbook trigonometry, and scipy's csgraph Dijkstra with split ground nodes."""

from dataclasses import replace

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from leonet.physics.ground import wgs84
from leonet.physics.links import PlaneAssignment, ground_links, plus_grid
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.orbits.shells import Shell
from leonet.physics.routing import SatelliteGraph, space_routes
from leonet.physics.timegrid import TimeGrid

MASK_DEG = 25.0


def reference_plus_grid(planes: int, per_plane: int, shift: int) -> set[tuple[int, int]]:
    links = set()
    for p in range(planes):
        for j in range(per_plane):
            me = p * per_plane + j
            fore = p * per_plane + (j + 1) % per_plane
            right = ((p + 1) % planes) * per_plane + (j + shift) % per_plane
            links.add((min(me, fore), max(me, fore)))
            links.add((min(me, right), max(me, right)))
    return links


@pytest.mark.parametrize("shell,shift", [
    (Shell(630.0, 51.9, 34, 34, phasing=1, name="kuiper-630"), 0),
    (Shell(550.0, 53.0, 72, 22, phasing=17, name="starlink-550"), 1),
    (Shell(1200.0, 87.9, 18, 40, phasing=1, raan_spread_deg=180.0, name="star"), 0),
])
def test_plus_grid_equals_the_reference(shell, shift):
    sats = Constellation.walker(shell)
    isl = plus_grid(PlaneAssignment.from_walker(sats), isl_shift=shift)
    ours = {(min(a, b), max(a, b)) for a, b in zip(isl.a.tolist(), isl.b.tolist(),
                                                    strict=True)}
    ref = reference_plus_grid(shell.planes, shell.sats_per_plane, shift)
    if shell.raan_spread_deg < 360:
        # A Walker star's first and last planes counter-rotate: no seam links.
        last = shell.planes - 1
        ref = {(a, b) for a, b in ref
               if not ({a // shell.sats_per_plane, b // shell.sats_per_plane} == {0, last}
                       and a // shell.sats_per_plane != b // shell.sats_per_plane)}
    assert ours == ref
    assert len(ours) == isl.n_links  # no duplicates


def _elevation_deg(lat_deg, lon_deg, p_km, s_km):
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    up = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], -1)
    d = s_km[None, :, :] - p_km[:, None, :]
    return np.degrees(np.arcsin(np.einsum("gsk,gk->gs", d, up) / np.linalg.norm(d, axis=2)))


def _reference(r, planes, per_plane, shift, max_range_km, cutoff_lat_deg, pts):
    n, g = r.shape[0], len(pts)
    links = np.array(sorted(reference_plus_grid(planes, per_plane, shift)))
    a, b = links[:, 0], links[:, 1]
    w = np.linalg.norm(r[a] - r[b], axis=1)
    keep = w <= max_range_km
    if cutoff_lat_deg is not None:
        lat = np.degrees(np.arcsin(r[:, 2] / np.linalg.norm(r, axis=1)))
        cross = (a // per_plane) != (b // per_plane)
        keep &= ~(cross & ((np.abs(lat[a]) > cutoff_lat_deg) | (np.abs(lat[b]) > cutoff_lat_deg)))
    a, b, w = a[keep], b[keep], w[keep]
    p_km = pts.r_ecef_km
    el = _elevation_deg(pts.lat_deg, pts.lon_deg, p_km, r)
    gi, si = np.nonzero(el >= MASK_DEG)
    wg = np.linalg.norm(r[si] - p_km[gi], axis=1)
    m = coo_matrix((np.concatenate([w, w, wg, wg]),
                    (np.concatenate([a, b, n + gi, si]),
                     np.concatenate([b, a, si, n + g + gi]))),
                   shape=(n + 2 * g, n + 2 * g)).tocsr()
    return dijkstra(m, directed=True, indices=np.arange(n, n + g))[:, n + g:]


@pytest.mark.parametrize("shift,max_range_km,cutoff", [(0, 5400.0, None), (1, 2500.0, 60.0)])
def test_routes_equal_the_reference(shift, max_range_km, cutoff):
    shell = Shell(630.0, 51.9, 34, 34, phasing=1, name="kuiper-630")
    sats = Constellation.walker(shell)
    isl = plus_grid(PlaneAssignment.from_walker(sats), isl_shift=shift,
                    max_range_km=max_range_km, cutoff_lat_deg=cutoff)
    rng = np.random.default_rng(7)
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, 40)))  # some beyond coverage at 51.9°
    pts = wgs84.point(lat, rng.uniform(-180, 180, 40), min_elevation_deg=MASK_DEG)
    grid = TimeGrid.from_instants(["2026-08-23T00:00:00Z", "2026-08-23T05:17:31Z"])
    eph = sats.propagate(grid)
    for k in range(len(grid)):
        r = eph.r_ecef_km[k]
        routes = space_routes(SatelliteGraph.from_topology(isl, r), ground_links(pts, r))
        ref = _reference(r, shell.planes, shell.sats_per_plane, shift, max_range_km, cutoff,
                         pts)
        off = ~np.eye(len(pts), dtype=bool)
        assert np.array_equal(np.isfinite(routes.length_km[off]), np.isfinite(ref[off]))
        fin = np.isfinite(ref) & off
        assert fin.sum() > 200  # most pairs are connected
        assert np.abs(routes.length_km[fin] - ref[fin]).max() < 1e-6
        # Every path is a real path whose links add up to its length.
        s, d = np.argwhere(fin)[0]
        nodes = routes.path(int(s), int(d))
        pos = np.vstack([pts.r_ecef_km[s], r[nodes[1:-1]], pts.r_ecef_km[d]])
        assert np.linalg.norm(np.diff(pos, axis=0), axis=1).sum() == pytest.approx(
            routes.length_km[s, d], abs=1e-6)


def test_laser_range_and_cutoff_turn_links_off():
    """Hand-placed satellites: a cross-plane link above the cut-off latitude and one
    beyond the laser range are down; in-plane links ignore the cut-off."""
    from leonet.physics.links import IslTopology

    r = np.array([[7000.0, 0, 0], [6900.0, 1000.0, 0],                 # equator, 1,005 km
                  [3500.0, 0, 6062.2], [3400.0, 900.0, 6062.2],           # ~60° latitude
                  [0, 7000.0, 0],                                         # far away
                  [3600.0, -800.0, 6000.0]])                              # ~60°, in plane
    isl = IslTopology([0, 2, 2, 0], [1, 3, 5, 4], 6, cross_plane=[True, True, False, True],
                      max_range_km=5400.0, cutoff_lat_deg=55.0)
    assert isl.up(r).tolist() == [True, False, True, False]
    assert replace(isl, cutoff_lat_deg=None).up(r).tolist() == [True, True, True, False]
