"""The shortest-route kernels (heap and bucket-queue Dijkstra, incremental repair) against
scipy's csgraph on random graphs with parallel links, isolated nodes and several exits."""

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from leonet.physics.routing import SatelliteGraph


def _reference(n, a, b, w, seeds, cost):
    dense = np.full((n + 1, n + 1), np.inf)
    for x, y, length in zip(a, b, w, strict=True):
        dense[x, y] = dense[y, x] = min(dense[x, y], length)
    for s, c in zip(seeds, cost, strict=True):
        dense[n, s] = min(dense[n, s], c)
    dense[np.isinf(dense)] = 0.0  # csgraph: zero means no edge
    return dijkstra(dense, directed=True, indices=[n])[0, :n]


def _check(tree, ref):
    assert np.array_equal(np.isinf(ref), np.isinf(tree.dist_km))
    fin = np.isfinite(ref)
    assert np.allclose(ref[fin], tree.dist_km[fin], rtol=0, atol=1e-9)
    assert sorted(tree.order[:tree.count].tolist()) == np.flatnonzero(fin).tolist()


@pytest.mark.parametrize("spread", [30.0, 300.0])  # bucket queue, then the heap fallback
def test_trees_equal_csgraph_and_repairs_equal_fresh_trees(spread):
    rng = np.random.default_rng(3)
    used_buckets = 0
    for _ in range(80):
        n = int(rng.integers(2, 60))
        m = int(rng.integers(1, 4 * n))
        a, b = rng.integers(0, n, m), rng.integers(0, n, m)
        a, b = a[a != b], b[a != b]
        w = rng.uniform(1.0, spread, a.size)
        k = int(rng.integers(1, 5))
        seeds, cost = rng.integers(0, n, k), rng.uniform(0.0, 500.0, k)
        graph = SatelliteGraph.build(n, a, b, w)
        used_buckets += graph.buckets[1] > 0
        tree = graph.tree(seeds, cost, np.arange(k))
        _check(tree, _reference(n, a, b, w, seeds, cost))
        # Move everything a little, drop a link, change an exit: repair == fresh.
        w2 = w * rng.uniform(0.9, 1.1, w.size)
        keep = rng.random(w.size) > 0.1
        cost2 = cost * rng.uniform(0.8, 1.2, k)
        moved = SatelliteGraph.build(n, a[keep], b[keep], w2[keep])
        repaired = moved.tree(seeds, cost2, np.arange(k), previous=tree)
        _check(repaired, _reference(n, a[keep], b[keep], w2[keep], seeds, cost2))
    assert (used_buckets > 50) == (spread < 64)
