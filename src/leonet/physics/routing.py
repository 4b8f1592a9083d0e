"""Shortest paths over the laser mesh at one instant, weighted by propagation delay.

The satellite graph holds the laser links that are up, weighted by their length in km
(light in vacuum). Ground links join a ground point to the satellites it may use. Ground
points never relay: every route is ground → satellite → … → satellite → ground (the model
of Hypatia's ``algorithm_free_one_only_over_isls``).

One Dijkstra run per destination, seeded with the destination's ground links, gives every
satellite's distance to it and its next hop: the forwarding state of the whole network
towards that destination. The source side is then a minimum over the source's own ground
links. The kernels are compiled once by numba (cached on disk).

>>> import numpy as np
>>> r = np.array([[7000.0, 0, 0], [0, 7000.0, 0], [-7000.0, 0, 0]])
>>> g = SatelliteGraph.build(3, np.array([0, 1]), np.array([1, 2]),
...                          np.array([9899.5, 9899.5]))
>>> gl = GroundLinks(np.array([0, 1, 2]), np.array([0, 2]), np.array([600.0, 600.0]), 3)
>>> routes = space_routes(g, gl)
>>> float(routes.length_km[0, 1]), routes.path(0, 1).tolist()
(20999.0, [3, 0, 1, 2, 4])
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numba
import numpy as np

from leonet.errors import InputError
from leonet.physics.earth import C_KM_S
from leonet.physics.links import GroundLinks, IslTopology
from leonet.physics.shortest import dijkstra_buckets, dijkstra_heap, exit_table, repair_tree

_INF = np.inf
# Longest / shortest link above which the bucket queue would scan too many empty buckets.
_MAX_BUCKET_SPAN = 64.0


@numba.njit(cache=True)
def _csr(n, a, b, w):  # pragma: no cover - compiled
    """Both directions of undirected weighted links as compressed sparse rows."""
    deg = np.zeros(n + 1, np.int64)
    for k in range(a.shape[0]):
        deg[a[k] + 1] += 1
        deg[b[k] + 1] += 1
    for i in range(n):
        deg[i + 1] += deg[i]
    fill = deg[:-1].copy()
    nbr = np.empty(deg[n], np.int32)
    wt = np.empty(deg[n], np.float64)
    for k in range(a.shape[0]):
        i, j = a[k], b[k]
        nbr[fill[i]] = j
        wt[fill[i]] = w[k]
        fill[i] += 1
        nbr[fill[j]] = i
        wt[fill[j]] = w[k]
        fill[j] += 1
    return deg, nbr, wt


@numba.njit(cache=True)
def _space_tables(indptr, nbr, wt, g_indptr, g_sat, g_len, n_sats, dist, nxt, hops, order,
                  counts, warm, delta, n_buckets):  # pragma: no cover - compiled
    """Per destination ground point: distance, next hop and hop count of every satellite
    (from scratch, or repaired from the previous instant's tables when ``warm``)."""
    n_g = g_indptr.shape[0] - 1
    cap = nbr.shape[0] + g_sat.shape[0] + n_sats + 1
    hk = np.empty(cap)
    hv = np.empty(cap, np.int32)
    best_cost = np.empty(n_sats)
    best_tag = np.empty(n_sats, np.int32)
    kids_ptr = np.empty(n_sats + 1, np.int64)
    kids = np.empty(n_sats, np.int32)
    head = np.empty(max(n_buckets, 1), np.int64)
    ent_node = np.empty(cap, np.int32)
    ent_next = np.empty(cap, np.int64)
    settled = np.empty(n_sats, np.bool_)
    for h in range(n_g):
        lo, hi = g_indptr[h], g_indptr[h + 1]
        tags = np.zeros(hi - lo, np.int32)
        exit_table(n_sats, g_sat[lo:hi], g_len[lo:hi], tags, best_cost, best_tag)
        row = nxt[h]
        if warm:
            for v in range(n_sats):  # stored as "down to h" -> internal exit code
                if row[v] >= n_sats:
                    row[v] = -2
            counts[h] = repair_tree(indptr, nbr, wt, best_cost, best_tag, dist[h], row, hops[h],
                                order[h], counts[h], hk, hv, kids_ptr, kids)
        elif n_buckets > 0:
            counts[h] = dijkstra_buckets(indptr, nbr, wt, best_cost, best_tag, dist[h], row,
                                          hops[h], order[h], delta, head, ent_node, ent_next,
                                          settled)
        else:
            counts[h] = dijkstra_heap(indptr, nbr, wt, best_cost, best_tag, dist[h], row,
                                  hops[h], order[h], hk, hv)
        for v in range(n_sats):
            if row[v] <= -2:
                row[v] = n_sats + h


@numba.njit(cache=True)
def _pair_tables(dist, hops, g_indptr, g_sat, g_len):  # pragma: no cover - compiled
    """Best first satellite, length and hops of every ordered ground pair."""
    n_g = g_indptr.shape[0] - 1
    length = np.full((n_g, n_g), _INF)
    first = np.full((n_g, n_g), -1, np.int32)
    n_hops = np.zeros((n_g, n_g), np.int32)
    for s in range(n_g):
        for h in range(n_g):
            if s == h:
                continue
            best = _INF
            arg = -1
            for e in range(g_indptr[s], g_indptr[s + 1]):
                a = g_sat[e]
                c = g_len[e] + dist[h, a]
                if c < best:
                    best = c
                    arg = a
            length[s, h] = best
            first[s, h] = arg
            if arg >= 0:
                n_hops[s, h] = hops[h, arg] + 1
    return length, first, n_hops


@dataclass(frozen=True, eq=False)
class SatelliteGraph:
    """Laser links that are up at one instant, as compressed sparse rows over satellites
    (both directions): neighbours of ``v`` are ``nbr[indptr[v]:indptr[v+1]]`` at
    ``weight_km`` (link length)."""

    n_sats: int
    indptr: np.ndarray
    nbr: np.ndarray
    weight_km: np.ndarray

    @classmethod
    def build(cls, n_sats: int, a: np.ndarray, b: np.ndarray, length_km: np.ndarray
              ) -> SatelliteGraph:
        indptr, nbr, wt = _csr(n_sats, np.ascontiguousarray(a, np.int32),
                               np.ascontiguousarray(b, np.int32),
                               np.ascontiguousarray(length_km, np.float64))
        return cls(n_sats, indptr, nbr, wt)

    @classmethod
    def from_topology(cls, isl: IslTopology, r_ecef_km: np.ndarray) -> SatelliteGraph:
        """The links of ``isl`` that are up with satellites at ``r_ecef_km`` ``(n_sats, 3)``."""
        if r_ecef_km.shape != (isl.n_sats, 3):
            raise InputError(f"{isl.n_sats} satellites in the links but positions of shape "
                             f"{r_ecef_km.shape}")
        length = isl.lengths_km(r_ecef_km)
        up = isl.up(r_ecef_km, length)
        return cls.build(isl.n_sats, isl.a[up], isl.b[up], length[up])

    @property
    def n_links(self) -> int:
        return self.nbr.shape[0] // 2

    @cached_property
    def buckets(self) -> tuple[float, int]:
        """Bucket width (just under the shortest link) and ring size for the bucket-queue
        Dijkstra, or ``(0, 0)`` where links are too uneven for it to pay (a heap is used)."""
        if self.weight_km.size == 0:
            return 0.0, 0
        shortest = float(self.weight_km.min())
        longest = float(self.weight_km.max())
        if not shortest > 0 or longest / shortest > _MAX_BUCKET_SPAN:
            return 0.0, 0
        delta = shortest * (1.0 - 1e-9)
        return delta, int(np.ceil(longest / delta)) + 2

    def tree(self, seed_sat: np.ndarray, seed_cost_km: np.ndarray,
             seed_tag: np.ndarray | None = None, previous: Tree | None = None) -> Tree:
        """Cheapest routes from every satellite to any exit ``(seed_sat[k],
        seed_cost_km[k])`` (tags default to ``k``; give stable tags, such as gateway
        indices, to repair from ``previous``, the tree of a nearby instant)."""
        seed_sat = np.ascontiguousarray(seed_sat, np.int32)
        seed_cost = np.ascontiguousarray(seed_cost_km, np.float64)
        tag = (np.arange(seed_sat.shape[0], dtype=np.int32) if seed_tag is None
               else np.ascontiguousarray(seed_tag, np.int32))
        n = self.n_sats
        best_cost, best_tag = np.empty(n), np.empty(n, np.int32)
        exit_table(n, seed_sat, seed_cost, tag, best_cost, best_tag)
        cap = self.nbr.shape[0] + n + 1
        hk, hv = np.empty(cap), np.empty(cap, np.int32)
        hops = np.empty(n, np.int32)
        if previous is not None and previous.dist_km.shape[0] == n:
            dist, nxt, order = (previous.dist_km.copy(), previous.next.copy(),
                                previous.order.copy())
            count = repair_tree(self.indptr, self.nbr, self.weight_km, best_cost, best_tag, dist,
                            nxt, hops, order, previous.count, hk, hv,
                            np.empty(n + 1, np.int64), np.empty(n, np.int32))
        else:
            dist, nxt, order = np.empty(n), np.empty(n, np.int32), np.empty(n, np.int32)
            delta, n_buckets = self.buckets
            if n_buckets:
                count = dijkstra_buckets(self.indptr, self.nbr, self.weight_km, best_cost,
                                          best_tag, dist, nxt, hops, order, delta,
                                          np.empty(n_buckets, np.int64),
                                          np.empty(cap, np.int32), np.empty(cap, np.int64),
                                          np.empty(n, np.bool_))
            else:
                count = dijkstra_heap(self.indptr, self.nbr, self.weight_km, best_cost, best_tag,
                                  dist, nxt, hops, order, hk, hv)
        return Tree(dist, nxt, hops, order, int(count))


@dataclass(frozen=True, eq=False)
class Tree:
    """Cheapest routes from every satellite to a set of exits, ``(n_sats,)`` arrays:
    ``dist_km`` (inf: no exit reachable), ``next`` (the next satellite, ``-2 - tag`` where
    the route leaves through the exit of that tag, -1: none) and ``hops`` (links up to and
    including the exit). ``order[:count]`` lists reached satellites parents first."""

    dist_km: np.ndarray
    next: np.ndarray
    hops: np.ndarray
    order: np.ndarray
    count: int

    def route(self, sat: int) -> tuple[np.ndarray, int]:
        """Satellites from ``sat`` to its exit, and the exit's tag (-1: unreachable)."""
        if self.next[sat] == -1:
            return np.zeros(0, np.int64), -1
        out = [sat]
        v = sat
        while self.next[v] >= 0:
            v = int(self.next[v])
            out.append(v)
            if len(out) > self.next.shape[0]:  # pragma: no cover - a cycle would be a bug
                raise RuntimeError("routing loop")
        return np.array(out, np.int64), -2 - int(self.next[v])


@dataclass(frozen=True, eq=False)
class SpaceRoutes:
    """Routes between every ordered pair of ground points at one instant.

    Node ids follow Hypatia: satellites ``0 .. n_sats-1``, ground point ``g`` is
    ``n_sats + g``. ``length_km[s, d]`` is inf where no route exists (and on the diagonal).
    ``next_hop[d, v]`` is the forwarding state: the node after satellite ``v`` on its route
    to ground point ``d`` (-1: none). ``dist_km[d, v]`` is that route's length.
    """

    n_sats: int
    length_km: np.ndarray
    first_sat: np.ndarray
    hops: np.ndarray
    next_hop: np.ndarray
    dist_km: np.ndarray
    _order: np.ndarray
    _counts: np.ndarray
    graph_links: int = 0

    @property
    def n_points(self) -> int:
        return self.length_km.shape[0]

    @property
    def one_way_ms(self) -> np.ndarray:
        return self.length_km / C_KM_S * 1e3

    @property
    def connected(self) -> np.ndarray:
        return np.isfinite(self.length_km)

    def path(self, src: int, dst: int) -> np.ndarray:
        """Node ids from ground point ``src`` to ground point ``dst`` (empty if none)."""
        a = int(self.first_sat[src, dst])
        if a < 0 or src == dst:
            return np.zeros(0, np.int64)
        out = [self.n_sats + src, a]
        limit = self.n_sats + 2
        v = a
        while v < self.n_sats:
            v = int(self.next_hop[dst, v])
            out.append(v)
            if len(out) > limit:  # pragma: no cover - a cycle would be a bug
                raise RuntimeError("routing loop")
        return np.array(out, np.int64)

    @cached_property
    def paths(self) -> tuple[np.ndarray, np.ndarray]:
        """Every pair's path, ``(indptr, nodes)`` over pairs in row-major ``(src, dst)``
        order (diagonal and unreachable pairs are empty)."""
        return _all_paths(self.first_sat, self.next_hop, self.hops, self.n_sats)


@numba.njit(cache=True)
def _all_paths(first, next_hop, hops, n_sats):  # pragma: no cover - compiled
    n_g = first.shape[0]
    indptr = np.zeros(n_g * n_g + 1, np.int64)
    for s in range(n_g):
        for d in range(n_g):
            k = s * n_g + d
            indptr[k + 1] = indptr[k] + (hops[s, d] + 1 if first[s, d] >= 0 else 0)
    nodes = np.empty(indptr[-1], np.int64)
    for s in range(n_g):
        for d in range(n_g):
            k = s * n_g + d
            w = indptr[k]
            if w == indptr[k + 1]:
                continue
            nodes[w] = n_sats + s
            v = first[s, d]
            w += 1
            while True:
                nodes[w] = v
                w += 1
                if v >= n_sats:
                    break
                v = next_hop[d, v]
    return indptr, nodes


def space_routes(graph: SatelliteGraph, ground: GroundLinks,
                 previous: SpaceRoutes | None = None) -> SpaceRoutes:
    """Shortest routes between all ordered pairs of ``ground``'s points, with the
    forwarding state towards each of them.

    ``previous`` (the routes of the same ground points at a nearby instant) makes the
    computation incremental: each destination's tree is repaired instead of rebuilt. The
    result is the same shortest routes (ties aside), several times faster."""
    if ground.n_sats != graph.n_sats:
        raise InputError(f"ground links name {ground.n_sats} satellites, graph has "
                         f"{graph.n_sats}")
    n_g, n = ground.n_points, graph.n_sats
    g_indptr = np.ascontiguousarray(ground.indptr, np.int64)
    g_sat = np.ascontiguousarray(ground.sat, np.int32)
    g_len = np.ascontiguousarray(ground.length_km, np.float64)
    warm = previous is not None
    if warm and (previous.n_points != n_g or previous.n_sats != n):
        raise InputError("previous routes are for other ground points or satellites")
    if warm:
        dist, nxt = previous.dist_km.copy(), previous.next_hop.copy()
        hops, order, counts = (np.empty((n_g, n), np.int32), previous._order.copy(),
                               previous._counts.copy())
    else:
        dist, nxt = np.empty((n_g, n)), np.empty((n_g, n), np.int32)
        hops, order = np.empty((n_g, n), np.int32), np.empty((n_g, n), np.int32)
        counts = np.zeros(n_g, np.int64)
    delta, n_buckets = graph.buckets
    _space_tables(graph.indptr, graph.nbr, graph.weight_km, g_indptr, g_sat, g_len, n,
                  dist, nxt, hops, order, counts, warm, delta, n_buckets)
    length, first, n_hops = _pair_tables(dist, hops, g_indptr, g_sat, g_len)
    return SpaceRoutes(n, length, first, n_hops, nxt, dist, order, counts, graph.n_links)
