"""End-to-end routes and latency between ground points over a time grid, in four modes.

Links are weighted by propagation delay: light in vacuum for radio and laser links, and
in fibre at c / 1.47 along the great circle times a route factor (1.3 by default).

- ``space``: ground point → satellite → lasers → satellite → ground point, free choice of
  satellites at both ends and no ground relay (Hypatia's model).
- ``operator``: terminal → its serving satellite (per 15 s slot, see `scheduling`) →
  lasers → a satellite in view of a gateway → gateway → fibre → the terminal's PoP →
  fibre to the destination. The gateway is the one giving the fastest route to the PoP.
- ``bentpipe``: as ``operator`` without lasers: the serving satellite must itself see a
  gateway.
- ``fibre``: the terrestrial baseline, great circle × route factor at c / 1.47.

Where a pair has no route at an instant, its delay is NaN and ``reason`` says why (never
an exception, never an infinite RTT).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from leonet.errors import InputError
from leonet.physics.earth import C_KM_S, great_circle_km
from leonet.physics.ground import GroundPoints
from leonet.physics.ground_segment import (
    Sites,
    assign_pops,
    starlink_gateways,
    starlink_pops,
)
from leonet.physics.links import (
    MAX_LASER_RANGE_KM,
    IslTopology,
    PlaneAssignment,
    ground_links,
    plus_grid,
)
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.planes import detect_planes
from leonet.physics.route_series import (
    DST,
    NO_DESTINATION_SATELLITE,
    NO_GATEWAY_ROUTE,
    NO_SATELLITE,
    OK,
    SERVING_NO_GATEWAY,
    SRC,
    RouteMode,
    RouteSeries,
)
from leonet.physics.routing import SatelliteGraph, Tree
from leonet.physics.scheduling import (
    SLOT_OFFSET_S,
    SLOT_S,
    Schedule,
    Strategy,
    needs_routes,
    schedule,
    slot_grid,
)
from leonet.physics.timegrid import TimeGrid

MODES = tuple(m.value for m in RouteMode)
# Group index of standard single-mode fibre near 1550 nm: 1.4682 for Corning SMF-28
# (product information sheet PI1036); the c / 1.47.
FIBRE_INDEX = 1.47
# Shortest paths through the US long-haul fibre conduits are 1.3 times the great circle in
# the median over the 120 largest population centres (Bozkurt et al., "Dissecting latency
# in the Internet's fiber infrastructure", arXiv:1811.10737, 2018).
FIBRE_ROUTE_FACTOR = 1.3
# Positions per propagation chunk: bounds memory to ~100 MB for 10,000 satellites.
_CHUNK_INSTANTS = 128


@dataclass(frozen=True, eq=False)
class Network:
    """A constellation with its laser mesh (None: no lasers), gateways and PoPs."""

    constellation: Constellation
    isls: IslTopology | None
    gateways: Sites
    pops: Sites
    fibre_route_factor: float = FIBRE_ROUTE_FACTOR
    fibre_index: float = FIBRE_INDEX
    pop_by_country: Mapping[str, str] | None = None
    planes: PlaneAssignment | None = None

    def __post_init__(self) -> None:
        if not self.fibre_route_factor >= 1.0:
            raise InputError(f"fibre route factor must be >= 1 (a route is never shorter "
                             f"than the great circle), got {self.fibre_route_factor}")
        if not self.fibre_index >= 1.0:
            raise InputError(f"fibre refractive index must be >= 1, got {self.fibre_index}")
        if self.isls is not None and self.isls.n_sats != len(self.constellation):
            raise InputError(f"laser links are for {self.isls.n_sats} satellites, the "
                             f"constellation has {len(self.constellation)}")

    @classmethod
    def build(cls, constellation: Constellation, *, planes: PlaneAssignment | None = None,
              isl_shift: int = 0, max_range_km: float | None = MAX_LASER_RANGE_KM,
              cutoff_lat_deg: float | None = None, gateways: Sites | None = None,
              pops: Sites | None = None, **kwargs) -> Network:
        """+Grid lasers on the filed planes (presets, Walker shells) or on planes detected
        from the elements (TLE sets), with the shipped Starlink gateways and PoPs unless
        others are given."""
        if planes is None:
            if np.any(constellation.shell_index >= 0):
                planes = PlaneAssignment.from_walker(constellation)
            else:
                planes = detect_planes(constellation)
        isls = plus_grid(planes, isl_shift=isl_shift, max_range_km=max_range_km,
                         cutoff_lat_deg=cutoff_lat_deg)
        return cls(constellation, isls, gateways if gateways is not None
                   else starlink_gateways(), pops if pops is not None else starlink_pops(),
                   planes=planes, **kwargs)

    def fibre_km_equivalent(self, gc_km: np.ndarray) -> np.ndarray:
        """Vacuum-equivalent length of fibre along ``gc_km`` of great circle."""
        return np.asarray(gc_km) * self.fibre_route_factor * self.fibre_index

    def pop_of(self, points: GroundPoints, country: np.ndarray | None = None) -> np.ndarray:
        """The PoP index serving each point (by country table, else nearest)."""
        return assign_pops(points, self.pops, country=country, by_country=self.pop_by_country)

    def routes(self, src: GroundPoints, dst: GroundPoints, grid: TimeGrid, *,
               mode: str | RouteMode = "operator",
               strategy: str | Strategy = "highest_elevation",
               pop: np.ndarray | None = None, slot_s: float = SLOT_S,
               slot_offset_s: float = SLOT_OFFSET_S,
               progress: Callable[[int], None] | None = None) -> RouteSeries:
        """Routes from ``src[i]`` to ``dst[i]`` for every pair and instant of ``grid``.

        ``pop`` gives each pair's PoP index (default: `pop_of` the source). ``progress``
        is called with the number of instants done."""
        mode = RouteMode.parse(mode)
        pop_idx = self.check_pairs(src, dst, grid, pop)
        sched = self.route_schedule(src, grid, mode, strategy, pop_idx, slot_s, slot_offset_s)
        return self.routes_window(src, dst, grid, pop_idx, sched, 0, len(grid), mode=mode,
                                  progress=progress)

    def route_schedule(self, src: GroundPoints, grid: TimeGrid, mode: RouteMode,
                       strategy: str | Strategy, pop_idx: np.ndarray, slot_s: float,
                       slot_offset_s: float) -> Schedule | None:
        """The serving satellites of ``src`` over all of ``grid`` for `routes` (None in the
        modes without a terminal's serving satellite)."""
        if not mode.scheduled:
            return None
        return self.schedule(src, grid[0].utc[0], grid[-1].utc[0], mode=mode,
                             strategy=strategy, slot_s=slot_s, slot_offset_s=slot_offset_s,
                             pop=pop_idx)

    def check_pairs(self, src: GroundPoints, dst: GroundPoints, grid: TimeGrid,
                    pop: np.ndarray | None = None) -> np.ndarray:
        """Refuse mismatched pairs or an empty grid; return each pair's PoP index (``pop``,
        default `pop_of` the source)."""
        n_pairs = len(src)
        if len(dst) != n_pairs:
            raise InputError(f"{n_pairs} sources but {len(dst)} destinations")
        if len(grid) == 0:
            raise InputError("the time grid is empty")
        pop_idx = (self.pop_of(src) if pop is None else np.asarray(pop, np.int64))
        if pop_idx.shape != (n_pairs,):
            raise InputError(f"one PoP per pair is needed, got shape {pop_idx.shape}")
        return pop_idx

    def routes_window(self, src: GroundPoints, dst: GroundPoints, grid: TimeGrid,
                      pop_idx: np.ndarray, sched: Schedule | None, start: int, stop: int, *,
                      mode: RouteMode,
                      progress: Callable[[int], None] | None = None) -> RouteSeries:
        """The routes of `routes` at instants ``[start, stop)`` of ``grid``, with the serving
        satellites of ``sched``, the schedule of the whole grid (a schedule carries its
        serving satellite from slot to slot, so it is never cut). Windows joined with
        `RouteSeries.concat` are the whole run: each instant's route depends only on the
        positions then, and path changes are found on the joined series."""
        sub = grid[start:stop]
        run = _Run(self, src, dst, sub, mode, pop_idx)
        if mode is RouteMode.FIBRE:
            run.fibre_only(great_circle_km(src.lat_deg, src.lon_deg, dst.lat_deg,
                                           dst.lon_deg))
            if progress is not None:
                progress(len(sub))
        else:
            if sched is not None:
                slot = sched.slot_of(sub.utc)
                run.serving = sched.serving[slot]
                run.in_view = sched.in_view[slot]
            for k0, eph in _chunks(self.constellation, sub):
                for j in range(eph.n_times):
                    run.instant(k0 + j, eph.r_ecef_km[j])
                if progress is not None:
                    progress(eph.n_times)
        return run.result(sched)

    def schedule(self, terminals: GroundPoints, start: np.datetime64, end: np.datetime64, *,
                 mode: str | RouteMode = "operator",
                 strategy: str | Strategy = "highest_elevation",
                 slot_s: float = SLOT_S, slot_offset_s: float = SLOT_OFFSET_S,
                 pop: np.ndarray | None = None) -> Schedule:
        """Serving satellites of ``terminals`` per slot over ``[start, end]``.

        Candidates are satellites that can carry traffic: with lasers (``operator``) any
        satellite that has a laser link or sees a gateway; without (``bentpipe``) one that
        sees a gateway at the slot start. Strategies that need route costs get each
        candidate's route to the terminal's PoP (``pop``, default `pop_of`) at the slot
        start."""
        mode = RouteMode.parse(mode)
        routed = needs_routes(strategy)
        pop_idx = (self.pop_of(terminals) if pop is None else np.asarray(pop, np.int64))
        slots, n_slots = slot_grid(start, end, slot_s=slot_s, slot_offset_s=slot_offset_s)
        with_lasers = self.isls is not None and mode is not RouteMode.BENTPIPE
        lasers = (self.isls.degree() > 0 if with_lasers
                  else np.zeros(len(self.constellation), bool))
        parts = []
        previous = None
        n_ahead = len(slots) - n_slots
        for k0 in range(0, n_slots, _CHUNK_INSTANTS):
            k1 = min(k0 + _CHUNK_INSTANTS, n_slots)
            sub = slots[k0:k1 + n_ahead]
            r = self.constellation.propagate(sub).r_ecef_km
            eligible = np.empty((k1 - k0, len(self.constellation)), bool)
            for j in range(k1 - k0):
                gl = ground_links(self.gateways.points, r[j])
                eligible[j] = lasers
                eligible[j, gl.sat] = True
            cost = None
            if routed:
                run = _Run(self, terminals, terminals, sub, mode, pop_idx)

                def cost(j, p, s, run=run, r=r):
                    graph = run.graph(r[j])
                    gl = ground_links(self.gateways.points, r[j])
                    out = np.linalg.norm(r[j, s] - terminals.r_ecef_km[p], axis=1)
                    for q in np.unique(pop_idx[p]):
                        tree = run.pop_tree(graph, gl, q)
                        sel = pop_idx[p] == q
                        out[sel] += tree.dist_km[s[sel]]
                    return out

            parts.append(schedule(terminals, r, sub, k1 - k0, strategy=strategy,
                                  eligible=eligible, previous=previous, route_cost=cost))
            previous = parts[-1].serving[-1]
        return Schedule(np.concatenate([p.slot_start for p in parts]), parts[0].slot_s,
                        np.concatenate([p.serving for p in parts]),
                        np.concatenate([p.elevation_deg for p in parts]),
                        np.concatenate([p.remaining_s for p in parts]), parts[0].strategy,
                        np.concatenate([p.in_view for p in parts]))


def _chunks(constellation: Constellation, grid: TimeGrid):
    for k0, sub in grid.chunks(_CHUNK_INSTANTS):
        yield k0, constellation.propagate(sub)


class _Run:
    """Per-instant route computation for one `Network.routes` call (mutable scratch)."""

    def __init__(self, net: Network, src: GroundPoints, dst: GroundPoints, grid: TimeGrid,
                 mode: RouteMode, pop_idx: np.ndarray) -> None:
        self.net, self.src, self.dst, self.grid, self.mode = net, src, dst, grid, mode
        self.pop_idx = pop_idx
        n_t, n_p = len(grid), len(src)
        self.n_sats = len(net.constellation)
        self.one_way_ms = np.full((n_t, n_p), np.nan)
        self.reason = np.zeros((n_t, n_p), np.int8)
        self.fibre_km = np.zeros((n_t, n_p))
        self.paths: list[np.ndarray] = [np.zeros(0, np.int64)] * (n_t * n_p)
        self.serving: np.ndarray | None = None
        self.in_view: np.ndarray | None = None
        self.trees: dict[int, Tree] = {}
        self.empty = SatelliteGraph.build(self.n_sats, np.zeros(0, np.int32),
                                          np.zeros(0, np.int32), np.zeros(0))
        gw = net.gateways.points
        self.backhaul_gc_km = great_circle_km(gw.lat_deg[:, None], gw.lon_deg[:, None],
                                              net.pops.points.lat_deg[None, :],
                                              net.pops.points.lon_deg[None, :])
        self.pop_dst_gc_km = great_circle_km(
            net.pops.points.lat_deg[pop_idx], net.pops.points.lon_deg[pop_idx],
            dst.lat_deg, dst.lon_deg)

    def fibre_only(self, gc_km: np.ndarray) -> None:
        ms = self.net.fibre_km_equivalent(gc_km) / C_KM_S * 1e3
        self.one_way_ms[:] = ms[None, :]
        self.fibre_km[:] = gc_km[None, :] * self.net.fibre_route_factor
        path = [np.array([SRC, DST], np.int64)]
        self.paths = path * len(self.paths)

    def graph(self, r: np.ndarray) -> SatelliteGraph:
        if self.net.isls is None or self.mode is RouteMode.BENTPIPE:
            return self.empty
        return SatelliteGraph.from_topology(self.net.isls, r)

    def instant(self, k: int, r: np.ndarray) -> None:
        graph = self.graph(r)
        if self.mode is RouteMode.SPACE:
            self._space(k, r, graph)
        else:
            self._operator(k, r, graph)

    def _space(self, k: int, r: np.ndarray, graph: SatelliteGraph) -> None:
        up_src = ground_links(self.src, r)
        up_dst = ground_links(self.dst, r)
        n_p = len(self.src)
        for i in range(n_p):
            d_sat, d_len = up_dst.of(i)
            s_sat, s_len = up_src.of(i)
            if s_sat.size == 0:
                self.reason[k, i] = NO_SATELLITE
                continue
            if d_sat.size == 0:
                self.reason[k, i] = NO_DESTINATION_SATELLITE
                continue
            key = ("dst", i)
            tree = graph.tree(d_sat, d_len, np.zeros(d_sat.size, np.int32),
                              self.trees.get(key))
            self.trees[key] = tree
            total = s_len + tree.dist_km[s_sat]
            best = int(np.argmin(total))
            if not np.isfinite(total[best]):
                self.reason[k, i] = NO_GATEWAY_ROUTE
                continue
            sats, _ = tree.route(int(s_sat[best]))
            self.one_way_ms[k, i] = total[best] / C_KM_S * 1e3
            self.paths[k * n_p + i] = np.concatenate([[SRC], sats, [DST]])
            self.reason[k, i] = OK

    def pop_tree(self, graph: SatelliteGraph, gl, q: int) -> Tree:
        """Routes from every satellite to PoP ``q`` through any gateway in view
        (repaired from this run's previous tree towards ``q``)."""
        gw_of = np.repeat(np.arange(len(self.net.gateways)), gl.counts).astype(np.int32)
        cost = gl.length_km + self.net.fibre_km_equivalent(self.backhaul_gc_km[gw_of, q])
        tree = graph.tree(gl.sat, cost, gw_of, self.trees.get(q))
        self.trees[q] = tree
        return tree

    def _operator(self, k: int, r: np.ndarray, graph: SatelliteGraph) -> None:
        n_p, n, n_gw = len(self.src), self.n_sats, len(self.net.gateways)
        gl = ground_links(self.net.gateways.points, r)
        serving = self.serving[k]
        for q in np.unique(self.pop_idx):
            tree = self.pop_tree(graph, gl, q)
            for i in np.flatnonzero(self.pop_idx == q):
                s = int(serving[i])
                if s < 0:
                    self.reason[k, i] = (NO_SATELLITE if not self.in_view[k, i] else
                                         SERVING_NO_GATEWAY if self.mode is RouteMode.BENTPIPE
                                         else NO_GATEWAY_ROUTE)
                    continue
                d = r[s] - self.src.r_ecef_km[i]
                up_km = float(np.sqrt(d @ d))
                if not np.isfinite(tree.dist_km[s]):
                    self.reason[k, i] = (SERVING_NO_GATEWAY if self.mode is RouteMode.BENTPIPE
                                         else NO_GATEWAY_ROUTE)
                    continue
                sats, g = tree.route(s)
                fib_dst = self.net.fibre_km_equivalent(self.pop_dst_gc_km[i])
                total = up_km + tree.dist_km[s] + fib_dst
                self.one_way_ms[k, i] = total / C_KM_S * 1e3
                self.fibre_km[k, i] = (self.backhaul_gc_km[g, q] + self.pop_dst_gc_km[i]) \
                    * self.net.fibre_route_factor
                self.paths[k * n_p + i] = np.concatenate(
                    [[SRC], sats, [n + g, n + n_gw + q, DST]])
                self.reason[k, i] = OK

    def result(self, sched: Schedule | None) -> RouteSeries:
        lengths = np.array([p.size for p in self.paths], np.int64)
        indptr = np.zeros(lengths.size + 1, np.int64)
        np.cumsum(lengths, out=indptr[1:])
        nodes = np.concatenate(self.paths) if indptr[-1] else np.zeros(0, np.int64)
        return RouteSeries(
            grid=self.grid, mode=self.mode, src=self.src, dst=self.dst,
            one_way_ms=self.one_way_ms, reason=self.reason, fibre_km=self.fibre_km,
            path_indptr=indptr, path_nodes=nodes,
            sat_names=self.net.constellation.names, gateway_names=self.net.gateways.names,
            pop_names=self.net.pops.names, pop_index=self.pop_idx,
            serving=self.serving, schedule=sched)
