"""One source→destination pair's forwarding paths over time, with every link's length.

The paths are leonet's own routes (`Network.routes` or a Hypatia folder's space routes) at
each instant of a time grid. Every node that ever carries the pair's traffic becomes one
node, every pair of consecutive nodes on any path one link. Radio and laser links are as
long as the straight line between their ends at each instant; fibre links (gateway → PoP,
PoP → destination) as long as leonet's vacuum-equivalent fibre route, fixed in time. The
sum of a path's link lengths is leonet's one-way delay times c (checked by the tests).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from leonet.errors import InputError
from leonet.physics.earth import C_KM_S, great_circle_km
from leonet.physics.hypatia import HypatiaInputs
from leonet.physics.network import Network
from leonet.physics.route_series import DST, SRC, RouteSeries
from leonet.physics.routing import SpaceRoutes
from leonet.physics.timegrid import TimeGrid

# Instants whose positions are propagated at once (bounds memory for 10,000 satellites).
_CHUNK = 128


class Stepped:
    """A state per instant of ``grid``, each holding for ``step_s`` from its offset."""

    grid: TimeGrid
    step_s: float

    @property
    def n_times(self) -> int:
        return len(self.grid)

    @property
    def duration_s(self) -> float:
        return self.n_times * self.step_s


@dataclass(frozen=True, eq=False)
class PathTimeline(Stepped):
    """Paths of one pair at the instants of ``grid``.

    Nodes are numbered ``0`` (source), ``1`` (destination), then relays in order of first
    use; ``labels`` names them. ``links`` ``(n_links, 2)`` joins node pairs, ``link_km``
    ``(n_times, n_links)`` is each link's vacuum-equivalent length. ``path_nodes[path_indptr
    [k]:path_indptr[k + 1]]`` is the path at instant ``k`` from the source (empty: no
    service), ``path_id[k]`` numbers distinct paths in order of first use (-1: none), and
    ``one_way_ms`` is leonet's propagation delay (NaN: no service). Instant ``k``'s state
    holds for ``step_s`` from its offset. ``notes`` are warnings for the user (stale
    elements)."""

    grid: TimeGrid
    step_s: float
    labels: np.ndarray
    links: np.ndarray
    link_km: np.ndarray
    path_indptr: np.ndarray
    path_nodes: np.ndarray
    path_id: np.ndarray
    one_way_ms: np.ndarray
    notes: tuple[str, ...] = ()

    def path(self, k: int) -> np.ndarray:
        return self.path_nodes[self.path_indptr[k]:self.path_indptr[k + 1]]

    def path_links(self, k: int) -> np.ndarray:
        """Link indices along the path at instant ``k``, from the source."""
        nodes = self.path(k)
        index = {(int(a), int(b)): i for i, (a, b) in enumerate(self.links)}
        return np.array([index[_key(a, b)] for a, b in itertools.pairwise(nodes)], np.int64)

    def path_changes(self) -> np.ndarray:
        """Instants whose path differs from the previous instant's."""
        return np.flatnonzero(self.path_id[1:] != self.path_id[:-1]) + 1


def _key(a: int, b: int) -> tuple[int, int]:
    return (int(a), int(b)) if a < b else (int(b), int(a))


def from_route_series(series: RouteSeries, net: Network, step_s: float) -> PathTimeline:
    """The timeline of pair 0 of ``series`` (operator, space or bentpipe mode) on ``net``,
    each instant's state holding for ``step_s``."""
    if series.mode.value == "fibre":
        raise InputError("--mode fibre has no satellite path to simulate; use space, "
                         "operator or bentpipe")
    n_s, n_g = len(series.sat_names), len(series.gateway_names)
    gw = net.gateways.points
    q = int(series.pop_index[0])
    pops = net.pops.points
    ends = {SRC: series.src, DST: series.dst}

    def fixed_xyz(v: int) -> np.ndarray | None:
        if v in ends:
            return ends[v].r_ecef_km[0]
        if n_s <= v < n_s + n_g:
            return gw.r_ecef_km[v - n_s]
        return None  # a PoP: reached over fibre only

    def latlon(v: int) -> tuple[float, float]:
        if v in ends:
            return float(ends[v].lat_deg[0]), float(ends[v].lon_deg[0])
        if v < n_s + n_g:
            return float(gw.lat_deg[v - n_s]), float(gw.lon_deg[v - n_s])
        return float(pops.lat_deg[q]), float(pops.lon_deg[q])

    def fibre_km(a: int, b: int) -> float:
        (la, oa), (lb, ob) = latlon(a), latlon(b)
        return float(net.fibre_km_equivalent(great_circle_km(la, oa, lb, ob)))

    def label(v: int) -> str:
        return series.node_label(v, 0)

    paths = [series.path_ids(k, 0) for k in range(series.n_times)]
    return _build(series.grid, step_s, paths, series.one_way_ms[:, 0], n_s, fixed_xyz, fibre_km,
                  label, lambda sub: net.constellation.propagate(sub).r_ecef_km, (SRC, DST))


def from_hypatia(inputs: HypatiaInputs, grid: TimeGrid, step_s: float, src_gs: int,
                 dst_gs: int, routes: Iterable[SpaceRoutes] | None = None) -> PathTimeline:
    """The timeline between ground stations ``src_gs`` and ``dst_gs`` of a Hypatia folder
    (its space routes, propagated as Hypatia does: UT1 = UTC; ``routes``: those of every
    instant of ``grid`` when the caller computes them anyway)."""
    n_gs, n = len(inputs.stations), inputs.n_sats
    for what, g in (("--from", src_gs), ("--to", dst_gs)):
        if not 0 <= g < n_gs:
            raise InputError(f"{what}: ground station {g} is not in the folder (ids 0 .. "
                             f"{n_gs - 1})")
    if src_gs == dst_gs:
        raise InputError("--from and --to are the same ground station")
    paths, one_way = [], []
    for state in inputs.iter_routes(grid) if routes is None else routes:
        p = state.path(src_gs, dst_gs)
        paths.append(p)
        one_way.append(state.one_way_ms[src_gs, dst_gs] if p.size else np.nan)
    names = inputs.stations.names

    def fixed_xyz(v: int) -> np.ndarray | None:
        return inputs.stations.r_ecef_km[v - n]

    def label(v: int) -> str:
        return f"GS {v - n} {names[v - n]}" if v >= n else str(inputs.constellation.names[v])

    return _build(grid, step_s, paths, np.array(one_way, float), n, fixed_xyz, None, label,
                  lambda sub: inputs.constellation.propagate(sub, ut1=False).r_ecef_km,
                  (n + src_gs, n + dst_gs))


def _build(grid, step_s, paths, one_way_ms, n_sats, fixed_xyz, fibre_km, label, positions, ends
           ) -> PathTimeline:
    node_of = {ends[0]: 0, ends[1]: 1}
    keys: dict[tuple[int, int], int] = {}
    local_paths, ids, seen = [], np.full(len(paths), -1, np.int64), {}
    for k, p in enumerate(paths):
        loc = np.array([node_of.setdefault(int(v), len(node_of)) for v in p], np.int64)
        for a, b in itertools.pairwise(loc):
            keys.setdefault(_key(a, b), len(keys))
        local_paths.append(loc)
        if loc.size:
            ids[k] = seen.setdefault(loc.tobytes(), len(seen))
    if not seen:
        raise InputError("the endpoints have no service at any instant of the window")
    glob = np.empty(len(node_of), np.int64)
    for v, i in node_of.items():
        glob[i] = v
    links = np.array(list(keys), np.int64).reshape(-1, 2)
    link_km = np.empty((len(grid), len(links)))
    fixed = [fixed_xyz(int(v)) if v < 0 or v >= n_sats else None for v in glob]
    fibre = [None if (fixed[a] is not None or glob[a] < n_sats)
             and (fixed[b] is not None or glob[b] < n_sats)
             else fibre_km(int(glob[a]), int(glob[b])) for a, b in links]
    for k0, sub in grid.chunks(_CHUNK):
        r = positions(sub)
        for i, (a, b) in enumerate(links):
            if fibre[i] is not None:
                link_km[k0:k0 + len(sub), i] = fibre[i]
                continue
            xa = r[:, glob[a]] if fixed[a] is None else fixed[a]
            xb = r[:, glob[b]] if fixed[b] is None else fixed[b]
            link_km[k0:k0 + len(sub), i] = np.linalg.norm(xa - xb, axis=-1)
    lengths = np.array([p.size for p in local_paths], np.int64)
    indptr = np.zeros(len(paths) + 1, np.int64)
    np.cumsum(lengths, out=indptr[1:])
    nodes = np.concatenate(local_paths) if indptr[-1] else np.zeros(0, np.int64)
    labels = np.array([label(int(v)) for v in glob], dtype=object)
    return PathTimeline(grid, float(step_s), labels, links, link_km, indptr, nodes, ids,
                        np.asarray(one_way_ms, float))


def path_one_way_ms(timeline: PathTimeline, k: int) -> float:
    """One-way propagation delay of the path at instant ``k`` from its links (NaN: none)."""
    if timeline.path_id[k] < 0:
        return float("nan")
    return float(timeline.link_km[k, timeline.path_links(k)].sum() / C_KM_S * 1e3)
