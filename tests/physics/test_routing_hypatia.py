"""Routes against the Hypatia Starlink-550 reference (../shared/data/hypatia-starlink550,
README there) at t = 0, and against an independent pipeline at other instants.

The independent pipeline follows the README's recipe with no leonet code: python-sgp4
(WGS72) per satellite, TEME rotated by sgp4's own GMST, the listed ground-station x, y, z,
and scipy's csgraph Dijkstra with each ground station split into a source node (edges up)
and a sink node (edges down), so that none relays.
"""

import csv

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from sgp4.api import WGS72, Satrec
from sgp4.propagation import gstime

from leonet.physics.hypatia import read_hypatia_dir
from tests.conftest import shared_file

TOLERANCE_M = 250.0  # the README's fair tolerance (PyEphem's own Earth model)
ONE_MM_KM = 1e-6


@pytest.fixture(scope="module")
def inputs():
    return read_hypatia_dir(shared_file("hypatia-starlink550/tles.txt").parent)


def test_t0_matches_hypatia(inputs):
    grid = inputs.grid(0.0)
    routes = next(inputs.iter_routes(grid))
    n = inputs.n_sats
    same = total = 0
    worst_m = 0.0
    with shared_file("hypatia-starlink550/paths_t0.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            s, d = int(row["src_gs"]) - n, int(row["dst_gs"]) - n
            ref = [int(v) for v in row["path"].split("-")]
            same += routes.path(s, d).tolist() == ref
            total += 1
            worst_m = max(worst_m, abs(routes.length_km[s, d] * 1e3 - float(row["length_m"])))
            assert routes.hops[s, d] == int(row["hops"])
    assert total == 9900
    assert same / total >= 0.999
    assert worst_m <= TOLERANCE_M


def _independent_positions_km(folder, t_s: float) -> np.ndarray:
    lines = (folder / "tles.txt").read_text().splitlines()[1:]
    out = []
    for k in range(0, len(lines), 3):
        sat = Satrec.twoline2rv(lines[k + 1], lines[k + 2], WGS72)
        jd, fr = sat.jdsatepoch, sat.jdsatepochF + t_s / 86400.0
        err, r, _ = sat.sgp4(jd, fr)
        assert err == 0
        theta = gstime(jd + fr)
        c, s = np.cos(theta), np.sin(theta)
        out.append([c * r[0] + s * r[1], -s * r[0] + c * r[1], r[2]])
    return np.array(out)


def _independent_routes(inputs, r_sat: np.ndarray):
    """Lengths and node sequences of all pairs with csgraph (source/sink split)."""
    n, g = inputs.n_sats, len(inputs.stations)
    folder = inputs.folder
    rows = list(csv.reader((folder / "ground_stations.txt").open(encoding="utf-8")))
    gs = np.array([[float(v) for v in row[5:8]] for row in rows]) / 1000.0
    pairs = [tuple(map(int, line.split())) for line in (folder / "isls.txt").read_text()
             .splitlines() if line.strip()]
    a, b = np.array(pairs).T
    w_isl = np.linalg.norm(r_sat[a] - r_sat[b], axis=1)
    d = np.linalg.norm(gs[:, None, :] - r_sat[None, :, :], axis=2)
    gi, si = np.nonzero(d <= inputs.max_gsl_length_km)
    w_gsl = d[gi, si]
    src_node, sink_node = n + gi, n + g + gi
    m = coo_matrix((np.concatenate([w_isl, w_isl, w_gsl, w_gsl]),
                    (np.concatenate([a, b, src_node, si]),
                     np.concatenate([b, a, si, sink_node]))),
                   shape=(n + 2 * g, n + 2 * g)).tocsr()
    dist, pred = dijkstra(m, directed=True, indices=np.arange(n, n + g),
                          return_predecessors=True)

    def path(s: int, t: int) -> list[int]:
        nodes, v = [], n + g + t
        while v != n + s:
            nodes.append(v)
            v = pred[s, v]
        nodes.append(n + s)
        nodes = nodes[::-1]
        return [nodes[0], *nodes[1:-1], n + t]  # sink node -> station id n + t

    return dist[:, n + g:], path


@pytest.mark.parametrize("t_s", [1.9, 97.3, 1800.0])
def test_other_instants_match_an_independent_pipeline(inputs, t_s):
    r_ref = _independent_positions_km(inputs.folder, t_s)
    grid = inputs.grid(t_s)
    eph = inputs.constellation.propagate(grid, ut1=False)
    assert np.abs(eph.r_ecef_km[0] - r_ref).max() < ONE_MM_KM * 10
    routes = inputs.routes(eph.r_ecef_km[0])
    length_ref, path_ref = _independent_routes(inputs, r_ref)
    g = len(inputs.stations)
    off = ~np.eye(g, dtype=bool)
    assert np.all(np.isfinite(routes.length_km[off]) == np.isfinite(length_ref[off]))
    ok = np.isfinite(length_ref) & off
    assert np.abs(routes.length_km[ok] - length_ref[ok]).max() < 1e-3  # 1 m
    src, dst = np.nonzero(ok)
    same = sum(routes.path(s, d).tolist() == path_ref(s, d) for s, d in zip(src, dst,
                                                                              strict=True))
    assert same / src.size >= 0.999


def test_incremental_series_equals_fresh_computation(inputs):
    """Routes repaired from the previous 100 ms step equal routes computed from scratch."""
    grid = inputs.grid(0.0, 2.0, 0.1)
    eph = inputs.constellation.propagate(grid, ut1=False)
    repaired = list(inputs.iter_routes(grid))
    for k in (1, 7, 20):
        fresh = inputs.routes(eph.r_ecef_km[k])
        assert np.array_equal(np.isfinite(fresh.length_km), np.isfinite(repaired[k].length_km))
        fin = np.isfinite(fresh.length_km)
        assert np.allclose(fresh.length_km[fin], repaired[k].length_km[fin], atol=1e-9)
        assert np.array_equal(fresh.first_sat, repaired[k].first_sat)
        assert np.array_equal(fresh.hops, repaired[k].hops)
        assert np.array_equal(fresh.next_hop, repaired[k].next_hop)
