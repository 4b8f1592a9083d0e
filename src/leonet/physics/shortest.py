"""Shortest-route kernels (numba, cached): multi-exit Dijkstra on a binary heap or a
bucket queue, and the incremental repair of a shortest-route tree between close instants.

Every kernel works on compressed sparse rows ``(indptr, nbr, wt)`` of an undirected graph
(both directions stored) and on exits: node ``v`` may leave the graph at ``best_cost[v]``
through exit ``best_tag[v]`` (-1: no exit there). See `leonet.physics.routing` for the
objects built on them.
"""

from __future__ import annotations

import numba
import numpy as np

_INF = np.inf


@numba.njit(cache=True)
def _push(hk, hv, size, key, val):  # pragma: no cover - compiled
    i = size
    while i > 0:
        parent = (i - 1) >> 1
        if hk[parent] <= key:
            break
        hk[i] = hk[parent]
        hv[i] = hv[parent]
        i = parent
    hk[i] = key
    hv[i] = val
    return size + 1


@numba.njit(cache=True)
def _pop(hk, hv, size):  # pragma: no cover - compiled
    """Remove the root; return the new size (the root was read by the caller). The child
    choice is written so that it compiles branch-free (measured 25 % faster)."""
    size -= 1
    key = hk[size]
    val = hv[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size:
            c += 1 if hk[c + 1] < hk[c] else 0
        if key <= hk[c]:
            break
        hk[i] = hk[c]
        hv[i] = hv[c]
        i = c
    hk[i] = key
    hv[i] = val
    return size


@numba.njit(cache=True, inline="always")
def _start(best_cost, best_tag, dist, nxt, hops):  # pragma: no cover - compiled
    """Every node at its own exit's cost (``nxt = -2 - tag``), or unreached (inf, -1)."""
    for v in range(dist.shape[0]):
        dist[v] = best_cost[v]
        hops[v] = 1
        nxt[v] = -2 - best_tag[v] if best_tag[v] >= 0 else -1


@numba.njit(cache=True, inline="always")
def _improves(u, v, nd, dist, nxt, hops, count_hops):  # pragma: no cover - compiled
    """Whether reaching ``u`` through ``v`` at cost ``nd`` beats ``u``'s route; if so, that
    becomes ``u``'s route (and its hop count, with ``count_hops``)."""
    if nd < dist[u]:
        dist[u] = nd
        nxt[u] = v
        if count_hops:
            hops[u] = hops[v] + 1
        return True
    return False


@numba.njit(cache=True, inline="always")
def _settle(indptr, nbr, wt, dist, nxt, hops, order, hk, hv, size, count_hops
            ):  # pragma: no cover - compiled
    """Dijkstra from the labels and the heap (``size`` entries) as they are, until the heap
    is empty. With ``count_hops`` the hop counts follow the routes and ``order[:count]``
    lists the settled nodes, parents before children; returns ``count`` (0 without)."""
    count = 0
    while size > 0:
        d = hk[0]
        v = hv[0]
        size = _pop(hk, hv, size)
        if d > dist[v]:
            continue
        if count_hops:
            order[count] = v
            count += 1
        for e in range(indptr[v], indptr[v + 1]):
            u = nbr[e]
            nd = d + wt[e]
            if _improves(u, v, nd, dist, nxt, hops, count_hops):
                size = _push(hk, hv, size, nd, u)
    return count


@numba.njit(cache=True, inline="always")
def _into_bucket(head, ent_node, ent_next, ne, t, v):  # pragma: no cover - compiled
    """File node ``v`` in bucket slot ``t`` as entry ``ne``; returns the next free entry."""
    ent_node[ne] = v
    ent_next[ne] = head[t]
    head[t] = ne
    return ne + 1


@numba.njit(cache=True)
def exit_table(n, seed_node, seed_cost, seed_tag, best_cost, best_tag
                ):  # pragma: no cover - compiled
    """Cheapest exit at each node (inf where none)."""
    for v in range(n):
        best_cost[v] = _INF
        best_tag[v] = -1
    for k in range(seed_node.shape[0]):
        v = seed_node[k]
        if seed_cost[k] < best_cost[v]:
            best_cost[v] = seed_cost[k]
            best_tag[v] = seed_tag[k]


@numba.njit(cache=True)
def dijkstra_heap(indptr, nbr, wt, best_cost, best_tag, dist, nxt, hops, order, hk, hv
              ):  # pragma: no cover - compiled
    """Cheapest cost from every node to an exit (multi-source Dijkstra, lazy binary heap).

    Node ``v`` may exit at ``best_cost[v]`` through exit ``best_tag[v]``. On return
    ``dist[v]`` is the cheapest cost to an exit, ``nxt[v]`` the next node (``-2 - tag``
    where ``v`` exits; -1 when no exit is reachable), ``hops[v]`` the links up to and
    including the exit, and ``order[:count]`` the reached nodes, parents before children.
    Returns ``count``."""
    _start(best_cost, best_tag, dist, nxt, hops)
    size = 0
    for v in range(dist.shape[0]):
        if best_tag[v] >= 0:
            size = _push(hk, hv, size, best_cost[v], v)
    return _settle(indptr, nbr, wt, dist, nxt, hops, order, hk, hv, size, True)


@numba.njit(cache=True)
def dijkstra_buckets(indptr, nbr, wt, best_cost, best_tag, dist, nxt, hops, order, delta,
                      head, ent_node, ent_next, settled):  # pragma: no cover - compiled
    """`dijkstra_heap` with a bucket queue instead of a heap (Dial's algorithm with buckets of
    width ``delta`` no wider than the shortest link). No node of a bucket can improve
    another of the same bucket (that would take a link shorter than ``delta``), so every
    node of the lowest bucket is final: exact, with no heap operations. Buckets live in a
    ring of ``head.shape[0]`` slots, more than the longest link spans. Returns ``count``."""
    n = dist.shape[0]
    nb = head.shape[0]
    inv = 1.0 / delta
    for b in range(nb):
        head[b] = -1
    ne = 0
    pending = 0
    _start(best_cost, best_tag, dist, nxt, hops)
    for v in range(n):
        settled[v] = False
    # Exits may cost more than a ring's span: they enter the ring as it reaches them.
    lowest = np.int64(1) << 62
    late_node = np.empty(n, np.int32)
    late_bucket = np.empty(n, np.int64)
    n_late = 0
    for v in range(n):
        if best_tag[v] >= 0:
            bi = np.int64(dist[v] * inv)
            lowest = min(lowest, bi)
            late_node[n_late] = v
            late_bucket[n_late] = bi
            n_late += 1
    idx = np.argsort(late_bucket[:n_late])
    next_late = 0
    cur = lowest
    count = 0
    while pending > 0 or next_late < n_late:
        while next_late < n_late and late_bucket[idx[next_late]] < cur + nb - 1:
            t = late_bucket[idx[next_late]] % nb
            ne = _into_bucket(head, ent_node, ent_next, ne, t, late_node[idx[next_late]])
            pending += 1
            next_late += 1
        slot = cur % nb
        while head[slot] >= 0:
            e = head[slot]
            head[slot] = ent_next[e]
            pending -= 1
            v = ent_node[e]
            if settled[v] or np.int64(dist[v] * inv) > cur:
                continue
            settled[v] = True
            order[count] = v
            count += 1
            d = dist[v]
            for x in range(indptr[v], indptr[v + 1]):
                u = nbr[x]
                nd = d + wt[x]
                if _improves(u, v, nd, dist, nxt, hops, True):
                    # Rounding at a bucket edge: keep it in this bucket.
                    bi = max(np.int64(nd * inv), cur)
                    ne = _into_bucket(head, ent_node, ent_next, ne, bi % nb, u)
                    pending += 1
        cur += 1
    return count


@numba.njit(cache=True)
def repair_tree(indptr, nbr, wt, best_cost, best_tag, dist, nxt, hops, order, count, hk, hv,
            kids_ptr, kids):  # pragma: no cover - compiled
    """Shortest routes from the previous instant's tree (``nxt``, ``order[:count]``).

    Distances are first recomputed along the old tree with the new link lengths and
    exits (a link or exit that is gone leaves its subtree at inf): every value is then the
    length of a real path, an upper bound. Every node that a neighbour or an exit can
    improve is queued, and improvements spread as in Dijkstra (a label-correcting fixpoint,
    so the result is exact). Finally the tree is walked from the exits to rebuild the
    parent-first order and the hop counts. Between close instants few nodes change, so this
    costs a few passes over the links instead of a heap operation per node."""
    n = dist.shape[0]
    # Nodes outside the old tree were unreached (nxt = -1); they start at inf.
    for v in range(n):
        dist[v] = _INF
    for i in range(count):
        v = order[i]
        p = nxt[v]
        if p < 0:
            dist[v] = best_cost[v]
            if best_tag[v] >= 0:
                nxt[v] = -2 - best_tag[v]
            continue
        for e in range(indptr[v], indptr[v + 1]):
            if nbr[e] == p:
                dist[v] = dist[p] + wt[e]
                break
    size = 0
    for v in range(n):
        best = dist[v]
        arg = 0
        better = False
        if best_cost[v] < best:
            best = best_cost[v]
            arg = -2 - best_tag[v]
            better = True
        for e in range(indptr[v], indptr[v + 1]):
            c = dist[nbr[e]] + wt[e]
            if c < best:
                best = c
                arg = nbr[e]
                better = True
        if better:
            dist[v] = best
            nxt[v] = arg
            size = _push(hk, hv, size, best, v)
        elif dist[v] == _INF:
            nxt[v] = -1
    _settle(indptr, nbr, wt, dist, nxt, hops, order, hk, hv, size, False)
    # Children lists of the new tree, then breadth-first from the exits.
    for v in range(n + 1):
        kids_ptr[v] = 0
    for v in range(n):
        if nxt[v] >= 0:
            kids_ptr[nxt[v] + 1] += 1
    for v in range(n):
        kids_ptr[v + 1] += kids_ptr[v]
    for v in range(n):
        p = nxt[v]
        if p >= 0:
            kids[kids_ptr[p]] = v
            kids_ptr[p] += 1
    for v in range(n, 0, -1):  # shift back: kids of v start at kids_ptr[v]
        kids_ptr[v] = kids_ptr[v - 1]
    kids_ptr[0] = 0
    count = 0
    for v in range(n):
        if nxt[v] <= -2:
            order[count] = v
            hops[v] = 1
            count += 1
    head = 0
    while head < count:
        v = order[head]
        head += 1
        for k in range(kids_ptr[v], kids_ptr[v + 1]):
            u = kids[k]
            hops[u] = hops[v] + 1
            order[count] = u
            count += 1
    return count
